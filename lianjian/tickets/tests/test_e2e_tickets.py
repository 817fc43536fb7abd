"""On a 390×844 phone: a registered rider checks in at a rider station by its door QR URL, reports a
hazard with a photo from their location; a second report at the same place shows the first as a nearby
duplicate; staff dispatch it to a joint unit; the unit's liaison resolves it with an after-photo; the rider
confirms and sees the whole timeline. (Signing up as a rider with a phone code is the workers app's
browser test.)"""

from __future__ import annotations

import os

import pytest

from lianjian.core.tests.test_images import gps_jpeg
from lianjian.testing import PASSWORD, make_world
from lianjian.testing.e2e import PHONE, login
from lianjian.tickets.models import Report
from lianjian.workers.tests.factories import make_station, make_worker

from .factories import LAT, LNG, category

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("LIANJIAN_SCREENSHOTS")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"tickets-{name}.png"), full_page=True)


def _phone(browser, **extra):  # type: ignore[no-untyped-def]
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **extra).new_page()


def test_report_duplicate_hint_dispatch_resolve_confirm(live_server, transactional_db, browser, tmp_path, settings):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    safety = category("safety")
    picture = tmp_path / "manhole.jpg"
    picture.write_bytes(gps_jpeg())

    world.rider.phone = "13500000012"  # a rider registers with the phone their account proved
    world.rider.save(update_fields=["phone"])
    make_worker(world, user=world.rider, verified=True)
    station = make_station(world, name="江浦路小哥驿站")

    rider = _phone(browser, geolocation={"latitude": LAT, "longitude": LNG}, permissions=["geolocation"])
    login(rider, live_server.url, world.rider.username, PASSWORD)
    # On the round: a rest at the station, checked in by scanning the QR code at its door.
    rider.goto(f"{live_server.url}{station.get_checkin_url()}")
    rider.click("[data-testid=checkin]")
    expect(rider.locator("[data-testid=scan-result]")).to_have_attribute("data-counted", "1")
    assert station.checkins.filter(worker__user=world.rider).count() == 1
    rider.goto(f"{live_server.url}/tickets/new/")
    rider.select_option("select[name=category]", str(safety.pk))
    rider.select_option("select[name=community]", str(world.community.pk))
    rider.fill("textarea[name=description]", "江浦路 88 号门口井盖松动，电瓶车经过会翘起来")
    rider.set_input_files("input[name=photos]", str(picture))
    rider.click("[data-testid=geolocate]")
    expect(rider.locator("input[name=lat]")).to_have_value(f"{LAT:.6f}")
    rider.select_option("select[name=attr__safety__danger_now]", "yes")
    _shot(rider, "form")
    rider.click("[data-testid=submit-report]")
    expect(rider.locator("[data-testid=status]")).to_contain_text("待受理")
    report = Report.objects.get()
    assert report.photos.count() == 1 and abs(report.lat - LAT) < 1e-5

    # A second report of the same kind at the same place: the first is suggested before submitting.
    rider.goto(f"{live_server.url}/tickets/new/")
    rider.select_option("select[name=category]", str(safety.pk))
    rider.click("[data-testid=geolocate]")
    suggestion = rider.locator(f"[data-testid=nearby-{report.pk}]")
    expect(suggestion).to_be_visible()
    expect(suggestion.locator("img.thumb")).to_be_visible()
    expect(suggestion).to_contain_text("井盖松动")
    _shot(rider, "nearby")

    staff = _phone(browser)
    login(staff, live_server.url, world.staff.username, PASSWORD)
    staff.goto(f"{live_server.url}/tickets/staff/")
    _shot(staff, "staff-list")
    staff.click(f"[data-testid=row-{report.pk}] td a >> nth=0")
    expect(staff.locator("[data-testid=geo-link]")).to_have_attribute("href", f"geo:{LAT:.6f},{LNG:.6f}")
    staff.select_option("select[name=unit]", str(world.unit.pk))
    staff.click("[data-testid=dispatch]")
    expect(staff.locator("[data-testid=responsible]")).to_have_text(world.unit.name)
    _shot(staff, "dispatched")

    liaison = _phone(browser)
    login(liaison, live_server.url, world.liaison.username, PASSWORD)
    liaison.goto(f"{live_server.url}/tickets/inbox/")
    _shot(liaison, "inbox")
    liaison.click(f"[data-testid=inbox-{report.pk}] h2 a")
    liaison.click("[data-testid=acknowledge]")
    expect(liaison.locator("[data-testid=status]")).to_contain_text("处置中")
    liaison.fill("textarea[name=note]", "已更换新井盖并加固")
    liaison.set_input_files("[data-testid=resolve-form] input[name=photos]", str(picture))
    liaison.click("[data-testid=resolve]")
    expect(liaison.locator("[data-testid=status]")).to_contain_text("已处置待确认")

    rider.goto(f"{live_server.url}/tickets/{report.pk}/")
    rider.click("[data-testid=confirm]")
    expect(rider.locator("[data-testid=status]")).to_contain_text("已办结")
    steps = rider.locator("[data-testid=timeline] li")
    expect(steps).to_have_count(6)
    for text in ("提交了随手拍", "受理", "派单", "签收", "处置完成", "确认解决"):
        expect(rider.locator("[data-testid=timeline]")).to_contain_text(text)
    _shot(rider, "timeline")
    rider.goto(f"{live_server.url}/tickets/")
    expect(rider.locator(f"[data-testid=mine-{report.pk}]")).to_contain_text("已办结")
    _shot(rider, "mine")
    assert Report.objects.get(pk=report.pk).status == "confirmed"
