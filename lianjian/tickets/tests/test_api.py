"""/api/v1/tickets: the whole life of a report through the API, with scope and error rules."""

from __future__ import annotations

import pytest

from lianjian.accounts.services import api_token_create
from lianjian.core.tests.photo_samples import hostile, photo
from lianjian.tickets.models import Report, ReportPhoto, Status

from .factories import LAT, LNG, category, make_report

pytestmark = pytest.mark.django_db


def auth(user):  # type: ignore[no-untyped-def]
    _token, raw = api_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_report_dispatch_resolve_confirm_through_the_api(client, world):
    category("safety")
    rider, staff, liaison = auth(world.rider), auth(world.staff), auth(world.liaison)
    response = client.post("/api/v1/tickets/reports", {
        "community_id": world.community.pk, "category": "safety", "description": "井盖松动", "lat": LAT, "lng": LNG,
        "attributes": '{"danger_now": "yes"}', "photos": [photo()]}, **rider)
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    assert response.json()["timeline"][0]["step"] == "create"
    assert client.post(f"/api/v1/tickets/reports/{report_id}/accept", **rider).status_code == 403
    assert client.post(f"/api/v1/tickets/reports/{report_id}/accept", **staff).status_code == 200
    assert client.post(f"/api/v1/tickets/reports/{report_id}/accept", **staff).status_code == 409
    response = client.post(f"/api/v1/tickets/reports/{report_id}/dispatch", {"organisation_id": world.other_unit.pk},
                           content_type="application/json", **staff)
    assert response.status_code == 404 and response.json()["error"]["details"] == {"field": "organisation_id"}
    response = client.post(f"/api/v1/tickets/reports/{report_id}/dispatch", {"organisation_id": world.unit.pk},
                           content_type="application/json", **staff)
    assert response.status_code == 200 and response.json()["deadline"] and response.json()["unit_id"] == world.unit.pk
    inbox = client.get("/api/v1/tickets/inbox", **liaison).json()
    assert [r["id"] for r in inbox] == [report_id]
    assert client.post(f"/api/v1/tickets/reports/{report_id}/acknowledge", **liaison).status_code == 200
    response = client.post(f"/api/v1/tickets/reports/{report_id}/resolve", {"note": "已更换井盖"}, **liaison)
    assert response.status_code == 422  # an after-photo is required
    response = client.post(f"/api/v1/tickets/reports/{report_id}/resolve",
                           {"note": "已更换井盖", "photos": [photo("after.jpg")]}, **liaison)
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert client.post(f"/api/v1/tickets/reports/{report_id}/confirm", **staff).status_code == 403
    response = client.post(f"/api/v1/tickets/reports/{report_id}/confirm", **rider)
    assert response.status_code == 200
    assert [s["step"] for s in response.json()["timeline"]] == [
        "create", "accept", "dispatch", "acknowledge", "resolve", "confirm"]


def test_lists_filters_and_scope(client, world):
    mine = make_report(world, state="dispatched")
    theirs = make_report(world, community=world.other_community, reporter=world.resident, lat=LAT + 1)
    staff = auth(world.staff)
    body = client.get("/api/v1/tickets/reports?status=dispatched", **staff).json()
    assert [r["id"] for r in body["items"]] == [mine.pk] and body["count"] == 1
    assert client.get(f"/api/v1/tickets/reports/{theirs.pk}", **staff).status_code == 404
    assert client.get(f"/api/v1/tickets/reports/{mine.pk}", **auth(world.other_liaison)).status_code == 404
    assert client.get(f"/api/v1/tickets/reports/{mine.pk}", **auth(world.liaison)).status_code == 200
    own = client.get("/api/v1/tickets/reports", **auth(world.resident)).json()
    assert [r["id"] for r in own["items"]] == [theirs.pk]
    near = client.get(f"/api/v1/tickets/nearby?category=sanitation&lat={LAT}&lng={LNG + 0.0005}",
                      **auth(world.volunteer)).json()
    assert [r["id"] for r in near] == [mine.pk]  # ~50 m away; the other one is 100 km off
    assert client.get(f"/api/v1/tickets/nearby?category=sanitation&lat=95&lng={LNG}",
                      **auth(world.volunteer)).status_code == 422


def test_me_too_through_the_api(client, world):
    report = make_report(world)
    response = client.post(f"/api/v1/tickets/reports/{report.pk}/supporters", **auth(world.resident))
    assert response.json() == {"added": True, "supporter_count": 1}
    assert client.get(f"/api/v1/tickets/reports/{report.pk}", **auth(world.resident)).status_code == 200
    assert client.post(f"/api/v1/tickets/reports/{report.pk}/supporters",
                       **auth(world.other_liaison)).status_code == 404


@pytest.mark.parametrize("kind", list(hostile()))
def test_hostile_photos_are_refused_and_nothing_is_written(client, world, media, kind):
    category("other")
    response = client.post("/api/v1/tickets/reports", {
        "community_id": world.community.pk, "category": "other", "description": "x", "address": "江浦路",
        "photos": [hostile()[kind]]}, **auth(world.rider))
    assert response.status_code == 422 and "photos" in response.json()["error"]["details"]
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_too_large_photo_is_refused(client, world, monkeypatch):
    import io
    import os

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from lianjian.core import images

    buf = io.BytesIO()
    Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(buf, "JPEG", quality=95)
    big = SimpleUploadedFile("big.jpg", buf.getvalue(), content_type="image/jpeg")
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 20_000)  # stands in for 8 MB
    category("other")
    response = client.post("/api/v1/tickets/reports", {
        "community_id": world.community.pk, "category": "other", "description": "x", "address": "江浦路",
        "photos": [big]}, **auth(world.rider))
    assert response.status_code == 422 and "8 MB" in str(response.json()["error"]["details"])
    assert not Report.objects.exists()


def test_bad_coordinates_and_long_description_are_422(client, world):
    category("other")
    for extra in ({"lat": 91, "lng": 121}, {"lat": 31, "lng": -181}, {"description": "长" * 4001}):
        body = {"community_id": world.community.pk, "category": "other", "description": "x", "address": "江浦路",
                **extra}
        response = client.post("/api/v1/tickets/reports", {**body, "photos": [photo()]}, **auth(world.rider))
        assert response.status_code == 422, extra
    assert not Report.objects.exists()


def test_staff_of_another_district_cannot_triage(client, world):
    report = make_report(world)
    assert client.post(f"/api/v1/tickets/reports/{report.pk}/accept", **auth(world.other_staff)).status_code == 404
    assert client.post(f"/api/v1/tickets/reports/{report.pk}/reject", {"reason": "x"}, content_type="application/json",
                       **auth(world.other_staff)).status_code == 404
    assert Report.objects.get(pk=report.pk).status == Status.NEW


def test_category_patch_by_region_admin_only(client, world):
    category("safety")
    body = {"response_hours": 12, "duplicate_radius_m": 200}
    assert client.patch("/api/v1/tickets/categories/safety", body, content_type="application/json",
                        **auth(world.staff)).status_code == 403
    response = client.patch("/api/v1/tickets/categories/safety", body, content_type="application/json",
                            **auth(world.district_admin))
    assert response.status_code == 200 and response.json()["response_hours"] == 12
    bad = {"attributes": [{"code": "x y", "description": "?", "datatype": "string"}]}
    assert client.patch("/api/v1/tickets/categories/safety", bad, content_type="application/json",
                        **auth(world.district_admin)).status_code == 422
