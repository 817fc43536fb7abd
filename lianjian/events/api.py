"""Events API, mounted at /api/v1/events (contracts in DESIGN §5).

Registering answers 201 ``{"id", "status", "position", "code"}``; a phone already registered or
waiting answers 409. A check-in answers 200 ``{"status": "ok"}``; the same code with a new nonce
answers 409 ``already_checked_in``; the same nonce again replays the first answer.
"""


import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.api.errors import ERROR_RESPONSES, ErrorOut, UnknownId
from lianjian.api.limits import Kilometres
from lianjian.api.pagination import ShapedQuerySet
from lianjian.orgs.models import Organisation, PartnershipStatus
from lianjian.regions.models import Region

from . import selectors, services, thanks, volunteers
from .models import (
    MAX_CAPACITY,
    MAX_PARTY,
    Audience,
    Event,
    EventKind,
    Pledge,
    PledgerKind,
    PostRole,
    Promotion,
    Registration,
    RegistrationStatus,
    VolunteerPost,
)

router = Router()


class EventIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    community_id: int | None = Field(None, ge=1, le=2**53, description="the organising community (or region_id)")
    region_id: int | None = Field(None, ge=1, le=2**53, description="the organising community or street")
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = Field(..., ge=1, le=MAX_CAPACITY)
    waitlist: bool = True
    kind: EventKind = EventKind.OTHER
    audience: Audience = Audience.RESIDENTS
    description: str = Field("", max_length=4000)
    venue: str = Field("", max_length=120)
    address: str = Field("", max_length=200)
    gather_at: dt.datetime | None = None
    max_party_size: int = Field(1, ge=1, le=MAX_PARTY)
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    promotion: Promotion = Promotion.AUTO
    offer_hours: int = Field(24, ge=1, le=168)
    ask_emergency_contact: bool = False
    ask_shirt_size: bool = False
    ask_dietary_notes: bool = False
    is_public: bool = True
    co_unit_ids: list[int] = Field(default_factory=list, max_length=50)


class EventOut(Schema):
    id: int
    title: str
    kind: str
    region_id: int
    region: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    address: str
    capacity: int
    places_left: int
    waitlist: bool
    status: str
    is_public: bool


class CreatedOut(Schema):
    id: int


class RegistrationIn(Schema):
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    party_size: int = Field(1, ge=1, le=MAX_PARTY)
    emergency_contact: str = Field("", max_length=60)
    shirt_size: str = Field("", max_length=6)
    dietary_notes: str = Field("", max_length=100)


class RegistrationOut(Schema):
    id: int
    status: str
    position: int | None
    code: str
    name: str
    phone: str
    party_size: int
    created_at: dt.datetime
    checked_in_at: dt.datetime | None
    offer_expires_at: dt.datetime | None


class RegistrationFilter(Schema):
    status: RegistrationStatus | None = None


class CheckInIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    nonce: str = Field(..., min_length=1, max_length=64)


class CheckInOut(Schema):
    status: str
    message: str
    name: str | None = None
    party_size: int | None = None


def _event_out(event: Event) -> dict[str, Any]:
    return {"id": event.pk, "title": event.title, "kind": event.kind, "region_id": event.region_id,
            "region": event.region.name, "starts_at": event.starts_at, "ends_at": event.ends_at,
            "venue": event.venue, "address": event.address, "capacity": event.capacity,
            "places_left": event.places_left, "waitlist": event.waitlist, "status": event.status,
            "is_public": event.is_public}


def _registration_out(request: HttpRequest, r: Registration, *, position: int | None = 0) -> dict[str, Any]:
    """One registration; *position* is computed when left at 0 (a list passes the known one)."""
    staff = services.may_run(request.user, r.event)
    return {"id": r.pk, "status": r.status,
            "position": services.waitlist_position(r) if position == 0 else position,
            "code": r.code, "name": r.name, "phone": r.phone if staff or r.user_id == request.user.pk
            else r.masked_phone, "party_size": r.party_size, "created_at": r.created_at,
            "checked_in_at": r.checked_in_at, "offer_expires_at": r.offer_expires_at}


