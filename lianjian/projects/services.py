"""Writes to joint projects: creation (from claims or directly), milestones, progress,
completion, cancellation and residents' ratings.

Every function here is the one place its state change happens; views, the API, commands,
the demo and tests all call it. Counters on :class:`Project` change only with ``F()``
expressions, so simultaneous progress reports and ratings never lose a count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of
from lianjian.accounts.models import Role, RoleAssignment
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.core.images import PreparedPhoto, check_photos, delete_files, store_photo
from lianjian.core.text import check_text
from lianjian.lists.models import Claim, ClaimRole, ClaimStatus, Need
from lianjian.notifications.services import notify
from lianjian.orgs.models import Organisation, Partnership
from lianjian.orgs.selectors import is_active_partner

from .models import (
    CompletedUnit,
    Milestone,
    ProgressPhoto,
    ProgressUpdate,
    Project,
    ProjectStatus,
    ProjectUnit,
    Rating,
)
from .selectors import milestones_overdue

UPDATE_FIELDS = [
    "title",
    "description",
    "category",
    "plan",
    "budget",
    "material_value",
    "start_date",
    "end_date",
]
MAX_PHOTOS = 9


class AnonymousRater:
    """The audit-trail actor for a rating given without logging in."""

    is_authenticated = False
    is_superuser = False
    pk = None

    def __str__(self) -> str:
        return _("匿名居民")


# ---- permissions ------------------------------------------------------------------------------
def _require_view(actor: Actor, project: Project) -> Any:
    scope = get_scope(actor)
    if not scope.can_view(project):
        raise PermissionDenied
    return scope


def _require_manage(actor: Actor, project: Project) -> Any:
    """Plan, milestones, start and completion: community staff or the lead unit's liaison."""
    scope = get_scope(actor)
    if not (scope.covers_region(project.community) or project.lead_org_id in scope.org_ids):
        raise PermissionDenied
    return scope


def _require_report(actor: Actor, project: Project) -> Any:
    """Progress reports: community staff or a liaison of any participating unit."""
    scope = get_scope(actor)
    if not scope.can_change(project):
        raise PermissionDenied
    return scope


def _lock(project: Project) -> Project:
    """Re-read *project* under a row lock so status changes do not interleave."""
    return Project.objects.select_for_update().select_related("community").get(pk=project.pk)


def _require_open(project: Project) -> None:
    if not project.is_open:
        raise ValidationError(
            {"status": _("项目已%(status)s，不能再修改。") % {"status": project.get_status_display()}}
        )


# ---- notifications ----------------------------------------------------------------------------
def _notify(*, recipients: Iterable[Any], text: str, url: str, kind: str) -> None:
    """In-app notification; ``notify`` itself waits for the commit, so a rollback stays silent."""

    notify(recipients=[u for u in recipients if u is not None], text=text, url=url, kind=kind)


def project_staff(project: Project) -> list[Any]:
    """The community staff of the project's community."""
    return [
        a.user
        for a in RoleAssignment.objects.filter(
            role=Role.COMMUNITY_STAFF, region_id=project.community_id
        ).select_related("user")
    ]


def project_lead_liaison(project: Project) -> Any:
    partnership = (
        Partnership.objects.filter(community_id=project.community_id, organisation_id=project.lead_org_id)
        .select_related("liaison")
        .first()
    )
    return partnership.liaison if partnership else None


# ---- validation helpers -----------------------------------------------------------------------
def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请输入数字。")}) from None
    if number < 0 or not number.is_finite():
        raise ValidationError({field: _("不能小于 0。")})
    return number


