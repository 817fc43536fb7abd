"""Shared options of the ledger commands: who acts and which community."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from lianjian.accounts.actors import Actor
from lianjian.accounts.models import User
from lianjian.accounts.permissions import SYSTEM
from lianjian.ledgers.kinds import KINDS, SPECS
from lianjian.ledgers.selectors import CommunityNotFound, community_find


def add_kind(parser: CommandParser) -> None:
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help="units | needs | resources | projects")


def add_actor(parser: CommandParser) -> None:
    parser.add_argument("--user", default="", metavar="USERNAME",
                        help="以该用户身份操作并按其管辖范围检查（默认：系统）/ act as this user")


def check_kind(kind: str) -> None:
    if kind not in SPECS:
        raise CommandError(f"“{kind}”台账暂未开放 / ledger kind not available yet")


def get_actor(username: str) -> Any:
    if not username:
        return SYSTEM

    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise CommandError(f"找不到用户“{username}” / no such user") from None


def get_community(actor: Actor, name: str) -> Any:
    try:
        return community_find(user=actor, name=name)
    except CommunityNotFound as exc:
        raise CommandError(str(exc)) from None
