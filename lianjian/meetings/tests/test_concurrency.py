"""Phones claiming the last share of a board need at the same instant: exactly one wins.

Each thread has its own database connection. Passes on SQLite (IMMEDIATE transactions queue the
writers) and on PostgreSQL (the need row is locked with SELECT … FOR UPDATE):
``DATABASE_URL=postgres://… pytest lianjian/meetings -m concurrency``.
"""

from __future__ import annotations

from typing import Any

import pytest

from lianjian.lists.models import Claim
from lianjian.meetings import services
from lianjian.meetings.models import Meeting, MeetingClaim
from lianjian.testing import make_world, run_together

from .factories import board_need, make_meeting, partner_unit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_simultaneous_board_claims_never_overfill_a_need():
    world = make_world()
    meeting = make_meeting(world)
    need = board_need(world, meeting, quantity=2)
    units = [partner_unit(world, f"并发会上单位{meeting.pk}-{i}") for i in range(5)]

    def claim(org: Any, liaison: Any) -> Any:
        def job() -> Any:
            m = Meeting.objects.get(pk=meeting.pk)
            return services.meeting_claim_create(actor=liaison, meeting=m, need=need, organisation=org)

        return job

    results = run_together([claim(org, liaison) for org, liaison in units])
    assert results["error"] == []
    assert len(results["ok"]) == 2 and len(results["refused"]) == 3
    assert Claim.objects.filter(need=need).count() == 2
    assert MeetingClaim.objects.filter(meeting=meeting).count() == 2
