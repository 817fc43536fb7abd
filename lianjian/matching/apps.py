from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "lianjian.matching"
    label = "matching"
    verbose_name = _("需求资源匹配")

    def ready(self) -> None:
        from lianjian.core.nav import register_nav

        register_nav(_("匹配"), "matching:home", lambda s: s.is_liaison and not s.is_staff_like, order=35)
        register_nav(_("匹配"), "matching:home", lambda s: s.is_staff_like, order=35, group="more")
