"""Workers API, mounted at /api/v1/workers.

- ``POST /registrations``: a self-service caller registers themselves (their account's phone);
  staff record a worker met offline in a community they run. The same phone twice is a 409.
- ``POST /{worker_id}/verify|reject|certify|revoke``: staff of the worker's community.
- Stations, their supplies (``take`` / ``restock`` with conditional updates: taking more than the
  stock is a 409 ``short`` and nothing changes), usage figures, and ``POST /checkins {"token"}``.
- Merchants and offers: staff of the community, or the merchant's own liaison for its offers.
Phones are masked for everyone but staff of the worker's community (and the worker themselves).
"""


import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.api.base import Id, patch_values
from lianjian.api.errors import ERROR_RESPONSES, UnknownId, resolve_id
from lianjian.api.pagination import Pages, ShapedQuerySet
from lianjian.orgs.selectors import partner_unit_for
from lianjian.regions.models import Region

from . import merchants, selectors, services, stations
from .models import MAX_STOCK, Amenity, Merchant, Offer, Platform, Station, Supply, Worker, WorkerStatus

router = Router()
Req = AuthenticatedHttpRequest  # the API's default authentication lets only logged-in callers in

# ---- schemas -------------------------------------------------------------------------------------

class WorkerIn(Schema):
    community_id: Id
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    platform: Platform
    company: str = Field("", max_length=60)
    station_name: str = Field(..., min_length=1, max_length=80)
    work_area: str = Field("", max_length=120)
    is_party_member: bool = False


class WorkerOut(Schema):
    id: int
    name: str
    phone: str
    platform: str
    platform_label: str
    company: str
    station_name: str
    work_area: str
    is_party_member: bool
    community_id: int
    community: str
    status: str
    reject_reason: str
    is_grid_reporter: bool
    verified_at: dt.datetime | None
    certified_at: dt.datetime | None
    created_at: dt.datetime


class WorkerFilter(Schema):
    community_id: int | None = Field(None, ge=1, le=2**63 - 1)
    status: WorkerStatus | None = None
    platform: Platform | None = None
    grid_reporter: bool | None = None
    q: str = Field("", max_length=40)


class WorkerReasonIn(Schema):
    reason: str = Field("", max_length=200)


class StationIn(Schema):
    community_id: Id
    name: str = Field(..., min_length=1, max_length=80)
    address: str = Field(..., min_length=1, max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    opening_hours: str = Field("", max_length=60)
    amenities: list[Amenity] = Field(default_factory=list, max_length=len(Amenity.values))
    description: str = Field("", max_length=1000)
    is_open: bool = True


class StationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    address: str | None = Field(None, min_length=1, max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    opening_hours: str | None = Field(None, max_length=60)
    amenities: list[Amenity] | None = Field(None, max_length=len(Amenity.values))
    description: str | None = Field(None, max_length=1000)
    is_open: bool | None = None


class SupplyOut(Schema):
    id: int
    name: str
    unit: str
    quantity: int
    low_threshold: int
    is_low: bool


class StationOut(Schema):
    id: int
    community_id: int
    community: str
    name: str
    address: str
    lat: float | None
    lng: float | None
    opening_hours: str
    amenities: list[str]
    description: str
    is_open: bool
    supplies: list[SupplyOut]
    checkin_url: str | None = None


class SupplyIn(Schema):
    name: str = Field(..., min_length=1, max_length=40)
    unit: str = Field("件", min_length=1, max_length=10)
    quantity: int = Field(0, ge=0, le=MAX_STOCK)
    low_threshold: int = Field(0, ge=0, le=MAX_STOCK)


class SupplyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=40)
    unit: str | None = Field(None, min_length=1, max_length=10)
    low_threshold: int | None = Field(None, ge=0, le=MAX_STOCK)


class SupplyMoveIn(Schema):
    quantity: int = Field(1, ge=1, le=MAX_STOCK)


class StationCheckInIn(Schema):
    token: str = Field(..., min_length=1, max_length=64)


class StationCheckInOut(Schema):
    status: str  # "ok" (a new visit) or "repeat" (within the window: counted once)
    station_id: int
    station: str
    checked_in_at: dt.datetime


class StationUsageOut(Schema):
    days: list[dt.date]
    day_counts: list[int]
    hour_counts: list[int]
    total: int
    workers: int


class MerchantIn(Schema):
    community_id: Id
    organisation_id: Id
    alliance: str = Field("", max_length=60)
    blurb: str = Field("", max_length=200)


class MerchantPatch(Schema):
    alliance: str | None = Field(None, max_length=60)
    blurb: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class OfferIn(Schema):
    title: str = Field(..., min_length=1, max_length=60)
    details: str = Field("", max_length=300)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    is_active: bool = True


class OfferPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=60)
    details: str | None = Field(None, max_length=300)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    is_active: bool | None = None