def _count(value: Any, field: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError({field: _("请输入整数。")}) from None
    if number < 0:
        raise ValidationError({field: _("不能小于 0。")})
    return number


def _check_photos(photos: Sequence[Any]) -> list[PreparedPhoto]:
    """Check every photo by its content and build its copies, before anything is written."""
    return check_photos(photos, field="photos", max_files=MAX_PHOTOS)


def _save_photos(update: ProgressUpdate, photos: Sequence[PreparedPhoto]) -> None:
    """Store each photo under its random name with its public copy and thumbnail."""
    for photo in photos:
        row = ProgressPhoto(update=update, caption=photo.caption)
        try:
            store_photo(row, photo)
            row.save()
        except Exception:
            delete_files(row)
            raise


def _check_liaison_partner(organisation: Organisation, community: Any, field: str = "lead_org") -> None:
    """Every unit of a project is an ACTIVE joint unit of the project's community."""

    if not is_active_partner(organisation, community):
        raise ValidationError({field: _("“%(name)s”不是本社区的联建单位。") % {"name": organisation.name}})


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


# ---- plan and milestones ----------------------------------------------------------------------
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
def milestone_add(*, actor: Actor, project: Project, title: str, due_date: dt.date) -> Milestone:
    """Add a milestone with its due date to an open project."""
    _require_manage(actor, project)
    project = _lock(project)
    _require_open(project)
    milestone = Milestone(project=project, title=(title or "").strip(), due_date=due_date)
    milestone.full_clean()
    milestone.save()
    record_activity(
        actor=actor,
        action="milestone_add",
        obj=project,
        changes={"milestone": [None, f"{milestone.title} · {due_date.isoformat()}"]},
    )
    return milestone


@transaction.atomic
def milestone_done(*, actor: Actor, milestone: Milestone, done_on: dt.date | None = None) -> Milestone:
    """Mark a milestone reached (once; a second call changes nothing)."""
    project = milestone.project
    _require_report(actor, project)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
    if not Milestone.objects.filter(pk=milestone.pk, done_on__isnull=True).update(done_on=done_on):
        milestone.refresh_from_db()
        return milestone
    milestone.done_on = done_on
    record_activity(
        actor=actor,
        action="milestone_done",
        obj=project,
        changes={"milestone": [milestone.title, f"{milestone.title} ✓ {done_on.isoformat()}"]},
    )
    return milestone


@transaction.atomic
def milestones_flag_overdue(*, actor: Actor, today: dt.date | None = None) -> list[Milestone]:
    """Flag every overdue milestone of an open project once; tell staff and the lead liaison.

    The flag is set with a conditional UPDATE, so two runs at the same time notify once.
    """

    if not get_scope(actor).is_superuser:
        raise PermissionDenied
    flagged = []
    for milestone in milestones_overdue(today=today).filter(overdue_notified=False):
        if not Milestone.objects.filter(pk=milestone.pk, overdue_notified=False).update(overdue_notified=True):
            continue
        project = milestone.project
        record_activity(
            actor=actor,
            action="milestone_overdue",
            obj=project,
            changes={"milestone": [milestone.title, milestone.due_date.isoformat()]},
        )
        _notify(
            recipients=[*project_staff(project), project_lead_liaison(project)],
            text=_("项目“%(project)s”的节点“%(title)s”已逾期（截止 %(due)s）。")
            % {"project": project.title, "title": milestone.title, "due": milestone.due_date.isoformat()},
            url=project.get_absolute_url(),
            kind="milestone_overdue",
        )
        flagged.append(milestone)
    return flagged


# ---- status -----------------------------------------------------------------------------------
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
def progress_add(
    *,
    actor: Actor,
    project: Project,
    text: str,
    happened_on: dt.date,
    people_served: Any = 0,
    volunteer_hours: Any = 0,
    photos: Sequence[Any] = (),
    is_completion: bool = False,
) -> ProgressUpdate:
    """Report progress: text, date, people served, volunteer hours and photos.

    Staff and the liaisons of participating units report; the project's counters grow with
    ``F()`` so simultaneous reports add up. A planned project starts with its first report.
    """
    scope = _require_report(actor, project)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写进展情况。")})
    if happened_on is None:
        raise ValidationError({"happened_on": _("请填写日期。")})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("日期不能晚于今天。")})
    if project.start_date is None and project.end_date and happened_on > project.end_date:
        # The first report starts the project on its date: it may not start after its planned end.
        raise ValidationError({"happened_on": _("进展日期晚于计划结束日期（%(end)s），请先调整项目的计划结束日期。")
                               % {"end": project.end_date.isoformat()}})
    people = _count(people_served, "people_served")
    hours = _decimal(volunteer_hours, "volunteer_hours")
    photos = _check_photos(photos)
    if not project.is_open:
        # Re-read: the copy the caller holds may be stale.
        project.refresh_from_db(fields=["status"])
        _require_open(project)
    own = sorted(scope.org_ids & project.participant_org_ids())
    update = ProgressUpdate(
        project=project,
        text=text,
        happened_on=happened_on,
        people_served=people,
        volunteer_hours=hours,
        is_completion=is_completion,
        author=person_of(actor),
        organisation_id=own[0] if own else None,
    )
    update.full_clean(exclude=["project", "author", "organisation"])
    update.save()
    _save_photos(update, photos)
    # Only open projects count; the status filter makes a report that races a cancellation
    # change nothing (and the transaction is rolled back below).
    touched = Project.objects.filter(
        pk=project.pk, status__in=[ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS]
    ).update(
        people_served=F("people_served") + people,
        volunteer_hours=F("volunteer_hours") + hours,
        updated_at=timezone.now(),
    )
    if not touched:
        raise ValidationError({"status": _("项目已结束，不能再填报进展。")})
    Project.objects.filter(pk=project.pk, status=ProjectStatus.PLANNED).update(
        status=ProjectStatus.IN_PROGRESS, start_date=project.start_date or happened_on
    )
    record_activity(
        actor=actor,
        action="progress",
        obj=project,
        changes={
            "progress": [None, text[:80]],
            "people_served": [None, people],
            "volunteer_hours": [None, str(hours)],
            "photos": [None, len(photos)],
        },
    )
    if not is_completion:
        _notify(
            recipients=[u for u in project_staff(project) if u != actor],
            text=_("项目“%(project)s”有新进展。") % {"project": project.title},
            url=project.get_absolute_url(),
            kind="project_progress",
        )
    return update


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
    if not get_scope(actor).covers_region(project.community):
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


