"""``lianjian token create --user USERNAME [--name NAME]`` — a personal API token for scripts.

The token is printed on the last line of the output (and shown only this once); it is created by
:func:`lianjian.accounts.services.api_token_create`, so it is hashed and audited like one made on
the tokens page. An unknown or deactivated user is an error with exit code 2.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianjian.accounts import services
from lianjian.accounts.throttle import resolve_user

DEFAULT_NAME = "命令行令牌"


class Command(BaseCommand):
    help = "管理个人接口令牌 / manage personal API tokens: token create --user USERNAME [--name NAME]"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="create")
        create = sub.add_parser("create", help="新建令牌，最后一行输出令牌 / create a token, printed on the last line")
        create.add_argument("--user", required=True, help="用户名或手机号 / username or phone number")
        create.add_argument("--name", default=DEFAULT_NAME, help=f"令牌名称 / token name (default: {DEFAULT_NAME})")

    def handle(self, *args: Any, **opts: Any) -> None:
        ident = opts["user"]
        User = get_user_model()
        user = User.objects.filter(username=ident.strip()).first() or resolve_user(ident)
        if user is None:
            raise CommandError(f"找不到用户“{ident}”/ no such user", returncode=2)
        if not user.is_active:
            raise CommandError(f"用户“{ident}”已停用 / the user is deactivated", returncode=2)
        try:
            token, raw = services.api_token_create(user=user, name=opts["name"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from None
        self.stdout.write(f"已为 {user.username} 创建令牌“{token.name}”（只显示这一次，请妥善保存）/ "
                          "token created, shown only once:")
        self.stdout.write(raw)
