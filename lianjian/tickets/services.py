"""Writes of street reports: report, "我也遇到了", triage, dispatch, handling, confirmation, escalation.

Every status change is one conditional UPDATE naming the statuses it may come from
(:func:`_transition`): two staff accepting, merging or dispatching the same report at once get one
success and one "the report has changed" refusal. ``LOCKING = False`` (tests only) reads, waits
and writes instead, which lets both through — the negative control of the concurrency tests.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.models import Role, RoleAssignment, User
from lianjian.accounts.permissions import get_scope
from lianjian.core import domain_events
from lianjian.core.activity import record_activity
from lianjian.core.images import PreparedPhoto, check_photos, delete_files, store_photo
from lianjian.core.text import check_text
from lianjian.notifications.services import notify
from lianjian.orgs.models import Organisation
from lianjian.orgs.selectors import partner_units_for

from .models import (
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    OPEN_STATUSES,
    RUNNING,
    Category,
    PhotoKind,
    Report,
    ReportPhoto,
    Status,
    Step,
    Supporter,
    TimelineEntry,
    clean_attributes,
)

LOCKING = True
Actor = User | Any  # a person, or lianjian.accounts.permissions.SYSTEM for jobs and the demo


class StateConflict(ValidationError):
    """The report is no longer in a status the step may start from (someone else was quicker)."""

    def __init__(self) -> None:
        super().__init__(_("该随手拍的状态已变化，请刷新后再试。"), code="state_changed")


# ---- who may do what --------------------------------------------------------------------------
def may_triage(actor: Any, report: Report) -> bool:
    """Staff of the report's community (or the street and district above) triage and dispatch."""
    return get_scope(actor).covers_region(report.community)


def may_handle(actor: Any, report: Report) -> bool:
    """The dispatched unit's liaisons (and the community's staff) acknowledge and resolve."""
    scope = get_scope(actor)
    return scope.covers_region(report.community) or bool(report.unit_id and report.unit_id in scope.org_ids)


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(actor: Any, report: Report | None = None) -> str:
    user = _user(actor)
    if user is None:
        return _("系统")
    if report is not None and report.unit is not None and report.unit_id in get_scope(user).org_ids:
        return report.unit.name[:100]
    return (user.real_name or user.username)[:100]


def _step(report: Report, step: str, actor: Any, note: str = "") -> TimelineEntry:
    return TimelineEntry.objects.create(report=report, step=step, actor=_user(actor), actor_label=_label(actor, report),
                                        status=report.status, note=(note or "")[:500])


def _transition(report: Report, *, source: Iterable[str], target: str, **fields: Any) -> None:
    """Move *report* from one of *source* to *target* (with *fields*) or raise StateConflict."""
    source = list(source)
    values = {"status": target, "updated_at": timezone.now(), **fields}
    if LOCKING:
        changed = Report.objects.filter(pk=report.pk, status__in=source).update(**values)
    else:
        current = report.status  # as the caller read it, before this transaction: check-then-act
        time.sleep(0.05)  # widen the window so the negative control really races
        changed = Report.objects.filter(pk=report.pk).update(**values) if current in source else 0
    if changed != 1:
        raise StateConflict
    for name, value in values.items():
        setattr(report, name, value)


def staff_ids(report: Report) -> list[int]:
    """Staff of the report's community, or the admins of its street and district when it has none."""
    ids = list(RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, region=report.community_id)
               .values_list("user_id", flat=True))
    return ids or street_admin_ids(report)


def street_admin_ids(report: Report) -> list[int]:
    ancestors = [pk for pk in (report.community.street_id, report.community.district_id) if pk]
    return list(RoleAssignment.objects.filter(role=Role.REGION_ADMIN, region_id__in=ancestors)
                .values_list("user_id", flat=True))


def unit_liaison_ids(report: Report) -> list[int]:
    if not report.unit_id:
        return []
    return list(RoleAssignment.objects.filter(role=Role.LIAISON, organisation_id=report.unit_id)
                .values_list("user_id", flat=True))


def _followers(report: Report) -> list[int]:
    return [report.reporter_id, *Supporter.objects.filter(report=report).values_list("user_id", flat=True)]


