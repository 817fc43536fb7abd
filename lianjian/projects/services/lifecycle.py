"""A project's life: creation (directly or from confirmed claims), plan changes, start,
completion and cancellation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.core.text import check_text
from lianjian.lists.models import Claim, ClaimRole, ClaimStatus, Need
from lianjian.orgs.models import Organisation

from ..models import ProgressPhoto, Project, ProjectStatus, ProjectUnit
from ..rules import runs
from ._common import (
    UPDATE_FIELDS,
    _check_liaison_partner,
    _check_photos,
    _count,
    _decimal,
    _lock,
    _notify,
    _require_manage,
    _require_open,
    project_lead_liaison,
    project_staff,
)
from .completed_units import _count_completed_units
from .progress import progress_add


# ---- creation ---------------------------------------------------------------------------------
@transaction.atomic
def project_create(
    *,
    actor: Actor,
    community: Any,
    year: int,
    title: str,
    category: Any,
    lead_org: Organisation,
    description: str = "",
    plan: str = "",
    budget: Any = 0,
    material_value: Any = 0,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    partners: Iterable[Organisation] = (),
    need: Need | None = None,
) -> Project:
    """Start a project that did not come from a claimed need.

    Community staff (or admins above them) may start one for any joint unit of the community;
    a liaison may start one led by their own unit.
    """
    scope = get_scope(actor)
    if not (scope.covers_region(community) or lead_org.pk in scope.org_ids):
        raise PermissionDenied
    if not getattr(community, "is_community", False):
        raise ValidationError({"community": _("项目只能属于社区（村）。")})
    _check_liaison_partner(lead_org, community)
    project = Project(
        community=community,
        year=year,
        title=(title or "").strip(),
        description=description or "",
        category=category,
        lead_org=lead_org,
        plan=plan or "",
        budget=_decimal(budget, "budget"),
        material_value=_decimal(material_value, "material_value"),
        start_date=start_date,
        end_date=end_date,
        need=need,
        created_by=person_of(actor),
    )
    _validate_dates(project)
    project.full_clean()
    project.save()
    ProjectUnit.objects.create(project=project, organisation=lead_org, role=ClaimRole.LEAD)
    record_activity(
        actor=actor,
        action="create",
        obj=project,
        changes=snapshot(project, ["title", "year", "community", "category", "lead_org", "need"]),
    )
    for partner in partners:
        if partner.pk != lead_org.pk:
            project_add_unit(actor=actor, project=project, organisation=partner)
    return project


def _validate_dates(project: Project) -> None:
    if project.start_date and project.end_date and project.end_date < project.start_date:
        raise ValidationError({"end_date": _("计划结束日期不能早于开始日期。")})


@transaction.atomic
def project_add_unit(
    *,
    actor: Actor,
    project: Project,
    organisation: Organisation,
    role: str = ClaimRole.PARTNER,
    claim: Claim | None = None,
) -> ProjectUnit:
    """Add a unit to a project (a partner unless said otherwise); adding it twice changes nothing."""
    if not get_scope(actor).covers_region(project.community) and claim is None:
        _require_manage(actor, project)
    # Lock the project: a completion running at the same time either sees this unit or is seen
    # by it, so the unit is counted in the completed-units summary exactly once.
    status, community_id, year = (
        Project.objects.select_for_update().filter(pk=project.pk).values_list("status", "community_id", "year").get()
    )
    existing = ProjectUnit.objects.filter(project=project, organisation=organisation).first()
    if existing is None and claim is None:
        # Units that claimed the need were checked when they claimed; any other unit must be an
        # active joint unit of the project's community.
        _check_liaison_partner(organisation, project.community, "partners")
    if existing is not None:
        if claim is not None and existing.claim_id is None:
            existing.claim = claim
            existing.save(update_fields=["claim"])
        return existing
    unit = ProjectUnit(project=project, organisation=organisation, role=role, claim=claim)
    unit.full_clean(exclude=["project", "organisation", "claim"])
    unit.save()
    if status == ProjectStatus.COMPLETED:
        _count_completed_units(community_id=community_id, year=year, org_ids=[organisation.pk])
    project.__dict__.pop("_participant_org_ids", None)
    record_activity(
        actor=actor,
        action="add_unit",
        obj=project,
        changes={"units": [None, f"{organisation.name}（{unit.get_role_display()}）"]},
    )
    return unit


@transaction.atomic
def project_create_from_claims(*, actor: Actor, need: Need, claims: Iterable[Claim] | None = None) -> Project:
    """Turn a need's confirmed claims into its project (项目), or add them to the existing one.

    Year, community, category and title come from the need. The lead is the claim with the
    lead role (else the first confirmed claim); other confirmed claims join as partners. Once a
    need has a project, later confirmed claims join it as partners. Only staff over the need's
    community (or the platform) do this; the need row is locked so two confirmations at once
    still make one project.
    """
    if not get_scope(actor).covers_region(need.community):
        raise PermissionDenied
    need = Need.objects.select_for_update().select_related("community", "category").get(pk=need.pk)
    qs = need.claims.filter(status=ClaimStatus.CONFIRMED).select_related("organisation").order_by("created_at", "id")
    if claims is not None:
        qs = qs.filter(pk__in=[c.pk for c in claims])
    confirmed = list(qs)
    if not confirmed:
        raise ValidationError({"claims": _("该需求还没有已确认的认领，不能生成项目。")})
    project = (
        Project.objects.filter(need=need).exclude(status=ProjectStatus.CANCELLED).order_by("created_at", "id").first()
    )
    if project is None:
        lead = next((c for c in confirmed if c.role == ClaimRole.LEAD), confirmed[0])
        project = project_create(
            actor=actor,
            community=need.community,
            year=need.year,
            title=need.title[:120],
            category=need.category,
            lead_org=lead.organisation,
            description=need.description,
            need=need,
            end_date=need.wanted_by,
        )
        ProjectUnit.objects.filter(project=project, organisation=lead.organisation).update(claim=lead)
        rest = [c for c in confirmed if c.pk != lead.pk]
    else:
        rest = confirmed
    for claim in rest:
        project_add_unit(actor=actor, project=project, organisation=claim.organisation, claim=claim)
    return project


@transaction.atomic
def project_update(*, actor: Actor, project: Project, **data: Any) -> Project:
    """Change a project's plan, budget, material value, dates or wording (staff or the lead unit)."""
    unknown = set(data) - set(UPDATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    _require_manage(actor, project)
    project = _lock(project)
    if project.status == ProjectStatus.CANCELLED:
        _require_open(project)
    for field in ("budget", "material_value"):
        if field in data:
            data[field] = _decimal(data[field], field)
    if "title" in data:
        data["title"] = (data["title"] or "").strip()
    changes = apply_changes(project, data)
    if not changes:
        return project
    _validate_dates(project)
    project.full_clean()
    project.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="update", obj=project, changes=changes)
    return project


