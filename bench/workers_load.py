"""Load benchmark: riders checking in at a station's door and taking its last raincoats, served by
gunicorn beside a bare Django view.

    .venv/bin/python bench/workers_load.py [--riders 1000] [--stock 300] [--clients 8] [--workers 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lj_bench_workers .venv/bin/python bench/workers_load.py

Creates (in a SQLite database of its own under ``var/bench/workers-load/``, or in DATABASE_URL) a
community with a station, ``--riders`` verified riders with API tokens, and a supply of ``--stock``
raincoats; serves the app and a bare Django JSON view (``bench/bare_wsgi.py``) with gunicorn on
127.0.0.1; then ``--clients`` client processes post one door check-in per rider
(``POST /api/v1/workers/checkins``), and afterwards every rider tries to take one raincoat
(``POST …/supplies/{id}/take``). Prints requests/s, p50/p95 and errors for both, the final counts
(check-ins must equal riders; exactly ``--stock`` takes succeed, the rest are 409 and the stock ends
at 0), and the bare view's req/s measured before and after in the same run, as ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from events_load import ensure_postgres_database
from load import drive, free_port, gunicorn, wait_ready
from pagetiming import ROOT, p95


def prepare(riders: int, stock: int) -> dict[str, Any]:
    """Migrate, then make the community, its station, a raincoat supply and the riders (one set per run)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from lianjian.accounts.models import Role
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.accounts.services import api_token_create, role_grant, user_create
    from lianjian.regions.models import Region
    from lianjian.regions.services import region_create
    from lianjian.workers import services, stations

    call_command("migrate", verbosity=0)
    community = Region.objects.filter(code="990000002001001").first()
    if community is None:
        city = Region.objects.filter(code="990000").first() or region_create(
            actor=SYSTEM, parent=None, code="990000", name="压测市", kind="city")
        district = region_create(actor=SYSTEM, parent=city, code="990000002", name="压测二区", kind="district")
        street = region_create(actor=SYSTEM, parent=district, code="990000002001", name="压测街道", kind="street")
        community = region_create(actor=SYSTEM, parent=street, code="990000002001001", name="驿站压测社区",
                                  kind="community")
    run = f"{timezone.now():%H%M%S}"
    station = stations.station_create(actor=SYSTEM, community=community, name=f"压测驿站 {run}", address="压测路 1 号")
    supply = stations.supply_create(actor=SYSTEM, station=station, name="雨衣", quantity=stock)
    tokens = []
    base = int(time.time()) % 10_000 * 100_000
    for i in range(riders):
        user = user_create(actor=SYSTEM, username=f"bench_rider_{run}_{i}", password=None, real_name=f"骑手{i}",
                           phone=f"17{base + i:09d}")
        role_grant(actor=SYSTEM, user=user, role=Role.RIDER, region=community)
        worker = services.worker_register(actor=user, community=community, platform="meituan",
                                          station_name="压测站点")
        services.worker_verify(actor=SYSTEM, worker=worker)
        tokens.append(api_token_create(user=user, name="bench")[1])
    return {"station": station.pk, "token": station.token, "supply": supply.pk, "tokens": tokens,
            "vendor": connection.vendor}


def post_each(args: tuple[int, str, str, list[str], Any]) -> tuple[list[float], dict[int, int], float]:
    """One client: wait for the others, then post *body* once with each of its riders' tokens."""
    port, path, body, tokens, barrier = args
    barrier.wait(timeout=60)
    times: list[float] = []
    statuses: dict[int, int] = {}
    for token in tokens:
        headers = {"Host": "127.0.0.1", "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", path, body=body.encode(), headers=headers)
            response = conn.getresponse()
            response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
        except OSError:
            statuses[0] = statuses.get(0, 0) + 1
        finally:
            conn.close()
        times.append((time.perf_counter() - started) * 1000)
    return times, statuses, time.perf_counter()


