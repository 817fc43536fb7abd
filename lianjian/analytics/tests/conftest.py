"""Fixtures of the analytics tests."""

from __future__ import annotations

import datetime as dt

import pytest

from lianjian.accounts.permissions import SYSTEM
from lianjian.orgs.services import partnership_set_status
from lianjian.testing import make_org, make_partnership

from .factories import cat, project


@pytest.fixture
def year_world(world):
    """community: 4 joint units (one suspended); 3 of them complete 5 projects in 2024."""
    c = world.community
    a, b = world.unit, make_org(region=c, name="乙单位")
    d, e = make_org(region=c, name="丁单位"), make_org(region=c, name="戊单位")
    for o in (b, d, e):
        make_partnership(community=c, organisation=o)
    partnership_set_status(actor=SYSTEM, partnership=e.partnerships.get(), status="suspended")
    elder, health = cat("elderly-care", "助老敬老"), cat("health", "医疗健康")
    project(
        community=c,
        lead=a,
        category=elder,
        completed_on=dt.date(2024, 3, 5),
        people=10,
        hours="2.5",
        ratings=(5, 4),
    )
    project(
        community=c,
        lead=a,
        partners=(b,),
        category=elder,
        completed_on=dt.date(2024, 3, 20),
        people=20,
        ratings=(3,),
    )
    project(community=c, lead=b, category=health, completed_on=dt.date(2024, 7, 1), people=5, hours="1")
    project(community=c, lead=d, category=elder, completed_on=dt.date(2024, 12, 31))
    project(community=c, lead=d, category=health, completed_on=dt.date(2024, 11, 2), people=1)
    # Not counted: in progress, another year, another community.
    project(community=c, lead=e, category=elder, status="in_progress")
    project(community=c, lead=a, category=elder, year=2023, completed_on=dt.date(2023, 5, 1), people=100)
    project(
        community=world.sibling,
        lead=world.sibling_unit,
        category=health,
        completed_on=dt.date(2024, 1, 1),
        people=7,
    )
    return world
