"""Registration, the FIFO waitlist, offers, cancellation and check-in rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from lianjian.events import models, services
from lianjian.events.models import Event, Promotion, Registration, RegistrationStatus

from .factories import make_event, next_phone, register

pytestmark = pytest.mark.django_db


def test_confirmed_until_full_then_waitlisted_in_arrival_order(world):
    event = make_event(world, capacity=2)
    a, b, c, d = (register(world, event) for _ in range(4))
    assert [a.status, b.status] == ["confirmed", "confirmed"]
    assert [c.status, d.status] == ["waitlisted", "waitlisted"]
    assert services.waitlist_position(c) == 1 and services.waitlist_position(d) == 2
    assert Event.objects.get(pk=event.pk).taken == 2


def test_family_counts_against_capacity(world):
    event = make_event(world, capacity=5, max_party_size=4)
    first = register(world, event, party_size=4)
    second = register(world, event, party_size=2)
    assert first.status == "confirmed" and second.status == "waitlisted"
    assert Event.objects.get(pk=event.pk).taken == 4


def test_same_phone_twice_is_refused_whether_confirmed_or_waitlisted(world):
    event = make_event(world, capacity=1)
    register(world, event, phone="13711112222")
    register(world, event, phone="13711113333")  # waitlisted
    for phone in ("13711112222", "13711113333"):
        with pytest.raises(services.EventConflict) as exc:
            register(world, event, phone=phone)
        assert exc.value.code == "already_registered"
    assert Registration.objects.filter(event=event).count() == 2


def test_cancel_promotes_the_head_of_the_queue_and_a_cancelled_phone_may_register_again(world):
    event = make_event(world, capacity=1)
    first = register(world, event, phone="13722220000")
    waiting = register(world, event)
    later = register(world, event)
    services.registration_cancel(actor=world.staff, registration=first)
    waiting.refresh_from_db()
    later.refresh_from_db()
    assert waiting.status == "confirmed" and waiting.promoted_at is not None
    assert later.status == "waitlisted" and services.waitlist_position(later) == 1
    again = register(world, event, phone="13722220000")
    assert again.status == "waitlisted" and services.waitlist_position(again) == 2


def test_waitlisted_person_leaves_the_queue_themselves(world):
    event = make_event(world, capacity=1)
    register(world, event)
    mine = services.registration_create(actor=world.resident, event=event, phone="13733334444")
    assert mine.status == "waitlisted"
    services.registration_cancel(actor=world.resident, registration=mine)
    assert Registration.objects.get(pk=mine.pk).status == "cancelled"
    assert Event.objects.get(pk=event.pk).taken == 1


def test_a_walk_in_never_jumps_the_queue(world):
    event = make_event(world, capacity=2, max_party_size=3)
    register(world, event)
    big = register(world, event, party_size=3)  # does not fit: queued
    walk_in = register(world, event)  # one place is free, but somebody waits
    assert big.status == "waitlisted" and walk_in.status == "waitlisted"
    assert services.waitlist_position(walk_in) == 2


def test_head_that_does_not_fit_holds_the_queue(world):
    event = make_event(world, capacity=3, max_party_size=3)
    one = register(world, event)
    register(world, event, party_size=2)
    big = register(world, event, party_size=3)
    small = register(world, event)
    services.registration_cancel(actor=world.staff, registration=one)
    big.refresh_from_db()
    small.refresh_from_db()
    assert big.status == "waitlisted" and small.status == "waitlisted"


def test_offer_mode_offers_then_expires_exactly_once_and_passes_on(world):
    event = make_event(world, capacity=1, promotion=Promotion.OFFER, offer_hours=2)
    first = register(world, event)
    second = register(world, event)
    third = register(world, event)
    services.registration_cancel(actor=world.staff, registration=first)
    second.refresh_from_db()
    assert second.status == "offered" and second.offer_expires_at is not None
    later = timezone.now() + dt.timedelta(hours=3)
    assert services.expire_offers(now=later) == 1
    assert services.expire_offers(now=later) == 0  # idempotent
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == "expired" and third.status == "offered"
    with pytest.raises(services.EventConflict):
        services.offer_accept(actor=world.staff, registration=second)
    services.offer_accept(actor=world.staff, registration=third)
    third.refresh_from_db()
    assert third.status == "confirmed"
    assert Event.objects.get(pk=event.pk).taken == 1


@pytest.mark.parametrize("change", [
    {"status": "cancelled"},
    {"registration_closes_at": "past"},
    {"registration_opens_at": "future"},
])
def test_registration_outside_the_window_or_for_a_cancelled_event_is_refused(world, change):
    event = make_event(world)
    now = timezone.now()
    values = {"past": now - dt.timedelta(minutes=1), "future": now + dt.timedelta(days=1)}
    Event.objects.filter(pk=event.pk).update(**{k: values.get(v, v) for k, v in change.items()})
    event.refresh_from_db()
    with pytest.raises(ValidationError):
        register(world, event)
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize("party_size", [0, 5, 500])
def test_family_size_out_of_range_is_refused(world, party_size):
    event = make_event(world, max_party_size=4)
    with pytest.raises(ValidationError):
        register(world, event, party_size=party_size)
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize("phone", ["12345", "1381234567x", "23812345678", ""])
def test_malformed_phone_is_refused(world, phone):
    event = make_event(world)
    with pytest.raises(ValidationError):
        services.registration_create(actor=world.staff, event=event, name="张三", phone=phone)


def test_a_person_registers_only_themselves_and_anonymous_not_at_all(world):
    from django.contrib.auth.models import AnonymousUser

    event = make_event(world)
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=AnonymousUser(), event=event, name="x", phone=next_phone())
    world.resident.phone = "13744445555"
    world.resident.save(update_fields=["phone"])
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=world.resident, event=event, phone="13744446666")
    r = services.registration_create(actor=world.resident, event=event)
    assert r.phone == "13744445555" and r.user == world.resident


def test_only_staff_of_the_region_create_events(world):
    with pytest.raises(PermissionDenied):
        make_event(world, region=world.other_community)
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        make_event(world, starts_at=start, ends_at=start - dt.timedelta(hours=1))
    assert not Event.objects.exists()


def test_checkin_once_replays_by_nonce_and_names_the_first_scanner(world):
    event = make_event(world)
    r = register(world, event)
    ok = services.checkin(actor=world.staff, event=event, code=r.code, nonce="n1")
    assert ok.outcome == "ok"
    replay = services.checkin(actor=world.staff, event=event, code=r.code, nonce="n1")
    assert replay.outcome == "ok" and replay.message == ok.message
    again = services.checkin(actor=world.staff, event=event, code=r.code.lower(), nonce="n2")
    assert again.outcome == "already_checked_in"
    assert timezone.localtime(Registration.objects.get(pk=r.pk).checked_in_at).strftime("%H:%M") in again.message
    assert world.staff.get_full_name() in again.message


def test_checkin_refuses_forged_other_event_cancelled_and_waitlisted_codes(world):
    event = make_event(world, capacity=1)
    other = make_event(world, title="趣味跑")
    confirmed = register(world, event)
    waiting = register(world, event)
    foreign = register(world, other)
    assert services.checkin(actor=world.staff, event=event, code="ZZZZZZZZ", nonce="a").outcome == "invalid_code"
    assert services.checkin(actor=world.staff, event=event, code=foreign.code, nonce="b").outcome == "wrong_event"
    assert services.checkin(actor=world.staff, event=event, code=waiting.code, nonce="c").outcome == "not_confirmed"
    services.registration_cancel(actor=world.staff, registration=confirmed)
    assert services.checkin(actor=world.staff, event=event, code=confirmed.code, nonce="d").outcome == "cancelled"
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()
    with pytest.raises(PermissionDenied):
        services.checkin(actor=world.other_staff, event=event, code=waiting.code, nonce="e")


def test_no_shows_after_the_event(world):
    event = make_event(world)
    came, missed = register(world, event), register(world, event)
    services.checkin(actor=world.staff, event=event, code=came.code, nonce="x")
    with pytest.raises(ValidationError):
        services.mark_no_shows(actor=world.staff, event=event)
    assert services.mark_no_shows(actor=world.staff, event=event, now=event.ends_at) == 1
    assert Registration.objects.get(pk=missed.pk).no_show
    assert not Registration.objects.get(pk=came.pk).no_show


def test_event_cancel_notifies_and_closes_registration(world):
    event = make_event(world)
    services.registration_create(actor=world.resident, event=event, phone="13755556666")
    services.event_cancel(actor=world.staff, event=event, reason="暴雨")
    with pytest.raises(ValidationError):
        register(world, event)
    assert RegistrationStatus.CONFIRMED in Registration.objects.values_list("status", flat=True)


def test_the_periodic_offer_task_passes_lapsed_offers_on(world):
    from lianjian.events import tasks

    event = make_event(world, capacity=1, promotion=Promotion.OFFER, offer_hours=1)
    first = register(world, event)
    second = register(world, event)
    third = register(world, event)
    services.registration_cancel(actor=world.staff, registration=first)
    Registration.objects.filter(pk=second.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    tasks.expire_offers.call_local()
    assert Registration.objects.get(pk=second.pk).status == "expired"
    assert Registration.objects.get(pk=third.pk).status == "offered"
    assert tasks.expire_offers.call_local() == 0


def test_a_drawn_code_that_clashes_is_drawn_again_and_written_once(world, monkeypatch):
    """Codes are unique by the database (no look-up first): a clash draws a new code, and the
    failed attempt leaves nothing behind — no second place taken, no stray audit row."""
    from lianjian.core.models import Activity

    event = make_event(world, capacity=5)
    first = register(world, event)
    draws = iter([first.code])
    field = Registration._meta.get_field("code")
    monkeypatch.setattr(field, "default", lambda: next(draws, None) or models.new_code())
    second = register(world, event)
    assert second.code != first.code and second.status == "confirmed"
    assert Event.objects.get(pk=event.pk).taken == 2
    assert Registration.objects.filter(event=event).count() == 2
    assert Activity.objects.filter(action="register", object_id=str(second.pk)).count() == 1


def test_a_phone_clash_reported_by_the_database_is_a_conflict_not_a_new_code(world, monkeypatch):
    """When the unique index (not the locked check) catches a second place for a phone, the answer
    is the same 409 conflict — and no new code is drawn for it."""
    event = make_event(world, capacity=5)
    register(world, event, phone="13733334444")
    monkeypatch.setattr(services, "_locked_for_registration",
                        lambda e, phone: (Event.objects.get(pk=e.pk), False, False))
    with pytest.raises(services.EventConflict) as exc:
        register(world, event, phone="13733334444")
    assert exc.value.code == "already_registered"
    assert Event.objects.get(pk=event.pk).taken == 1


def test_the_duplicate_phone_check_reads_the_partial_index_not_the_whole_event(world):
    """The locked read finds a phone's active registration through the partial unique index. With
    the statuses bound as parameters SQLite could not use it and scanned every confirmed row of the
    event — a 1,000-place run's rush slowed with each registration."""
    event = make_event(world, capacity=2000)
    Registration.objects.bulk_create([Registration(event=event, name=f"跑者{i}", phone=f"1390000{i:04d}",
                                                   status="confirmed", party_size=1) for i in range(1200)])
    sql, params = services._registration_statement(event, "13700000001")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {Registration._meta.db_table}")  # the planner sees the event's 1,200 rows
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "registration_one_active_per_phone" in plan, plan


def test_the_database_report_of_a_broken_unique_rule_names_the_right_rule(world):
    """``breaks_unique`` tells a clash on a drawn code from a second place for one phone, on
    SQLite and PostgreSQL alike (the registration's draw-again rests on it)."""
    from django.db import IntegrityError, transaction

    from lianjian.core.integrity import breaks_unique

    event = make_event(world, capacity=5)
    first = register(world, event, phone="13744445555")
    clashes = {"code": Registration(event=event, name="甲", phone=next_phone(), code=first.code, status="confirmed"),
               "phone": Registration(event=event, name="乙", phone="13744445555", status="waitlisted")}
    for rule, row in clashes.items():
        with pytest.raises(IntegrityError) as caught, transaction.atomic():
            row.save()
        assert breaks_unique(caught.value, Registration, "code") == (rule == "code")
        assert breaks_unique(caught.value, Registration, "event", "phone") == (rule == "phone")
        assert not breaks_unique(caught.value, Registration, "manage_token")
