from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "lianjian.regions"
    label = "regions"
    verbose_name = _("行政区划")

    def ready(self) -> None:
        from lianjian.core.nav import register_nav

        register_nav(_("区划"), "regions:list", lambda s: s.is_staff_like, order=10, group="more")
