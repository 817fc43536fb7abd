"""枫树社区's open 2025 needs and its units' resources, loaded through the services. Idempotent.

非遗文化进校园 is left unclaimed on purpose: the annual meeting's demo claims it on the spot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianjian.accounts.models import User
from lianjian.accounts.permissions import SYSTEM
from lianjian.demo import data
from lianjian.orgs.models import Organisation
from lianjian.regions.models import Region

from . import services
from .models import BeneficiaryGroup, Category, Claim, ClaimStatus, Need, NeedStatus, Resource
from .taxonomy import ensure_taxonomy

YEAR = 2025

# (title, category code, group names, beneficiary count, quantity, unit, place, urgency, source,
#  requester unit, description, published?)
NEEDS: list[tuple[Any, ...]] = [
    ("辖区失业人员再就业", "employment", ["失业人员"], 40, 40, "人", "枫树社区", "high", "staff", None,
     "辖区登记失业居民 40 名，希望联建单位提供就业岗位、技能培训和求职指导，帮助他们尽快再就业。", True),
    ("非遗文化进校园", "culture-education", ["儿童", "青少年"], 1200, 3, "所学校", "辖区中小学、幼儿园", "normal",
     "school", "锦江区成龙路小学",
     "辖区多所学校提出：希望邀请非遗传承人进课堂，开展蜀绣、竹编、川剧变脸等非遗体验课程。", True),
    ("老旧小区电线老化改造", "safety", ["全体居民", "老人"], 600, 6, "栋", "锦城逸景 1–6 栋", "high", "resident",
     None, "老旧小区楼道电线老化、私拉乱接严重，存在火灾隐患，希望排查并改造公共区域线路。", True),
    ("独居老人助餐", "elderly-care", ["老人"], 30, 30, "人", "枫树社区老年食堂", "normal", "staff", None,
     "辖区 30 名独居、高龄老人就餐不便，希望提供每日午餐配送或食堂助餐服务。", True),
    ("新就业群体驿站服务", "new-employment", ["新就业群体"], 150, 1, "个驿站", "成龙大道沿线", "normal", "rider",
     None, "外卖、快递小哥希望在成龙大道沿线有歇脚点：饮水、充电、微波炉、药箱和卫生间。", True),
    ("重点人群传染病筛查", "health", ["老人", "困难家庭"], 200, 200, "人", "社区卫生服务中心", "normal", "staff",
     None, "为辖区老年人和困难家庭开展结核病等重点传染病免费筛查。", True),
    ("公交站台增设遮阳棚", "transport", ["全体居民"], 2000, 2, "个站台", "成龙大道枫树站", "low", "resident", None,
     "枫树站两个站台没有遮阳棚，夏季候车暴晒，希望增设遮阳设施。", False),
]

# (unit name, title, category code, group names, capacity, unit, description)
RESOURCES: list[tuple[Any, ...]] = [
    ("中国电信锦江分公司", "2025 年就业岗位", "employment", ["失业人员"], 20, "个岗位",
     "装维、营业厅客户经理等岗位 20 个，提供岗前培训，优先录用辖区失业居民。"),
    ("锦江区人力资源服务中心", "就业技能培训", "employment", ["失业人员", "新就业群体"], 30, "人/期",
     "每期 30 人的免费技能培训（电工、家政、电商），结业推荐就业。"),
    ("成龙路锦城逸景社区卫生服务中心", "重点人群免费健康筛查", "health", ["老人", "困难家庭"], 200, "人",
     "为老年人和困难家庭提供结核病、慢病等免费筛查，可上门服务行动不便者。"),
    ("国网成都供电公司锦江供电中心", "老旧小区线路安全检查", "safety", ["全体居民"], 6, "栋",
     "党员服务队免费检查楼道公共线路、更换老化电线和开关。"),
    ("国网成都供电公司锦江供电中心", "非遗与安全用电志愿宣讲", "culture-education", ["儿童", "青少年"], 6, "场",
     "青年志愿者联合非遗传承人进校园宣讲，每场 1 课时。"),
    ("枫树社区商家联盟", "爱心午餐", "elderly-care", ["老人"], 20, "份/天", "联盟餐馆每日提供 20 份爱心午餐。"),
    ("美团外卖成龙路站", "骑手驿站共建", "new-employment", ["新就业群体"], 1, "个驿站",
     "提供驿站场地运营支持和骑手志愿者。"),
]

# (need title, unit name, resource title or None, quantity, confirm?)
CLAIMS: list[tuple[Any, ...]] = [
    ("辖区失业人员再就业", "中国电信锦江分公司", "2025 年就业岗位", 20, True),
    ("老旧小区电线老化改造", "国网成都供电公司锦江供电中心", "老旧小区线路安全检查", 6, True),
    ("独居老人助餐", "枫树社区商家联盟", "爱心午餐", 20, True),
    ("重点人群传染病筛查", "成龙路锦城逸景社区卫生服务中心", "重点人群免费健康筛查", 200, False),
]


def _groups(names: list[str]) -> list[BeneficiaryGroup]:
    return list(BeneficiaryGroup.objects.filter(name__in=names))


def load() -> None:
    ensure_taxonomy()
    community = Region.objects.filter(code=data.FENGSHU).first()
    if community is None:
        return
    for (title, code, groups, count, qty, unit, place, urgency, source, org_name, desc, publish) in NEEDS:
        if Need.objects.filter(community=community, title=title, year=YEAR).exists():
            continue
        org = Organisation.objects.filter(name=org_name).first() if org_name else None
        # The demo resident posted the residents' needs, so their 我的需求 tells the whole story.
        resident = User.objects.filter(username="resident").first() if source == "resident" else None
        need = services.need_create(
            actor=resident or SYSTEM, community=community, title=title, category=Category.objects.get(code=code),
            description=desc, beneficiary_groups=_groups(groups), requester_org=org, beneficiary_count=count,
            quantity_needed=qty, quantity_unit=unit, place=place, urgency=urgency, source=source, year=YEAR,
            wanted_by=dt.date(YEAR, 12, 31))
        if publish:
            services.need_publish(actor=SYSTEM, need=need)
    for (org_name, title, code, groups, capacity, unit, desc) in RESOURCES:
        org = Organisation.objects.filter(name=org_name).first()
        if org is None or Resource.objects.filter(organisation=org, title=title).exists():
            continue
        services.resource_create(actor=SYSTEM, organisation=org, title=title, category=Category.objects.get(code=code),
                                 capacity=capacity, capacity_unit=unit, description=desc,
                                 beneficiary_groups=_groups(groups), valid_from=dt.date(YEAR, 1, 1),
                                 contact_name=org.contact_name, contact_phone=org.contact_phone)
    for (need_title, org_name, resource_title, qty, confirm) in CLAIMS:
        claimed = Need.objects.filter(community=community, title=need_title, year=YEAR).first()
        org = Organisation.objects.filter(name=org_name).first()
        if claimed is None or org is None or claimed.status != NeedStatus.PUBLISHED:
            continue
        if Claim.objects.filter(need=claimed, organisation=org, status__in=[ClaimStatus.PENDING,
                                                                             ClaimStatus.CONFIRMED]).exists():
            continue
        resource = Resource.objects.filter(organisation=org, title=resource_title).first() if resource_title else None
        claim = services.claim_create(actor=SYSTEM, need=claimed, organisation=org, resource=resource, quantity=qty,
                                      channel="web")
        if confirm:
            services.claim_confirm(actor=SYSTEM, claim=claim)
