"""Writes to events: creating them, registering, the waitlist, and check-in at the door.

Invariants, each kept by one mechanism:
- ``Event.taken`` (places held) never exceeds the capacity: every change to it happens inside a
  transaction holding the event's row lock (``select_for_update``; SQLite's IMMEDIATE transactions
  serialise writers the same way), and a check constraint backs it up.
- The waitlist is first-in-first-out: a new registration is confirmed only when nobody is waiting,
  and a freed place always goes to the head of the queue (nobody jumps it, walk-ins included).
- One phone number holds at most one active registration per event (a partial unique index).
- A check-in happens once: a conditional ``UPDATE … WHERE checked_in_at IS NULL``; a retried scan
  with the same nonce replays the stored answer instead of scanning again.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, Viewer, person_of, require_person
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import record_activity, snapshot
from lianjian.core.domain_events import attendance_verified, emit
from lianjian.core.integrity import breaks_unique
from lianjian.notifications.services import notify

from .models import (
    ACTIVE,
    HOLDING,
    MAX_PARTY,
    CheckInScan,
    Event,
    EventStatus,
    Promotion,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    new_code,
    new_manage_token,
)

# Test-only switch for the negative control of the concurrency tests: with it off, the
# availability check runs outside the locked transaction (check-then-act), which must break.
LOCKING = True

EVENT_FIELDS = ["title", "kind", "region", "project", "description", "venue", "address", "starts_at", "ends_at",
                "gather_at", "audience", "capacity", "max_party_size", "registration_opens_at",
                "registration_closes_at", "waitlist", "promotion", "offer_hours", "ask_emergency_contact",
                "ask_shirt_size", "ask_dietary_notes", "is_public", "pledge_goal", "pledge_goal_unit"]


class EventConflict(ValidationError):
    """A request that clashes with the event's state (the API answers 409); ``code`` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


def may_run(actor: Viewer, event: Event) -> bool:
    """Staff of the organising community or street (and admins above it) run the event."""
    return get_scope(actor).covers_region(event.region)


def _require_staff(actor: Actor, event: Event) -> None:
    if not may_run(actor, event):
        raise PermissionDenied


# ---- events ------------------------------------------------------------------------------------

@transaction.atomic
def event_create(*, actor: Actor, co_units: list[Any] | None = None, **data: Any) -> Event:
    """Create an event in a community or street the actor runs; co-organisers must be its partners."""
    unknown = set(data) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields: {sorted(unknown)}")
    region = data.get("region")
    scope = get_scope(actor)
    if region is None or not scope.covers_region(region):
        raise PermissionDenied
    if region.kind not in ("community", "street"):
        raise ValidationError({"region": _("活动须由社区或街道主办。")})
    event = Event(created_by=person_of(actor), **data)
    event.full_clean()
    _check_times(event)
    event.save()
    if co_units:
        event.co_units.set(co_units)
    record_activity(actor=actor, action="create", obj=event,
                    changes=snapshot(event, ["title", "region", "starts_at", "capacity", "waitlist"]))
    return event


def _check_times(event: Event) -> None:
    errors: dict[str, str] = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = _("结束时间须晚于开始时间。")
    if event.gather_at and event.starts_at and event.gather_at > event.starts_at:
        errors["gather_at"] = _("集合时间不能晚于开始时间。")
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = _("报名截止须晚于报名开始。")
    if closes and event.ends_at and closes > event.ends_at:
        errors["registration_closes_at"] = _("报名截止不能晚于活动结束。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_cancel(*, actor: Actor, event: Event, reason: str) -> Event:
    """Cancel an event: every active registration is told; nobody can register any more."""
    _require_staff(actor, event)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("活动已取消。"))
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    event.status = EventStatus.CANCELLED
    people = list(event.registrations.filter(status__in=ACTIVE, user__isnull=False).values_list("user_id", flat=True))
    notify(recipients=people, text=_("活动“%(title)s”已取消：%(reason)s") % {"title": event.title, "reason": reason},
           url=event.get_absolute_url())
    record_activity(actor=actor, action="cancel", obj=event, changes={"status": ["open", "cancelled"]},
                    note=reason)
    return event


# ---- registration ------------------------------------------------------------------------------

def registration_window_error(event: Event, now: dt.datetime | None = None) -> str | None:
    """Why registering is impossible right now, or None when it is open."""
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return _("活动已取消，不能报名。")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("报名尚未开始（%(when)s 开始）。") % {
            "when": date_format(timezone.localtime(event.registration_opens_at), "SHORT_DATETIME_FORMAT")}
    if event.registration_closes_at and now >= event.registration_closes_at:
        return _("报名已截止。")
    if now >= event.ends_at:
        return _("活动已结束。")
    return None