def storm(port: int, path: str, body: str, tokens: list[str], clients: int) -> dict[str, Any]:
    manager = multiprocessing.Manager()
    barrier = manager.Barrier(clients + 1)
    shares = [tokens[i::clients] for i in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        pending = pool.map_async(post_each, [(port, path, body, share, barrier) for share in shares])
        barrier.wait(timeout=60)
        started = time.perf_counter()
        results = pending.get(timeout=900)
    manager.shutdown()
    samples = [t for times, _s, _end in results for t in times]
    statuses: dict[int, int] = {}
    for _t, s, _end in results:
        for code, n in s.items():
            statuses[code] = statuses.get(code, 0) + n
    elapsed = max(end for _t, _s, end in results) - started
    ordered = sorted(samples)
    return {"rps": len(samples) / elapsed, "p50": ordered[len(ordered) // 2], "p95": p95(samples),
            "statuses": statuses}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--riders", type=int, default=1000)
    parser.add_argument("--stock", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        ensure_postgres_database(os.environ["DATABASE_URL"])
    else:
        os.environ.setdefault("LIANJIAN_VAR_DIR", str(ROOT / "var" / "bench" / "workers-load"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianjian.settings")
    os.environ.pop("LIANJIAN_TESTING", None)
    setup = prepare(args.riders, args.stock)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    app_port, bare_port = free_port(), free_port()
    servers = [gunicorn("lianjian.wsgi:application", app_port, args.workers, env, ROOT),
               gunicorn("bare_wsgi:application", bare_port, args.workers, env, ROOT / "bench")]
    take = f"/api/v1/workers/stations/{setup['station']}/supplies/{setup['supply']}/take"
    try:
        wait_ready(app_port, "/healthz", servers[0])
        wait_ready(bare_port, "/bare", servers[1])
        drive(bare_port, ["/bare"] * 4 * args.clients, "", args.clients)
        drive(app_port, ["/healthz"] * 4 * args.clients, "", args.clients)
        bare_before = drive(bare_port, ["/bare"] * args.riders, "", args.clients)
        checkins = storm(app_port, "/api/v1/workers/checkins", json.dumps({"token": setup["token"]}),
                         setup["tokens"], args.clients)
        takes = storm(app_port, take, json.dumps({"quantity": 1}), setup["tokens"], args.clients)
        bare_after = drive(bare_port, ["/bare"] * args.riders, "", args.clients)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    from lianjian.workers.models import CheckIn, Supply

    counted = CheckIn.objects.filter(station_id=setup["station"]).count()
    left = Supply.objects.get(pk=setup["supply"]).quantity
    bare = (bare_before["rps"] + bare_after["rps"]) / 2
    exact = (counted == args.riders and checkins["statuses"].get(201) == args.riders
             and takes["statuses"].get(200) == min(args.stock, args.riders) and left == max(args.stock - args.riders, 0)
             and takes["statuses"].get(409, 0) == max(args.riders - args.stock, 0))
    print(f"database {setup['vendor']}; gunicorn {args.workers} workers; {args.clients} clients; "
          f"{os.cpu_count()} CPU cores; {args.riders} riders, {args.stock} raincoats")
    for name, r in (("check-ins", checkins), ("takes", takes)):
        print(f"{name}/s {r['rps']:.0f}  p50 {r['p50']:.1f} ms  p95 {r['p95']:.1f} ms  statuses {r['statuses']}  "
              f"x bare {r['rps'] / bare:.3f}")
    print(f"final: check-ins {counted}, raincoats left {left}")
    print(f"bare Django view {bare:.0f} req/s (before {bare_before['rps']:.0f}, after {bare_after['rps']:.0f})")
    print(f"exact counts (one check-in per rider, exactly the stock handed out): {'OK' if exact else 'NOT MET'}")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(f"note: load average {load:.1f}: other work shared the CPUs during the run")
    return 0 if exact else 1


if __name__ == "__main__":
    raise SystemExit(main())
