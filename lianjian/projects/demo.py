"""枫树社区's 2024 joint projects, re-told through the services. Idempotent.

The seed says: "12 units completed 37 joint projects in 2024" over civilisation practice,
elderly care, bus-network optimisation, infectious-disease screening for key groups and care
for special groups. Those figures are *not* typed here: they come out of the rows below (one
row per project, each naming its lead unit and optional partner) and are counted by the
product like any other year. Each project starts as a 2024 need that is published, claimed
and confirmed (the confirmation makes the project), then gets progress, completion with a
photo and a few residents' ratings.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from lianjian.accounts.permissions import SYSTEM
from lianjian.demo import data
from lianjian.lists import services as lists
from lianjian.lists.models import Category, Claim, ClaimStatus, Need, NeedStatus
from lianjian.lists.taxonomy import ensure_taxonomy
from lianjian.orgs.models import Organisation
from lianjian.projects.models import ProjectUnit
from lianjian.regions.models import Region

from . import services
from .models import Project, ProjectStatus

YEAR = 2024

# Units by short key; the names are the joint units in lianjian/demo/data.py.
UNITS = {
    "clinic": "成龙路锦城逸景社区卫生服务中心",
    "dongxing": "东星公司",
    "vocational": "成都市现代职业技术学校",
    "bus": "成都公交集团锦江分公司",
    "cdc": "锦江区疾病预防控制中心",
    "park": "“山上·文明里”新时代文明实践公园",
    "social": "锦江区心连心社会工作服务中心",
    "police": "成龙路派出所",
    "bank": "成都银行成龙路支行",
    "post": "中国邮政锦江分公司成龙路营业所",
    "property": "锦城逸景物业服务中心",
    "donghu": "锦江区东湖中学",
}

# The seed's themes and the managed categories they belong to.
THEMES = {
    "文明实践进社区": "civilisation-practice",
    "助老敬老": "elderly-care",
    "公交线网优化": "transport",
    "重点人群传染病筛查": "health",
    "特殊人群关爱帮扶": "special-groups",
}

# (theme, lead unit key, partner unit key or "", project title, what was done)
PROJECTS: list[tuple[str, str, str, str, str]] = [
    ("文明实践进社区", "park", "", "“山上·文明里”周末文明实践课堂", "每周末在文明实践公园开设书法、国学、手工课堂。"),
    ("文明实践进社区", "park", "donghu", "红色故事宣讲进公园", "东湖中学学生志愿者讲述红色故事，居民现场聆听。"),
    ("文明实践进社区", "dongxing", "", "文明养犬劝导行动", "东星公司党员志愿者在小区出入口劝导文明养犬。"),
    ("文明实践进社区", "vocational", "", "垃圾分类志愿督导", "职业学校学生在投放点开展垃圾分类督导。"),
    ("文明实践进社区", "donghu", "", "青少年社区志愿服务月", "东湖中学学生走进社区清扫楼道、整理书屋。"),
    ("文明实践进社区", "police", "", "反诈宣传进小区", "民警进小区讲解常见诈骗手法，指导安装反诈 App。"),
    ("文明实践进社区", "park", "", "文明实践公园读书会", "每月一次亲子读书会，共读经典。"),
    ("文明实践进社区", "dongxing", "park", "邻里节文艺汇演", "东星公司与文明实践公园联合举办邻里节汇演。"),
    ("助老敬老", "clinic", "", "高龄老人家庭医生签约服务", "为 80 岁以上老人签约家庭医生，定期随访。"),
    ("助老敬老", "vocational", "", "老年人智能手机课堂", "职业学校学生一对一教老人使用手机挂号、支付。"),
    ("助老敬老", "social", "", "独居老人每周探访", "社工每周上门探访独居老人，记录身体和生活情况。"),
    ("助老敬老", "bank", "", "老年人防范金融诈骗讲座", "银行工作人员讲解养老诈骗常见套路。"),
    ("助老敬老", "post", "", "邮政助老代缴代办", "营业所为行动不便老人上门代缴水电气费。"),
    ("助老敬老", "property", "social", "老旧楼栋加装扶手", "物业与社工中心为老旧楼栋楼道加装扶手。"),
    ("助老敬老", "clinic", "", "重阳节老年人免费体检", "重阳节为辖区老人免费体检。"),
    ("助老敬老", "dongxing", "", "敬老院慰问", "东星公司党员走访慰问敬老院老人，送去生活用品。"),
    ("助老敬老", "bank", "post", "适老化服务网点改造", "银行、邮政网点增设爱心座椅、老花镜和大字版指南。"),
    ("公交线网优化", "bus", "", "枫树社区公交线路调研", "公交公司党员走访居民，收集出行线路需求。"),
    ("公交线网优化", "bus", "property", "社区微循环公交开通", "开通连接小区与地铁站的微循环公交。"),
    ("公交线网优化", "bus", "", "早晚高峰加密班次", "早晚高峰对途经社区的线路加密班次。"),
    ("公交线网优化", "police", "bus", "公交站周边交通秩序整治", "民警与公交公司整治站台周边乱停车。"),
    ("公交线网优化", "bus", "", "老年人乘车服务指引", "在站台设置大字版线路图，党员志愿者引导老人乘车。"),
    ("公交线网优化", "property", "", "小区出入口公交接驳点", "物业在小区出入口设置接驳候车点。"),
    ("公交线网优化", "bus", "", "无障碍公交站台改造", "对两个站台进行无障碍坡道改造。"),
    (
        "重点人群传染病筛查",
        "cdc",
        "clinic",
        "重点人群结核病筛查",
        "疾控中心与社区卫生服务中心为重点人群免费筛查结核病。",
    ),
    ("重点人群传染病筛查", "clinic", "", "老年人流感疫苗接种", "为 60 岁以上老人接种流感疫苗。"),
    ("重点人群传染病筛查", "cdc", "", "艾滋病防治宣传周", "开展艾滋病防治知识宣传与自愿咨询检测。"),
    ("重点人群传染病筛查", "clinic", "", "新就业群体健康筛查", "为快递、外卖骑手开展免费健康筛查。"),
    ("重点人群传染病筛查", "cdc", "", "校园传染病防控培训", "为辖区学校校医和老师开展传染病防控培训。"),
    ("重点人群传染病筛查", "clinic", "cdc", "慢病患者传染病风险随访", "对慢病患者开展传染病风险随访。"),
    ("特殊人群关爱帮扶", "social", "", "残疾人居家康复指导", "社工联合康复师上门开展康复指导。"),
    ("特殊人群关爱帮扶", "dongxing", "", "困难家庭爱心助学", "东星公司资助困难家庭学生学习用品。"),
    ("特殊人群关爱帮扶", "social", "", "留守儿童暑期托管", "暑期为留守儿童提供托管、课业辅导。"),
    ("特殊人群关爱帮扶", "vocational", "", "残疾青年技能培训", "职业学校为残疾青年开设电商、手工技能培训。"),
    ("特殊人群关爱帮扶", "police", "", "社区矫正人员帮教", "民警与社区开展帮教谈心，帮助融入社会。"),
    ("特殊人群关爱帮扶", "social", "dongxing", "困境儿童心理关爱", "心理咨询师为困境儿童开展团体辅导。"),
    ("特殊人群关爱帮扶", "post", "", "特殊群体节日慰问", "春节、中秋为低保、残疾家庭送去慰问品。"),
]

COMMENTS = ["服务很贴心，点赞！", "希望以后多办这样的活动。", "工作人员很耐心。", "解决了我们的实际困难。", ""]


def _photo(index: int) -> SimpleUploadedFile:
    """A small generated evidence picture (no downloaded files): a coloured banner with stripes."""
    from PIL import Image, ImageDraw

    colours = [(200, 16, 46), (6, 118, 71), (53, 56, 205), (181, 71, 8), (102, 112, 133)]
    image = Image.new("RGB", (320, 200), (246, 247, 249))
    draw = ImageDraw.Draw(image)
    colour = colours[index % len(colours)]
    draw.rectangle((0, 0, 320, 48), fill=colour)
    for row in range(4):
        draw.rectangle((20, 70 + row * 30, 300 - (index * 13 + row * 40) % 160, 84 + row * 30), fill=colour)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return SimpleUploadedFile(f"project-{index + 1:02d}.png", buf.getvalue(), content_type="image/png")


def _need(community: Region, index: int, theme: str, title: str, text: str, two_units: bool) -> Need:
    need = Need.objects.filter(community=community, title=title, year=YEAR).first()
    if need is None:
        need = lists.need_create(
            actor=SYSTEM,
            community=community,
            title=title,
            category=Category.objects.get(code=THEMES[theme]),
            description=text,
            year=YEAR,
            source="staff",
            quantity_needed=2 if two_units else 1,
            quantity_unit="项",
            wanted_by=dt.date(YEAR, 12, 31),
        )
    if need.status == NeedStatus.SUBMITTED:
        need = lists.need_publish(actor=SYSTEM, need=need)
    return need


def _claim(need: Need, org: Organisation, role: str) -> None:
    if Claim.objects.filter(need=need, organisation=org, status=ClaimStatus.CONFIRMED).exists():
        return
    claim = Claim.objects.filter(need=need, organisation=org, status=ClaimStatus.PENDING).first()
    if claim is None:
        claim = lists.claim_create(actor=SYSTEM, need=need, organisation=org, role=role, channel="web")
    # Confirming the claim makes (or joins) the need's project.
    lists.claim_confirm(actor=SYSTEM, claim=claim)


def _carry_out(project: Project, index: int, theme: str, text: str) -> None:
    month = index % 12 + 1
    start = dt.date(YEAR, month, 1)
    people = 20 + (index * 37) % 180
    hours = 8 + (index * 5) % 40
    if project.status == ProjectStatus.PLANNED:
        services.project_update(
            actor=SYSTEM,
            project=project,
            plan=text,
            start_date=start,
            end_date=dt.date(YEAR, month, 25),
            material_value=500 + index * 150,
        )
        milestone = services.milestone_add(
            actor=SYSTEM, project=project, title="方案确定", due_date=dt.date(YEAR, month, 5)
        )
        services.milestone_done(actor=SYSTEM, milestone=milestone, done_on=dt.date(YEAR, month, 4))
        services.project_start(actor=SYSTEM, project=project, start_date=start)
    project.refresh_from_db()
    if not project.updates.exists():
        services.progress_add(
            actor=SYSTEM,
            project=project,
            text=f"启动：{text}",
            happened_on=dt.date(YEAR, month, 6),
            people_served=people // 2,
            volunteer_hours=hours // 2,
        )
        services.progress_add(
            actor=SYSTEM,
            project=project,
            text="持续开展，居民反响良好。",
            happened_on=dt.date(YEAR, month, 13),
            people_served=people - people // 2,
            volunteer_hours=hours - hours // 2,
        )
    project.refresh_from_db()
    if project.status != ProjectStatus.COMPLETED:
        services.project_complete(
            actor=SYSTEM,
            project=project,
            completed_on=dt.date(YEAR, month, 18 + index % 10),
            summary=f"{project.title}顺利完成，累计服务 {project.people_served} 人次。",
            photos=[_photo(index)],
        )
    project.refresh_from_db()
    if not project.rating_count:
        for n in range(2 + index % 3):
            services.rating_add(
                project=project,
                stars=5 - (index + n) % 4 // 3,
                comment=COMMENTS[(index + n) % 5],
                device_hash=f"demo-{project.pk}-{n}",
            )


def load() -> None:
    ensure_taxonomy()
    community = Region.objects.filter(code=data.FENGSHU).first()
    if community is None:
        return
    known = {name for name, *_rest in data.FENGSHU_UNITS}
    orgs = {key: Organisation.objects.get(name=name) for key, name in UNITS.items() if name in known}
    for index, (theme, lead, partner, title, text) in enumerate(PROJECTS):
        done = Project.objects.filter(
            community=community, year=YEAR, title=title, status=ProjectStatus.COMPLETED
        ).exists()
        if done:
            continue
        need = _need(community, index, theme, title, text, two_units=bool(partner))
        _claim(need, orgs[lead], "lead")
        if partner:
            _claim(need, orgs[partner], "partner")
        project = Project.objects.get(need=need)
        _carry_out(project, index, theme, text)


def figures() -> dict[str, Any]:
    """What the demo tells, counted from the rows (used by tests and the summary meeting)."""

    community = Region.objects.get(code=data.FENGSHU)
    done = Project.objects.filter(community=community, year=YEAR, status=ProjectStatus.COMPLETED)
    units = set(done.values_list("lead_org_id", flat=True)) | set(
        ProjectUnit.objects.filter(project__in=done).values_list("organisation_id", flat=True)
    )
    return {"projects": done.count(), "units": len(units)}
