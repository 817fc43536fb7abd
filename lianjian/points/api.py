"""Points API, mounted at /api/v1/points (contracts in DESIGN §5).

- ``POST /awards`` (staff) pays ``points`` to ``person`` (username or phone) with a ``reason`` and a
  ``source_key``: 201 for a new award, 200 with the same body for a key already used (no second
  award); the key with other content is 409 ``source_key_reused``. Above the scheme's threshold the
  award is ``pending`` until another staff member approves it.
- ``POST /redemptions`` ``{"reward_id"}`` → 201 ``{"code", "status": "held"}``; short balance or
  stock, or the per-person limit → 409. ``POST /redemptions/{code}/confirm`` (the merchant) → 200;
  again → 409 ``already_confirmed``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.api.errors import ERROR_RESPONSES, UnknownId, resolve_id
from lianjian.api.pagination import Pages, ShapedQuerySet
from lianjian.orgs.selectors import partner_unit_of
from lianjian.regions.models import Region

from . import ledger, redemptions, selectors
from .ledger import PointsConflict
from .models import POINTS_MAX, AwardRequest, Entry, Redemption, Scheme

router = Router()
LIMIT_MAX = 100


def _conflict(exc: PointsConflict) -> Status:
    return Status(409, {"error": {"code": exc.code or "conflict", "message": exc.message}})


def _invalid(field: str, message: str) -> Status:
    return Status(422, {"error": {"code": "invalid", "message": message, "details": {field: [message]}}})


def _scheme(request: AuthenticatedHttpRequest, community_id: int | None) -> Scheme | Status:
    """The scheme staff act in: of the named community (or street), else the only one they run."""
    if community_id is not None:
        region = get_scope(request.user).filter_regions(Region.objects.all()).filter(pk=community_id).first()
        if region is None:
            raise UnknownId("community_id")
        scheme = ledger.scheme_for_region(region)
        if scheme is None:
            return _invalid("community_id", _("这个社区还没有开设积分方案。"))
        return scheme
    schemes = list(selectors.managed_schemes(user=request.user)[:2])
    if len(schemes) != 1:
        message = _("请用 community_id 指定社区。") if schemes else _("您管理的社区还没有积分方案。")
        return _invalid("community_id", message)
    return schemes[0]


# ---- awards ---------------------------------------------------------------------------------------

class AwardIn(Schema):
    person: str = Field(..., min_length=1, max_length=150, description="username or mobile number")
    points: int = Field(..., ge=1, le=POINTS_MAX)
    reason: str = Field(..., min_length=1, max_length=200)
    source_key: str = Field(..., min_length=1, max_length=100, description="one award per source")
    community_id: int | None = Field(None, ge=1, le=2**53, description="the scheme's community or street")


class AwardOut(Schema):
    id: int
    status: str
    entry_id: int | None
    person: str
    points: int
    reason: str
    source_key: str
    requested_by: str
    approved_by: str | None
    created_at: dt.datetime


def _award_out(a: AwardRequest) -> dict[str, Any]:
    return {"id": a.pk, "status": "posted" if a.entry_id else a.status, "entry_id": a.entry_id,
            "person": a.account.person.username, "points": a.points, "reason": a.reason,
            "source_key": a.public_key, "requested_by": str(a.requested_by),
            "approved_by": str(a.decided_by) if a.decided_by_id else None, "created_at": a.created_at}


@router.post("/awards", response={200: AwardOut, 201: AwardOut, **ERROR_RESPONSES},
             summary="Award points by hand (staff); one award per source_key")
def award(request: AuthenticatedHttpRequest, payload: AwardIn) -> Status:
    scheme = _scheme(request, payload.community_id)
    if isinstance(scheme, Status):
        return scheme
    ledger.require_manager(request.user, scheme)
    person = ledger.find_person(payload.person)
    if person is None:
        return _invalid("person", _("找不到这个用户名或手机号对应的用户。"))
    try:
        a, created = ledger.award_manual(actor=request.user, scheme=scheme, person=person, points=payload.points,
                                         reason=payload.reason, source_key=payload.source_key)
    except PointsConflict as exc:
        return _conflict(exc)
    a = AwardRequest.objects.select_related("account__person", "requested_by", "decided_by").get(pk=a.pk)
    return Status(201 if created else 200, _award_out(a))


def _award_for(request: AuthenticatedHttpRequest, award_id: int) -> AwardRequest:
    return selectors._get(AwardRequest.objects.filter(scheme__in=selectors.managed_schemes(user=request.user))
                          .select_related("scheme__region", "account__person", "requested_by"), award_id)


@router.post("/awards/{id:award_id}/approve", response={200: AwardOut, **ERROR_RESPONSES},
             summary="Approve a pending large award (another staff member)")
def approve(request: AuthenticatedHttpRequest, award_id: int) -> Status:
    try:
        a = ledger.award_decide(actor=request.user, request=_award_for(request, award_id), approve=True)
    except PointsConflict as exc:
        return _conflict(exc)
    return Status(200, _award_out(a))


@router.post("/awards/{id:award_id}/reject", response={200: AwardOut, **ERROR_RESPONSES},
             summary="Reject a pending large award (another staff member)")
def reject(request: AuthenticatedHttpRequest, award_id: int) -> Status:
    try:
        a = ledger.award_decide(actor=request.user, request=_award_for(request, award_id), approve=False)
    except PointsConflict as exc:
        return _conflict(exc)
    return Status(200, _award_out(a))


# ---- accounts and the statement -------------------------------------------------------------------

class AccountOut(Schema):
    id: int | None
    scheme: str | None
    community: str | None
    balance: int
    held: int
    pending: int
    honour_hours: float
    reports_verified: int
    events_attended: int
    expiring_points: int
    expiring_at: dt.datetime | None
    display_name: str
    leaderboard_opt_out: bool


class PointsMeOut(AccountOut):
    accounts: list[AccountOut]


def _account_out(s: selectors.Summary) -> dict[str, Any]:
    a = s.account
    return {"id": a.pk if a else None, "scheme": a.scheme.name if a else None,
            "community": a.scheme.region.name if a else None, "balance": s.balance, "held": s.held,
            "pending": s.pending, "honour_hours": s.honour_hours, "reports_verified": s.reports_verified,
            "events_attended": s.events_attended, "expiring_points": s.expiring.points if s.expiring else 0,
            "expiring_at": s.expiring.when if s.expiring else None, "display_name": a.display_name if a else "",
            "leaderboard_opt_out": a.leaderboard_opt_out if a else False}


@router.get("/accounts/me", response={200: PointsMeOut, **ERROR_RESPONSES},
            summary="My points: balance, held, pending, honour record, what expires next; all my accounts")
def me(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    accounts = list(selectors.my_accounts(user=request.user)[:20])
    primary = selectors.primary_account(user=request.user, accounts=accounts)
    summaries = {a.pk: _account_out(selectors.summary(a)) for a in accounts}
    out = dict(summaries[primary.pk]) if primary is not None else _account_out(selectors.summary(None))
    out["accounts"] = list(summaries.values())
    return out


class EntryOut(Schema):
    id: int
    kind: str
    amount: int
    source_key: str
    source: str
    reason: str
    rule_id: int | None
    approved_by: str | None
    reversal_of: int | None
    redemption_id: int | None
    occurred_at: dt.datetime | None
    created_at: dt.datetime


def _entry_out(request: HttpRequest, e: Entry) -> dict[str, Any]:
    return {"id": e.pk, "kind": e.kind, "amount": e.amount, "source_key": e.source_key, "source": e.source_label,
            "reason": e.reason, "rule_id": e.rule_id,
            "approved_by": str(e.approver) if e.approver_id else None,
            "reversal_of": e.reversal_of_id, "redemption_id": e.redemption_id, "occurred_at": e.occurred_at,
            "created_at": e.created_at}


@router.get("/accounts/me/entries", response=list[EntryOut], summary="My statement: every entry, newest first")
@paginate(Pages, page_size=50)
def my_entries(request: AuthenticatedHttpRequest, account_id: int | None = None) -> Any:
    account = (selectors.my_account(user=request.user, pk=account_id) if account_id
               else selectors.primary_account(user=request.user))
    qs = selectors.statement(account=account) if account else Entry.objects.none()
    return ShapedQuerySet(request, qs, _entry_out)


class ReverseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=150)


@router.post("/entries/{id:entry_id}/reverse", response={201: EntryOut, **ERROR_RESPONSES},
             summary="Reverse an award with a reason (staff); once per entry")
def reverse(request: AuthenticatedHttpRequest, entry_id: int, payload: ReverseIn) -> Status:
    entry = selectors.entry_for(user=request.user, pk=entry_id)
    try:
        r = ledger.entry_reverse(actor=request.user, entry=entry, reason=payload.reason)
    except PointsConflict as exc:
        return _conflict(exc)
    return Status(201, _entry_out(request, r))


# ---- rewards ----------------------------------------------------------------------------------------

class RewardIn(Schema):
    title: str = Field(..., min_length=1, max_length=60)
    points: int = Field(..., ge=1, le=POINTS_MAX)
    stock: int = Field(..., ge=0, le=1_000_000)
    description: str = Field("", max_length=300)
    community_id: int | None = Field(None, ge=1, le=2**53, description="the scheme's community or street")
    organisation_id: int | None = Field(None, ge=1, le=2**53,
                                        description="the partner merchant offering it (none: the community)")
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    per_person_limit: int | None = Field(None, ge=1, le=100)


class RewardOut(Schema):
    id: int
    title: str
    description: str
    points: int
    stock: int
    offered_by: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    per_person_limit: int | None


class RewardCreatedOut(Schema):
    id: int


@router.post("/rewards", response={201: RewardCreatedOut, **ERROR_RESPONSES},
             summary="Add a reward to the catalogue (staff)")
def create_reward(request: AuthenticatedHttpRequest, payload: RewardIn) -> Status:
    scheme = _scheme(request, payload.community_id)
    if isinstance(scheme, Status):
        return scheme
    organisation = None
    if payload.organisation_id is not None:
        organisation = resolve_id("organisation_id", partner_unit_of, community=scheme.region,
                                  pk=payload.organisation_id)
    reward = redemptions.reward_create(actor=request.user, scheme=scheme, organisation=organisation,
                                       **payload.dict(exclude={"community_id", "organisation_id"}))
    return Status(201, {"id": reward.pk})


@router.get("/rewards", response=list[RewardOut], summary="The catalogue I may redeem from")
@paginate(Pages, page_size=50)
def list_rewards(request: AuthenticatedHttpRequest) -> Any:
    return ShapedQuerySet(request, selectors.reward_list(user=request.user), lambda req, r: {
        "id": r.pk, "title": r.title, "description": r.description, "points": r.points, "stock": r.stock,
        "offered_by": r.offered_by, "valid_from": r.valid_from, "valid_until": r.valid_until,
        "per_person_limit": r.per_person_limit})


# ---- redemptions --------------------------------------------------------------------------------------

class RedeemIn(Schema):
    reward_id: int = Field(..., ge=1, le=2**53)


class RedemptionOut(Schema):
    id: int
    code: str
    status: str
    reward_id: int
    reward: str
    offered_by: str
    points: int
    created_at: dt.datetime
    expires_at: dt.datetime
    confirmed_at: dt.datetime | None


def _redemption_out(r: Redemption) -> dict[str, Any]:
    return {"id": r.pk, "code": r.code, "status": r.status, "reward_id": r.reward_id, "reward": r.reward.title,
            "offered_by": r.reward.offered_by, "points": r.points, "created_at": r.created_at,
            "expires_at": r.expires_at, "confirmed_at": r.confirmed_at}


@router.post("/redemptions", response={201: RedemptionOut, **ERROR_RESPONSES},
             summary="Redeem a reward: points held, a one-time code issued")
def redeem(request: AuthenticatedHttpRequest, payload: RedeemIn) -> Status:
    reward = resolve_id("reward_id", selectors.reward_for, user=request.user, pk=payload.reward_id)
    try:
        r = redemptions.redeem(actor=request.user, reward=reward)
    except PointsConflict as exc:
        return _conflict(exc)
    return Status(201, _redemption_out(r))


@router.get("/redemptions", response=list[RedemptionOut], summary="My codes, newest first")
@paginate(Pages, page_size=50)
def my_redemptions(request: AuthenticatedHttpRequest) -> Any:
    return ShapedQuerySet(request, selectors.my_redemptions(user=request.user), lambda req, r: _redemption_out(r))


@router.post("/redemptions/{code}/confirm", response={200: RedemptionOut, **ERROR_RESPONSES},
             summary="Confirm a code at the counter (the merchant's liaison; staff for community rewards); once")
def confirm(request: AuthenticatedHttpRequest, code: str) -> Status:
    r = selectors.redemption_to_confirm(user=request.user, code=code)
    try:
        r = redemptions.confirm(actor=request.user, redemption=r)
    except PointsConflict as exc:
        return _conflict(exc)
    return Status(200, _redemption_out(r))


@router.post("/redemptions/{code}/cancel", response={200: RedemptionOut, **ERROR_RESPONSES},
             summary="Give a held code back: points and stock return")
def cancel(request: AuthenticatedHttpRequest, code: str) -> Status:
    r = selectors.my_redemption(user=request.user, code=code)
    try:
        r = redemptions.cancel(actor=request.user, redemption=r)
    except PointsConflict as exc:
        return _conflict(exc)
    return Status(200, _redemption_out(r))


class LiabilitiesOut(Schema):
    scheme: str
    accounts: int
    balance: int
    held: int
    pending: int
    outstanding: int


@router.get("/schemes/{id:scheme_id}/liabilities", response={200: LiabilitiesOut, **ERROR_RESPONSES},
            summary="Points a scheme owes (staff)")
def liabilities(request: AuthenticatedHttpRequest, scheme_id: int) -> dict[str, Any]:
    scheme = selectors.scheme_get(user=request.user, pk=scheme_id)
    return {"scheme": scheme.name, **selectors.liabilities(scheme=scheme)}
