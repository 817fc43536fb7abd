from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "lianjian.lists"
    label = "lists"
    verbose_name = _("需求与资源")

    def ready(self) -> None:
        from lianjian.core.nav import register_home_card, register_nav

        from .home_cards import mine_card, post_card

        register_nav(_("需求清单"), "lists:need_list", lambda s: s.is_staff_like or s.is_liaison, order=20)
        register_nav(_("我的需求"), "lists:need_mine", lambda s: s.is_self_service, order=2)
        register_nav(_("提需求"), "lists:need_post", lambda s: s.is_self_service, order=3)
        register_home_card("lists.post", "lists/home/_post.html", lambda s: s.is_self_service, context=post_card,
                           order=10)
        register_home_card("lists.mine", "lists/home/_mine.html", lambda s: s.is_self_service, context=mine_card,
                           order=20)
        register_nav(_("资源清单"), "lists:resource_list", lambda s: s.is_staff_like or s.is_liaison,
                     order=21)
        register_nav(_("待审核"), "lists:review", lambda s: s.is_staff_like, order=22)
        register_nav(_("我的单位"), "lists:my_unit", lambda s: s.is_liaison, order=23)
