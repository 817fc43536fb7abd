from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianjian.search.index import reindex
from lianjian.search.sources import SOURCES


class Command(BaseCommand):
    help = "Rebuild the public search index (all kinds, or those named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kinds", nargs="*", help=", ".join(SOURCES))

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = [k for k in options["kinds"] if k not in SOURCES]
        if unknown:
            raise CommandError(f"unknown kind(s): {', '.join(unknown)}; known: {', '.join(SOURCES)}")
        counts = reindex(options["kinds"] or None)
        for kind, n in counts.items():
            self.stdout.write(f"{kind}: {n}")
