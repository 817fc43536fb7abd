"""Meetings API: list and detail, the live board's state (with ETag), and claiming on the board."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.api.base import MAX_ID, Id, Quantity
from lianjian.api.errors import ERROR_RESPONSES, resolve_id
from lianjian.core.ranges import YEAR_MAX, YEAR_MIN
from lianjian.lists.models import Need
from lianjian.orgs.selectors import partner_unit_for

from . import selectors, services
from .models import Meeting

router = Router()


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    community_id: int
    community: str
    starts_at: dt.datetime
    venue: str
    status: str
    review_year: int | None
    invited_units: int
    attending_units: int


class ProposalOut(Schema):
    id: int
    title: str
    raiser: str
    stage: str
    status: str
    need_id: int | None


class MeetingDetailOut(MeetingOut):
    agenda: str
    minutes: str
    decisions: str
    claims_summary: str
    proposals: list[ProposalOut]


class BoardClaimOut(Schema):
    id: int
    organisation: str
    role: str
    quantity: int
    status: str
    in_meeting: bool


class BoardNeedOut(Schema):
    id: int
    title: str
    category: str
    quantity_needed: int
    quantity_unit: str
    claimed: int
    percent: int
    full: bool
    claims: list[BoardClaimOut]


class BoardOut(Schema):
    version: str
    status: str
    attending_units: int
    needs: list[BoardNeedOut]


class MeetingClaimIn(Schema):
    need_id: Id
    organisation_id: Id
    quantity: Quantity = 1


def _out(m: Meeting, *, attending: int | None = None) -> dict[str, Any]:
    return {
        "id": m.pk,
        "title": m.title,
        "kind": m.kind,
        "kind_label": str(m.get_kind_display()),
        "community_id": m.community_id,
        "community": m.community.name,
        "starts_at": m.starts_at,
        "venue": m.venue,
        "status": m.status,
        "review_year": m.review_year,
        "invited_units": getattr(m, "n_invited", None) or m.invitations.count(),
        "attending_units": selectors.attending_unit_count(meeting=m) if attending is None else attending,
    }


@router.get("", response={200: list[MeetingOut], **ERROR_RESPONSES}, summary="Meetings in the caller's scope")
def list_meetings(request: HttpRequest, community_id: int | None = Query(None, ge=1, le=MAX_ID),
                  year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX)) -> Any:
    qs = selectors.meeting_list(user=request.user, year=year)
    if community_id:
        qs = qs.filter(community_id=community_id)
    return [_out(m) for m in qs[:200]]


@router.get("/{id:meeting_id}", response={200: MeetingDetailOut, **ERROR_RESPONSES})
def get_meeting(request: HttpRequest, meeting_id: int) -> Any:
    m = selectors.meeting_get(user=request.user, pk=meeting_id)
    return {
        **_out(m),
        "agenda": m.agenda,
        "minutes": m.minutes,
        "decisions": m.decisions,
        "claims_summary": m.claims_summary,
        "proposals": [
            {
                "id": p.pk,
                "title": p.title,
                "raiser": p.raiser,
                "stage": p.stage,
                "status": p.status,
                "need_id": p.need_id,
            }
            for p in selectors.proposals_of(meeting=m)
        ],
    }


def _board(m: Meeting, version: str) -> dict[str, Any]:
    in_meeting = set(m.meeting_claims.values_list("claim_id", flat=True))
    return {
        "version": version,
        "status": m.status,
        "attending_units": selectors.attending_unit_count(meeting=m),
        "needs": [
            {
                "id": r.need.pk,
                "title": r.need.title,
                "category": r.need.category.name,
                "quantity_needed": r.need.quantity_needed,
                "quantity_unit": r.need.quantity_unit,
                "claimed": r.claimed,
                "percent": r.percent,
                "full": r.is_full,
                "claims": [
                    {
                        "id": c.pk,
                        "organisation": c.organisation.name,
                        "role": c.role,
                        "quantity": c.quantity,
                        "status": c.status,
                        "in_meeting": c.pk in in_meeting,
                    }
                    for c in r.claims
                ],
            }
            for r in selectors.board_rows(meeting=m)
        ],
    }


@router.get(
    "/{id:meeting_id}/board",
    response={200: BoardOut, 304: None, **ERROR_RESPONSES},
    summary="Live claim board state; send If-None-Match with the last ETag to get 304 when unchanged",
)
def board_state(request: HttpRequest, response: HttpResponse, meeting_id: int) -> Any:
    m = selectors.meeting_get(user=request.user, pk=meeting_id)
    version = selectors.board_version(meeting_id=m.pk)
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        return not_modified
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return _board(m, version)


@router.post(
    "/{id:meeting_id}/claims",
    response={201: BoardClaimOut, **ERROR_RESPONSES},
    summary="Claim a board need for a unit during the meeting (channel 'meeting')",
)
def claim(request: AuthenticatedHttpRequest, meeting_id: int, payload: MeetingClaimIn) -> Any:
    m = selectors.meeting_get(user=request.user, pk=meeting_id)
    need = resolve_id("need_id", get_object_or_404, Need, pk=payload.need_id, community=m.community)
    org = resolve_id("organisation_id", partner_unit_for, user=request.user, community=m.community,
                     pk=payload.organisation_id)
    c = services.meeting_claim_create(
        actor=request.user, meeting=m, need=need, organisation=org, quantity=payload.quantity
    )
    return Status(201, {
        "id": c.pk,
        "organisation": org.name,
        "role": c.role,
        "quantity": c.quantity,
        "status": c.status,
        "in_meeting": True,
    })