def _conflict(exc: services.EventConflict) -> Status:
    return Status(409, {"error": {"code": exc.code or "conflict", "message": exc.message}})


@router.get("", response=list[EventOut], summary="Events: the caller's own and public ones")
@paginate(PageNumberPagination, page_size=50)
def list_events(request: HttpRequest, upcoming: bool = False) -> Any:
    return ShapedQuerySet(request, selectors.event_list(user=request.user, upcoming_only=upcoming),
                          lambda req, e: _event_out(e))


@router.post("", response={201: CreatedOut, **ERROR_RESPONSES}, summary="Create an event (staff)")
def create_event(request: AuthenticatedHttpRequest, payload: EventIn) -> Status:
    scope = get_scope(request.user)
    region_pk = payload.community_id or payload.region_id
    if region_pk is None:
        return Status(422, {"error": {"code": "invalid", "message": _("请指定主办社区或街道。"),
                                      "details": {"community_id": [_("必填。")]}}})
    regions: dict[str, Region] = {}
    for field in ("community_id", "region_id"):
        pk = getattr(payload, field)
        if pk is not None:
            found = scope.filter_regions(Region.objects.all()).filter(pk=pk).first()
            if found is None:
                raise UnknownId(field)
            regions[field] = found
    if len({r.pk for r in regions.values()}) > 1:
        return Status(422, {"error": {"code": "invalid", "message": _("community_id 与 region_id 不一致。"),
                                      "details": {"region_id": [_("与 community_id 不一致。")]}}})
    region = next(iter(regions.values()))
    # Co-organisers are active joint units of the organising community (or of its street's communities).
    partners = Organisation.objects.filter(
        partnerships__community__in=Region.objects.filter(Region.subtree_q(region)),
        partnerships__status=PartnershipStatus.ACTIVE, is_active=True).distinct()
    co_units = list(partners.filter(pk__in=payload.co_unit_ids)) if payload.co_unit_ids else []
    if len(co_units) != len(set(payload.co_unit_ids)):
        raise UnknownId("co_unit_ids")
    data = payload.dict(exclude={"community_id", "region_id", "co_unit_ids"})
    event = services.event_create(actor=request.user, region=region, co_units=co_units, **data)
    return Status(201, {"id": event.pk})


@router.get("/{int:event_id}", response={200: EventOut, **ERROR_RESPONSES}, summary="One event")
def get_event(request: HttpRequest, event_id: int) -> dict[str, Any]:
    return _event_out(selectors.event_for(request.user, event_id))


@router.post("/{int:event_id}/registrations", response={201: RegistrationOut, **ERROR_RESPONSES},
             summary="Register (staff for someone by name and phone; anyone else for themselves)")
def register(request: HttpRequest, event_id: int, payload: RegistrationIn) -> Status:
    event = selectors.event_for(request.user, event_id)
    try:
        r = services.registration_create(actor=request.user, event=event, **payload.dict())
    except services.EventConflict as exc:
        return _conflict(exc)
    return Status(201, _registration_out(request, r, position=getattr(r, "position_when_registered", None) or 0))


@router.get("/{int:event_id}/registrations", response={200: list[RegistrationOut], **ERROR_RESPONSES},
            summary="Registrations of an event (staff); the waitlist in arrival order")
@paginate(PageNumberPagination, page_size=100)
def list_registrations(request: HttpRequest, event_id: int, filters: Query[RegistrationFilter]) -> Any:
    event = selectors.event_for(request.user, event_id, change=True)
    qs = selectors.registrations_of(event=event, status=filters.status)

    def shape(req: HttpRequest, r: Registration) -> dict[str, Any]:
        r.event = event
        return _registration_out(req, r)

    if filters.status == RegistrationStatus.WAITLISTED:
        queue = _Queue(request, qs, shape)
        queue.event = event
        return queue
    return ShapedQuerySet(request, qs, shape)


