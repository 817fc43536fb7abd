"""Points that expire, first in first out, and the check that recomputes balances from the ledger.

A scheme with an expiry period lets each award lapse that many months after it was earned. Points
are spent oldest first: redemptions, reversals and earlier expiries consume the oldest awards, so
what expires today is ``awards older than the cut-off − everything consumed so far`` (never more
than the balance). Expiry writes an ``expiry`` entry (never a deletion) whose source key names the
account and the day, so a second run the same day writes nothing. People hear a month before.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.permissions import SYSTEM
from lianjian.core.activity import record_activity
from lianjian.notifications.services import notify

from .ledger import _lock, write_entry
from .models import Account, Entry, EntryKind, Redemption, RedemptionStatus, Scheme, Trigger

logger = logging.getLogger(__name__)
NOTICE_DAYS = 30


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _consumed(account: Account) -> int:
    """Points gone from the account other than by expiry-free awards: redeemed (net of voids),
    reversed, expired."""
    consumed = Entry.objects.filter(account=account, kind__in=[EntryKind.REDEEM, EntryKind.VOID, EntryKind.REVERSAL,
                                                              EntryKind.EXPIRY]).aggregate(n=Sum("amount"))["n"]
    return -(consumed or 0)


def _awards_before(account: Account, cutoff: dt.datetime) -> int:
    return Entry.objects.filter(account=account, kind=EntryKind.AWARD, created_at__lt=cutoff).aggregate(
        n=Sum("amount"))["n"] or 0


def expirable(account: Account, *, months: int, now: dt.datetime) -> int:
    """What expires at *now* under FIFO (0 when nothing is old enough)."""
    cutoff = add_months(now, -months)
    return max(0, min(account.balance, _awards_before(account, cutoff) - _consumed(account)))


@dataclass
class NextExpiry:
    points: int
    when: dt.datetime


def next_expiry(account: Account, *, months: int | None, now: dt.datetime | None = None) -> NextExpiry | None:
    """The next batch of the account's points to expire and when (the oldest award not yet consumed)."""
    if not months or account.balance <= 0:
        return None
    now = now or timezone.now()
    left = _consumed(account)
    awards = Entry.objects.filter(account=account, kind=EntryKind.AWARD, amount__gt=0).order_by("created_at", "id")
    # Oldest first, a page at a time: usually the first award not yet consumed is in the first page.
    start, page = 0, 50
    while True:
        rows = list(awards.values_list("created_at", "amount")[start:start + page])
        for created_at, amount in rows:
            if left >= amount:
                left -= amount
                continue
            return NextExpiry(points=min(amount - left, account.balance), when=max(add_months(created_at, months), now))
        if len(rows) < page:
            break
        start, page = start + page, min(page * 4, 5000)
    return None


def expire_points(*, now: dt.datetime | None = None) -> int:
    """The job: write today's expiry entries in every scheme with a period. Idempotent per day."""
    now = now or timezone.now()
    written = 0
    for scheme in Scheme.objects.filter(is_active=True, expiry_months__isnull=False):
        months = scheme.expiry_months or 0
        cutoff = add_months(now, -months)
        candidates = Account.objects.filter(scheme=scheme, balance__gt=0).filter(
            Q(entries__kind=EntryKind.AWARD, entries__created_at__lt=cutoff)).distinct().values_list("pk", flat=True)
        for pk in candidates:
            written += _expire_account(pk, months=months, now=now)
    return written


@transaction.atomic
def _expire_account(pk: int, *, months: int, now: dt.datetime) -> int:
    account = _lock(Account.objects.get(pk=pk))
    points = expirable(account, months=months, now=now)
    if points <= 0:
        return 0
    day = timezone.localdate(now).isoformat()
    _entry, created = write_entry(account=account, kind=EntryKind.EXPIRY, amount=-points,
                                  source_key=f"expiry:{account.pk}:{day}",
                                  reason=_("超过 %(n)s 个月有效期的积分") % {"n": months}, now=now)
    if created:
        record_activity(actor=SYSTEM, action="points_expire", obj=account, changes={"balance": [None, -points]})
    return int(created)


