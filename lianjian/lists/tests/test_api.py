import pytest

from lianjian.accounts.services import api_token_create
from lianjian.lists.models import Claim, ClaimStatus, Need, NeedStatus, Resource

from .factories import make_need, make_resource

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, data, user):
    return client.post(url, data, content_type="application/json", **bearer(user))


def test_openapi_documents_the_lists_endpoints(client):
    doc = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/needs", "/api/v1/needs/{need_id}", "/api/v1/needs/{need_id}/publish",
                 "/api/v1/resources",
                 "/api/v1/claims", "/api/v1/claims/{claim_id}/confirm", "/api/v1/categories",
                 "/api/v1/notifications", "/api/v1/notifications/unread-count"):
        assert path in doc["paths"], path
    assert "422" in doc["paths"]["/api/v1/claims"]["post"]["responses"]


def test_categories_list(client, world):
    body = client.get("/api/v1/categories", **bearer(world.resident)).json()
    assert {"code": "employment", "name": "就业创业"}.items() <= body[0].items()


def test_need_lifecycle_through_the_api(client, world):
    response = post(client, "/api/v1/needs", {"community_id": world.community.pk,
                                              "title": "辖区失业人员再就业",
                                              "category": "employment", "beneficiary_groups": ["unemployed"],
                                              "beneficiary_count": 40, "quantity_needed": 40,
                                              "quantity_unit": "人", "contact_phone": "13912340000"},
                    world.resident)
    assert response.status_code == 201, response.content
    need = response.json()
    assert need["status"] == "submitted" and need["beneficiary_groups"] == ["unemployed"]
    # Staff see the full phone, a liaison (after publish) sees it masked.
    assert client.get(f"/api/v1/needs/{need['id']}",
                      **bearer(world.staff)).json()["contact_phone"] == "13912340000"
    response = post(client, f"/api/v1/needs/{need['id']}/return", {"reason": ""}, world.staff)
    assert response.status_code == 422 and response.json()["error"]["details"]["reason"]
    response = post(client, f"/api/v1/needs/{need['id']}/publish", {}, world.staff)
    assert response.status_code == 200 and response.json()["status"] == "published"
    body = client.get(f"/api/v1/needs/{need['id']}", **bearer(world.liaison)).json()
    assert body["contact_phone"] == "139****0000"
    body = client.get(f"/api/v1/needs?community_id={world.community.pk}&status=open&q=失业",
                      **bearer(world.staff)).json()
    assert body["count"] == 1 and body["items"][0]["id"] == need["id"]


def test_bad_need_input_is_422_and_writes_nothing(client, world):
    for payload in ({"community_id": world.community.pk, "title": "", "category": "employment"},
                    {"community_id": world.community.pk, "title": "x", "category": "nope"},
                    {"community_id": world.community.pk, "title": "x", "category": "employment",
                     "quantity_needed": 0}):
        response = post(client, "/api/v1/needs", payload, world.resident)
        assert response.status_code == 422 and "error" in response.json()
    assert not Need.objects.exists()


def test_claim_confirm_decline_withdraw_through_the_api(client, world):
    need = make_need(world, quantity=10)
    res = make_resource(world, capacity=5)
    response = post(client, "/api/v1/claims", {"need_id": need.pk, "organisation_id": world.unit.pk,
                                               "resource_id": res.pk, "quantity": 6}, world.liaison)
    assert response.status_code == 422
    assert "超过资源剩余数量" in response.json()["error"]["details"]["quantity"][0]
    response = post(client, "/api/v1/claims", {"need_id": need.pk, "organisation_id": world.unit.pk,
                                               "resource_id": res.pk, "quantity": 5}, world.liaison)
    assert response.status_code == 201 and response.json()["channel"] == "api"
    claim_id = response.json()["id"]
    assert post(client, f"/api/v1/claims/{claim_id}/confirm", {}, world.liaison).status_code == 403
    response = post(client, f"/api/v1/claims/{claim_id}/confirm", {}, world.staff)
    assert response.status_code == 200 and response.json()["status"] == ClaimStatus.CONFIRMED
    assert Resource.objects.get(pk=res.pk).remaining == 0
    response = post(client, f"/api/v1/claims/{claim_id}/withdraw", {"reason": "调整"}, world.liaison)
    assert response.status_code == 200 and response.json()["status"] == ClaimStatus.WITHDRAWN
    assert Resource.objects.get(pk=res.pk).remaining == 5


def test_claim_on_unpublished_need_is_422(client, world):
    need = make_need(world, publish=False)
    client_body = post(client, "/api/v1/claims", {"need_id": need.pk, "organisation_id": world.unit.pk},
                       world.staff).json()
    assert "尚未发布" in client_body["error"]["details"]["need"][0]
    assert not Claim.objects.exists()


def test_out_of_scope_is_404_and_writes_nothing(client, world):
    need = make_need(world)
    res = make_resource(world)
    headers = bearer(world.other_staff)
    assert client.get(f"/api/v1/needs/{need.pk}", **headers).status_code == 404
    assert client.get(f"/api/v1/resources/{res.pk}", **headers).status_code == 404
    assert post(client, f"/api/v1/needs/{need.pk}/close", {}, world.other_staff).status_code == 404
    assert post(client, "/api/v1/claims", {"need_id": need.pk, "organisation_id": world.other_unit.pk},
                world.other_liaison).status_code == 404
    assert client.get("/api/v1/needs", **headers).json()["count"] == 0
    assert Need.objects.get(pk=need.pk).status == NeedStatus.PUBLISHED and not Claim.objects.exists()


def test_resource_create_and_patch(client, world):
    response = post(client, "/api/v1/resources", {"organisation_id": world.unit.pk, "title": "岗位",
                                                  "category": "employment", "capacity": -1}, world.liaison)
    assert response.status_code == 422 and not Resource.objects.exists()
    response = post(client, "/api/v1/resources", {"organisation_id": world.unit.pk, "title": "岗位",
                                                  "category": "employment", "capacity": 20,
                                                  "capacity_unit": "个岗位"}, world.staff)
    assert response.status_code == 201 and response.json()["community_ids"] == [world.community.pk]
    rid = response.json()["id"]
    response = client.patch(f"/api/v1/resources/{rid}", {"capacity": 30}, content_type="application/json",
                            **bearer(world.liaison))
    assert response.json()["remaining"] == 30
    response = post(client, f"/api/v1/resources/{rid}/status", {"status": "paused"}, world.liaison)
    assert response.json()["status"] == "paused"
