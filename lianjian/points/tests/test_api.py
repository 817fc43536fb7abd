"""The points API contracts (DESIGN §5) and their error bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lianjian.accounts.services import api_token_create
from lianjian.core.domain_events import report_verified
from lianjian.points.models import Account, AwardRequest, Entry, Redemption, Reward

from .factories import fund, make_scheme

pytestmark = pytest.mark.django_db


def _h(user: Any, **extra: str) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", **extra}


def _post(client: Any, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_award_201_then_the_same_source_key_returns_the_original(client, world):
    make_scheme(world)
    body = {"person": world.rider.username, "points": 15, "reason": "协助排查隐患", "source_key": "ops-2025-001"}
    headers = _h(world.staff)
    first = _post(client, "/api/v1/points/awards", body, headers)
    assert first.status_code == 201, first.content
    again = _post(client, "/api/v1/points/awards", body, headers)
    assert again.status_code == 200 and again.json() == first.json()
    assert first.json()["status"] == "posted" and first.json()["source_key"] == "ops-2025-001"
    assert Entry.objects.count() == 1 and Account.objects.get(person=world.rider).balance == 15
    other = _post(client, "/api/v1/points/awards", {**body, "points": 16}, headers)
    assert other.status_code == 409 and other.json()["error"]["code"] == "source_key_reused"


def test_award_by_phone_with_an_idempotency_key_replays(client, world):
    make_scheme(world)
    world.rider.phone = "13900001234"
    world.rider.save(update_fields=["phone"])
    headers = _h(world.staff, HTTP_IDEMPOTENCY_KEY="abc-1")
    body = {"person": "13900001234", "points": 5, "reason": "r", "source_key": "k"}
    first = _post(client, "/api/v1/points/awards", body, headers)
    second = _post(client, "/api/v1/points/awards", body, headers)
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true" and Entry.objects.count() == 1


@pytest.mark.parametrize("bad", [{"points": -1}, {"points": 0}, {"points": 2.5}, {"points": 10**12},
                                 {"source_key": ""}, {"source_key": None}, {"person": "nobody-here"},
                                 {"reason": ""}])
def test_award_bad_input_is_a_json_error_and_nothing_is_written(client, world, bad):
    make_scheme(world)
    body = {"person": world.rider.username, "points": 5, "reason": "r", "source_key": "k", **bad}
    response = _post(client, "/api/v1/points/awards", body, _h(world.staff))
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"
    assert not Entry.objects.exists() and not AwardRequest.objects.exists()


def test_only_staff_of_the_scheme_award_and_a_large_award_needs_a_second_person(client, world):
    from lianjian.accounts.models import Role
    from lianjian.testing import make_user

    make_scheme(world, approval_threshold=50)
    body = {"person": world.rider.username, "points": 80, "reason": "r", "source_key": "big",
            "community_id": world.community.pk}
    assert _post(client, "/api/v1/points/awards", body, _h(world.rider)).status_code == 404
    assert _post(client, "/api/v1/points/awards", body, _h(world.other_staff)).status_code == 404
    pending = _post(client, "/api/v1/points/awards", body, _h(world.staff))
    assert pending.status_code == 201 and pending.json()["status"] == "pending"
    url = f"/api/v1/points/awards/{pending.json()['id']}/approve"
    assert _post(client, url, {}, _h(world.staff)).status_code == 403
    second = make_user(role=Role.COMMUNITY_STAFF, region=world.community)
    approved = _post(client, url, {}, _h(second))
    assert approved.status_code == 200 and approved.json()["status"] == "posted"
    assert _post(client, url, {}, _h(second)).status_code == 409


def test_accounts_me(client, world, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from lianjian.core.domain_events import emit

    make_scheme(world)
    empty = client.get("/api/v1/points/accounts/me", **_h(world.rider)).json()
    assert empty["balance"] == 0 and empty["accounts"] == []
    with django_capture_on_commit_callbacks(execute=True):
        emit(report_verified, source_key="reports.verified:5", person=world.rider, community=world.community,
             occurred_at=timezone.now(), category_code="x", title="占道")
    me = client.get("/api/v1/points/accounts/me", **_h(world.rider)).json()
    assert (me["balance"], me["held"], me["honour_hours"], me["reports_verified"]) == (10, 0, 0.0, 1)
    entries = client.get("/api/v1/points/accounts/me/entries", **_h(world.rider)).json()
    assert entries["items"][0]["source_key"] == "reports.verified:5"


def test_rewards_and_the_redemption_flow(client, world):
    scheme = make_scheme(world)
    created = _post(client, "/api/v1/points/rewards", {"title": "一碗大抄手", "points": 30, "stock": 2,
                                                       "organisation_id": world.unit.pk}, _h(world.staff))
    assert created.status_code == 201, created.content
    reward_id = created.json()["id"]
    assert Reward.objects.get(pk=reward_id).organisation == world.unit
    rider = _h(world.rider)
    short = _post(client, "/api/v1/points/redemptions", {"reward_id": reward_id}, rider)
    assert short.status_code == 404  # the rider is not in the scheme yet: its catalogue is not theirs
    fund(scheme, world.rider, 40)
    held = _post(client, "/api/v1/points/redemptions", {"reward_id": reward_id}, rider)
    assert held.status_code == 201 and held.json()["status"] == "held"
    code = held.json()["code"]
    assert len(code) == 8 and code.isdigit()
    short = _post(client, "/api/v1/points/redemptions", {"reward_id": reward_id}, rider)
    assert short.status_code == 409 and short.json()["error"]["code"] == "insufficient_points"
    assert _post(client, f"/api/v1/points/redemptions/{code}/confirm", {}, _h(world.other_liaison)).status_code == 404
    ok = _post(client, f"/api/v1/points/redemptions/{code}/confirm", {}, _h(world.liaison))
    assert ok.status_code == 200 and ok.json()["status"] == "posted"
    again = _post(client, f"/api/v1/points/redemptions/{code}/confirm", {}, _h(world.liaison))
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_confirmed"
    me = client.get("/api/v1/points/accounts/me", **rider).json()
    assert (me["balance"], me["held"]) == (10, 0)


def test_reward_creation_refuses_bad_input_and_foreign_units(client, world):
    make_scheme(world)
    staff = _h(world.staff)
    for bad in ({"points": 0}, {"points": -1}, {"stock": -1}, {"points": 1.5}, {"title": ""}):
        body = {"title": "头盔", "points": 10, "stock": 1, **bad}
        assert _post(client, "/api/v1/points/rewards", body, staff).status_code == 422
    foreign = _post(client, "/api/v1/points/rewards", {"title": "头盔", "points": 10, "stock": 1,
                                                       "organisation_id": world.other_unit.pk}, staff)
    assert foreign.status_code == 404 and foreign.json()["error"]["details"] == {"field": "organisation_id"}
    assert not Reward.objects.exists()


def test_a_code_that_is_not_a_code_is_a_json_404(client, world):
    assert _post(client, "/api/v1/points/redemptions/abc/confirm", {}, _h(world.liaison)).status_code == 404
    assert not Redemption.objects.exists()


def test_reversal_by_api(client, world):
    scheme = make_scheme(world)
    account = fund(scheme, world.rider, 20)
    entry = account.entries.get()
    response = _post(client, f"/api/v1/points/entries/{entry.pk}/reverse", {"reason": "重复登记"}, _h(world.staff))
    assert response.status_code == 201 and response.json()["amount"] == -20
    assert _post(client, f"/api/v1/points/entries/{entry.pk}/reverse", {"reason": "x"},
                 _h(world.staff)).status_code == 409
    assert _post(client, f"/api/v1/points/entries/{entry.pk}/reverse", {"reason": "x"},
                 _h(world.other_staff)).status_code == 404
    assert _post(client, f"/api/v1/points/entries/{entry.pk}/reverse", {"reason": "x"},
                 _h(world.rider)).status_code == 403
