"""A liaison on a phone finds a need and claims it with a resource; staff confirm it."""

import pytest

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists.models import Claim, ClaimStatus, Need, Resource
from lianjian.testing import PASSWORD, make_world

from .factories import make_need, make_resource

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}


def login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.e2e
def test_liaison_claims_on_a_phone_and_staff_confirm(live_server, transactional_db):
    from playwright.sync_api import expect, sync_playwright

    world = make_world()
    need = make_need(world, quantity=10, actor=SYSTEM, title="辖区失业人员再就业")
    make_need(world, quantity=3, actor=SYSTEM, title="独居老人助餐")
    resource = make_resource(world, capacity=20, title="2025 年就业岗位")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
            page = phone.new_page()
            login(page, live_server.url, world.liaison.username)
            page.goto(f"{live_server.url}/lists/?status=open")
            page.fill("input[name=q]", "失业")
            page.click("[data-testid=need-filters] button[type=submit]")
            rows = page.locator("[data-testid=need-row]")
            expect(rows).to_have_count(1)
            rows.first.get_by_role("link", name="辖区失业人员再就业").click()
            expect(page.get_by_test_id("need-title")).to_have_text("辖区失业人员再就业")
            form = page.get_by_test_id("claim-form")
            form.locator("select[name=resource]").select_option(str(resource.pk))
            form.locator("input[name=quantity]").fill("5")
            form.locator("input[name=note]").fill("提供 5 个装维岗位")
            # The form fits the phone: no horizontal scrolling.
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            form.locator("button[type=submit]").click()
            expect(page.locator(".messages")).to_contain_text("认领已提交")
            expect(page.get_by_test_id("claim").first).to_contain_text("待确认")
            phone.close()

            desk = browser.new_context(viewport=PHONE)
            page = desk.new_page()
            login(page, live_server.url, world.staff.username)
            page.goto(f"{live_server.url}/lists/review/")
            page.get_by_role("link", name="辖区失业人员再就业").first.click()
            page.get_by_test_id("confirm-claim").click()
            expect(page.locator(".messages")).to_contain_text("认领已确认")
            expect(page.get_by_test_id("coverage")).to_contain_text("已认领 5 / 10 人")
            expect(page.get_by_test_id("timeline")).to_contain_text("确认认领")
            desk.close()
        finally:
            browser.close()

    claim = Claim.objects.get(need=need)
    assert claim.status == ClaimStatus.CONFIRMED and claim.resource_id == resource.pk and claim.quantity == 5
    assert Need.objects.get(pk=need.pk).quantity_covered == 5
    assert Resource.objects.get(pk=resource.pk).remaining == 15
