"""Rewards and two-phase redemptions: hold, confirm once, void on expiry or cancel, bad input refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lianjian.points import expiry, redemptions
from lianjian.points.models import Account, Entry, Redemption, Reward

from .factories import fund, make_reward, make_scheme

pytestmark = pytest.mark.django_db


def test_redeem_holds_points_and_stock_then_the_merchant_confirms_once(world):
    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 100)
    reward = make_reward(scheme, organisation=world.unit, points=30, stock=2)
    r = redemptions.redeem(actor=world.rider, reward=reward)
    account.refresh_from_db()
    assert (account.balance, account.held, r.status, len(r.code)) == (70, 30, "held", 8)
    assert Reward.objects.get(pk=reward.pk).stock == 1
    assert Entry.objects.get(source_key=f"redemption:{r.pk}:hold").amount == -30
    with pytest.raises(PermissionDenied):
        redemptions.confirm(actor=world.other_liaison, redemption=r)  # another merchant
    with pytest.raises(PermissionDenied):
        redemptions.confirm(actor=world.staff, redemption=r)  # a merchant's reward: its liaison confirms
    redemptions.confirm(actor=world.liaison, redemption=r)
    with pytest.raises(redemptions.PointsConflict) as err:
        redemptions.confirm(actor=world.liaison, redemption=r)
    assert err.value.code == "already_confirmed"
    account.refresh_from_db()
    assert (account.balance, account.held) == (70, 0)
    assert Account.objects.get(pk=account.pk).honour_minutes == 0  # honour untouched either way
    assert expiry.recompute() == []


def test_community_rewards_are_confirmed_by_their_staff(world):
    scheme = make_scheme(world)
    fund(scheme, world.rider, 50)
    r = redemptions.redeem(actor=world.rider, reward=make_reward(scheme, points=20))
    with pytest.raises(PermissionDenied):
        redemptions.confirm(actor=world.liaison, redemption=r)
    assert redemptions.confirm(actor=world.staff, redemption=r).status == "posted"


def test_short_balance_stock_or_limit_is_a_conflict_and_nothing_moves(world):
    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 50)
    reward = make_reward(scheme, points=60)
    with pytest.raises(redemptions.PointsConflict) as err:
        redemptions.redeem(actor=world.rider, reward=reward)
    assert err.value.code == "insufficient_points"
    sold_out = make_reward(scheme, points=10, stock=0)
    with pytest.raises(redemptions.PointsConflict) as err:
        redemptions.redeem(actor=world.rider, reward=sold_out)
    assert err.value.code == "out_of_stock"
    limited = make_reward(scheme, points=10, per_person_limit=1)
    redemptions.redeem(actor=world.rider, reward=limited)
    with pytest.raises(redemptions.PointsConflict) as err:
        redemptions.redeem(actor=world.rider, reward=limited)
    assert err.value.code == "limit_reached"
    account.refresh_from_db()
    assert (account.balance, account.held, Redemption.objects.count()) == (40, 10, 1)
    assert expiry.recompute() == []


def test_an_expired_or_inactive_reward_cannot_be_redeemed(world):
    scheme = make_scheme(world)
    fund(scheme, world.rider, 50)
    today = timezone.localdate()
    old = make_reward(scheme, points=10, valid_from=today - dt.timedelta(days=30),
                      valid_until=today - dt.timedelta(days=1))
    later = make_reward(scheme, points=10, valid_from=today + dt.timedelta(days=3))
    off = make_reward(scheme, points=10, is_active=False)
    for reward in (old, later, off):
        with pytest.raises(ValidationError):
            redemptions.redeem(actor=world.rider, reward=reward)
    assert not Redemption.objects.exists()


def test_reward_bad_input_is_refused(world):
    scheme = make_scheme(world)
    for bad in ({"points": 0}, {"points": -3}, {"points": 10**7}, {"stock": -1}):
        with pytest.raises(ValidationError):
            make_reward(scheme, **{"points": 10, "stock": 1, **bad})
    with pytest.raises(ValidationError):
        make_reward(scheme, organisation=world.other_unit)  # not a partner of the community
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        make_reward(scheme, valid_from=today, valid_until=today - dt.timedelta(days=1))
    assert not Reward.objects.exists()


def test_holds_past_their_deadline_are_voided_once_and_everything_returns(world):
    scheme = make_scheme(world, hold_days=3)
    account = fund(scheme, world.rider, 50)
    reward = make_reward(scheme, points=20, stock=1)
    r = redemptions.redeem(actor=world.rider, reward=reward)
    assert redemptions.expire_holds(now=timezone.now() + dt.timedelta(days=2)) == 0
    later = timezone.now() + dt.timedelta(days=3, minutes=1)
    with pytest.raises(redemptions.PointsConflict):
        redemptions.confirm(actor=world.staff, redemption=r, now=later)  # too late even before the job runs
    assert redemptions.expire_holds(now=later) == 1
    assert redemptions.expire_holds(now=later) == 0
    account.refresh_from_db()
    r.refresh_from_db()
    assert (account.balance, account.held, r.status, r.void_reason) == (50, 0, "voided", "expired")
    assert Reward.objects.get(pk=reward.pk).stock == 1
    assert Entry.objects.get(source_key=f"redemption:{r.pk}:void").amount == 20
    assert expiry.recompute() == []


def test_the_person_may_cancel_a_hold_but_not_someone_else(world):
    scheme = make_scheme(world)
    fund(scheme, world.rider, 50)
    r = redemptions.redeem(actor=world.rider, reward=make_reward(scheme, points=20))
    with pytest.raises(PermissionDenied):
        redemptions.cancel(actor=world.resident, redemption=r)
    redemptions.cancel(actor=world.rider, redemption=r)
    with pytest.raises(redemptions.PointsConflict):
        redemptions.cancel(actor=world.rider, redemption=r)
    with pytest.raises(redemptions.PointsConflict) as err:
        redemptions.confirm(actor=world.staff, redemption=r)
    assert err.value.code == "voided"
    assert Account.objects.get(person=world.rider).balance == 50


def test_the_periodic_tasks_are_idempotent(world):
    from lianjian.points import tasks

    scheme = make_scheme(world, hold_days=1)
    fund(scheme, world.rider, 50)
    r = redemptions.redeem(actor=world.rider, reward=make_reward(scheme, points=20),
                           now=timezone.now() - dt.timedelta(days=2))
    assert tasks.expire_holds.call_local() == 1 and tasks.expire_holds.call_local() == 0
    assert tasks.expire_points.call_local() == 0 and tasks.notify_expiring.call_local() == 0
    tasks.expire_holds()  # queued (immediate in tests) like the scheduler does: nothing more to void
    assert Redemption.objects.get(pk=r.pk).status == "voided"
    assert Account.objects.get(person=world.rider).balance == 50


def test_a_redemption_code_that_clashes_is_drawn_again_and_the_price_held_once(world, monkeypatch):
    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 100)
    reward = make_reward(scheme, organisation=world.unit, points=30, stock=5)
    first = redemptions.redeem(actor=world.rider, reward=reward)
    draws = iter([first.code, "98765432"])
    monkeypatch.setattr(redemptions, "new_code", lambda: next(draws))
    second = redemptions.redeem(actor=world.rider, reward=reward)
    assert second.code == "98765432"
    account.refresh_from_db()
    assert (account.balance, account.held) == (40, 60)
    assert Reward.objects.get(pk=reward.pk).stock == 3
