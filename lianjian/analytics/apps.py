from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "lianjian.analytics"
    label = "analytics"
    verbose_name = _("统计与报告")

    def ready(self) -> None:
        from lianjian.core.nav import register_nav

        register_nav(_("统计"), "analytics:home", lambda s: s.is_staff_like, order=45)
