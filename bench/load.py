"""Load benchmark: the pages through gunicorn under concurrent clients, as ratios to a bare view.

    .venv/bin/python bench/load.py [--needs 100000] [--projects 50000] [--requests 400] [--clients 8]

Builds (once, then reuses) a district of the given size with ``bench/gen_data.py`` in a
SQLite database of its own under ``var/bench/load-N-P/`` (or DATABASE_URL if set), serves the
app with gunicorn (``--workers``, default 2) on a free port of 127.0.0.1, and beside it, in the
same run, a bare Django JSON view (``bench/bare_wsgi.py``) served the same way. Each page gets a
fixed number of requests from ``--clients`` concurrent client processes (one connection each,
sequential requests), then the servers stop. Prints req/s, p50 and p95 per page and the ratio of
its req/s to the bare view's. Targets (issue 9): ``/healthz`` >= 0.5x bare; every list page at
city scale >= 0.05x bare with p95 < 150 ms at 8 clients.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pagetiming import ROOT, p95

HEALTHZ_RATIO, LIST_RATIO, LIST_P95_MS = 0.5, 0.05, 150.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def client(args: tuple[int, list[str], str, multiprocessing.synchronize.Barrier]) -> tuple[list[float], float, int]:
    """One client: wait for the others, then GET each path in turn on a new connection
    (gunicorn's sync workers close after each answer). Returns latencies (ms), its end time and
    the number of failed requests."""
    port, paths, cookie, barrier = args
    barrier.wait(timeout=60)
    times, failed = [], 0
    headers = {"Host": "127.0.0.1", "Cookie": cookie} if cookie else {"Host": "127.0.0.1"}
    for path in paths:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failed += 1
        except OSError:
            failed += 1
        finally:
            conn.close()
        times.append((time.perf_counter() - started) * 1000)
    return times, time.perf_counter(), failed


def drive(port: int, paths: list[str], cookie: str, clients: int) -> dict[str, float]:
    """Spread *paths* over *clients* processes started together; req/s over the whole run."""
    manager = multiprocessing.Manager()
    barrier = manager.Barrier(clients + 1)
    shares = [paths[i::clients] for i in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        pending = pool.map_async(client, [(port, share, cookie, barrier) for share in shares])
        barrier.wait(timeout=60)
        started = time.perf_counter()
        results = pending.get(timeout=600)
    manager.shutdown()
    samples = [t for times, _end, _f in results for t in times]
    elapsed = max(end for _t, end, _f in results) - started
    failed = sum(f for _t, _e, f in results)
    if failed:
        raise SystemExit(f"{failed} of {len(paths)} requests to {paths[0]} failed (not 200)")
    ordered = sorted(samples)
    return {"rps": len(samples) / elapsed, "p50": ordered[len(ordered) // 2], "p95": p95(samples)}


def server_cpu(master: subprocess.Popen[bytes]) -> float:
    """CPU seconds used so far by the gunicorn master's worker processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master.pid:  # fields[1] is the parent pid; 11 and 12 utime, stime
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def measure(port: int, paths: list[str], cookie: str, clients: int,
            master: subprocess.Popen[bytes]) -> dict[str, float]:
    """drive() plus the server's CPU milliseconds per request: unlike req/s, that figure barely
    moves when other work shares the machine."""
    before = server_cpu(master)
    result = drive(port, paths, cookie, clients)
    result["cpu_ms"] = (server_cpu(master) - before) * 1000 / len(paths)
    return result


def wait_idle(master: subprocess.Popen[bytes], workers: int) -> None:
    """Wait until every worker has booted and gone quiet: the first answer comes from the first
    worker up, while the others may still be importing the app (a second of CPU that would
    otherwise be billed to the first page measured)."""
    deadline, last = time.monotonic() + 60, -1.0
    while time.monotonic() < deadline:
        children = sum(1 for entry in Path("/proc").iterdir() if entry.name.isdigit() and _parent(entry) == master.pid)
        used = server_cpu(master)
        if children >= workers and used - last < 0.01:
            return
        last = used
        time.sleep(0.5)


def _parent(entry: Path) -> int:
    try:
        return int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def wait_ready(port: int, path: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer {path}")


def gunicorn(app: str, port: int, workers: int, env: dict[str, str], chdir: Path,
             threads: int = 1) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1; ``threads`` > 1 uses the gthread worker (several requests per process)."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--chdir", str(chdir), "--log-level", "warning"], env=env)


