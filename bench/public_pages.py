"""Benchmark: the public pages of a big community, through gunicorn, as ratios to a bare view.

    /work/main/.venv/bin/python bench/public_pages.py [--stories 1000] [--projects 10000] [--requests 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lj_bench_public /work/main/.venv/bin/python bench/public_pages.py

Builds once (SQLite under ``var/bench/public-pages/``, or DATABASE_URL) a community with
``--projects`` projects (a third completed, with ratings, units and counters) and ``--stories``
published stories with links and search entries; serves the app and the bare Django JSON view
(``bench/bare_wsgi.py``) with gunicorn; ``--clients`` clients then GET the community page, a
story, the community's Atom feed, the public home and a search, each measured between two runs of
the bare view. Target (issue 13): community page p95 < 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import drive, free_port, gunicorn, measure, wait_idle, wait_ready
from pagetiming import ROOT

TARGET_P95_MS = 150.0
CODE = "990000002001001"


def ensure_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    with psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"] or "postgres",
                         dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def build(stories: int, projects: int) -> None:
    """Bulk rows (benchmark data, not a user path): services would take minutes for 11,000 objects."""
    from django.db import transaction
    from django.utils import timezone

    from lianjian.accounts.permissions import SYSTEM
    from lianjian.lists.models import Category
    from lianjian.lists.taxonomy import ensure_taxonomy
    from lianjian.orgs.services import organisation_create, partnership_create
    from lianjian.projects.models import Project, ProjectStatus, ProjectUnit
    from lianjian.regions.services import region_create
    from lianjian.search.index import segment
    from lianjian.search.models import SearchEntry
    from lianjian.stories.models import Story, StoryLink, StoryStatus

    ensure_taxonomy()
    rnd = random.Random(13)
    with transaction.atomic():
        city = region_create(actor=SYSTEM, parent=None, code="990000", name="压测市", kind="city")
        district = region_create(actor=SYSTEM, parent=city, code="990000002", name="公开压测区", kind="district")
        street = region_create(actor=SYSTEM, parent=district, code="990000002001", name="公开压测街道", kind="street")
        community = region_create(actor=SYSTEM, parent=street, code=CODE, name="公开压测社区", kind="community")
        units = []
        for i in range(20):
            org = organisation_create(actor=SYSTEM, name=f"压测联建单位{i:02d}", kind="state_owned", region=community)
            partnership_create(actor=SYSTEM, community=community, organisation=org, start_date=dt.date(2024, 1, 1))
            units.append(org)
        categories = list(Category.objects.filter(is_active=True))
        words = ["助老", "助餐", "公交", "井盖", "路灯", "义诊", "文明实践", "就业", "托管", "垃圾分类"]
        rows = []
        for i in range(projects):
            status = [ProjectStatus.COMPLETED, ProjectStatus.IN_PROGRESS, ProjectStatus.PLANNED][i % 3]
            done = status == ProjectStatus.COMPLETED
            n = rnd.randint(0, 40) if done else 0
            rows.append(Project(
                community=community, year=rnd.choice([2024, 2025]), title=f"{rnd.choice(words)}项目{i:05d}",
                description="为居民提供服务", category=rnd.choice(categories), lead_org=rnd.choice(units),
                status=status, start_date=dt.date(2024, 3, 1), completed_on=dt.date(2024, 11, 1) if done else None,
                summary="已完成" if done else "", people_served=rnd.randint(10, 200) if done else 0,
                rating_count=n, rating_sum=n * rnd.randint(3, 5)))
        Project.objects.bulk_create(rows, batch_size=1000)
        ProjectUnit.objects.bulk_create([ProjectUnit(project=p, organisation_id=p.lead_org_id, role="lead")
                                         for p in Project.objects.filter(community=community)], batch_size=1000)
        some = list(Project.objects.filter(community=community, status=ProjectStatus.COMPLETED)
                    .values_list("pk", "title")[:200])
        now = timezone.now()
        story_rows = [Story(region=community, kind="report", title=f"社区报道{i:04d}：{rnd.choice(words)}",
                            subtitle="副标题", body=f"<h2>现场</h2><p>社区与联建单位开展{rnd.choice(words)}服务。</p>",
                            excerpt=f"现场 社区与联建单位开展服务。{i}", reporter="记者", photo_credit="受访者供图",
                            happened_on=dt.date(2024, 1, 1) + dt.timedelta(days=i % 700), status=StoryStatus.PUBLISHED,
                            published_at=now) for i in range(stories)]
        Story.objects.bulk_create(story_rows, batch_size=500)
        links, entries = [], []
        for s in Story.objects.filter(region=community):
            pk, title = rnd.choice(some)
            links.append(StoryLink(story=s, kind="project", object_id=pk, title=title, url=f"/p/{pk}/"))
            text = f"{s.title}\n{s.excerpt}"
            entries.append(SearchEntry(kind="story", object_id=s.pk, region=community, title=s.title,
                                       url=s.get_absolute_url(), body=text, terms=" ".join(segment(text)),
                                       happened_on=s.happened_on))
        StoryLink.objects.bulk_create(links, batch_size=1000)
        SearchEntry.objects.bulk_create(entries, batch_size=500)
    from lianjian.search.index import reindex

    reindex(["project"])


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lianjian.projects.models import Project
    from lianjian.regions.models import Region
    from lianjian.stories.models import Story

    call_command("migrate", verbosity=0)
    built = 0.0
    if not Region.objects.filter(code=CODE).exists():
        started = time.perf_counter()
        build(args.stories, args.projects)
        built = time.perf_counter() - started
    community = Region.objects.get(code=CODE)
    story_ids = list(Story.objects.filter(region=community).values_list("pk", flat=True)[:300])
    pages = [
        ("社区页 /c/CODE/", [f"/c/{CODE}/"]),
        ("报道 /stories/N/", [f"/stories/{pk}/" for pk in story_ids]),
        ("订阅 /feeds/CODE/", [f"/feeds/{CODE}/"]),
        ("首页 /", ["/"]),
        ("搜索 /search/?q=", [f"/search/?q={quote(q)}" for q in ("井盖", "文明实践", "社区报道助老")]),
        ("公示栏 /board/CODE/", [f"/board/{CODE}/"]),
    ]
    return {"pages": pages, "vendor": connection.vendor, "built": built,
            "projects": Project.objects.filter(community=community).count(),
            "stories": Story.objects.filter(region=community).count()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300, help="requests per page (default 300)")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        ensure_postgres_database(os.environ["DATABASE_URL"])
    else:
        os.environ.setdefault("LIANJIAN_VAR_DIR", str(ROOT / "var" / "bench" / "public-pages"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianjian.settings")
    os.environ.pop("LIANJIAN_TESTING", None)
    setup = prepare(args)
    if setup["built"]:
        print(f"数据库生成 database built in {setup['built']:.0f} s")

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    app_port, bare_port = free_port(), free_port()
    servers = [gunicorn("lianjian.wsgi:application", app_port, args.workers, env, ROOT),
               gunicorn("bare_wsgi:application", bare_port, args.workers, env, ROOT / "bench")]
    rows: list[tuple[str, dict[str, float]]] = []
    bares: list[dict[str, float]] = []
    try:
        wait_ready(app_port, "/healthz", servers[0])
        wait_ready(bare_port, "/bare", servers[1])
        for server in servers:
            wait_idle(server, args.workers)
        warm = 4 * args.clients
        drive(bare_port, ["/bare"] * warm, "", args.clients)
        bare_paths = ["/bare"] * args.requests
        bares = [measure(bare_port, bare_paths, "", args.clients, servers[1])]
        for name, urls in setup["pages"]:
            paths = [urls[i % len(urls)] for i in range(args.requests)]
            drive(app_port, paths[:warm], "", args.clients)
            measured = measure(app_port, paths, "", args.clients, servers[0])
            bares.append(measure(bare_port, bare_paths, "", args.clients, servers[1]))
            measured["bare"] = (bares[-2]["rps"] + bares[-1]["rps"]) / 2
            rows.append((name, measured))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    print(f"数据 data: community with {setup['projects']} projects and {setup['stories']} published stories; "
          f"database {setup['vendor']}; gunicorn {args.workers} workers, {args.clients} clients, "
          f"{args.requests} requests per page, {os.cpu_count()} CPU cores")
    bare_rps = sorted(b["rps"] for b in bares)[len(bares) // 2]
    print(f"{'page':24s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'x bare':>8s} {'cpu ms':>8s}  target")
    print(f"{'bare Django view':24s} {bare_rps:8.0f} {'':8s} {'':8s} {1:8.3f}")
    for name, r in rows:
        ok = r["p95"] < TARGET_P95_MS
        print(f"{name:24s} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {r['rps'] / r['bare']:8.3f} "
              f"{r['cpu_ms']:8.2f}  p95 < {TARGET_P95_MS:.0f} ms {'OK' if ok else 'SLOW'}")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"note: load average {load:.1f}: other work shared the CPUs during the run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