def _tell(recipients: Iterable[int], text: str, report: Report) -> None:
    notify(recipients=list(recipients), text=text, url=report.get_absolute_url())


def _photos(report: Report, photos: list[PreparedPhoto], kind: str, actor: Any) -> list[ReportPhoto]:
    rows = []
    for prepared in photos:
        row = ReportPhoto(report=report, kind=kind, uploaded_by=_user(actor))
        try:
            store_photo(row, prepared)
            row.save()
        except Exception:
            delete_files(row)
            raise
        rows.append(row)
    return rows


def _check_description(description: str, field: str = "description") -> str:
    text = (description or "").strip()
    if not text:
        raise ValidationError({field: _("请描述问题。")})
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError({field: _("问题描述不能超过 %(n)d 个字。") % {"n": MAX_DESCRIPTION}})
    check_text(text, field=field)
    return text


def check_answers(category: Category, answers: dict[str, Any] | None) -> dict[str, str]:
    """The reporter's answers to the category's questions: required ones present, list values known."""
    answers = {str(k): v for k, v in (answers or {}).items()}
    questions = {a["code"]: a for a in clean_attributes(category.attributes)}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise ValidationError({"attributes": _("未知的附加问题：%(codes)s。") % {"codes": "、".join(unknown)[:200]}})
    out: dict[str, str] = {}
    for code, question in questions.items():
        value = answers.get(code)
        values = value if isinstance(value, list) else [value] if value not in (None, "") else []
        values = [str(v).strip() for v in values if str(v).strip()]
        if not values:
            if question["required"]:
                raise ValidationError({"attributes": _("请回答：%(q)s") % {"q": question["description"]}})
            continue
        if question["datatype"].endswith("valuelist"):
            keys = {v["key"] for v in question["values"]}
            if any(v not in keys for v in values) or (question["datatype"] == "singlevaluelist" and len(values) > 1):
                raise ValidationError({"attributes": _("“%(q)s”的选项不正确。") % {"q": question["description"]}})
        elif question["datatype"] == "number":
            try:
                float(values[0])
            except ValueError:
                raise ValidationError({"attributes": _("“%(q)s”应为数字。") % {"q": question["description"]}}) from None
        text = ",".join(values)
        if len(text) > 500:
            raise ValidationError({"attributes": _("“%(q)s”的回答过长。") % {"q": question["description"]}})
        check_text(text, field="attributes")
        out[code] = text
    return out


# ---- reporting --------------------------------------------------------------------------------
@transaction.atomic
def report_create(*, actor: User, community: Any, category: Category, description: str, photos: Iterable[Any] = (),
                  lat: float | None = None, lng: float | None = None, address: str = "",
                  occurred_at: dt.datetime | None = None, attributes: dict[str, Any] | None = None,
                  require_photo: bool = True) -> Report:
    """A logged-in person reports a problem in *community* with 1–6 photos (Open311 may send none)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    if category is None or not category.is_active:
        raise ValidationError({"category": _("请选择类别。")})
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + dt.timedelta(minutes=10):
        raise ValidationError({"occurred_at": _("发现时间不能晚于现在。")})
    if occurred_at < now - dt.timedelta(days=366):
        raise ValidationError({"occurred_at": _("发现时间不能早于一年前。")})
    prepared = check_photos(list(photos or []), field="photos", max_files=MAX_PHOTOS)
    if require_photo and not prepared:
        raise ValidationError({"photos": _("请至少上传一张现场照片。")})
    report = Report(reporter=actor, community=community, category=category,
                    description=_check_description(description), lat=lat, lng=lng,
                    address=(address or "").strip(), occurred_at=occurred_at,
                    attributes=check_answers(category, attributes))
    report.full_clean()
    report.save()
    _photos(report, prepared, PhotoKind.REPORT, actor)
    _step(report, Step.CREATE, actor)
    record_activity(actor=actor, action="ticket_report", obj=report,
                    changes={"status": [None, report.status], "photos": [None, len(prepared)]})
    _tell(staff_ids(report), _("新的随手拍：%(title)s") % {"title": report.title}, report)
    return report


@transaction.atomic
def support_add(*, actor: User, report: Report) -> bool:
    """"我也遇到了": *actor* follows an open report instead of reporting it again. False if they already did."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    if report.status not in OPEN_STATUSES:
        raise ValidationError({"report": _("该随手拍已关闭，请提交新的随手拍。")})
    if report.reporter_id == actor.pk:
        return False
    try:
        with transaction.atomic():
            Supporter.objects.create(report=report, user=actor)
    except IntegrityError:
        return False
    Report.objects.filter(pk=report.pk).update(supporter_count=F("supporter_count") + 1)
    report.refresh_from_db(fields=["supporter_count"])
    _step(report, Step.SUPPORT, actor)
    record_activity(actor=actor, action="ticket_support", obj=report)
    return True


