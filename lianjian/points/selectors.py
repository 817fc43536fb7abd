"""Reads of points, always through the caller's scope: their own accounts, codes and statement; staff
the schemes of the regions they run; liaisons the redemptions of their own unit's rewards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from lianjian.accounts.permissions import get_scope
from lianjian.regions.models import Region

from .expiry import NextExpiry, next_expiry
from .models import (
    CODE_DIGITS,
    Account,
    AwardRequest,
    AwardStatus,
    Entry,
    EntryKind,
    Redemption,
    RedemptionStatus,
    Reward,
    Scheme,
)


def _get(qs: QuerySet[Any], pk: Any) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


# ---- schemes ----------------------------------------------------------------------------------

def managed_schemes(*, user: Any) -> QuerySet[Scheme]:
    scope = get_scope(user)
    return scope.filter_scoped(Scheme.objects.select_related("region"), region="region").order_by("region__code")


def scheme_get(*, user: Any, pk: Any) -> Scheme:
    """A scheme the user runs (staff over its region); 404 otherwise."""
    return _get(managed_schemes(user=user), pk)


def manageable_regions(*, user: Any) -> QuerySet[Region]:
    """Communities and streets where the user may open a scheme."""
    return get_scope(user).filter_regions(Region.objects.filter(kind__in=["community", "street"])).order_by("code")


# ---- accounts -----------------------------------------------------------------------------------

def my_accounts(*, user: Any) -> QuerySet[Account]:
    return Account.objects.filter(person=user).select_related("scheme__region").order_by("-created_at", "-id")


def primary_account(*, user: Any, accounts: list[Account] | None = None) -> Account | None:
    """The account shown first: in the scheme of the person's home community, else the newest."""
    accounts = list(my_accounts(user=user)) if accounts is None else accounts
    if not accounts:
        return None
    home = get_scope(user).home_community
    if home is not None:
        for a in accounts:
            if a.scheme.region_id in (home.pk, home.parent_id):
                return a
    return accounts[0]


def my_account(*, user: Any, pk: Any) -> Account:
    return _get(my_accounts(user=user), pk)


@dataclass
class Summary:
    account: Account | None
    balance: int
    held: int
    pending: int
    honour_hours: float
    reports_verified: int
    events_attended: int
    expiring: NextExpiry | None


def summary(account: Account | None) -> Summary:
    if account is None:
        return Summary(None, 0, 0, 0, 0.0, 0, 0, None)
    pending = AwardRequest.objects.filter(account=account, status=AwardStatus.PENDING).aggregate(
        n=Sum("points"))["n"] or 0
    return Summary(account, account.balance, account.held, pending, account.honour_hours,
                   account.reports_verified, account.events_attended,
                   next_expiry(account, months=account.scheme.expiry_months))


def statement(*, account: Account) -> QuerySet[Entry]:
    """Every entry of the account, newest first, with what it came from and who approved it."""
    return Entry.objects.filter(account=account).select_related("approver").order_by("-created_at", "-id")


def entry_for(*, user: Any, pk: Any) -> Entry:
    """An entry of the user's own, or of a scheme they run."""
    scope = get_scope(user)
    qs = Entry.objects.select_related("account__person", "account__scheme__region", "approver", "created_by",
                                      "rule", "reversal_of", "redemption__reward")
    if not scope.is_superuser:
        qs = qs.filter(Q(account__person=user) | Q(account__scheme__in=managed_schemes(user=user)))
    return _get(qs, pk)


# ---- rewards and redemptions ---------------------------------------------------------------------

