"""``lianjian report --community NAME --year YYYY --format docx|pdf|xlsx -o FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianjian.analytics import report, selectors


class Command(BaseCommand):
    help = "生成社区年度区域化党建联建工作总结 / write a community's annual report (DOCX, PDF or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", required=True, help="社区名称或区划代码 / community name or code")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2024")
        parser.add_argument("--format", required=True, choices=report.FORMATS, dest="fmt")
        parser.add_argument("-o", "--output", required=True, help="输出文件 / output file")

    def handle(self, *args: Any, **opts: Any) -> None:
        year = opts["year"]
        if not 1900 <= year <= 2999:
            raise CommandError(f"年度不正确：{year}")
        community, close = selectors.find_community(opts["community"])
        if community is None:
            hint = ("，您是否要找：" + "、".join(close)) if close else "。"
            raise CommandError(f"找不到社区“{opts['community']}”{hint}")
        data = report.build_report(community=community, year=year)
        content = report.render(data, opts["fmt"])
        out = Path(opts["output"])
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {out}：{exc.strerror}") from None
        note = "（该年度暂无项目数据）" if data.is_empty else ""
        self.stdout.write(f"已生成 {data.title}{note}：{out}（{len(content)} 字节）")
