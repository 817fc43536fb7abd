"""The seed's second story, continued: 江浦路社区 upgrades its 小哥驿站 (water, charging, microwave,
medicine box, rain gear …) with supplies and a door QR that riders have been scanning for two
weeks; riders from several stations (银海湾顺丰快递站点 among them — the demo rider is one) are
registered, some verified and certified as 流动网格员; the eight merchants of 西熙里商家联盟 that
cooked for the New-Year dinner offer riders discounts, hot water and charging. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianjian.accounts.models import Role, User
from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import role_grant, user_create
from lianjian.demo import data
from lianjian.orgs.models import Organisation, Partnership
from lianjian.orgs.services import organisation_create, partnership_create
from lianjian.regions.models import Region

from . import merchants, services, stations
from .models import Amenity, CheckIn, Merchant, Station, Worker

STATION = "江浦路社区小哥驿站"
ALLIANCE = "西熙里商家联盟"

SUPPLIES: list[tuple[str, str, int, int]] = [  # name, unit, stock, low-stock threshold
    ("矿泉水", "瓶", 96, 24), ("雨衣", "件", 12, 5), ("创可贴", "片", 80, 20), ("碘伏棉签", "包", 6, 5),
    ("藿香正气液", "盒", 3, 4), ("充电宝", "个", 8, 2), ("方便面", "桶", 30, 10),
]

# (name, platform, station, work area, party member)
WORKERS: list[tuple[str, str, str, str, bool]] = [
    ("李强", "sf", "银海湾顺丰快递站点", "银海湾小区、江浦路东段", True),
    ("张伟", "zto", "江浦路中通快递站点", "江浦路西段", False),
    ("刘洋", "zto", "江浦路中通快递站点", "光华大道片区", False),
    ("陈杰", "yto", "江浦路圆通快递站点", "西熙里片区", True),
    ("赵磊", "meituan", "美团外卖涌泉站", "涌泉街道全域", False),
    ("黄鑫", "meituan", "美团外卖涌泉站", "江浦路商圈", False),
    ("吴昊", "eleme", "饿了么涌泉站", "涌泉街道全域", True),
    ("孙涛", "jd", "京东快递温江站点", "江浦路社区", False),
    ("朱军", "jt", "极兔速递江浦路站点", "江浦路社区", False),
]

# The eight merchants of 西熙里商家联盟 (they cooked dishes for the dinner) and their offers.
MERCHANTS: list[tuple[str, str, list[str]]] = [
    ("烂蹄花儿", "招牌蹄花汤", ["骑手凭证 9 折", "免费热水"]),
    ("汉平大抄手", "现包大抄手", ["骑手凭证加量不加价"]),
    ("强记螺蛳粉", "正宗柳州螺蛳粉", ["骑手凭证 9 折", "免费充电"]),
    ("隆江猪脚饭", "猪脚饭、卤味", ["骑手凭证 9 折"]),
    ("老农村", "农家家常菜", ["免费热水", "雨天可进店避雨"]),
    ("嘎嘎鸭脑壳", "卤鸭脑壳", ["骑手凭证 9 折"]),
    ("王炒匠", "现炒小炒", ["免费热水", "免费充电"]),
    ("邹徐社醪糟店", "醪糟汤圆", ["冬季骑手免费醪糟一碗"]),
]


def load() -> None:
    community = Region.objects.filter(code=data.JIANGPULU).first()
    if community is None:
        return
    station = Station.objects.filter(community=community, name=STATION).first() or _station(community)
    _workers(community, station)
    _merchants(community)


def _station(community: Region) -> Station:
    station = stations.station_create(
        actor=SYSTEM, community=community, name=STATION, address="成都市温江区涌泉街道江浦路社区党群服务中心一楼",
        lat=None, lng=None, opening_hours="全天 24 小时", amenities=list(Amenity.values),
        description="社区升级打造的“小哥驿站”：饮水、充电、热饭、药箱、卫生间、雨具一应俱全，"
                    "快递小哥、外卖骑手累了渴了随时进来歇歇脚。")
    for name, unit, stock, low in SUPPLIES:
        stations.supply_create(actor=SYSTEM, station=station, name=name, unit=unit, quantity=stock, low_threshold=low)
    return station


def _worker_user(username: str, name: str, phone: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(actor=SYSTEM, username=username, password=data.DEMO_PASSWORD, real_name=name, phone=phone)
    return user


def _workers(community: Region, station: Station) -> None:
    rider = User.objects.filter(username="rider").first()
    people: list[Worker] = []
    if rider is not None and not Worker.objects.filter(user=rider).exists():
        # The demo rider (快递小哥小王) rides for 银海湾顺丰快递站点 and registered on their own phone.
        people.append(services.worker_register(
            actor=rider, community=community, name=rider.real_name, phone=rider.phone or "", platform="sf",
            station_name="银海湾顺丰快递站点", work_area="银海湾小区", is_party_member=False))
    for i, (name, platform, station_name, area, party) in enumerate(WORKERS, start=1):
        phone = f"135{94_000_000 + i:08d}"
        if Worker.objects.filter(phone=phone).exists():
            continue
        user = _worker_user(f"jp_rider_{i:02d}", name, phone)
        role_grant(actor=SYSTEM, user=user, role=Role.RIDER, region=community)
        people.append(services.worker_register(
            actor=user, community=community, name=name, phone=phone, platform=platform, station_name=station_name,
            work_area=area, is_party_member=party))
    if not people:
        return
    for i, worker in enumerate(people):
        if i % 4 != 3:  # most are verified; a few still wait for staff
            services.worker_verify(actor=SYSTEM, worker=worker)
        if i in (0, 1, 4):
            services.worker_certify(actor=SYSTEM, worker=worker)
    _history(station, [w for w in people])


def _history(station: Station, people: list[Worker]) -> None:
    """Two weeks of scans at the door: busier at lunch and dinner time and on rainy days."""
    if CheckIn.objects.filter(station=station).exists():
        return
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    hours = [11, 12, 12, 13, 17, 18, 18, 19, 15, 21]
    for day in range(14, 0, -1):
        date = today - dt.timedelta(days=day)
        visits = 4 + (day * 7) % 9
        for v in range(visits):
            worker = people[(day + v) % len(people)]
            moment = dt.datetime.combine(date, dt.time(hours[(day + v) % len(hours)], (v * 13) % 60), tzinfo=tz)
            if worker.user is not None:
                stations.checkin(actor=worker.user, token=station.token, now=moment)


def _merchant_org(community: Region, name: str, blurb: str) -> Organisation:
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        org = organisation_create(actor=SYSTEM, name=name, kind="merchant", region=community,
                                  address=f"温江区涌泉街道西熙里 · {name}", description=blurb)
    if not Partnership.objects.filter(community=community, organisation=org).exists():
        partnership_create(actor=SYSTEM, community=community, organisation=org, start_date=dt.date(2024, 6, 1),
                           note=ALLIANCE)
    return org


def _merchants(community: Region) -> None:
    today = timezone.localdate()
    for i, (name, blurb, offers) in enumerate(MERCHANTS):
        org = _merchant_org(community, name, blurb)
        if Merchant.objects.filter(community=community, organisation=org).exists():
            continue
        merchant = merchants.merchant_create(actor=SYSTEM, community=community, organisation=org,
                                             alliance=ALLIANCE, blurb=blurb)
        for title in offers:
            merchants.offer_create(actor=SYSTEM, merchant=merchant, title=title, details="出示骑手工牌或登记页面即可",
                                   valid_from=dt.date(today.year, 1, 1),
                                   valid_until=dt.date(today.year, 12, 31) if i % 3 == 0 else None)
        if i == 0:
            _merchant_liaison(org)


def _merchant_liaison(org: Organisation) -> None:
    """烂蹄花儿's owner manages the shop's offers with a liaison log-in."""
    user = _worker_user("xixili_merchant", "烂蹄花儿夏老板", "13700029001")
    role_grant(actor=SYSTEM, user=user, role=Role.LIAISON, organisation=org)