def prepare(args: argparse.Namespace) -> dict[str, object]:
    """Build or reuse the database; return the pages to measure and the session cookies."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from gen_data import Command as GenBenchData  # after django.setup(): it imports models

    from lianjian.accounts.models import Role, User
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.accounts.services import role_grant, user_create
    from lianjian.lists.models import Need
    from lianjian.projects.models import Project
    from lianjian.regions.models import Region

    call_command("migrate", verbosity=0)
    district = Region.objects.filter(code=args.district_code).first()
    built = 0.0
    if district is None or Need.objects.filter(community__district=district).count() < args.needs:
        started = time.perf_counter()
        call_command(GenBenchData(), needs=args.needs, projects=args.projects, district_code=args.district_code)
        built = time.perf_counter() - started
        district = Region.objects.get(code=args.district_code)
    needs = Need.objects.filter(community__district=district)
    row = needs.values("community_id").annotate(n=Count("id")).order_by("-n").first()
    assert row is not None
    community = Region.objects.get(pk=row["community_id"])

    def user(name: str, role: str, region: Region) -> User:
        found = User.objects.filter(username=name).first()
        if found is None:
            found = user_create(actor=SYSTEM, username=name, password=None, real_name=name)
            role_grant(actor=SYSTEM, user=found, role=role, region=region)
        return found

    def cookie(u: User) -> str:
        c = Client()
        c.force_login(u)
        return f"sessionid={c.cookies['sessionid'].value}"

    staff = cookie(user("bench_load_staff", Role.COMMUNITY_STAFF, community))
    admin = cookie(user("bench_load_district", Role.REGION_ADMIN, district))
    need_ids = list(needs.filter(community=community).values_list("pk", flat=True)[:500])
    project_ids = list(Project.objects.filter(community=community).values_list("pk", flat=True)[:500])
    pages = [
        ("/healthz", "", ["/healthz"]),
        ("需求清单 staff /lists/", staff, [f"/lists/?community={community.pk}"]),
        ("需求追溯 /lists/needs/N/", staff, [f"/lists/needs/{pk}/" for pk in need_ids]),
        ("区需求清单 district /lists/", admin, ["/lists/"]),
        ("项目清单 staff /projects/", staff, [f"/projects/?community={community.pk}"]),
        ("区项目清单 district /projects/", admin, ["/projects/"]),
        ("项目 /projects/N/", staff, [f"/projects/{pk}/" for pk in project_ids]),
        ("公示栏 /board/CODE/", "", [f"/board/{community.code}/"]),
    ]
    return {"pages": pages, "needs": needs.count(), "projects": Project.objects.filter(
        community__district=district).count(), "community": community.name, "community_needs": row["n"],
        "vendor": connection.vendor, "built": built}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--district-code", default="510104")
    parser.add_argument("--requests", type=int, default=400, help="requests per page (default 400)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("LIANJIAN_VAR_DIR", str(ROOT / "var" / "bench" / f"load-{args.needs}-{args.projects}"))
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
        warm = min(args.requests, 4 * args.clients)
        drive(bare_port, ["/bare"] * warm, "", args.clients)
        # The bare view is measured again after every page, and each page is compared with the
        # mean of the bare runs on either side: a machine whose load changes during the run
        # (other work on the same cores) moves both alike.
        bare_paths = ["/bare"] * args.requests
        bares = [measure(bare_port, bare_paths, "", args.clients, servers[1])]
        for name, cookie, urls in setup["pages"]:  # type: ignore[attr-defined]
            paths = [urls[i % len(urls)] for i in range(args.requests)]
            drive(app_port, paths[:warm], cookie, args.clients)  # warm caches and connections
            measured = measure(app_port, paths, cookie, args.clients, servers[0])
            bares.append(measure(bare_port, bare_paths, "", args.clients, servers[1]))
            measured["bare"] = (bares[-2]["rps"] + bares[-1]["rps"]) / 2
            rows.append((name, measured))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    cores = os.cpu_count()
    print(f"数据 data: {setup['needs']} needs, {setup['projects']} projects in the district; "
          f"community {setup['community']} has {setup['community_needs']} needs; database {setup['vendor']}")
    print(f"gunicorn {args.workers} workers, {args.clients} concurrent clients, {args.requests} requests per page, "
          f"{cores} CPU cores")
    bare_rps = sorted(b["rps"] for b in bares)[len(bares) // 2]
    bare_p95 = sorted(b["p95"] for b in bares)[len(bares) // 2]
    bare_cpu = sum(b["cpu_ms"] for b in bares) / len(bares)
    print("x bare: req/s over the mean of the bare runs just before and after the page; "
          "cpu ms: server CPU per request, cpu x bare: bare CPU/request over the page's")
    print(f"{'page':32s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'x bare':>8s} {'cpu ms':>8s} "
          f"{'cpu x bare':>10s}  target")
    print(f"{'bare Django JSON view (median)':32s} {bare_rps:8.0f} {'':8s} {bare_p95:8.1f} {1:8.3f} "
          f"{bare_cpu:8.2f} {1:10.3f}")
    for name, r in rows:
        ratio = r["rps"] / r["bare"]
        if name == "/healthz":
            target, ok = f">= {HEALTHZ_RATIO}x", ratio >= HEALTHZ_RATIO
        else:
            target, ok = f">= {LIST_RATIO}x, p95 < {LIST_P95_MS:.0f}", ratio >= LIST_RATIO and r["p95"] < LIST_P95_MS
        cpu_ratio = bare_cpu / r["cpu_ms"] if r["cpu_ms"] else float("inf")
        print(f"{name:32s} {r['rps']:8.0f} {r['p50']:8.1f} {r['p95']:8.1f} {ratio:8.3f} {r['cpu_ms']:8.2f} "
              f"{cpu_ratio:10.3f}  {target} {'OK' if ok else 'SLOW'}")
    load = os.getloadavg()[0]
    if load > (cores or 1):
        print(f"note: load average {load:.1f} on {cores} cores during the run: other work shared the CPUs, "
              "absolute figures (req/s, p95) are lower than on an idle machine; the ratios hold better")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
