"""The ``lianjian`` console command.

``lianjian match`` works on files alone and never touches Django or a database; every other
sub-command is a Django management command (``lianjian demo``, ``lianjian backup -o FILE`` …),
so Django's own commands (``lianjian migrate``, ``lianjian createsuperuser``) work too.
"""

from __future__ import annotations

import os
import sys

USAGE = """用法 / usage: lianjian COMMAND [options]

常用命令 / commands:
  serve                 启动网站和后台任务 / serve the site (gunicorn) and the job consumer
  worker [--workers N]  只运行后台任务 / run the background-job consumers alone
  demo                  载入演示数据（可重复执行）/ load the demo data (idempotent)
  match                 需求与资源匹配 / rank resources for needs (CSV/XLSX, no database)
  backup -o FILE        备份数据库 / back up the database
  restore FILE          从备份恢复 / restore a backup
  token create --user USERNAME [--name NAME]   新建接口令牌 / create a personal API token
  migrate, createsuperuser, check, …   Django 管理命令 / Django management commands

lianjian help COMMAND 查看某个命令的说明 / shows a command's options.
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE)
        return 0
    if args[0] == "match":
        # Function-level: `lianjian match` runs without Django; nothing else may be loaded first.
        from lianjian.matching.cli import main as match_main

        return match_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianjian.settings")
    # Function-level: DJANGO_SETTINGS_MODULE must be set before these load.
    from django.core.management import execute_from_command_line

    from lianjian.core.activity import activity_source

    with activity_source("cli"):
        try:
            execute_from_command_line(["lianjian", *args])
        except SystemExit as exc:
            return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