class OfferOut(Schema):
    id: int
    title: str
    details: str
    valid_from: dt.date
    valid_until: dt.date | None
    is_active: bool


class MerchantOut(Schema):
    id: int
    community_id: int
    organisation_id: int
    name: str
    alliance: str
    blurb: str
    is_active: bool
    offers: list[OfferOut]


# ---- shaping -------------------------------------------------------------------------------------

def _worker_out(request: HttpRequest, w: Worker) -> dict[str, Any]:
    return {"id": w.pk, "name": w.name, "phone": w.phone if selectors.shows_phone(request.user, w) else w.masked_phone,
            "platform": w.platform, "platform_label": w.platform_label, "company": w.company,
            "station_name": w.station_name, "work_area": w.work_area, "is_party_member": w.is_party_member,
            "community_id": w.community_id, "community": w.community.name, "status": w.status,
            "reject_reason": w.reject_reason, "is_grid_reporter": w.is_grid_reporter, "verified_at": w.verified_at,
            "certified_at": w.certified_at, "created_at": w.created_at}


def _supply_out(s: Supply) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "unit": s.unit, "quantity": s.quantity, "low_threshold": s.low_threshold,
            "is_low": s.is_low}


def _station_out(request: HttpRequest, s: Station, *, supplies: list[Supply] | None = None) -> dict[str, Any]:
    staff = get_scope(request.user).can_change(s)
    return {"id": s.pk, "community_id": s.community_id, "community": s.community.name, "name": s.name,
            "address": s.address, "lat": float(s.lat) if s.lat is not None else None,
            "lng": float(s.lng) if s.lng is not None else None, "opening_hours": s.opening_hours,
            "amenities": list(s.amenities or []), "description": s.description, "is_open": s.is_open,
            "supplies": [_supply_out(x) for x in (supplies if supplies is not None else s.supplies.all())],
            "checkin_url": request.build_absolute_uri(s.get_checkin_url()) if staff else None}


def _offer_out(o: Offer) -> dict[str, Any]:
    return {"id": o.pk, "title": o.title, "details": o.details, "valid_from": o.valid_from,
            "valid_until": o.valid_until, "is_active": o.is_active}


def _merchant_out(m: Merchant, offers: list[Offer] | None = None) -> dict[str, Any]:
    return {"id": m.pk, "community_id": m.community_id, "organisation_id": m.organisation_id,
            "name": m.organisation.name, "alliance": m.alliance, "blurb": m.blurb, "is_active": m.is_active,
            "offers": [_offer_out(o) for o in (offers if offers is not None else m.offers.all())]}


def _coordinates(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("lat", "lng"):
        if data.get(key) is not None:
            data[key] = Decimal(str(round(float(data[key]), 6)))
    if "amenities" in data and data["amenities"] is not None:
        data["amenities"] = [str(a) for a in data["amenities"]]
    return data


def _codes(exc: ValidationError) -> set[str]:
    """The machine-readable codes of a service's refusal (field errors and top-level alike)."""
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors if e.code}
    return {e.code for e in exc.error_list if e.code}


def _conflict(exc: ValidationError, code: str) -> Status:
    return Status(409, {"error": {"code": code, "message": " ".join(exc.messages)}})


# ---- workers ---------------------------------------------------------------------------------------

