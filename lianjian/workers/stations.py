"""Writes to rest stations (小哥驿站): the station itself, its photos, its supplies and check-ins.

Invariants, each kept by one mechanism:
- A supply's stock never goes below zero nor above the maximum: every take and restock is one
  conditional ``UPDATE … SET quantity = quantity ∓ n WHERE quantity >= n`` whose row count is
  checked, backed by a check constraint. No read-modify-write in Python.
- A low-stock episode is announced once: ``low_alerted_at`` is set by a conditional UPDATE
  (``WHERE low_alerted_at IS NULL``), and cleared when the stock rises above the threshold again.
- Scans by the same worker at the same station within ``REPEAT_WINDOW`` count as one visit: the
  check runs while the worker's row is locked, so two taps at once cannot both count.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.models import Role, User
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.core.images import check_photos, delete_files, store_photo
from lianjian.notifications.services import notify
from lianjian.regions.models import Region

from .models import MAX_STOCK, Amenity, CheckIn, Station, StationPhoto, Supply, Worker, WorkerStatus
from .services import Actor, field_error

# Test-only switch for the negative control of the concurrency tests: with it off, a take reads the
# stock, waits, and writes the difference back (check-then-act), which must break.
LOCKING = True
REPEAT_WINDOW = dt.timedelta(minutes=30)
MAX_TAKE = 100
MAX_STATION_PHOTOS = 12
STATION_FIELDS = ("name", "address", "lat", "lng", "opening_hours", "amenities", "description", "is_open")


def _require_staff(actor: Actor, station: Station) -> None:
    if not get_scope(actor).covers_region(station.community):
        raise PermissionDenied


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _ordered_amenities(values: Any) -> Any:
    return list(dict.fromkeys(values)) if isinstance(values, list | tuple) else values


# ---- stations ----------------------------------------------------------------------------------

@transaction.atomic
def station_create(*, actor: Actor, community: Region, **data: Any) -> Station:
    """Staff open a station in their community."""
    unknown = set(data) - set(STATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown station fields: {sorted(unknown)}")
    if community is None or not get_scope(actor).covers_region(community):
        raise PermissionDenied
    if not community.is_community:
        raise ValidationError({"community": _("驿站须属于一个社区。")})
    if "amenities" in data:
        data["amenities"] = _ordered_amenities(data["amenities"])
    station = Station(community=community, created_by=_user(actor), **data)
    station.full_clean(exclude=["created_by"], validate_unique=False, validate_constraints=False)
    if Station.objects.filter(community=community, name=station.name).exists():
        raise ValidationError({"name": _("本社区已有同名驿站。")})
    station.save()
    changes = snapshot(station, ["name", "address", "opening_hours"])
    changes["amenities"] = [None, "、".join(station.amenity_labels)]
    record_activity(actor=actor, action="create", obj=station, changes=changes)
    return station


@transaction.atomic
def station_update(*, actor: Actor, station: Station, **data: Any) -> Station:
    """Staff change a station's details; closing it makes its QR code stop working."""
    _require_staff(actor, station)
    unknown = set(data) - set(STATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown station fields: {sorted(unknown)}")
    if "amenities" in data:
        data["amenities"] = _ordered_amenities(data["amenities"])
    station = Station.objects.select_for_update().get(pk=station.pk)
    changes = apply_changes(station, data)
    station.full_clean(exclude=["created_by"], validate_unique=False, validate_constraints=False)
    if "name" in changes and Station.objects.filter(community=station.community_id, name=station.name).exclude(
            pk=station.pk).exists():
        raise ValidationError({"name": _("本社区已有同名驿站。")})
    if changes:
        station.save(update_fields=[*changes, "updated_at"])
        if "amenities" in changes:  # the audit trail reads the checklist in words
            labels = dict(Amenity.choices)
            changes["amenities"] = ["、".join(str(labels.get(a, a)) for a in (v or [])) for v in changes["amenities"]]
        record_activity(actor=actor, action="update", obj=station, changes=changes)
    return station


@transaction.atomic
def station_photos_add(*, actor: Actor, station: Station, photos: list[Any], caption: str = "") -> list[StationPhoto]:
    """Staff add photos of the station; public copies (no EXIF, no location) show on its public page."""
    _require_staff(actor, station)
    checked = check_photos(photos, field="photos", max_files=MAX_STATION_PHOTOS)
    if not checked:
        raise ValidationError({"photos": _("请选择照片。")})
    if station.photos.count() + len(checked) > MAX_STATION_PHOTOS:
        raise ValidationError({"photos": _("每个驿站最多 %(n)d 张照片。") % {"n": MAX_STATION_PHOTOS}})
    rows: list[StationPhoto] = []
    try:
        for prepared in checked:
            row = StationPhoto(station=station, caption=(caption or prepared.caption or "").strip()[:100],
                               uploaded_by=_user(actor))
            store_photo(row, prepared)
            rows.append(row)
            row.full_clean(exclude=["uploaded_by"])
            row.save()
    except Exception:
        for row in rows:
            delete_files(row)
        raise
    record_activity(actor=actor, action="add_photo", obj=station, changes={"photos": [None, len(rows)]})
    return rows


# ---- supplies ----------------------------------------------------------------------------------

def _amount(value: Any, field: str = "quantity", *, low: int = 1, high: int = MAX_STOCK) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({field: _("请输入整数数量。")}) from None
    if not low <= n <= high:
        raise ValidationError({field: _("数量应在 %(low)d 到 %(high)d 之间。") % {"low": low, "high": high}})
    return n


@transaction.atomic
def supply_create(*, actor: Actor, station: Station, name: str, quantity: int = 0, unit: str = "件",
                  low_threshold: int = 0) -> Supply:
    """Staff add a kind of supply to the station with its opening stock."""
    _require_staff(actor, station)
    supply = Supply(station=station, name=(name or "").strip(), unit=(unit or "件").strip(),
                    quantity=_amount(quantity, low=0), low_threshold=_amount(low_threshold, "low_threshold", low=0))
    supply.full_clean(validate_unique=False, validate_constraints=False)
    if Supply.objects.filter(station=station, name=supply.name).exists():
        raise ValidationError({"name": _("该驿站已有同名物资。")})
    supply.save()
    record_activity(actor=actor, action="create", obj=supply,
                    changes=snapshot(supply, ["name", "quantity", "unit", "low_threshold"]))
    return supply


@transaction.atomic
def supply_update(*, actor: Actor, supply: Supply, **data: Any) -> Supply:
    """Staff rename a supply or change its unit or low-stock threshold (stock changes by take/restock)."""
    _require_staff(actor, supply.station)
    unknown = set(data) - {"name", "unit", "low_threshold"}
    if unknown:
        raise TypeError(f"unknown supply fields: {sorted(unknown)}")
    if "low_threshold" in data:
        data["low_threshold"] = _amount(data["low_threshold"], "low_threshold", low=0)
    supply = Supply.objects.select_related("station").get(pk=supply.pk)
    changes = apply_changes(supply, data)
    supply.full_clean(validate_unique=False, validate_constraints=False)
    if "name" in changes and Supply.objects.filter(station=supply.station_id, name=supply.name).exclude(
            pk=supply.pk).exists():
        raise ValidationError({"name": _("该驿站已有同名物资。")})
    if changes:
        supply.save(update_fields=[*changes, "updated_at"])
        record_activity(actor=actor, action="update", obj=supply, changes=changes)
    return supply


def may_take(actor: Actor, station: Station) -> bool:
    """Staff of the community record what is handed out; a verified worker takes for themselves."""
    if get_scope(actor).covers_region(station.community):
        return True
    user = _user(actor)
    return user is not None and Worker.objects.filter(user=user, status=WorkerStatus.VERIFIED).exists()


def supply_take(*, actor: Actor, supply: Supply, quantity: int = 1) -> Supply:
    """Hand out *quantity* items: refused (nothing written) when fewer are in stock."""
    if not may_take(actor, supply.station):
        raise PermissionDenied
    n = _amount(quantity, high=MAX_TAKE)
    stale = None
    if not LOCKING:  # the negative control: read first, outside the transaction (check-then-act)
        stale = Supply.objects.values_list("quantity", flat=True).get(pk=supply.pk)
        time.sleep(0.05)
    with transaction.atomic():
        if stale is None:
            done = Supply.objects.filter(pk=supply.pk, quantity__gte=n).update(
                quantity=F("quantity") - n, updated_at=timezone.now())
        else:
            done = Supply.objects.filter(pk=supply.pk).update(quantity=stale - n) if stale >= n else 0
        if not done:
            left = Supply.objects.values_list("quantity", flat=True).get(pk=supply.pk)
            raise field_error("quantity", _("库存不足：%(name)s 只剩 %(left)d %(unit)s。") % {
                "name": supply.name, "left": left, "unit": supply.unit}, "short")
        before = supply.quantity
        supply.refresh_from_db(fields=["quantity", "updated_at"])
        record_activity(actor=actor, action="supply_take", obj=supply,
                        changes={"quantity": [before, supply.quantity]}, note=str(n))
    return supply


@transaction.atomic
def supply_restock(*, actor: Actor, supply: Supply, quantity: int) -> Supply:
    """Staff add stock; a restock above the threshold ends the low-stock episode."""
    _require_staff(actor, supply.station)
    n = _amount(quantity)
    done = Supply.objects.filter(pk=supply.pk, quantity__lte=MAX_STOCK - n).update(
        quantity=F("quantity") + n, updated_at=timezone.now())
    if not done:
        raise field_error("quantity", _("补充后库存将超过上限 %(max)d。") % {"max": MAX_STOCK}, "too_many")
    Supply.objects.filter(pk=supply.pk, quantity__gt=F("low_threshold")).update(low_alerted_at=None)
    before = supply.quantity
    supply.refresh_from_db(fields=["quantity", "low_alerted_at", "updated_at"])
    record_activity(actor=actor, action="supply_restock", obj=supply,
                    changes={"quantity": [before, supply.quantity]}, note=str(n))
    return supply


def alert_low_stock(*, now: dt.datetime | None = None) -> int:
    """Tell the community's staff once per low-stock episode; end episodes that were restocked.

    Idempotent: each episode is claimed by one conditional UPDATE, so a second run (or a second
    consumer at the same time) sends nothing more."""
    now = now or timezone.now()
    Supply.objects.filter(low_alerted_at__isnull=False, quantity__gt=F("low_threshold")).update(low_alerted_at=None)
    told = 0
    due = Supply.objects.filter(low_alerted_at__isnull=True, quantity__lte=F("low_threshold")).select_related(
        "station__community")
    for supply in due:
        with transaction.atomic():
            if not Supply.objects.filter(pk=supply.pk, low_alerted_at__isnull=True,
                                         quantity__lte=F("low_threshold")).update(low_alerted_at=now):
                continue
            staff = User.objects.filter(roles__role=Role.COMMUNITY_STAFF, roles__region=supply.station.community_id,
                                        is_active=True).values_list("pk", flat=True)
            notify(recipients=list(staff), url=supply.station.get_absolute_url(),
                   text=_("%(station)s 的“%(name)s”库存偏低：剩 %(left)d %(unit)s，请及时补充。") % {
                       "station": supply.station.name, "name": supply.name, "left": supply.quantity,
                       "unit": supply.unit})
            record_activity(actor=None, action="low_stock_alert", obj=supply,
                            changes={"quantity": [None, supply.quantity]})
            told += 1
    return told


# ---- check-in by the QR code at the door ------------------------------------------------------------

@dataclass
class CheckInResult:
    checkin: CheckIn
    counted: bool  # False: a repeat scan within the window, the earlier visit stands


def station_by_token(token: str) -> Station:
    """The open station whose door QR carries *token*; a forged token or a closed station is refused."""
    token = (token or "").strip()
    station = Station.objects.select_related("community").filter(token=token).first() if 8 <= len(token) <= 32 \
        else None
    if station is None:
        raise field_error("token", _("二维码无效，请扫描驿站门口的二维码。"), "invalid_token")
    if not station.is_open:
        raise field_error("token", _("该驿站已关闭，暂不能签到。"), "station_closed")
    return station


def worker_of(actor: Actor) -> Worker | None:
    user = _user(actor)
    return Worker.objects.filter(user=user).first() if user is not None else None


def checkin(*, actor: Actor, token: str, now: dt.datetime | None = None) -> CheckInResult:
    """A logged-in worker checks in at the station of *token*; scans within 30 minutes count once."""
    station = station_by_token(token)
    worker = worker_of(actor)
    if worker is None:
        raise ValidationError(_("请先登记为新就业群体再签到。"), code="not_a_worker")
    if worker.status == WorkerStatus.REJECTED:
        raise ValidationError(_("您的登记未通过核验，暂不能签到。"), code="rejected")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            Worker.objects.select_for_update().filter(pk=worker.pk).first()  # serialise this worker's scans
            recent = CheckIn.objects.filter(worker=worker, station=station, created_at__gt=now - REPEAT_WINDOW,
                                            created_at__lt=now + REPEAT_WINDOW).order_by("-created_at").first()
            if recent is not None:
                return CheckInResult(recent, counted=False)
            row = CheckIn.objects.create(station=station, worker=worker, created_at=now)
            record_activity(actor=actor, action="station_check_in", obj=row,
                            changes={"station": [None, station.name]})
    except IntegrityError:  # pragma: no cover - the worker row vanished meanwhile
        raise ValidationError(_("签到失败，请重试。")) from None
    return CheckInResult(row, counted=True)