# ---- triage -----------------------------------------------------------------------------------
def _verified(report: Report, now: dt.datetime) -> None:
    domain_events.emit(domain_events.report_verified, source_key=f"tickets.report:{report.pk}",
                       person=report.reporter, community=report.community, occurred_at=now,
                       category_code=report.category.code, title=report.title)


@transaction.atomic
def accept(*, actor: User, report: Report, note: str = "") -> Report:
    """Staff accept a new report as real (verified)."""
    _require(may_triage(actor, report))
    now = timezone.now()
    _transition(report, source=[Status.NEW], target=Status.ACCEPTED, accepted_at=now)
    _step(report, Step.ACCEPT, actor, note)
    record_activity(actor=actor, action="ticket_accept", obj=report, changes={"status": [Status.NEW, Status.ACCEPTED]})
    _verified(report, now)
    _tell(_followers(report), _("您的随手拍已受理：%(title)s") % {"title": report.title}, report)
    return report


@transaction.atomic
def reject(*, actor: User, report: Report, reason: str) -> Report:
    """Staff refuse a report (not a problem, not ours, false); a verified one loses its verification."""
    _require(may_triage(actor, report))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写不予受理的原因。")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("原因不能超过 300 个字。")})
    check_text(reason, field="reason")
    before = report.status
    _transition(report, source=OPEN_STATUSES, target=Status.REJECTED, reject_reason=reason,
                closed_at=timezone.now(), deadline=None)
    _step(report, Step.REJECT, actor, reason)
    record_activity(actor=actor, action="ticket_reject", obj=report, changes={"status": [before, Status.REJECTED]},
                    note=reason)
    if report.accepted_at is not None:
        domain_events.emit(domain_events.verification_voided, source_key=f"tickets.report:{report.pk}",
                           person=report.reporter, community=report.community, occurred_at=timezone.now(),
                           reason=reason)
    _tell(_followers(report), _("您的随手拍未予受理：%(reason)s") % {"reason": reason}, report)
    return report


@transaction.atomic
def merge(*, actor: User, report: Report, into: Report) -> Report:
    """A duplicate joins the report it repeats: its reporter and supporters follow that one."""
    _require(may_triage(actor, report) and may_triage(actor, into))
    if into.pk == report.pk:
        raise ValidationError({"into": _("不能合并到自身。")})
    if into.status not in OPEN_STATUSES or into.duplicate_of_id:
        raise ValidationError({"into": _("只能合并到未关闭的随手拍。")})
    before = report.status
    _transition(report, source=[Status.NEW, Status.ACCEPTED], target=Status.MERGED, duplicate_of=into,
                closed_at=timezone.now())
    _step(report, Step.MERGE, actor, _("合并到 #%(n)d") % {"n": into.pk})
    record_activity(actor=actor, action="ticket_merge", obj=report, changes={"status": [before, Status.MERGED]},
                    note=f"#{into.pk}")
    for user_id in {report.reporter_id, *Supporter.objects.filter(report=report).values_list("user_id", flat=True)}:
        if user_id != into.reporter_id:
            support_add(actor=User.objects.get(pk=user_id), report=into)
    _tell(_followers(report), _("您的随手拍与 #%(n)d 是同一问题，已合并跟进。") % {"n": into.pk}, report)
    return report


