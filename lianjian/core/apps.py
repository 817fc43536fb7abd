from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lianjian.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
        from .nav import register_nav

        register_nav(_("首页"), "public:home", lambda s: not s.is_authenticated, order=0)
        # Residents, riders and volunteers call their home 首页; the people who run things 工作台.
        register_nav(_("首页"), "core:home", lambda s: s.is_authenticated and not (s.is_staff_like or s.is_liaison),
                     order=1)
        register_nav(_("工作台"), "core:home", lambda s: s.is_staff_like or s.is_liaison, order=1)
        register_nav(_("后台管理"), "admin:index", lambda s: s.is_authenticated and s.user.is_staff, order=99)
