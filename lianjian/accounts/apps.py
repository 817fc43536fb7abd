from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lianjian.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        from django.contrib import admin
        from django.db.models.signals import post_delete, post_save

        from lianjian.core.activity import register_value_labels

        from .forms import AdminLoginForm
        from .models import Role, RoleAssignment
        from .permissions import roles_changed

        # /admin/login/ counts and locks failures like the site's log-in page, and so does the
        # old-password check of /admin/password_change/.
        admin.site.login_form = AdminLoginForm
        admin.site.password_change = _throttled_password_change  # type: ignore[method-assign]
        # A change of anybody's role assignments retires the scopes remembered for them.
        post_save.connect(roles_changed, sender=RoleAssignment, dispatch_uid="accounts.roles_changed.save")
        post_delete.connect(roles_changed, sender=RoleAssignment, dispatch_uid="accounts.roles_changed.delete")
        # The audit trail names a role change's role by its label.
        register_value_labels("role", lambda value: Role(value).label if value in Role.values else None)


def _throttled_password_change(request: Any, extra_context: dict[str, Any] | None = None) -> Any:
    """``AdminSite.password_change`` with :class:`~lianjian.accounts.forms.ThrottledPasswordChangeForm`."""
    from django.contrib import admin
    from django.contrib.auth.views import PasswordChangeView
    from django.urls import reverse

    from .forms import ThrottledPasswordChangeForm

    site = admin.site
    form_class = type("RequestPasswordChangeForm", (ThrottledPasswordChangeForm,), {"request": request})
    defaults: dict[str, Any] = {
        "form_class": form_class,
        "success_url": reverse("admin:password_change_done", current_app=site.name),
        "extra_context": {**site.each_context(request), **(extra_context or {})},
    }
    if site.password_change_template is not None:
        defaults["template_name"] = site.password_change_template
    request.current_app = site.name
    return PasswordChangeView.as_view(**defaults)(request)
