from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "lianjian.ledgers"
    label = "ledgers"
    verbose_name = _("台账导入导出")

    def ready(self) -> None:
        from lianjian.core.nav import register_nav

        register_nav(_("台账"), "ledgers:index", lambda s: s.is_staff_like, order=70)
