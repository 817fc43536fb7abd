from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "lianjian.tickets"
    label = "tickets"
    verbose_name = _("随手拍")

    def ready(self) -> None:
        from lianjian.core.activity import register_verbs
        from lianjian.core.nav import register_home_card, register_nav

        from .home_cards import tickets_card

        register_nav(_("随手拍"), "tickets:mine", lambda s: s.is_self_service, order=47)
        register_nav(_("随手拍处置"), "tickets:staff_list", lambda s: s.is_staff_like, order=47)
        register_nav(_("待办工单"), "tickets:inbox", lambda s: s.is_liaison, order=47)
        register_home_card("tickets.mine", "tickets/home_card.html", lambda s: s.is_self_service,
                           context=tickets_card, order=25)
        verbs = {
            "report": _("提交了随手拍"),
            "support": _("表示也遇到了"),
            "accept": _("受理了随手拍"),
            "reject": _("不予受理随手拍"),
            "merge": _("合并了重复的随手拍"),
            "dispatch": _("派单"),
            "acknowledge": _("签收了工单"),
            "resolve": _("处置完成"),
            "confirm": _("确认已解决"),
            "reopen": _("重新打开了随手拍"),
            "escalate": _("逾期升级至街道"),
            "to_need": _("将随手拍转为需求"),
        }
        # Prefixed: "accept", "confirm" … mean other things on other apps' rows.
        register_verbs({f"ticket_{action}": verb for action, verb in verbs.items()},
                       by_model={("tickets.reportcategory", "update"): _("修改了随手拍类别")})
