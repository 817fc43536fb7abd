"""The ledger: one award per source, immutable entries, reversals, approvals, balance never below zero."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianjian.accounts.models import Role
from lianjian.core.domain_events import (
    attendance_verified,
    report_verified,
    verification_voided,
    volunteer_hours_verified,
)
from lianjian.points import expiry, ledger
from lianjian.points.models import Account, AwardRequest, Entry
from lianjian.testing import make_user

from .factories import fund, make_scheme

pytestmark = pytest.mark.django_db


def _report(deliver, world, key="reports.verified:1", person=None, code="manhole", community=None):
    deliver(report_verified, source_key=key, person=person or world.rider, community=community or world.community,
         occurred_at=timezone.now(), category_code=code, title="井盖缺失")


def test_a_verified_report_pays_the_rule_once_however_often_it_arrives(world, deliver):
    make_scheme(world)
    for _ in range(3):
        _report(deliver, world)
    account = Account.objects.get(person=world.rider)
    assert account.balance == 10 and account.reports_verified == 1
    assert Entry.objects.filter(source_key="reports.verified:1").count() == 1
    entry = Entry.objects.get(source_key="reports.verified:1")
    assert entry.rule is not None and entry.trigger == "report" and entry.reason == "井盖缺失"


def test_a_category_rule_beats_the_general_one(world, deliver):
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.points import schemes

    scheme = make_scheme(world)
    schemes.rule_save(actor=SYSTEM, scheme=scheme, trigger="report", category_code="fire_lane", points=25)
    _report(deliver, world, key="r:1", code="fire_lane")
    _report(deliver, world, key="r:2", code="other")
    assert Account.objects.get(person=world.rider).balance == 35


def test_a_street_scheme_covers_its_communities_and_no_scheme_pays_nothing(world, deliver):
    _report(deliver, world, key="r:none")
    assert not Entry.objects.exists()
    make_scheme(world, region=world.street)
    _report(deliver, world, key="r:street", community=world.sibling)
    assert Account.objects.get(person=world.rider).scheme.region == world.street


def test_volunteer_hours_pay_per_hour_with_a_cap_per_activity_and_count_in_the_honour_record(world, deliver):
    make_scheme(world)
    for i, minutes in enumerate([120, 90, 60]):
        deliver(volunteer_hours_verified, source_key=f"events.checkout:{i}", person=world.volunteer,
             community=world.community, occurred_at=timezone.now(), minutes=minutes, activity_key="events.event:7",
             title="年夜饭后厨")
    deliver(volunteer_hours_verified, source_key="events.checkout:other", person=world.volunteer,
         community=world.community, occurred_at=timezone.now(), minutes=60, activity_key="events.event:8", title="乐跑")
    account = Account.objects.get(person=world.volunteer)
    assert account.balance == 3 + 1  # capped at 3 for event 7, one hour at event 8
    assert account.honour_minutes == 120 + 90 + 60 + 60  # the honour record is not capped


def test_attendance_by_phone_finds_the_account_and_unknown_phones_are_ignored(world, deliver):
    make_scheme(world)
    person = make_user(role=Role.RESIDENT, phone="13712345678")
    deliver(attendance_verified, source_key="events.attendance:1", person=None, phone="13712345678",
         community=world.community, occurred_at=timezone.now(), event_id=1, event_title="年夜饭")
    deliver(attendance_verified, source_key="events.attendance:2", person=None, phone="13700000000",
         community=world.community, occurred_at=timezone.now(), event_id=1, event_title="年夜饭")
    account = Account.objects.get(person=person)
    assert account.balance == 2 and account.events_attended == 1
    assert Entry.objects.count() == 1


def test_a_voided_verification_reverses_the_award_and_the_honour_but_keeps_the_original(world, deliver):
    make_scheme(world)
    _report(deliver, world, key="reports.verified:9")
    deliver(verification_voided, source_key="reports.verified:9", person=world.rider, community=world.community,
         occurred_at=timezone.now(), reason="复核发现照片不实")
    deliver(verification_voided, source_key="reports.verified:9", person=world.rider, community=world.community,
         occurred_at=timezone.now(), reason="again")
    account = Account.objects.get(person=world.rider)
    assert account.balance == 0 and account.reports_verified == 0
    original = Entry.objects.get(source_key="reports.verified:9")
    reversal = original.reversed_by
    assert reversal.amount == -10 and "不实" in reversal.reason
    assert Entry.objects.count() == 2


def test_entries_cannot_be_changed_or_deleted(world):
    scheme = make_scheme(world)
    fund(scheme, world.rider, 5)
    entry = Entry.objects.get()
    entry.amount = 500
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        Entry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(TypeError):
        Entry.objects.all().delete()


def test_the_database_refuses_a_negative_balance(world):
    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(held=-1)


def test_manual_award_small_posts_large_waits_for_another_staff_member(world):
    scheme = make_scheme(world, approval_threshold=50)
    small, created = ledger.award_manual(actor=world.staff, scheme=scheme, person=world.rider, points=20,
                                         reason="协助疏导交通", source_key="k1")
    assert created and small.entry.approver == world.staff
    big, _ = ledger.award_manual(actor=world.staff, scheme=scheme, person=world.rider, points=80, reason="见义勇为",
                                 source_key="k2")
    assert big.status == "pending" and big.entry is None
    assert Account.objects.get(person=world.rider).balance == 20
    with pytest.raises(PermissionDenied):
        ledger.award_decide(actor=world.staff, request=big, approve=True)
    second = make_user(role=Role.COMMUNITY_STAFF, region=world.community)
    ledger.award_decide(actor=second, request=big, approve=True)
    big.refresh_from_db()
    assert big.entry.approver == second and big.entry.created_by == world.staff
    assert Account.objects.get(person=world.rider).balance == 100
    with pytest.raises(ledger.PointsConflict):
        ledger.award_decide(actor=second, request=big, approve=False)


def test_manual_award_same_key_returns_the_first_and_other_content_conflicts(world):
    scheme = make_scheme(world)
    first, created = ledger.award_manual(actor=world.staff, scheme=scheme, person=world.rider, points=5, reason="a",
                                         source_key="same")
    again, created_again = ledger.award_manual(actor=world.staff, scheme=scheme, person=world.rider, points=5,
                                               reason="a", source_key="same")
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(ledger.PointsConflict):
        ledger.award_manual(actor=world.staff, scheme=scheme, person=world.rider, points=6, reason="a",
                            source_key="same")
    assert Entry.objects.count() == 1


@pytest.mark.parametrize("points", [0, -5, 10**6, 2.5, True])
def test_bad_points_and_missing_source_are_refused_and_nothing_is_written(world, points):
    scheme = make_scheme(world)
    with pytest.raises(ValidationError):
        ledger.award_manual(actor=world.staff, scheme=scheme, person=world.rider, points=points, reason="x",
                            source_key="k")
    with pytest.raises(ValidationError):
        ledger.award_manual(actor=world.staff, scheme=scheme, person=world.rider, points=5, reason="x",
                            source_key="")
    assert not Entry.objects.exists() and not AwardRequest.objects.exists()


def test_staff_of_another_community_cannot_award_or_reverse(world):
    scheme = make_scheme(world)
    with pytest.raises(PermissionDenied):
        ledger.award_manual(actor=world.other_staff, scheme=scheme, person=world.rider, points=5, reason="x",
                            source_key="k")
    account = fund(scheme, world.rider, 5)
    with pytest.raises(PermissionDenied):
        ledger.entry_reverse(actor=world.other_staff, entry=account.entries.get(), reason="x")


def test_a_reversal_of_spent_points_takes_what_is_left_and_says_so(world):
    from lianjian.points import redemptions

    from .factories import make_reward

    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 40)
    redemptions.redeem(actor=world.rider, reward=make_reward(scheme, points=30))
    reversal = ledger.entry_reverse(actor=world.staff, entry=account.entries.get(kind="award"), reason="虚报")
    assert reversal.amount == -10 and "30" not in reversal.reason[:2]
    account.refresh_from_db()
    assert account.balance == 0 and account.held == 30
    with pytest.raises(ledger.PointsConflict):
        ledger.entry_reverse(actor=world.staff, entry=account.entries.get(kind="award"), reason="again")
    assert expiry.recompute() == []


def test_recompute_finds_a_cache_that_drifted_and_fixes_it(world):
    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 12)
    Account.objects.filter(pk=account.pk).update(balance=99)
    found = expiry.recompute(scheme=scheme)
    assert [(m.field, m.cached, m.computed) for m in found] == [("balance", 99, 12)]
    expiry.recompute(fix=True)
    assert expiry.recompute() == []


def test_points_expire_first_in_first_out_as_entries_once_a_day_and_people_hear_a_month_before(
        world, django_capture_on_commit_callbacks):
    from lianjian.notifications.models import Notification

    scheme = make_scheme(world, expiry_months=12)
    now = timezone.now()
    account = ledger.account_for(scheme=scheme, person=world.rider)
    with transaction.atomic():
        ledger.write_entry(account=account, kind="award", amount=30, source_key="old", trigger="manual",
                           now=now - dt.timedelta(days=400))
        ledger.write_entry(account=account, kind="award", amount=20, source_key="new", trigger="manual",
                           now=now - dt.timedelta(days=10))
        ledger.write_entry(account=account, kind="reversal", amount=-10, source_key="spent", now=now)
    account.refresh_from_db()
    upcoming = expiry.next_expiry(account, months=12, now=now)
    assert upcoming.points == 20  # the oldest award, less what was spent first
    with django_capture_on_commit_callbacks(execute=True):
        assert expiry.notify_expiring(now=now) == 1
        assert expiry.notify_expiring(now=now) == 0
    assert Notification.objects.filter(recipient=world.rider).count() == 1
    assert expiry.expire_points(now=now) == 1
    assert expiry.expire_points(now=now) == 0
    assert expiry.expire_points(now=now + dt.timedelta(days=1)) == 0
    account.refresh_from_db()
    assert account.balance == 20
    assert Entry.objects.get(kind="expiry").amount == -20
    assert expiry.recompute() == []


def test_a_logged_in_residents_project_rating_earns_the_rating_rule_once(world, django_capture_on_commit_callbacks):
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.points import schemes
    from lianjian.projects import services as project_services
    from lianjian.projects.tests.factories import project

    scheme = make_scheme(world)
    schemes.rule_save(actor=SYSTEM, scheme=scheme, trigger="rating", points=3)
    done = project(world, status="completed")
    with django_capture_on_commit_callbacks(execute=True):
        project_services.rating_add(project=done, stars=5, device_hash="d1", rater=world.resident)
        project_services.rating_add(project=done, stars=4, device_hash="d2")  # anonymous: no account, no points
    account = Account.objects.get(person=world.resident)
    assert account.balance == 3
    assert Entry.objects.get().source_key.startswith("projects.rating:")


def test_the_check_command_reports_and_fixes_a_drifted_cache(world):
    from io import StringIO

    from django.core.management import call_command

    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 7)
    out = StringIO()
    call_command("points_check", stdout=out)
    assert "0 mismatches" in out.getvalue()
    Account.objects.filter(pk=account.pk).update(held=3)
    with pytest.raises(SystemExit):
        call_command("points_check", stdout=StringIO())
    out = StringIO()
    call_command("points_check", "--fix", stdout=out)
    assert "held cached 3, ledger says 0" in out.getvalue()
    assert Account.objects.get(pk=account.pk).held == 0
