"""江浦路社区's points scheme, told through the services: riders earn points for verified street
reports, the New-Year dinner's volunteers for their verified hours (paid by the ledger's receivers
when the events demo's hours arrive), and they redeem them at 西熙里商家联盟's merchants — a bowl of
汉平大抄手, a haircut, a helmet. One code waits at the counter, one lapsed, one award was reversed.
Idempotent: nothing happens when the scheme exists."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianjian.accounts.models import Role, User
from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import role_grant, user_create
from lianjian.demo import data
from lianjian.orgs.models import Organisation
from lianjian.regions.models import Region

from . import ledger, redemptions, schemes
from .models import Entry, Scheme, Trigger

SCHEME_NAME = "江浦路社区“随手拍·志愿行”积分"
# Riders of 江浦路社区 who report hazards on their rounds: (username, name, phone, leaderboard name, reports)
RIDERS: list[tuple[str, str, str, str, int]] = [
    ("jp_rider_01", "李强", "13591000001", "顺丰小李", 5),
    ("jp_rider_02", "张伟", "13591000002", "中通张师傅", 3),
]
REPORTS = ["井盖松动", "消防通道被占", "路灯不亮", "共享单车堆放占道", "绿化带垃圾堆积"]
REWARDS: list[tuple[str, str, int, int, int | None]] = [
    ("一碗汉平大抄手", "西熙里汉平大抄手门店堂食一份。", 15, 20, 2),
    ("理发一次", "西熙里商家联盟合作理发店，洗剪吹一次。", 25, 10, 1),
    ("骑行安全头盔", "3C 认证电动车头盔一顶，到西熙里商家联盟服务点领取。", 60, 5, 1),
]


def _rider(username: str, name: str, phone: str, community: Region) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(actor=SYSTEM, username=username, password=data.DEMO_PASSWORD, real_name=name, phone=phone)
        role_grant(actor=SYSTEM, user=user, role=Role.RIDER, region=community)
    return user


def load() -> None:
    community = Region.objects.filter(code=data.JIANGPULU).first()
    alliance = Organisation.objects.filter(name="西熙里商家联盟").first()
    staff = User.objects.filter(username="jiangpu_staff").first()
    liaison = User.objects.filter(username=f"liaison_{data.JIANGPULU[-6:]}_01").first()
    if community is None or alliance is None or staff is None or liaison is None:
        return
    if Scheme.objects.filter(region=community).exists():
        return
    scheme = schemes.scheme_save(actor=staff, region=community, name=SCHEME_NAME, expiry_months=12, hold_days=7,
                                 approval_threshold=50)
    schemes.rule_save(actor=staff, scheme=scheme, trigger=Trigger.REPORT, points=10)
    schemes.rule_save(actor=staff, scheme=scheme, trigger=Trigger.REPORT, category_code="fire_lane", points=20)
    schemes.rule_save(actor=staff, scheme=scheme, trigger=Trigger.HOUR, points=1, cap_per_activity=4)
    schemes.rule_save(actor=staff, scheme=scheme, trigger=Trigger.ATTENDANCE, points=2)
    schemes.rule_save(actor=staff, scheme=scheme, trigger=Trigger.RATING, points=1)
    now = timezone.now()
    riders = [(_rider(u, n, p, community), shown, count) for u, n, p, shown, count in RIDERS]
    demo_rider = User.objects.filter(username="rider").first()
    if demo_rider is not None:
        riders.insert(0, (demo_rider, "快递小哥小王", 3))
    n = 0
    for person, shown, count in riders:
        for i in range(count):
            n += 1
            when = now - dt.timedelta(days=20 - n)
            ledger.award_for_event(trigger=Trigger.REPORT, source_key=f"demo.report:{n}", person=person,
                                   community=community, occurred_at=when, title=REPORTS[i % len(REPORTS)],
                                   category_code="fire_lane" if i == 1 else "", now=when)
        account = ledger.account_for(scheme=scheme, person=person)
        schemes.account_settings(actor=person, account=account, display_name=shown, leaderboard_opt_out=False)
    # A report found to duplicate another: its award is reversed, with the reason, never deleted.
    duplicate = Entry.objects.get(source_key=f"demo.report:{n}")
    ledger.entry_reverse(actor=staff, entry=duplicate, reason="与前一条随手拍为同一处井盖，重复上报已合并",
                         now=now - dt.timedelta(days=1))
    items = [redemptions.reward_create(actor=staff, scheme=scheme, title=title, description=text, points=points,
                                       stock=stock, organisation=alliance, per_person_limit=limit)
             for title, text, points, stock, limit in REWARDS]
    redemptions.reward_create(actor=staff, scheme=scheme, title="社区义诊体检一次",
                              description="社区卫生服务站基础体检（血压、血糖、心电图），社区工作人员核销。",
                              points=20, stock=30)
    chaoshou, haircut, _helmet = items
    first = riders[1][0] if demo_rider is not None else riders[0][0]
    # Confirmed at the counter: a bowl of 抄手 last week.
    posted = redemptions.redeem(actor=first, reward=chaoshou, now=now - dt.timedelta(days=6))
    redemptions.confirm(actor=liaison, redemption=posted, now=now - dt.timedelta(days=6, hours=-1))
    # Lapsed: a haircut redeemed ten days ago and never used — voided by the job, points back.
    redemptions.redeem(actor=first, reward=haircut, now=now - dt.timedelta(days=10))
    redemptions.expire_holds(now=now)
    # Waiting at the counter: the demo rider's bowl of 抄手.
    holder = riders[0][0]
    redemptions.redeem(actor=holder, reward=chaoshou, now=now - dt.timedelta(hours=3))
