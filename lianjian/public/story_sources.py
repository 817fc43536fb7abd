"""What stories can be about, registered from the reader layer (stories imports none of these apps).

For each kind: how to resolve an id through the writer's scope (title, public page, staff page,
region) and how to draft a story with the object's facts, read from the apps' own selectors, so
a draft about the New-Year dinner says "34 dishes from residents and 8 from merchants, 15
workers praised" because the event's data says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianjian.analytics.selectors import region_figures
from lianjian.events import selectors as events
from lianjian.events import thanks
from lianjian.events.models import PledgerKind
from lianjian.meetings import selectors as meetings
from lianjian.projects import selectors as projects
from lianjian.projects.models import ProjectStatus
from lianjian.projects.selectors import PUBLIC_STATUSES
from lianjian.stories.linking import DraftFacts, LinkTarget, register_link_kind

SH = ZoneInfo("Asia/Shanghai")


def _local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(SH).date()


# ---- projects ------------------------------------------------------------------------------------

def project_target(user: Any, pk: int) -> LinkTarget:
    project = projects.project_get(user=user, pk=pk)
    public = reverse("public:project", args=[project.pk]) if project.status in PUBLIC_STATUSES else ""
    return LinkTarget(title=project.title, url=public, staff_url=project.get_absolute_url(),
                      region=project.community)


def project_draft(user: Any, pk: int) -> DraftFacts:
    project = projects.project_get(user=user, pk=pk)
    detail = projects.project_detail(project=project)
    units = [u.organisation.name for u in detail.units]
    lines = [
        _("## 项目做了什么"),
        project.description or project.title,
        "",
        _("## 参与单位"),
        *[f"- {name}" for name in units],
        "",
        _("## 成效"),
    ]
    if project.people_served:
        lines.append(_("- 服务 %(n)s 人次") % {"n": project.people_served})
    if project.volunteer_hours:
        lines.append(_("- 志愿服务 %(n)s 小时") % {"n": project.volunteer_hours})
    if project.rating_count:
        lines.append(_("- %(n)s 位居民评价，平均 %(avg)s 星") % {"n": project.rating_count,
                                                            "avg": project.average_rating})
    if project.status == ProjectStatus.COMPLETED and project.summary:
        lines += ["", project.summary]
    happened = project.completed_on or project.start_date or dt.date.today()
    return DraftFacts(
        title=project.title,
        subtitle=_("%(community)s与%(n)d家联建单位共同完成") % {"community": project.community.name,
                                                                "n": len(units)}
        if project.status == ProjectStatus.COMPLETED else project.community.name,
        body="\n".join(lines), region=project.community, happened_on=happened)


# ---- events --------------------------------------------------------------------------------------

def event_target(user: Any, pk: int) -> LinkTarget:
    event = events.event_for(user, pk)
    return LinkTarget(title=event.title, url=event.get_absolute_url() if event.is_public else "",
                      staff_url=event.get_absolute_url(), region=event.region)


def event_draft(user: Any, pk: int) -> DraftFacts:
    event = events.event_for(user, pk, change=True)
    figures = events.event_figures(event=event)
    pledges = thanks.pledge_figures(event=event)
    helpers = events.volunteer_figures(event=event)
    praised = event.recognitions.count()
    unit = pledges.goal_unit or _("份")
    day = _local_date(event.starts_at)
    lines = [_("## 活动现场"),
             _("%(date)s，%(region)s在%(venue)s举办“%(title)s”活动。") % {
                 "date": f"{day.month}月{day.day}日", "region": event.region.name,
                 "venue": event.venue or event.region.name, "title": event.title}]
    if event.description:
        lines.append(event.description)
    lines += ["", _("## 一组数字")]
    if figures.checked_in_people:
        lines.append(_("- %(n)d 人签到参加") % {"n": figures.checked_in_people})
    resident = pledges.by_kind.get(PledgerKind.RESIDENT, 0)
    merchant = pledges.by_kind.get(PledgerKind.MERCHANT, 0)
    unit_pledges = pledges.by_kind.get(PledgerKind.UNIT, 0)
    if resident:
        lines.append(_("- 居民带来 %(n)d %(unit)s") % {"n": resident, "unit": unit})
    if merchant:
        lines.append(_("- 爱心商家赞助 %(n)d %(unit)s") % {"n": merchant, "unit": unit})
    if unit_pledges:
        lines.append(_("- 联建单位认捐 %(n)d %(unit)s") % {"n": unit_pledges, "unit": unit})
    if praised:
        lines.append(_("- 表扬 %(n)d 人并送上暖心礼物") % {"n": praised})
    if helpers["volunteers"]:
        lines.append(_("- %(n)d 名志愿者服务 %(h)s 小时") % {"n": helpers["volunteers"],
                                                            "h": helpers["credited_hours"]})
    title = event.title
    if resident and merchant:
        subtitle = _("居民带来 %(a)d %(unit)s，爱心商家赞助 %(b)d %(unit)s") % {"a": resident, "b": merchant,
                                                                           "unit": unit}
    else:
        subtitle = event.region.name
    return DraftFacts(title=title, subtitle=subtitle, body="\n".join(lines), region=event.region, happened_on=day,
                      place=event.venue)


# ---- meetings ------------------------------------------------------------------------------------

def meeting_target(user: Any, pk: int) -> LinkTarget:
    meeting = meetings.meeting_get(user=user, pk=pk)
    return LinkTarget(title=meeting.title, url="", staff_url=meeting.get_absolute_url(), region=meeting.community)


def meeting_draft(user: Any, pk: int) -> DraftFacts:
    meeting = meetings.meeting_get(user=user, pk=pk)
    day = _local_date(meeting.starts_at)
    attending = meetings.attending_unit_count(meeting=meeting)
    proposals = meetings.proposals_of(meeting=meeting)
    claims = meetings.meeting_claims(meeting=meeting)
    lines = [_("%(date)s，%(community)s在%(venue)s召开“%(title)s”，%(n)d 家联建单位的代表参加。") % {
        "date": f"{day.month}月{day.day}日", "community": meeting.community.name, "venue": meeting.venue,
        "title": meeting.title, "n": attending}]
    subtitle = meeting.community.name
    if meeting.review_year:
        fig = region_figures(region=meeting.community, year=meeting.review_year)
        lines += ["", _("## %(year)d 年联建成效") % {"year": meeting.review_year},
                  _("过去一年，%(units)d 家联建单位共完成了 %(projects)d 个联建项目。") % {
                      "units": fig.units_with_completed, "projects": fig.projects_completed}]
        if fig.categories_text:
            lines.append(_("项目涵盖%(c)s等方面。") % {"c": fig.categories_text})
        if fig.people_served:
            lines.append(_("- 服务 %(n)d 人次") % {"n": fig.people_served})
        subtitle = _("%(units)d 家单位完成 %(projects)d 个联建项目") % {
            "units": fig.units_with_completed, "projects": fig.projects_completed}
    if proposals:
        lines += ["", _("## 新一年的项目"), _("会上，联建单位提出了 %(n)d 项新需求和建议：") % {"n": len(proposals)},
                  *[f"- {p.title}" for p in proposals[:10]]]
    if claims:
        lines.append(_("其中 %(n)d 项在会议期间被联建单位认领。") % {"n": len(claims)})
    return DraftFacts(title=meeting.title, subtitle=subtitle, body="\n".join(lines), region=meeting.community,
                      happened_on=day, place=meeting.venue)


def register() -> None:
    register_link_kind("project", label=gettext_lazy("项目"), resolve=project_target, draft=project_draft)
    register_link_kind("event", label=gettext_lazy("活动"), resolve=event_target, draft=event_draft)
    register_link_kind("meeting", label=gettext_lazy("会议"), resolve=meeting_target, draft=meeting_draft)
