"""The list and trace pages cost a fixed number of queries, whatever the number of rows shown.

Each page is loaded with few rows and again with many more (with claims, partner units, photos
and ratings on them); the query count must not grow (no per-row query) and stays under a small
bound. Large counts are cached (``lianjian.core.paging``); small ones stay exact.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lianjian.core import paging
from lianjian.lists.models import Claim
from lianjian.projects.tests.factories import need_with_claims, project
from lianjian.testing import make_org

pytestmark = pytest.mark.django_db

BOUND = 15


def queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # first load fills per-process caches (taxonomy, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


_seq = itertools.count()


def add_rows(world, n: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(n):
        i = next(_seq)
        partner = make_org(region=world.community, name=f"伙伴单位{i}")
        need = need_with_claims(world, orgs=[world.unit, partner], title=f"需求{i}")
        Claim.objects.create(need=need, organisation=partner, role="partner", status="proposed")
        project(world, title=f"项目{i}", status="in_progress", need=need)


def test_needs_and_projects_lists_cost_the_same_for_2_or_12_rows(world, client):
    pages = [
        (world.staff, reverse("lists:need_list") + f"?community={world.community.pk}"),
        (world.district_admin, reverse("lists:need_list")),
        (world.staff, reverse("projects:list") + f"?community={world.community.pk}"),
        (world.district_admin, reverse("projects:list")),
        (None, reverse("public:board", args=[world.community.code])),
    ]
    add_rows(world, 2)
    before = {}
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        before[url] = queries(client, url)
    add_rows(world, 10)
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        after = queries(client, url)
        assert after == before[url], f"{url}: {before[url]} queries with 2 rows, {after} with 12"
        assert after <= BOUND, f"{url}: {after} queries"


def test_need_trace_costs_the_same_for_1_or_8_claims(world, client):
    need = need_with_claims(world, title="追溯")
    client.force_login(world.staff)
    url = reverse("lists:need_detail", args=[need.pk])
    before = queries(client, url)
    for _ in range(7):
        org = make_org(region=world.community, name=f"认领单位{next(_seq)}")
        Claim.objects.create(need=need, organisation=org, role="partner", status="confirmed")
    project(world, title="追溯项目", need=need)
    after = queries(client, url)
    assert after <= before + 1, f"{before} queries with 1 claim, {after} with 8 and a project"
    assert after <= BOUND


def test_large_counts_are_cached_and_small_ones_exact(world, client, monkeypatch):
    from lianjian.lists.models import Need

    add_rows(world, 3)
    monkeypatch.setattr(paging, "CACHE_ABOVE", 2)
    qs = Need.objects.filter(community=world.community)
    assert paging.fast_count(qs) == 3
    add_rows(world, 1)
    assert paging.fast_count(qs) == 3  # cached for COUNT_TTL
    assert paging.fast_count(qs.filter(title__startswith="需求")) == 4  # another filter, counted afresh
    monkeypatch.setattr(paging, "CACHE_ABOVE", 100)
    few = Need.objects.filter(community=world.community)
    assert paging.fast_count(few.exclude(pk=0)) == 4
    few.first().delete()  # type: ignore[union-attr]
    assert paging.fast_count(few.exclude(pk=0)) == 3  # small counts are never cached


def test_worker_pages_cost_the_same_for_2_or_12_rows(world, client):
    from lianjian.workers import merchants, stations
    from lianjian.workers.tests.factories import make_merchant, make_station, make_supply, make_worker

    station = make_station(world, name="驿站0")
    rider = make_worker(world)

    def add(n: int) -> None:
        for _ in range(n):
            i = next(_seq)
            worker = make_worker(world, verified=True)
            make_supply(station, name=f"物资{i}")
            stations.checkin(actor=worker.user, token=station.token)
            make_supply(make_station(world, name=f"驿站-{i}"), name="雨衣")
            merchants.offer_create(actor=world.staff, merchant=make_merchant(world), title=f"优惠{i}")

    pages = [
        (world.staff, reverse("workers:list")),
        (world.district_admin, reverse("workers:list") + "?status=verified"),
        (world.staff, reverse("workers:stations")),
        (world.staff, reverse("workers:station", args=[station.pk])),
        (None, reverse("workers:station", args=[station.pk])),
        (world.staff, reverse("workers:merchants")),
        (rider.user, reverse("workers:me")),
    ]
    add(2)
    before = {}
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        before[url, user] = queries(client, url)
    add(10)
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        after = queries(client, url)
        assert after == before[url, user], f"{url}: {before[url, user]} queries with 2 rows, {after} with 12"
        assert after <= BOUND + 5, f"{url}: {after} queries"


def test_points_pages_cost_the_same_for_2_or_12_rows(world, client):
    from lianjian.points import ledger, redemptions
    from lianjian.points.tests.factories import fund, make_reward, make_scheme

    scheme = make_scheme(world, approval_threshold=5)
    reward = make_reward(scheme, organisation=world.unit, points=1, stock=1000)
    community_reward = make_reward(scheme, points=1, stock=1000)

    def add(n: int) -> None:
        for _ in range(n):
            i = next(_seq)
            fund(scheme, world.rider, 3)
            r = redemptions.redeem(actor=world.rider, reward=reward)
            redemptions.confirm(actor=world.liaison, redemption=r)
            redemptions.redeem(actor=world.rider, reward=community_reward)
            ledger.award_manual(actor=world.staff, scheme=scheme, person=world.rider, points=9, reason="大额",
                                source_key=f"q{i}")

    pages = [
        (world.rider, reverse("points:mine")), (world.rider, reverse("points:codes")),
        (world.rider, reverse("points:rewards")), (world.rider, reverse("points:leaderboard")),
        (world.rider, reverse("core:home")), (world.liaison, reverse("points:merchant")),
        (world.staff, reverse("points:scheme", args=[scheme.pk])),
        (world.staff, reverse("points:ledger", args=[scheme.pk])),
    ]
    add(2)
    before = {}
    for user, url in pages:
        client.force_login(user)
        before[url] = queries(client, url)
    add(10)
    for user, url in pages:
        client.force_login(user)
        after = queries(client, url)
        assert after == before[url], f"{url}: {before[url]} queries with 2 rows, {after} with 12"
        assert after <= 25, f"{url}: {after} queries"


def test_street_report_pages_cost_the_same_for_2_or_12_reports(world, client):
    from lianjian.tickets.tests.factories import make_report

    def add(n: int) -> None:
        for i in range(n):
            make_report(world, state=["new", "dispatched", "resolved"][i % 3], description=f"随手拍{next(_seq)}")

    pages = [(world.staff, reverse("tickets:staff_list")),
             (world.district_admin, reverse("tickets:staff_list") + "?status=open"),
             (world.rider, reverse("tickets:mine")),
             (world.liaison, reverse("tickets:inbox"))]
    add(3)
    before = {}
    for user, url in pages:
        client.force_login(user)
        before[url] = queries(client, url)
    add(9)
    for user, url in pages:
        client.force_login(user)
        after = queries(client, url)
        assert after <= before[url], f"{url}: {before[url]} queries with 3 reports, {after} with 12"
        assert after <= BOUND, url


def test_story_and_public_overview_pages_cost_the_same_for_2_or_12_stories(world, client):
    """Stories (with photos and links), the community page, feeds and search: no per-row query."""
    from django.core.cache import cache

    from lianjian.projects.tests.factories import png
    from lianjian.stories.tests.factories import published

    done = project(world, title="助老", status="completed")

    def add(n: int) -> None:
        for _ in range(n):
            published(world, title=f"报道{next(_seq)}", links=[("project", done.pk)], photos=[png()])
            project(world, title=f"公开项目{next(_seq)}", status="in_progress")

    add(2)
    pages = [
        (world.staff, reverse("stories:manage")),
        (None, reverse("public:home")),
        (None, reverse("public:community", args=[world.community.code])),
        (None, reverse("public:area", args=[world.street.code])),
        (None, reverse("public:feed_region", args=[world.community.code])),
        (None, reverse("search:search") + "?q=报道"),
    ]
    before = {}
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        cache.clear()
        before[url] = queries(client, url)
    add(10)
    for user, url in pages:
        client.logout()
        if user:
            client.force_login(user)
        cache.clear()
        after = queries(client, url)
        assert after == before[url], f"{url}: {before[url]} queries with 2 rows, {after} with 12"
        assert after <= 2 * BOUND, f"{url}: {after} queries"
