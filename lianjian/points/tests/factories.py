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
    from django.db import transaction

    from lianjian.points.ledger import write_entry

    with transaction.atomic():
        write_entry(account=ledger._lock(account), kind="award", amount=points,
                    source_key=key or f"test.fund:{next(_n)}", reason="测试", trigger="manual")
    account.refresh_from_db()
    return account


def make_reward(scheme: Scheme, *, organisation: Any = None, points: int = 30, stock: int = 10,
                **fields: Any) -> Reward:
    return redemptions.reward_create(actor=SYSTEM, scheme=scheme, title=fields.pop("title", "头盔"), points=points,
                                     stock=stock, organisation=organisation, **fields)


def sweep_ids(world: Any) -> dict[str, tuple[Any, Any]]:
    """Points ids for the API scope sweep: (one the community's staff may use, one of another district)."""
    from lianjian.accounts.models import Role
    from lianjian.testing import make_user

    def side(community: Any, staff: Any) -> tuple[Any, Any, Any, Any]:
        scheme = make_scheme(world, region=community)
        reward = make_reward(scheme, points=10, stock=10)
        holder = staff  # the staff member's own code: they may cancel it and confirm it
        fund(scheme, holder, 100)
        code = redemptions.redeem(actor=holder, reward=reward).code
        requester = make_user(role=Role.COMMUNITY_STAFF, region=community)
        award, _created = ledger.award_manual(actor=requester, scheme=scheme, person=holder, points=90,
                                              reason="大额", source_key="sweep")
        entry = fund(scheme, holder, 5).entries.filter(kind="award").latest("id")
        return reward.pk, code, award.pk, entry.pk

    mine, theirs = side(world.community, world.staff), side(world.other_community, world.other_staff)
    return {"reward_id": (mine[0], theirs[0]), "code": (mine[1], theirs[1]), "award_id": (mine[2], theirs[2]),
            "entry_id": (mine[3], theirs[3])}
