"""Every id that reaches a write endpoint is resolved through the caller's scope.

The sweep reads the API's own OpenAPI document, so a new write endpoint is covered the day it is
added: for every POST/PUT/PATCH/DELETE operation and every id it takes (path parameters and body
fields named ``*_id`` / ``*_ids``) it sends a request whose other ids are the caller's own and that
one id points at an object of another district. The answer must be the JSON 404 and nothing may be
written. An id field the sweep does not know fails the test, so it must be taught the new field.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import api_token_create
from lianjian.api_root import api
from lianjian.lists.models import Category
from lianjian.meetings.tests.factories import board_need, make_meeting
from lianjian.notifications.models import Notification
from lianjian.projects import services as project_services
from lianjian.projects.tests.factories import need_with_claims, project

pytestmark = pytest.mark.django_db
WRITE_METHODS = {"post", "put", "patch", "delete"}
NOT_IDS = {"token", "device_id", "code"}  # the public rating token, a device id, a shared category code


def _headers(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="sweep")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _ids(world: Any) -> dict[str, tuple[Any, Any]]:
    """id name → (a value the community staff may use, the same kind of object in another district)."""
    mine_need = need_with_claims(world, title="本社区需求")
    theirs_need = need_with_claims(world, title="外区需求")
    theirs_need.community = world.other_community
    theirs_need.save(update_fields=["community"])
    theirs_need.claims.update(organisation=world.other_unit)
    mine = project(world, title="本社区项目")
    theirs = project_services.project_create(
        actor=SYSTEM, community=world.other_community, year=2024, title="外区项目",
        category=mine.category, lead_org=world.other_unit)
    due = timezone.localdate() + dt.timedelta(days=30)
    mine_ms = project_services.milestone_add(actor=SYSTEM, project=mine, title="节点", due_date=due)
    theirs_ms = project_services.milestone_add(actor=SYSTEM, project=theirs, title="节点", due_date=due)
    from lianjian.lists.models import Resource

    def resource(org: Any) -> Any:
        return Resource.objects.create(organisation=org, title="场地", category=mine.category, capacity=5,
                                       remaining=5)

    meeting = make_meeting(world)
    board_need(world, meeting)
    other_meeting = make_meeting(world)
    other_meeting.community = world.other_community
    other_meeting.save(update_fields=["community"])
    mine_note = Notification.objects.create(recipient=world.staff, text="a")
    theirs_note = Notification.objects.create(recipient=world.other_staff, text="b")
    unit_pair = (world.unit.pk, world.other_unit.pk)
    # Events: a public event of the caller's community (anyone may register), and a private one of
    # another district (nobody outside its staff may reach it).
    from lianjian.events import services as event_services
    from lianjian.events import volunteers

    start = timezone.now() + dt.timedelta(days=5)
    events = [event_services.event_create(actor=SYSTEM, title=t, region=r, starts_at=start, is_public=public,
                                          ends_at=start + dt.timedelta(hours=2), capacity=5)
              for t, r, public in (("本社区活动", world.community, True), ("外区活动", world.other_community, False))]
    registrations = [event_services.registration_create(actor=SYSTEM, event=e, name="报名人",
                                                        phone=f"1370000000{i}") for i, e in enumerate(events)]
    posts = [volunteers.post_create(actor=SYSTEM, event=e, role="guide", title="引导", headcount=3,
                                    starts_at=e.starts_at, ends_at=e.ends_at) for e in events]
    from lianjian.stories import services as story_services

    stories = [story_services.story_create(actor=SYSTEM, region=r, title="报道", body="正文",
                                           happened_on=dt.date(2025, 1, 9))
               for r in (world.community, world.other_community)]
    community_pair = (world.community.pk, world.other_community.pk)
    # Workers: a worker, a station with a supply, and a merchant with an offer in each district.
    from lianjian.workers import merchants as worker_merchants
    from lianjian.workers import services as worker_services
    from lianjian.workers import stations as worker_stations
    from lianjian.workers.models import Merchant

    workers = [worker_services.worker_record(actor=SYSTEM, community=c, name="骑手", phone=f"1360000000{i}",
                                             platform="sf", station_name="站点")
               for i, c in enumerate((world.community, world.other_community))]
    worker_sites = [worker_stations.station_create(actor=SYSTEM, community=c, name="驿站", address="地址")
                    for c in (world.community, world.other_community)]
    supplies = [worker_stations.supply_create(actor=SYSTEM, station=s, name="雨衣", quantity=9) for s in worker_sites]
    shops = [Merchant.objects.create(community=c, organisation=u)
             for c, u in ((world.community, world.unit), (world.other_community, world.other_unit))]
    offers = [worker_merchants.offer_create(actor=SYSTEM, merchant=m, title="免费热水") for m in shops]
    from lianjian.points.tests.factories import sweep_ids as points_ids

    # Street reports: one in the caller's community, one in the other district (reported by a resident).
    from lianjian.tickets.tests.factories import make_report

    reports = [make_report(world, reporter=world.resident, community=c, description=d)
               for c, d in ((world.community, "本社区随手拍"), (world.other_community, "外区随手拍"))]
    into = [make_report(world, reporter=world.resident, community=c, description=d)
            for c, d in ((world.community, "本社区另一条"), (world.other_community, "外区另一条"))]
    return {
        **points_ids(world),
        "report_id": (reports[0].pk, reports[1].pk),
        "into_report_id": (into[0].pk, into[1].pk),
        "community_id": community_pair,
        "region_id": community_pair,
        "parent_id": (world.community.pk, world.other_community.pk),
        "organisation_id": unit_pair,
        "org_id": unit_pair,
        "lead_org_id": unit_pair,
        "requester_org_id": unit_pair,
        "partner_ids": ([], [world.other_unit.pk]),
        "community_ids": ([world.community.pk], [world.other_community.pk]),
        "need_id": (mine_need.pk, theirs_need.pk),
        "project_id": (mine.pk, theirs.pk),
        "milestone_id": (mine_ms.pk, theirs_ms.pk),
        "resource_id": (resource(world.unit).pk, resource(world.other_unit).pk),
        "claim_id": (mine_need.claims.first().pk, theirs_need.claims.first().pk),
        "meeting_id": (meeting.pk, other_meeting.pk),
        "notification_id": (mine_note.pk, theirs_note.pk),
        "event_id": (events[0].pk, events[1].pk),
        "registration_id": (registrations[0].pk, registrations[1].pk),
        "post_id": (posts[0].pk, posts[1].pk),
        "co_unit_ids": ([], [world.other_unit.pk]),
        "worker_id": (workers[0].pk, workers[1].pk),
        "station_id": (worker_sites[0].pk, worker_sites[1].pk),
        "supply_id": (supplies[0].pk, supplies[1].pk),
        "merchant_id": (shops[0].pk, shops[1].pk),
        "offer_id": (offers[0].pk, offers[1].pk),
        "story_id": (stories[0].pk, stories[1].pk),
        # One shared taxonomy: nothing is out of scope, an unknown id stands in.
        "category_id": (Category.objects.filter(is_active=True).first().pk, 10**9),
    }


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        merged: dict[str, Any] = {"properties": {}, "required": []}
        for part in schema["allOf"]:
            part = _resolve(doc, part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        return merged
    return schema


def _sample(doc: dict[str, Any], name: str, prop: dict[str, Any]) -> Any:
    prop = _resolve(doc, prop)
    for option in prop.get("anyOf", []):
        if option.get("type") != "null":
            return _sample(doc, name, option)
    if "enum" in prop:
        return prop["enum"][0]
    kind = prop.get("type")
    if prop.get("format") == "date":
        return timezone.localdate().isoformat()
    if prop.get("format") == "date-time":
        return (timezone.now() + dt.timedelta(days=5)).isoformat()
    if kind == "string":
        if prop.get("pattern") == r"^\d+$":
            return "4401060010"
        return {"category": "elderly-care", "urgency": "low", "role": "lead", "status": "paused"}.get(name, "测试内容")
    if kind == "integer":
        return max(1, prop.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return None


def _write_operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in doc["paths"].items() for method, op in ops.items()
            if method in WRITE_METHODS]


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed}


@pytest.mark.parametrize("who", ["staff", "district_admin", "liaison"])
def test_every_write_endpoint_refuses_ids_outside_the_callers_scope(client, world, who):
    doc = api.get_openapi_schema(path_prefix="/api/v1/")
    ids = _ids(world)
    headers = _headers(getattr(world, who))
    unknown: list[str] = []
    leaks: list[str] = []
    controls: list[tuple[str, str, str, dict[str, Any]]] = []
    swept = 0
    for method, path, op in _write_operations(doc):
        path_names = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        body_schema: dict[str, Any] = {"properties": {}, "required": []}
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body_schema = _resolve(doc, content["application/json"]["schema"])
        props = body_schema.get("properties", {})
        id_names = [n for n in path_names if n not in NOT_IDS]
        id_names += [n for n in props if n.endswith(("_id", "_ids")) and n not in NOT_IDS]
        for name in id_names:
            if name not in ids:
                unknown.append(f"{method.upper()} {path}: {name}")
        if any(n not in ids for n in id_names):
            continue
        base = {n: (ids[n][0] if n in ids else _sample(doc, n, props[n]))
                for n in props if n in body_schema.get("required", []) or n in ids}
        control_url = path
        for n in path_names:
            control_url = control_url.replace("{" + n + "}", str(ids[n][0]) if n in ids else "x")
        if id_names:
            controls.append((method, path, control_url, dict(base)))
        for target in id_names:
            values = {n: ids[n][0] for n in path_names if n in ids}
            body = dict(base)
            if target in path_names:
                values[target] = ids[target][1]
            else:
                body[target] = ids[target][1]
            url = path
            for n in path_names:
                url = url.replace("{" + n + "}", str(values.get(n, "x")))
            before = _row_counts()
            response = getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)
            swept += 1
            if response.status_code != 404 or response.json()["error"]["code"] != "not_found":
                leaks.append(f"{method.upper()} {path} with {target} out of scope → {response.status_code} "
                             f"{response.content[:200]!r}")
            elif _row_counts() != before:
                leaks.append(f"{method.upper()} {path} with {target} out of scope wrote rows")
    assert not unknown, "teach the sweep these id fields: " + ", ".join(unknown)
    assert swept >= 30
    assert not leaks, "\n".join(leaks)
    if who == "staff":
        # The control: the same requests with the caller's own ids are not refused as unknown, so the
        # 404s above came from the one foreign id.
        refused = []
        for method, path, url, body in controls:
            response = getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)
            if response.status_code == 404:
                refused.append(f"{method.upper()} {path} → 404 {response.content[:200]!r}")
        assert not refused, "\n".join(refused)


def test_a_project_cannot_take_a_unit_of_another_district_as_partner(client, world):
    from lianjian.lists.models import Category
    from lianjian.projects.models import Project

    body = {"community_id": world.community.pk, "year": 2025, "title": "跨区联建", "lead_org_id": world.unit.pk,
            "category_id": Category.objects.filter(is_active=True).first().pk, "partner_ids": [world.other_unit.pk]}
    response = client.post("/api/v1/projects", body, content_type="application/json", **_headers(world.staff))
    assert response.status_code == 404
    assert response.json()["error"]["details"] == {"field": "partner_ids"}
    assert not Project.objects.filter(title="跨区联建").exists()
    # The unit of the other district can neither see nor report on the community's projects.
    own = project(world, title="本社区项目")
    assert client.get(f"/api/v1/projects/{own.pk}", **_headers(world.other_liaison)).status_code == 404


def test_project_service_refuses_a_partner_without_an_active_partnership(world):
    from django.core.exceptions import ValidationError

    from lianjian.orgs.models import Partnership

    with pytest.raises(ValidationError) as err:
        project(world, partners=[world.sibling_unit])
    assert "partners" in err.value.message_dict
    Partnership.objects.filter(organisation=world.unit).update(status="suspended")
    with pytest.raises(ValidationError):
        project(world, title="暂停的联建单位牵头")


def test_staff_cannot_place_a_shared_units_resource_in_a_community_they_do_not_run(client, world):
    from django.core.exceptions import ValidationError

    from lianjian.lists.models import Category, Resource
    from lianjian.lists.services import resource_create
    from lianjian.testing import make_partnership

    make_partnership(community=world.other_community, organisation=world.unit)  # the unit serves both
    category = Category.objects.filter(is_active=True).first()
    with pytest.raises(ValidationError) as err:
        resource_create(actor=world.staff, organisation=world.unit, title="共享场地", category=category, capacity=3,
                        communities=[world.other_community])
    assert "communities" in err.value.message_dict
    body = {"organisation_id": world.unit.pk, "title": "共享场地", "category": category.code, "capacity": 3,
            "community_ids": [world.other_community.pk]}
    response = client.post("/api/v1/resources", body, content_type="application/json", **_headers(world.staff))
    assert response.status_code == 404 and response.json()["error"]["details"] == {"field": "community_ids"}
    assert not Resource.objects.filter(title="共享场地").exists()
    # The unit's own liaison may offer it to every community the unit partners with.
    resource_create(actor=world.liaison, organisation=world.unit, title="共享场地", category=category, capacity=3,
                    communities=[world.community, world.other_community])
