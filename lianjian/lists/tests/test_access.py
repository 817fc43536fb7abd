"""The access functions of lists (need_for, resource_for, claim_for): one path per object.

Out of sight is 404 (existence not revealed); in sight but not theirs to change is 403.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from lianjian.lists import selectors, services

from .factories import make_need, make_resource

pytestmark = pytest.mark.django_db


def test_need_for_sees_changes_and_hides(world):
    need = make_need(world)
    assert selectors.need_for(world.staff, need.pk) == need
    assert selectors.need_for(world.staff, need.pk, change=True) == need
    assert selectors.need_for(world.street_admin, need.pk, change=True) == need
    with pytest.raises(Http404):
        selectors.need_for(world.other_staff, need.pk)
    with pytest.raises(Http404):
        selectors.need_for(world.other_staff, need.pk, change=True)  # out of sight: 404, not 403
    with pytest.raises(Http404):
        selectors.need_for(world.staff, 10**9)
    with pytest.raises(Http404):
        selectors.need_for(world.staff, "not-a-number")


def test_need_for_a_published_need_is_seen_but_not_changed_by_a_liaison(world):
    need = make_need(world)
    assert selectors.need_for(world.liaison, need.pk) == need
    with pytest.raises(PermissionDenied):
        selectors.need_for(world.liaison, need.pk, change=True)


def test_need_for_lock_reads_inside_a_transaction(world):
    need = make_need(world)
    with transaction.atomic():
        locked = selectors.need_for(world.staff, need.pk, change=True, lock=True)
    assert locked.pk == need.pk and locked.community == world.community


def test_resource_for_unit_changes_staff_of_another_place_do_not_see(world):
    resource = make_resource(world)
    assert selectors.resource_for(world.liaison, resource.pk, change=True) == resource
    with pytest.raises(Http404):
        selectors.resource_for(world.other_liaison, resource.pk)
    with pytest.raises(Http404):
        selectors.resource_for(world.other_staff, resource.pk, change=True)


def test_claim_for_the_claiming_unit_and_the_community_see_it(world):
    need = make_need(world)
    claim = services.claim_create(actor=world.liaison, need=need, organisation=world.unit)
    assert selectors.claim_for(world.liaison, claim.pk) == claim
    assert selectors.claim_for(world.staff, claim.pk, change=True) == claim
    with pytest.raises(Http404):
        selectors.claim_for(world.other_liaison, claim.pk)
    with pytest.raises(Http404):
        selectors.claim_for(world.other_staff, claim.pk, change=True)
