"""Ids posted to the meeting pages and services are resolved within the meeting's community."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lianjian.meetings import services
from lianjian.meetings.models import Attendance, Invitation
from lianjian.meetings.tests.factories import make_meeting

pytestmark = pytest.mark.django_db


def test_staff_cannot_tick_a_unit_of_another_district_present(client, world):
    meeting = make_meeting(world)
    client.force_login(world.staff)
    for posted in (world.other_unit.pk, "abc", "99999999999999999999999"):
        response = client.post(reverse("meetings:attendance", args=[meeting.pk]), {"organisation": posted})
        assert response.status_code == 404
    assert not Attendance.objects.filter(meeting=meeting).exists()
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]), {"organisation": world.unit.pk})
    assert response.status_code == 302
    assert Attendance.objects.filter(meeting=meeting, organisation=world.unit).exists()
    with pytest.raises(ValidationError):
        services.attendance_record(actor=world.staff, meeting=meeting, organisation=world.other_unit)


def test_a_meeting_invites_only_units_in_the_staffs_scope(world):
    meeting = make_meeting(world)
    with pytest.raises(ValidationError):
        services.meeting_invite(actor=world.staff, meeting=meeting, organisation=world.other_unit)
    assert not Invitation.objects.filter(meeting=meeting, organisation=world.other_unit).exists()
    with pytest.raises(ValidationError):
        services.proposal_create(actor=world.staff, meeting=meeting, title="外区提议", raised_by_org=world.other_unit)


def test_board_and_claim_ids_of_another_community_are_refused(client, world):
    from lianjian.projects.tests.factories import need_with_claims

    meeting = make_meeting(world)
    foreign = need_with_claims(world, title="外区需求")
    foreign.community = world.other_community
    foreign.save(update_fields=["community"])
    client.force_login(world.staff)
    client.post(reverse("meetings:board_add", args=[meeting.pk]), {"need": foreign.pk})
    assert not meeting.board_items.exists()
    claim = foreign.claims.first()
    response = client.post(reverse("meetings:claim_confirm", args=[meeting.pk, claim.pk]))
    assert response.status_code == 404
