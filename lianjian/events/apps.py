from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "lianjian.events"
    label = "events"
    verbose_name = _("活动")

    def ready(self) -> None:
        from lianjian.core.nav import register_home_card, register_nav

        from .home_cards import events_card

        register_nav(_("活动"), "events:list", lambda s: s.is_authenticated, order=45)
        register_home_card("events.mine", "events/home_card.html", lambda s: s.is_self_service, context=events_card,
                           order=30)
