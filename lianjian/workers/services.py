"""Writes to the worker registry: registering, verifying, certifying as 流动网格员.

Rules:
- One registration per phone number and per account (unique indexes say so in the database;
  the services answer with a Chinese message first).
- A person registers themselves (their account's phone, or a phone proved with a one-time code —
  the view or API checks the code and passes ``phone_verified``); staff of a community may also
  record a worker met offline, without an account.
- Only staff of the worker's community verify, reject, certify and revoke; only a verified worker
  can be certified (a check constraint backs it).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import SYSTEM, Actor
from lianjian.accounts.models import Role, User
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.services import role_grant, user_create
from lianjian.core.activity import record_activity, snapshot
from lianjian.notifications.services import notify
from lianjian.regions.models import Region

from .models import Platform, Worker, WorkerStatus

WORKER_FIELDS = ("name", "phone", "platform", "company", "station_name", "work_area", "is_party_member")


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A ValidationError on *field* whose message carries a machine-readable *code* (the API maps it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _duplicate() -> str:
    return _("该手机号已登记为新就业群体。")


def _clean_phone(phone: str) -> str:
    return (phone or "").strip().replace(" ", "").replace("-", "")


def _authenticated(actor: Actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _require_staff(actor: Actor, worker: Worker) -> None:
    if not get_scope(actor).covers_region(worker.community):
        raise PermissionDenied


def _check_duplicates(*, phone: str, user: User | None) -> None:
    if user is not None and Worker.objects.filter(user=user).exists():
        raise ValidationError(_("您已登记过，无需重复登记。"), code="duplicate")
    if Worker.objects.filter(phone=phone).exists():
        raise field_error("phone", _duplicate(), "duplicate")


def _build(community: Region, data: dict[str, Any]) -> Worker:
    unknown = set(data) - set(WORKER_FIELDS)
    if unknown:
        raise TypeError(f"unknown worker fields: {sorted(unknown)}")
    if community is None or not community.is_community:
        raise ValidationError({"community": _("请选择登记社区。")})
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    values["phone"] = _clean_phone(values.get("phone", ""))
    values.setdefault("platform", Platform.OTHER)
    return Worker(community=community, **values)


def _save(worker: Worker) -> Worker:
    worker.full_clean(exclude=["user", "verified_by", "certified_by"], validate_unique=False)
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError as exc:  # the same phone or account raced in on another connection
        raise field_error("phone", _duplicate(), "duplicate") from exc
    return worker


@transaction.atomic
def worker_register(*, actor: Actor, community: Region, phone_verified: bool = False, **data: Any) -> Worker:
    """A logged-in person registers themselves as a worker of *community*.

    Their phone is their account's phone, or another one they proved with a code (``phone_verified``);
    the account gets the rider role in the community (their home community from then on)."""
    if not isinstance(actor, User) or not _authenticated(actor):
        raise PermissionDenied
    phone = _clean_phone(data.get("phone", "")) or (actor.phone or "")
    if not phone:
        raise ValidationError({"phone": _("请填写手机号。")})
    if actor.phone and phone != actor.phone and not phone_verified:
        raise field_error("phone", _("登记的手机号与账号手机号不同，请先获取验证码验证。"), "unverified")
    if not actor.phone and not phone_verified:
        raise field_error("phone", _("请先获取验证码验证手机号。"), "unverified")
    data["phone"] = phone
    data["name"] = (data.get("name") or "").strip() or actor.get_full_name()
    worker = _build(community, data)
    _check_duplicates(phone=worker.phone, user=actor)
    worker.user = actor
    _save(worker)
    role_grant(actor=SYSTEM, user=actor, role=Role.RIDER, region=community)
    record_activity(actor=actor, action="register_worker", obj=worker,
                    changes=snapshot(worker, ["name", "platform", "station_name", "community"]))
    _tell_staff(worker)
    return worker


@transaction.atomic
def worker_signup(*, community: Region, password: str, **data: Any) -> Worker:
    """A person without an account registers with a phone number they proved with a one-time code:
    an account (log-in by phone number) is created for them with the rider role in *community*."""
    phone = _clean_phone(data.get("phone", ""))
    data["phone"] = phone
    worker = _build(community, data)
    _check_duplicates(phone=phone, user=None)
    if User.objects.filter(phone=phone).exists():
        raise field_error("phone", _("该手机号已有账号，请先登录再登记。"), "has_account")
    worker.full_clean(exclude=["user", "verified_by", "certified_by"], validate_unique=False)
    username = f"w{phone}"
    if User.objects.filter(username=username).exists():
        username = f"w{phone}_{timezone.now():%H%M%S}"
    user = user_create(actor=SYSTEM, username=username, password=password, real_name=worker.name, phone=phone)
    worker.user = user
    _save(worker)
    role_grant(actor=SYSTEM, user=user, role=Role.RIDER, region=community)
    record_activity(actor=user, action="register_worker", obj=worker,
                    changes=snapshot(worker, ["name", "platform", "station_name", "community"]))
    _tell_staff(worker)
    return worker


@transaction.atomic
def worker_record(*, actor: Actor, community: Region, **data: Any) -> Worker:
    """Staff record a worker they met offline (no account); the phone is theirs to vouch for."""
    if not get_scope(actor).covers_region(community):
        raise PermissionDenied
    worker = _build(community, data)
    if not worker.name:
        raise ValidationError({"name": _("请填写姓名。")})
    _check_duplicates(phone=worker.phone, user=None)
    _save(worker)
    record_activity(actor=actor, action="record_worker", obj=worker,
                    changes=snapshot(worker, ["name", "platform", "station_name", "community"]))
    return worker


def _tell_staff(worker: Worker) -> None:
    staff = User.objects.filter(roles__role=Role.COMMUNITY_STAFF, roles__region=worker.community, is_active=True)
    notify(recipients=list(staff.values_list("pk", flat=True)),
           text=_("%(name)s（%(station)s）登记为新就业群体，请核验。") % {
               "name": worker.name, "station": worker.station_name},
           url=worker.get_absolute_url())


def _transition(worker: Worker, *, allowed_from: tuple[str, ...], **values: Any) -> int:
    """A conditional UPDATE: the change happens once even if two staff click at the same time."""
    return Worker.objects.filter(pk=worker.pk, status__in=allowed_from).update(updated_at=timezone.now(), **values)


@transaction.atomic
def worker_verify(*, actor: Actor, worker: Worker) -> Worker:
    """Staff confirm the person really works at the station they named."""
    _require_staff(actor, worker)
    now = timezone.now()
    by = actor if isinstance(actor, User) else None
    if not _transition(worker, allowed_from=(WorkerStatus.PENDING, WorkerStatus.REJECTED),
                       status=WorkerStatus.VERIFIED, verified_at=now, verified_by=by, reject_reason=""):
        raise ValidationError(_("该登记已核验。"), code="already")
    before = worker.status
    worker.refresh_from_db()
    record_activity(actor=actor, action="verify_worker", obj=worker, changes={"status": [before, worker.status]})
    if worker.user_id:
        notify(recipients=[worker.user_id], text=_("您的新就业群体登记已通过社区核验。"), url="/workers/me/")
    return worker


@transaction.atomic
def worker_reject(*, actor: Actor, worker: Worker, reason: str) -> Worker:
    """Staff turn a registration down with a reason the person sees."""
    _require_staff(actor, worker)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写未通过原因。")})
    worker.reject_reason = reason
    worker.full_clean(exclude=["user", "verified_by", "certified_by"], validate_unique=False)
    if not _transition(worker, allowed_from=(WorkerStatus.PENDING, WorkerStatus.VERIFIED),
                       status=WorkerStatus.REJECTED, reject_reason=reason, is_grid_reporter=False,
                       certified_at=None, certified_by=None):
        raise ValidationError(_("该登记已是未通过状态。"), code="already")
    before = worker.status
    worker.refresh_from_db()
    record_activity(actor=actor, action="reject_worker", obj=worker, changes={"status": [before, worker.status]},
                    note=reason)
    if worker.user_id:
        notify(recipients=[worker.user_id], text=_("您的新就业群体登记未通过：%(reason)s") % {"reason": reason},
               url="/workers/me/")
    return worker


@transaction.atomic
def worker_certify(*, actor: Actor, worker: Worker) -> Worker:
    """Staff certify a verified worker as 流动网格员 (mobile grid reporter)."""
    _require_staff(actor, worker)
    by = actor if isinstance(actor, User) else None
    done = Worker.objects.filter(pk=worker.pk, status=WorkerStatus.VERIFIED, is_grid_reporter=False).update(
        is_grid_reporter=True, certified_at=timezone.now(), certified_by=by, updated_at=timezone.now())
    if not done:
        worker.refresh_from_db()
        if worker.status != WorkerStatus.VERIFIED:
            raise ValidationError(_("请先核验登记信息，再认证为流动网格员。"), code="not_verified")
        raise ValidationError(_("已是流动网格员。"), code="already")
    worker.refresh_from_db()
    record_activity(actor=actor, action="certify_grid_reporter", obj=worker,
                    changes={"is_grid_reporter": [False, True]})
    if worker.user_id:
        notify(recipients=[worker.user_id], text=_("您已被认证为流动网格员，感谢参与社区治理！"), url="/workers/me/")
    return worker


@transaction.atomic
def worker_revoke(*, actor: Actor, worker: Worker, reason: str = "") -> Worker:
    """Staff withdraw the 流动网格员 certification."""
    _require_staff(actor, worker)
    reason = (reason or "").strip()[:200]
    done = Worker.objects.filter(pk=worker.pk, is_grid_reporter=True).update(
        is_grid_reporter=False, certified_at=None, certified_by=None, updated_at=timezone.now())
    if not done:
        raise ValidationError(_("该人员不是流动网格员。"), code="not_certified")
    worker.refresh_from_db()
    record_activity(actor=actor, action="revoke_grid_reporter", obj=worker,
                    changes={"is_grid_reporter": [True, False]}, note=reason)
    if worker.user_id:
        notify(recipients=[worker.user_id], text=_("您的流动网格员认证已撤销。") + (f"（{reason}）" if reason else ""),
               url="/workers/me/")
    return worker
