from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "lianjian.search"
    label = "search"
    verbose_name = _("站内搜索")

    def ready(self) -> None:
        from . import signals

        signals.connect()
