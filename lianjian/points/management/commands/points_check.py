"""``lianjian points_check [--fix]``: recompute every account from the ledger and report mismatches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lianjian.points.expiry import recompute


class Command(BaseCommand):
    help = "Recompute points balances, held points and honour records from the ledger; report (and --fix) mismatches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="set the cached values to the recomputed ones")

    def handle(self, *args: Any, **options: Any) -> None:
        found = recompute(fix=options["fix"])
        for m in found:
            self.stdout.write(f"account {m.account_id}: {m.field} cached {m.cached}, ledger says {m.computed}")
        verb = "fixed" if options["fix"] else "found"
        self.stdout.write(f"{len(found)} mismatches {verb}")
        if found and not options["fix"]:
            raise SystemExit(1)
