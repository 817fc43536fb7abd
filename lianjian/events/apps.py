from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "lianjian.events"
    label = "events"
    verbose_name = _("活动")

    def ready(self) -> None:
        from lianjian.core.activity import register_verbs
        from lianjian.core.nav import register_home_card, register_nav

        from .home_cards import events_card

        register_nav(_("活动"), "events:list", lambda s: s.is_authenticated, order=45)
        register_home_card("events.mine", "events/home_card.html", lambda s: s.is_self_service, context=events_card,
                           order=30)
        register_verbs({
            "register": _("报名了活动"),
            "promote": _("从候补转为报名"),
            "accept_offer": _("确认了递补名额"),
            "offer_expired": _("递补名额已过期"),
            "check_in": _("签到入场"),
            "mark_no_shows": _("标记了未到场"),
            "volunteer_signup": _("报名了志愿岗位"),
            "volunteer_cancel": _("取消了志愿岗位报名"),
            "volunteer_check_in": _("在岗位上签到"),
            "volunteer_check_out": _("在岗位上签退"),
            "hours_report": _("补报了服务时长"),
            "hours_approve": _("认定了自报时长"),
            "hours_reject": _("未认定自报时长"),
            "pledge": _("登记了认捐"),
            "pledge_status": _("更新了认捐状态"),
            "recognise": _("发出了表扬"),
        }, by_model={
            ("events.event", "cancel"): _("取消了活动"),
            ("events.registration", "cancel"): _("取消了报名"),
            ("events.event", "create"): _("创建了活动"),
        })
