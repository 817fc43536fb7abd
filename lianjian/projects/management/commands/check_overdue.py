import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lianjian.accounts.permissions import SYSTEM
from lianjian.projects.services import milestones_flag_overdue


class Command(BaseCommand):
    help = (
        "Flag overdue milestones of open projects (once each) and notify the community staff and the "
        "lead unit's liaison. The job consumer (lianjian worker / serve) runs this every hour; "
        "safe to run by hand as often as you like."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="treat this date (YYYY-MM-DD) as today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today 须为 YYYY-MM-DD 格式的日期") from exc
        flagged = milestones_flag_overdue(actor=SYSTEM, today=today)
        for m in flagged:
            self.stdout.write(f"逾期 overdue: {m.project.title} · {m.title} · {m.due_date.isoformat()}")
        self.stdout.write(self.style.SUCCESS(f"{len(flagged)} 个逾期节点已提醒 / overdue milestones flagged"))
