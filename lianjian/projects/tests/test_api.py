import datetime as dt

import pytest

from lianjian.accounts.services import api_token_create
from lianjian.projects.models import ProgressUpdate, Project, Rating

from .factories import category, need_with_claims, png, project

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_documents_project_endpoints(client):
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/progress",
        "/api/v1/projects/{project_id}/complete",
        "/api/v1/projects/ratings/{token}",
    ):
        assert path in paths
    body = paths["/api/v1/projects/{project_id}/progress"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)


def test_list_is_scoped_and_filtered(client, world):
    project(world, title="甲", status="completed")
    project(world, title="乙")
    body = client.get("/api/v1/projects?status=completed", **bearer(world.staff)).json()
    assert [p["title"] for p in body["items"]] == ["甲"] and body["count"] == 1
    assert client.get("/api/v1/projects", **bearer(world.other_staff)).json()["count"] == 0
    body = client.get(f"/api/v1/projects?unit_id={world.unit.pk}&year=2024", **bearer(world.liaison)).json()
    assert body["count"] == 2


def test_out_of_scope_is_404_and_nothing_written(client, world):
    p = project(world)
    headers = bearer(world.other_staff)
    assert client.get(f"/api/v1/projects/{p.pk}", **headers).status_code == 404
    r = client.post(
        f"/api/v1/projects/{p.pk}/progress",
        {"text": "x", "happened_on": "2024-03-01"},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.post(f"/api/v1/projects/{p.pk}/cancel", {"reason": "x"}, content_type="application/json", **headers)
    assert r.status_code == 404
    assert not ProgressUpdate.objects.exists() and Project.objects.get().status == "planned"


def test_create_update_progress_complete_and_rate(client, world):
    headers = bearer(world.liaison)
    r = client.post(
        "/api/v1/projects",
        {
            "community_id": world.community.pk,
            "year": 2024,
            "title": "接口项目",
            "category_id": category().pk,
            "lead_org_id": world.unit.pk,
        },
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = client.patch(f"/api/v1/projects/{pid}", {"plan": "分三期"}, content_type="application/json", **headers)
    assert r.json()["plan"] == "分三期"
    r = client.post(
        f"/api/v1/projects/{pid}/progress",
        {"text": "第一期", "happened_on": "2024-03-01", "people_served": 10, "volunteer_hours": 4},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 201 and r.json()["photos"] == []
    # multipart with photos
    r = client.post(
        f"/api/v1/projects/{pid}/progress",
        {
            "text": "第二期",
            "happened_on": "2024-03-08",
            "people_served": "5",
            "photos": [png(), png("b.png")],
        },
        **headers,
    )
    assert r.status_code == 201, r.content
    assert len(r.json()["photos"]) == 2
    # Completion without evidence: 422 with the field named, nothing changed.
    r = client.post(
        f"/api/v1/projects/{pid}/complete",
        {"summary": "完成", "completed_on": "2024-04-01"},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 422 and "photos" in r.json()["error"]["details"]
    r = client.post(
        f"/api/v1/projects/{pid}/complete",
        {"summary": "完成", "completed_on": "2024-04-01", "photos": [png()]},
        **headers,
    )
    assert r.status_code == 200, r.content
    detail = r.json()
    assert detail["status"] == "completed" and detail["people_served"] == 15
    token = Project.objects.get(pk=pid).public_token
    assert detail["public_url"].endswith(f"/r/{token}/")
    r = client.post(
        f"/api/v1/projects/ratings/{token}",
        {"stars": 5, "comment": "好", "device_id": "phone-1"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["rating_average"] == 5.0
    r = client.post(
        f"/api/v1/projects/ratings/{token}",
        {"stars": 4, "device_id": "phone-1"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "已经评价过" in str(r.json()["error"]["details"])
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("stars", [0, 6, "x"])
def test_public_rating_bad_stars_is_422(client, world, stars):
    p = project(world, status="completed")
    r = client.post(
        f"/api/v1/projects/ratings/{p.public_token}",
        {"stars": stars, "device_id": "d"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    assert not Rating.objects.exists()


def test_rating_a_project_not_completed_is_refused(client, world):
    p = project(world, status="in_progress")
    r = client.post(
        f"/api/v1/projects/ratings/{p.public_token}",
        {"stars": 5, "device_id": "d"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "完成后才能评价" in str(r.json())
    assert (
        client.post("/api/v1/projects/ratings/nope", {"stars": 5}, content_type="application/json").status_code == 404
    )


def test_bad_json_and_bad_fields(client, world):
    p = project(world)
    headers = bearer(world.staff)
    r = client.post(f"/api/v1/projects/{p.pk}/progress", "{nope", content_type="application/json", **headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"
    r = client.post(
        f"/api/v1/projects/{p.pk}/progress",
        {"text": "x", "happened_on": "yesterday"},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 422
    r = client.post(
        f"/api/v1/projects/{p.pk}/progress",
        {"text": "x", "happened_on": "2024-01-01", "people_served": -3},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 422
    assert not ProgressUpdate.objects.exists()


def test_partner_liaison_cannot_cancel_403(client, world):
    p = project(world)
    r = client.post(
        f"/api/v1/projects/{p.pk}/cancel",
        {"reason": "x"},
        content_type="application/json",
        **bearer(world.liaison),
    )
    assert r.status_code == 403
    assert Project.objects.get().status == "planned"


def test_from_need_and_milestones(client, world):
    need = need_with_claims(world)
    headers = bearer(world.staff)
    r = client.post(f"/api/v1/projects/from-need/{need.pk}", **headers)
    assert r.status_code == 201 and r.json()["need_id"] == need.pk
    pid = r.json()["id"]
    assert client.post(f"/api/v1/projects/from-need/{need.pk}", **bearer(world.other_staff)).status_code == 404
    r = client.post(
        f"/api/v1/projects/{pid}/milestones",
        {"title": "启动", "due_date": "2024-02-01"},
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 201
    mid = r.json()["id"]
    detail = client.get(f"/api/v1/projects/{pid}", **headers).json()
    assert detail["milestones"][0]["overdue"] is True
    assert [u["role"] for u in detail["units"]] == ["lead"]
    r = client.post(f"/api/v1/projects/milestones/{mid}/done", **headers)
    assert r.json()["done_on"] == dt.date.today().isoformat()
