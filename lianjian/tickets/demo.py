"""Street reports in 江浦路社区 in every state, by the demo rider and residents, through the services:
new, dispatched, overdue and escalated, resolved, confirmed, reopened, merged, rejected, and one
turned into a need. Idempotent: a report whose description exists is left alone."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lianjian.accounts.models import Role, RoleAssignment, User
from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import role_grant, user_create
from lianjian.demo import data
from lianjian.orgs.models import Organisation
from lianjian.regions.models import Region

from . import lists_bridge, services
from .categories import ensure_categories
from .models import Category, Report

LAT, LNG = 30.6830, 103.8560  # 江浦路社区, 温江区涌泉街道
RESIDENTS = [("jp_resident_01", "王阿姨", "13800001201"), ("jp_resident_02", "陈叔叔", "13800001202")]

# (key, reporter, category, description, address, metres east/north of the centre, final state)
REPORTS: list[tuple[str, str, str, str, str, tuple[int, int], str]] = [
    ("new", "rider", "safety", "江浦路 88 号楼道里有电动车在充电，电线拖在地上。", "江浦路 88 号 2 单元楼道",
     (0, 0), "new"),
    ("dup", "jp_resident_01", "safety", "88 号楼道电动车充电，很危险。", "江浦路 88 号", (20, 10), "merged"),
    ("dispatched", "jp_resident_02", "facility", "小区北门路灯不亮，晚上很黑。", "江浦路社区北门", (150, 200),
     "dispatched"),
    ("overdue", "rider", "safety", "西熙里路口井盖松动，电瓶车经过会翘起来。", "西熙里路口", (-300, 80),
     "overdue"),
    ("resolved", "jp_resident_01", "sanitation", "菜市场后面垃圾桶满了两天没人清运。", "江浦路菜市场后门",
     (260, -120), "resolved"),
    ("confirmed", "rider", "traffic", "消防通道被共享单车堵住了。", "江浦路 66 号消防通道", (-80, -200),
     "confirmed"),
    ("reopened", "jp_resident_02", "facility", "健身器材扶手断了。", "社区广场健身区", (60, -40), "reopened"),
    ("rejected", "jp_resident_01", "other", "隔壁装修太吵。", "江浦路 90 号", (90, 30), "rejected"),
    ("need", "rider", "facility", "驿站门口台阶太高，轮椅和推车上不去，需要加一个坡道。", "小哥驿站门口",
     (10, -10), "need"),
]
ANSWERS = {"safety": {"danger_now": "yes"}, "facility": {"facility_type": "other"}}


def _photo(index: int) -> SimpleUploadedFile:
    """A small generated picture (no downloaded files): a street-like scene in flat colours."""
    from PIL import Image, ImageDraw

    colours = [(200, 16, 46), (6, 118, 71), (53, 56, 205), (181, 71, 8), (102, 112, 133)]
    image = Image.new("RGB", (480, 320), (220, 224, 228))
    draw = ImageDraw.Draw(image)
    colour = colours[index % len(colours)]
    draw.rectangle((0, 220, 480, 320), fill=(90, 90, 96))
    draw.rectangle((40 + index * 17 % 200, 120, 160 + index * 17 % 200, 220), fill=colour)
    draw.ellipse((300, 230, 380, 270), outline=(250, 200, 0), width=6)
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=80)
    return SimpleUploadedFile(f"suishoupai-{index + 1:02d}.jpg", buf.getvalue(), content_type="image/jpeg")


def _user(username: str, real_name: str, phone: str, community: Region) -> User:
    user = User.objects.filter(username=username).first() or user_create(
        actor=SYSTEM, username=username, password=data.DEMO_PASSWORD, real_name=real_name, phone=phone)
    if not RoleAssignment.objects.filter(user=user, role=Role.RESIDENT).exists():
        role_grant(actor=SYSTEM, user=user, role=Role.RESIDENT, region=community)
    return user


def _offset(metres: tuple[int, int]) -> tuple[float, float]:
    east, north = metres
    return round(LAT + north / 111_320, 6), round(LNG + east / 96_000, 6)


def _advance(report: Report, state: str, *, staff: Any, liaison: Any, unit: Organisation, reporter: User,
             first: Report | None, index: int) -> None:
    if state == "new":
        return
    if state == "merged" and first is not None:
        services.merge(actor=staff, report=report, into=first)
        return
    if state == "rejected":
        services.reject(actor=staff, report=report, reason="属于邻里纠纷，已转人民调解员上门协调。")
        return
    services.accept(actor=staff, report=report)
    if state == "need":
        category = next(iter(lists_bridge.need_categories()), None)
        services.to_need(actor=staff, report=report, title="小哥驿站门口加装无障碍坡道", category=category)
        return
    services.dispatch(actor=staff, report=report, unit=unit)
    if state == "dispatched":
        return
    if state == "overdue":
        Report.objects.filter(pk=report.pk).update(deadline=timezone.now() - dt.timedelta(hours=6),
                                                   dispatched_at=timezone.now() - dt.timedelta(hours=30))
        services.escalate_overdue(actor=SYSTEM)
        return
    services.acknowledge(actor=liaison, report=report)
    services.resolve(actor=liaison, report=report, note="已安排人员处理完毕，附处置后照片。",
                     photos=[_photo(index + 10)])
    if state == "confirmed":
        services.confirm(actor=reporter, report=report)
    elif state == "reopened":
        services.reopen(actor=reporter, report=report, reason="扶手只是用胶带缠了一下，还是会晃。",
                        photos=[_photo(index + 20)])


def load() -> None:
    ensure_categories()
    community = Region.objects.filter(code=data.JIANGPULU).first()
    staff = User.objects.filter(username="jiangpu_staff").first()
    unit = Organisation.objects.filter(name="银海湾顺丰快递站点").first()
    if community is None or staff is None or unit is None:
        return
    liaison = User.objects.filter(roles__role=Role.LIAISON, roles__organisation=unit).first() or staff
    people = {username: _user(username, name, phone, community) for username, name, phone in RESIDENTS}
    rider = User.objects.filter(username="rider").first()
    if rider is not None:
        people["rider"] = rider
    first: Report | None = None
    for index, (key, who, code, description, address, metres, state) in enumerate(REPORTS):
        existing = Report.objects.filter(community=community, description=description).first()
        if key == "new":
            first = existing
        if existing is not None or who not in people:
            continue
        lat, lng = _offset(metres)
        report = services.report_create(
            actor=people[who], community=community, category=Category.objects.get(code=code),
            description=description, photos=[_photo(index)], lat=lat, lng=lng, address=address,
            occurred_at=timezone.now() - dt.timedelta(hours=2 + index), attributes=ANSWERS.get(code))
        if key == "new":
            first = report
            if "jp_resident_02" in people:
                services.support_add(actor=people["jp_resident_02"], report=report)
        _advance(report, state, staff=staff, liaison=liaison, unit=unit, reporter=people[who], first=first,
                 index=index)
