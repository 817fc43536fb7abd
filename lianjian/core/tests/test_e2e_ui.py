"""Browser checks of the shared UI: phone tables keep their labels, the English menu fits on one
line at 1280 px, and no page breaks its Content-Security-Policy.

Screenshots go to ``LIANJIAN_SHOTS`` (default: a temporary directory) for people to look at.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists import services as lists_services
from lianjian.lists.models import BeneficiaryGroup, Category
from lianjian.testing import PASSWORD, make_world
from lianjian.testing.e2e import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("LIANJIAN_SHOTS") or tempfile.mkdtemp(prefix="lianjian-ui-"))

# Every data cell of a .table: is it visible, and what does its ::before (the column label) say?
CELLS_JS = """() => Array.from(document.querySelectorAll('table.table tbody td'))
  .filter(td => !td.hasAttribute('colspan')).map(td => {
    const before = getComputedStyle(td, '::before').content;
    const head = td.closest('table').querySelector('thead');
    const headVisible = head && head.getBoundingClientRect().height > 2;
    return {text: td.innerText.trim().slice(0, 40), label: before, headVisible: !!headVisible,
            visible: td.getBoundingClientRect().height > 0};
  })"""


def login_cookie(user, base_url: str, language: str | None = None) -> list[dict]:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    cookies = [{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url}]
    if language:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url})
    return cookies


def scene():
    """A world with a need, a resource, a project and an open meeting with a need on its board."""
    from lianjian.meetings.tests.factories import board_need, make_meeting
    from lianjian.projects.tests.factories import project

    world = make_world()
    need = lists_services.need_create(
        actor=world.staff, community=world.community, title="独居老人助餐",
        category=Category.objects.get(code="elderly-care"),
        beneficiary_groups=BeneficiaryGroup.objects.filter(code="elderly"), quantity_needed=200, quantity_unit="人")
    lists_services.need_publish(actor=SYSTEM, need=need)
    resource = lists_services.resource_create(actor=SYSTEM, organisation=world.unit, title="老年食堂送餐",
                                              category=Category.objects.get(code="elderly-care"), capacity=50)
    meeting = make_meeting(world)
    board_need(world, meeting)
    done = project(world, status="completed")
    return world, need, resource, meeting, done


def test_every_table_keeps_its_column_labels_on_a_phone(live_server, browser):
    world, _need, _resource, meeting, _done = scene()
    staff_pages = [
        reverse("core:home"), reverse("meetings:list"), reverse("meetings:detail", args=[meeting.pk]),
        reverse("orgs:detail", args=[world.unit.pk]), reverse("regions:detail", args=[world.community.pk]),
        reverse("analytics:region", args=[world.community.pk]) + "?year=2024", reverse("accounts:tokens"),
        reverse("matching:sheet", args=[world.community.pk]), reverse("lists:need_list"),
        reverse("lists:resource_list"), reverse("projects:list"), reverse("ledgers:index"),
    ]
    admin_pages = [reverse("core:home"), reverse("analytics:region", args=[world.district.pk]) + "?year=2024",
                   reverse("regions:detail", args=[world.district.pk])]
    checked = 0
    for user, pages in ((world.staff, staff_pages), (world.district_admin, admin_pages)):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.add_cookies(login_cookie(user, live_server.url))
        page = context.new_page()
        for path in pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            name = path.strip("/").replace("/", "_").replace("?", "_") or "root"
            page.screenshot(path=str(SHOTS / f"phone-{user.username}-{name}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
            for cell in page.evaluate(CELLS_JS):
                if not cell["visible"]:
                    continue
                checked += 1
                labelled = cell["label"] not in ("none", "normal", '""', "")
                assert labelled or cell["headVisible"], (path, cell)
        context.close()
    assert checked >= 20  # the pages above really have table rows


def test_need_form_checkboxes_sit_next_to_their_labels(live_server, browser):
    world = make_world()
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    context.add_cookies(login_cookie(world.staff, live_server.url))
    page = context.new_page()
    page.goto(live_server.url + reverse("lists:need_create"))
    boxes = page.locator("input[type=checkbox][name=beneficiary_groups]")
    assert boxes.count() >= 8
    for i in range(boxes.count()):
        box = boxes.nth(i).bounding_box()
        label = boxes.nth(i).locator("xpath=..").bounding_box()  # Django renders <label><input> text</label>
        assert box["width"] < 30 and box["height"] < 30
        # The box is on the label's line, at its left, vertically centred.
        assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 4
        assert box["x"] - label["x"] < 4
    page.locator("fieldset.field").first.screenshot(path=str(SHOTS / "phone-need-form-groups.png"))
    context.close()


def test_english_menu_is_one_line_at_1280(live_server, browser):
    world = make_world()
    world.superuser.real_name = "Administrator"
    for user in (world.staff, world.district_admin, world.liaison):
        # The widest name the menu shows (longer ones are cut with an ellipsis at 10em).
        user.real_name = "欧阳" + "娜" * 10
        user.save(update_fields=["real_name"])
    for user in (world.staff, world.district_admin, world.liaison, world.superuser):
        context = browser.new_context(viewport=DESKTOP)
        context.add_cookies(login_cookie(user, live_server.url, language="en"))
        page = context.new_page()
        page.goto(live_server.url + reverse("core:home"))
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "en"
        page.locator("header.topbar").screenshot(path=str(SHOTS / f"menu-en-{user.username}.png"))
        tops = page.evaluate("""() => Array.from(document.querySelectorAll(
            '.topbar .brand, .nav > a, .nav > form, .nav > .bell-wrap, .nav > .account, .nav > .more'))
            .filter(e => e.getBoundingClientRect().height > 0)
            .map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; })""")
        assert len(tops) >= 4
        assert max(tops) - min(tops) < 12, (user.username, tops)
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.nav')).lineHeight)")
        assert page.evaluate("document.querySelector('.nav').getBoundingClientRect().height") < 2 * line
        # The person's menu folds their account page (with API tokens), language and log-out under their name.
        assert not page.locator(".account-items >> text=Log out").is_visible()
        page.click(".account-label")
        assert page.locator(".account-items >> text=Log out").is_visible()
        assert page.locator(".account-items >> text=My account").is_visible()
        page.screenshot(path=str(SHOTS / f"menu-en-open-{user.username}.png"))
        page.click("main")
        assert not page.locator(".account-items >> text=Log out").is_visible()
        if user in (world.staff, world.district_admin):  # less used pages fold under "More"
            assert not page.locator(".more-items >> text=Stories").is_visible()
            page.click("[data-testid=more-menu]")
            assert page.locator(".more-items >> text=Stories").is_visible()
            assert not page.locator(".account-items >> text=Log out").is_visible()
            page.keyboard.press("Escape")
            assert not page.locator(".more-items >> text=Stories").is_visible()
        context.close()


CSP_WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"""


