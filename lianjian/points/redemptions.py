"""Rewards and two-phase redemptions: redeem (hold) → confirm (post) once, or void (expiry, cancel).

Invariants:
- Redeeming moves the price from ``balance`` to ``held`` and takes one item from ``stock`` in one
  transaction, both by conditional ``UPDATE``s whose row counts are checked (``balance >= price``,
  ``stock >= 1``); the database's check constraints back them up. The per-person limit is counted
  under the account's row lock.
- A code resolves exactly once: ``UPDATE … SET status = 'posted' WHERE status = 'held'`` (confirm)
  or ``… 'voided' WHERE status = 'held'`` (expiry, cancel) — whichever comes first wins; the loser
  is told, and nothing moves twice.
- The ledger records the hold as a ``redeem`` entry (−price) and a void as a ``void`` entry
  (+price); a confirmation moves no points (they were already taken), it only releases ``held``.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.models import User
from lianjian.accounts.permissions import SYSTEM, get_scope
from lianjian.core.activity import apply_changes, record_activity
from lianjian.core.integrity import breaks_unique
from lianjian.orgs.models import Organisation
from lianjian.orgs.selectors import is_active_partner

from .ledger import Actor, PointsConflict, _lock, account_for, require_manager, write_entry
from .models import (
    Account,
    EntryKind,
    Redemption,
    RedemptionStatus,
    Reward,
    Scheme,
    VoidReason,
    new_code,
)

# Test-only switch for the negative control of the concurrency tests: with it off, balance and
# stock are read before the transaction and written back as computed numbers (check-then-act).
LOCKING = True

REWARD_FIELDS = ["title", "description", "points", "stock", "valid_from", "valid_until", "per_person_limit",
                 "is_active"]


# ---- the catalogue ------------------------------------------------------------------------------

@transaction.atomic
def reward_create(*, actor: Actor, scheme: Scheme, title: str, points: int, stock: int,
                  organisation: Organisation | None = None, description: str = "",
                  valid_from: dt.date | None = None, valid_until: dt.date | None = None,
                  per_person_limit: int | None = None, is_active: bool = True) -> Reward:
    """Staff add an item to the catalogue, offered by the community or by one of its active partner units."""
    require_manager(actor, scheme)
    if organisation is not None and not is_active_partner(organisation, scheme.region):
        raise ValidationError({"organisation": _("只能选择本社区的在册联建单位。")})
    reward = Reward(scheme=scheme, title=title, points=points, stock=stock, organisation=organisation,
                    description=description, valid_from=valid_from, valid_until=valid_until,
                    per_person_limit=per_person_limit, is_active=is_active,
                    created_by=actor if isinstance(actor, User) else None)
    reward.full_clean()
    reward.save()
    record_activity(actor=actor, action="create", obj=reward)
    return reward


@transaction.atomic
def reward_update(*, actor: Actor, reward: Reward, **data: Any) -> Reward:
    """Staff change an item; stock is set as a number (redemptions in flight keep their items)."""
    require_manager(actor, reward.scheme)
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    changes = apply_changes(reward, {k: v for k, v in data.items() if k in REWARD_FIELDS})
    reward.full_clean()
    reward.save(update_fields=[*changes, "updated_at"] if changes else ["updated_at"])
    record_activity(actor=actor, action="update", obj=reward, changes=changes)
    return reward


def _available(reward: Reward, today: dt.date) -> str | None:
    if not reward.is_active:
        return _("这个物品已下架。")
    if reward.valid_from and today < reward.valid_from:
        return _("这个物品 %(date)s 起才能兑换。") % {"date": reward.valid_from.isoformat()}
    if reward.valid_until and today > reward.valid_until:
        return _("这个物品的兑换期已过。")
    return None


# ---- redeem -------------------------------------------------------------------------------------

def redeem(*, actor: User, reward: Reward, now: dt.datetime | None = None) -> Redemption:
    """The person redeems *reward*: the price is held, one item reserved, a one-time code issued.

    Refused (409) when the balance or the stock is short or the per-person limit is reached; (422)
    when the reward is not available today. Nothing is written when refused.
    """
    now = now or timezone.now()
    problem = _available(reward, timezone.localdate(now))
    if problem:
        raise ValidationError({"reward_id": problem})
    account = account_for(scheme=reward.scheme, person=actor)
    stale: tuple[int, int] | None = None
    if not LOCKING:
        stale = (Account.objects.get(pk=account.pk).balance, Reward.objects.get(pk=reward.pk).stock)
        time.sleep(0.05)  # widen the window the lock normally closes
    for _attempt in range(5):
        try:
            return _redeem(actor=actor, reward=reward, account=account, now=now, stale=stale)
        except IntegrityError as exc:  # a code collision (1 in 10^8): draw another
            if not breaks_unique(exc, Redemption, "code"):
                raise
    raise PointsConflict("try_again", _("系统繁忙，请重试。"))


@transaction.atomic
def _redeem(*, actor: User, reward: Reward, account: Account, now: dt.datetime,
            stale: tuple[int, int] | None) -> Redemption:
    price = reward.points
    if stale is None:
        account = _lock(account)
        if reward.per_person_limit is not None:
            taken = Redemption.objects.filter(account=account, reward=reward,
                                              status__in=[RedemptionStatus.HELD, RedemptionStatus.POSTED]).count()
            if taken >= reward.per_person_limit:
                raise PointsConflict("limit_reached", _("每人限兑 %(n)s 次，您已达到上限。") % {
                    "n": reward.per_person_limit})
        if Account.objects.filter(pk=account.pk, balance__gte=price).update(
                balance=F("balance") - price, held=F("held") + price) != 1:
            raise PointsConflict("insufficient_points", _("可用积分不足：需要 %(need)s 分。") % {"need": price})
        if Reward.objects.filter(pk=reward.pk, stock__gte=1).update(stock=F("stock") - 1) != 1:
            raise PointsConflict("out_of_stock", _("这个物品已经兑完了。"))
    else:  # the negative control: decisions on numbers read before the transaction
        balance, stock = stale
        if balance < price:
            raise PointsConflict("insufficient_points", _("可用积分不足：需要 %(need)s 分。") % {"need": price})
        if stock < 1:
            raise PointsConflict("out_of_stock", _("这个物品已经兑完了。"))
        Account.objects.filter(pk=account.pk).update(balance=balance - price, held=F("held") + price)
        Reward.objects.filter(pk=reward.pk).update(stock=stock - 1)
    redemption = Redemption(reward=reward, account=account, code=new_code(), points=price, created_at=now,
                            expires_at=now + dt.timedelta(days=reward.scheme.hold_days))
    with transaction.atomic():
        redemption.save()
    # The hold is a ledger line; the balance already moved above together with ``held``.
    write_entry(account=account, kind=EntryKind.REDEEM, amount=-price, source_key=f"redemption:{redemption.pk}:hold",
                reason=reward.title, redemption=redemption, created_by=actor, now=now, move_balance=False)
    record_activity(actor=actor, action="points_redeem", obj=redemption,
                    changes={"status": [None, RedemptionStatus.HELD]})
    return redemption


# ---- confirm, cancel, expire ------------------------------------------------------------------------

def may_confirm(actor: Any, reward: Reward) -> bool:
    """A merchant's reward is confirmed by a liaison of that unit; a community's by its staff."""
    scope = get_scope(actor)
    if reward.organisation_id is not None:
        return reward.organisation_id in scope.org_ids
    return scope.covers_region(reward.scheme.region)


@transaction.atomic
def confirm(*, actor: User, redemption: Redemption, now: dt.datetime | None = None) -> Redemption:
    """The merchant confirms a code at the counter: posted, exactly once."""
    if not may_confirm(actor, redemption.reward):
        raise PermissionDenied(_("这个兑换码不属于您的单位。"))
    now = now or timezone.now()
    if Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.HELD, expires_at__gt=now).update(
            status=RedemptionStatus.POSTED, confirmed_at=now, confirmed_by=actor) != 1:
        raise _resolved(Redemption.objects.get(pk=redemption.pk), now)
    if Account.objects.filter(pk=redemption.account_id, held__gte=redemption.points).update(
            held=F("held") - redemption.points) != 1:
        raise PointsConflict("ledger_mismatch", _("账户冻结积分与兑换不符，请联系社区。"))
    redemption.refresh_from_db()
    record_activity(actor=actor, action="points_confirm", obj=redemption,
                    changes={"status": [RedemptionStatus.HELD, RedemptionStatus.POSTED]})
    return redemption


def _resolved(current: Redemption, now: dt.datetime) -> PointsConflict:
    if current.status == RedemptionStatus.POSTED:
        when = timezone.localtime(current.confirmed_at).strftime("%Y-%m-%d %H:%M") if current.confirmed_at else ""
        return PointsConflict("already_confirmed", _("这个兑换码已于 %(when)s 核销，不能重复使用。") % {"when": when})
    if current.status == RedemptionStatus.VOIDED:
        return PointsConflict("voided", _("这个兑换码已作废（%(why)s）。") % {"why": current.get_void_reason_display()})
    return PointsConflict("expired", _("这个兑换码已过期。"))


def _void(redemption: Redemption, *, reason: str, actor: Any, now: dt.datetime) -> bool:
    """Void a held redemption: points back to the balance, the item back to stock. False if it was
    already resolved (nothing moves)."""
    if Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.HELD).update(
            status=RedemptionStatus.VOIDED, void_reason=reason, voided_at=now) != 1:
        return False
    price = redemption.points
    if Account.objects.filter(pk=redemption.account_id, held__gte=price).update(
            balance=F("balance") + price, held=F("held") - price) != 1:
        raise PointsConflict("ledger_mismatch", _("账户冻结积分与兑换不符，请联系社区。"))
    Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
    write_entry(account=redemption.account, kind=EntryKind.VOID, amount=price,
                source_key=f"redemption:{redemption.pk}:void", reason=str(VoidReason(reason).label),
                redemption=redemption, created_by=actor if getattr(actor, "is_authenticated", False) else None,
                now=now, move_balance=False)
    record_activity(actor=actor, action="points_cancel" if reason == VoidReason.CANCELLED else "points_hold_expired",
                    obj=redemption, changes={"status": [RedemptionStatus.HELD, RedemptionStatus.VOIDED]})
    return True


@transaction.atomic
def cancel(*, actor: User, redemption: Redemption, now: dt.datetime | None = None) -> Redemption:
    """The person gives a held code back before it is used."""
    if redemption.account.person_id != actor.pk:
        raise PermissionDenied
    now = now or timezone.now()
    if not _void(redemption, reason=VoidReason.CANCELLED, actor=actor, now=now):
        raise _resolved(Redemption.objects.get(pk=redemption.pk), now)
    redemption.refresh_from_db()
    return redemption


def expire_holds(*, now: dt.datetime | None = None) -> int:
    """Void every hold past its deadline (the job). Each is voided once, whoever runs at the same time."""
    now = now or timezone.now()
    done = 0
    for pk in Redemption.objects.filter(status=RedemptionStatus.HELD, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            redemption = Redemption.objects.select_related("account").get(pk=pk)
            done += _void(redemption, reason=VoidReason.EXPIRED, actor=SYSTEM, now=now)
    return done