@router.get("/me", response={200: WorkerOut, **ERROR_RESPONSES}, summary="The caller's own worker registration")
def my_registration(request: Req) -> dict[str, Any]:
    worker = selectors.my_worker(user=request.user)
    if worker is None:
        raise Http404
    return _worker_out(request, worker)


@router.post("/registrations", response={201: WorkerOut, **ERROR_RESPONSES},
             summary="Register as a worker (self-service) or record one (staff); the same phone twice → 409")
def create_registration(request: Req, payload: WorkerIn) -> Status:
    community = resolve_id("community_id", selectors.community_for_registration, user=request.user,
                           pk=payload.community_id)
    data = payload.dict(exclude={"community_id"})
    try:
        if get_scope(request.user).is_staff_like:
            worker = services.worker_record(actor=request.user, community=community, **data)
        else:
            worker = services.worker_register(actor=request.user, community=community, **data)
    except ValidationError as exc:
        if "duplicate" in _codes(exc):
            return _conflict(exc, "duplicate")
        raise
    return Status(201, _worker_out(request, worker))


@router.get("", response={200: list[WorkerOut], **ERROR_RESPONSES}, summary="Workers of the caller's communities")
@paginate(Pages, page_size=50)
def list_workers(request: Req, filters: Query[WorkerFilter]) -> Any:
    community = None
    if filters.community_id is not None:
        community = resolve_id("community_id", selectors.staff_community, user=request.user, pk=filters.community_id)
    qs = selectors.worker_list(user=request.user, community=community, status=filters.status or "",
                               platform=filters.platform or "", grid_reporter=filters.grid_reporter, q=filters.q)
    return ShapedQuerySet(request, qs, _worker_out)


@router.get("/{id:worker_id}", response={200: WorkerOut, **ERROR_RESPONSES}, summary="One worker")
def get_worker(request: Req, worker_id: int) -> dict[str, Any]:
    return _worker_out(request, selectors.worker_for(request.user, worker_id))


def _worker_action(request: Req, worker_id: int, action: Any, **kwargs: Any) -> Any:
    worker = selectors.worker_for(request.user, worker_id, change=True)
    try:
        worker = action(actor=request.user, worker=worker, **kwargs)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return _conflict(exc, next(iter(_codes(exc)), "conflict"))
        raise
    return _worker_out(request, worker)


@router.post("/{id:worker_id}/verify", response={200: WorkerOut, **ERROR_RESPONSES}, summary="Verify (staff)")
def verify_worker(request: Req, worker_id: int) -> Any:
    return _worker_action(request, worker_id, services.worker_verify)


@router.post("/{id:worker_id}/reject", response={200: WorkerOut, **ERROR_RESPONSES},
             summary="Turn a registration down with a reason (staff)")
def reject_worker(request: Req, worker_id: int, payload: WorkerReasonIn) -> Any:
    return _worker_action(request, worker_id, services.worker_reject, reason=payload.reason)


@router.post("/{id:worker_id}/certify", response={200: WorkerOut, **ERROR_RESPONSES},
             summary="Certify a verified worker as 流动网格员 (staff)")
def certify_worker(request: Req, worker_id: int) -> Any:
    return _worker_action(request, worker_id, services.worker_certify)


@router.post("/{id:worker_id}/revoke", response={200: WorkerOut, **ERROR_RESPONSES},
             summary="Withdraw the 流动网格员 certification (staff)")
def revoke_worker(request: Req, worker_id: int, payload: WorkerReasonIn) -> Any:
    return _worker_action(request, worker_id, services.worker_revoke, reason=payload.reason)


# ---- stations -----------------------------------------------------------------------------------

@router.get("/stations", response={200: list[StationOut], **ERROR_RESPONSES},
            summary="Stations: those the caller runs, or the open ones of a community (community_id)")
@paginate(Pages, page_size=50)
def list_stations(request: Req, community_id: int | None = Query(None, ge=1, le=2**63 - 1)) -> Any:  # type: ignore[call-overload]
    if community_id is not None:
        community = Region.objects.communities().filter(pk=community_id).first()
        if community is None:
            raise UnknownId("community_id")
        qs = selectors.public_stations(community).select_related("community")
    else:
        qs = selectors.station_list(user=request.user)
    return ShapedQuerySet(request, qs, lambda req, s: _station_out(req, s))


