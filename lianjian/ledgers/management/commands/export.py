"""``lianjian export KIND --community NAME -o FILE.xlsx``: a community's ledger, re-importable."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianjian.ledgers.selectors import ledger_export

from ._common import add_actor, add_kind, check_kind, get_actor, get_community


class Command(BaseCommand):
    help = "导出社区台账（与导入模板同列，可再导入）/ export a community's ledger in the template's columns"

    def add_arguments(self, parser: CommandParser) -> None:
        add_kind(parser)
        parser.add_argument("--community", required=True, metavar="NAME")
        parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
        add_actor(parser)

    def handle(self, *args: Any, kind: str, community: str, output: str, user: str, **options: Any) -> None:
        check_kind(kind)
        actor = get_actor(user)
        region = get_community(actor, community)
        try:
            workbook = ledger_export(user=actor, kind=kind, community=region)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "无权导出该社区") from None
        rows = workbook.worksheets[0].max_row - 1
        try:
            workbook.save(output)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {output}：{exc.strerror}") from None
        self.stdout.write(f"已导出 {region.name} 的 {rows} 行 / exported {rows} rows: {output}")