@dataclass
class Registrant:
    name: str
    phone: str
    source: str


def _registrant(actor: Viewer, event: Event, name: str, phone: str, phone_verified: bool) -> Registrant:
    """Staff register anybody by name and phone; a person without an account registers with a
    phone number they proved with a one-time code; everyone else registers themselves."""
    name, phone = (name or "").strip(), (phone or "").strip().replace(" ", "")
    if phone_verified and not getattr(actor, "is_authenticated", False):
        if not name:
            raise ValidationError({"name": _("请填写姓名。")})
        return Registrant(name=name, phone=phone, source=RegistrationSource.PHONE)
    if may_run(actor, event) and (name or phone):
        if not name:
            raise ValidationError({"name": _("请填写报名人姓名。")})
        if not phone:
            raise ValidationError({"phone": _("请填写报名人手机号。")})
        return Registrant(name=name, phone=phone, source=RegistrationSource.STAFF)
    person = require_person(actor)
    own_phone = person.phone or phone
    if not own_phone:
        raise ValidationError({"phone": _("请填写您的手机号。")})
    if person.phone and phone and phone != person.phone:
        raise PermissionDenied  # a person registers only themselves
    return Registrant(name=person.get_full_name() or person.username, phone=own_phone,
                      source=RegistrationSource.SELF)


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


# What registering reads of the event: the window, the places and whether a queue is kept.
_REGISTRATION_FIELDS = ("status", "registration_opens_at", "registration_closes_at", "ends_at", "capacity", "taken",
                        "waitlist")


def _registration_statement(event: Event, phone: str) -> tuple[str, list[Any]]:
    """The statement of :func:`_locked_for_registration` and its parameters.

    The active statuses are written into the statement, not bound: SQLite uses the partial unique
    index ``registration_one_active_per_phone`` only when it can see that the query's condition
    implies the index's, so with bound statuses the duplicate check read every confirmed row of
    the event (a 1,000-place run made the 1,000th registration scan 999 rows)."""
    quote = connection.ops.quote_name
    wanted = {"id", *_REGISTRATION_FIELDS}
    columns = ", ".join(f"e.{quote(f.column or f.name)}" for f in Event._meta.concrete_fields if f.name in wanted)
    if not all(status.isalpha() for status in ACTIVE):
        raise ValueError("registration statuses are written into SQL: letters only")
    active = ", ".join(f"'{status}'" for status in ACTIVE)
    lock = " FOR UPDATE OF e" if LOCKING and connection.features.has_select_for_update_of else ""
    # Table and column names and the statuses come from the models; every other value is bound.
    sql = (f"SELECT {columns}, "  # noqa: S608
           f"EXISTS (SELECT 1 FROM {quote(Registration._meta.db_table)} r WHERE r.event_id = e.id AND r.phone = %s"
           f" AND r.status IN ({active})) AS duplicate, "
           f"(SELECT COUNT(*) FROM {quote(Registration._meta.db_table)} r WHERE r.event_id = e.id"
           f" AND r.status = %s) AS queued "
           f"FROM {quote(Event._meta.db_table)} e WHERE e.id = %s{lock}")
    return sql, [phone, RegistrationStatus.WAITLISTED, event.pk]


def _locked_for_registration(event: Event, phone: str) -> tuple[Event, bool, int]:
    """The event row under its lock, whether *phone* already holds a place or waits, and how many people
    are queued — one query on the hot path of a run's registration rush.

    Written in SQL because building this query through the ORM cost more CPU than the database spent
    answering it (the load benchmark of ``bench/events_load.py``); the statuses come from the models."""
    row = next(iter(Event.objects.raw(*_registration_statement(event, phone))))
    return row, bool(row.duplicate), int(row.queued)  # type: ignore[attr-defined]


def _take_places(event_pk: int, places: int) -> None:
    """Count *places* more (or, negative, fewer) as taken, under the event's lock. One plain statement: the ORM's
    ``update(taken=F(...) + n)`` cost six times the CPU on the registration rush's hot path."""
    column = connection.ops.quote_name(str(Event._meta.get_field("taken").column))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(Event._meta.db_table)} "  # noqa: S608 (names from the model)
                       f"SET {column} = {column} + %s WHERE id = %s", [places, event_pk])


