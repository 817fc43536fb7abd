"""The workers API: registering, the staff actions, stations and supplies, check-in, merchants —
with the one error body, masking and scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lianjian.accounts.services import api_token_create
from lianjian.workers.models import CheckIn, Offer, Station, Supply, Worker

from .factories import make_merchant, make_merchant_org, make_rider, make_station, make_supply, make_worker

pytestmark = pytest.mark.django_db
BASE = "/api/v1/workers"


def auth(user: Any) -> dict[str, str]:
    _t, raw = api_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url: str, body: dict[str, Any], user: Any) -> Any:  # type: ignore[no-untyped-def]
    return client.post(url, body, content_type="application/json", **auth(user))


def patch(client, url: str, body: dict[str, Any], user: Any) -> Any:  # type: ignore[no-untyped-def]
    return client.patch(url, body, content_type="application/json", **auth(user))


def test_rider_registers_then_a_duplicate_is_409_and_phones_are_masked_for_others(client, world):
    make_station(world)
    rider = make_rider()
    body = {"community_id": world.community.pk, "platform": "meituan", "station_name": "美团外卖涌泉站"}
    r = post(client, f"{BASE}/registrations", body, rider)
    assert r.status_code == 201, r.content
    assert r.json()["phone"] == rider.phone and r.json()["status"] == "pending"
    again = post(client, f"{BASE}/registrations", body, rider)
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"
    staff_view = client.get(f"{BASE}/{r.json()['id']}", **auth(world.staff)).json()
    assert staff_view["phone"] == rider.phone
    district = client.get(f"{BASE}?status=pending", **auth(world.district_admin)).json()
    assert district["count"] == 1
    assert client.get(f"{BASE}/{r.json()['id']}", **auth(world.other_staff)).status_code == 404
    assert client.get(f"{BASE}/me", **auth(rider)).json()["id"] == r.json()["id"]


def test_staff_record_a_worker_with_a_phone_and_bad_input_is_refused(client, world):
    body = {"community_id": world.community.pk, "name": "张伟", "phone": "13512345678", "platform": "zto",
            "station_name": "江浦路中通快递站点"}
    assert post(client, f"{BASE}/registrations", body, world.staff).status_code == 201
    dup = post(client, f"{BASE}/registrations", body | {"name": "另一人"}, world.staff)
    assert dup.status_code == 409 and "已登记" in dup.json()["error"]["message"]
    bad = post(client, f"{BASE}/registrations", body | {"phone": "12345"}, world.staff)
    assert bad.status_code == 422 and "phone" in bad.json()["error"]["details"]
    foreign = post(client, f"{BASE}/registrations", body | {"community_id": world.other_community.pk,
                                                            "phone": "13512345679"}, world.staff)
    assert foreign.status_code == 404 and foreign.json()["error"]["details"] == {"field": "community_id"}
    assert Worker.objects.count() == 1


def test_verify_certify_revoke_by_api_and_conflicts(client, world):
    worker = make_worker(world)
    url = f"{BASE}/{worker.pk}"
    early = post(client, f"{url}/certify", {}, world.staff)
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_verified"
    assert post(client, f"{url}/verify", {}, world.other_staff).status_code == 404
    assert post(client, f"{url}/verify", {}, world.staff).json()["status"] == "verified"
    assert post(client, f"{url}/certify", {}, world.staff).json()["is_grid_reporter"] is True
    assert post(client, f"{url}/revoke", {"reason": "换区"}, world.staff).json()["is_grid_reporter"] is False
    assert post(client, f"{url}/verify", {}, worker.user).status_code == 404  # a worker cannot verify themselves


def test_station_create_with_out_of_range_coordinates_is_422_and_nothing_written(client, world):
    body = {"community_id": world.community.pk, "name": "江浦路小哥驿站", "address": "江浦路 1 号",
            "lat": 30.68, "lng": 103.84, "amenities": ["water", "microwave"]}
    for bad in ({"lat": 91}, {"lng": -180.5}, {"amenities": ["spa"]}, {"lat": 30.1, "lng": None}):
        r = post(client, f"{BASE}/stations", body | bad, world.staff)
        assert r.status_code == 422, (bad, r.content)
    assert not Station.objects.exists()
    r = post(client, f"{BASE}/stations", body, world.staff)
    assert r.status_code == 201 and r.json()["amenities"] == ["water", "microwave"]
    assert r.json()["checkin_url"].endswith(Station.objects.get().get_checkin_url())
    # Any logged-in caller reads a station, without the check-in link.
    public = client.get(f"{BASE}/stations/{r.json()['id']}", **auth(world.resident))
    assert public.status_code == 200 and public.json()["checkin_url"] is None


def test_supplies_take_more_than_stock_is_409_and_huge_or_negative_is_422(client, world):
    station = make_station(world)
    url = f"{BASE}/stations/{station.pk}/supplies"
    for bad in (-1, 10**7, 2**70):
        assert post(client, url, {"name": "雨衣", "quantity": bad}, world.staff).status_code == 422
    created = post(client, url, {"name": "雨衣", "unit": "件", "quantity": 2, "low_threshold": 1}, world.staff)
    sid = created.json()["id"]
    short = post(client, f"{url}/{sid}/take", {"quantity": 3}, world.staff)
    assert short.status_code == 409 and short.json()["error"]["code"] == "short"
    assert post(client, f"{url}/{sid}/take", {"quantity": 2}, world.staff).json()["quantity"] == 0
    assert post(client, f"{url}/{sid}/take", {"quantity": 0}, world.staff).status_code == 422
    assert post(client, f"{url}/{sid}/restock", {"quantity": 5}, world.other_staff).status_code == 404
    assert post(client, f"{url}/{sid}/restock", {"quantity": 5}, world.staff).json()["quantity"] == 5
    assert Supply.objects.get(pk=sid).quantity == 5


def test_checkin_by_token_repeat_forged_and_closed(client, world):
    station = make_station(world)
    worker = make_worker(world)
    ok = post(client, f"{BASE}/checkins", {"token": station.token}, worker.user)
    assert ok.status_code == 201 and ok.json()["status"] == "ok"
    again = post(client, f"{BASE}/checkins", {"token": station.token}, worker.user)
    assert again.status_code == 200 and again.json()["status"] == "repeat"
    forged = post(client, f"{BASE}/checkins", {"token": "not-a-real-token-x"}, worker.user)
    assert forged.status_code == 404 and forged.json()["error"]["code"] == "invalid_token"
    patch(client, f"{BASE}/stations/{station.pk}", {"is_open": False}, world.staff)
    closed = post(client, f"{BASE}/checkins", {"token": station.token}, worker.user)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "station_closed"
    stranger = post(client, f"{BASE}/checkins", {"token": make_station(world, name="二号").token}, world.resident)
    assert stranger.status_code == 403 and stranger.json()["error"]["code"] == "not_a_worker"
    assert CheckIn.objects.count() == 1
    usage = client.get(f"{BASE}/stations/{station.pk}/usage?days=7", **auth(world.staff)).json()
    assert usage["total"] == 1 and sum(usage["hour_counts"]) == 1
    assert client.get(f"{BASE}/stations/{station.pk}/usage", **auth(world.other_staff)).status_code == 404


def test_a_liaison_edits_only_their_own_merchants_offers(client, world):
    mine = make_merchant(world, org=make_merchant_org(world, liaison=world.liaison))
    theirs = make_merchant(world)
    created = post(client, f"{BASE}/merchants/{mine.pk}/offers", {"title": "骑手凭证 9 折"}, world.liaison)
    assert created.status_code == 201
    assert post(client, f"{BASE}/merchants/{theirs.pk}/offers", {"title": "x"}, world.liaison).status_code == 404
    foreign_offer = post(client, f"{BASE}/merchants/{theirs.pk}/offers", {"title": "免费热水"}, world.staff).json()
    r = patch(client, f"{BASE}/merchants/{theirs.pk}/offers/{foreign_offer['id']}", {"is_active": False},
              world.liaison)
    assert r.status_code == 404
    r = patch(client, f"{BASE}/merchants/{mine.pk}/offers/{foreign_offer['id']}", {"is_active": False}, world.liaison)
    assert r.status_code == 404  # an offer id of another merchant under one's own merchant
    bad = patch(client, f"{BASE}/merchants/{mine.pk}/offers/{created.json()['id']}",
                {"valid_from": "2025-05-01", "valid_until": "2025-04-01"}, world.liaison)
    assert bad.status_code == 422 and "valid_until" in bad.json()["error"]["details"]
    assert Offer.objects.get(pk=foreign_offer["id"]).is_active
    public = client.get(f"{BASE}/merchants?community_id={world.community.pk}", **auth(world.rider)).json()
    assert {m["name"] for m in public} == {mine.organisation.name, theirs.organisation.name}


def test_staff_list_a_merchant_only_from_their_communitys_merchant_partners(client, world):
    org = make_merchant_org(world)
    body = {"community_id": world.community.pk, "organisation_id": org.pk, "alliance": "西熙里商家联盟"}
    assert post(client, f"{BASE}/merchants", body, world.liaison).status_code == 404
    r = post(client, f"{BASE}/merchants", body | {"organisation_id": world.other_unit.pk}, world.staff)
    assert r.status_code == 404 and r.json()["error"]["details"] == {"field": "organisation_id"}
    r = post(client, f"{BASE}/merchants", body | {"organisation_id": world.unit.pk}, world.staff)
    assert r.status_code == 422  # a partner, but not a merchant
    assert post(client, f"{BASE}/merchants", body, world.staff).status_code == 201
    assert post(client, f"{BASE}/merchants", body, world.staff).status_code == 422


def test_validity_dates_default_to_today(client, world):
    merchant = make_merchant(world)
    r = post(client, f"{BASE}/merchants/{merchant.pk}/offers", {"title": "免费充电"}, world.staff)
    assert r.json()["valid_from"] == dt.date.today().isoformat()


def test_patch_a_supply_threshold_and_a_station_with_half_coordinates(client, world):
    station = make_station(world)
    supply = make_supply(station, quantity=4, low_threshold=1)
    url = f"{BASE}/stations/{station.pk}/supplies/{supply.pk}"
    assert patch(client, url, {"low_threshold": 5}, world.staff).json()["is_low"] is True
    assert patch(client, url, {"low_threshold": -1}, world.staff).status_code == 422
    assert patch(client, url, {"quantity": 99}, world.staff).json()["quantity"] == 4  # stock moves by take/restock
    half = patch(client, f"{BASE}/stations/{station.pk}", {"lat": 30.5}, world.staff)
    assert half.status_code == 422 and "lng" in half.json()["error"]["details"]
    both = patch(client, f"{BASE}/stations/{station.pk}", {"lat": 30.5, "lng": 103.8}, world.staff).json()
    assert both["lat"] == 30.5 and both["lng"] == 103.8
