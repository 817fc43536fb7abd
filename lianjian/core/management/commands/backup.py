from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lianjian.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database to a file (SQLite online backup or pg_dump)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("-o", "--output", required=True, help="the backup file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup(Path(options["output"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"备份完成 / backup written: {path}"))