def _queue_head(event: Event) -> Registration | None:
    return event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("id").first()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the head of the queue; None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=RegistrationStatus.WAITLISTED,
                                        id__lt=registration.pk).count()
    return ahead + 1


def registration_create(*, actor: Viewer, event: Event, name: str = "", phone: str = "", party_size: int = 1,
                        emergency_contact: str = "", shirt_size: str = "", dietary_notes: str = "",
                        now: dt.datetime | None = None, phone_verified: bool = False) -> Registration:
    """Register a person (and family): confirmed while places are free and nobody waits, else queued.

    ``now`` lets the platform record a paper list after the fact (the demo's history);
    ``phone_verified`` says the caller checked a one-time code for *phone* (no account needed)."""
    who = _registrant(actor, event, name, phone, phone_verified)
    registration = Registration(
        event=event, user=person_of(actor) if who.source == RegistrationSource.SELF else None, name=who.name,
        phone=who.phone, party_size=party_size, source=who.source, status=RegistrationStatus.WAITLISTED,
        emergency_contact=(emergency_contact or "").strip(), shirt_size=(shirt_size or "").strip(),
        dietary_notes=(dietary_notes or "").strip())
    # The code and private link are drawn below and unique by construction (and by the database).
    registration.full_clean(exclude=["code", "manage_token", "event", "status"], validate_unique=False,
                              validate_constraints=False)
    if not 1 <= party_size <= min(event.max_party_size, MAX_PARTY):
        raise ValidationError({"party_size": _("每份报名人数须在 1 到 %(n)s 人之间。") % {"n": event.max_party_size}})
    if event.ask_emergency_contact and not registration.emergency_contact:
        raise ValidationError({"emergency_contact": _("请填写紧急联系人及电话。")})
    if event.ask_shirt_size and not registration.shirt_size:
        raise ValidationError({"shirt_size": _("请选择T恤尺码。")})
    stale = None if LOCKING else _availability(event)
    for draw in range(CODE_DRAWS):
        try:
            return _register(actor, event, registration, party_size, now=now, stale=stale)
        except IntegrityError as exc:
            if breaks_unique(exc, Registration, "event", "phone"):
                raise _already_registered() from exc
            drawn_again = breaks_unique(exc, Registration, "code") or breaks_unique(exc, Registration, "manage_token")
            if not drawn_again or draw + 1 == CODE_DRAWS:
                raise
            registration.code, registration.manage_token = new_code(), new_manage_token()
    raise AssertionError("unreachable")  # the loop returns or raises


def _already_registered() -> EventConflict:
    return EventConflict("already_registered", _("该手机号已报名或在候补名单中。"))


# How often a registration draws a new check-in code after a clash (each clash: 1 in 10^12).
CODE_DRAWS = 5


def _register(actor: Viewer, event: Event, registration: Registration, party_size: int, *,
              now: dt.datetime | None, stale: tuple[bool, int] | None) -> Registration:
    """The locked part of :func:`registration_create`: as few statements as the rules need, so the
    event's lock (SQLite's write lock) is held briefly. The check-in code is unique by the
    database, not by a look-up first (see ``lianjian.core.integrity``)."""
    registration.status = RegistrationStatus.WAITLISTED
    with transaction.atomic():
        locked, duplicate, queued = _locked_for_registration(event, registration.phone)
        problem = registration_window_error(locked, now)
        if problem:
            raise ValidationError(problem)
        if duplicate:
            raise _already_registered()
        waiting, free = stale if stale is not None else (queued > 0, locked.capacity - locked.taken)
        if not waiting and free >= party_size:
            registration.status = RegistrationStatus.CONFIRMED
            _take_places(locked.pk, party_size)
        elif not locked.waitlist:
            raise EventConflict("full", _("名额已满。"))
        registration.save()
        record_activity(actor=actor, action="register", obj=registration,
                        changes=snapshot(registration, ["name", "party_size", "status", "source"]))
    # The place in the queue at this moment, counted under the lock (the API's answer needs no second
    # count); later, ask waitlist_position.
    registration.position_when_registered = (  # type: ignore[attr-defined]
        queued + 1 if registration.status == RegistrationStatus.WAITLISTED and stale is None else None)
    return registration


def _availability(event: Event, fresh: Event | None = None) -> tuple[bool, int]:
    """(somebody is waiting, free places), read fresh from the database (or from the row just
    read under the lock)."""
    fresh = fresh or Event.objects.only("capacity", "taken").get(pk=event.pk)
    waiting = Registration.objects.filter(event_id=event.pk, status=RegistrationStatus.WAITLISTED).exists()
    if not LOCKING:
        time.sleep(0.05)  # widen the check-then-act window so the negative control really races
    return waiting, fresh.capacity - fresh.taken


