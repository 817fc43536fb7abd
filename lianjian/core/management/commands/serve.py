import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site with gunicorn (production-style); --dev uses Django's development server."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--dev", action="store_true", help="Django's auto-reloading development server")

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        if options["dev"]:
            call_command("runserver", bind)
            return
        argv = [sys.executable, "-m", "gunicorn", "lianjian.wsgi:application", "--bind", bind,
                "--workers", str(options["workers"]), "--access-logfile", "-", "--timeout", "60"]
        self.stdout.write(f"http://{bind}/")
        os.execv(sys.executable, argv)
