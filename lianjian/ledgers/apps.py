from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "lianjian.ledgers"
    label = "ledgers"
    verbose_name = _("台账导入导出")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from lianjian.core.activity import register_value_labels
        from lianjian.core.nav import register_nav

        from .kinds import SPECS

        register_nav(_("台账"), "ledgers:index", lambda s: s.is_staff_like, order=70, group="more")
        # The audit trail names an import's ledger kind by its label.
        register_value_labels("kind", lambda kind: gettext(SPECS[kind].label) if kind in SPECS else None,
                              action="ledger_import")
