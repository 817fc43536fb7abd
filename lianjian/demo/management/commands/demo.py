from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from lianjian.demo.loader import demo_logins, load_demo, mark_demo_history_read


class Command(BaseCommand):
    help = "Load the seed stories as demo data (idempotent: running it twice changes nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo log-ins")

    def handle(self, *args: Any, **options: Any) -> None:
        started = timezone.now()
        load_demo()  # atomic; notifications are sent when it commits
        mark_demo_history_read(since=started)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))
        if not options["quiet_logins"]:
            self.stdout.write("演示账号 / demo log-ins (用户名 / 角色 / 密码):")
            for username, label, password in demo_logins():
                self.stdout.write(f"  {username:<16} {label:<40} {password}")
