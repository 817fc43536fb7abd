"""Staff on a phone: a need nothing fits shows "暂无合适资源" and the joint units by kind; the
bus company, which listed no resource, is invited in one tap."""

import os

import pytest

from lianjian.matching.index import INDEX
from lianjian.matching.models import ClaimInvitation
from lianjian.testing import PASSWORD, make_world
from lianjian.testing.e2e import PHONE, chromium, login

from .test_no_fit import make_bus_stop


@pytest.mark.e2e
def test_staff_invite_a_unit_without_resources_from_the_need_page(live_server, transactional_db):
    from playwright.sync_api import expect

    INDEX.reset()
    case = make_bus_stop(make_world())
    need, bus = case["need"], case["bus"]
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        login(page, live_server.url, case["staff"].username, PASSWORD)
        page.goto(f"{live_server.url}{need.get_absolute_url()}")
        no_fit = page.get_by_test_id("no-fit")
        expect(no_fit).to_contain_text("暂无合适资源")
        units = page.get_by_test_id("invite-unit")
        expect(units).to_have_count(3)
        expect(page.get_by_test_id("match-suggestions")).not_to_contain_text("健康筛查")
        bus_row = units.filter(has_text=bus.name)
        expect(bus_row).to_contain_text("未登记资源")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shots = os.environ.get("LIANJIAN_SCREENSHOTS")  # a directory, for looking at the pages by eye
        if shots:
            page.get_by_test_id("match-suggestions").screenshot(path=os.path.join(shots, "need-page.png"))
        # Each unit's button is the usual 44 px tap target, beside its name.
        box = bus_row.get_by_role("button", name="邀请认领").bounding_box()
        assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
        bus_row.get_by_role("button", name="邀请认领").click()
        expect(page.locator(".messages")).to_contain_text(f"已邀请{bus.name}认领")
        # After inviting, staff land on the matching page with the unit marked as invited.
        expect(page.get_by_test_id("invite-unit").filter(has_text=bus.name)).to_contain_text("已邀请")
        # The unit search finds it by kind too.
        page.get_by_test_id("invite-units").locator("input[name=q]").fill("国有企业")
        page.get_by_test_id("invite-units").get_by_role("button", name="搜索").click()
        expect(page.get_by_test_id("invite-unit")).to_have_count(1)
        if shots:
            page.screenshot(path=os.path.join(shots, "matching-page.png"), full_page=True)
        context.close()
    assert ClaimInvitation.objects.filter(need=need, organisation=bus, resource__isnull=True).exists()
