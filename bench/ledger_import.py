"""Benchmark the Excel ledger import: a 20,000-row needs sheet, good and bad.

    python bench/ledger_import.py                  # 20,000 rows on a fresh SQLite file
    python bench/ledger_import.py --rows 5000      # smaller
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lj_ledgers python bench/ledger_import.py

Builds its own database (a temporary SQLite file unless DATABASE_URL is set; the Postgres
database is migrated and its needs for the bench community are left behind), generates the sheet
with openpyxl, and times, as `lianjian import` runs it: the dry run (read + validate), the real
import (read + validate + bulk write + audit, one transaction), and a sheet whose every row is
bad (read + validate + report). Prints wall and CPU seconds (CPU time is what the import
costs when the machine is not shared); asserts nothing. Target (issue 3): 20,000 rows < 20 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="lj-ledger-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianjian.settings")
    os.environ.setdefault("LIANJIAN_TESTING", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lianjian.core.models import Activity
    from lianjian.ledgers.services import ledger_import
    from lianjian.lists.models import Need
    from lianjian.testing import make_world

    print(f"python {platform.python_version()} · {os.cpu_count()} CPUs · {connection.vendor}")
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = make_world()
    print(f"migrate + fixtures: {time.perf_counter() - t:.1f} s")

    good = Path(tmp) / "needs.xlsx"
    bad = Path(tmp) / "needs-bad.xlsx"
    t = time.perf_counter()
    write_sheet(good, args.rows, unit=world.unit.name, bad=False)
    write_sheet(bad, args.rows, unit=world.unit.name, bad=True)
    print(f"generate 2 × {args.rows} rows: {time.perf_counter() - t:.1f} s "
          f"({good.stat().st_size / 1e6:.1f} MB each)")

    def timed(label: str, path: Path, dry_run: bool) -> None:
        before = Need.objects.filter(community=world.community).count()
        t, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as handle:
            report = ledger_import(actor=world.staff, kind="needs", community=world.community, file=handle,
                                   dry_run=dry_run, filename=path.name)
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        written = Need.objects.filter(community=world.community).count() - before
        print(f"{label:<34} {seconds:6.2f} s wall  {cpu:6.2f} s cpu  {args.rows / seconds:6.0f} rows/s  "
              f"ok={report.ok} errors={len(report.errors)} bad_rows={report.bad_rows} written={written}")

    timed("dry run (read + validate)", good, True)
    timed("all rows bad (read + validate)", bad, False)
    timed("import (validate + write + audit)", good, False)
    audit = Activity.objects.filter(source="import").count()
    print(f"audit entries with source=import: {audit}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")
    print("target: 20,000 rows < 20 s")
    return 0


def write_sheet(path: Path, rows: int, *, unit: str, bad: bool) -> None:
    """A needs sheet in the template's columns; *bad* gives every row a wrong phone number."""
    from openpyxl import Workbook

    categories = ["就业创业", "助老敬老", "医疗健康", "文化教育", "交通出行", "特殊人群关爱"]
    groups = ["老人", "儿童、残疾人", "失业人员", "新就业群体", ""]
    # A normal workbook, like Excel, WPS and our own export write (with a <dimension> element).
    wb = Workbook()
    ws = wb.active
    ws.title = "需求清单"
    ws.append(["需求标题", "需求描述", "类别", "受益群体", "预计受益人数", "需求数量", "数量单位", "地点",
               "紧急程度", "期望完成日期", "年度", "来源", "提出单位", "联系人", "联系电话", "状态"])
    for i in range(rows):
        ws.append([
            f"需求{i:05d}：{categories[i % 6]}服务", f"第 {i} 条需求的描述，居民反映的问题与期望。",
            categories[i % 6], groups[i % 5], 10 + i % 90, 1 + i % 40, "人", f"{i % 30 + 1} 号楼",
            ("一般", "较急", "紧急")[i % 3], f"2025/{i % 12 + 1}/{i % 28 + 1}", 2025,
            "", unit if i % 4 == 0 else "", f"联系人{i % 100}",
            "123" if bad else 13800000000 + i, "已发布" if i % 2 else "待审核",
        ])
    wb.save(path)


if __name__ == "__main__":
    raise SystemExit(main())
