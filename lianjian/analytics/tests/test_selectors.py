"""The figures of dashboards and reports, on a world whose answers we know by construction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lianjian.analytics import selectors

pytestmark = pytest.mark.django_db


def test_community_figures(year_world):
    f = selectors.region_figures(region=year_world.community, year=2024)
    assert f.joint_units == 3  # a, b, d active; e suspended
    assert f.units_with_completed == 3  # a, b (partner too), d
    assert f.projects_completed == 5
    assert f.people_served == 36
    assert f.volunteer_hours == Decimal("3.5")
    assert (f.rating_count, f.average_rating) == (3, 4.0)
    assert f.by_category == [("助老敬老", 3), ("医疗健康", 2)]
    assert f.by_month[2] == 2 and f.by_month[6] == 1 and f.by_month[10] == 1 and f.by_month[11] == 1
    assert sum(f.by_month) == 5


def test_street_adds_up_its_communities_and_children_rows(year_world):
    w = year_world
    f = selectors.region_figures(region=w.street, year=2024)
    assert f.projects_completed == 6 and f.people_served == 43
    rows = {r.region.pk: r for r in selectors.children_rows(region=w.street, year=2024)}
    assert rows[w.community.pk].projects_completed == 5
    assert rows[w.community.pk].previous_projects == 1
    assert rows[w.community.pk].joint_units == 3
    assert rows[w.community.pk].units_with_completed == 3
    assert rows[w.sibling.pk].projects_completed == 1
    district_rows = selectors.children_rows(region=w.district, year=2024)
    assert [r.projects_completed for r in district_rows] == [6]


def test_unit_rows_list_every_joint_unit(year_world):
    rows = selectors.unit_rows(community=year_world.community, year=2024)
    by_name = {r.name: r for r in rows}
    assert by_name[year_world.unit.name].projects == 2 and by_name[year_world.unit.name].led == 2
    assert by_name["乙单位"].projects == 2 and by_name["乙单位"].led == 1
    assert by_name["丁单位"].projects == 2
    assert len(rows) == 3


def test_empty_year_is_empty_not_an_error(year_world):
    f = selectors.region_figures(region=year_world.community, year=2019)
    assert f.projects_completed == 0 and f.average_rating is None and f.by_category == []


def test_find_community_suggests_close_names(year_world):
    found, _ = selectors.find_community("甲一社区")
    assert found == year_world.community
    missing, close = selectors.find_community("甲一社")
    assert missing is None and "甲一社区" in close


def test_dashboard_queries_do_not_grow_with_children(year_world, django_assert_max_num_queries):
    # street: 7 grouped queries, district: 8 (+ the community → street map); never per child.
    with django_assert_max_num_queries(15):
        selectors.children_rows(region=year_world.street, year=2024)
        selectors.region_figures(region=year_world.district, year=2024)


def test_region_dashboards_are_cached_and_community_pages_are_live(year_world, django_assert_num_queries):
    from django.core.cache import cache

    cache.clear()
    selectors.region_stats_cached(region=year_world.street, year=2024)
    with django_assert_num_queries(0):
        stats, _at = selectors.region_stats_cached(region=year_world.street, year=2024)
    assert stats.current.projects_completed == 6
    with django_assert_num_queries(5):  # a community is always computed live (categories + 4 scans)
        selectors.region_stats_cached(region=year_world.community, year=2024)
