"""Benchmark: the community project list (filtered, paginated), the public board and a project page.

    .venv/bin/python bench/projects_pages.py [--needs 100000] [--projects 50000] [--requests 60]

Uses the same database as bench/lists_pages.py (var/bench/, or DATABASE_URL if set); the
district is generated once with ``bench/gen_data.py``. Pages are requested through
Django's test Client as a community staff member of the community with the most projects.
Target (issue 3): project list p95 < 150 ms.
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
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from gen_data import Command as GenBenchData  # after django.setup(): it imports models

    from lianjian.accounts.models import Role, User
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.accounts.services import role_grant, user_create
    from lianjian.lists.models import Category
    from lianjian.projects.models import Project
    from lianjian.regions.models import Region

    call_command("migrate", verbosity=0)
    district = Region.objects.filter(code=args.district_code).first()
    in_district = Project.objects.filter(community__district=district) if district else Project.objects.none()
    if district is None or in_district.count() < args.projects:
        call_command(GenBenchData(), needs=args.needs, projects=args.projects, district_code=args.district_code)
        district = Region.objects.get(code=args.district_code)
        in_district = Project.objects.filter(community__district=district)
    total = in_district.count()
    row = in_district.values("community_id").annotate(n=Count("id")).order_by("-n").first()
    community = Region.objects.get(pk=row["community_id"])
    staff = User.objects.filter(username="bench_projects_staff").first()
    if staff is None:
        staff = user_create(
            actor=SYSTEM, username="bench_projects_staff", password=None, real_name="基准测试项目管理员"
        )
        role_grant(actor=SYSTEM, user=staff, role=Role.COMMUNITY_STAFF, region=community)
    else:
        for assignment in staff.roles.filter(role=Role.COMMUNITY_STAFF):  # saved one by one: the scope_version rises
            assignment.region = community
            assignment.save(update_fields=["region"])
    # No setup_test_environment(): its template instrumentation (a signal with a context copy per
    # rendered template) is not what production pays; "localhost" is an allowed host instead.
    client = Client(SERVER_NAME="localhost")
    client.force_login(staff)

    rnd = random.Random(1)
    categories = list(Category.objects.values_list("pk", flat=True))
    units = list(Project.objects.filter(community=community).values_list("lead_org_id", flat=True).distinct()[:200])
    base = f"/projects/?community={community.pk}"
    variants = [
        base,
        f"{base}&status=completed",
        f"{base}&status=in_progress&year=2025",
        f"{base}&page=20",
        f"{base}&q=助餐",
        f"{base}&year=2024",
        f"{base}&status=completed&year=2024&page=3",
    ]
    list_urls = []
    for _ in range(args.requests):
        url = rnd.choice(variants)
        if rnd.random() < 0.3:
            url += f"&category={rnd.choice(categories)}"
        if rnd.random() < 0.2:
            url += f"&unit={rnd.choice(units)}"
        list_urls.append(url)
    board = f"/board/{community.code}/"
    board_urls = [
        rnd.choice(
            [
                board,
                f"{board}?status=completed",
                f"{board}?year=2024",
                f"{board}?category={rnd.choice(categories)}",
                f"{board}?page=5",
            ]
        )
        for _ in range(args.requests)
    ]
    project_ids = list(Project.objects.filter(community=community).values_list("pk", flat=True)[:2000])
    detail_urls = [f"/projects/{rnd.choice(project_ids)}/" for _ in range(args.requests)]

    measure(client, list_urls[:5] + board_urls[:5] + detail_urls[:5])  # warm caches, connections, templates
    results = [
        ("项目清单 list", measure(client, list_urls), 150),
        ("公开展示板 board", measure(client, board_urls), 150),
        ("项目详情 detail", measure(client, detail_urls), 150),
    ]

    print(
        f"数据：{total} 个项目（区 {district.code}），被测社区 {community.name} 有 {row['n']} 个；"
        f"数据库 {connection.vendor}"
    )
    for name, samples, target in results:
        verdict = "OK" if p95(samples) < target else "SLOW"
        print(
            f"{name:18s} n={len(samples):3d}  p50={statistics.median(samples):6.1f} ms  "
            f"p95={p95(samples):6.1f} ms  max={max(samples):6.1f} ms  target p95<{target} ms  {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
