"""Benchmark the live claim board's poll: the request every projector makes once a second.

    python bench/board_poll.py                 # 12 needs, 40 claims, 500 polls each way
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lj_meetings python bench/board_poll.py

Builds its own database (a temporary SQLite file unless DATABASE_URL is set), a community with
40 joint units, an open meeting with 12 needs on its board and 40 claims, then times through
Django's test client (session auth, middleware, the real view):
- the unchanged poll (``?v=<current version>`` → 204, what the board sends nearly every second),
- the API poll with ``If-None-Match`` (→ 304),
- the full fragment (→ 200, sent after each change).
Prints p50/p95/max; asserts nothing. Target (issue 5): the poll answers < 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _stats(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(f"{label:42s} p50 {statistics.median(ms):6.2f} ms   p95 {p95:6.2f} ms   max {ms[-1]:6.2f} ms  "
          f"(n={len(ms)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polls", type=int, default=500)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="lj-board-bench-")
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
    print(f"database: {connection.vendor}; machine: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    call_command("migrate", verbosity=0)

    from lianjian.accounts.permissions import SYSTEM
    from lianjian.meetings import lists_bridge, selectors, services
    from lianjian.meetings.tests.factories import category, partner_unit
    from lianjian.testing import make_world

    world = make_world()
    units = [partner_unit(world, f"看板基准单位{i}-{time.time_ns() % 10**6}")[0] for i in range(40)]
    meeting = services.meeting_create(
        actor=world.staff, community=world.community, title="基准会议",
        starts_at=dt.datetime(2025, 1, 10, 9, 30, tzinfo=dt.UTC), venue="会场", invited_units=units)
    meeting = services.meeting_set_status(actor=world.staff, meeting=meeting, status="open")
    needs = []
    for i in range(12):
        need = lists_bridge.need_create_published(
            actor=SYSTEM, community=world.community, title=f"需求{i}", description="", category=category(),
            year=2025, quantity_needed=10, quantity_unit="人")
        services.board_add_need(actor=world.staff, meeting=meeting, need=need)
        needs.append(need)
    for i, org in enumerate(units):
        services.meeting_claim_create(actor=SYSTEM, meeting=meeting, need=needs[i % 12], organisation=org)
    version = selectors.board_version(meeting_id=meeting.pk)

    client = Client()
    client.force_login(world.staff)
    url = f"/meetings/{meeting.pk}/board/state/"
    api = f"/api/v1/meetings/{meeting.pk}/board"

    def run(label: str, fn, expect: int) -> None:  # type: ignore[no-untyped-def]
        for _ in range(20):
            fn()
        out = []
        for _ in range(args.polls):
            t = time.perf_counter()
            r = fn()
            out.append((time.perf_counter() - t) * 1000)
            assert r.status_code == expect, r.status_code
        _stats(label, out)

    etag = client.get(api)["ETag"]
    run("poll unchanged (?v=…, 204)", lambda: client.get(url, {"v": version}), 204)
    run("API poll unchanged (If-None-Match, 304)", lambda: client.get(api, HTTP_IF_NONE_MATCH=etag), 304)
    run("poll after a change (full fragment, 200)", lambda: client.get(url), 200)
    print("\ntarget: the poll answers < 50 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