@router.post("/stations", response={201: StationOut, **ERROR_RESPONSES}, summary="Open a station (staff)")
def create_station(request: Req, payload: StationIn) -> Status:
    community = resolve_id("community_id", selectors.staff_community, user=request.user, pk=payload.community_id)
    data = _coordinates(payload.dict(exclude={"community_id"}))
    station = stations.station_create(actor=request.user, community=community, **data)
    return Status(201, _station_out(request, station, supplies=[]))


@router.get("/stations/{id:station_id}", response={200: StationOut, **ERROR_RESPONSES}, summary="One station")
def get_station(request: Req, station_id: int) -> dict[str, Any]:
    station = selectors.station_for(request.user, station_id)
    if not station.is_open and not get_scope(request.user).can_change(station):
        raise Http404
    return _station_out(request, station, supplies=list(selectors.supplies_of(station=station)))


@router.patch("/stations/{id:station_id}", response={200: StationOut, **ERROR_RESPONSES},
              summary="Change a station (staff); is_open=false stops its QR code")
def update_station(request: Req, station_id: int, payload: StationPatch) -> dict[str, Any]:
    station = selectors.station_for(request.user, station_id, change=True)
    data = _coordinates(patch_values(payload, nullable=("lat", "lng")))
    station = stations.station_update(actor=request.user, station=station, **data)
    return _station_out(request, station, supplies=list(selectors.supplies_of(station=station)))


@router.post("/stations/{id:station_id}/supplies", response={201: SupplyOut, **ERROR_RESPONSES},
             summary="Add a supply with its stock (staff)")
def create_supply(request: Req, station_id: int, payload: SupplyIn) -> Status:
    station = selectors.station_for(request.user, station_id, change=True)
    return Status(201, _supply_out(stations.supply_create(actor=request.user, station=station, **payload.dict())))


@router.patch("/stations/{id:station_id}/supplies/{id:supply_id}", response={200: SupplyOut, **ERROR_RESPONSES},
              summary="Rename a supply or change its unit or threshold (staff)")
def update_supply(request: Req, station_id: int, supply_id: int, payload: SupplyPatch) -> dict[str, Any]:
    station = selectors.station_for(request.user, station_id, change=True)
    supply = selectors.supply_for(request.user, station, supply_id, change=True)
    return _supply_out(stations.supply_update(actor=request.user, supply=supply, **patch_values(payload)))


@router.post("/stations/{id:station_id}/supplies/{id:supply_id}/take", response={200: SupplyOut, **ERROR_RESPONSES},
             summary="Hand out items (staff, or a verified worker); more than the stock → 409 short")
def take_supply(request: Req, station_id: int, supply_id: int, payload: SupplyMoveIn) -> Any:
    station = selectors.station_for(request.user, station_id)
    supply = selectors.supply_for(request.user, station, supply_id)
    try:
        return _supply_out(stations.supply_take(actor=request.user, supply=supply, quantity=payload.quantity))
    except ValidationError as exc:
        if "short" in _codes(exc):
            return _conflict(exc, "short")
        raise


@router.post("/stations/{id:station_id}/supplies/{id:supply_id}/restock",
             response={200: SupplyOut, **ERROR_RESPONSES}, summary="Add stock (staff)")
def restock_supply(request: Req, station_id: int, supply_id: int, payload: SupplyMoveIn) -> dict[str, Any]:
    station = selectors.station_for(request.user, station_id, change=True)
    supply = selectors.supply_for(request.user, station, supply_id, change=True)
    return _supply_out(stations.supply_restock(actor=request.user, supply=supply, quantity=payload.quantity))


@router.get("/stations/{id:station_id}/usage", response={200: StationUsageOut, **ERROR_RESPONSES},
            summary="Check-ins by day (last `days` days) and by hour of day (staff)")
def station_usage(request: Req, station_id: int, days: int = Query(14, ge=1, le=90)) -> dict[str, Any]:  # type: ignore[call-overload]
    station = selectors.station_for(request.user, station_id, change=True)
    u = selectors.station_usage(station=station, days=days)
    return {"days": u.days, "day_counts": u.day_counts, "hour_counts": u.hour_counts, "total": u.total,
            "workers": u.workers}


