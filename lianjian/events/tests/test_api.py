"""The events API contracts of DESIGN §5."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lianjian.accounts.services import api_token_create
from lianjian.events.models import Event, Registration

from .factories import make_event, register

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _event_body(world, **extra):
    start = timezone.now() + dt.timedelta(days=3)
    return {"title": "新春趣味跑", "community_id": world.community.pk, "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "capacity": 2, "waitlist": True} | extra


def test_create_register_waitlist_list_cancel_and_check_in(client, world):
    auth = bearer(world.staff)
    res = client.post("/api/v1/events", _event_body(world), content_type="application/json", **auth)
    assert res.status_code == 201, res.content
    eid = res.json()["id"]
    url = f"/api/v1/events/{eid}/registrations"
    answers = [client.post(url, {"name": f"跑者{i}", "phone": f"1390000000{i}", "party_size": 1},
                           content_type="application/json", **auth) for i in range(4)]
    assert [a.status_code for a in answers] == [201] * 4
    bodies = [a.json() for a in answers]
    assert [b["status"] for b in bodies] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [b["position"] for b in bodies] == [None, None, 1, 2]
    assert all(b["code"] for b in bodies)

    dup = client.post(url, {"name": "又来", "phone": "13900000002", "party_size": 1},
                      content_type="application/json", **auth)
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "already_registered"

    queue = client.get(f"{url}?status=waitlisted", **auth).json()
    assert [r["id"] for r in queue["items"]] == [bodies[2]["id"], bodies[3]["id"]]
    assert [r["position"] for r in queue["items"]] == [1, 2]

    cancel = client.post(f"{url}/{bodies[0]['id']}/cancel", **auth)
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    confirmed = client.get(f"{url}?status=confirmed", **auth).json()
    assert {r["id"] for r in confirmed["items"]} == {bodies[1]["id"], bodies[2]["id"]}

    checkins = f"/api/v1/events/{eid}/checkins"
    first = client.post(checkins, {"code": bodies[1]["code"], "nonce": "abc"}, content_type="application/json", **auth)
    assert first.status_code == 200 and first.json()["status"] == "ok"
    replay = client.post(checkins, {"code": bodies[1]["code"], "nonce": "abc"}, content_type="application/json",
                         **auth)
    assert replay.status_code == 200 and replay.json() == first.json()
    again = client.post(checkins, {"code": bodies[1]["code"], "nonce": "def"}, content_type="application/json",
                        **auth)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_checked_in"
    forged = client.post(checkins, {"code": "QQQQQQQQ", "nonce": "ghi"}, content_type="application/json", **auth)
    assert forged.status_code == 422 and forged.json()["error"]["code"] == "invalid_code"


def test_logged_in_person_registers_themselves_without_name_or_phone(client, world):
    world.resident.phone = "13912340000"
    world.resident.save(update_fields=["phone"])
    event = make_event(world)
    res = client.post(f"/api/v1/events/{event.pk}/registrations", {"party_size": 1},
                      content_type="application/json", **bearer(world.resident))
    assert res.status_code == 201, res.content
    assert Registration.objects.get(pk=res.json()["id"]).user == world.resident
    # The person cannot read the staff list, but reads their own registration.
    assert client.get(f"/api/v1/events/{event.pk}/registrations", **bearer(world.resident)).status_code == 403
    own = client.get(f"/api/v1/events/{event.pk}/registrations/{res.json()['id']}", **bearer(world.resident))
    assert own.status_code == 200


def test_out_of_scope_and_bad_input_write_nothing(client, world):
    auth = bearer(world.staff)
    other = client.post("/api/v1/events", _event_body(world, community_id=world.other_community.pk),
                        content_type="application/json", **auth)
    assert other.status_code == 404
    for bad in ({"capacity": 0}, {"capacity": 10**12}, {"ends_at": "2020-01-01T00:00:00+08:00"}, {"title": ""}):
        res = client.post("/api/v1/events", _event_body(world, **bad), content_type="application/json", **auth)
        assert res.status_code == 422, (bad, res.content)
        assert "error" in res.json()
    assert not Event.objects.exists()
    event = make_event(world, max_party_size=4)
    url = f"/api/v1/events/{event.pk}/registrations"
    for body in ({"name": "a", "phone": "123", "party_size": 1}, {"name": "a", "phone": "13900001111", "party_size": 0},
                 {"name": "a", "phone": "13900001111", "party_size": 500}):
        res = client.post(url, body, content_type="application/json", **auth)
        assert res.status_code == 422, (body, res.content)
    assert not Registration.objects.exists()
    # Another community's staff do not see a private event, nor check in at a public one.
    private = make_event(world, is_public=False)
    assert client.get(f"/api/v1/events/{private.pk}", **bearer(world.other_staff)).status_code == 404
    r = register(world, event)
    res = client.post(f"/api/v1/events/{event.pk}/checkins", {"code": r.code, "nonce": "x"},
                      content_type="application/json", **bearer(world.other_staff))
    assert res.status_code == 403
    assert client.post(url, {"party_size": 1}, content_type="application/json").status_code == 401


def test_posts_pledges_and_recognitions_through_the_api(client, world):
    event = make_event(world)
    staff, volunteer = bearer(world.staff), bearer(world.volunteer)
    base = f"/api/v1/events/{event.pk}"
    start = event.starts_at
    body = {"role": "medical", "title": "医疗保障点", "km": "2.5", "headcount": 1,
            "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat()}
    assert client.post(f"{base}/posts", body, content_type="application/json", **volunteer).status_code == 403
    post = client.post(f"{base}/posts", body, content_type="application/json", **staff)
    assert post.status_code == 201, post.content
    pid = post.json()["id"]
    signup = client.post(f"{base}/posts/{pid}/signups", **volunteer)
    assert signup.status_code == 201
    full = client.post(f"{base}/posts/{pid}/signups", **bearer(world.resident))
    assert full.status_code == 422 and "已满" in full.json()["error"]["details"]["__all__"][0]
    assert client.get(f"{base}/posts", **volunteer).json()[0]["filled"] == 1

    pledge = {"item": "红烧肉", "quantity": 1, "unit": "盆", "pledger_kind": "resident", "pledger_name": "刁嬢嬢"}
    assert client.post(f"{base}/pledges", pledge, content_type="application/json", **staff).status_code == 201
    foreign = client.post(f"{base}/pledges", pledge | {"pledger_kind": "merchant",
                                                       "organisation_id": world.other_unit.pk},
                          content_type="application/json", **staff)
    assert foreign.status_code == 404
    listed = client.get(f"{base}/pledges", **volunteer).json()
    assert [p["pledger_name"] for p in listed] == ["刁嬢嬢"]
    rec = client.post(f"{base}/recognitions", {"name": "王小虎", "reason": "服务居民"},
                      content_type="application/json", **staff)
    assert rec.status_code == 201
