"""Points test helpers: a scheme with rules, funded accounts, rewards."""

from __future__ import annotations

from typing import Any

from lianjian.accounts.permissions import SYSTEM
from lianjian.points import ledger, redemptions, schemes
from lianjian.points.models import Account, Reward, Scheme

_n = iter(range(1, 10**9))


def make_scheme(world: Any, region: Any = None, **fields: Any) -> Scheme:
    scheme = schemes.scheme_save(actor=SYSTEM, region=region or world.community, **fields)
    schemes.rule_save(actor=SYSTEM, scheme=scheme, trigger="report", points=10)
    schemes.rule_save(actor=SYSTEM, scheme=scheme, trigger="hour", points=1, cap_per_activity=3)
    schemes.rule_save(actor=SYSTEM, scheme=scheme, trigger="attendance", points=2)
    return scheme


def fund(scheme: Scheme, person: Any, points: int, *, key: str | None = None) -> Account:
    """Give *person* points through the ledger (a domain event's award, as riders get them)."""
    account = ledger.account_for(scheme=scheme, person=person)
    from lianjian.points.ledger import write_entry

    from django.db import transaction

    with transaction.atomic():
        write_entry(account=ledger._lock(account), kind="award", amount=points,
                    source_key=key or f"test.fund:{next(_n)}", reason="测试", trigger="manual")
    account.refresh_from_db()
    return account


def make_reward(scheme: Scheme, *, organisation: Any = None, points: int = 30, stock: int = 10,
                **fields: Any) -> Reward:
    return redemptions.reward_create(actor=SYSTEM, scheme=scheme, title=fields.pop("title", "头盔"), points=points,
                                     stock=stock, organisation=organisation, **fields)
