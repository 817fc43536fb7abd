"""In the browser, DEBUG off: progress photos really show, and the rating QR decodes to the rating link."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from lianjian.core.tests.test_images import gps_jpeg
from lianjian.projects.models import ProgressPhoto
from lianjian.testing import PASSWORD
from lianjian.testing.e2e import PHONE, decode_qr, login

from .factories import project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def loaded(img) -> int:
    img.scroll_into_view_if_needed()
    img.page.wait_for_function("el => el.complete", arg=img.element_handle())
    return int(img.evaluate("el => el.naturalWidth"))


def test_a_progress_photo_uploaded_from_a_phone_is_shown_with_debug_off(live_server, browser, world, tmp_path):
    assert settings.DEBUG is False
    p = project(world, title="独居老人助浴服务", status="in_progress")
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, world.liaison.username, PASSWORD)
    page.goto(live_server.url + reverse("projects:progress", args=[p.pk]))
    page.fill("textarea[name=text]", "上门为 8 位独居老人助浴")
    page.fill("input[name=happened_on]", "2024-05-10")
    page.set_input_files("input[name=photos]",
                         files=[{"name": "IMG_0001.JPG", "mimeType": "image/jpeg", "buffer": gps_jpeg()}])
    page.click("[data-testid=project-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    img = page.locator("[data-testid=timeline] img[data-testid=photo]")
    assert img.count() == 1 and loaded(img) > 0
    page.screenshot(path=str(tmp_path / "progress-photo.png"))
    # The link opens the public copy (a liaison is not staff), and it shows too.
    row = ProgressPhoto.objects.get()
    assert img.evaluate("el => el.parentElement.getAttribute('href')") == row.public_url
    page.goto(live_server.url + row.public_url)
    assert loaded(page.locator("img")) == 20  # the 40×20 photo turned upright, EXIF gone
    # An anonymous visitor sees the public copy of a project on the public board.
    anonymous = browser.new_context(viewport=PHONE).new_page()
    anonymous.goto(live_server.url + row.thumbnail_url)
    assert loaded(anonymous.locator("img")) > 0
    context.close()


def test_the_rating_qr_on_the_project_page_decodes_to_the_rating_link(live_server, browser, world):
    p = project(world, title="助老服务", status="completed")
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, world.staff.username, PASSWORD)
    page.goto(live_server.url + p.get_absolute_url())
    qr = page.locator("img[data-testid=qr]")
    assert loaded(qr) > 0
    assert decode_qr(qr.screenshot()) == [live_server.url + p.get_public_url()]
    # The PNG for printing carries the same link.
    png = page.request.get(live_server.url + reverse("projects:qr", args=[p.pk, "png"]))
    assert decode_qr(png.body()) == [live_server.url + p.get_public_url()]
    context.close()