@transaction.atomic
def project_start(*, actor: Actor, project: Project, start_date: dt.date | None = None) -> Project:
    """Planned → in progress."""
    _require_manage(actor, project)
    project = _lock(project)
    if project.status != ProjectStatus.PLANNED:
        raise ValidationError({"status": _("只有计划中的项目可以开始实施。")})
    changes = apply_changes(
        project,
        {
            "status": ProjectStatus.IN_PROGRESS,
            "start_date": project.start_date or start_date or timezone.localdate(),
        },
    )
    project.clean()  # the start may not fall after the planned end
    project.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="start", obj=project, changes=changes)
    return project


@transaction.atomic
def project_complete(
    *,
    actor: Actor,
    project: Project,
    summary: str,
    completed_on: dt.date | None,
    photos: Sequence[Any] = (),
    people_served: Any = 0,
    volunteer_hours: Any = 0,
) -> Project:
    """Complete a project. A summary and evidence are required: at least one photo given now or an
    earlier completion report with photos. The completion photos are kept as a completion report.
    """
    _require_manage(actor, project)
    summary = (summary or "").strip()
    errors: dict[str, str] = {}
    if not summary:
        errors["summary"] = _("请填写完成总结。")
    if completed_on is None:
        errors["completed_on"] = _("请填写完成日期。")
    elif completed_on > timezone.localdate():
        errors["completed_on"] = _("完成日期不能晚于今天。")
    photos = _check_photos(photos)
    has_evidence = (
        bool(photos) or ProgressPhoto.objects.filter(update__project=project, update__is_completion=True).exists()
    )
    if not has_evidence:
        errors["photos"] = _("请上传至少一张完成证明照片。")
    if errors:
        raise ValidationError(errors)
    assert completed_on is not None  # checked above
    project = _lock(project)
    _require_open(project)
    if project.start_date and completed_on < project.start_date:
        raise ValidationError({"completed_on": _("完成日期不能早于开始日期。")})
    if project.start_date is None and project.end_date and completed_on > project.end_date:
        raise ValidationError({"completed_on": _("项目没有开始日期，完成日期又晚于计划结束日期（%(end)s）："
                                                 "请先填写开始日期或调整计划结束日期。")
                               % {"end": project.end_date.isoformat()}})
    if photos or _count(people_served, "people_served") or _decimal(volunteer_hours, "volunteer_hours"):
        progress_add(
            actor=actor,
            project=project,
            text=summary,
            happened_on=completed_on,
            people_served=people_served,
            volunteer_hours=volunteer_hours,
            photos=photos,
            is_completion=True,
        )
        project.refresh_from_db()
    changes = apply_changes(
        project,
        {
            "status": ProjectStatus.COMPLETED,
            "summary": summary,
            "completed_on": completed_on,
            "start_date": project.start_date or completed_on,
        },
    )
    project.full_clean()
    project.save(update_fields=[*changes, "updated_at"])
    _count_completed_units(
        community_id=project.community_id,
        year=project.year,
        org_ids=ProjectUnit.objects.filter(project=project).values_list("organisation_id", flat=True),
    )
    record_activity(actor=actor, action="complete", obj=project, changes=changes)
    _notify(
        recipients=[u for u in project_staff(project) if u != actor],
        text=_("项目“%(project)s”已完成。") % {"project": project.title},
        url=project.get_absolute_url(),
        kind="info",
    )
    return project


@transaction.atomic
def project_cancel(*, actor: Actor, project: Project, reason: str) -> Project:
    """Cancel an open project with a reason (community staff only)."""
    if not runs(get_scope(actor), project):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    check_text(reason, field="reason")
    project = _lock(project)
    _require_open(project)
    changes = apply_changes(project, {"status": ProjectStatus.CANCELLED, "cancel_reason": reason[:300]})
    project.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="cancel", obj=project, changes=changes, note=reason)
    _notify(
        recipients=[project_lead_liaison(project)],
        text=_("项目“%(project)s”已取消：%(reason)s") % {"project": project.title, "reason": reason},
        url=project.get_absolute_url(),
        kind="info",
    )
    return project
