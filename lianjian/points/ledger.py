"""Writes to the ledger: accounts, awards, approvals, reversals, expiry, and the balance check.

Invariants, each kept by one mechanism:
- One entry per source: ``Entry.source_key`` is unique. A writer inserts inside a savepoint and,
  on ``IntegrityError``, returns the entry that won — so a domain event delivered twice, or two
  workers processing it at once, pay once.
- ``Account.balance`` moves only together with an entry, in the same transaction, by a conditional
  ``UPDATE … SET balance = balance + n WHERE balance + n >= 0`` whose row count is checked; the
  database's check constraint is the last line of defence.
- Entries are never edited: a correction is a ``reversal`` entry linked to the original.
- Per-activity caps on volunteer hours are computed under the account's row lock, so two shifts of
  the same activity verified at once cannot both take the last points below the cap.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import SYSTEM, Actor
from lianjian.accounts.models import User
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import record_activity
from lianjian.regions.models import Region

from .models import (
    POINTS_MAX,
    SOURCE_KEY_MAX,
    Account,
    AwardRequest,
    AwardStatus,
    EarningRule,
    Entry,
    EntryKind,
    Scheme,
    Trigger,
)

logger = logging.getLogger(__name__)



class PointsConflict(ValidationError):
    """A request that clashes with the ledger's state (the API answers 409); ``code`` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


# ---- schemes and accounts ------------------------------------------------------------------------

def scheme_for_region(region: Region | None) -> Scheme | None:
    """The active scheme of a community, or of the street it belongs to."""
    if region is None:
        return None
    ids = [region.pk] + ([region.parent_id] if region.parent_id else [])
    schemes = {s.region_id: s for s in Scheme.objects.filter(region_id__in=ids, is_active=True)
               .select_related("region")}
    return schemes.get(region.pk) or (schemes.get(region.parent_id) if region.parent_id else None)


def may_manage(actor: Any, scheme: Scheme) -> bool:
    """Staff over the scheme's community or street (and admins above it) run the scheme."""
    return get_scope(actor).covers_region(scheme.region)


def require_manager(actor: Any, scheme: Scheme) -> None:
    if not may_manage(actor, scheme):
        raise PermissionDenied


def account_for(*, scheme: Scheme, person: User) -> Account:
    """The person's account in the scheme, opened on first use (two first uses at once open one)."""
    account = Account.objects.filter(scheme=scheme, person=person).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(scheme=scheme, person=person)
    except IntegrityError:
        return Account.objects.get(scheme=scheme, person=person)


def _lock(account: Account) -> Account:
    return Account.objects.select_for_update().get(pk=account.pk)


def _move_balance(account: Account, amount: int) -> None:
    """Add *amount* to the cached balance; refuses (and the caller rolls back) below zero."""
    if amount == 0:
        return
    done = Account.objects.filter(pk=account.pk, balance__gte=-amount).update(balance=F("balance") + amount)
    if done != 1:
        raise PointsConflict("insufficient_points", _("可用积分不足。"))


def _honour_change(trigger: str, minutes: int, sign: int) -> dict[str, Any]:
    if trigger == Trigger.HOUR and minutes:
        return {"honour_minutes": F("honour_minutes") + sign * abs(minutes)}
    if trigger == Trigger.REPORT:
        return {"reports_verified": F("reports_verified") + sign}
    if trigger == Trigger.ATTENDANCE:
        return {"events_attended": F("events_attended") + sign}
    return {}


def write_entry(*, account: Account, kind: str, amount: int, source_key: str, reason: str = "",
                trigger: str = "", activity_key: str = "", minutes: int = 0, rule: EarningRule | None = None,
                approver: User | None = None, created_by: User | None = None, reversal_of: Entry | None = None,
                redemption: Any = None, occurred_at: dt.datetime | None = None,
                now: dt.datetime | None = None, move_balance: bool = True) -> tuple[Entry, bool]:
    """Append one entry and move the cached balance (and honour record) with it, in one savepoint.

    Returns ``(entry, created)``; when the source already has an entry, that entry and ``False``
    (nothing is written). Must run inside a transaction. With ``move_balance`` off the caller has
    already moved the balance (together with ``held``) in the same transaction.
    """
    if not source_key or len(source_key) > SOURCE_KEY_MAX:
        message = _("每笔积分都必须有来源（不超过 %(n)s 个字符）。") % {"n": SOURCE_KEY_MAX}
        raise ValidationError({"source_key": message})
    entry = Entry(account=account, kind=kind, amount=amount, source_key=source_key, reason=reason[:200],
                  trigger=trigger, activity_key=activity_key[:SOURCE_KEY_MAX], minutes=minutes, rule=rule,
                  approver=approver, created_by=created_by, reversal_of=reversal_of, redemption=redemption,
                  occurred_at=occurred_at, created_at=now or timezone.now())
    entry.clean_fields(exclude=["account", "rule", "approver", "created_by", "reversal_of", "redemption"])
    try:
        with transaction.atomic():
            entry.save()
            if move_balance:
                _move_balance(account, amount)
            honour = _honour_change(trigger, minutes, -1 if kind == EntryKind.REVERSAL else 1)
            if honour and kind in (EntryKind.AWARD, EntryKind.REVERSAL):
                Account.objects.filter(pk=account.pk).update(**honour)
    except IntegrityError:
        existing = Entry.objects.filter(source_key=source_key).first()
        if existing is None:  # the constraint that failed was not the source: a real error
            raise
        return existing, False
    return entry, True