@transaction.atomic
def dispatch(*, actor: User, report: Report, unit: Organisation | None = None, department: str = "",
             note: str = "") -> Report:
    """Staff send an accepted (or reopened) report to a joint unit of its community or a named
    department; the deadline is now + the category's response time."""
    _require(may_triage(actor, report))
    department = (department or "").strip()
    if (unit is None) == (not department):
        raise ValidationError({"unit": _("请选择一个联建单位，或填写责任部门（二选一）。")})
    if unit is not None and not partner_units_for(report.community).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("该单位不是本社区的联建单位。")})
    if len(department) > 100:
        raise ValidationError({"department": _("责任部门不能超过 100 个字。")})
    check_text(department, field="department", multiline=False)
    now = timezone.now()
    before = report.status
    _transition(report, source=[Status.ACCEPTED, Status.REOPENED], target=Status.DISPATCHED, unit=unit,
                department=department if unit is None else "", dispatched_at=now, acknowledged_at=None,
                deadline=now + dt.timedelta(hours=report.category.response_hours), escalated_at=None,
                escalated_to=None)
    who = unit.name if unit is not None else department
    _step(report, Step.DISPATCH, actor, note or _("派给 %(who)s，处置时限 %(h)d 小时") % {
        "who": who, "h": report.category.response_hours})
    record_activity(actor=actor, action="ticket_dispatch", obj=report, changes={
        "status": [before, Status.DISPATCHED], "unit": [None, who]})
    _tell(unit_liaison_ids(report), _("新工单（%(h)d 小时内处置）：%(title)s") % {
        "h": report.category.response_hours, "title": report.title}, report)
    _tell(_followers(report), _("您的随手拍已派给 %(who)s 处置。") % {"who": who}, report)
    return report


# ---- handling ---------------------------------------------------------------------------------
@transaction.atomic
def acknowledge(*, actor: User, report: Report) -> Report:
    _require(may_handle(actor, report))
    _transition(report, source=[Status.DISPATCHED], target=Status.ACKNOWLEDGED, acknowledged_at=timezone.now())
    _step(report, Step.ACKNOWLEDGE, actor)
    record_activity(actor=actor, action="ticket_acknowledge", obj=report,
                    changes={"status": [Status.DISPATCHED, Status.ACKNOWLEDGED]})
    return report


@transaction.atomic
def resolve(*, actor: User, report: Report, note: str, photos: Iterable[Any]) -> Report:
    """The unit (or staff) report it fixed with at least one after-photo; the reporter confirms."""
    _require(may_handle(actor, report))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请说明处置情况。")})
    if len(note) > 500:
        raise ValidationError({"note": _("处置说明不能超过 500 个字。")})
    check_text(note, field="note")
    prepared = check_photos(list(photos or []), field="photos", max_files=MAX_PHOTOS)
    if not prepared:
        raise ValidationError({"photos": _("请上传处置后的照片。")})
    before = report.status
    _transition(report, source=[Status.DISPATCHED, Status.ACKNOWLEDGED], target=Status.RESOLVED,
                resolved_at=timezone.now(), resolution_note=note)
    _photos(report, prepared, PhotoKind.RESOLUTION, actor)
    _step(report, Step.RESOLVE, actor, note)
    record_activity(actor=actor, action="ticket_resolve", obj=report, changes={"status": [before, Status.RESOLVED]},
                    note=note)
    _tell(_followers(report), _("您的随手拍已处置，请确认：%(title)s") % {"title": report.title}, report)
    return report


def _require_reporter(actor: Any, report: Report) -> None:
    if getattr(actor, "pk", None) is None or actor.pk != report.reporter_id:
        raise PermissionDenied


@transaction.atomic
def confirm(*, actor: User, report: Report) -> Report:
    """Only the reporter says it is fixed; the report is closed."""
    _require_reporter(actor, report)
    _transition(report, source=[Status.RESOLVED], target=Status.CONFIRMED, closed_at=timezone.now())
    _step(report, Step.CONFIRM, actor)
    record_activity(actor=actor, action="ticket_confirm", obj=report,
                    changes={"status": [Status.RESOLVED, Status.CONFIRMED]})
    return report