def test_main_pages_run_without_content_security_policy_violations(live_server, browser):
    world, need, _resource, meeting, done = scene()
    staff_pages = [
        reverse("core:home"), reverse("lists:need_list"), reverse("lists:need_detail", args=[need.pk]),
        reverse("lists:need_create"), reverse("projects:detail", args=[done.pk]),
        reverse("meetings:detail", args=[meeting.pk]), reverse("meetings:board", args=[meeting.pk]),
        reverse("analytics:region", args=[world.community.pk]) + "?year=2024",
        reverse("matching:sheet", args=[world.community.pk]),
    ]
    admin_pages = [reverse("admin:index"), reverse("admin:lists_category_changelist"),
                   reverse("admin:lists_category_add"), reverse("admin:lists_need_changelist")]
    anonymous_pages = [reverse("public:home"), reverse("accounts:login")]
    for user, pages in ((world.staff, staff_pages), (world.superuser, admin_pages), (None, anonymous_pages)):
        context = browser.new_context(viewport=DESKTOP)
        if user is not None:
            context.add_cookies(login_cookie(user, live_server.url))
        context.add_init_script(CSP_WATCH)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m, sink=console: sink.append(m.text) if m.type == "error" else None)
        for path in pages:
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert "default-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            if "board" in path:
                page.wait_for_timeout(1500)  # let the board poll once
            if "analytics" in path:
                page.wait_for_function("() => !!document.querySelector('#chart-month') && "
                                       "document.querySelector('#chart-month').width > 0")
            violations = page.evaluate("window.__csp")
            assert violations == [], (path, violations)
        assert not [c for c in console if "Content Security Policy" in c], console
        context.close()