# ---- awards from domain events -------------------------------------------------------------------

def _rule(scheme: Scheme, trigger: str, category_code: str = "") -> EarningRule | None:
    rules = {r.category_code: r for r in EarningRule.objects.filter(scheme=scheme, trigger=trigger, is_active=True,
                                                                     category_code__in=[category_code, ""])}
    return rules.get(category_code) or rules.get("")


def _person(person: Any, phone: str) -> User | None:
    if isinstance(person, User):
        return person
    if phone:
        return User.objects.filter(phone=phone, is_active=True).first()
    return None


@transaction.atomic
def award_for_event(*, trigger: str, source_key: str, person: Any, community: Region | None,
                    occurred_at: dt.datetime | None = None, phone: str = "", minutes: int = 0,
                    activity_key: str = "", category_code: str = "", title: str = "",
                    now: dt.datetime | None = None) -> Entry | None:
    """Pay what the scheme's rule says for a verified deed, once per source.

    Without a scheme, or a person with an account on the platform, nothing is written. Without a
    rule the deed still enters the honour record (an entry of 0 points). Volunteer hours pay
    ``points`` per hour (pro rata, rounded down), at most ``cap_per_activity`` per activity.
    """
    scheme = scheme_for_region(community)
    user = _person(person, phone)
    if scheme is None or user is None:
        logger.info("points: %s ignored (scheme=%s, person=%s)", source_key, scheme, user)
        return None
    existing = Entry.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    account = _lock(account_for(scheme=scheme, person=user))
    rule = _rule(scheme, trigger, category_code)
    points = rule.points if rule else 0
    if trigger == Trigger.HOUR:
        points = (rule.points * max(minutes, 0)) // 60 if rule else 0
        if rule and rule.cap_per_activity is not None and activity_key:
            earned = Entry.objects.filter(account=account, activity_key=activity_key).aggregate(
                n=Sum("amount"))["n"] or 0
            points = max(0, min(points, rule.cap_per_activity - earned))
    points = min(points, POINTS_MAX)
    reason = title[:200] if title else str(Trigger(trigger).label)
    entry, _created = write_entry(account=account, kind=EntryKind.AWARD, amount=points, source_key=source_key,
                                  reason=reason, trigger=trigger, activity_key=activity_key,
                                  minutes=minutes if trigger == Trigger.HOUR else 0, rule=rule,
                                  occurred_at=occurred_at, now=now)
    if _created:
        record_activity(actor=SYSTEM, action="points_award", obj=account,
                        changes={"balance": [None, points]}, note=source_key)
    return entry


# ---- manual awards ------------------------------------------------------------------------------

def _manual_key(scheme: Scheme, key: str) -> str:
    """Manual keys live in the scheme's own namespace: staff cannot claim a domain event's key
    (and so block its award), nor see another scheme's award by guessing its key."""
    return f"manual:{scheme.pk}:{key}"


def find_person(value: str) -> User | None:
    """A person named by username or mobile number."""
    value = (value or "").strip()
    if not value:
        return None
    return User.objects.filter(Q(username=value) | Q(phone=value), is_active=True).first()


@transaction.atomic
def award_manual(*, actor: User, scheme: Scheme, person: User, points: int, reason: str,
                 source_key: str = "", now: dt.datetime | None = None) -> tuple[AwardRequest, bool]:
    """Staff award points by hand, with a reason and a source key (one award per key).

    Up to the scheme's approval threshold the entry posts at once with the awarding staff member as
    approver; above it the request waits for another staff member. Returns ``(request, created)``;
    the same key again returns the first request (``created`` False), or 409 for other content.
    """
    require_manager(actor, scheme)
    errors: dict[str, Any] = {}
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= POINTS_MAX:
        errors["points"] = _("积分须是 1 到 %(max)s 之间的整数。") % {"max": POINTS_MAX}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("请填写发放理由。")
    source_key = (source_key or "").strip()
    if not source_key:
        errors["source_key"] = _("每笔积分都必须有来源（source_key）。")
    elif len(source_key) > 100 or not source_key.isascii() or not source_key.isprintable() or " " in source_key:
        errors["source_key"] = _("来源由不超过 100 个可见的英文字母、数字和符号组成（例如 ops-2025-001）。")
    if errors:
        raise ValidationError(errors)
    key = _manual_key(scheme, source_key)
    existing = AwardRequest.objects.filter(source_key=key).select_related("account").first()
    if existing is not None:
        return _same_or_conflict(existing, person, points), False
    now = now or timezone.now()
    account = account_for(scheme=scheme, person=person)
    request = AwardRequest(scheme=scheme, account=account, points=points, reason=reason, source_key=key,
                           requested_by=actor, created_at=now)
    request.full_clean(exclude=["scheme", "account", "requested_by", "entry"])
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        return _same_or_conflict(AwardRequest.objects.get(source_key=key), person, points), False
    if points > scheme.approval_threshold:
        record_activity(actor=actor, action="points_award_request", obj=account,
                        changes={"points": [None, points]}, note=reason)
        return request, True
    _post(request, approver=actor, now=now)
    record_activity(actor=actor, action="points_award", obj=account, changes={"balance": [None, points]},
                    note=reason)
    return request, True


