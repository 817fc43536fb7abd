"""Meeting services: scheduling, sign-in, proposals → needs, and claims on the board."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from lianjian.lists.models import Claim, Need
from lianjian.meetings import selectors, services
from lianjian.meetings.models import Attendance, MeetingClaim, Proposal

from .factories import board_need, category, make_meeting, partner_unit

pytestmark = pytest.mark.django_db


def test_staff_create_meeting_with_invited_units_and_outsiders_may_not(world):
    meeting = make_meeting(world, open_=False)
    assert meeting.invitations.count() == 1
    assert meeting.venue == "“山上·文明里”新时代文明实践公园"
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=world.other_staff,
            community=world.community,
            title="x",
            starts_at=meeting.starts_at,
            venue="v",
        )
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=world.liaison, community=world.community, title="x", starts_at=meeting.starts_at, venue="v"
        )


def test_qr_sign_in_counts_the_unit_once_and_a_wrong_token_is_refused(world):
    meeting = make_meeting(world)
    services.attendance_sign_in(actor=world.liaison, meeting=meeting, token=meeting.checkin_token)
    services.attendance_sign_in(actor=world.liaison, meeting=meeting, token=meeting.checkin_token)
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    summary = selectors.attendance_summary(meeting=meeting)
    assert (summary.n_present_units, summary.n_invited) == (1, 1)
    with pytest.raises(ValidationError):
        services.attendance_sign_in(actor=world.liaison, meeting=meeting, token="wrong")


def test_staff_tick_attendance_is_idempotent(world):
    meeting = make_meeting(world)
    services.attendance_record(actor=world.staff, meeting=meeting, organisation=world.unit)
    services.attendance_record(actor=world.staff, meeting=meeting, organisation=world.unit)
    assert selectors.attending_unit_count(meeting=meeting) == 1


def test_proposal_raised_during_meeting_records_the_unit(world):
    meeting = make_meeting(world)
    p = services.proposal_create(
        actor=world.staff, meeting=meeting, title="企业岗位招聘", raised_by_org=world.unit
    )
    assert p.stage == "during" and p.raiser == world.unit.name
    mine = services.proposal_create(actor=world.liaison, meeting=meeting, title="希望开展安全培训")
    assert mine.raised_by_org == world.unit
    with pytest.raises(PermissionDenied):
        services.proposal_create(
            actor=world.liaison, meeting=meeting, title="x", raised_by_org=world.other_unit
        )


def test_proposal_converted_twice_makes_one_need(world):
    meeting = make_meeting(world)
    p = services.proposal_create(
        actor=world.staff, meeting=meeting, title="非遗文化进校园", category=category()
    )
    before = Need.objects.count()
    first = services.proposal_convert(actor=world.staff, proposal=p, quantity_needed=3)
    second = services.proposal_convert(actor=world.staff, proposal=Proposal.objects.get(pk=p.pk))
    assert first.pk == second.pk
    assert Need.objects.count() == before + 1
    assert first.status == "published" and first.source == "meeting"
    assert meeting.board_items.filter(need=first).exists()


def test_one_to_one_column_forbids_a_second_proposal_on_the_same_need(world):
    meeting = make_meeting(world)
    p = services.proposal_create(actor=world.staff, meeting=meeting, title="a", category=category())
    need = services.proposal_convert(actor=world.staff, proposal=p)
    other = services.proposal_create(actor=world.staff, meeting=meeting, title="b")
    with pytest.raises(ValidationError):
        services.proposal_link_need(actor=world.staff, proposal=other, need=need)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=other.pk).update(need=need)


def test_link_proposal_to_existing_need(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting, title="辖区失业人员再就业", quantity=40)
    p = services.proposal_create(
        actor=world.staff, meeting=meeting, title="企业岗位招聘", raised_by_org=world.unit
    )
    services.proposal_link_need(actor=world.staff, proposal=p, need=need)
    p.refresh_from_db()
    assert p.status == "linked" and p.need == need


def test_claim_on_board_is_pending_then_confirmed_and_summarised(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting, quantity=2)
    claim = services.meeting_claim_create(
        actor=world.liaison, meeting=meeting, need=need, organisation=world.unit
    )
    assert claim.channel == "meeting" and claim.status == "pending" and claim.role == "lead"
    assert MeetingClaim.objects.filter(meeting=meeting, claim=claim).exists()
    services.meeting_claim_confirm(actor=world.staff, meeting=meeting, claim=claim)
    claim.refresh_from_db()
    assert claim.status == "confirmed"
    meeting = services.meeting_set_status(actor=world.staff, meeting=meeting, status="closed")
    assert f"非遗文化进校园：{world.unit.name}（牵头单位）" in meeting.claims_summary


def test_second_unit_becomes_partner(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting, quantity=2)
    org2, liaison2 = partner_unit(world, "成都市现代职业技术学校")
    services.meeting_claim_create(actor=world.liaison, meeting=meeting, need=need, organisation=world.unit)
    c2 = services.meeting_claim_create(actor=liaison2, meeting=meeting, need=need, organisation=org2)
    assert c2.role == "partner"


def test_claim_on_covered_need_is_refused_and_nothing_is_written(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting, quantity=1)
    org2, liaison2 = partner_unit(world, "第二单位")
    services.meeting_claim_create(actor=world.liaison, meeting=meeting, need=need, organisation=world.unit)
    with pytest.raises(ValidationError) as err:
        services.meeting_claim_create(actor=liaison2, meeting=meeting, need=need, organisation=org2)
    assert "认领满" in str(err.value)
    assert Claim.objects.filter(need=need).count() == 1
    rows = selectors.board_rows(meeting=meeting)
    assert rows[0].claimed == 1 and rows[0].percent == 100


def test_claim_more_than_remains_is_refused(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting, quantity=2)
    with pytest.raises(ValidationError):
        services.meeting_claim_create(
            actor=world.liaison, meeting=meeting, need=need, organisation=world.unit, quantity=3
        )


def test_claims_only_while_the_meeting_is_open_and_only_for_own_unit(world):
    meeting = make_meeting(world, open_=False)
    need = board_need(world, meeting)
    with pytest.raises(ValidationError):
        services.meeting_claim_create(
            actor=world.liaison, meeting=meeting, need=need, organisation=world.unit
        )
    services.meeting_set_status(actor=world.staff, meeting=meeting, status="open")
    with pytest.raises(PermissionDenied):
        services.meeting_claim_create(
            actor=world.other_liaison, meeting=meeting, need=need, organisation=world.unit
        )


def test_board_version_changes_with_each_claim(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting)
    v1 = selectors.board_version(meeting_id=meeting.pk)
    assert v1 == selectors.board_version(meeting_id=meeting.pk)
    services.meeting_claim_create(actor=world.liaison, meeting=meeting, need=need, organisation=world.unit)
    assert selectors.board_version(meeting_id=meeting.pk) != v1


def test_confirm_all_confirms_every_pending_claim_and_only_staff_may(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting, quantity=2)
    org2, liaison2 = partner_unit(world, "第三单位")
    services.meeting_claim_create(actor=world.liaison, meeting=meeting, need=need, organisation=world.unit)
    services.meeting_claim_create(actor=liaison2, meeting=meeting, need=need, organisation=org2)
    with pytest.raises(PermissionDenied):
        services.meeting_claims_confirm_all(actor=world.liaison, meeting=meeting)
    confirmed, refused = services.meeting_claims_confirm_all(actor=world.staff, meeting=meeting)
    assert (confirmed, refused) == (2, [])
    assert set(Claim.objects.filter(need=need).values_list("status", flat=True)) == {"confirmed"}
    assert services.meeting_claims_confirm_all(actor=world.staff, meeting=meeting) == (0, [])
