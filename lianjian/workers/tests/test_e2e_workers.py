"""On a 390×844 phone: a rider registers with a phone code, staff verify and certify them as
流动网格员, the rider opens the station's door QR URL and checks in with one tap, and staff see
the usage count and chart change."""

from __future__ import annotations

import os
import re

import pytest
from django.core.cache import caches

from lianjian.core import sms
from lianjian.testing import PASSWORD, make_world
from lianjian.testing.e2e import PHONE, login
from lianjian.workers.models import Worker

from .factories import make_merchant, make_station, make_supply

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("LIANJIAN_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"workers-{name}.png"), full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_rider_registers_is_certified_and_checks_in_by_the_door_qr(live_server, transactional_db, browser):
    from playwright.sync_api import expect

    sms.outbox.clear()
    caches["throttle"].clear()
    world = make_world()
    station = make_station(world, name="江浦路小哥驿站", amenities=["water", "charging", "microwave", "medicine",
                                                                  "toilet", "rain_gear"])
    make_supply(station, name="雨衣", quantity=3, low_threshold=5)
    make_supply(station, name="矿泉水", quantity=48, low_threshold=10)
    make_merchant(world).offers.create(title="骑手凭证 9 折", valid_from="2025-01-01")

    rider = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    rider.goto(f"{live_server.url}/workers/register/")
    rider.fill("#id_name", "王小虎")
    rider.fill("#id_phone", "13312345678")
    rider.select_option("#id_community", str(world.community.pk))
    rider.select_option("#id_platform", "sf")
    rider.fill("#id_station_name", "银海湾顺丰快递站点")
    rider.fill("#id_work_area", "银海湾小区")
    rider.check("#id_is_party_member")
    rider.fill("#id_password", "Kuaidi-2025!x")
    rider.click("[data-testid=send-code]")
    expect(rider.locator(".messages")).to_contain_text("验证码已发送")
    code = re.search(r"\d{6}", [t for p, t in sms.outbox if p == "13312345678"][-1]).group(0)
    rider.fill("#id_sms_code", code)
    rider.fill("#id_password", "Kuaidi-2025!x")
    _fits(rider)
    _shot(rider, "register")
    rider.click("[data-testid=register]")
    expect(rider.locator("[data-testid=worker-status]")).to_contain_text("待核验")
    _shot(rider, "me-pending")
    worker = Worker.objects.get(phone="13312345678")

    staff = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(staff, live_server.url, world.staff.username, PASSWORD)
    staff.goto(f"{live_server.url}/workers/?status=pending")
    _fits(staff)
    _shot(staff, "list")
    staff.click(f"[data-testid=worker-{worker.pk}] a")
    expect(staff.locator("[data-testid=worker-phone]")).to_have_text("13312345678")
    staff.click("[data-testid=verify]")
    staff.click("[data-testid=certify]")
    expect(staff.locator("[data-testid=grid-badge]")).to_be_visible()
    _shot(staff, "detail")
    staff.goto(f"{live_server.url}{station.get_absolute_url()}")
    expect(staff.locator("[data-testid=usage-total]")).to_have_text("0")
    qr = staff.locator("[data-testid=door-qr]")
    staff.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())

    rider.goto(f"{live_server.url}/home/")
    expect(rider.locator("[data-testid=home-worker] [data-testid=grid-badge]")).to_be_visible()
    _fits(rider)
    _shot(rider, "home")
    rider.goto(f"{live_server.url}{station.get_checkin_url()}")
    _shot(rider, "scan")
    rider.click("[data-testid=checkin]")
    expect(rider.locator("[data-testid=scan-result]")).to_have_attribute("data-counted", "1")
    _fits(rider)
    _shot(rider, "scan-done")
    rider.goto(f"{live_server.url}{station.get_absolute_url()}")
    rider.click("[data-testid=take-" + str(station.supplies.get(name="雨衣").pk) + "]")
    expect(rider.locator(".messages")).to_contain_text("已领取")
    _shot(rider, "station-public")

    staff.reload()
    expect(staff.locator("[data-testid=usage-total]")).to_have_text("1")
    staff.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-days'))")
    bars = staff.evaluate("Chart.getChart(document.getElementById('chart-days')).data.datasets[0].data")
    assert sum(bars) == 1
    _fits(staff)
    _shot(staff, "station-staff")
    staff.goto(f"{live_server.url}/workers/merchants/")
    _shot(staff, "merchants")
    staff.goto(f"{live_server.url}/workers/stations/new/")
    _shot(staff, "station-form")
