from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lianjian.core.net import client_ip

from . import throttle
from .backends import LOCKED_FLAG


class ThrottledLoginMixin:
    """Say "locked" instead of "wrong password" while the login throttle refuses the attempt.

    Counting and locking happen in the authentication backend, so every log-in form (the site's,
    the admin's) and any other ``authenticate()`` caller share the same counters.
    """

    request: Any

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            if getattr(self.request, LOCKED_FLAG, False):
                raise forms.ValidationError(throttle.lockout_message(), code="locked") from None
            raise


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    """Log in with a username or phone number; repeated failures lock the account for a while."""

    username = forms.CharField(label=_("用户名或手机号"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    error_messages = {
        "invalid_login": _("用户名/手机号或密码不正确。"),
        "inactive": _("该账号已停用。"),
    }


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin site's log-in form, under the same throttle as the site's."""


class ThrottledPasswordChangeForm(AdminPasswordChangeForm):
    """Changing one's password checks the old one: wrong guesses count against the account and
    the address like failed log-ins, and a locked account cannot try at all."""

    request: Any = None

    def clean_old_password(self) -> str:
        ip = client_ip(self.request)
        if throttle.is_locked("", ip, user=self.user):
            raise forms.ValidationError(throttle.lockout_message(), code="locked")
        try:
            return str(super().clean_old_password())
        except forms.ValidationError:
            throttle.register_failure("", ip, user=self.user)
            raise


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=60,
                           help_text=_("例如：台账同步脚本"))
