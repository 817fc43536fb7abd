"""``Idempotency-Key`` on API creates: a retry gets the first answer, never a duplicate."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lianjian.accounts.services import api_token_create
from lianjian.api.models import IdempotencyKey
from lianjian.api.services import purge_idempotency_keys
from lianjian.orgs.models import Organisation
from lianjian.testing import make_world, run_together

from .test_csrf import write_operations


def bearer(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="脚本")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def create_unit(client: Client, auth: dict[str, str], key: str | None, name: str, region_id: int) -> Any:
    headers = dict(auth)
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/v1/organisations", {"name": name, "kind": "state_owned", "region_id": region_id},
                       content_type="application/json", **headers)


@pytest.mark.django_db
def test_same_key_same_body_replays_the_first_answer(client, world):
    auth, key = bearer(world.staff), str(uuid.uuid4())
    first = create_unit(client, auth, key, "重试单位", world.community.pk)
    assert first.status_code == 201, first.content
    again = create_unit(client, auth, key, "重试单位", world.community.pk)
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Organisation.objects.filter(name="重试单位").count() == 1
    # Without a key a retry is a new request (here: refused as a duplicate name or created again).
    assert "Idempotent-Replayed" not in create_unit(client, auth, None, "别的单位", world.community.pk)


@pytest.mark.django_db
def test_same_key_other_body_is_409(client, world):
    auth, key = bearer(world.staff), "order-42"
    assert create_unit(client, auth, key, "甲单位", world.community.pk).status_code == 201
    response = create_unit(client, auth, key, "乙单位", world.community.pk)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in response.json()["error"]["message"]
    assert not Organisation.objects.filter(name="乙单位").exists()
    # Another path with the same key is another request too.
    response = client.post("/api/v1/needs", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **auth)
    assert response.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.django_db
def test_keys_belong_to_their_caller(client, world):
    key = "shared-key"
    assert create_unit(client, bearer(world.staff), key, "甲单位", world.community.pk).status_code == 201
    # Another user with the same key and body runs their own request (and sees their own answer).
    response = create_unit(client, bearer(world.other_staff), key, "甲单位", world.community.pk)
    assert response.status_code in (403, 404, 422) and "Idempotent-Replayed" not in response
    # The same user through a session (with CSRF) is the same caller: the answer is replayed.
    session = Client(enforce_csrf_checks=True)
    session.get("/accounts/login/")
    session.force_login(world.staff)
    response = create_unit(session, {"HTTP_X_CSRFTOKEN": session.cookies["csrftoken"].value}, key, "甲单位",
                           world.community.pk)
    assert response.status_code == 201 and response["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_refusals_are_replayed_but_unauthenticated_answers_are_not_kept(client, world):
    auth = bearer(world.staff)
    first = create_unit(client, auth, "k1", "", world.community.pk)
    assert first.status_code == 422
    again = create_unit(client, auth, "k1", "", world.community.pk)
    assert again.status_code == 422 and again["Idempotent-Replayed"] == "true"
    # 401 is not kept: after logging in, the same key runs the request.
    assert create_unit(client, {}, "k2", "丙单位", world.community.pk).status_code == 401
    assert create_unit(client, auth, "k2", "丙单位", world.community.pk).status_code == 201
    # Nor is a 403 for a missing CSRF token: the retry with the token runs.
    session = Client(enforce_csrf_checks=True)
    session.get("/accounts/login/")
    session.force_login(world.staff)
    assert create_unit(session, {}, "k3", "丁单位", world.community.pk).status_code == 403
    response = create_unit(session, {"HTTP_X_CSRFTOKEN": session.cookies["csrftoken"].value}, "k3", "丁单位",
                           world.community.pk)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", " ", "x" * 256, "键"])
def test_malformed_keys_are_400(client, world, key):
    response = create_unit(client, bearer(world.staff), key, "丁单位", world.community.pk)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert not Organisation.objects.filter(name="丁单位").exists()


@pytest.mark.django_db
def test_every_post_operation_honours_the_key(client, world):
    auth = bearer(world.staff)
    posts = [url for method, url in write_operations() if method == "post"]
    assert len(posts) >= 15
    checked = 0
    for url in posts:
        key = str(uuid.uuid4())
        first = client.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **auth)
        if first.status_code in (401, 408, 409, 429) or first.status_code >= 500:
            continue
        again = client.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **auth)
        assert again.status_code == first.status_code and again.content == first.content, url
        assert again["Idempotent-Replayed"] == "true", url
        other = client.post(url, {"x": 1}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **auth)
        assert other.status_code == 409, url
        checked += 1
    assert checked >= len(posts) - 2


@pytest.mark.django_db
def test_keys_are_kept_a_day_then_purged(client, world):
    auth = bearer(world.staff)
    assert create_unit(client, auth, "daily", "戊单位", world.community.pk).status_code == 201
    later = timezone.now() + dt.timedelta(hours=23)
    assert purge_idempotency_keys(now=later) == 0
    assert create_unit(client, auth, "daily", "戊单位", world.community.pk)["Idempotent-Replayed"] == "true"
    assert purge_idempotency_keys(now=timezone.now() + dt.timedelta(hours=25)) == 1
    assert not IdempotencyKey.objects.exists()
    # An expired key that was not purged yet is free again as well.
    assert create_unit(client, auth, "old", "己单位", world.community.pk).status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    response = create_unit(client, auth, "old", "庚单位", world.community.pk)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


@pytest.mark.django_db
def test_a_run_that_died_frees_its_key_after_the_timeout(client, world, settings):
    settings.IDEMPOTENCY_RUNNING_TIMEOUT = 60
    auth = bearer(world.staff)
    assert create_unit(client, auth, "crash", "辛单位", world.community.pk).status_code == 201
    IdempotencyKey.objects.update(state="running", created_at=timezone.now() - dt.timedelta(seconds=30))
    response = create_unit(client, auth, "crash", "辛单位", world.community.pk)
    assert response.status_code == 409 and response.json()["error"]["code"] == "idempotency_key_in_progress"
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(seconds=61))
    response = create_unit(client, auth, "crash", "壬单位", world.community.pk)
    assert response.status_code == 409 and response.json()["error"]["code"] == "idempotency_key_reused"
    response = create_unit(client, auth, "crash", "辛单位", world.community.pk)
    assert response.status_code in (201, 422) and "Idempotent-Replayed" not in response


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_run_once():
    world = make_world()
    auth = bearer(world.staff)
    key = str(uuid.uuid4())

    def job() -> Any:
        response = create_unit(Client(), auth, key, "并发单位", world.community.pk)
        return response.status_code, response.json(), response.get("Idempotent-Replayed")

    results = run_together([job for _ in range(6)])
    assert not results["error"] and not results["refused"]
    statuses = sorted(r[0] for r in results["ok"])
    created = [r for r in results["ok"] if r[0] == 201]
    assert Organisation.objects.filter(name="并发单位").count() == 1
    assert len([r for r in created if r[2] is None]) == 1, statuses
    assert all(r[1] == created[0][1] for r in created)
    assert all(r[1]["error"]["code"] == "idempotency_key_in_progress" for r in results["ok"] if r[0] == 409)
    # Once it is done, every retry is the replay.
    response = create_unit(Client(), auth, key, "并发单位", world.community.pk)
    assert response.status_code == 201 and response.json() == created[0][1]


@pytest.mark.django_db
def test_multipart_uploads_are_replayed_too(client, world):
    from lianjian.projects.models import ProgressUpdate
    from lianjian.projects.tests.factories import png, project

    p = project(world, status="in_progress")
    auth = bearer(world.staff)
    url = f"/api/v1/projects/{p.pk}/progress"

    def send(key: str, text: str, color: tuple[int, int, int] = (1, 2, 3)) -> Any:
        return client.post(url, {"text": text, "happened_on": "2024-03-08", "photos": [png(color=color)]},
                           HTTP_IDEMPOTENCY_KEY=key, **auth)

    first = send("upload-1", "第二期")
    assert first.status_code == 201, first.content
    again = send("upload-1", "第二期")
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ProgressUpdate.objects.filter(project=p).count() == 1
    # Another photo under the same key is another request.
    assert send("upload-1", "第二期", color=(9, 9, 9)).status_code == 409
    assert ProgressUpdate.objects.filter(project=p).count() == 1
