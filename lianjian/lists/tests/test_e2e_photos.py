"""In the browser, DEBUG off: a need photo posted on the need form shows, and a hostile file gets a message.

Residents post through their short form, which uses the same PhotoField (see test_photos.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lianjian.core.tests.test_images import gps_jpeg, png_bomb
from lianjian.lists.models import Need
from lianjian.testing import PASSWORD
from lianjian.testing.e2e import PHONE, login

from .factories import category

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def fill_need(page, world) -> None:
    page.select_option("select[name=community]", str(world.community.pk))
    page.fill("input[name=title]", "楼道灯坏了")
    page.select_option("select[name=category]", str(category().pk))
    page.fill("input[name=quantity_needed]", "1")
    page.fill("input[name=quantity_unit]", "项")


def test_a_need_photo_posted_from_a_phone_shows_on_the_need_page(live_server, browser, world, tmp_path):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, world.staff.username, PASSWORD)
    page.goto(live_server.url + reverse("lists:need_create"))
    fill_need(page, world)
    page.set_input_files("input[name=photo]", files=[{"name": "bomb.png", "mimeType": "image/png",
                                                      "buffer": png_bomb()}])
    page.click("[data-testid=need-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "尺寸过大" in page.content() and not Need.objects.exists()
    page.set_input_files("input[name=photo]", files=[{"name": "light.jpg", "mimeType": "image/jpeg",
                                                      "buffer": gps_jpeg()}])
    page.click("[data-testid=need-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    img = page.locator("img[data-testid=photo]")
    img.scroll_into_view_if_needed()
    page.wait_for_function("el => el.complete", arg=img.element_handle())
    assert img.evaluate("el => el.naturalWidth") > 0
    page.screenshot(path=str(tmp_path / "need-photo.png"))
    context.close()
