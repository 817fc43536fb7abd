"""Benchmark: the community needs list and a need's trace page at city scale.

    .venv/bin/python bench/lists_pages.py [--needs 100000] [--projects 50000] [--requests 60]

Uses its own SQLite database under var/bench/ (or DATABASE_URL if set), generates the district
once with ``bench/gen_data.py`` and measures pages through Django's test Client as a
community staff member. Targets (issue 3): list p95 < 150 ms, trace p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pagetiming import configure, measure, p95

configure()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--district-code", default="510104")
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from gen_data import Command as GenBenchData  # after django.setup(): it imports models

    from lianjian.accounts.models import Role, User
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.accounts.services import role_grant, user_create
    from lianjian.lists.models import Category, Need
    from lianjian.regions.models import Region

    setup_test_environment()
    call_command("migrate", verbosity=0)
    district = Region.objects.filter(code=args.district_code).first()
    if district is None or Need.objects.filter(community__district=district).count() < args.needs:
        call_command(GenBenchData(), needs=args.needs, projects=args.projects, district_code=args.district_code)
        district = Region.objects.get(code=args.district_code)
    total = Need.objects.filter(community__district=district).count()
    row = (Need.objects.filter(community__district=district).values("community_id")
           .annotate(n=Count("id")).order_by("-n").first())
    community = Region.objects.get(pk=row["community_id"])
    staff = User.objects.filter(username="bench_staff").first()
    if staff is None:
        staff = user_create(actor=SYSTEM, username="bench_staff", password=None, real_name="基准测试社区管理员")
        role_grant(actor=SYSTEM, user=staff, role=Role.COMMUNITY_STAFF, region=community)
    else:
        for assignment in staff.roles.filter(role=Role.COMMUNITY_STAFF):  # saved one by one: the scope_version rises
            assignment.region = community
            assignment.save(update_fields=["region"])
    client = Client()
    client.force_login(staff)

    rnd = random.Random(1)
    categories = list(Category.objects.values_list("pk", flat=True))
    base = f"/lists/?community={community.pk}"
    variants = [base, f"{base}&status=open", f"{base}&status=covered&year=2025", f"{base}&page=20",
                f"{base}&q=助餐", f"{base}&year=2024"]
    list_urls = [rnd.choice(variants) + (f"&category={rnd.choice(categories)}" if rnd.random() < 0.3 else "")
                 for _ in range(args.requests)]
    need_ids = list(Need.objects.filter(community=community).values_list("pk", flat=True)[:5000])
    trace_urls = [f"/lists/needs/{rnd.choice(need_ids)}/" for _ in range(args.requests)]

    measure(client, list_urls[:5] + trace_urls[:5])  # warm caches, connections, templates
    list_times = measure(client, list_urls)
    trace_times = measure(client, trace_urls)

    from django.db import connection

    print(f"数据：{total} 条需求（区 {district.code}），被测社区 {community.name} 有 {row['n']} 条；"
          f"数据库 {connection.vendor}")
    for name, samples, target in (("需求清单 list", list_times, 150), ("需求追溯 trace", trace_times, 100)):
        verdict = "OK" if p95(samples) < target else "SLOW"
        print(f"{name:16s} n={len(samples):3d}  p50={statistics.median(samples):6.1f} ms  "
              f"p95={p95(samples):6.1f} ms  max={max(samples):6.1f} ms  target p95<{target} ms  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
