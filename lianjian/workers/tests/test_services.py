"""The registry, stations, supplies, check-ins and merchants through their services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianjian.accounts.models import Role
from lianjian.accounts.permissions import SYSTEM
from lianjian.core.models import Activity
from lianjian.notifications.models import Notification
from lianjian.testing import make_user
from lianjian.workers import merchants, selectors, services, stations, tasks
from lianjian.workers.models import CheckIn, Merchant, Offer, Station, Supply, Worker

from .factories import (
    make_merchant,
    make_merchant_org,
    make_rider,
    make_station,
    make_supply,
    make_worker,
    next_phone,
)

pytestmark = pytest.mark.django_db


# ---- registry ------------------------------------------------------------------------------------

def test_a_rider_registers_with_their_account_phone_and_gets_the_rider_role_in_the_community(
        world, django_capture_on_commit_callbacks):
    rider = make_rider(name="王小虎")
    with django_capture_on_commit_callbacks(execute=True):
        worker = make_worker(world, user=rider, is_party_member=True)
    assert worker.status == "pending" and worker.phone == rider.phone and worker.name == "王小虎"
    assert rider.roles.filter(role=Role.RIDER, region=world.community).exists()
    assert Activity.objects.filter(action="register_worker", object_id=str(worker.pk)).exists()
    # Staff of the community hear about it.
    assert Notification.objects.filter(recipient=world.staff, text__contains="王小虎").exists()


def test_a_second_phone_needs_a_code_and_a_malformed_phone_is_refused(world):
    rider = make_rider()
    with pytest.raises(ValidationError) as err:
        services.worker_register(actor=rider, community=world.community, phone=next_phone(), platform="sf",
                                 station_name="站点")
    assert "phone" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.worker_register(actor=rider, community=world.community, phone="1234", platform="sf",
                                 station_name="站点", phone_verified=True)
    assert "phone" in err.value.message_dict
    assert not Worker.objects.exists()


def test_the_same_phone_cannot_register_twice(world):
    first = make_worker(world)
    other = make_rider()
    with pytest.raises(ValidationError) as err:
        services.worker_register(actor=other, community=world.community, phone=first.phone, platform="sf",
                                 station_name="站点", phone_verified=True)
    assert "已登记" in str(err.value)
    with pytest.raises(ValidationError):
        services.worker_record(actor=world.staff, community=world.community, name="代登记", phone=first.phone,
                               platform="sf", station_name="站点")
    with pytest.raises(ValidationError, match="无需重复"):
        make_worker(world, user=first.user)
    assert Worker.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        Worker.objects.create(community=world.community, name="x", phone=first.phone, platform="sf",
                              station_name="s")


def test_other_platform_needs_a_company_name(world):
    with pytest.raises(ValidationError) as err:
        make_worker(world, platform="other")
    assert "company" in err.value.message_dict


def test_staff_verify_certify_and_revoke_and_only_their_own_community(world):
    worker = make_worker(world)
    with pytest.raises(PermissionDenied):
        services.worker_verify(actor=world.other_staff, worker=worker)
    with pytest.raises(ValidationError, match="请先核验"):
        services.worker_certify(actor=world.staff, worker=worker)
    services.worker_verify(actor=world.staff, worker=worker)
    worker = services.worker_certify(actor=world.staff, worker=worker)
    assert worker.is_grid_reporter and worker.certified_by == world.staff
    assert Activity.objects.filter(action="certify_grid_reporter", object_id=str(worker.pk)).exists()
    with pytest.raises(ValidationError, match="已是"):
        services.worker_certify(actor=world.staff, worker=worker)
    worker = services.worker_revoke(actor=world.staff, worker=worker, reason="离职")
    assert not worker.is_grid_reporter and worker.certified_at is None
    worker = services.worker_reject(actor=world.staff, worker=worker, reason="非本辖区")
    assert worker.status == "rejected" and worker.reject_reason == "非本辖区"
    with pytest.raises(ValidationError):
        services.worker_reject(actor=world.staff, worker=worker, reason="")


def test_phones_show_in_full_only_to_staff_of_the_community_and_the_worker(world):
    worker = make_worker(world)
    assert selectors.shows_phone(world.staff, worker) and selectors.shows_phone(worker.user, worker)
    for other in (world.other_staff, world.sibling_staff, world.liaison, world.resident, None):
        assert not selectors.shows_phone(other, worker)
    assert "****" in worker.masked_phone


# ---- stations ------------------------------------------------------------------------------------

def test_station_coordinates_out_of_range_are_refused_with_nothing_written(world):
    for lat, lng in ((Decimal("91"), Decimal("103")), (Decimal("30"), Decimal("-181")), (Decimal("30"), None)):
        with pytest.raises(ValidationError):
            make_station(world, name=f"站{lat}{lng}", lat=lat, lng=lng)
    with pytest.raises(ValidationError):
        make_station(world, amenities=["spa"])
    assert not Station.objects.exists()
    with pytest.raises(PermissionDenied):
        stations.station_create(actor=world.other_staff, community=world.community, name="越权", address="x")


def test_supplies_take_and_restock_never_below_zero_nor_above_the_maximum(world):
    supply = make_supply(make_station(world), quantity=3)
    stations.supply_take(actor=world.staff, supply=supply, quantity=2)
    with pytest.raises(ValidationError, match="库存不足"):
        stations.supply_take(actor=world.staff, supply=supply, quantity=2)
    assert Supply.objects.get(pk=supply.pk).quantity == 1
    for bad in (0, -1, 10**12, "x"):
        with pytest.raises(ValidationError):
            stations.supply_restock(actor=world.staff, supply=supply, quantity=bad)
    with pytest.raises(ValidationError):
        stations.supply_restock(actor=world.staff, supply=supply, quantity=1_000_000)
    with pytest.raises(ValidationError):
        stations.supply_create(actor=world.staff, station=supply.station, name="水", quantity=-5)
    assert Supply.objects.get(pk=supply.pk).quantity == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Supply.objects.filter(pk=supply.pk).update(quantity=-1)


def test_only_staff_or_a_verified_worker_takes_and_only_staff_restock(world):
    supply = make_supply(make_station(world))
    pending = make_worker(world)
    with pytest.raises(PermissionDenied):
        stations.supply_take(actor=pending.user, supply=supply)
    verified = make_worker(world, verified=True)
    stations.supply_take(actor=verified.user, supply=supply)
    with pytest.raises(PermissionDenied):
        stations.supply_restock(actor=verified.user, supply=supply, quantity=5)
    with pytest.raises(PermissionDenied):
        stations.supply_restock(actor=world.other_staff, supply=supply, quantity=5)


def test_low_stock_alert_is_sent_once_per_episode(world, django_capture_on_commit_callbacks):
    supply = make_supply(make_station(world), quantity=3, low_threshold=2)

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.low_stock.call_local()

    def told() -> int:
        return Notification.objects.filter(recipient=world.staff, text__contains="库存偏低").count()

    assert run() == 0
    stations.supply_take(actor=world.staff, supply=supply, quantity=1)
    assert run() == 1
    assert run() == 0  # idempotent: the episode was announced
    stations.supply_take(actor=world.staff, supply=supply, quantity=1)
    assert run() == 0 and told() == 1
    stations.supply_restock(actor=world.staff, supply=supply, quantity=10)
    stations.supply_take(actor=world.staff, supply=supply, quantity=9)
    assert run() == 1 and told() == 2  # a new episode


def test_checkin_counts_once_within_thirty_minutes_and_refuses_forged_or_closed(world):
    station = make_station(world)
    worker = make_worker(world)
    now = timezone.now()
    first = stations.checkin(actor=worker.user, token=station.token, now=now)
    again = stations.checkin(actor=worker.user, token=station.token, now=now + dt.timedelta(minutes=29))
    later = stations.checkin(actor=worker.user, token=station.token, now=now + dt.timedelta(minutes=31))
    assert first.counted and not again.counted and later.counted
    assert again.checkin.pk == first.checkin.pk
    assert CheckIn.objects.count() == 2
    for token in ("forged-token-123456", "", "x" * 200):
        with pytest.raises(ValidationError, match="二维码无效"):
            stations.checkin(actor=worker.user, token=token)
    stations.station_update(actor=world.staff, station=station, is_open=False)
    with pytest.raises(ValidationError, match="已关闭"):
        stations.checkin(actor=worker.user, token=station.token)
    with pytest.raises(ValidationError, match="请先登记"):
        stations.checkin(actor=world.resident, token=make_station(world, name="二号站").token)
    assert CheckIn.objects.count() == 2


def test_usage_by_day_and_hour(world):
    station = make_station(world)
    worker = make_worker(world)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    for days, hour in ((0, 12), (1, 12), (1, 18)):
        moment = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(hour), tzinfo=tz)
        stations.checkin(actor=worker.user, token=station.token, now=moment)
    usage = selectors.station_usage(station=station, days=7)
    assert usage.day_counts[-1] == 1 and usage.day_counts[-2] == 2 and usage.total == 3
    assert usage.hour_counts[12] == 2 and usage.hour_counts[18] == 1 and usage.workers == 1


# ---- merchants -----------------------------------------------------------------------------------

def test_only_merchant_partner_units_become_friendly_merchants(world):
    with pytest.raises(ValidationError, match="商户"):
        merchants.merchant_create(actor=world.staff, community=world.community, organisation=world.unit)
    stranger = make_merchant_org(world, community=world.other_community)
    with pytest.raises(ValidationError, match="联建单位"):
        merchants.merchant_create(actor=world.staff, community=world.community, organisation=stranger)
    org = make_merchant_org(world)
    merchants.merchant_create(actor=world.staff, community=world.community, organisation=org)
    with pytest.raises(ValidationError, match="已是"):
        merchants.merchant_create(actor=world.staff, community=world.community, organisation=org)
    assert Merchant.objects.count() == 1


def test_a_liaison_manages_only_their_own_merchants_offers(world):
    owner = make_user(real_name="夏老板")
    mine = make_merchant(world, org=make_merchant_org(world, liaison=owner))
    theirs = make_merchant(world)
    offer = merchants.offer_create(actor=owner, merchant=mine, title="骑手凭证 9 折",
                                   valid_from=dt.date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        merchants.offer_create(actor=owner, merchant=theirs, title="免费热水")
    foreign = merchants.offer_create(actor=world.staff, merchant=theirs, title="免费热水")
    with pytest.raises(PermissionDenied):
        merchants.offer_update(actor=owner, offer=foreign, is_active=False)
    with pytest.raises(ValidationError) as err:
        merchants.offer_update(actor=owner, offer=offer, valid_until=dt.date(2024, 1, 1))
    assert "valid_until" in err.value.message_dict
    merchants.offer_update(actor=owner, offer=offer, is_active=False)
    assert not Offer.objects.get(pk=offer.pk).is_active and Offer.objects.get(pk=foreign.pk).is_active


def test_public_selectors_show_open_stations_and_current_offers_only(world):
    make_station(world, name="开放站")
    closed = make_station(world, name="关闭站")
    stations.station_update(actor=SYSTEM, station=closed, is_open=False)
    assert [s.name for s in selectors.public_stations(world.community)] == ["开放站"]
    merchant = make_merchant(world)
    today = timezone.localdate()
    merchants.offer_create(actor=SYSTEM, merchant=merchant, title="现行", valid_from=today)
    merchants.offer_create(actor=SYSTEM, merchant=merchant, title="过期", valid_from=today - dt.timedelta(days=9),
                           valid_until=today - dt.timedelta(days=1))
    merchants.offer_create(actor=SYSTEM, merchant=merchant, title="停止", valid_from=today, is_active=False)
    [shown] = selectors.public_merchants(world.community)
    assert [o.title for o in shown.current_offers] == ["现行"]