# ---- the completed-units summary (analytics) ------------------------------------------------------
def _count_completed_units(*, community_id: int, year: int, org_ids: Iterable[int]) -> None:
    """One more completed project for each unit of *org_ids* in (community, year) of the summary.

    Called inside the transaction that completes the project or adds a unit to a completed one.
    The increment is an ``F()`` UPDATE by key; a missing row is created in a savepoint, and if a
    concurrent transaction created it first the UPDATE is simply retried.
    """
    for org_id in org_ids:
        key = {"community_id": community_id, "year": year, "organisation_id": org_id}
        while not CompletedUnit.objects.filter(**key).update(projects=F("projects") + 1):
            try:
                with transaction.atomic():
                    CompletedUnit.objects.create(**key, projects=1)
                break
            except IntegrityError:
                continue  # created meanwhile by another transaction: add to it


def completed_unit_counts() -> dict[tuple[int, int, int], int]:
    """(community, year, unit) → number of completed projects, counted from the projects' rows."""
    return {
        (r["project__community_id"], r["project__year"], r["organisation_id"]): r["n"]
        for r in ProjectUnit.objects.filter(project__status=ProjectStatus.COMPLETED)
        .order_by()
        .values("project__community_id", "project__year", "organisation_id")
        .annotate(n=Count("id"))
    }


