"""The pages: reporting with the nearby step, my reports, the staff list and export, the inbox."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from lianjian.core.models import Job
from lianjian.core.tests.photo_samples import hostile, photo
from lianjian.tickets import export
from lianjian.tickets.models import Category, Report, Status

from .factories import LAT, LNG, category, make_report

pytestmark = pytest.mark.django_db


def test_report_form_creates_a_report_with_the_category_question(client, world):
    safety = category("safety")
    client.force_login(world.rider)
    page = client.get("/tickets/new/").content.decode()
    assert 'data-testid="report-form"' in page and "js/tickets.js" in page
    response = client.post("/tickets/new/", {
        "category": safety.pk, "community": world.community.pk, "description": "楼道里电动车在充电",
        "photos": [photo()], "lat": LAT, "lng": LNG, "address": "", "occurred_at": "",
        "attr__safety__danger_now": "yes"})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.attributes == {"danger_now": "yes"} and report.photos.count() == 1
    detail = client.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="timeline"' in detail and f"geo:{LAT:.6f},{LNG:.6f}" in detail


def test_report_form_refuses_bad_input_with_messages(client, world, media):
    other = category("other")
    client.force_login(world.rider)
    base = {"category": other.pk, "community": world.community.pk, "description": "路面坑洼", "address": ""}
    cases = [({**base, "lat": 95, "lng": LNG, "photos": [photo()]}, "lat"),
             ({**base, "lat": LAT, "lng": LNG}, "photos"),
             ({**base, "photos": [photo()]}, "address"),
             ({**base, "lat": LAT, "lng": LNG, "photos": [hostile()["gif named html"]]}, "photos")]
    for data, field in cases:
        response = client.post("/tickets/new/", data)
        assert response.status_code == 200 and 'class="field-error"' in response.content.decode(), field
    assert not Report.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_nearby_step_shows_open_reports_of_the_category_within_its_radius(client, world):
    near = make_report(world, lat=LAT, lng=LNG)
    make_report(world, lat=LAT + 0.01, lng=LNG)  # about 1.1 km away
    make_report(world, code="traffic", lat=LAT, lng=LNG)  # another category
    sanitation = Category.objects.get(code="sanitation")
    client.force_login(world.volunteer)
    html = client.get("/tickets/nearby/", {"category": sanitation.pk, "lat": LAT + 0.0003, "lng": LNG}).content.decode()
    assert f'data-testid="nearby-{near.pk}"' in html and html.count("nearby-item") == 1
    assert near.photos.first().thumbnail_url in html
    assert client.get("/tickets/nearby/", {"category": sanitation.pk, "lat": "x", "lng": LNG}).status_code == 200
    response = client.post(f"/tickets/{near.pk}/support/")
    assert response.status_code == 302 and Report.objects.get(pk=near.pk).supporter_count == 1


def test_confirm_and_reopen_by_someone_else_are_refused(client, world):
    report = make_report(world, state="resolved")
    client.force_login(world.staff)
    assert client.post(f"/tickets/{report.pk}/confirm/").status_code == 403
    assert client.post(f"/tickets/{report.pk}/reopen/", {"reason": "x", "photos": [photo()]}).status_code == 403
    client.force_login(world.resident)
    assert client.post(f"/tickets/{report.pk}/confirm/").status_code == 404  # cannot even see it
    assert Report.objects.get(pk=report.pk).status == Status.RESOLVED
    client.force_login(world.rider)
    client.post(f"/tickets/{report.pk}/reopen/", {"reason": "还是很脏", "photos": [photo()]})
    assert Report.objects.get(pk=report.pk).status == Status.REOPENED


def test_staff_list_filters_and_dispatch_form(client, world):
    new = make_report(world, description="新的随手拍")
    dispatched = make_report(world, state="dispatched", description="派出去的")
    make_report(world, community=world.other_community, description="外区的")
    client.force_login(world.staff)
    page = client.get("/tickets/staff/").content.decode()
    assert "新的随手拍" in page and "派出去的" in page and "外区的" not in page
    page = client.get("/tickets/staff/", {"status": "dispatched", "community": world.community.pk}).content.decode()
    assert "派出去的" in page and "新的随手拍" not in page
    page = client.get("/tickets/staff/", {"assignee": "none"}).content.decode()
    assert "新的随手拍" in page and "派出去的" not in page
    response = client.post(f"/tickets/{new.pk}/dispatch/", {"unit": world.other_unit.pk})
    assert Report.objects.get(pk=new.pk).status == Status.NEW  # not a joint unit of the community
    client.post(f"/tickets/{new.pk}/dispatch/", {"unit": "", "department": ""})
    assert Report.objects.get(pk=new.pk).status == Status.NEW  # accept and dispatch: both or neither
    client.post(f"/tickets/{new.pk}/dispatch/", {"unit": world.unit.pk})
    assert Report.objects.get(pk=new.pk).status == Status.DISPATCHED
    assert response.status_code == 302
    client.force_login(world.other_staff)
    assert client.post(f"/tickets/{dispatched.pk}/triage/", {"action": "reject", "reason": "x"}).status_code == 404
    assert client.get("/tickets/staff/").status_code == 200
    client.force_login(world.rider)
    assert client.get("/tickets/staff/").status_code == 403


def test_export_small_is_a_file_large_is_a_job(client, world, monkeypatch, django_capture_on_commit_callbacks):
    make_report(world, description="=HYPERLINK(\"x\")")
    make_report(world, state="dispatched")
    client.force_login(world.staff)
    response = client.get("/tickets/staff/export.xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.max_row == 3 and ws.cell(row=2, column=5).value is not None
    assert any(c.value == "=HYPERLINK(\"x\")" for row in ws.iter_rows() for c in row)
    monkeypatch.setattr(export, "DIRECT_ROWS", 0)
    from lianjian.tickets import staff_views

    monkeypatch.setattr(staff_views, "DIRECT_ROWS", 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/tickets/staff/export.xlsx?status=dispatched")
    job = Job.objects.get(kind="tickets.export")
    assert response.status_code == 302 and job.params["status"] == "dispatched"
    assert job.status == "done" and job.result.name.endswith(".xlsx")


def test_liaison_inbox_acknowledge_and_resolve(client, world):
    report = make_report(world, state="dispatched")
    client.force_login(world.liaison)
    page = client.get("/tickets/inbox/").content.decode()
    assert f'data-testid="inbox-{report.pk}"' in page
    client.post(f"/tickets/{report.pk}/acknowledge/", {"next": "inbox"})
    client.post(f"/tickets/{report.pk}/resolve/", {"note": "已清理", "photos": [photo("after.jpg")]})
    assert Report.objects.get(pk=report.pk).status == Status.RESOLVED
    client.force_login(world.other_liaison)
    assert client.get(report.get_absolute_url()).status_code == 404


def test_home_card_and_my_reports(client, world):
    report = make_report(world, state="dispatched")
    client.force_login(world.rider)
    home = client.get("/home/").content.decode()
    assert 'data-testid="home-tickets"' in home and report.get_absolute_url() in home
    mine = client.get("/tickets/").content.decode()
    assert f'data-testid="mine-{report.pk}"' in mine and "派单" in mine


def test_category_page_edit_by_region_admin(client, world):
    category("safety")
    client.force_login(world.staff)
    assert client.get("/tickets/staff/categories/").status_code == 200
    assert client.get("/tickets/staff/categories/safety/").status_code == 403
    client.force_login(world.district_admin)
    page = client.get("/tickets/staff/categories/safety/")
    assert page.status_code == 200
    data = {"name": "安全隐患", "name_en": "Safety hazard", "description": "", "response_hours": 12,
            "duplicate_radius_m": 120, "keywords": "井盖", "group": "安全", "order": 1, "is_active": "on",
            "attributes_json": "[]"}
    assert client.post("/tickets/staff/categories/safety/", data).status_code == 302
    safety = Category.objects.get(code="safety")
    assert safety.response_hours == 12 and safety.attributes == []
    bad = client.post("/tickets/staff/categories/safety/", {**data, "attributes_json": "{"})
    assert bad.status_code == 200 and Category.objects.get(code="safety").response_hours == 12


def test_public_copies_have_no_exif_and_originals_stay_with_reporter_unit_and_staff(client, world):
    from lianjian.core.tests.photo_samples import decoded
    from lianjian.tickets import services

    report = make_report(world, state="dispatched")
    services.support_add(actor=world.resident, report=report)
    photo_row = report.photos.first()
    public = client.get(photo_row.public_url)
    body = b"".join(public.streaming_content) if public.streaming else public.content
    assert public.status_code == 200 and not decoded(body).getexif()
    for user, status in ((world.rider, 200), (world.staff, 200), (world.liaison, 200), (world.resident, 404),
                         (world.other_staff, 404)):
        client.force_login(user)
        assert client.get(photo_row.original_url).status_code == status, user


def test_the_staff_home_counts_reports_to_accept_and_past_their_deadline_in_scope_only(client, world):
    import datetime as dt

    from django.utils import timezone

    from lianjian.workers.tests.factories import make_worker

    make_report(world)  # new: waits to be accepted
    make_report(world, description="路灯坏了两晚，巷子里很黑", code="facility", state="dispatched")
    late = make_report(world, description="消防通道被电动车堵住了", state="dispatched")
    Report.objects.filter(pk=late.pk).update(deadline=timezone.now() - dt.timedelta(hours=2))
    make_report(world, community=world.other_community, description="另一个社区的井盖松动了")
    make_worker(world)  # a rider waiting to be verified

    def todo_of(user):
        client.force_login(user)
        response = client.get("/home/")
        return {label: (n, url) for label, n, url in response.context["todo"]}

    todo = todo_of(world.staff)
    assert todo["待受理随手拍"][0] == 1 and todo["逾期随手拍"][0] == 1 and todo["待核验骑手"][0] == 1
    listed = client.get(todo["逾期随手拍"][1])
    assert [r.pk for r in listed.context["rows"]] == [late.pk]  # the link opens exactly those
    other = todo_of(world.other_staff)
    assert other["待受理随手拍"][0] == 1 and other["逾期随手拍"][0] == 0 and other["待核验骑手"][0] == 0
