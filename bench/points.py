"""Points benchmark: awards/s through the API and a person's statement over 1,000,000 ledger entries,
served by gunicorn beside a bare Django view.

    .venv/bin/python bench/points.py [--entries 1000000] [--awards 2000] [--reads 1000] [--clients 8]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lj_bench_points .venv/bin/python bench/points.py

Builds (once; reused while it holds ``--entries`` entries) a scheme of 2,000 accounts whose ledger
holds ``--entries`` entries, 20,000 of them on one rider's account, in a SQLite database of its own
under ``var/bench/points/`` (or in DATABASE_URL). Then ``--clients`` client processes post
``--awards`` awards (staff, new source keys, each on a new connection) and read the rider's
statement page (/points/), the statement API (/api/v1/points/accounts/me/entries) and the account
API (/api/v1/points/accounts/me). Prints awards/s, p50/p95 of each, the bare view's req/s measured
in the same run and the ratios. Target (issue 12): statement p95 < 100 ms over 1,000,000 entries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from events_load import ensure_postgres_database
from load import drive, free_port, gunicorn, wait_ready
from pagetiming import ROOT, p95

TARGET_P95_MS = 100.0
ACCOUNTS, HOT_ENTRIES = 2000, 20_000


def seed(entries: int) -> dict[str, Any]:
    """Migrate and build the ledger (bulk inserts; the balance cache is set from the entries)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce
    from django.test import Client
    from django.utils import timezone

    from lianjian.accounts.models import Role, User
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.accounts.services import api_token_create, role_grant, user_create
    from lianjian.points import schemes
    from lianjian.points.models import Account, Entry, Scheme
    from lianjian.regions.models import Region
    from lianjian.regions.services import region_create

    call_command("migrate", verbosity=0)
    community = Region.objects.filter(code="990000002001001").first()
    if community is None:
        city = Region.objects.filter(code="990000").first() or region_create(
            actor=SYSTEM, parent=None, code="990000", name="压测市", kind="city")
        district = region_create(actor=SYSTEM, parent=city, code="990000002", name="积分压测区", kind="district")
        street = region_create(actor=SYSTEM, parent=district, code="990000002001", name="积分压测街道", kind="street")
        community = region_create(actor=SYSTEM, parent=street, code="990000002001001", name="积分压测社区",
                                  kind="community")
    scheme = Scheme.objects.filter(region=community).first() or schemes.scheme_save(
        actor=SYSTEM, region=community, name="压测积分", expiry_months=24, approval_threshold=100)

    def user(name: str, role: str) -> User:
        found = User.objects.filter(username=name).first()
        if found is None:
            found = user_create(actor=SYSTEM, username=name, password=None, real_name=name)
            role_grant(actor=SYSTEM, user=found, role=role, region=community)
        return found

    staff, rider = user("bench_points_staff", Role.COMMUNITY_STAFF), user("bench_points_rider", Role.RIDER)
    have = Entry.objects.filter(account__scheme=scheme).count()
    if have < entries:
        started = time.perf_counter()
        existing = set(User.objects.filter(username__startswith="bench_pp_").values_list("username", flat=True))
        User.objects.bulk_create([User(username=f"bench_pp_{i:05d}", real_name=f"压测{i}")
                                  for i in range(ACCOUNTS - 1) if f"bench_pp_{i:05d}" not in existing])
        people = [rider, *User.objects.filter(username__startswith="bench_pp_").order_by("username")]
        Account.objects.bulk_create([Account(scheme=scheme, person=p) for p in people], ignore_conflicts=True)
        accounts = list(Account.objects.filter(scheme=scheme).order_by("person__username"))
        hot = next(a for a in accounts if a.person_id == rider.pk)
        others = [a for a in accounts if a.pk != hot.pk]
        now, rng = timezone.now(), random.Random(12)
        batch: list[Entry] = []
        for i in range(have, entries):
            account = hot if i < HOT_ENTRIES else others[i % len(others)]
            batch.append(Entry(account=account, kind="award", amount=rng.randint(1, 5), trigger="manual",
                               source_key=f"bench.seed:{i}", reason="压测",
                               created_at=now - dt.timedelta(minutes=(entries - i) // 3)))
            if len(batch) == 10_000:
                with transaction.atomic():
                    Entry.objects.bulk_create(batch)
                batch = []
        if batch:
            Entry.objects.bulk_create(batch)
        total = Entry.objects.filter(account=OuterRef("pk")).values("account").annotate(n=Sum("amount")).values("n")
        Account.objects.filter(scheme=scheme).update(balance=Coalesce(Subquery(total), 0))
        print(f"seeded {entries - have} entries in {time.perf_counter() - started:.0f} s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE points_entry")
    _token, raw = api_token_create(user=staff, name="bench")
    _rtoken, rider_raw = api_token_create(user=rider, name="bench")
    c = Client()
    c.force_login(rider)
    return {"token": raw, "rider_token": rider_raw, "cookie": f"sessionid={c.cookies['sessionid'].value}",
            "rider": rider.username, "vendor": connection.vendor, "community": community.pk,
            "entries": Entry.objects.count(), "hot": Entry.objects.filter(account__person=rider).count()}


def _request(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def award_client(args: tuple[int, str, str, int, list[int], str, Any]) -> tuple[list[float], list[str], float]:
    port, token, person, community, keys, run, barrier = args
    barrier.wait(timeout=60)
    headers = {"Host": "127.0.0.1", "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    times, errors = [], []
    for i in keys:
        body = json.dumps({"person": person, "points": 1 + i % 5, "reason": "压测发放", "source_key": f"b{run}-{i}",
                           "community_id": community}).encode()
        started = time.perf_counter()
        try:
            status = _request(port, "POST", "/api/v1/points/awards", headers, body)
            if status != 201:
                errors.append(str(status))
        except OSError as exc:
            errors.append(type(exc).__name__)
        times.append((time.perf_counter() - started) * 1000)
    return times, errors, time.perf_counter()


def run_awards(port: int, setup: dict[str, Any], awards: int, clients: int) -> dict[str, Any]:
    manager = multiprocessing.Manager()
    barrier = manager.Barrier(clients + 1)
    run = int(time.time())
    shares = [list(range(awards))[i::clients] for i in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        pending = pool.map_async(award_client, [(port, setup["token"], setup["rider"], setup["community"], share,
                                                 str(run), barrier) for share in shares])
        barrier.wait(timeout=60)
        started = time.perf_counter()
        results = pending.get(timeout=900)
    manager.shutdown()
    samples = [t for times, _e, _end in results for t in times]
    errors = [e for _t, errs, _end in results for e in errs]
    elapsed = max(end for _t, _e, end in results) - started
    ordered = sorted(samples)
    return {"rps": len(samples) / elapsed, "p50": ordered[len(ordered) // 2], "p95": p95(samples), "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--awards", type=int, default=2000)
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        ensure_postgres_database(os.environ["DATABASE_URL"])
    else:
        os.environ.setdefault("LIANJIAN_VAR_DIR", str(ROOT / "var" / "bench" / "points"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianjian.settings")
    os.environ.pop("LIANJIAN_TESTING", None)
    setup = seed(args.entries)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    app_port, bare_port = free_port(), free_port()
    servers = [gunicorn("lianjian.wsgi:application", app_port, args.workers, env, ROOT),
               gunicorn("bare_wsgi:application", bare_port, args.workers, env, ROOT / "bench")]
    reads: dict[str, dict[str, float]] = {}
    try:
        wait_ready(app_port, "/healthz", servers[0])
        wait_ready(bare_port, "/bare", servers[1])
        drive(bare_port, ["/bare"] * 4 * args.clients, "", args.clients)
        drive(app_port, ["/points/"] * 2 * args.clients, setup["cookie"], args.clients)
        bare_before = drive(bare_port, ["/bare"] * args.reads, "", args.clients)
        awards = run_awards(app_port, setup, args.awards, args.clients)
        for label, path in (("statement page /points/", "/points/"),
                            ("statement API", "/api/v1/points/accounts/me/entries"),
                            ("account API", "/api/v1/points/accounts/me"),
                            ("statement page 100", "/points/?page=100")):
            reads[label] = drive(app_port, [path] * args.reads, setup["cookie"], args.clients)
            # The same with one client per worker: the latency of one request, without queueing.
            reads[f"{label} ({args.workers} clients)"] = drive(app_port, [path] * (args.reads // 2), setup["cookie"],
                                                               args.workers)
        bare_after = drive(bare_port, ["/bare"] * args.reads, "", args.clients)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    bare = (bare_before["rps"] + bare_after["rps"]) / 2
    print(f"database {setup['vendor']}; gunicorn {args.workers} workers; {args.clients} clients; "
          f"{os.cpu_count()} CPU cores; {setup['entries']} ledger entries, {setup['hot']} on the rider's account")
    print(f"awards/s {awards['rps']:.0f}  p50 {awards['p50']:.1f} ms  p95 {awards['p95']:.1f} ms  "
          f"errors {len(awards['errors'])}  (x bare {awards['rps'] / bare:.3f})")
    ok = not awards["errors"]
    for label, r in reads.items():
        print(f"{label:38s} {r['rps']:6.0f} req/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
              f"(x bare {r['rps'] / bare:.3f})")
        ok = ok and r["p95"] < TARGET_P95_MS
    print(f"bare Django view {bare:.0f} req/s (before {bare_before['rps']:.0f}, after {bare_after['rps']:.0f})")
    print(f"target: statement p95 < {TARGET_P95_MS:.0f} ms, 0 award errors: {'OK' if ok else 'NOT MET'}")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"note: load average {load:.1f}: other work shared the CPUs during the run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
