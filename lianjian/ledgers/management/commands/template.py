"""``lianjian template KIND -o FILE.xlsx``: write a ledger kind's blank import template.

With ``--community NAME`` the drop-downs also offer that community's own values (the joint units
a resources sheet may name).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianjian.ledgers.selectors import ledger_template

from ._common import add_actor, add_kind, check_kind, get_actor, get_community


class Command(BaseCommand):
    help = "写出台账空白导入模板（含下拉选项和填写说明）/ write the blank import template of a ledger kind"

    def add_arguments(self, parser: CommandParser) -> None:
        add_kind(parser)
        parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
        parser.add_argument("--community", default="", metavar="NAME",
                            help="下拉列表中列出该社区的联建单位 / offer this community's units in drop-downs")
        add_actor(parser)

    def handle(self, *args: Any, kind: str, output: str, community: str, user: str, **options: Any) -> None:
        check_kind(kind)
        region = get_community(get_actor(user), community) if community else None
        try:
            ledger_template(kind=kind, community=region).save(output)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {output}：{exc.strerror}") from None
        self.stdout.write(f"已写出模板 / template written: {output}")
