"""``lianjian worker [--workers N]``: the background-job consumers alone (huey), for production.

Runs the periodic tasks (overdue milestones hourly, clean-ups daily) and the jobs people start.
With Redis (``REDIS_URL``) any number of these may run on several machines; on the default
SQLite queue run them on the machine that holds ``var/``. ``lianjian serve`` starts one itself.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = "运行后台任务（定时任务与导出、报告等长任务）/ run the background-job consumers"

    def handle(self, *args: Any, **options: Any) -> None:
        # The tasks log what they did at INFO; show it unless LOG_LEVEL says otherwise.
        if not os.environ.get("LOG_LEVEL"):
            logging.getLogger("lianjian").setLevel(logging.INFO)
        # huey gives its logger a handler of its own; the root one would print each line twice.
        logging.getLogger("huey").propagate = False
        super().handle(*args, **options)
