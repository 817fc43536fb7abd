"""The API's contract at its edges: JSON errors for every bad request, never a 500."""

from __future__ import annotations

import json
import re

import pytest

from lianjian.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_defines_every_schema_it_references_and_documents_errors(client):
    doc = client.get("/api/v1/openapi.json").json()
    refs = set(re.findall(r"#/components/schemas/(\w+)", json.dumps(doc)))
    assert {"ProgressIn", "CompleteIn"} <= refs
    assert refs <= set(doc["components"]["schemas"])
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert {"401", "404", "422"} <= set(map(str, op["responses"])), (method, path)


@pytest.mark.parametrize("path", ["/api/v1/projects/abc", "/api/v1/needs/-1", "/api/v1/meetings/x1/board",
                                  "/api/v1/projects/99999999999999999999999", "/api/v1/no-such-thing"])
def test_path_ids_that_are_not_ids_get_the_json_404(client, world, path):
    response = client.get(path, **bearer(world.staff))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_anonymous_writes_get_a_json_401(client, world):
    response = client.post("/api/v1/projects", {}, content_type="application/json")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_huge_numbers_and_years_are_422_not_500(client, world):
    headers = bearer(world.staff)
    assert client.get("/api/v1/projects?page=999999999999999999999", **headers).status_code == 422
    assert client.get("/api/v1/meetings?year=-3473543685473307721728", **headers).status_code == 422
    assert client.get(f"/api/v1/analytics/regions/{world.community.pk}?year=99999", **headers).status_code == 422
    body = {"community_id": world.community.pk, "title": "大数", "category": "elderly-care",
            "quantity_needed": 2**70}
    response = client.post("/api/v1/needs", body, content_type="application/json", **headers)
    assert response.status_code == 422 and "error" in response.json()


def test_null_for_optional_text_in_patch_empties_it_and_null_count_is_422(client, world):
    from lianjian.projects.tests.factories import project

    p = project(world, description="原来的说明")
    headers = bearer(world.staff)
    response = client.patch(f"/api/v1/projects/{p.pk}", {"description": None, "plan": None},
                            content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["description"] == ""
    response = client.patch(f"/api/v1/projects/{p.pk}", {"budget": None}, content_type="application/json",
                            **headers)
    assert response.status_code == 422 and "budget" in response.json()["error"]["details"]
