"""Benchmark the dashboards and the annual report at city scale.

    python bench/analytics.py                          # 3,000 communities, 200,000 projects
    python bench/analytics.py --communities 300 --projects 20000    # quick
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lj_meetings python bench/analytics.py

Builds its own database (a temporary SQLite file unless DATABASE_URL is set), generates one
district of 100 streets and N communities with 8 joint units each and the projects of 2023 and
2024 with bulk_create, then times: the district dashboard page (GET through Django's test client,
the same view a browser hits), a street page and a community page, and one community's DOCX + PDF
report. Prints numbers; asserts nothing. Targets (issue 5): district dashboard < 500 ms;
DOCX + PDF < 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "bench-" + "pass-123"  # a throw-away user of the throw-away bench database
sys.path.insert(0, str(REPO))


def _timed(func, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        func()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _fmt(ms: list[float]) -> str:
    return (f"first {ms[0]:7.1f} ms   median {statistics.median(ms):7.1f} ms   "
            f"max {max(ms):7.1f} ms   (n={len(ms)})")


def _generate(args, rng):  # type: ignore[no-untyped-def]
    """One district of N communities, 8 joint units each, projects of 2023 and 2024."""
    from lianjian.lists.models import Category
    from lianjian.orgs.models import Organisation, Partnership
    from lianjian.projects.models import Project, ProjectUnit
    from lianjian.regions.models import Region

    t0 = time.perf_counter()
    suffix = str(int(time.time()))[-5:]
    city = Region.objects.create(code=f"97{suffix}", name=f"基准市{suffix}", level=1, kind="city")
    Region.objects.filter(pk=city.pk).update(city=city)
    district = Region.objects.create(code=f"{city.code}01", name="基准区", level=2, kind="district", parent=city,
                                     city=city)
    Region.objects.filter(pk=district.pk).update(district=district)
    n_streets = max(1, min(100, args.communities // 10))
    streets = Region.objects.bulk_create([
        Region(code=f"{district.code}{s:03d}", name=f"第{s}街道", level=3, kind="street", parent=district,
               city=city, district=district) for s in range(n_streets)])
    for st in streets:  # a node's own ancestor column points to itself (subtree = one equality)
        st.street = st
    Region.objects.bulk_update(streets, ["street"])
    communities = Region.objects.bulk_create([
        Region(code=f"{streets[i % n_streets].code}{i:04d}", name=f"第{i}社区", level=4, kind="community",
               parent=streets[i % n_streets], city=city, district=district, street=streets[i % n_streets])
        for i in range(args.communities)], batch_size=2000)
    units_per = 8
    orgs = Organisation.objects.bulk_create([
        Organisation(name=f"基准单位{suffix}-{i}", kind="state_owned", region=communities[i // units_per])
        for i in range(args.communities * units_per)], batch_size=5000)
    Partnership.objects.bulk_create([
        Partnership(community=communities[i // units_per], organisation=o, start_date=dt.date(2023, 1, 1))
        for i, o in enumerate(orgs)], batch_size=5000)
    cats = list(Category.objects.all()) or [Category.objects.create(code="c", name="类别")]
    projects = []
    for i in range(args.projects):
        ci = rng.randrange(args.communities)
        year = 2024 if i % 3 else 2023
        completed = rng.random() < 0.8
        rc = rng.randrange(0, 6)
        projects.append(Project(
            community=communities[ci], year=year, title=f"项目{i}", category=rng.choice(cats),
            lead_org=orgs[ci * units_per + rng.randrange(units_per)],
            status="completed" if completed else "in_progress",
            completed_on=dt.date(year, rng.randrange(1, 13), rng.randrange(1, 28)) if completed else None,
            people_served=rng.randrange(0, 200), volunteer_hours=Decimal(rng.randrange(0, 100)) / 2,
            rating_count=rc, rating_sum=rc * rng.randrange(3, 6), public_token=f"b{suffix}{i}"))
    created = Project.objects.bulk_create(projects, batch_size=5000)
    ProjectUnit.objects.bulk_create([ProjectUnit(project=p, organisation_id=p.lead_org_id, role="lead")
                                     for p in created], batch_size=5000)
    # Rows were bulk-created around the services: recount the dashboards' completed-units summary.
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.projects.services import completed_units_rebuild

    completed_units_rebuild(actor=SYSTEM)
    print(f"generated {args.communities} communities, {len(orgs)} units, {len(created)} projects "
          f"in {time.perf_counter() - t0:.1f} s")
    return district, streets, communities, suffix


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communities", type=int, default=3000)
    parser.add_argument("--projects", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the bench district already in DATABASE_URL instead of generating one")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="lj-analytics-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianjian.settings")
    os.environ.setdefault("LIANJIAN_TESTING", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t0:.1f} s")

    from lianjian.accounts.permissions import SYSTEM
    from lianjian.accounts.services import role_grant, user_create
    from lianjian.analytics import report
    from lianjian.projects.models import Project
    from lianjian.regions.models import Region

    rng = random.Random(5)
    t0 = time.perf_counter()
    existing = Region.objects.filter(level=2, name="基准区").order_by("-pk").first() if args.reuse else None
    if existing is not None:
        district = existing
        streets = list(Region.objects.filter(parent=district).order_by("code"))
        communities = list(Region.objects.filter(street=streets[0], level=4).order_by("code")[:1])
        suffix = str(int(time.time()))[-5:]
        print(f"reusing {Region.objects.filter(district=district, level=4).count()} communities, "
              f"{Project.objects.filter(community__district=district).count()} projects")
    else:
        district, streets, communities, suffix = _generate(args, rng)
    t0 = time.perf_counter()
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"ANALYZE: {time.perf_counter() - t0:.1f} s")

    admin = user_create(actor=SYSTEM, username=f"bench{suffix}", password=BENCH_PASSWORD, real_name="基准管理员")
    role_grant(actor=SYSTEM, user=admin, role="region_admin", region=district)
    client = Client()
    assert client.login(username=admin.username, password=BENCH_PASSWORD)

    def get(url: str) -> None:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)

    print()
    from django.core.cache import cache

    def cold(url: str) -> None:
        cache.clear()
        get(url)

    # The process's first request imports the URLconf (every app's views and the API schema),
    # compiles templates and loads the translations: about a second that no later request pays.
    # Pay it on another page so that "cold" below means a cold statistics cache, not a cold process.
    print("first request of the process (street page): "
          + _fmt(_timed(lambda: cold(f"/analytics/regions/{streets[-1].pk}/?year=2024"), 1)))
    durl = f"/analytics/regions/{district.pk}/?year=2024"
    print("district dashboard, cold (computed):        " + _fmt(_timed(lambda: cold(durl), max(3, args.runs // 2))))
    print("district dashboard, warm (≤5 min cache):    " + _fmt(_timed(lambda: get(durl), args.runs)))
    print("street dashboard, cold:                     "
          + _fmt(_timed(lambda: cold(f"/analytics/regions/{streets[0].pk}/?year=2024"), args.runs)))
    print("community dashboard:                       "
          + _fmt(_timed(lambda: get(f"/analytics/regions/{communities[0].pk}/?year=2024"), args.runs)))

    community = communities[0]

    def docx_pdf() -> None:
        data = report.build_report(community=community, year=2024)
        report.render_docx(data)
        report.render_pdf(data)

    def docx_only() -> None:
        report.render_docx(report.build_report(community=community, year=2024))

    # The process's first report also imports WeasyPrint and python-docx and sets up Pango and the
    # CJK font (~1 s, once per process; server workers do it in a background thread at start, see
    # analytics.report.warm_up). Timed on its own line, like the first request above.
    print("first report of the process (DOCX + PDF):  " + _fmt(_timed(docx_pdf, 1)))
    print("community report DOCX + PDF:               " + _fmt(_timed(docx_pdf, max(3, args.runs // 2))))
    print("community report DOCX only:                " + _fmt(_timed(docx_only, max(3, args.runs // 2))))
    print("\ntargets: district dashboard < 500 ms; DOCX + PDF < 3000 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
