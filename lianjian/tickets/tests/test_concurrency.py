"""Two staff triaging or dispatching the same report at once: exactly one transition happens.

The status changes with a conditional UPDATE (``services._transition``); the negative control
switches it to read-check-write (``services.LOCKING = False``) and the same race lets both through.
"""

from __future__ import annotations

from typing import Any

import pytest

from lianjian.testing import make_user, make_world, run_together
from lianjian.tickets import services
from lianjian.tickets.models import Report, Status, TimelineEntry

from .factories import make_report

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def _race(world: Any, report: Report, step: str) -> dict[str, list[Any]]:
    second = make_user(role="community_staff", region=world.community)

    def job(actor: Any) -> Any:
        def run() -> Any:
            fresh = Report.objects.get(pk=report.pk)
            if step == "dispatch":
                return services.dispatch(actor=actor, report=fresh, unit=world.unit)
            return services.accept(actor=actor, report=fresh)
        return run

    return run_together([job(world.staff), job(second)])


@pytest.mark.parametrize("step,state", [("accept", "new"), ("dispatch", "accepted")])
def test_two_staff_at_once_make_exactly_one_transition(step, state):
    world = make_world()
    report = make_report(world, state=state)
    results = _race(world, report, step)
    assert not results["error"], results
    assert len(results["ok"]) == 1 and len(results["refused"]) == 1
    assert TimelineEntry.objects.filter(report=report, step=step).count() == 1
    assert Report.objects.get(pk=report.pk).status == (Status.ACCEPTED if step == "accept" else Status.DISPATCHED)


def test_negative_control_without_the_conditional_update_both_pass(monkeypatch):
    world = make_world()
    report = make_report(world, state="accepted")
    monkeypatch.setattr(services, "LOCKING", False)
    results = _race(world, report, "dispatch")
    assert len(results["ok"]) == 2 or TimelineEntry.objects.filter(report=report, step="dispatch").count() == 2
