"""Simultaneous redemptions, awards and confirmations (threads with their own connections).

Runs on SQLite (IMMEDIATE transactions serialise writers) and PostgreSQL (conditional UPDATEs and
row locks). The negative control turns the locking off (``redemptions.LOCKING``): balance and stock
are then read before the transaction and written back as numbers, and the same race breaks the
invariants — so these tests can fail.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from lianjian.accounts.models import Role
from lianjian.core.domain_events import report_verified
from lianjian.points import expiry, ledger, redemptions
from lianjian.points.models import Account, Entry, Redemption, Reward
from lianjian.testing import make_user, make_world, run_together

from .factories import fund, make_reward, make_scheme

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def _redeem_race(world: Any, reward: Reward, people: list[Any]) -> dict[str, list[Any]]:
    def job(person: Any) -> Any:
        return lambda: redemptions.redeem(actor=person, reward=Reward.objects.get(pk=reward.pk))

    return run_together([job(p) for p in people])


def test_one_person_with_100_points_redeeming_30_ten_times_at_once_gets_exactly_three():
    world = make_world()
    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 100)
    reward = make_reward(scheme, points=30, stock=50)
    results = _redeem_race(world, reward, [world.rider] * 10)
    assert results["error"] == [], results["error"]
    assert len(results["ok"]) == 3 and len(results["refused"]) == 7
    account.refresh_from_db()
    assert (account.balance, account.held) == (10, 90)
    assert Reward.objects.get(pk=reward.pk).stock == 47
    assert expiry.recompute() == []


def test_stock_of_two_with_ten_people_at_once_gives_exactly_two():
    world = make_world()
    scheme = make_scheme(world)
    people = [make_user(role=Role.RIDER) for _ in range(10)]
    for p in people:
        fund(scheme, p, 100)
    reward = make_reward(scheme, points=30, stock=2)
    results = _redeem_race(world, reward, people)
    assert results["error"] == [], results["error"]
    assert len(results["ok"]) == 2
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert Redemption.objects.filter(reward=reward).count() == 2
    assert expiry.recompute() == []


def test_negative_control_without_the_locks_the_same_race_breaks(monkeypatch):
    world = make_world()
    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 100)
    reward = make_reward(scheme, points=30, stock=50)
    monkeypatch.setattr(redemptions, "LOCKING", False)
    _redeem_race(world, reward, [world.rider] * 10)
    # More than three redemptions went through, or the cached balance no longer matches the ledger.
    account.refresh_from_db()
    broken = Redemption.objects.filter(account=account).count() > 3 or expiry.recompute() != []
    assert broken


def test_one_source_delivered_five_times_at_once_awards_once():
    world = make_world()
    make_scheme(world)

    def deliver() -> Any:
        return lambda: report_verified.send(sender=report_verified, source_key="reports.verified:77",
                                            person=world.rider, community=world.community,
                                            occurred_at=timezone.now(), phone="", category_code="x", title="并发")

    results = run_together([deliver() for _ in range(5)])
    assert results["error"] == [], results["error"]
    assert Entry.objects.filter(source_key="reports.verified:77").count() == 1
    assert Account.objects.get(person=world.rider).balance == 10
    assert Account.objects.get(person=world.rider).reports_verified == 1


def test_the_same_manual_award_sent_five_times_at_once_pays_once():
    world = make_world()
    scheme = make_scheme(world)

    def award() -> Any:
        return lambda: ledger.award_manual(actor=world.staff, scheme=scheme, person=world.rider, points=5,
                                           reason="并发", source_key="retry-1")

    results = run_together([award() for _ in range(5)])
    assert results["error"] == [], results["error"]
    assert Entry.objects.count() == 1 and Account.objects.get(person=world.rider).balance == 5


def test_two_confirmations_of_one_code_at_once_post_it_once():
    world = make_world()
    scheme = make_scheme(world)
    fund(scheme, world.rider, 100)
    r = redemptions.redeem(actor=world.rider, reward=make_reward(scheme, organisation=world.unit, points=30))

    def confirm() -> Any:
        return lambda: redemptions.confirm(actor=world.liaison, redemption=Redemption.objects.get(pk=r.pk))

    results = run_together([confirm(), confirm()])
    assert results["error"] == [], results["error"]
    assert len(results["ok"]) == 1 and len(results["refused"]) == 1
    assert results["refused"][0].code == "already_confirmed"
    assert Account.objects.get(person=world.rider).held == 0
    assert expiry.recompute() == []


def test_a_confirmation_racing_the_expiry_job_resolves_the_code_once():
    import datetime as dt

    world = make_world()
    scheme = make_scheme(world)
    fund(scheme, world.rider, 100)
    r = redemptions.redeem(actor=world.rider, reward=make_reward(scheme, points=30))
    Redemption.objects.filter(pk=r.pk).update(expires_at=timezone.now() + dt.timedelta(seconds=1))
    later = timezone.now() + dt.timedelta(seconds=1)
    results = run_together([
        lambda: redemptions.confirm(actor=world.staff, redemption=Redemption.objects.get(pk=r.pk)),
        lambda: redemptions.expire_holds(now=later), lambda: redemptions.expire_holds(now=later)])
    assert results["error"] == [], results["error"]
    assert Redemption.objects.get(pk=r.pk).status in ("posted", "voided")
    assert expiry.recompute() == []
