from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lianjian.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        from django.contrib import admin

        from .forms import AdminLoginForm

        # /admin/login/ counts and locks failures like the site's log-in page.
        admin.site.login_form = AdminLoginForm
