"""Session-authenticated (and anonymous) API writes need the CSRF token; bearer tokens do not."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from lianjian.accounts.services import api_token_create
from lianjian.api_root import api
from lianjian.projects.models import Rating
from lianjian.projects.tests.factories import project

pytestmark = pytest.mark.django_db

UNSAFE = {"post", "put", "patch", "delete"}
CSRF_MESSAGE = "CSRF 校验失败"


def write_operations() -> list[tuple[str, str]]:
    """Every unsafe operation of the API with its path parameters filled in."""
    doc = api.get_openapi_schema()
    ops = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            if method not in UNSAFE:
                continue
            params = {p["name"]: p.get("schema", {}) for p in op.get("parameters", []) if p["in"] == "path"}

            def fill(match: re.Match[str], params: dict[str, Any] = params) -> str:
                return "1" if params.get(match.group(1), {}).get("type") == "integer" else "x"

            ops.append((method, re.sub(r"\{(\w+)\}", fill, path)))
    return ops


def _send(client: Client, method: str, url: str, **extra: Any) -> Any:
    return getattr(client, method)(url, data="{}", content_type="application/json", **extra)


def _csrf_client(user: Any = None) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # any form page sets the csrftoken cookie
    if user is not None:
        client.force_login(user)
    return client, client.cookies["csrftoken"].value


def test_the_sweep_sees_every_write_operation():
    ops = write_operations()
    assert len(ops) >= 20
    assert ("post", "/api/v1/projects/ratings/x") in ops and ("post", "/api/v1/matching/rank") in ops


def test_every_session_write_without_csrf_is_403_json(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff)
    for method, url in write_operations():
        response = _send(client, method, url, HTTP_ORIGIN="https://evil.example")
        assert response.status_code == 403, (method, url, response.content)
        assert response["Content-Type"].startswith("application/json")
        assert CSRF_MESSAGE in response.json()["error"]["message"], (method, url)


def test_every_write_passes_the_check_with_csrf_or_with_a_bearer_token(world):
    client, token = _csrf_client(world.staff)
    _t, raw = api_token_create(user=world.staff, name="脚本")
    for method, url in write_operations():
        response = _send(client, method, url, HTTP_X_CSRFTOKEN=token)
        assert CSRF_MESSAGE not in response.content.decode(), (method, url)
        response = _send(Client(enforce_csrf_checks=True), method, url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert CSRF_MESSAGE not in response.content.decode(), (method, url)
        assert response.status_code != 401, (method, url)


def test_a_session_create_with_csrf_works(world):
    client, token = _csrf_client(world.staff)
    payload = {"name": "新建单位", "kind": "state_owned", "region_id": world.community.pk}
    response = client.post("/api/v1/organisations", payload, content_type="application/json")
    assert response.status_code == 403
    response = client.post("/api/v1/organisations", payload, content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_anonymous_rating_needs_csrf(world):
    p = project(world, status="completed")
    url = f"/api/v1/projects/ratings/{p.public_token}"
    foreign = Client(enforce_csrf_checks=True)
    response = foreign.post(url, {"stars": 1}, content_type="application/json", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and CSRF_MESSAGE in response.json()["error"]["message"]
    # A logged-in visitor's session cookie does not help a foreign page either.
    foreign.force_login(world.resident)
    assert foreign.post(url, {"stars": 1}, content_type="application/json").status_code == 403
    assert not Rating.objects.exists()
    client, token = _csrf_client()
    response = client.post(url, {"stars": 5}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    # The server set the device cookie; a second rating from this browser is a duplicate.
    assert client.cookies.get("lj_device")
    response = client.post(url, {"stars": 4, "device_id": "another"}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 422 and "已经评价过" in str(response.json())
    assert Rating.objects.count() == 1


def test_the_rating_page_form_needs_csrf(world):
    p = project(world, status="completed")
    foreign = Client(enforce_csrf_checks=True)
    assert foreign.post(f"/r/{p.public_token}/", {"stars": 1}).status_code == 403
    client = Client(enforce_csrf_checks=True)
    client.get(f"/r/{p.public_token}/")  # sets the device and CSRF cookies
    response = client.post(f"/r/{p.public_token}/", {"stars": 5,
                                                      "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 200
    assert list(Rating.objects.values_list("stars", flat=True)) == [5]


def test_rating_with_a_bearer_token_needs_no_csrf(world):
    p = project(world, status="completed")
    _t, raw = api_token_create(user=world.resident, name="脚本")
    response = Client(enforce_csrf_checks=True).post(
        f"/api/v1/projects/ratings/{p.public_token}", {"stars": 4}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 201, response.content
    assert Rating.objects.get().rater == world.resident


def test_varying_device_ids_from_one_address_are_limited(world, settings):
    settings.RATING_MAX_PER_ADDRESS_PER_PROJECT = 3
    p = project(world, status="completed")
    other = project(world, title="另一个项目", status="completed")
    statuses = []
    for i in range(6):
        # A fresh browser (no device cookie) and a new invented device id each time.
        client, token = _csrf_client()
        response = client.post(f"/api/v1/projects/ratings/{p.public_token}", {"stars": 5, "device_id": f"d{i}"},
                               content_type="application/json", HTTP_X_CSRFTOKEN=token, REMOTE_ADDR="10.7.0.1")
        statuses.append(response.status_code)
    assert statuses == [201, 201, 201, 422, 422, 422]
    assert Rating.objects.filter(project=p).count() == 3
    # The same page through the rating form is under the same limit.
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.7.0.1")
    client.get(f"/r/{p.public_token}/")
    response = client.post(f"/r/{p.public_token}/", {"stars": 5,
                                                      "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert "请明天再试" in response.content.decode()
    assert Rating.objects.filter(project=p).count() == 3
    # Another address, or another project from this address, is not limited.
    client, token = _csrf_client()
    assert client.post(f"/api/v1/projects/ratings/{p.public_token}", {"stars": 5}, content_type="application/json",
                       HTTP_X_CSRFTOKEN=token, REMOTE_ADDR="10.7.0.2").status_code == 201
    client, token = _csrf_client()
    assert client.post(f"/api/v1/projects/ratings/{other.public_token}", {"stars": 5},
                       content_type="application/json", HTTP_X_CSRFTOKEN=token,
                       REMOTE_ADDR="10.7.0.1").status_code == 201
