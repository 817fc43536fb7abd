"""Bounded work per request: body sizes, item counts and text lengths, and heavy endpoints by role."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from lianjian.accounts.services import api_token_create
from lianjian.api_root import api

pytestmark = pytest.mark.django_db

FREE_FORMATS = {"date", "date-time", "time", "binary", "uuid"}


def unbounded_inputs() -> list[str]:
    """Every array without maxItems and string without maxLength in any request body."""
    doc = api.get_openapi_schema()
    components = doc["components"]["schemas"]
    found: list[str] = []

    def walk(schema: dict[str, Any], where: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            # (A reference to an undefined schema is a separate defect, checked with the OpenAPI tests.)
            if name in components and name not in seen:
                walk(components[name], f"{where}->{name}", seen | {name})
            return
        for combo in ("anyOf", "oneOf", "allOf"):
            for part in schema.get(combo, []):
                walk(part, where, seen)
        kind = schema.get("type")
        if kind == "array":
            if "maxItems" not in schema:
                found.append(f"{where}: array without maxItems")
            walk(schema.get("items", {}), f"{where}[]", seen)
        if kind == "string" and "maxLength" not in schema and "enum" not in schema \
                and schema.get("format") not in FREE_FORMATS:
            found.append(f"{where}: string without maxLength")
        for name, prop in schema.get("properties", {}).items():
            walk(prop, f"{where}.{name}", seen)
        if isinstance(schema.get("additionalProperties"), dict):
            walk(schema["additionalProperties"], f"{where}{{}}", seen)

    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            for content_type, content in op.get("requestBody", {}).get("content", {}).items():
                walk(content["schema"], f"{method.upper()} {path} ({content_type})", frozenset())
    return found


def test_every_list_and_string_in_request_bodies_is_bounded_in_the_openapi_document():
    assert unbounded_inputs() == []


def test_the_sweep_finds_an_unbounded_list(monkeypatch):
    """The check above can fail: a schema with an open list is reported."""
    real = api.get_openapi_schema

    def with_open_list(*args: Any, **kwargs: Any) -> Any:
        doc = real(*args, **kwargs)
        doc["components"]["schemas"]["RankIn"]["properties"]["needs"].pop("maxItems")
        return doc

    monkeypatch.setattr(api, "get_openapi_schema", with_open_list)
    assert any("RankIn.needs" in item for item in unbounded_inputs())


def bearer(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="脚本")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def rank_body(needs: int, resources: int, text: str = "助老 送餐 服务") -> dict[str, Any]:
    return {
        "needs": [{"id": f"n{i}", "title": f"需求{i}", "description": text} for i in range(needs)],
        "resources": [{"id": f"r{i}", "title": f"资源{i}", "description": text, "unit": "单位"}
                      for i in range(resources)],
        "top": 5,
    }


@pytest.mark.parametrize("role", ["resident", "rider", "volunteer"])
def test_rank_is_refused_to_roles_that_do_not_match(client, world, role):
    response = client.post("/api/v1/matching/rank", rank_body(2, 2), content_type="application/json",
                           **bearer(getattr(world, role)))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("role", ["staff", "district_admin", "street_admin", "liaison", "superuser"])
def test_rank_works_for_roles_that_match(client, world, role):
    response = client.post("/api/v1/matching/rank", rank_body(2, 3), content_type="application/json",
                           **bearer(getattr(world, role)))
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"n0", "n1"}


@pytest.mark.parametrize(("needs", "resources"), [(21, 1), (1, 201)])
def test_rank_over_the_item_limits_is_422_quickly(client, world, needs, resources):
    started = time.monotonic()
    response = client.post("/api/v1/matching/rank", rank_body(needs, resources), content_type="application/json",
                           **bearer(world.staff))
    assert response.status_code == 422
    assert time.monotonic() - started < 2


def test_the_probe_payload_is_refused_within_a_second(client, world):
    body = json.dumps(rank_body(1000, 5000))
    started = time.monotonic()
    response = client.post("/api/v1/matching/rank", body, content_type="application/json", **bearer(world.staff))
    assert time.monotonic() - started < 1
    assert response.status_code == 422
    # With longer texts the same request is over the body limit and refused before it is parsed.
    body = json.dumps(rank_body(1000, 5000, text="社区老年人助餐服务需求" * 4))
    started = time.monotonic()
    response = client.post("/api/v1/matching/rank", body, content_type="application/json", **bearer(world.staff))
    assert time.monotonic() - started < 1
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large" and "请求体太大" in error["message"]
    assert error["details"]["max_bytes"] == 1024 * 1024
    # A rider gets 413 as well (the body is never read), and never the work.
    response = client.post("/api/v1/matching/rank", body, content_type="application/json", **bearer(world.rider))
    assert response.status_code == 413


def test_long_texts_are_422(client, world):
    body = rank_body(1, 1, text="很长" * 5000)
    response = client.post("/api/v1/matching/rank", body, content_type="application/json", **bearer(world.staff))
    assert response.status_code == 422


def test_body_limits_are_per_kind(client, world, settings):
    settings.API_MAX_JSON_BYTES = 2000
    settings.API_MAX_MULTIPART_BYTES = 50_000
    auth = bearer(world.staff)
    big = {"name": "单位", "kind": "state_owned", "region_id": world.community.pk, "description": "x" * 3000}
    response = client.post("/api/v1/organisations", big, content_type="application/json", **auth)
    assert response.status_code == 413
    # Every API path is covered, whatever the method; pages outside the API are not affected.
    assert client.patch("/api/v1/organisations/1", json.dumps(big), content_type="application/json",
                        **auth).status_code == 413
    assert client.post("/api/v1/projects/1/progress", {"text": "y" * 40_000}, **auth).status_code != 413
    assert client.post("/api/v1/projects/1/progress", {"text": "y" * 60_000}, **auth).status_code == 413
    assert Client().post("/accounts/login/", {"username": "x" * 3000, "password": "y"}).status_code == 200


def test_rank_at_its_limits_takes_a_bounded_time(client, world):
    """The largest request /rank accepts (every count and length at its limit) is still quick; one
    character more in all is refused before any work."""
    from lianjian.matching.api import RANK_MAX_NEEDS, RANK_MAX_RESOURCES, RANK_MAX_TOTAL_CHARS

    words = "社区老年人助餐服务志愿医疗健康筛查儿童教育就业培训法律援助环境绿化维修家电心理辅导"
    docs = RANK_MAX_NEEDS + RANK_MAX_RESOURCES
    per_doc = RANK_MAX_TOTAL_CHARS // docs
    text = (words * (per_doc // len(words) + 1))[: per_doc - 5]
    body = rank_body(RANK_MAX_NEEDS, RANK_MAX_RESOURCES, text=text)
    auth = bearer(world.staff)
    client.post("/api/v1/matching/rank", rank_body(1, 1), content_type="application/json", **auth)  # warm-up
    started = time.monotonic()
    response = client.post("/api/v1/matching/rank", body, content_type="application/json", **auth)
    assert response.status_code == 200, response.content[:300]
    took = time.monotonic() - started
    assert took < 6, took
    total = sum(len(d["title"]) + len(d["description"]) for d in [*body["needs"], *body["resources"]])
    missing = RANK_MAX_TOTAL_CHARS - total + 1
    for need in body["needs"]:
        extra = min(missing, 700)
        need["description"] += "多" * extra
        missing -= extra
    started = time.monotonic()
    response = client.post("/api/v1/matching/rank", body, content_type="application/json", **auth)
    assert response.status_code == 422 and "合计不能超过" in str(response.json())
    assert time.monotonic() - started < 1
