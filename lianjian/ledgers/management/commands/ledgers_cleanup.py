"""``lianjian ledgers_cleanup [--older-than-hours 24]``: remove abandoned ledger uploads.

An upload waits under ``MEDIA_ROOT/imports/`` between its preview and the confirmation; one
whose preview was left (or rejected, with its error report) stays there. The job consumer
(``lianjian worker``, or ``lianjian serve``) runs this daily (``lianjian.ledgers.tasks``); the
default age matches the lifetime of the confirmation token, so nothing a
user could still confirm or download is removed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianjian.ledgers.uploads import MAX_AGE, uploads_cleanup


class Command(BaseCommand):
    help = "删除 MEDIA_ROOT/imports/ 下过期的台账上传文件和错误报告 / delete abandoned ledger uploads"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=float, default=MAX_AGE / 3600, metavar="H",
                            help="删除 H 小时前的文件（默认 24）/ delete files older than H hours (default 24)")
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除 / list only")

    def handle(self, *args: Any, older_than_hours: float, dry_run: bool, **options: Any) -> None:
        if older_than_hours < 0:
            raise CommandError("--older-than-hours 不能小于 0 / must not be negative")
        removed = uploads_cleanup(older_than=dt.timedelta(hours=older_than_hours), dry_run=dry_run)
        for path in removed:
            self.stdout.write(path)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {len(removed)} 个超过 {older_than_hours:g} 小时的上传文件 / "
                          f"{'would delete' if dry_run else 'deleted'} {len(removed)} files")
