"""Demo: 枫树社区's 2024 summary meeting (seed story 1), re-told through the meeting services.

Runs after the lists and projects demos (app order). Everything the seed says happened in the
room happens here through the same services a person would use, with the platform (SYSTEM) as
the actor: 20 joint units invited and signed in; 中国电信锦江分公司 raises its hiring need, which is
matched to the community's re-employment need; schools ask for intangible-heritage classes, which
State Grid and 成都市现代职业技术学校 claim during the meeting. Idempotent: each step checks first.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from lianjian.accounts.permissions import SYSTEM
from lianjian.demo import data
from lianjian.lists.models import LIVE_CLAIM_STATUSES, Category, ClaimStatus, Need, NeedStatus, Resource
from lianjian.orgs.models import Organisation
from lianjian.regions.models import Region

from . import lists_bridge, services
from .models import Meeting, MeetingClaim, MeetingKind, MeetingStatus, Proposal

VENUE = "“山上·文明里”新时代文明实践公园"
TITLE = "枫树社区2024年区域化党建联建工作总结会"
STARTS_AT = dt.datetime(2025, 1, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
TELECOM = "中国电信锦江分公司"
STATE_GRID = "国网成都供电公司锦江供电中心"
VOCATIONAL = "成都市现代职业技术学校"
SCHOOL = "锦江区成龙路小学"
REEMPLOYMENT = "辖区失业人员再就业"
HERITAGE = "非遗文化进校园"


def _category(code: str, fallback_name: str) -> Category | None:
    return (
        Category.objects.filter(code=code).first()
        or Category.objects.filter(name=fallback_name).first()
        or Category.objects.order_by("sort_order").first()
    )


def _find_need(community: Region, title: str, keyword: str) -> Need | None:
    qs = Need.objects.filter(community=community).order_by("created_at")
    return qs.filter(title=title).first() or qs.filter(title__contains=keyword).first()


def _ensure_need(
    community: Region,
    *,
    title: str,
    keyword: str,
    category: Category | None,
    quantity: int,
    unit: str,
    description: str,
    requester_org: Organisation | None = None,
) -> Need:
    """The lists demo normally creates these needs; create them only if it did not."""
    need = _find_need(community, title, keyword)
    if need is None:
        need = lists_bridge.need_create_published(
            actor=SYSTEM,
            community=community,
            title=title,
            description=description,
            category=category,
            year=2025,
            requester_org=requester_org,
            quantity_needed=quantity,
            quantity_unit=unit,
            source="meeting",
        )
    elif need.status in (NeedStatus.SUBMITTED, NeedStatus.RETURNED):
        lists_bridge.need_publish(actor=SYSTEM, need=need)
        need.refresh_from_db()
    return need


def load() -> None:
    community = Region.objects.filter(code=data.FENGSHU).first()
    if community is None:
        return
    units = {o.name: o for o in Organisation.objects.filter(name__in=[u[0] for u in data.FENGSHU_UNITS])}
    if len(units) < len(data.FENGSHU_UNITS):
        return  # the units step has not run
    meeting = Meeting.objects.filter(community=community, kind=MeetingKind.SUMMARY, review_year=2024).first()
    if meeting is None:
        meeting = services.meeting_create(
            actor=SYSTEM,
            community=community,
            kind=MeetingKind.SUMMARY,
            title=TITLE,
            starts_at=STARTS_AT,
            ends_at=STARTS_AT + dt.timedelta(hours=2, minutes=30),
            venue=VENUE,
            review_year=2024,
            agenda="1. 参观“山上·文明里”新时代文明实践公园阵地\n2. 社区党委通报2024年联建项目完成情况\n"
            "3. 各联建单位交流2025年联建项目\n4. 需求现场认领",
            invited_units=[units[name] for name, *_rest in data.FENGSHU_UNITS],
        )
    if meeting.status == MeetingStatus.CLOSED:
        return
    for name, *_rest in data.FENGSHU_UNITS:
        services.attendance_record(actor=SYSTEM, meeting=meeting, organisation=units[name])
    if meeting.status == MeetingStatus.PLANNED:
        meeting = services.meeting_set_status(actor=SYSTEM, meeting=meeting, status=MeetingStatus.OPEN)

    # 中国电信 raises its hiring need; it meets the community's re-employment plan.
    employment = _category("employment", "就业创业")
    reemployment = _ensure_need(
        community,
        title=REEMPLOYMENT,
        keyword="再就业",
        category=employment,
        quantity=40,
        unit="人",
        description="辖区40名失业人员希望得到岗位推荐和技能培训，实现再就业。",
    )
    hiring = Proposal.objects.filter(
        meeting=meeting, title="企业岗位招聘"
    ).first() or services.proposal_create(
        actor=SYSTEM,
        meeting=meeting,
        title="企业岗位招聘",
        category=employment,
        raised_by_org=units[TELECOM],
        description="中国电信锦江分公司有一批客服、装维岗位招聘需求，希望优先吸纳辖区居民。",
    )
    if hiring.need_id is None:
        services.proposal_link_need(
            actor=SYSTEM,
            proposal=hiring,
            need=reemployment,
            decision="与社区辖区失业人员再就业工作对接，岗位优先推荐辖区失业人员。",
        )

    # Schools ask for intangible-heritage classes; claimed in the room by State Grid and others.
    culture = _category("culture-education", "文化教育")
    heritage_proposal = Proposal.objects.filter(
        meeting=meeting, title=HERITAGE
    ).first() or services.proposal_create(
        actor=SYSTEM,
        meeting=meeting,
        title=HERITAGE,
        category=culture,
        raised_by_org=units[SCHOOL],
        raised_by_name="辖区多家学校（成龙路小学、东湖中学等）",
        description="希望有联建单位提供非物质文化遗产进校园的宣讲体验活动。",
    )
    if heritage_proposal.need_id is None:
        existing = _find_need(community, HERITAGE, "非遗")
        if existing is not None and not Proposal.objects.filter(need=existing).exists():
            if existing.status in (NeedStatus.SUBMITTED, NeedStatus.RETURNED):
                lists_bridge.need_publish(actor=SYSTEM, need=existing)
            services.proposal_link_need(
                actor=SYSTEM,
                proposal=heritage_proposal,
                need=existing,
                decision="由联建单位现场认领，2025年春季学期开展。",
            )
        else:
            services.proposal_convert(
                actor=SYSTEM,
                proposal=heritage_proposal,
                category=culture,
                quantity_needed=4,
                quantity_unit="场",
                year=2025,
            )
        heritage_proposal.refresh_from_db()
    heritage = heritage_proposal.need
    if heritage is None:
        return
    services.board_add_need(actor=SYSTEM, meeting=meeting, need=heritage)
    if reemployment.status == NeedStatus.PUBLISHED:
        services.board_add_need(actor=SYSTEM, meeting=meeting, need=reemployment)

    for name in (STATE_GRID, VOCATIONAL):
        org = units[name]
        if not heritage.claims.filter(
            organisation=org, status__in=LIVE_CLAIM_STATUSES
        ).exists():
            # A unit that offers a matching resource (State Grid's heritage talks) commits it.
            resource = Resource.objects.filter(
                organisation=org, category=heritage.category, status="active", remaining__gte=1
            ).first()
            services.meeting_claim_create(
                actor=SYSTEM,
                meeting=meeting,
                need=heritage,
                organisation=org,
                quantity=1,
                resource=resource,
                note="会上认领",
            )
    for mc in MeetingClaim.objects.filter(meeting=meeting, claim__status=ClaimStatus.PENDING).select_related(
        "claim"
    ):
        services.meeting_claim_confirm(actor=SYSTEM, meeting=meeting, claim=mc.claim)

    services.meeting_record_minutes(
        actor=SYSTEM,
        meeting=meeting,
        minutes="社区党委通报了2024年区域化党建联建项目完成情况；各联建单位围绕2025年联建项目讲目标、谈感想，"
        "讲共建点、谈落实点，并就加强区域化党建工作、推动基层治理发展提出意见建议。",
        decisions="1. 中国电信锦江分公司岗位招聘与辖区失业人员再就业工作对接。\n"
        "2. 非遗文化进校园由国网成都供电公司锦江供电中心牵头、成都市现代职业技术学校等单位协办。\n"
        "3. 社区继续跟进与各单位的联建项目，打造区域化党建服务链。",
    )
    services.meeting_set_status(actor=SYSTEM, meeting=meeting, status=MeetingStatus.CLOSED)