@router.post("/checkins", response={201: StationCheckInOut, 200: StationCheckInOut, **ERROR_RESPONSES},
             summary="Check in at a station with the token of its door QR (a registered worker); a repeat "
                     "within 30 minutes answers 200 status=repeat and counts once")
def create_checkin(request: Req, payload: StationCheckInIn) -> Status:
    try:
        result = stations.checkin(actor=request.user, token=payload.token)
    except ValidationError as exc:
        code = next(iter(_codes(exc)), "")
        if code in ("invalid_token", "station_closed"):
            return Status(404 if code == "invalid_token" else 409,
                          {"error": {"code": code, "message": " ".join(exc.messages)}})
        return Status(403, {"error": {"code": code or "forbidden", "message": " ".join(exc.messages)}})
    c = result.checkin
    body = {"status": "ok" if result.counted else "repeat", "station_id": c.station_id, "station": c.station.name,
            "checked_in_at": c.created_at}
    return Status(201 if result.counted else 200, body)


# ---- merchants ----------------------------------------------------------------------------------

@router.get("/merchants", response={200: list[MerchantOut], **ERROR_RESPONSES},
            summary="Friendly merchants: those the caller manages, or a community's public list (community_id)")
def list_merchants(request: Req, community_id: int | None = Query(None, ge=1, le=2**63 - 1)) -> Any:  # type: ignore[call-overload]
    if community_id is not None:
        community = Region.objects.communities().filter(pk=community_id).first()
        if community is None:
            raise UnknownId("community_id")
        return [_merchant_out(m, m.current_offers) for m in selectors.public_merchants(community)]  # type: ignore[attr-defined]
    return [_merchant_out(m) for m in selectors.merchant_list(user=request.user)[:500]]


@router.post("/merchants", response={201: MerchantOut, **ERROR_RESPONSES},
             summary="List a merchant partner unit as friendly to workers (staff)")
def create_merchant(request: Req, payload: MerchantIn) -> Status:
    community = resolve_id("community_id", selectors.staff_community, user=request.user, pk=payload.community_id)
    organisation = resolve_id("organisation_id", partner_unit_for, user=request.user, community=community,
                              pk=payload.organisation_id)
    merchant = merchants.merchant_create(actor=request.user, community=community, organisation=organisation,
                                         alliance=payload.alliance, blurb=payload.blurb)
    return Status(201, _merchant_out(merchant, []))


@router.patch("/merchants/{id:merchant_id}", response={200: MerchantOut, **ERROR_RESPONSES},
              summary="Change a merchant's alliance, blurb or visibility (staff)")
def update_merchant(request: Req, merchant_id: int, payload: MerchantPatch) -> dict[str, Any]:
    merchant = selectors.merchant_for(request.user, merchant_id)
    return _merchant_out(merchants.merchant_update(actor=request.user, merchant=merchant, **patch_values(payload)))


@router.post("/merchants/{id:merchant_id}/offers", response={201: OfferOut, **ERROR_RESPONSES},
             summary="Post an offer to workers (the merchant's liaison or staff)")
def create_offer(request: Req, merchant_id: int, payload: OfferIn) -> Status:
    merchant = selectors.merchant_for(request.user, merchant_id)
    return Status(201, _offer_out(merchants.offer_create(actor=request.user, merchant=merchant, **payload.dict())))


@router.patch("/merchants/{id:merchant_id}/offers/{id:offer_id}", response={200: OfferOut, **ERROR_RESPONSES},
              summary="Change or end an offer (the merchant's liaison or staff)")
def update_offer(request: Req, merchant_id: int, offer_id: int, payload: OfferPatch) -> dict[str, Any]:
    merchant = selectors.merchant_for(request.user, merchant_id)
    offer = selectors.offer_for(request.user, merchant, offer_id)
    return _offer_out(merchants.offer_update(actor=request.user, offer=offer,
                                             **patch_values(payload, nullable=("valid_until",))))
