"""Stories API: anyone reads published stories; staff write, submit, review, publish, withdraw;
ids out of the caller's reach are the JSON 404 naming the field."""

import json

import pytest

from lianjian.accounts.services import api_token_create
from lianjian.projects.tests.factories import project
from lianjian.stories.models import Story, StoryStatus
from lianjian.stories.tests.factories import draft, published

pytestmark = pytest.mark.django_db


def auth(user):
    _token, raw = api_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, body, user):
    return client.post(url, json.dumps(body), content_type="application/json", **auth(user))


def test_public_list_and_detail(client, world):
    story = published(world)
    draft(world, title="草稿")
    rows = client.get("/api/v1/stories").json()
    assert [r["title"] for r in rows["items"]] == [story.title]
    assert client.get(f"/api/v1/stories?region={world.street.code}").json()["count"] == 1
    assert client.get(f"/api/v1/stories?region={world.other_street.code}").json()["count"] == 0
    assert client.get("/api/v1/stories?region=nope").status_code == 404
    detail = client.get(f"/api/v1/stories/{story.pk}").json()
    assert detail["body"].startswith("<h2>现场</h2>") and detail["review_note"] is None
    hidden = Story.objects.get(title="草稿")
    response = client.get(f"/api/v1/stories/{hidden.pk}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/stories/{hidden.pk}", **auth(world.staff)).status_code == 200
    assert client.get(f"/api/v1/stories/{hidden.pk}", HTTP_AUTHORIZATION="Bearer lj_wrong").status_code == 401
    mine = client.get("/api/v1/stories?status=draft", **auth(world.staff)).json()
    assert [r["title"] for r in mine["items"]] == ["草稿"]
    assert client.get("/api/v1/stories?status=draft").json()["count"] == 0


def test_staff_create_update_submit_review_publish_unpublish(client, world):
    done = project(world, title="助老", status="completed")
    response = post(client, "/api/v1/stories", {
        "region_id": world.community.pk, "title": "年夜饭", "body": "## 现场\n热闹<script>x</script>",
        "happened_on": "2025-01-09", "photo_credit": "受访者供图",
        "links": [{"kind": "project", "object_id": done.pk}]},
        world.staff)
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    story = Story.objects.get(pk=pk)
    assert "<script" not in story.body and story.links.get().object_id == done.pk
    response = client.patch(f"/api/v1/stories/{pk}", json.dumps({"subtitle": "34+8", "links": []}),
                            content_type="application/json", **auth(world.staff))
    assert response.status_code == 200 and response.json()["subtitle"] == "34+8" and response.json()["links"] == []
    assert post(client, f"/api/v1/stories/{pk}/submit", {}, world.staff).json()["status"] == "review"
    refused = post(client, f"/api/v1/stories/{pk}/publish", {}, world.staff)
    assert refused.status_code == 403 and refused.json()["error"]["code"]
    returned = post(client, f"/api/v1/stories/{pk}/review", {"decision": "return", "note": "补照片"},
                    world.street_admin)
    assert returned.json()["status"] == "draft"
    post(client, f"/api/v1/stories/{pk}/submit", {}, world.staff)
    done_ = post(client, f"/api/v1/stories/{pk}/review", {"decision": "publish"}, world.street_admin)
    assert done_.status_code == 200 and done_.json()["status"] == "published"
    again = post(client, f"/api/v1/stories/{pk}/publish", {}, world.street_admin)
    assert again.status_code == 422
    assert post(client, f"/api/v1/stories/{pk}/unpublish", {"note": "错字"}, world.staff).json()["status"] == \
        StoryStatus.WITHDRAWN


def test_out_of_scope_ids_are_404_naming_the_field(client, world):
    theirs = project(world, title="外区")
    theirs.community = world.other_community
    theirs.save(update_fields=["community"])
    body = {"region_id": world.other_community.pk, "title": "t", "body": "b", "happened_on": "2025-01-09"}
    response = post(client, "/api/v1/stories", body, world.staff)
    assert response.status_code == 404 and response.json()["error"]["details"] == {"field": "region_id"}
    body |= {"region_id": world.community.pk, "links": [{"kind": "project", "object_id": theirs.pk}]}
    response = post(client, "/api/v1/stories", body, world.staff)
    assert response.status_code == 404 and response.json()["error"]["details"] == {"field": "links"}
    body["links"] = [{"kind": "spaceship", "object_id": 1}]
    assert post(client, "/api/v1/stories", body, world.staff).status_code == 404
    story = draft(world)
    assert post(client, f"/api/v1/stories/{story.pk}/submit", {}, world.other_staff).status_code == 404
    assert post(client, f"/api/v1/stories/{story.pk}/submit", {}, world.resident).status_code == 404
    assert not Story.objects.exclude(pk=story.pk).exists()


def test_bad_bodies_are_422(client, world):
    for body in ({"region_id": world.community.pk, "title": "", "body": "b", "happened_on": "2025-01-09"},
                 {"region_id": world.community.pk, "title": "t", "body": "b" * 20_001, "happened_on": "2025-01-09"},
                 {"region_id": world.community.pk, "title": "t", "body": "b", "happened_on": "1800-01-01"},
                 {"region_id": world.community.pk, "title": "t\x00", "body": "b", "happened_on": "2025-01-09"}):
        response = post(client, "/api/v1/stories", body, world.staff)
        assert response.status_code == 422, (body, response.status_code)
    assert not Story.objects.exists()
