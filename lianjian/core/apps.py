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
        register_nav(_("工作台"), "core:home", lambda s: s.is_authenticated, order=1)
        register_nav(_("后台任务"), "core:jobs", lambda s: s.is_staff_like, order=89)
        register_nav(_("接口令牌"), "accounts:tokens", lambda s: s.is_authenticated, order=90)
        register_nav(_("后台管理"), "admin:index", lambda s: s.is_authenticated and s.user.is_staff, order=99)