def _promote(event: Event, *, now: dt.datetime) -> list[Registration]:
    """Give freed places to the head of the queue, in order, as long as the head's party fits.

    Runs inside the transaction that holds the event's lock.
    """
    promoted: list[Registration] = []
    while True:
        head = _queue_head(event)
        fresh = Event.objects.only("capacity", "taken", "promotion", "offer_hours").get(pk=event.pk)
        if head is None or head.party_size > fresh.capacity - fresh.taken:
            return promoted
        if fresh.promotion == Promotion.OFFER:
            head.status = RegistrationStatus.OFFERED
            head.offer_expires_at = now + dt.timedelta(hours=fresh.offer_hours)
            text = _("“%(title)s”有名额空出，请在 %(when)s 前确认参加。") % {
                "title": event.title,
                "when": date_format(timezone.localtime(head.offer_expires_at), "SHORT_DATETIME_FORMAT")}
        else:
            head.status = RegistrationStatus.CONFIRMED
            text = _("您已从候补转为正式报名：“%(title)s”。") % {"title": event.title}
        head.promoted_at = now
        _take_places(event.pk, head.party_size)
        head.save(update_fields=["status", "offer_expires_at", "promoted_at"])
        record_activity(actor=None, action="promote", obj=head,
                        changes={"status": [RegistrationStatus.WAITLISTED, head.status]})
        if head.user_id:
            notify(recipients=[head.user_id], text=text, url=event.get_absolute_url())
        promoted.append(head)


def _release(registration: Registration, *, to: str, now: dt.datetime) -> None:
    """Move an active registration to a final state, freeing its places (lock held by the caller)."""
    held = registration.status in HOLDING
    updated = Registration.objects.filter(pk=registration.pk, status=registration.status).update(
        status=to, cancelled_at=now)
    if updated != 1:
        raise EventConflict("changed", _("报名状态已变化，请刷新后重试。"))
    if held:
        _take_places(registration.event_id, -registration.party_size)
    registration.status, registration.cancelled_at = to, now


@transaction.atomic
def registration_cancel(*, actor: Viewer, registration: Registration, holder: bool = False) -> Registration:
    """The person (or staff) cancels a place or leaves the waitlist; the next in line moves up.

    ``holder`` says the caller opened the registration's private link (registered by phone code)."""
    if not holder and not (registration.user_id and registration.user_id == getattr(actor, "pk", None)) \
            and not may_run(actor, registration.event):
        raise PermissionDenied
    event = _lock(registration.event)
    registration = Registration.objects.select_related("event").get(pk=registration.pk)
    if registration.status not in ACTIVE:
        raise EventConflict("not_active", _("该报名已取消或已失效。"))
    if registration.checked_in_at:
        raise EventConflict("checked_in", _("已签到的报名不能取消。"))
    before = registration.status
    _release(registration, to=RegistrationStatus.CANCELLED, now=timezone.now())
    record_activity(actor=actor, action="cancel", obj=registration,
                    changes={"status": [before, RegistrationStatus.CANCELLED]})
    _promote(event, now=timezone.now())
    return registration


@transaction.atomic
def offer_accept(*, actor: Viewer, registration: Registration, holder: bool = False) -> Registration:
    """Accept a place offered from the waitlist before the offer lapses."""
    if not holder and registration.user_id != getattr(actor, "pk", None) and not may_run(actor, registration.event):
        raise PermissionDenied
    _lock(registration.event)
    now = timezone.now()
    updated = Registration.objects.filter(
        pk=registration.pk, status=RegistrationStatus.OFFERED, offer_expires_at__gt=now,
    ).update(status=RegistrationStatus.CONFIRMED)
    if updated != 1:
        raise EventConflict("offer_gone", _("递补名额已过期或已处理。"))
    registration.refresh_from_db()
    record_activity(actor=actor, action="accept_offer", obj=registration,
                    changes={"status": [RegistrationStatus.OFFERED, RegistrationStatus.CONFIRMED]})
    return registration


