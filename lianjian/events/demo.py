"""The seed's two events, re-told through the services: 江浦路社区's New-Year dinner for couriers
(34 home-cooked dishes, 8 dishes from 8 merchants of 西熙里商家联盟, 15 workers praised) and
濠阳街道's 4.5 km New-Year fun run (medical point and security on the route, volunteers). Idempotent."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from lianjian.accounts.models import Role, User
from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import role_grant, user_create
from lianjian.core.fonts import cjk_font_path
from lianjian.demo import data
from lianjian.orgs.models import Organisation
from lianjian.regions.models import Region

from . import services, thanks, volunteers
from .models import Event, EventKind, PledgeStatus, Registration

SH = ZoneInfo("Asia/Shanghai")
DINNER = "小哥，停一停回家吃年夜饭了"
RUN = "彭派蔬香·跃动濠阳 全民乐跑庆新春"

# 34 dishes cooked by residents; the first four are named in the story.
HOME_DISHES: list[tuple[str, str]] = [
    ("粉蒸牛肉", "夏叔叔"), ("鸡爪炖土豆", "林阿姨"), ("红烧肉", "刁嬢嬢"), ("羊肉汤", "张阿姨"),
    ("回锅肉", "王叔叔"), ("麻婆豆腐", "陈阿姨"), ("鱼香肉丝", "刘嬢嬢"), ("宫保鸡丁", "赵叔叔"),
    ("酸菜鱼", "黄阿姨"), ("蒜泥白肉", "周嬢嬢"), ("夫妻肺片", "吴叔叔"), ("甜皮鸭", "郑阿姨"),
    ("青椒肉丝", "孙嬢嬢"), ("番茄炒蛋", "李阿姨"), ("干煸四季豆", "杨叔叔"), ("水煮肉片", "何阿姨"),
    ("凉拌鸡", "罗嬢嬢"), ("腊肉炒蒜苗", "高叔叔"), ("香肠拼盘", "梁阿姨"), ("红糖糍粑", "宋嬢嬢"),
    ("珍珠圆子", "唐阿姨"), ("咸烧白", "韩叔叔"), ("甜烧白", "冯阿姨"), ("萝卜炖排骨", "邓嬢嬢"),
    ("酸辣土豆丝", "曹阿姨"), ("粉蒸排骨", "彭叔叔"), ("鱼香茄子", "曾阿姨"), ("清炒时蔬", "肖嬢嬢"),
    ("莲藕汤", "田阿姨"), ("卤牛肉", "董叔叔"), ("炸酥肉", "袁阿姨"), ("芹菜炒肉", "潘嬢嬢"),
    ("冬瓜丸子汤", "蒋阿姨"), ("八宝饭", "蔡叔叔"),
]
# 8 dishes sponsored by 8 merchants of 西熙里商家联盟.
MERCHANT_DISHES: list[tuple[str, str]] = [
    ("蹄花汤", "烂蹄花儿"), ("大抄手", "汉平大抄手"), ("螺蛳粉", "强记螺蛳粉"), ("猪脚饭", "隆江猪脚饭"),
    ("农家菜拼盘", "老农村"), ("鸭脑壳", "嘎嘎鸭脑壳"), ("小炒肉", "王炒匠"), ("醪糟汤圆", "邹徐社醪糟店"),
]
# The 15 new-employment workers praised at the dinner: (name, station).
WORKERS: list[tuple[str, str]] = [
    ("王小虎", "银海湾顺丰快递站点"), ("李强", "银海湾顺丰快递站点"), ("张伟", "江浦路中通快递站点"),
    ("刘洋", "江浦路中通快递站点"), ("陈杰", "江浦路圆通快递站点"), ("杨帆", "江浦路圆通快递站点"),
    ("赵磊", "美团外卖涌泉站"), ("黄鑫", "美团外卖涌泉站"), ("周鹏", "美团外卖涌泉站"),
    ("吴昊", "饿了么涌泉站"), ("徐斌", "饿了么涌泉站"), ("孙涛", "京东快递温江站点"),
    ("马超", "京东快递温江站点"), ("朱军", "极兔速递江浦路站点"), ("胡亮", "菜鸟驿站西熙里店"),
]


def _at(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def _demo_volunteers(prefix: str, names: list[str], phone_base: int) -> list[User]:
    people = []
    for i, name in enumerate(names, start=1):
        username = f"{prefix}_{i:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(actor=SYSTEM, username=username, password=data.DEMO_PASSWORD, real_name=name,
                               phone=f"136{phone_base + i:08d}")
            role_grant(actor=SYSTEM, user=user, role=Role.VOLUNTEER)
        people.append(user)
    return people


def load() -> None:
    jiangpu = Region.objects.filter(code=data.JIANGPULU).first()
    haoyang = Region.objects.filter(code="510182001").first()
    alliance = Organisation.objects.filter(name="西熙里商家联盟").first()
    if jiangpu is None or haoyang is None or alliance is None:
        return
    if not Event.objects.filter(title=DINNER, region=jiangpu).exists():
        _dinner(jiangpu, alliance)
    if not Event.objects.filter(title=RUN, region=haoyang).exists():
        _run(haoyang)
    for event, shots in ((Event.objects.filter(title=DINNER, region=jiangpu).first(), DINNER_PHOTOS),
                         (Event.objects.filter(title=RUN, region=haoyang).first(), RUN_PHOTOS)):
        if event is not None and not event.photos.exists():
            for i, (caption, colour) in enumerate(shots):
                thanks.event_photos_add(actor=SYSTEM, event=event, photos=[_picture(caption, colour, i)],
                                        caption=caption)


# Pictures drawn here (the demo ships no photographs): a caption on a coloured card.
DINNER_PHOTOS = [("34 道居民家常菜和 8 道商户菜摆满长桌", (200, 16, 46)),
                 ("15 名快递小哥、外卖骑手受到表扬", (181, 71, 8))]
RUN_PHOTOS = [("乐跑在天府蔬香博览园起跑", (6, 118, 71)), ("医疗保障点守在赛道旁", (53, 56, 205))]


def _picture(caption: str, colour: tuple[int, int, int], index: int) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (960, 640), colour)
    draw = ImageDraw.Draw(image)
    for k in range(6):  # a few soft bands so the picture is not a flat card
        shade = tuple(min(255, c + 18 * (k % 3)) for c in colour)
        draw.rectangle((0, 80 + k * 90, 960, 120 + k * 90), fill=shade)
    path = cjk_font_path()
    font = ImageFont.truetype(path, 44) if path else ImageFont.load_default()
    draw.rectangle((40, 500, 920, 600), fill=(255, 255, 255))
    draw.text((64, 522), caption, fill=colour, font=font)
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=85)
    return SimpleUploadedFile(f"event-{index + 1}.jpg", buf.getvalue(), content_type="image/jpeg")


def _dinner(community: Region, alliance: Organisation) -> None:
    start = _at(2025, 1, 9, 11, 40)
    event = services.event_create(
        actor=SYSTEM, title=DINNER, kind=EventKind.CARE, region=community, audience="workers",
        description="春节临近，社区邀请辖区快递小哥、外卖骑手等新就业群体提前吃“年夜饭”，感受“家”的温度。",
        venue="江浦路社区党群服务中心", address="成都市温江区涌泉街道江浦路社区", starts_at=start,
        ends_at=start + dt.timedelta(hours=2, minutes=20), capacity=60, waitlist=True,
        registration_opens_at=_at(2024, 12, 30, 9), registration_closes_at=_at(2025, 1, 8, 18),
        ask_dietary_notes=True, pledge_goal=42, pledge_goal_unit="道菜")
    event.co_units.set([alliance])
    before = start - dt.timedelta(days=2)
    codes = []
    praised: list[Registration] = []
    rider = User.objects.filter(username="rider").first()  # the demo rider registers on their own phone
    for i, (name, _station) in enumerate(WORKERS):
        if i == 0 and rider is not None:
            r = services.registration_create(actor=rider, event=event, now=before)
        else:
            r = services.registration_create(actor=SYSTEM, event=event, name=name,
                                             phone=f"135{91_000_000 + i:08d}", now=before)
        codes.append(r.code)
        praised.append(r)
    for i in range(12):  # more riders came than were praised
        r = services.registration_create(actor=SYSTEM, event=event, name=f"骑手{i + 1:02d}",
                                         phone=f"135{92_000_000 + i:08d}", now=before)
        if i < 10:
            codes.append(r.code)
    for i, code in enumerate(codes):
        services.checkin(actor=SYSTEM, event=event, code=code, nonce=f"demo-dinner-{i}",
                         now=start - dt.timedelta(minutes=30 - i % 25))
    Registration.objects.filter(event=event).update(created_at=before)
    services.mark_no_shows(actor=SYSTEM, event=event, now=event.ends_at)
    for item, cook in HOME_DISHES:
        pledge = thanks.pledge_create(actor=SYSTEM, event=event, item=item, quantity=1, unit="道",
                                      pledger_kind="resident", pledger_name=cook)
        thanks.pledge_set_status(actor=SYSTEM, pledge=pledge, status=PledgeStatus.DELIVERED)
    for item, shop in MERCHANT_DISHES:
        pledge = thanks.pledge_create(actor=SYSTEM, event=event, item=item, quantity=1, unit="道",
                                      pledger_kind="merchant", pledger_name=shop, organisation=alliance)
        thanks.pledge_set_status(actor=SYSTEM, pledge=pledge, status=PledgeStatus.DELIVERED)
    helpers = _demo_volunteers("jp_vol", ["党员志愿者老陈", "党员志愿者小何", "居民骨干周姐", "居民骨干罗哥",
                                          "社区工作者小吴", "社区工作者小蒋"], 30_000)
    kitchen = volunteers.post_create(actor=SYSTEM, event=event, role="kitchen", title="后厨帮工", place="社区食堂",
                                     headcount=4, starts_at=start - dt.timedelta(hours=3), ends_at=start)
    setup = volunteers.post_create(actor=SYSTEM, event=event, role="setup", title="场地布置与音响",
                                   place="党群服务中心大厅", headcount=2, starts_at=start - dt.timedelta(hours=2),
                                   ends_at=start)
    for post, people in ((kitchen, helpers[:4]), (setup, helpers[4:])):
        for person in people:
            signup = volunteers.signup_create(actor=person, post=post, now=before)
            volunteers.signup_check_in(actor=SYSTEM, signup=signup, now=post.starts_at)
            volunteers.signup_check_out(actor=SYSTEM, signup=signup, now=post.ends_at)
    for registration, (_name, station) in zip(praised, WORKERS, strict=True):
        thanks.recognition_create(actor=SYSTEM, event=event, registration=registration, affiliation=station,
                                  reason="一年来风雨无阻服务辖区居民，积极参与社区治理", gift="暖心大礼包")


def _run(street: Region) -> None:
    start = _at(2025, 1, 10, 9)
    event = services.event_create(
        actor=SYSTEM, title=RUN, kind=EventKind.SPORTS, region=street, audience="public",
        description="全程约 4.5 公里，途中设医疗保障点，安保警力、应急志愿者全程护航。",
        venue="天府蔬香博览园", address="彭州市濠阳街道天府蔬香博览园", starts_at=start,
        gather_at=_at(2025, 1, 10, 8, 30),
        ends_at=start + dt.timedelta(hours=2), capacity=300, max_party_size=3, waitlist=True,
        registration_opens_at=_at(2024, 12, 20, 9), registration_closes_at=_at(2025, 1, 8, 20),
        ask_emergency_contact=True, ask_shirt_size=True)
    before = _at(2025, 1, 5, 10)
    groups = ["南大街社区居民", "北君平社区居民", "天府蔬香社区居民", "企业职工", "机关工作人员", "彭州跑友"]
    codes = []
    for i in range(120):
        r = services.registration_create(
            actor=SYSTEM, event=event, name=f"{groups[i % len(groups)]}{i // len(groups) + 1:02d}",
            phone=f"135{93_000_000 + i:08d}", party_size=1 + (i % 7 == 0), emergency_contact="家属 13900000000",
            shirt_size=["S", "M", "L", "XL"][i % 4], now=before)
        codes.append(r.code)
    for i, code in enumerate(codes[:112]):
        services.checkin(actor=SYSTEM, event=event, code=code, nonce=f"demo-run-{i}",
                         now=_at(2025, 1, 10, 8, 30) + dt.timedelta(seconds=10 * i))
    Registration.objects.filter(event=event).update(created_at=before)
    services.mark_no_shows(actor=SYSTEM, event=event, now=event.ends_at)
    posts = [
        ("guide", "起点检录与引导", "0.00", 4, "起点·博览园南门"),
        ("security", "安保·1 公里路口", "1.00", 3, "蔬香大道路口"),
        ("supply", "补给站", "2.20", 3, "湖畔广场"),
        ("medical", "医疗保障点", "2.50", 2, "湖畔广场东侧"),
        ("security", "安保·3.5 公里路口", "3.50", 3, "濠阳桥"),
        ("guide", "终点引导与补给", "4.50", 4, "终点·博览园北门"),
    ]
    people = _demo_volunteers("hy_vol", [f"应急志愿者{i:02d}" for i in range(1, 20)], 40_000)
    taken = 0
    for role, title, km, headcount, place in posts:
        post = volunteers.post_create(actor=SYSTEM, event=event, role=role, title=title, km=Decimal(km),
                                      headcount=headcount, place=place, starts_at=_at(2025, 1, 10, 8),
                                      ends_at=_at(2025, 1, 10, 11))
        for person in people[taken:taken + headcount]:
            signup = volunteers.signup_create(actor=person, post=post, now=before)
            volunteers.signup_check_in(actor=SYSTEM, signup=signup, now=post.starts_at)
            volunteers.signup_check_out(actor=SYSTEM, signup=signup, now=post.ends_at)
        taken += headcount
