from typing import Any

from django.core.management.base import BaseCommand

from lianjian.accounts.permissions import SYSTEM
from lianjian.projects.services import completed_units_rebuild


class Command(BaseCommand):
    help = (
        "Recount the dashboards' summary of units with completed projects from the projects and their "
        "units. The services keep it current; run this after loading projects in bulk around them. "
        "Idempotent: a second run changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows, changed = completed_units_rebuild(actor=SYSTEM)
        self.stdout.write(
            self.style.SUCCESS(f"{rows} 行完成项目单位统计，更正 {changed} 行 / summary rows, {changed} corrected")
        )
