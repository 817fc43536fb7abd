"""Conformance of /open311/v2/ with GeoReport v2: every resource in JSON and XML, the POST rules,
error arrays with the right status codes, W3C datetimes with a zone."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from lianjian.accounts.services import api_token_create
from lianjian.tickets.models import Report

from .factories import LAT, LNG, category, make_report

pytestmark = pytest.mark.django_db
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
BASE = "/open311/v2"


@pytest.fixture
def key(world):
    from lianjian.accounts.services import home_community_set

    home_community_set(actor=world.rider, community=world.community)
    _token, raw = api_token_create(user=world.rider, name="open311")
    return raw


def xml(response) -> ET.Element:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own server's answer


def test_discovery_in_both_formats(client):
    body = client.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2" and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"} and W3C.match(body["changeset"])
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format") is not None


def test_services_list_and_definitions(client, world):
    category("safety")
    services = client.get(f"{BASE}/services.json").json()
    safety = next(s for s in services if s["service_code"] == "safety")
    assert safety == {"service_code": "safety", "service_name": "安全隐患", "description": safety["description"],
                      "metadata": True, "type": "realtime", "keywords": safety["keywords"], "group": "安全"}
    assert next(s for s in services if s["service_code"] == "sanitation")["metadata"] is False
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and {e.findtext("service_code") for e in root.findall("service")} >= {"safety"}
    assert root.find("service[service_code='safety']/metadata").text == "true"
    definition = client.get(f"{BASE}/services/safety.json").json()
    assert definition["service_code"] == "safety"
    first = definition["attributes"][0]
    assert set(first) == {"variable", "code", "datatype", "required", "datatype_description", "order",
                          "description", "values"}
    assert first["code"] == "danger_now" and first["required"] is True and first["datatype"] == "singlevaluelist"
    assert {"key": "yes", "name": "是"} in first["values"]
    root = xml(client.get(f"{BASE}/services/safety.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "yes"
    missing = client.get(f"{BASE}/services/nope.json")
    assert missing.status_code == 404 and missing.json() == [{"code": 404, "description": "service_code not found"}]
    missing = client.get(f"{BASE}/services/nope.xml")
    assert missing.status_code == 404 and xml(missing).find("error/code").text == "404"


def test_requests_fields_statuses_and_datetimes(client, world):
    new = make_report(world, code="safety")
    done = make_report(world, state="confirmed", description="路灯坏了，已修好")
    dispatched = make_report(world, state="dispatched", description="共享单车堵住人行道")
    rejected = make_report(world, description="被驳回的")
    from lianjian.tickets import services

    services.reject(actor=world.staff, report=rejected, reason="不属实")
    rows = client.get(f"{BASE}/requests.json").json()
    ids = [r["service_request_id"] for r in rows]
    assert ids == [str(dispatched.pk), str(done.pk), str(new.pk)]  # newest first, refused ones not published
    row = rows[0]
    assert row["status"] == "open" and row["service_code"] == "sanitation"
    assert row["agency_responsible"] == world.unit.name
    assert W3C.match(row["requested_datetime"]) and W3C.match(row["updated_datetime"])
    assert W3C.match(row["expected_datetime"]) and row["expected_datetime"].endswith("+08:00")
    assert row["lat"] == LAT and row["long"] == LNG and row["address"] == "江浦路 100 号"
    media = client.get(row["media_url"].replace("http://testserver", ""))
    assert media.status_code == 200
    closed = next(r for r in rows if r["service_request_id"] == str(done.pk))
    assert closed["status"] == "closed" and closed["status_notes"] == "已清理完毕"
    assert next(r for r in rows if r["service_request_id"] == str(new.pk))["expected_datetime"] is None
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json?status=closed").json()] == [str(done.pk)]
    assert len(client.get(f"{BASE}/requests.json?service_code=safety").json()) == 1
    listed = client.get(f"{BASE}/requests.json?service_request_id={new.pk},{done.pk},{rejected.pk}&status=open").json()
    assert sorted(r["service_request_id"] for r in listed) == sorted([str(new.pk), str(done.pk)])  # ids override
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests" and len(root.findall("request")) == 3
    assert root.find("request/long").text == str(LNG)
    one = client.get(f"{BASE}/requests/{done.pk}.json").json()
    assert len(one) == 1 and one[0]["service_request_id"] == str(done.pk)
    assert xml(client.get(f"{BASE}/requests/{done.pk}.xml")).find("request/status").text == "closed"
    for bad in (f"{BASE}/requests/{rejected.pk}.json", f"{BASE}/requests/999999.json", f"{BASE}/requests/x.json"):
        response = client.get(bad)
        assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_requests_default_window_is_90_days_and_dates_filter(client, world):
    old = make_report(world, description="很久以前的")
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=120))
    recent = make_report(world)
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()] == [str(recent.pk)]
    start = (timezone.localtime() - dt.timedelta(days=200)).replace(microsecond=0).isoformat()
    end = (timezone.localtime() - dt.timedelta(days=100)).replace(microsecond=0).isoformat()
    response = client.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end})
    assert [r["service_request_id"] for r in response.json()] == [str(old.pk)]
    for params in ({"start_date": "yesterday"}, {"status": "pending"}, {"service_code": "nope"},
                   {"service_request_id": "1,x"}):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 400 and response.json()[0]["code"] == 400


def test_post_creates_a_request_with_attributes(client, world, key):
    response = client.post(f"{BASE}/requests.json", {
        "api_key": key, "service_code": "safety", "lat": str(LAT), "long": str(LNG),
        "description": "消防通道被电动车堵死", "attribute[danger_now]": "yes", "attribute[hazard_detail]": "3号楼"})
    assert response.status_code == 200, response.content
    body = response.json()
    report = Report.objects.get()
    assert body == [{"service_request_id": str(report.pk), "service_notice": "", "account_id": str(world.rider.pk)}]
    assert report.reporter == world.rider and report.community == world.community
    assert report.attributes == {"danger_now": "yes", "hazard_detail": "3号楼"}
    token = client.get(f"{BASE}/tokens/{report.token}.json").json()
    assert token == [{"service_request_id": str(report.pk), "token": report.token}]
    assert xml(client.get(f"{BASE}/tokens/{report.token}.xml")).find("request/token").text == report.token
    assert client.get(f"{BASE}/tokens/nope.json").status_code == 404
    response = client.post(f"{BASE}/requests.xml", {"api_key": key, "service_code": "other",
                                                    "address_string": "江浦路 & 控江路 <路口>",
                                                    "jurisdiction_id": world.sibling.code, "description": "a<b>&c"})
    root = xml(response)
    assert response.status_code == 200 and root.find("request/service_request_id").text
    assert Report.objects.get(pk=root.find("request/service_request_id").text).community == world.sibling
    assert "&lt;路口&gt;" in client.get(f"{BASE}/requests.xml").content.decode()


@pytest.mark.parametrize("change,status,fragment", [
    ({"api_key": ""}, 403, "api_key"),
    ({"api_key": "lj_wrong"}, 403, "api_key"),
    ({"service_code": "nope"}, 404, "service_code"),
    ({"service_code": ""}, 400, "service_code"),
    ({"attribute[danger_now]": ""}, 400, "attribute[danger_now]"),
    ({"description": "危" * 4001}, 400, "4000"),
    ({"lat": "", "long": ""}, 400, "address_string"),
    ({"lat": "91"}, 400, "lat"),
    ({"long": "east"}, 400, "long"),
    ({"jurisdiction_id": "nowhere"}, 404, "jurisdiction_id"),
])
def test_post_errors_are_spec_arrays_and_write_nothing(client, world, key, change, status, fragment):
    category("safety")
    data = {"api_key": key, "service_code": "safety", "lat": str(LAT), "long": str(LNG), "description": "井盖松动",
            "attribute[danger_now]": "yes", **change}
    for fmt in ("json", "xml"):
        response = client.post(f"{BASE}/requests.{fmt}", data)
        assert response.status_code == status, response.content
        if fmt == "json":
            body = response.json()
            assert body[0]["code"] == status and fragment in body[0]["description"]
        else:
            assert xml(response).tag == "errors" and xml(response).find("error/code").text == str(status)
    assert not Report.objects.exists()


def test_post_is_csrf_exempt_and_throttled(world, key, settings):
    from django.test import Client

    from lianjian.tickets import open311

    csrf_client = Client(enforce_csrf_checks=True)
    data = {"api_key": key, "service_code": "other", "address_string": "江浦路", "description": "路面坑洼"}
    assert csrf_client.post(f"{BASE}/requests.json", data).status_code == 200
    settings.CACHES = settings.CACHES  # the throttle counts in the default cache
    original = open311.POST_PER_MINUTE
    open311.POST_PER_MINUTE = 1
    try:
        response = csrf_client.post(f"{BASE}/requests.json", data)
    finally:
        open311.POST_PER_MINUTE = original
    assert response.status_code == 429 and response.json()[0]["code"] == 429
    assert Report.objects.count() == 1


def test_json_escapes_and_xml_is_well_formed_with_hostile_text(client, world):
    make_report(world, description='他说："</description><x>" & 走了')
    raw = client.get(f"{BASE}/requests.xml").content
    root = ET.fromstring(raw)  # noqa: S314 - our own server's answer
    assert root.find("request/description").text == '他说："</description><x>" & 走了'
    assert json.loads(client.get(f"{BASE}/requests.json").content)[0]["description"].startswith("他说")
