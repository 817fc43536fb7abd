"""On a 390×844 phone: a rider's verified report pays points (their home page balance changes); they
redeem a merchant's reward and see the code and its QR; the merchant's liaison confirms the code on
their phone; a second confirmation is refused."""

from __future__ import annotations

import os

import pytest

from lianjian.points.models import Redemption
from lianjian.testing import PASSWORD, make_world
from lianjian.testing.e2e import PHONE, decode_qr, login
from lianjian.tickets.services import accept
from lianjian.tickets.tests.factories import make_report

from .factories import make_reward, make_scheme

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("LIANJIAN_SCREENSHOTS")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"points-{name}.png"), full_page=True)


def test_rider_earns_redeems_and_the_merchant_confirms_once(live_server, transactional_db, browser):
    from playwright.sync_api import expect

    world = make_world()
    world.rider.phone = "13500000011"
    world.rider.save(update_fields=["phone"])
    scheme = make_scheme(world)
    reward = make_reward(scheme, organisation=world.unit, points=10, stock=3, title="一碗汉平大抄手")

    rider = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(rider, live_server.url, world.rider.username, PASSWORD)
    rider.goto(f"{live_server.url}/home/")
    expect(rider.locator("[data-testid=home-points-balance]")).to_have_text("0")
    # The rider's street report is verified by the community's staff: the points scheme pays for it.
    report = make_report(world, reporter=world.rider, code="safety", description="井盖松动，电瓶车经过会翘起来")
    accept(actor=world.staff, report=report)
    rider.reload()
    expect(rider.locator("[data-testid=home-points-balance]")).to_have_text("10")
    _shot(rider, "home")

    rider.goto(f"{live_server.url}/points/rewards/")
    _shot(rider, "rewards")
    rider.click(f"[data-testid=redeem-{reward.pk}]")
    code = Redemption.objects.get(account__person=world.rider).code
    expect(rider.locator("[data-testid=code]")).to_have_text(code)
    qr = rider.locator("[data-testid=code-qr]")
    rider.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert decode_qr(qr.screenshot()) == [code]
    _shot(rider, "code")

    merchant = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(merchant, live_server.url, world.liaison.username, PASSWORD)
    merchant.goto(f"{live_server.url}/points/merchant/")
    merchant.fill("[data-testid=scan-code]", code)
    merchant.click("[data-testid=scan-submit]")
    expect(merchant.locator("[data-testid=scan-result]")).to_have_attribute("data-outcome", "ok")
    _shot(merchant, "confirmed")
    merchant.fill("[data-testid=scan-code]", code)
    merchant.click("[data-testid=scan-submit]")
    result = merchant.locator("[data-testid=scan-result]")
    expect(result).to_have_attribute("data-outcome", "already_confirmed")
    expect(result).to_contain_text("不能重复使用")
    _shot(merchant, "refused")

    rider.reload()
    expect(rider.locator("[data-testid=redemption-status]")).to_have_text("已核销")
    rider.goto(f"{live_server.url}/points/")
    expect(rider.locator("[data-testid=balance]")).to_have_text("0")
    expect(rider.locator("[data-testid=held]")).to_have_text("0")
    _shot(rider, "mine")

    staff = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(staff, live_server.url, world.staff.username, PASSWORD)
    staff.goto(f"{live_server.url}/points/staff/")
    staff.fill("#id_person", world.rider.username)
    staff.fill("#id_points", "80")
    staff.fill("#id_reason", "协助处置燃气泄漏")
    staff.click("[data-testid=award-submit]")
    expect(staff.locator("[data-testid=award-queue]")).to_contain_text("协助处置燃气泄漏")
    _shot(staff, "scheme")
    staff.goto(f"{live_server.url}/points/staff/{scheme.pk}/ledger/")
    expect(staff.locator("[data-testid=scheme-entries]")).to_contain_text("井盖松动")
    _shot(staff, "ledger")