@transaction.atomic
def completed_units_rebuild(*, actor: Actor) -> tuple[int, int]:
    """Recount the completed-units summary from Project/ProjectUnit (``lianjian rebuild_stats``).

    Needed after rows were written around the services (bulk loads, the bench generators).
    Idempotent. On PostgreSQL the summary table is locked first, so a completion running at the
    same time either finishes before the recount (and is in it) or waits and adds itself after;
    on SQLite every write transaction is already exclusive (IMMEDIATE). Returns (rows, rows that
    were wrong or missing); a second run right after changes nothing.
    """
    if not get_scope(actor).is_superuser:
        raise PermissionDenied
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {CompletedUnit._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    want = completed_unit_counts()
    have = {
        (c, y, o): n
        for c, y, o, n in CompletedUnit.objects.values_list("community_id", "year", "organisation_id", "projects")
    }
    changed = sum(1 for key in want.keys() | have.keys() if want.get(key) != have.get(key))
    if changed:
        CompletedUnit.objects.all().delete()
        CompletedUnit.objects.bulk_create(
            [CompletedUnit(community_id=c, year=y, organisation_id=o, projects=n) for (c, y, o), n in want.items()],
            batch_size=2000,
        )
    return len(want), changed


# ---- ratings ----------------------------------------------------------------------------------
def device_hash_for(device_id: str) -> str:
    """Hash a device id (a signed cookie value or client-supplied id) for storage."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{device_id}".encode()).hexdigest()


def _rating_count(key: str, window: int) -> int:
    cache = caches["throttle"]
    if cache.add(key, 1, window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _rating_throttle(ip: str | None, project: Project) -> None:
    """Limits that do not rest on the device id (which a client can change at will):

    * at most ``RATING_MAX_PER_IP`` ratings per address per hour, over all projects;
    * at most ``RATING_MAX_PER_ADDRESS_PER_PROJECT`` ratings of one project (one rating link)
      per address per day — a household or a community centre may share one address, a script
      inventing device ids may not stuff the ballot.
    """
    if not ip:
        return
    address = hashlib.sha256(ip.encode()).hexdigest()[:32]
    per_project = getattr(settings, "RATING_MAX_PER_ADDRESS_PER_PROJECT", 10)
    if _rating_count(f"rating:project:{project.pk}:ip:{address}", 24 * 3600) > per_project:
        raise ValidationError({"__all__": _("这个网络已经提交了很多条评价，请明天再试。")}, code="throttled")
    if _rating_count("rating:ip:" + address, 3600) > getattr(settings, "RATING_MAX_PER_IP", 30):
        raise ValidationError({"__all__": _("评价太频繁了，请稍后再试。")}, code="throttled")


@transaction.atomic
def rating_add(
    *,
    project: Project,
    stars: Any,
    comment: str = "",
    device_hash: str,
    rater: Any = None,
    ip: str | None = None,
) -> Rating:
    """A resident rates a completed project: 1–5 stars and a comment, once per person and device.

    The unique constraints are the last word on "once": two submissions at the same moment
    produce one rating and one clear message, and the counters move with ``F()``.
    """
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise ValidationError({"stars": _("请选择 1 到 5 颗星。")}) from None
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": _("请选择 1 到 5 颗星。")})
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise ValidationError({"comment": _("评价内容不能超过 300 字。")})
    if not device_hash:
        raise ValidationError({"__all__": _("无法识别您的设备，请允许浏览器保存 Cookie 后重试。")})
    rater = rater if getattr(rater, "is_authenticated", False) else None
    if project.status != ProjectStatus.COMPLETED:
        raise ValidationError({"__all__": _("项目完成后才能评价。")})
    already = Q(device_hash=device_hash) | (Q(rater=rater) if rater else Q(pk__in=[]))
    if Rating.objects.filter(already, project=project).exists():
        raise ValidationError({"__all__": _("您已经评价过这个项目了，谢谢您的参与！")}, code="duplicate")
    _rating_throttle(ip, project)
    rating = Rating(project=project, stars=stars, comment=comment, rater=rater, device_hash=device_hash)
    rating.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise ValidationError({"__all__": _("您已经评价过这个项目了，谢谢您的参与！")}, code="duplicate") from None
    Project.objects.filter(pk=project.pk).update(rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + stars)
    record_activity(actor=rater or AnonymousRater(), action="rate", obj=project, changes={"stars": [None, stars]})
    return rating
