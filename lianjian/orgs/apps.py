from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "lianjian.orgs"
    label = "orgs"
    verbose_name = _("联建单位")

    def ready(self) -> None:
        from lianjian.core.nav import register_nav
        from lianjian.core.pages import register_page_context

        from .selectors import region_page_units

        register_nav(_("联建单位"), "orgs:list", lambda s: s.is_staff_like or s.is_liaison, order=11)
        register_page_context("regions:detail", "orgs", region_page_units)
