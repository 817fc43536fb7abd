"""Browser journeys of the foundation: log in on a phone and a desktop, see the right units, switch language."""

import pytest

from lianjian.testing import PASSWORD
from lianjian.testing.e2e import DESKTOP, PHONE, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_community_staff_on_a_phone_sees_own_units_and_switches_language(live_server, browser, world):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, world.staff.username, PASSWORD)
    assert page.url.endswith("/home/")
    communities = page.locator("[data-testid=communities]")
    assert world.community.name in communities.inner_text()
    assert world.other_community.name not in communities.inner_text()

    # The menu is folded on a phone; open it and go to the units.
    page.click("label.nav-toggle-label")
    page.click("nav >> text=联建单位")
    listing = page.locator("[data-testid=org-list]").inner_text()
    assert world.unit.name in listing
    assert world.sibling_unit.name not in listing and world.other_unit.name not in listing
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.click("label.nav-toggle-label")
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("label.nav-toggle-label")
    assert page.locator("nav >> text=Log out").is_visible()
    context.close()


def test_district_admin_on_desktop_sees_every_community_below(live_server, browser, world):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    login(page, live_server.url, world.district_admin.username, PASSWORD)
    text = page.locator("[data-testid=communities]").inner_text()
    assert world.community.name in text and world.sibling.name in text
    assert world.other_community.name not in text
    page.click("nav >> text=联建单位")
    listing = page.locator("[data-testid=org-list]").inner_text()
    assert world.unit.name in listing and world.sibling_unit.name in listing
    assert world.other_unit.name not in listing
    # A unit outside the district is not even revealed to exist.
    response = page.goto(f"{live_server.url}/orgs/{world.other_unit.pk}/")
    assert response.status == 404
    assert "页面不存在" in page.content()
    context.close()


def test_wrong_password_shows_chinese_message(live_server, browser, world):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", world.staff.username)
    page.fill("input[name=password]", "wrong-password")
    page.click("main button[type=submit]")
    assert "用户名/手机号或密码不正确" in page.locator(".errorbox").inner_text()
