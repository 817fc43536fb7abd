from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "lianjian.workers"
    label = "workers"
    verbose_name = _("新就业群体")

    def ready(self) -> None:
        from lianjian.accounts.models import Role
        from lianjian.core.activity import register_verbs
        from lianjian.core.nav import register_home_card, register_nav

        from . import tasks  # noqa: F401  (periodic tasks register on import)
        from .home_cards import worker_card

        register_nav(_("新就业群体"), "workers:list", lambda s: s.is_staff_like, order=47, group="more")
        register_nav(_("小哥驿站"), "workers:me", lambda s: Role.RIDER in s.roles and not s.is_staff_like, order=47)
        register_nav(_("友好商户"), "workers:merchants", lambda s: s.is_liaison and not s.is_staff_like, order=48,
                     group="more")
        register_home_card("workers.me", "workers/home_card.html",
                           lambda s: s.is_self_service, context=worker_card, order=25)
        register_verbs({
            "register_worker": _("登记为新就业群体"),
            "record_worker": _("代为登记了新就业群体"),
            "verify_worker": _("核验通过了登记"),
            "reject_worker": _("未通过登记"),
            "certify_grid_reporter": _("认证了流动网格员"),
            "revoke_grid_reporter": _("撤销了流动网格员认证"),
            "supply_take": _("领取了物资"),
            "supply_restock": _("补充了物资"),
            "low_stock_alert": _("发出了低库存提醒"),
            "station_check_in": _("在驿站签到"),
        }, by_model={
            ("workers.station", "create"): _("开设了驿站"),
            ("workers.supply", "create"): _("添加了物资"),
            ("workers.merchant", "create"): _("登记了友好商户"),
            ("workers.offer", "create"): _("发布了优惠"),
        })