def notify_expiring(*, now: dt.datetime | None = None) -> int:
    """The job: tell each person once, a month ahead, how many points expire and when."""
    now = now or timezone.now()
    told = 0
    for scheme in Scheme.objects.filter(is_active=True, expiry_months__isnull=False):
        months = scheme.expiry_months or 0
        horizon = add_months(now + dt.timedelta(days=NOTICE_DAYS), -months)
        accounts = Account.objects.filter(scheme=scheme, balance__gt=0, entries__kind=EntryKind.AWARD,
                                          entries__created_at__lt=horizon).distinct().select_related("person")
        for account in accounts:
            upcoming = next_expiry(account, months=months, now=now)
            if upcoming is None or upcoming.when > now + dt.timedelta(days=NOTICE_DAYS):
                continue
            due = timezone.localdate(upcoming.when)
            with transaction.atomic():
                # Once per due date, whoever runs the job at the same time.
                if Account.objects.filter(pk=account.pk).filter(
                        Q(expiry_notice_for__isnull=True) | ~Q(expiry_notice_for=due)).update(
                        expiry_notice_for=due) != 1:
                    continue
                notify(recipients=[account.person], url=reverse("points:mine"),
                       text=_("您在「%(scheme)s」的 %(n)s 积分将于 %(date)s 过期，请及时兑换。") % {
                           "scheme": scheme.name, "n": upcoming.points, "date": due.isoformat()})
            told += 1
    return told


# ---- the check -------------------------------------------------------------------------------------

@dataclass
class Mismatch:
    account_id: int
    field: str
    cached: int
    computed: int


def recompute(*, scheme: Scheme | None = None, fix: bool = False) -> list[Mismatch]:
    """Recompute every account's balance, held points and honour record from the ledger and report
    where the cache differs; with *fix*, set the cache to the computed values."""
    accounts = Account.objects.all() if scheme is None else Account.objects.filter(scheme=scheme)
    balances = dict(Entry.objects.filter(account__in=accounts).values_list("account").annotate(n=Sum("amount"))
                    .values_list("account", "n"))
    held = dict(Redemption.objects.filter(account__in=accounts, status=RedemptionStatus.HELD)
                .values_list("account").annotate(n=Sum("points")).values_list("account", "n"))
    honour: dict[int, dict[str, int]] = {}
    rows = (Entry.objects.filter(account__in=accounts, kind__in=[EntryKind.AWARD, EntryKind.REVERSAL])
            .exclude(trigger="").values_list("account", "kind", "trigger").annotate(m=Sum("minutes"))
            .annotate(c=Count("id")).values_list("account", "kind", "trigger", "m", "c"))
    for account_id, kind, trigger, minutes, count in rows:
        sign = -1 if kind == EntryKind.REVERSAL else 1
        h = honour.setdefault(account_id, {"honour_minutes": 0, "reports_verified": 0, "events_attended": 0})
        if trigger == Trigger.HOUR:
            h["honour_minutes"] += sign * abs(minutes or 0)
        elif trigger == Trigger.REPORT:
            h["reports_verified"] += sign * count
        elif trigger == Trigger.ATTENDANCE:
            h["events_attended"] += sign * count
    found: list[Mismatch] = []
    for account in accounts.iterator():
        computed = {"balance": balances.get(account.pk) or 0, "held": held.get(account.pk) or 0,
                    **honour.get(account.pk, {"honour_minutes": 0, "reports_verified": 0, "events_attended": 0})}
        wrong = {f: v for f, v in computed.items() if getattr(account, f) != v}
        for f, v in wrong.items():
            found.append(Mismatch(account.pk, f, getattr(account, f), v))
        if fix and wrong:
            Account.objects.filter(pk=account.pk).update(**wrong)
    return found
