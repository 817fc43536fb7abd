from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lianjian.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import checks  # noqa: F401  (registers system checks)

        # Every app's tasks.py registers its background tasks and job runners, in the web
        # processes (which queue them, or run them at once in tests) as in the consumer.
        autodiscover_modules("tasks")
        from .nav import register_nav

        register_nav(_("首页"), "public:home", lambda s: not s.is_authenticated, order=0)
        # Residents, riders and volunteers call their home 首页; the people who run things 工作台.
        register_nav(_("首页"), "core:home", lambda s: s.is_authenticated and not (s.is_staff_like or s.is_liaison),
                     order=1)
        register_nav(_("工作台"), "core:home", lambda s: s.is_staff_like or s.is_liaison, order=1)
        register_nav(_("后台任务"), "core:jobs", lambda s: s.is_staff_like, order=89, group="account")
        register_nav(_("后台管理"), "admin:index", lambda s: can_use_admin(s.user), order=99, group="account")


def can_use_admin(user: object) -> bool:
    """True if the admin site would show *user* something: staff with a permission on a registered model."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    if getattr(user, "is_superuser", False):
        return True
    from django.contrib import admin

    labels = {model._meta.app_label for model in admin.site._registry}
    return any(user.has_module_perms(label) for label in labels)  # type: ignore[attr-defined]
