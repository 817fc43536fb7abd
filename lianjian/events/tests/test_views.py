"""Event pages: create, register, waitlist, cancel, staff lists, export and the scanner."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lianjian.events.models import Event, Registration
from lianjian.testing import PASSWORD

from .factories import make_event, register

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_staff_create_an_event_from_the_form(client, world):
    login(client, world.staff)
    start = timezone.localtime(timezone.now() + dt.timedelta(days=5))
    res = client.post("/events/new/", {
        "title": "小哥，停一停回家吃年夜饭了", "kind": "care", "region": world.community.pk, "venue": "党群服务中心",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "audience": "workers", "capacity": 30, "max_party_size": 1, "waitlist": "on", "promotion": "auto",
        "offer_hours": 24, "is_public": "on", "co_units": [world.unit.pk]})
    event = Event.objects.get()
    assert res.status_code == 302 and res["Location"] == event.get_absolute_url()
    assert list(event.co_units.all()) == [world.unit]
    # A resident may not create events.
    login(client, world.resident)
    assert client.get("/events/new/").status_code == 403


def test_resident_registers_sees_code_and_qr_then_cancels(client, world):
    world.resident.phone = "13600001111"
    world.resident.save(update_fields=["phone"])
    event = make_event(world, capacity=1)
    login(client, world.resident)
    page = client.get(event.get_absolute_url()).content.decode()
    assert 'data-testid="register-form"' in page
    client.post(f"/events/{event.pk}/register/", {"party_size": 1})
    r = Registration.objects.get(event=event)
    page = client.get(event.get_absolute_url()).content.decode()
    assert r.code in page and f"/events/{event.pk}/r/{r.pk}/qr.png" in page
    qr = client.get(f"/events/{event.pk}/r/{r.pk}/qr.png")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png"
    client.post(f"/events/{event.pk}/r/{r.pk}/cancel/")
    assert Registration.objects.get(pk=r.pk).status == "cancelled"


def test_full_event_shows_position_and_others_cannot_touch_a_registration(client, world):
    event = make_event(world, capacity=1)
    register(world, event)
    world.volunteer.phone = "13600002222"
    world.volunteer.save(update_fields=["phone"])
    login(client, world.volunteer)
    client.post(f"/events/{event.pk}/register/", {"party_size": 1})
    page = client.get(event.get_absolute_url()).content.decode()
    assert "候补中，排第 1 位" in page
    theirs = Registration.objects.get(user=world.volunteer)
    login(client, world.rider)
    assert client.post(f"/events/{event.pk}/r/{theirs.pk}/cancel/").status_code == 404
    assert client.get(f"/events/{event.pk}/r/{theirs.pk}/qr.png").status_code == 404
    assert Registration.objects.get(pk=theirs.pk).status == "waitlisted"


def test_staff_lists_export_and_scanner(client, world):
    event = make_event(world, capacity=1)
    a = register(world, event, name="张三")
    register(world, event, name="李四")
    login(client, world.staff)
    page = client.get(f"/events/{event.pk}/registrations/?status=waitlisted").content.decode()
    assert "李四" in page and "张三" not in page
    xlsx = client.get(f"/events/{event.pk}/registrations.xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert names == ["张三", "李四"]
    res = client.post(f"/events/{event.pk}/scan/", {"code": a.code, "nonce": "n-1"}, HTTP_HX_REQUEST="true")
    assert 'data-outcome="ok"' in res.content.decode()
    res = client.post(f"/events/{event.pk}/scan/", {"code": a.code, "nonce": "n-2"}, HTTP_HX_REQUEST="true")
    assert 'data-outcome="already_checked_in"' in res.content.decode() and "已签到" in res.content.decode()
    # Staff of another community reach none of it.
    login(client, world.other_staff)
    for url in (f"/events/{event.pk}/registrations/", f"/events/{event.pk}/registrations.xlsx",
                f"/events/{event.pk}/scan/"):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitor_sees_a_public_event_and_a_login_link(client, world):
    event = make_event(world)
    page = client.get(event.get_absolute_url()).content.decode()
    assert event.title in page and "登录后报名" in page
    private = make_event(world, is_public=False)
    assert client.get(private.get_absolute_url()).status_code == 404


def test_the_home_of_a_resident_shows_their_places_and_upcoming_events(client, world):
    world.resident.phone = "13600003333"
    world.resident.save(update_fields=["phone"])
    mine = make_event(world, title="年夜饭", capacity=1)
    register(world, mine)
    other = make_event(world, title="新春乐跑")
    from lianjian.events import services

    services.registration_create(actor=world.resident, event=mine)
    login(client, world.resident)
    page = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="home-events"' in page
    assert "年夜饭" in page and "候补第 1 位" in page and "新春乐跑" in page and other.get_absolute_url() in page


def test_the_poster_leads_to_the_event_as_png_and_pdf(client, world):
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    event = make_event(world, title="新春趣味跑")
    png = client.get(f"/events/{event.pk}/poster.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert decoded and decoded[0].text.endswith(event.get_absolute_url())
    pdf = client.get(f"/events/{event.pk}/poster.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "新春趣味跑" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert client.get(f"/events/{event.pk}/poster.gif").status_code == 404


def test_staff_add_a_post_a_pledge_and_a_recognition_from_the_event_page(client, world):
    from lianjian.events.models import Pledge, Recognition, VolunteerPost

    event = make_event(world)
    r = register(world, event, name="王小虎")
    login(client, world.staff)
    start = timezone.localtime(event.starts_at)
    res = client.post(f"/events/{event.pk}/posts/new/", {
        "role": "medical", "title": "医疗保障点", "km": "2.5", "headcount": 2,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})
    assert res.status_code == 302 and res["Location"].endswith("#posts")
    assert VolunteerPost.objects.get(event=event).title == "医疗保障点"
    client.post(f"/events/{event.pk}/pledges/new/", {"item": "红烧肉", "quantity": 1, "unit": "盆",
                                                     "pledger_kind": "resident", "pledger_name": "刁嬢嬢"})
    assert Pledge.objects.get(event=event).pledger_name == "刁嬢嬢"
    client.post(f"/events/{event.pk}/recognitions/new/", {"registration": r.pk, "reason": "风雨无阻", "gift": "礼包"})
    assert Recognition.objects.get(event=event).name == "王小虎"
    # Bad input is a message, nothing written.
    page = client.post(f"/events/{event.pk}/pledges/new/", {"item": "", "quantity": 0}, follow=True)
    assert Pledge.objects.count() == 1 and 'class="msg msg-error"' in page.content.decode()
    login(client, world.resident)
    assert client.post(f"/events/{event.pk}/pledges/new/", {"item": "x"}).status_code == 403
