"""Load benchmark: street reports at district scale, served by gunicorn, beside a bare Django view.

    .venv/bin/python bench/tickets_load.py [--reports 500000] [--requests 400] [--clients 8] [--workers 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lj_bench_tickets .venv/bin/python bench/tickets_load.py

Builds once (in a SQLite database of its own under ``var/bench/tickets-load-N/``, or in DATABASE_URL)
a district of 10 communities with ``--reports`` street reports over the last year in every status,
then serves the app and a bare Django JSON view (``bench/bare_wsgi.py``) with gunicorn on 127.0.0.1
and measures, with ``--clients`` client processes:

* the staff report list of one community filtered by status (``/tickets/staff/?status=new&community=N``),
* the same list for the district admin filtered by status only,
* Open311 ``/open311/v2/requests.json`` with its default query (last 90 days, newest first).

Prints req/s, p50/p95 and each page's throughput as a ratio to the bare view measured before and
after it in the same run. Target (issue 11, 2 cores): p95 < 150 ms for each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import drive, free_port, gunicorn, measure, wait_idle, wait_ready
from pagetiming import ROOT

TARGET_P95_MS = 150.0
# Share of each status among the reports (a year of a district: most are closed).
STATUS_MIX = [("confirmed", 40), ("resolved", 8), ("new", 12), ("accepted", 5), ("dispatched", 12),
              ("acknowledged", 8), ("reopened", 3), ("rejected", 7), ("merged", 5)]


def build(reports: int) -> float:
    """Create the district and its reports with bulk inserts; returns seconds taken."""
    from django.db import transaction
    from django.utils import timezone

    from lianjian.accounts.models import Role, User
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.accounts.services import role_grant, user_create
    from lianjian.regions.services import region_create
    from lianjian.tickets.categories import ensure_categories
    from lianjian.tickets.models import Category, Report

    started = time.perf_counter()
    ensure_categories()
    city = region_create(actor=SYSTEM, parent=None, code="980000", name="随手拍压测市", kind="city")
    district = region_create(actor=SYSTEM, parent=city, code="980000001", name="随手拍压测区", kind="district")
    communities = []
    for s in range(2):
        street = region_create(actor=SYSTEM, parent=district, code=f"980000001{s + 1:03d}", name=f"压测街道{s + 1}",
                               kind="street")
        for c in range(5):
            communities.append(region_create(actor=SYSTEM, parent=street, code=f"{street.code}{c + 1:03d}",
                                             name=f"压测社区{s + 1}-{c + 1}", kind="community"))
    reporter = user_create(actor=SYSTEM, username="bench_tickets_rider", password=None, real_name="压测骑手")
    role_grant(actor=SYSTEM, user=reporter, role=Role.RIDER, region=communities[0])
    categories = list(Category.objects.all())
    statuses = [s for s, weight in STATUS_MIX for _ in range(weight)]
    rng = random.Random(11)
    now = timezone.now()
    created = Report._meta.get_field("created_at")
    updated = Report._meta.get_field("updated_at")
    created.auto_now_add, updated.auto_now = False, False  # type: ignore[attr-defined]
    batch: list[Report] = []
    for i in range(reports):
        at = now - dt.timedelta(seconds=rng.randrange(365 * 24 * 3600))
        status = rng.choice(statuses)
        running = status in ("dispatched", "acknowledged", "reopened")
        batch.append(Report(
            reporter=reporter, community=rng.choice(communities), category=rng.choice(categories),
            description=f"压测随手拍 {i}：楼道堆物、井盖松动、路灯不亮", lat=30.68 + rng.random() / 50,
            lng=103.85 + rng.random() / 50, address=f"压测路 {i % 999} 号", occurred_at=at, status=status,
            token=secrets.token_urlsafe(12), created_at=at, updated_at=at,
            dispatched_at=at + dt.timedelta(hours=2) if running else None,
            deadline=at + dt.timedelta(hours=26) if running else None))
        if len(batch) == 5000:
            with transaction.atomic():
                Report.objects.bulk_create(batch)
            batch = []
    if batch:
        Report.objects.bulk_create(batch)
    created.auto_now_add, updated.auto_now = True, True  # type: ignore[attr-defined]
    staff = user_create(actor=SYSTEM, username="bench_tickets_staff", password=None, real_name="压测社区工作人员")
    role_grant(actor=SYSTEM, user=staff, role=Role.COMMUNITY_STAFF, region=communities[0])
    admin = user_create(actor=SYSTEM, username="bench_tickets_district", password=None, real_name="压测区管理员")
    role_grant(actor=SYSTEM, user=admin, role=Role.REGION_ADMIN, region=district)
    assert User.objects.filter(username="bench_tickets_staff").exists()
    return time.perf_counter() - started


def prepare(reports: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from lianjian.accounts.models import User
    from lianjian.regions.models import Region
    from lianjian.tickets.models import Report

    call_command("migrate", verbosity=0)
    built = 0.0
    if not Region.objects.filter(code="980000001").exists():
        built = build(reports)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_report")

    def cookie(username: str) -> str:
        c = Client()
        c.force_login(User.objects.get(username=username))
        return f"sessionid={c.cookies['sessionid'].value}"

    community = Region.objects.get(code="980000001001001")
    pages = [
        ("/healthz", "", ["/healthz"]),
        ("staff list status+community", cookie("bench_tickets_staff"),
         [f"/tickets/staff/?status=new&community={community.pk}"]),
        ("district list status", cookie("bench_tickets_district"), ["/tickets/staff/?status=dispatched"]),
        ("Open311 requests.json default", "", ["/open311/v2/requests.json"]),
    ]
    return {"pages": pages, "reports": Report.objects.count(), "vendor": connection.vendor, "built": built}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=400, help="requests per page (default 400)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("LIANJIAN_VAR_DIR", str(ROOT / "var" / "bench" / f"tickets-load-{args.reports}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianjian.settings")
    os.environ.pop("LIANJIAN_TESTING", None)
    setup = prepare(args.reports)
    if setup["built"]:
        print(f"database built in {setup['built']:.0f} s")

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    app_port, bare_port = free_port(), free_port()
    servers = [gunicorn("lianjian.wsgi:application", app_port, args.workers, env, ROOT),
               gunicorn("bare_wsgi:application", bare_port, args.workers, env, ROOT / "bench")]
    rows: list[tuple[str, dict[str, float]]] = []
    try:
        wait_ready(app_port, "/healthz", servers[0])
        wait_ready(bare_port, "/bare", servers[1])
        for server in servers:
            wait_idle(server, args.workers)
        warm = min(args.requests, 4 * args.clients)
        drive(bare_port, ["/bare"] * warm, "", args.clients)
        bare_paths = ["/bare"] * args.requests
        bares = [measure(bare_port, bare_paths, "", args.clients, servers[1])]
        for name, cookie, urls in setup["pages"]:
            paths = [urls[i % len(urls)] for i in range(args.requests)]
            drive(app_port, paths[:warm], cookie, args.clients)  # warm caches (the cached count) and connections
            measured = measure(app_port, paths, cookie, args.clients, servers[0])
            bares.append(measure(bare_port, bare_paths, "", args.clients, servers[1]))
            measured["bare"] = (bares[-2]["rps"] + bares[-1]["rps"]) / 2
            rows.append((name, measured))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    print(f"database {setup['vendor']}; {setup['reports']} reports; gunicorn {args.workers} workers; "
          f"{args.clients} clients; {os.cpu_count()} CPU cores; {args.requests} requests per page")
    print(f"{'page':34} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'x bare':>7} {'cpu ms':>7}")
    ok = True
    for name, m in rows:
        print(f"{name:34} {m['rps']:7.0f} {m['p50']:7.1f} {m['p95']:7.1f} {m['rps'] / m['bare']:7.3f} "
              f"{m['cpu_ms']:7.1f}")
        if name != "/healthz":
            ok = ok and m["p95"] < TARGET_P95_MS
    print(f"bare Django view {sum(b['rps'] for b in bares) / len(bares):.0f} req/s (mean of {len(bares)} runs)")
    print(f"target p95 < {TARGET_P95_MS:.0f} ms for each page: {'OK' if ok else 'NOT MET'}")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"note: load average {load:.1f}: other work shared the CPUs during the run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
