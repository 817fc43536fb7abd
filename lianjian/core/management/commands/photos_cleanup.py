"""``lianjian photos_cleanup [--older-than-hours 24] [--dry-run]``: remove photo files no row refers to.

A photo's files are stored before its row is saved; when the transaction then rolls back (a
failed check further on, a crash) the files stay behind. Run this daily (cron or a systemd
timer). Only the folders of photo models are looked at, and only files older than the given
age, so an upload that is being saved right now is never touched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianjian.core.images import photo_orphans


class Command(BaseCommand):
    help = "删除没有记录引用的照片文件 / delete photo files no record refers to"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=float, default=24, metavar="H",
                            help="只删除 H 小时前的文件（默认 24）/ only files older than H hours (default 24)")
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除 / list only")

    def handle(self, *args: Any, older_than_hours: float, dry_run: bool, **options: Any) -> None:
        if older_than_hours < 0:
            raise CommandError("--older-than-hours 不能小于 0 / must not be negative")
        orphans = photo_orphans(older_than=dt.timedelta(hours=older_than_hours))
        for path in orphans:
            if not dry_run:
                default_storage.delete(path)
            self.stdout.write(path)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {len(orphans)} 个无引用的照片文件 / "
                          f"{'would delete' if dry_run else 'deleted'} {len(orphans)} files")
