"""Rules written once and shared: how much of a need is open, who the person behind an actor is,
how a refusal reads."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from lianjian.accounts.actors import SYSTEM, person_of, require_person
from lianjian.core.text import error_text
from lianjian.lists import services
from lianjian.lists.models import LIVE_CLAIM_STATUSES, ClaimStatus, quantity_open, quantity_taken

from .factories import make_need


def test_quantity_open_counts_coverage_and_reserved_claims():
    assert quantity_open(10, 3) == 7
    assert quantity_open(10, 3, reserved=5) == 5  # pending claims on a meeting's board hold their share
    assert quantity_open(10, 6, reserved=5) == 4  # confirmed coverage is part of the reserved sum
    assert quantity_open(3, 5) == 0  # never negative
    assert quantity_taken(2, 7) == 7 and quantity_taken(7, 2) == 7
    assert set(LIVE_CLAIM_STATUSES) == {ClaimStatus.PENDING, ClaimStatus.CONFIRMED}


@pytest.mark.django_db
def test_need_quantity_open_is_the_shared_rule(world):
    need = make_need(world, quantity=4)
    claim = services.claim_create(actor=world.liaison, need=need, organisation=world.unit, quantity=3)
    need.refresh_from_db()
    assert need.quantity_open == quantity_open(4, 0) == 4  # a pending claim does not cover (lists)
    services.claim_confirm(actor=world.staff, claim=claim)
    need.refresh_from_db()
    assert need.quantity_open == quantity_open(need.quantity_needed, need.quantity_covered) == 1


@pytest.mark.django_db
def test_person_of_and_require_person(world):
    assert person_of(world.staff) == world.staff
    assert person_of(SYSTEM) is None
    assert person_of(AnonymousUser()) is None
    assert person_of(None) is None
    assert require_person(world.resident) == world.resident
    from django.core.exceptions import PermissionDenied

    for nobody in (SYSTEM, AnonymousUser(), None):
        with pytest.raises(PermissionDenied):
            require_person(nobody)


def test_error_text_joins_messages():
    assert error_text(ValidationError({"a": "甲", "b": ["乙", "丙"]})) == "甲；乙；丙"
    assert error_text(ValidationError("只有一条")) == "只有一条"
    assert error_text(["x", "y"]) == "x；y"