def expire_offers(*, now: dt.datetime | None = None) -> int:
    """Lapse every waitlist offer past its deadline and pass the place on. Safe to run twice."""
    now = now or timezone.now()
    lapsed = 0
    due = Registration.objects.filter(status=RegistrationStatus.OFFERED, offer_expires_at__lte=now)
    for pk, event_id in due.values_list("pk", "event_id"):
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=event_id)
            registration = Registration.objects.get(pk=pk)
            if registration.status != RegistrationStatus.OFFERED:
                continue  # accepted or handled by another worker meanwhile: resolved exactly once
            _release(registration, to=RegistrationStatus.EXPIRED, now=now)
            record_activity(actor=None, action="offer_expired", obj=registration,
                            changes={"status": [RegistrationStatus.OFFERED, RegistrationStatus.EXPIRED]})
            _promote(event, now=now)
            lapsed += 1
    return lapsed


# ---- check-in ----------------------------------------------------------------------------------

@dataclass
class CheckInResult:
    outcome: str  # "ok" or the reason it was refused
    http_status: int
    message: str
    registration: Registration | None = None


def _answer(scan: CheckInScan) -> CheckInResult:
    return CheckInResult(scan.outcome, scan.http_status, scan.message, scan.registration)


def checkin(*, actor: Actor, event: Event, code: str, nonce: str, now: dt.datetime | None = None) -> CheckInResult:
    """Check a registration in by its code. The same nonce again replays the first answer."""
    _require_staff(actor, event)
    code, nonce = (code or "").strip().upper().replace("-", "").replace(" ", ""), (nonce or "").strip()
    if not nonce or len(nonce) > 64:
        raise ValidationError({"nonce": _("扫码请求缺少有效的随机编号。")})
    try:
        with transaction.atomic():
            previous = CheckInScan.objects.select_related("registration").filter(event=event, nonce=nonce).first()
            if previous is not None:
                return _answer(previous)
            result = _check_in(actor, event, code, now or timezone.now())
            CheckInScan.objects.create(event=event, nonce=nonce, registration=result.registration,
                                       outcome=result.outcome, http_status=result.http_status,
                                       message=result.message[:200], scanned_by=person_of(actor))
            return result
    except IntegrityError:
        # The same nonce raced in on another connection and won: answer as it did.
        return _answer(CheckInScan.objects.select_related("registration").get(event=event, nonce=nonce))


def _check_in(actor: Actor, event: Event, code: str, now: dt.datetime) -> CheckInResult:
    registration = Registration.objects.select_related("event", "checked_in_by").filter(code=code).first()
    if registration is None:
        return CheckInResult("invalid_code", 422, _("签到码无效。"))
    if registration.event_id != event.pk:
        return CheckInResult("wrong_event", 409, _("这是“%(title)s”的签到码，不是本活动的。") % {
            "title": registration.event.title}, registration)
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.EXPIRED):
        return CheckInResult("cancelled", 409, _("该报名已取消。"), registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        return CheckInResult("not_confirmed", 409, _("该报名尚在候补中，未获得名额。"), registration)
    done = Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=True).update(
        checked_in_at=now, checked_in_by=person_of(actor), no_show=False)
    if done != 1:
        registration.refresh_from_db()
        return CheckInResult("already_checked_in", 409, already_message(registration), registration)
    registration.checked_in_at, registration.checked_in_by = now, person_of(actor)
    record_activity(actor=actor, action="check_in", obj=registration,
                    changes={"checked_in_at": [None, now.isoformat()]})
    emit(attendance_verified, source_key=f"events.attendance:{registration.pk}", person=registration.user,
         phone=registration.phone, community=event.region, occurred_at=now, event_id=event.pk,
         event_title=event.title)
    return CheckInResult("ok", 200, _("签到成功：%(name)s（%(n)s 人）") % {
        "name": registration.name, "n": registration.party_size}, registration)


def already_message(registration: Registration) -> str:
    by = registration.checked_in_by
    who = (by.get_full_name() or by.username) if by else _("系统")
    return _("已签到 %(time)s（%(who)s 扫码）") % {
        "time": timezone.localtime(registration.checked_in_at).strftime("%H:%M") if registration.checked_in_at else "",
        "who": who}


@transaction.atomic
def mark_no_shows(*, actor: Actor, event: Event, now: dt.datetime | None = None) -> int:
    """After the event: confirmed registrations that never checked in are marked as no-shows."""
    _require_staff(actor, event)
    now = now or timezone.now()
    if now < event.starts_at:
        raise ValidationError(_("活动开始后才能标记未到场。"))
    count = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED,
                                        checked_in_at__isnull=True, no_show=False).update(no_show=True)
    record_activity(actor=actor, action="mark_no_shows", obj=event, changes={"no_show": [0, count]})
    return count
