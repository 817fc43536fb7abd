"""``lianjian template KIND -o FILE.xlsx``: write a ledger kind's blank import template."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianjian.ledgers.selectors import ledger_template

from ._common import add_kind, check_kind


class Command(BaseCommand):
    help = "写出台账空白导入模板（含下拉选项和填写说明）/ write the blank import template of a ledger kind"

    def add_arguments(self, parser: CommandParser) -> None:
        add_kind(parser)
        parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")

    def handle(self, *args: Any, kind: str, output: str, **options: Any) -> None:
        check_kind(kind)
        try:
            ledger_template(kind=kind).save(output)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {output}：{exc.strerror}") from None
        self.stdout.write(f"已写出模板 / template written: {output}")
