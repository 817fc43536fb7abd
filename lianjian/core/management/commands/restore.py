from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lianjian.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore the database from a backup made by `lianjian backup`; refuses foreign or corrupt files."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the backup file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS("恢复完成 / restore complete"))
