from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "lianjian.points"
    label = "points"
    verbose_name = _("积分")

    def ready(self) -> None:
        from lianjian.core.activity import register_verbs
        from lianjian.core.nav import register_home_card, register_nav

        from . import receivers
        from .home_cards import points_card

        receivers.connect()
        register_nav(_("积分"), "points:mine", lambda s: s.is_self_service, order=48)
        register_nav(_("积分管理"), "points:staff", lambda s: s.is_staff_like, order=48, group="more")
        register_nav(_("兑换核销"), "points:merchant", lambda s: s.is_liaison, order=49, group="more")
        register_home_card("points.balance", "points/home_card.html", lambda s: s.is_self_service,
                           context=points_card, order=25)
        register_verbs({
            "points_award": _("发放了积分"),
            "points_award_request": _("申请了积分发放"),
            "points_award_approve": _("批准了积分发放"),
            "points_award_reject": _("驳回了积分发放"),
            "points_reverse": _("冲正了积分"),
            "points_redeem": _("兑换了物品"),
            "points_confirm": _("核销了兑换码"),
            "points_cancel": _("取消了兑换"),
            "points_hold_expired": _("兑换码超期作废"),
            "points_expire": _("积分过期"),
            "points_scheme": _("设置了积分方案"),
            "points_rule": _("设置了积分规则"),
            "points_reward": _("设置了兑换物品"),
            "points_account_settings": _("修改了排行榜设置"),
        })
