"""Simultaneous registrations, cancellations and scans (threads with their own connections).

Runs on SQLite (IMMEDIATE transactions) and PostgreSQL (SELECT … FOR UPDATE on the event row).
The negative control turns the lock off (``services.LOCKING``) and shows the same race breaks the
invariants — so these tests can fail.
"""

from __future__ import annotations

from typing import Any

import pytest

from lianjian.events import services
from lianjian.events.models import Event, Registration, RegistrationStatus
from lianjian.testing import make_world, run_together

from .factories import make_event, next_phone, register

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

PLACES, PEOPLE = 4, 10


def _race(world: Any, event: Event) -> dict[str, list[Any]]:
    def job(phone: str) -> Any:
        def run() -> Any:
            return services.registration_create(actor=world.staff, event=Event.objects.get(pk=event.pk),
                                                name="并发", phone=phone)
        return run

    return run_together([job(next_phone()) for _ in range(PEOPLE)])


def _invariants_hold(event: Event, results: dict[str, list[Any]]) -> bool:
    rows = list(Registration.objects.filter(event=event).order_by("id"))
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in rows if r.status == RegistrationStatus.WAITLISTED]
    taken = Event.objects.get(pk=event.pk).taken
    return (not results["error"] and len(confirmed) == PLACES and len(waiting) == PEOPLE - PLACES
            and taken == PLACES and len({r.phone for r in rows}) == len(rows)
            # Arrival order: every confirmed registration came before every waitlisted one.
            and max(r.pk for r in confirmed) < min(r.pk for r in waiting))


def test_simultaneous_registrations_fill_exactly_the_places_and_queue_the_rest():
    world = make_world()
    event = make_event(world, capacity=PLACES)
    results = _race(world, event)
    assert _invariants_hold(event, results), results


def test_negative_control_without_the_lock_the_same_race_breaks(monkeypatch):
    world = make_world()
    event = make_event(world, capacity=PLACES)
    monkeypatch.setattr(services, "LOCKING", False)
    results = _race(world, event)
    assert not _invariants_hold(event, results)


def test_simultaneous_cancellations_promote_exactly_one_each():
    world = make_world()
    event = make_event(world, capacity=PLACES)
    confirmed = [register(world, event) for _ in range(PLACES)]
    queue = [register(world, event) for _ in range(6)]

    def cancel(r: Registration) -> Any:
        return lambda: services.registration_cancel(actor=world.staff, registration=Registration.objects.get(pk=r.pk))

    results = run_together([cancel(r) for r in confirmed[:3]])
    assert results["error"] == [] and len(results["ok"]) == 3
    statuses = [Registration.objects.get(pk=r.pk).status for r in queue]
    assert statuses == ["confirmed"] * 3 + ["waitlisted"] * 3
    assert Event.objects.get(pk=event.pk).taken == PLACES


def test_two_scanners_one_code_one_check_in():
    world = make_world()
    event = make_event(world)
    r = register(world, event)

    def scan(nonce: str) -> Any:
        return lambda: services.checkin(actor=world.staff, event=Event.objects.get(pk=event.pk), code=r.code,
                                        nonce=nonce)

    results = run_together([scan(f"n{i}") for i in range(5)] + [scan("same"), scan("same")])
    assert results["error"] == []
    outcomes = sorted(x.outcome for x in results["ok"])
    assert outcomes.count("ok") in (1, 2)  # the winner, plus a replay of "same" when "same" won
    ok_scans = event.scans.filter(outcome="ok").count()
    assert ok_scans == 1
    assert outcomes.count("ok") + outcomes.count("already_checked_in") == 7
