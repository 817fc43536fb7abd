"""Load the demo world through the same services a person would use. Idempotent."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable

from django.apps import apps
from django.db import transaction

from lianjian.accounts.models import Role, RoleAssignment, User
from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import role_grant, user_create
from lianjian.notifications.models import Notification
from lianjian.notifications.services import notification_mark_all_read
from lianjian.orgs.models import Organisation, Partnership
from lianjian.orgs.services import organisation_create, partnership_create
from lianjian.regions.models import Region
from lianjian.regions.services import region_create

from . import data

# Later domains append their own steps; each must be idempotent on its own.
STEPS: list[Callable[[], None]] = []


def step(func: Callable[[], None]) -> Callable[[], None]:
    STEPS.append(func)
    return func


@step
def load_regions() -> None:
    for code, name, kind, parent_code in data.REGIONS:
        if Region.objects.filter(code=code).exists():
            continue
        parent = Region.objects.get(code=parent_code) if parent_code else None
        region_create(actor=SYSTEM, parent=parent, code=code, name=name, kind=kind)


def _liaison_username(community_code: str, index: int) -> str:
    return f"liaison_{community_code[-6:]}_{index:02d}"


def _load_units(community_code: str, units: list[tuple[str, str, str, str]], phone_base: int) -> None:
    community = Region.objects.get(code=community_code)
    for index, (name, kind, party_org, liaison_name) in enumerate(units, start=1):
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            org = organisation_create(actor=SYSTEM, name=name, kind=kind, region=community,
                                      party_org_name=party_org, party_member_count=3 + index % 9,
                                      member_count=20 + index * 7, contact_name=liaison_name,
                                      contact_phone=f"139{phone_base + index:08d}")
        if Partnership.objects.filter(community=community, organisation=org).exists():
            continue
        username = _liaison_username(community_code, index)
        liaison = User.objects.filter(username=username).first() or user_create(
            actor=SYSTEM, username=username, password=data.DEMO_PASSWORD, real_name=liaison_name,
            phone=f"137{phone_base + index:08d}")
        partnership_create(actor=SYSTEM, community=community, organisation=org, start_date=dt.date(2023, 1, 1),
                           liaison=liaison)


@step
def load_units() -> None:
    _load_units(data.FENGSHU, data.FENGSHU_UNITS, 10_000)
    _load_units(data.JIANGPULU, data.JIANGPULU_UNITS, 20_000)


@step
def load_users() -> None:
    if not User.objects.filter(username="admin").exists():
        user_create(actor=SYSTEM, username="admin", password=data.DEMO_PASSWORD, real_name="系统管理员",
                    is_superuser=True)
    for username, real_name, phone, role, target in data.USERS:
        user = User.objects.filter(username=username).first() or user_create(
            actor=SYSTEM, username=username, password=data.DEMO_PASSWORD, real_name=real_name, phone=phone)
        # Staff run their region; residents, riders and volunteers belong to a community.
        region = Region.objects.get(code=target) if target and role != Role.LIAISON else None
        org = Organisation.objects.get(name=target) if role == Role.LIAISON else None
        if not RoleAssignment.objects.filter(user=user, role=role, region=region, organisation=org).exists():
            role_grant(actor=SYSTEM, user=user, role=role, region=region, organisation=org)


def _app_steps() -> list[Callable[[], None]]:
    """Each domain app may ship a ``demo`` module with a ``load()``; run them in app order."""
    steps = []
    for config in apps.get_app_configs():
        if not config.name.startswith("lianjian.") or config.name == "lianjian.demo":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        steps.append(module.load)
    return steps


@transaction.atomic
def load_demo() -> None:
    for func in [*STEPS, *_app_steps()]:
        func()


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role label, password) for the printed demo log-ins."""
    rows = [("admin", "超级管理员 superuser", data.DEMO_PASSWORD)]
    names = dict(Region.objects.values_list("code", "name"))
    for username, _name, _phone, role, target in data.USERS:
        rows.append((username, f"{Role(role).label} {names.get(target, target)}".strip(), data.DEMO_PASSWORD))
    # Made by the apps' own demo steps: the merchant who confirms points redemptions.
    if User.objects.filter(username="xixili_merchant").exists():
        rows.append(("xixili_merchant", f"{Role.LIAISON.label} 烂蹄花儿（西熙里商家联盟）", data.DEMO_PASSWORD))
    return rows


def mark_demo_history_read(*, since: dt.datetime) -> int:
    """The demo re-tells events that already happened; their notifications are history, not news."""

    recipients = Notification.objects.filter(is_read=False, created_at__gte=since).values("recipient_id")
    return sum(notification_mark_all_read(actor=user, since=since) for user in User.objects.filter(pk__in=recipients))
