"""The meeting sign-in QR renders on a phone and decodes to the sign-in link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lianjian.testing import PASSWORD
from lianjian.testing.e2e import DESKTOP, PHONE, decode_qr, login

from .factories import make_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_sign_in_qr_on_the_meeting_page_decodes_to_the_sign_in_link(live_server, browser, world, viewport,
                                                                         tmp_path):
    meeting = make_meeting(world)
    expected = live_server.url + reverse("meetings:checkin", args=[meeting.pk, meeting.checkin_token])
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, world.staff.username, PASSWORD)
    page.goto(live_server.url + reverse("meetings:detail", args=[meeting.pk]))
    qr = page.locator("img[data-testid=qr]")
    qr.scroll_into_view_if_needed()
    page.wait_for_function("el => el.complete", arg=qr.element_handle())
    assert qr.evaluate("el => el.naturalWidth") > 0
    page.screenshot(path=str(tmp_path / "meeting.png"))
    assert decode_qr(page.screenshot()) == [expected]
    poster = page.request.get(live_server.url + reverse("meetings:qr_png", args=[meeting.pk]) + "?download=1")
    assert poster.headers["content-disposition"].startswith("attachment")
    assert decode_qr(poster.body()) == [expected]
    context.close()
