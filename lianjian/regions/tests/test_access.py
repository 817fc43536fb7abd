"""region_for and organisation_for: Region and Organisation answer through their own scope hooks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from lianjian.accounts.permissions import get_scope
from lianjian.orgs.models import Organisation
from lianjian.orgs.selectors import organisation_for
from lianjian.regions.selectors import region_for

pytestmark = pytest.mark.django_db


def test_region_for_sees_below_changes_only_from_above(world):
    assert region_for(world.staff, world.community.pk) == world.community
    with pytest.raises(PermissionDenied):  # the people of a node do not change the node
        region_for(world.staff, world.community.pk, change=True)
    assert region_for(world.street_admin, world.community.pk, change=True) == world.community
    with pytest.raises(PermissionDenied):
        region_for(world.street_admin, world.street.pk, change=True)
    with pytest.raises(Http404):
        region_for(world.other_staff, world.community.pk)


def test_organisation_for_liaison_and_partnered_community(world):
    assert organisation_for(world.liaison, world.unit.pk, change=True) == world.unit
    assert organisation_for(world.staff, world.unit.pk, change=True) == world.unit
    with pytest.raises(Http404):
        organisation_for(world.other_liaison, world.unit.pk)
    with pytest.raises(Http404):
        organisation_for(world.other_staff, world.unit.pk, change=True)


def test_scope_filter_uses_the_model_hook(world):
    scope = get_scope(world.staff)
    seen = set(scope.filter(Organisation.objects.all()).values_list("pk", flat=True))
    assert world.unit.pk in seen and world.other_unit.pk not in seen
    assert scope.can_view(world.unit) and not scope.can_view(world.other_unit)
    assert not get_scope(world.resident).filter(Organisation.objects.all()).exists()
