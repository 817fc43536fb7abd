"""Generate a city-scale district for benchmarks: regions, units, needs, claims and projects.

Rows are written with ``bulk_create`` straight into the tables (not through the services): this
is synthetic load for measuring pages, not data anyone works with, and 100,000 service calls
would take an hour. Never run it against a production database.

It lives with the benchmarks, not in an app: it writes lists and projects rows alike, and no app
below both may import the other (see the layer contract). Run it alone with
``python bench/gen_data.py --needs 100000 --projects 50000``; the benchmarks call it themselves.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from typing import Any

import django
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

if __name__ == "__main__":  # run alone: Django is set up before the models below load
    from pagetiming import configure

    configure()
    django.setup()

from lianjian.lists.models import Category, Claim, ClaimStatus, Need, NeedStatus
from lianjian.lists.taxonomy import ensure_taxonomy
from lianjian.orgs.models import Organisation, OrgKind, Partnership
from lianjian.projects.models import Project, ProjectStatus
from lianjian.regions.models import Level, Region

TITLES = ["失业人员再就业", "独居老人助餐", "非遗文化进校园", "老旧小区电线改造", "骑手驿站服务", "重点人群筛查",
          "公交线路优化", "楼道堆物清理", "困难家庭帮扶", "青少年暑期托管", "残疾人康复辅具", "垃圾分类宣传",
          "文明实践志愿服务", "消防安全培训", "社区义诊"]
STATUSES = ([NeedStatus.PUBLISHED] * 45 + [NeedStatus.COVERED] * 25 + [NeedStatus.CLOSED] * 10
            + [NeedStatus.SUBMITTED] * 15 + [NeedStatus.RETURNED] * 5)
BATCH = 5000


class Command(BaseCommand):
    help = "生成基准测试数据 / generate a large district for benchmarks (bulk inserts, never in production)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--needs", type=int, default=100_000)
        parser.add_argument("--projects", type=int, default=50_000)
        parser.add_argument("--district-code", default="510104")
        parser.add_argument("--streets", type=int, default=10)
        parser.add_argument("--communities-per-street", type=int, default=5)
        parser.add_argument("--units", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.conf import settings

        if getattr(settings, "PRODUCTION", False):
            raise CommandError("bench/gen_data.py refuses to run in production.")
        rnd = random.Random(opts["seed"])
        started = time.perf_counter()
        ensure_taxonomy()
        with transaction.atomic():
            district = self._district(opts["district_code"])
            communities = self._communities(district, opts["streets"], opts["communities_per_street"])
            units = self._units(district, communities, opts["units"], rnd)
        categories = list(Category.objects.all())
        elapsed = time.perf_counter() - started
        self.stdout.write(f"区划 {len(communities)} 个社区，单位 {len(units)} 家 ({elapsed:.1f}s)")
        need_ids = self._needs(communities, categories, units, opts["needs"], rnd)
        self.stdout.write(f"需求 {len(need_ids)} 条 ({time.perf_counter() - started:.1f}s)")
        self._projects(communities, categories, units, need_ids, opts["projects"], rnd)
        self.stdout.write(self.style.SUCCESS(
            f"完成：{opts['needs']} 条需求、{opts['projects']} 个项目，用时 {time.perf_counter() - started:.1f}s"))

    # ---- regions and units ------------------------------------------------------------------

    def _district(self, code: str) -> Region:
        district = Region.objects.filter(code=code).first()
        if district is not None:
            if district.level != Level.DISTRICT:
                raise CommandError(f"{code} 不是区（县）级区划。")
            return district
        city_code = code[:4] + "00"
        city = Region.objects.filter(code=city_code).first()
        if city is None:
            city = Region.objects.create(code=city_code, name=f"基准市{city_code}", level=Level.CITY, kind="city",
                                         full_name=f"基准市{city_code}")
            Region.objects.filter(pk=city.pk).update(city=city)
            city.city_id = city.pk
        district = Region.objects.create(code=code, name=f"基准区{code}", level=Level.DISTRICT, kind="district",
                                         parent=city, city=city, full_name=f"{city.name}基准区{code}")
        Region.objects.filter(pk=district.pk).update(district=district)
        district.district_id = district.pk
        return district

    def _communities(self, district: Region, streets: int, per_street: int) -> list[Region]:
        result = []
        for s in range(1, streets + 1):
            code = f"{district.code}{s + 900:03d}"
            street = Region.objects.filter(code=code).first()
            if street is None:
                street = Region.objects.create(code=code, name=f"基准街道{s}", level=Level.STREET, kind="street",
                                               parent=district, city_id=district.city_id, district=district,
                                               full_name=f"{district.full_name}基准街道{s}")
                Region.objects.filter(pk=street.pk).update(street=street)
                street.street_id = street.pk
            existing = {r.code: r for r in Region.objects.filter(parent=street)}
            new = []
            for c in range(1, per_street + 1):
                ccode = f"{code}{c:03d}"
                if ccode in existing:
                    result.append(existing[ccode])
                    continue
                new.append(Region(code=ccode, name=f"基准社区{s}-{c}", level=Level.COMMUNITY, kind="community",
                                  parent=street, city_id=district.city_id, district=district, street=street,
                                  full_name=f"{street.full_name}基准社区{s}-{c}"))
            result.extend(Region.objects.bulk_create(new))
        return result

    def _units(self, district: Region, communities: list[Region], n: int, rnd: random.Random) -> list[int]:
        prefix = f"基准单位{district.code}-"
        have = Organisation.objects.filter(name__startswith=prefix).count()
        kinds = [k for k in OrgKind.values if k != OrgKind.OTHER]
        new = [Organisation(name=f"{prefix}{i:05d}", kind=rnd.choice(kinds), region=rnd.choice(communities))
               for i in range(have, n)]
        Organisation.objects.bulk_create(new, batch_size=BATCH)
        orgs = list(Organisation.objects.filter(name__startswith=prefix).values_list("pk", "region_id"))
        partnered = set(Partnership.objects.filter(organisation_id__in=[o for o, _ in orgs])
                        .values_list("organisation_id", flat=True))
        Partnership.objects.bulk_create(
            [Partnership(community_id=region_id, organisation_id=pk, start_date=dt.date(2023, 1, 1))
             for pk, region_id in orgs if pk not in partnered], batch_size=BATCH)
        return [pk for pk, _ in orgs]

    # ---- needs, claims, projects -----------------------------------------------------------

    def _needs(self, communities: list[Region], categories: list[Category], units: list[int], n: int,
               rnd: random.Random) -> list[int]:
        now = timezone.now()
        ids: list[int] = []
        for start in range(0, n, BATCH):
            rows = []
            for i in range(start, min(n, start + BATCH)):
                status = rnd.choice(STATUSES)
                needed = rnd.randint(1, 50)
                covered = needed if status == NeedStatus.COVERED else (
                    rnd.randint(0, needed - 1) if status in (NeedStatus.PUBLISHED, NeedStatus.CLOSED) else 0)
                rows.append(Need(
                    community=rnd.choice(communities), category=rnd.choice(categories),
                    title=f"{rnd.choice(TITLES)}（{i}）", description="基准测试生成的需求。" * 5,
                    quantity_needed=needed, quantity_covered=covered, quantity_unit="人",
                    year=rnd.choice((2023, 2024, 2025)), status=status, source="staff",
                    published_at=now if status not in (NeedStatus.SUBMITTED, NeedStatus.RETURNED) else None,
                    beneficiary_count=needed * 2))
            with transaction.atomic():
                created = Need.objects.bulk_create(rows)
                claims = [Claim(need=need, organisation_id=rnd.choice(units), quantity=need.quantity_covered,
                                status=ClaimStatus.CONFIRMED, channel="import", decided_at=now)
                          for need in created if need.quantity_covered]
                Claim.objects.bulk_create(claims)
            ids.extend(need.pk for need in created)
        return ids

    def _projects(self, communities: list[Region], categories: list[Category], units: list[int],
                  need_ids: list[int], n: int, rnd: random.Random) -> None:
        statuses = [ProjectStatus.COMPLETED] * 5 + [ProjectStatus.IN_PROGRESS] * 3 + [ProjectStatus.PLANNED] * 2
        linked = Need.objects.filter(pk__in=need_ids, status=NeedStatus.COVERED).values_list(
            "pk", "community_id", "category_id")
        linked_needs = list(linked[:n])
        for start in range(0, n, BATCH):
            rows = []
            for i in range(start, min(n, start + BATCH)):
                if i < len(linked_needs):
                    need_id, community_id, category_id = linked_needs[i]
                else:
                    need_id, community_id, category_id = (None, rnd.choice(communities).pk,
                                                          rnd.choice(categories).pk)
                status = rnd.choice(statuses)
                year = rnd.choice((2023, 2024, 2025))
                rows.append(Project(
                    community_id=community_id, year=year, title=f"{rnd.choice(TITLES)}项目（{i}）",
                    category_id=category_id, need_id=need_id, lead_org_id=rnd.choice(units), status=status,
                    completed_on=dt.date(year, rnd.randint(1, 12), rnd.randint(1, 28))
                    if status == ProjectStatus.COMPLETED else None,
                    people_served=rnd.randint(0, 500)))
            Project.objects.bulk_create(rows)


def main() -> None:
    from django.core.management import call_command

    call_command(Command(), *sys.argv[1:])


if __name__ == "__main__":
    main()