def _same_or_conflict(existing: AwardRequest, person: User, points: int) -> AwardRequest:
    if existing.account.person_id != person.pk or existing.points != points:
        raise PointsConflict("source_key_reused", _("这个来源已用于另一笔积分发放，同一来源只能发放一次。"))
    return existing


def _post(request: AwardRequest, *, approver: User, now: dt.datetime) -> Entry:
    entry, _created = write_entry(account=_lock(request.account), kind=EntryKind.AWARD, amount=request.points,
                                  source_key=request.source_key, reason=request.reason, trigger=Trigger.MANUAL,
                                  approver=approver, created_by=request.requested_by, now=now)
    AwardRequest.objects.filter(pk=request.pk).update(status=AwardStatus.APPROVED, decided_by=approver,
                                                      decided_at=now, entry=entry)
    request.status, request.decided_by, request.decided_at, request.entry = (
        AwardStatus.APPROVED, approver, now, entry)
    return entry


@transaction.atomic
def award_decide(*, actor: User, request: AwardRequest, approve: bool, now: dt.datetime | None = None) -> AwardRequest:
    """A second staff member approves (the entry posts) or rejects a pending large award, once."""
    require_manager(actor, request.scheme)
    if request.requested_by_id == actor.pk:
        raise PermissionDenied(_("大额发放须由另一名工作人员审批。"))
    now = now or timezone.now()
    status = AwardStatus.APPROVED if approve else AwardStatus.REJECTED
    if AwardRequest.objects.filter(pk=request.pk, status=AwardStatus.PENDING).update(
            status=status, decided_by=actor, decided_at=now) != 1:
        raise PointsConflict("already_decided", _("这笔发放已经审批过了。"))
    request.refresh_from_db()
    if approve:
        _post(request, approver=actor, now=now)
    record_activity(actor=actor, action="points_award_approve" if approve else "points_award_reject",
                    obj=request.account, changes={"points": [None, request.points]}, note=request.reason)
    return request


# ---- reversals ----------------------------------------------------------------------------------

@transaction.atomic
def entry_reverse(*, actor: Actor, entry: Entry, reason: str, now: dt.datetime | None = None) -> Entry:
    """Correct an award by a reversing entry linked to it, with the reason (once per entry).

    Points already spent cannot be taken back below zero: the reversal takes what is left and says
    so in its reason. The honour record the award counted is taken back in full.
    """
    if actor is not SYSTEM:
        require_manager(actor, entry.account.scheme)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写冲正原因。")})
    if entry.kind != EntryKind.AWARD:
        raise ValidationError({"entry": _("只能冲正获得积分的记录。")})
    existing = Entry.objects.filter(reversal_of=entry).first()
    if existing is not None:
        raise PointsConflict("already_reversed", _("这笔积分已经冲正过了。"))
    account = _lock(entry.account)
    amount = min(entry.amount, account.balance)
    note = reason
    if amount < entry.amount:
        note = _("%(reason)s（已使用的积分无法收回，冲正 %(n)s 分）") % {"reason": reason, "n": amount}
    reversal, created = write_entry(account=account, kind=EntryKind.REVERSAL, amount=-amount,
                                    source_key=f"reversal:{entry.source_key}"[:SOURCE_KEY_MAX], reason=note,
                                    trigger=entry.trigger, minutes=entry.minutes, activity_key=entry.activity_key,
                                    approver=_user(actor), created_by=_user(actor), reversal_of=entry, now=now)
    if not created:
        raise PointsConflict("already_reversed", _("这笔积分已经冲正过了。"))
    record_activity(actor=actor, action="points_reverse", obj=account, changes={"balance": [None, -amount]},
                    note=note)
    return reversal


def reverse_source(*, source_key: str, reason: str) -> Entry | None:
    """A verification found false: reverse what its source earned (nothing if it earned nothing)."""
    entry = Entry.objects.filter(source_key=source_key, kind=EntryKind.AWARD).select_related("account__scheme").first()
    if entry is None or Entry.objects.filter(reversal_of=entry).exists():
        return None
    try:
        return entry_reverse(actor=SYSTEM, entry=entry, reason=reason or _("核实被撤销"))
    except PointsConflict:
        return None


def new_source_key() -> str:
    """A fresh key for a manual award made on a page (rendered into the form: a double submit pays once)."""
    return f"web-{uuid.uuid4().hex}"
