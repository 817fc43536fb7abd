from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "lianjian.public"
    label = "public"
    verbose_name = _("公开页面")

    def ready(self) -> None:
        from lianjian.core.nav import register_home_card, register_nav

        from .home_cards import board_card
        from .pages import register_community_sections
        from .story_sources import register as register_story_sources

        register_nav(_("社区公示"), "public:my_board", lambda s: s.is_self_service, order=4)
        register_home_card("public.board", "public/home_card_board.html", lambda s: s.is_self_service,
                           context=board_card, order=30)
        register_story_sources()
        register_community_sections()
