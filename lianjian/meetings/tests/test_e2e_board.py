"""End to end: a liaison claims from a phone and the projector board shows it within 2 seconds."""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings
from django.test import Client

from lianjian.testing import PASSWORD, make_world

from .factories import board_need, make_meeting, partner_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("LIANJIAN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def session_cookie(user, base_url: str) -> dict:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def test_phone_claim_appears_on_projector_board_within_two_seconds(live_server, browser):
    world = make_world()
    meeting = make_meeting(world)
    need = board_need(world, meeting, title="非遗文化进校园", quantity=1)
    _late_org, late_liaison = partner_unit(world, "迟到的联建单位")

    projector = browser.new_context(viewport={"width": 1280, "height": 720})
    projector.add_cookies([session_cookie(world.staff, live_server.url)])
    board = projector.new_page()
    board.goto(f"{live_server.url}/meetings/{meeting.pk}/board/")
    board.wait_for_selector(f"[data-testid=board-need-{need.pk}]")
    assert "等待认领" in board.inner_text(f"[data-testid=board-need-{need.pk}]")
    # Large type and no navigation chrome on the projector.
    assert board.locator("nav").count() == 0
    assert board.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)") >= 32
    assert board.evaluate("document.documentElement.scrollWidth") <= 1280

    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone_ctx.add_cookies([session_cookie(world.liaison, live_server.url)])
    phone = phone_ctx.new_page()
    phone.goto(f"{live_server.url}/meetings/{meeting.pk}/claim/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click(f"[data-testid=claim-{need.pk}]")
    phone.wait_for_load_state()
    assert "认领成功" in phone.inner_text("main")
    clicked = time.monotonic()

    board.wait_for_function(
        f"name => document.querySelector('[data-testid=board-need-{need.pk}]').innerText.includes(name)",
        arg=world.unit.name,
        timeout=2000,
    )
    assert time.monotonic() - clicked < 2.0

    # The need is now fully claimed: a second unit is refused on its phone and the board stays right.
    late_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    late_ctx.add_cookies([session_cookie(late_liaison, live_server.url)])
    late = late_ctx.new_page()
    late.goto(f"{live_server.url}/meetings/{meeting.pk}/claim/")
    assert "已认领满" in late.inner_text(f"[data-testid=need-{need.pk}]")
    assert late.locator(f"[data-testid=claim-{need.pk}]").count() == 0
    time.sleep(1.2)
    assert board.locator(f"[data-testid=board-need-{need.pk}] [data-testid=board-claim]").count() == 1


def test_board_shows_reconnecting_and_resumes(live_server, browser):
    world = make_world()
    meeting = make_meeting(world)
    need = board_need(world, meeting, quantity=2)
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    ctx.add_cookies([session_cookie(world.staff, live_server.url)])
    board = ctx.new_page()
    board.goto(f"{live_server.url}/meetings/{meeting.pk}/board/")
    board.wait_for_selector(f"[data-testid=board-need-{need.pk}]")
    ctx.set_offline(True)
    board.wait_for_selector("[data-testid=reconnecting]", state="visible", timeout=5000)
    from lianjian.meetings import services

    services.meeting_claim_create(actor=world.liaison, meeting=meeting, need=need, organisation=world.unit)
    ctx.set_offline(False)
    board.wait_for_selector("[data-testid=reconnecting]", state="hidden", timeout=5000)
    board.wait_for_function(
        "name => document.body.innerText.includes(name)", arg=world.unit.name, timeout=3000
    )