class _Queue(ShapedQuerySet):
    """The waitlist page by page: a row's position is its place in the page plus the offset."""

    event: Event

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        start = item.start or 0
        rows = self.qs[item]
        out = []
        for i, r in enumerate(rows):
            r.event = self.event
            out.append(_registration_out(self.request, r, position=start + i + 1))
        return out


@router.get("/{int:event_id}/registrations/{int:registration_id}",
            response={200: RegistrationOut, **ERROR_RESPONSES}, summary="One registration (its person or staff)")
def get_registration(request: HttpRequest, event_id: int, registration_id: int) -> dict[str, Any]:
    event = selectors.event_for(request.user, event_id)
    return _registration_out(request, selectors.registration_for(request.user, event, registration_id))


@router.post("/{int:event_id}/registrations/{int:registration_id}/cancel",
             response={200: RegistrationOut, **ERROR_RESPONSES}, summary="Cancel a place or leave the waitlist")
def cancel_registration(request: HttpRequest, event_id: int, registration_id: int) -> Any:
    event = selectors.event_for(request.user, event_id)
    r = selectors.registration_for(request.user, event, registration_id)
    try:
        r = services.registration_cancel(actor=request.user, registration=r)
    except services.EventConflict as exc:
        return _conflict(exc)
    return _registration_out(request, r)


@router.post("/{int:event_id}/registrations/{int:registration_id}/accept",
             response={200: RegistrationOut, **ERROR_RESPONSES}, summary="Accept a place offered from the waitlist")
def accept_offer(request: HttpRequest, event_id: int, registration_id: int) -> Any:
    event = selectors.event_for(request.user, event_id)
    r = selectors.registration_for(request.user, event, registration_id)
    try:
        r = services.offer_accept(actor=request.user, registration=r)
    except services.EventConflict as exc:
        return _conflict(exc)
    return _registration_out(request, r)


@router.post("/{int:event_id}/checkins", response={200: CheckInOut, 404: ErrorOut, 409: ErrorOut,
                                                     **ERROR_RESPONSES},
             summary="Check a registration in by its code (staff); a retried nonce replays the answer")
def check_in(request: AuthenticatedHttpRequest, event_id: int, payload: CheckInIn) -> Status:
    event = selectors.event_for(request.user, event_id, change=True)
    result = services.checkin(actor=request.user, event=event, code=payload.code, nonce=payload.nonce)
    if result.outcome != "ok":
        return Status(result.http_status, {"error": {"code": result.outcome, "message": result.message}})
    r = result.registration
    return Status(200, {"status": "ok", "message": result.message, "name": r.name if r else None,
                        "party_size": r.party_size if r else None})


# ---- volunteer posts, pledges, recognition -------------------------------------------------------

class PostIn(Schema):
    role: PostRole
    title: str = Field(..., min_length=1, max_length=60)
    place: str = Field("", max_length=120)
    km: Kilometres | None = None
    headcount: int = Field(..., ge=1, le=500)
    starts_at: dt.datetime
    ends_at: dt.datetime


class PostOut(Schema):
    id: int
    role: str
    title: str
    place: str
    km: Decimal | None
    headcount: int
    filled: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class SignupOut(Schema):
    id: int
    post_id: int
    status: str
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    verified_minutes: int


class PledgeIn(Schema):
    item: str = Field(..., min_length=1, max_length=60)
    quantity: int = Field(1, ge=1, le=100_000)
    unit: str = Field("份", min_length=1, max_length=10)
    pledger_kind: PledgerKind
    pledger_name: str = Field(..., min_length=1, max_length=60)
    organisation_id: int | None = Field(None, ge=1, le=2**53)


class PledgeOut(Schema):
    id: int
    item: str
    quantity: int
    unit: str
    pledger_kind: str
    pledger_name: str
    organisation: str | None
    status: str


class RecognitionIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    affiliation: str = Field("", max_length=80)
    reason: str = Field(..., min_length=1, max_length=200)
    gift: str = Field("", max_length=60)


def _post_out(p: VolunteerPost) -> dict[str, Any]:
    return {"id": p.pk, "role": p.role, "title": p.title, "place": p.place, "km": p.km, "headcount": p.headcount,
            "filled": p.filled, "starts_at": p.starts_at, "ends_at": p.ends_at}


def _pledge_out(p: Pledge) -> dict[str, Any]:
    return {"id": p.pk, "item": p.item, "quantity": p.quantity, "unit": p.unit, "pledger_kind": p.pledger_kind,
            "pledger_name": p.pledger_name, "organisation": p.organisation.name if p.organisation else None,
            "status": p.status}


@router.get("/{int:event_id}/posts", response={200: list[PostOut], **ERROR_RESPONSES},
            summary="Volunteer posts in route order")
def list_posts(request: HttpRequest, event_id: int) -> list[dict[str, Any]]:
    event = selectors.event_for(request.user, event_id)
    return [_post_out(p) for p in selectors.posts_of(event=event)]


@router.post("/{int:event_id}/posts", response={201: PostOut, **ERROR_RESPONSES}, summary="Add a post (staff)")
def create_post(request: AuthenticatedHttpRequest, event_id: int, payload: PostIn) -> Status:
    event = selectors.event_for(request.user, event_id, change=True)
    return Status(201, _post_out(volunteers.post_create(actor=request.user, event=event, **payload.dict())))


@router.post("/{int:event_id}/posts/{int:post_id}/signups", response={201: SignupOut, **ERROR_RESPONSES},
             summary="Sign up for a post's shift (the volunteer themselves)")
def create_signup(request: AuthenticatedHttpRequest, event_id: int, post_id: int) -> Status:
    event = selectors.event_for(request.user, event_id)
    s = volunteers.signup_create(actor=request.user, post=selectors.post_for(request.user, event, post_id))
    return Status(201, {"id": s.pk, "post_id": s.post_id, "status": s.status, "checked_in_at": s.checked_in_at,
                        "checked_out_at": s.checked_out_at, "verified_minutes": s.verified_minutes})


@router.get("/{int:event_id}/pledges", response={200: list[PledgeOut], **ERROR_RESPONSES},
            summary="Pledges (the public thank-you list)")
def list_pledges(request: HttpRequest, event_id: int) -> list[dict[str, Any]]:
    event = selectors.event_for(request.user, event_id)
    return [_pledge_out(p) for p in thanks.thank_you_list(event=event)]


@router.post("/{int:event_id}/pledges", response={201: PledgeOut, **ERROR_RESPONSES}, summary="Record a pledge")
def create_pledge(request: AuthenticatedHttpRequest, event_id: int, payload: PledgeIn) -> Status:
    event = selectors.event_for(request.user, event_id)  # the service says who may record pledges
    data = payload.dict(exclude={"organisation_id"})
    organisation = None
    if payload.organisation_id is not None:
        organisation = get_scope(request.user).filter_organisations(Organisation.objects.all()).filter(
            pk=payload.organisation_id).first()
        if organisation is None:
            raise UnknownId("organisation_id")
    return Status(201, _pledge_out(thanks.pledge_create(actor=request.user, event=event, organisation=organisation,
                                                        **data)))


@router.post("/{int:event_id}/recognitions", response={201: CreatedOut, **ERROR_RESPONSES},
             summary="Praise a person at the event (staff); the certificate is a PDF on the event page")
def create_recognition(request: AuthenticatedHttpRequest, event_id: int, payload: RecognitionIn) -> Status:
    event = selectors.event_for(request.user, event_id, change=True)
    return Status(201, {"id": thanks.recognition_create(actor=request.user, event=event, **payload.dict()).pk})
