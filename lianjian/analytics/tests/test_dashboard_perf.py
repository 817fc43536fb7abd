"""The dashboards' grouped queries give the figures a plain per-row count gives, at every level,
and the district page costs a fixed number of queries however many communities it has."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from lianjian.accounts.permissions import SYSTEM
from lianjian.orgs.models import Partnership, PartnershipStatus
from lianjian.projects.models import Project, ProjectStatus, ProjectUnit
from lianjian.regions.models import Region
from lianjian.regions.services import region_create
from lianjian.testing import make_org, make_partnership

from .factories import cat, project

pytestmark = pytest.mark.django_db

YEAR = 2024


def _reference(region: Region, year: int) -> dict:
    """The figures of *region* by looking at every row in Python (the definitions, no SQL tricks)."""

    def under(community: Region) -> bool:
        return community.is_under(region)

    done = [
        p
        for p in Project.objects.select_related("community", "category")
        if under(p.community) and p.status == ProjectStatus.COMPLETED
    ]
    units = list(ProjectUnit.objects.select_related("project__community"))
    active = [
        pa
        for pa in Partnership.objects.select_related("community")
        if under(pa.community) and pa.status == PartnershipStatus.ACTIVE
    ]

    def figures(y: int, inside=lambda c: True) -> dict:
        ps = [p for p in done if p.year == y and inside(p.community)]
        months = [0] * 12
        cats: dict[str, int] = {}
        for p in ps:
            if p.completed_on.year == y:
                months[p.completed_on.month - 1] += 1
            cats[p.category.name] = cats.get(p.category.name, 0) + 1
        ids = {p.pk for p in ps}
        return {
            "projects": len(ps),
            "people": sum(p.people_served for p in ps),
            "hours": sum((p.volunteer_hours for p in ps), Decimal(0)),
            "rating": (sum(p.rating_sum for p in ps), sum(p.rating_count for p in ps)),
            "units": len({u.organisation_id for u in units if u.project_id in ids}),
            "joint": len(
                {
                    pa.organisation_id
                    for pa in active
                    if inside(pa.community)
                    and pa.start_date <= dt.date(y, 12, 31)
                    and (pa.end_date is None or pa.end_date >= dt.date(y, 1, 1))
                }
            ),
            "months": months,
            "categories": sorted(cats.items()),
        }

    children = {
        child.pk: figures(year, lambda c, child=child: c.is_under(child))
        for child in Region.objects.filter(parent=region)
    }
    previous = {
        pk: figures(year - 1, lambda c, pk=pk: c.is_under(Region.objects.get(pk=pk)))["projects"] for pk in children
    }
    before = figures(year - 1)
    del before["categories"], before["months"]  # shown for the year itself only
    for row in children.values():
        del row["months"], row["categories"]  # a child row shows totals only
    return {"now": figures(year), "before": before, "children": children, "previous": previous}


def _as_dict(stats) -> dict:
    def fig(f) -> dict:
        return {
            "projects": f.projects_completed,
            "people": f.people_served,
            "hours": f.volunteer_hours,
            "rating": (f.rating_sum, f.rating_count),
            "units": f.units_with_completed,
            "joint": f.joint_units,
            "months": f.by_month,
        }

    now = fig(stats.current) | {"categories": sorted(stats.current.by_category)}
    before = fig(stats.previous)
    del before["months"]
    children = {
        c.region.pk: {
            "projects": c.projects_completed,
            "people": c.people_served,
            "hours": c.volunteer_hours,
            "rating": (c.rating_sum, c.rating_count),
            "units": c.units_with_completed,
            "joint": c.joint_units,
        }
        for c in stats.children
    }
    previous = {c.region.pk: c.previous_projects for c in stats.children}
    return {"now": now, "before": before, "children": children, "previous": previous}


@pytest.fixture
def mixed_world(world):
    """Two districts, three streets, six communities; units that work across streets; projects of
    three years in every status, one finished in the January after its year; partnerships that
    ended, start later or are suspended."""
    rng = random.Random(20240)
    w = world
    street2 = region_create(
        actor=SYSTEM, parent=w.district, code=f"{w.district.code}002", name="甲二街道", kind="street"
    )
    extra = [
        region_create(
            actor=SYSTEM, parent=street2, code=f"{street2.code}{i:03d}", name=f"甲二{i}社区", kind="community"
        )
        for i in range(1, 4)
    ]
    communities = [w.community, w.sibling, w.other_community, *extra]
    orgs = [make_org(region=c, name=f"测试单位{i}") for i, c in enumerate(communities * 2)]
    for i, o in enumerate(orgs):
        make_partnership(community=communities[i % len(communities)], organisation=o)
    roamer = orgs[0]  # also a joint unit of a community in the other street
    make_partnership(community=extra[0], organisation=roamer)
    Partnership.objects.filter(organisation=orgs[1]).update(
        end_date=dt.date(2023, 6, 30), start_date=dt.date(2023, 1, 1)
    )
    Partnership.objects.filter(organisation=orgs[2]).update(start_date=dt.date(2025, 3, 1))
    Partnership.objects.filter(organisation=orgs[3]).update(status=PartnershipStatus.SUSPENDED)
    cats = [cat("elderly-care", "助老敬老"), cat("health", "医疗健康"), cat("culture", "文化活动")]
    for i in range(60):
        c = rng.choice(communities)
        year = rng.choice([2023, 2024, 2024, 2025])
        status = rng.choice(["completed", "completed", "completed", "in_progress", "cancelled"])
        done_on = dt.date(year, rng.randrange(1, 13), rng.randrange(1, 28))
        if i % 13 == 0:
            done_on = dt.date(year + 1, 1, 15)  # counted for its year, in no month of it
        lead = rng.choice(orgs)
        partners = tuple({rng.choice(orgs) for _ in range(rng.randrange(0, 3))} - {lead})
        if i % 7 == 0 and lead != roamer:
            partners = tuple({*partners, roamer})
        project(
            community=c,
            lead=lead,
            partners=partners,
            category=rng.choice(cats),
            year=year,
            status=status,
            completed_on=done_on if status == "completed" else None,
            people=rng.randrange(0, 50),
            hours=str(Decimal(rng.randrange(0, 20)) / 2),
            ratings=tuple(rng.randrange(1, 6) for _ in range(rng.randrange(0, 3))),
        )
    return w


def test_grouped_figures_equal_a_plain_count_at_every_level(mixed_world):
    from lianjian.analytics import selectors

    w = mixed_world
    for region in (w.city, w.district, w.street, w.community, w.other_district):
        for year in (2024, 2025):
            assert _as_dict(selectors.region_stats(region=region, year=year)) == _reference(region, year), (
                region.name,
                year,
            )


def test_category_order_is_by_count_then_sort_order(mixed_world):
    from lianjian.analytics import selectors

    by_category = selectors.region_stats(region=mixed_world.city, year=YEAR).current.by_category
    counts = [n for _name, n in by_category]
    assert counts == sorted(counts, reverse=True) and all(counts)


def test_district_dashboard_queries_are_fixed(mixed_world, django_assert_max_num_queries):
    """A district page: session, user, scope, the grouped figures and nothing per child or community."""
    w = mixed_world
    c = Client()
    c.force_login(w.district_admin)
    url = f"/analytics/regions/{w.district.pk}/?year={YEAR}"
    cache.clear()
    c.get(url)  # warm the per-process things (URLconf, templates)
    cache.clear()
    # 17: one more than before for the district's events of the year (one query for all of them).
    with django_assert_max_num_queries(17) as ctx:
        r = c.get(url)
    assert r.status_code == 200
    baseline = len(ctx.captured_queries)
    # Ten more communities with projects under a new street add no query.
    street = Region.objects.get(name="甲二街道")
    lead = Partnership.objects.filter(community__street=street).first().organisation
    for i in range(10):
        com = region_create(
            actor=SYSTEM, parent=street, code=f"{street.code}{i + 10:03d}", name=f"新{i}社区", kind="community"
        )
        project(community=com, lead=lead, category=cat("health"), completed_on=dt.date(YEAR, 5, 1))
    cache.clear()
    with django_assert_max_num_queries(baseline):
        assert c.get(url).status_code == 200


def test_district_page_lists_streets_not_communities(mixed_world):
    w = mixed_world
    c = Client()
    c.force_login(w.district_admin)
    cache.clear()
    page = c.get(f"/analytics/regions/{w.district.pk}/?year={YEAR}").content.decode()
    assert "甲二街道" in page and w.street.name in page
    assert w.community.name not in page and "甲二1社区" not in page