def visible_schemes(*, user: Any) -> QuerySet[Scheme]:
    """Schemes whose catalogue the user sees: where they have an account, their home community's (or
    its street's), and those they run."""
    q = Q(accounts__person=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    home = get_scope(user).home_community
    if home is not None:
        q |= Q(region_id__in=[home.pk] + ([home.parent_id] if home.parent_id else []))
    q |= Q(pk__in=managed_schemes(user=user).values("pk"))
    return Scheme.objects.filter(q, is_active=True).distinct()


def reward_list(*, user: Any, scheme: Scheme | None = None, include_inactive: bool = False) -> QuerySet[Reward]:
    qs = Reward.objects.filter(scheme__in=visible_schemes(user=user)).select_related("organisation", "scheme__region")
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    if not include_inactive:
        today = timezone.localdate()
        qs = qs.filter(is_active=True).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return qs.order_by("points", "id")


def reward_for(*, user: Any, pk: Any) -> Reward:
    return _get(Reward.objects.filter(scheme__in=visible_schemes(user=user)).select_related(
        "organisation", "scheme__region"), pk)


def managed_reward(*, user: Any, pk: Any) -> Reward:
    return _get(Reward.objects.filter(scheme__in=managed_schemes(user=user)).select_related("scheme__region"), pk)


def my_redemptions(*, user: Any) -> QuerySet[Redemption]:
    return (Redemption.objects.filter(account__person=user).select_related("reward__organisation", "reward__scheme")
            .order_by("-created_at", "-id"))


def _code(code: Any) -> str:
    code = str(code or "").strip().replace(" ", "")
    if len(code) != CODE_DIGITS or not code.isdigit():
        raise Http404
    return code


def my_redemption(*, user: Any, code: Any) -> Redemption:
    try:
        return my_redemptions(user=user).get(code=_code(code))
    except Redemption.DoesNotExist:
        raise Http404 from None


def confirmable(*, user: Any) -> QuerySet[Redemption]:
    """Redemptions the user confirms: their unit's rewards (liaisons), their communities' own rewards (staff)."""
    scope = get_scope(user)
    q = Q(reward__organisation_id__in=sorted(scope.org_ids))
    if scope.is_staff_like:
        q |= Q(reward__organisation__isnull=True, reward__scheme__in=managed_schemes(user=user).values("pk"))
    return Redemption.objects.filter(q).select_related("reward__organisation", "account__person")


def redemption_to_confirm(*, user: Any, code: Any) -> Redemption:
    """A code the user may confirm; another merchant's code (or an unknown one) is 404."""
    try:
        return confirmable(user=user).get(code=_code(code))
    except Redemption.DoesNotExist:
        raise Http404 from None


def merchant_months(*, user: Any, months: int = 6) -> list[dict[str, Any]]:
    """Confirmed redemptions per month (count and points) of what the user confirms."""
    since = timezone.now() - dt.timedelta(days=31 * months)
    rows = (confirmable(user=user).filter(status=RedemptionStatus.POSTED, confirmed_at__gte=since)
            .annotate(month=TruncMonth("confirmed_at")).values("month")
            .annotate(n=Count("id"), points=Sum("points")).order_by("-month"))
    return [dict(r) for r in rows]


# ---- staff views ----------------------------------------------------------------------------------

def award_queue(*, scheme: Scheme) -> QuerySet[AwardRequest]:
    return (AwardRequest.objects.filter(scheme=scheme, status=AwardStatus.PENDING)
            .select_related("account__person", "requested_by").order_by("created_at", "id"))


def liabilities(*, scheme: Scheme) -> dict[str, int]:
    """Points the scheme owes: available and held, and what waits for approval."""
    totals = Account.objects.filter(scheme=scheme).aggregate(balance=Sum("balance"), held=Sum("held"),
                                                              n=Count("id"))
    pending = AwardRequest.objects.filter(scheme=scheme, status=AwardStatus.PENDING).aggregate(
        n=Sum("points"))["n"] or 0
    return {"balance": totals["balance"] or 0, "held": totals["held"] or 0, "accounts": totals["n"] or 0,
            "pending": pending, "outstanding": (totals["balance"] or 0) + (totals["held"] or 0)}


def scheme_accounts(*, scheme: Scheme) -> QuerySet[Account]:
    return Account.objects.filter(scheme=scheme).select_related("person").order_by("-balance", "id")


def recent_entries(*, scheme: Scheme) -> QuerySet[Entry]:
    return (Entry.objects.filter(account__scheme=scheme).select_related("account__person", "approver", "created_by")
            .order_by("-created_at", "-id"))


def leaderboard(*, scheme: Scheme, month: dt.date, limit: int = 20) -> list[dict[str, Any]]:
    """Points earned in *month* (awards net of their reversals), by the display names people chose;
    people without one, or who opted out, are left off."""
    start = timezone.make_aware(dt.datetime(month.year, month.month, 1))
    end = timezone.make_aware(dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1))
    rows = (Entry.objects.filter(account__scheme=scheme, kind__in=[EntryKind.AWARD, EntryKind.REVERSAL],
                                 created_at__gte=start, created_at__lt=end, account__leaderboard_opt_out=False)
            .exclude(account__display_name="")
            .values("account_id", "account__display_name").annotate(points=Sum("amount"))
            .filter(points__gt=0).order_by("-points", "account_id")[:limit])
    return [{"name": r["account__display_name"], "points": r["points"], "rank": i}
            for i, r in enumerate(rows, start=1)]
