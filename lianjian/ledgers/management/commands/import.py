"""``lianjian import KIND FILE.xlsx --community NAME [--dry-run]``: all rows or nothing.

Every bad row is reported on stderr as ``第 N 行【列名】原因`` and the command exits with 1;
nothing is written unless every row is good. A file refused as a whole (not an .xlsx, encrypted,
with macros, too large once unpacked, too many rows, wrong headers) exits with 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianjian.ledgers.services import LedgerFileError, ledger_import

from ._common import add_actor, add_kind, check_kind, get_actor, get_community

PREVIEW_ROWS = 20


class Command(BaseCommand):
    help = "导入台账：先检查全部行，有任何错误则不写入并逐行报告 / import a ledger, all rows or none"

    def add_arguments(self, parser: CommandParser) -> None:
        add_kind(parser)
        parser.add_argument("file", metavar="FILE.xlsx")
        parser.add_argument("--community", required=True, metavar="NAME")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入 / validate only")
        parser.add_argument("--max-errors", type=int, default=0, metavar="N",
                            help="最多打印 N 条错误（默认全部）/ print at most N errors (default: all)")
        add_actor(parser)

    def handle(self, *args: Any, kind: str, file: str, community: str, dry_run: bool, max_errors: int,
               user: str, **options: Any) -> None:
        check_kind(kind)
        actor = get_actor(user)
        region = get_community(actor, community)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            with path.open("rb") as handle:
                report = ledger_import(actor=actor, kind=kind, community=region, file=handle, dry_run=dry_run,
                                       filename=path.name)
        except LedgerFileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "无权向该社区导入") from None
        if report.errors:
            shown = report.errors[:max_errors] if max_errors > 0 else report.errors
            self.stderr.write("\n".join(str(e) for e in shown))
            if len(shown) < len(report.errors):
                self.stderr.write(f"……另有 {len(report.errors) - len(shown)} 处错误未显示（--max-errors）。")
            raise CommandError(report.summary(), returncode=1)
        if dry_run:
            for plan in report.plans[:PREVIEW_ROWS]:
                self.stdout.write(f"第 {plan.row} 行  {plan.action}  {plan.label}")
            if len(report.plans) > PREVIEW_ROWS:
                self.stdout.write(f"……另有 {len(report.plans) - PREVIEW_ROWS} 行")
        self.stdout.write(f"{report.summary()}（{region.name}，用时 {report.seconds:.1f} 秒）")
