"""project_for and milestone_for: seen by staff and participating units, changed by them too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from lianjian.accounts.permissions import SYSTEM
from lianjian.projects import selectors, services

from .factories import project

pytestmark = pytest.mark.django_db


def test_project_for_staff_and_lead_unit_change_others_do_not_see(world):
    p = project(world)
    assert selectors.project_for(world.staff, p.pk, change=True) == p
    assert selectors.project_for(world.liaison, p.pk, change=True) == p
    for outsider in (world.other_staff, world.other_liaison, world.resident):
        with pytest.raises(Http404):
            selectors.project_for(outsider, p.pk)
    with pytest.raises(Http404):
        selectors.project_for(world.staff, "x")


def test_milestone_for_follows_its_project(world):
    p = project(world)
    m = services.milestone_add(actor=SYSTEM, project=p, title="采购", due_date=dt.date(2024, 6, 1))
    assert selectors.milestone_for(world.liaison, m.pk, change=True) == m
    with pytest.raises(Http404):
        selectors.milestone_for(world.other_staff, m.pk, change=True)


def test_project_abilities_match_what_the_services_accept(world):
    """The buttons a page offers (rules.project_abilities) are the services' own rules."""
    from django.core.exceptions import PermissionDenied

    from lianjian.projects.rules import project_abilities

    p = project(world)
    for user in (world.staff, world.liaison, world.other_liaison, world.resident):
        abilities = project_abilities(user, p)
        try:
            services.milestone_add(actor=user, project=p, title=f"节点{user.pk}", due_date=dt.date(2024, 7, 1))
            accepted = True
        except PermissionDenied:
            accepted = False
        assert abilities["can_manage"] == accepted, user
    assert project_abilities(world.staff, p)["can_cancel"]
    assert not project_abilities(world.liaison, p)["can_cancel"]