@transaction.atomic
def reopen(*, actor: User, report: Report, reason: str, photos: Iterable[Any]) -> Report:
    """Only the reporter says it is not fixed, with a reason and a photo; it goes back to staff."""
    _require_reporter(actor, report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明为什么问题仍未解决。")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("原因不能超过 300 个字。")})
    check_text(reason, field="reason")
    prepared = check_photos(list(photos or []), field="photos", max_files=MAX_PHOTOS)
    if not prepared:
        raise ValidationError({"photos": _("请上传一张现在的照片。")})
    now = timezone.now()
    _transition(report, source=[Status.RESOLVED], target=Status.REOPENED, resolved_at=None,
                deadline=now + dt.timedelta(hours=report.category.response_hours), escalated_at=None,
                escalated_to=None)
    _photos(report, prepared, PhotoKind.REOPEN, actor)
    _step(report, Step.REOPEN, actor, reason)
    record_activity(actor=actor, action="ticket_reopen", obj=report,
                    changes={"status": [Status.RESOLVED, Status.REOPENED]}, note=reason)
    _tell({*staff_ids(report), *unit_liaison_ids(report)},
          _("随手拍被报告人重新打开：%(reason)s") % {"reason": reason}, report)
    return report


# ---- escalation and the service chain ---------------------------------------------------------
def escalate_overdue(*, actor: Any, now: dt.datetime | None = None) -> int:
    """Escalate every overdue report once to its street; returns how many were escalated now.
    Each report is claimed by a conditional UPDATE, so two runs at once escalate it once."""
    now = now or timezone.now()
    done = 0
    due = (Report.objects.filter(status__in=RUNNING, deadline__lt=now, escalated_at__isnull=True)
           .select_related("community", "category").order_by("deadline")[:1000])
    for report in due:
        with transaction.atomic():
            street_id = report.community.street_id or report.community.parent_id
            if not Report.objects.filter(pk=report.pk, status__in=RUNNING, escalated_at__isnull=True).update(
                    escalated_at=now, escalated_to_id=street_id):
                continue
            report.escalated_at, report.escalated_to_id = now, street_id
            hours = int((now - report.deadline).total_seconds() // 3600) if report.deadline else 0
            _step(report, Step.ESCALATE, actor, _("已超过处置时限 %(h)d 小时") % {"h": hours})
            record_activity(actor=actor, action="ticket_escalate", obj=report,
                            changes={"escalated_to": [None, street_id]})
            _tell({*street_admin_ids(report), *staff_ids(report), *unit_liaison_ids(report)},
                  _("随手拍逾期未处置，已升级至街道：%(title)s") % {"title": report.title}, report)
            done += 1
    return done


@transaction.atomic
def to_need(*, actor: User, report: Report, title: str, category: Any) -> Any:
    """Staff turn a report into a need of the service chain; the report and the need link each other."""
    from . import lists_bridge

    _require(may_triage(actor, report))
    if category is None:
        raise ValidationError({"category": _("请选择需求类别。")})
    if report.status in (Status.REJECTED, Status.MERGED):
        raise ValidationError({"report": _("不予受理或已合并的随手拍不能转为需求。")})
    need = lists_bridge.need_from_report(actor=actor, report=report, title=(title or report.title)[:100],
                                         category=category)
    if not Report.objects.filter(pk=report.pk, need__isnull=True).update(need=need):
        raise StateConflict
    report.need = need
    _step(report, Step.TO_NEED, actor, need.title)
    record_activity(actor=actor, action="ticket_to_need", obj=report, note=need.title)
    return need


@transaction.atomic
def category_update(*, actor: User, category: Category, data: dict[str, Any]) -> Category:
    """Region admins change a category's name, response time, radius and Open311 definition."""
    from lianjian.core.activity import apply_changes

    scope = get_scope(actor)
    _require(scope.is_superuser or scope.is_region_admin)
    allowed = {"name", "name_en", "description", "response_hours", "duplicate_radius_m", "keywords", "group",
               "attributes", "order", "is_active"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({"__all__": _("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))}})
    changes = apply_changes(category, data)
    category.full_clean()
    category.save()
    if changes:
        record_activity(actor=actor, action="update", obj=category, changes=changes)
    return category
