import pytest

from lianjian.accounts.services import api_token_create
from lianjian.core.models import Activity

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_document_lists_endpoints_and_error_shape(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/organisations" in doc["paths"] and "/api/v1/regions/{region_id}" in doc["paths"]
    assert "ErrorOut" in doc["components"]["schemas"]
    responses = doc["paths"]["/api/v1/organisations/{org_id}"]["get"]["responses"]
    assert "404" in responses


def test_anonymous_gets_401_error_body(client):
    response = client.get("/api/v1/organisations")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_list_is_scoped_paginated_and_filtered(client, world):
    body = client.get("/api/v1/organisations", **bearer(world.street_admin)).json()
    names = {o["name"] for o in body["items"]}
    assert body["count"] == 2 and names == {world.unit.name, world.sibling_unit.name}
    body = client.get(f"/api/v1/organisations?community_id={world.sibling.pk}", **bearer(world.street_admin)).json()
    assert [o["name"] for o in body["items"]] == [world.sibling_unit.name]
    body = client.get("/api/v1/organisations?q=甲一", **bearer(world.street_admin)).json()
    assert [o["name"] for o in body["items"]] == [world.unit.name]


def test_out_of_scope_detail_is_404_not_403(client, world):
    response = client.get(f"/api/v1/organisations/{world.other_unit.pk}", **bearer(world.staff))
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "对象不存在。"}}
    assert client.get("/api/v1/organisations/999999", **bearer(world.staff)).status_code == 404


def test_unit_contact_phone_is_shown_to_those_who_manage_the_unit(client, world):
    own = client.get(f"/api/v1/organisations/{world.unit.pk}", **bearer(world.liaison)).json()
    assert own["contact_phone"] == "13912345678"


def test_liaison_phone_is_masked_on_community_page(client, world):
    from lianjian.accounts.permissions import SYSTEM
    from lianjian.accounts.services import user_create
    from lianjian.orgs.services import partnership_set_liaison

    person = user_create(actor=SYSTEM, username="p1", password=None, phone="13611112222")
    partnership_set_liaison(actor=SYSTEM, partnership=world.unit.partnerships.get(), liaison=person)
    client.force_login(world.staff)
    page = client.get(f"/regions/{world.community.pk}/").content.decode()
    assert "136****2222" in page and "13611112222" not in page


def test_create_validates_and_writes_nothing_on_bad_input(client, world):
    headers = bearer(world.staff)
    response = client.post("/api/v1/organisations", {"kind": "school"}, content_type="application/json", **headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    response = client.post("/api/v1/organisations", "{not json", content_type="application/json", **headers)
    assert response.status_code in (400, 422) and "error" in response.json()
    body = {"name": "新单位", "kind": "nonsense", "region_id": world.community.pk, "contact_phone": "123"}
    response = client.post("/api/v1/organisations", body, content_type="application/json", **headers)
    assert response.status_code == 422
    assert set(response.json()["error"]["details"]) >= {"kind", "contact_phone"}
    response = client.post("/api/v1/organisations", {"name": "新单位", "kind": "school",
                                                     "region_id": world.other_community.pk},
                           content_type="application/json", **headers)
    assert response.status_code == 404


def test_create_and_patch_are_audited_with_api_source(client, world):
    headers = bearer(world.staff)
    response = client.post("/api/v1/organisations", {"name": "枫叶书店", "kind": "merchant",
                                                     "region_id": world.community.pk},
                           content_type="application/json", **headers)
    assert response.status_code == 201
    org_id = response.json()["id"]
    response = client.patch(f"/api/v1/organisations/{org_id}", {"member_count": 12},
                            content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["member_count"] == 12
    actions = list(Activity.objects.filter(object_id=str(org_id), content_type__model="organisation")
                   .values_list("action", "source"))
    assert ("create", "api") in actions and ("update", "api") in actions


def test_liaison_cannot_patch_another_unit(client, world):
    response = client.patch(f"/api/v1/organisations/{world.sibling_unit.pk}", {"name": "x"},
                            content_type="application/json", **bearer(world.liaison))
    assert response.status_code == 404


def test_regions_tree_via_api(client, world):
    headers = bearer(world.district_admin)
    body = client.get(f"/api/v1/regions?parent_id={world.street.pk}", **headers).json()
    assert {r["name"] for r in body["items"]} == {"甲一社区", "甲二社区"}
    response = client.post("/api/v1/regions", {"parent_id": world.street.pk, "code": f"{world.street.code}077",
                                               "name": "新建社区", "kind": "community"},
                           content_type="application/json", **headers)
    assert response.status_code == 201 and response.json()["level"] == 4
    response = client.post("/api/v1/regions", {"parent_id": world.street.pk, "code": "abc", "name": "x",
                                               "kind": "community"}, content_type="application/json", **headers)
    assert response.status_code == 422
    response = client.patch(f"/api/v1/regions/{world.community.pk}", {"name": "改"},
                            content_type="application/json", **bearer(world.staff))
    assert response.status_code == 403


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"
