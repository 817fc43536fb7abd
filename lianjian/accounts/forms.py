from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lianjian.core.net import client_ip

from . import throttle


class LoginForm(AuthenticationForm):
    """Log in with a username or phone number; repeated failures lock the account for a while."""

    username = forms.CharField(label=_("用户名或手机号"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    error_messages = {
        "invalid_login": _("用户名/手机号或密码不正确。"),
        "inactive": _("该账号已停用。"),
        "locked": _("登录失败次数过多，请 15 分钟后再试。"),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if username and throttle.is_locked(username, ip):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                throttle.register_failure(username, ip)
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        throttle.reset(self.cleaned_data.get("username") or "")


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=60,
                           help_text=_("例如：台账同步脚本"))
