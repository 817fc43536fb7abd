from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "lianjian.events"
    label = "events"
    verbose_name = _("活动")

    def ready(self) -> None:
        from lianjian.core.nav import register_nav

        register_nav(_("活动"), "events:list", lambda s: s.is_authenticated, order=45)
