"""The status machine of a street report, its timeline, deadlines, escalation and the events it emits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lianjian.accounts.permissions import SYSTEM
from lianjian.core import domain_events
from lianjian.core.tests.photo_samples import photo
from lianjian.lists.models import Category as NeedCategory
from lianjian.lists.models import Need
from lianjian.notifications.models import Notification
from lianjian.tickets import services
from lianjian.tickets.models import Report, Status, Supporter, TimelineEntry

from .factories import LAT, LNG, category, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    events: list[tuple[str, dict]] = []

    def on_verified(sender, **kwargs):  # type: ignore[no-untyped-def]
        events.append(("verified", kwargs))

    def on_voided(sender, **kwargs):  # type: ignore[no-untyped-def]
        events.append(("voided", kwargs))

    domain_events.report_verified.connect(on_verified, weak=False)
    domain_events.verification_voided.connect(on_voided, weak=False)
    yield events
    domain_events.report_verified.disconnect(on_verified)
    domain_events.verification_voided.disconnect(on_voided)


def test_whole_life_new_to_confirmed_with_deadline_and_timeline(world, django_capture_on_commit_callbacks, received):
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(world, code="safety", state="new")
    assert report.status == Status.NEW and Notification.objects.filter(recipient=world.staff).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(actor=world.staff, report=report)
    assert [e[0] for e in received] == ["verified"]
    kwargs = received[0][1]
    assert kwargs["source_key"] == f"tickets.report:{report.pk}" and kwargs["person"] == world.rider
    assert kwargs["community"] == world.community and kwargs["category_code"] == "safety" and kwargs["title"]
    before = timezone.now()
    services.dispatch(actor=world.staff, report=report, unit=world.unit)
    report.refresh_from_db()
    assert report.status == Status.DISPATCHED and report.unit == world.unit
    assert dt.timedelta(hours=23, minutes=59) < report.deadline - before <= dt.timedelta(hours=24, seconds=5)
    services.acknowledge(actor=world.liaison, report=report)
    services.resolve(actor=world.liaison, report=report, note="井盖已更换", photos=[photo("after.jpg")])
    services.confirm(actor=world.rider, report=report)
    report.refresh_from_db()
    assert report.status == Status.CONFIRMED and report.closed_at
    steps = list(TimelineEntry.objects.filter(report=report).values_list("step", flat=True))
    assert steps == ["create", "accept", "dispatch", "acknowledge", "resolve", "confirm"]
    entry = TimelineEntry.objects.get(report=report, step="acknowledge")
    assert entry.actor == world.liaison and entry.actor_label == world.unit.name
    assert report.photos.filter(kind="resolution").count() == 1


def test_only_the_reporter_confirms_or_reopens(world):
    report = make_report(world, state="resolved")
    for who in (world.staff, world.liaison, world.resident):
        with pytest.raises(PermissionDenied):
            services.confirm(actor=who, report=report)
        with pytest.raises(PermissionDenied):
            services.reopen(actor=who, report=report, reason="没修好", photos=[photo()])
    assert Report.objects.get(pk=report.pk).status == Status.RESOLVED


def test_reopen_needs_reason_and_photo_then_goes_back_to_dispatch(world):
    report = make_report(world, state="resolved")
    with pytest.raises(ValidationError):
        services.reopen(actor=world.rider, report=report, reason="", photos=[photo()])
    with pytest.raises(ValidationError):
        services.reopen(actor=world.rider, report=report, reason="还是很脏", photos=[])
    services.reopen(actor=world.rider, report=report, reason="还是很脏", photos=[photo()])
    report.refresh_from_db()
    assert report.status == Status.REOPENED and report.deadline and report.is_overdue is False
    services.dispatch(actor=world.staff, report=report, department="街道城管中队")
    report.refresh_from_db()
    assert report.status == Status.DISPATCHED and report.unit is None and report.responsible == "街道城管中队"


def test_dispatch_to_a_unit_outside_the_communitys_partnerships_is_refused(world):
    report = make_report(world, state="accepted")
    for unit in (world.other_unit, world.sibling_unit):
        with pytest.raises(ValidationError) as err:
            services.dispatch(actor=world.staff, report=report, unit=unit)
        assert "unit" in err.value.message_dict
    from lianjian.orgs.models import Partnership

    Partnership.objects.filter(organisation=world.unit).update(status="suspended")
    with pytest.raises(ValidationError):
        services.dispatch(actor=world.staff, report=report, unit=world.unit)
    with pytest.raises(ValidationError):
        services.dispatch(actor=world.staff, report=report)  # neither unit nor department
    assert Report.objects.get(pk=report.pk).status == Status.ACCEPTED
    with pytest.raises(PermissionDenied):
        services.dispatch(actor=world.other_staff, report=report, department="某部门")


def test_coordinates_out_of_range_and_no_location_are_refused(world):
    for lat, lng in ((91, 121), (-91, 121), (31, 181), (31, -180.5)):
        with pytest.raises(ValidationError):
            make_report(world, lat=lat, lng=lng)
    with pytest.raises(ValidationError):
        make_report(world, lat=None, lng=None, address="")
    with pytest.raises(ValidationError):
        make_report(world, description="x" * 4001)
    assert not Report.objects.exists()
    assert make_report(world, lat=None, lng=None, address="江浦路 200 弄门口").address


def test_required_category_question_is_enforced(world):
    with pytest.raises(ValidationError) as err:
        services.report_create(actor=world.rider, community=world.community, category=category("safety"),
                               description="消防通道被堵", photos=[photo()], lat=LAT, lng=LNG)
    assert "attributes" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.report_create(actor=world.rider, community=world.community, category=category("safety"),
                               description="消防通道被堵", photos=[photo()], lat=LAT, lng=LNG,
                               attributes={"danger_now": "maybe"})
    assert not Report.objects.exists()


def test_me_too_adds_a_supporter_once_and_merge_moves_followers(world):
    first = make_report(world)
    assert services.support_add(actor=world.resident, report=first) is True
    assert services.support_add(actor=world.resident, report=first) is False
    assert services.support_add(actor=world.rider, report=first) is False  # the reporter
    assert Report.objects.get(pk=first.pk).supporter_count == 1
    second = make_report(world, reporter=world.volunteer)
    services.merge(actor=world.staff, report=second, into=first)
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.duplicate_of == first
    assert Supporter.objects.filter(report=first, user=world.volunteer).exists()
    with pytest.raises(ValidationError):
        services.merge(actor=world.staff, report=first, into=first)


def test_rejecting_a_verified_report_voids_the_verification(world, django_capture_on_commit_callbacks, received):
    report = make_report(world, state="new")
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(actor=world.staff, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(actor=world.staff, report=report, reason="现场核实无此问题，虚假上报")
    assert [e[0] for e in received] == ["verified", "voided"]
    assert received[1][1]["source_key"] == f"tickets.report:{report.pk}" and received[1][1]["reason"]
    unverified = make_report(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(actor=world.staff, report=unverified, reason="不属于社区职责")
    assert len(received) == 2  # never verified: nothing to void


def test_escalation_is_idempotent_and_notifies_the_street(world, django_capture_on_commit_callbacks):
    report = make_report(world, state="dispatched")
    Report.objects.filter(pk=report.pk).update(deadline=timezone.now() - dt.timedelta(hours=2))
    fresh = make_report(world, state="dispatched")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(actor=SYSTEM) == 1
    assert services.escalate_overdue(actor=SYSTEM) == 0
    report.refresh_from_db()
    assert report.escalated_to == world.street and report.is_overdue
    assert Notification.objects.filter(recipient=world.street_admin).exists()
    assert TimelineEntry.objects.filter(report=report, step="escalate").count() == 1
    assert not Report.objects.get(pk=fresh.pk).escalated_at


def test_a_report_becomes_a_need_that_links_back(world, client):
    report = make_report(world, state="accepted")
    need = services.to_need(actor=world.staff, report=report, title="加装楼道照明",
                            category=NeedCategory.objects.filter(is_active=True).first())
    report.refresh_from_db()
    assert report.need == need and need.source == "ticket" and need.origin == report
    client.force_login(world.staff)
    page = client.get(need.get_absolute_url()).content.decode()
    assert f'href="{report.get_absolute_url()}"' in page
    with pytest.raises(ValidationError):
        services.to_need(actor=world.staff, report=report, title="再来一次",
                         category=NeedCategory.objects.filter(is_active=True).first())
    assert Need.objects.filter(title="再来一次").count() == 0
