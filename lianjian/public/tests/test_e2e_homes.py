"""On a 390×844 phone: a resident posts a need from their home and finds it in 我的需求; an
anonymous visitor walks from the public home through the region tree to a project page."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import home_community_set
from lianjian.lists.models import Need
from lianjian.projects import services as projects
from lianjian.projects.tests.factories import png, project
from lianjian.testing import PASSWORD
from lianjian.testing.e2e import PHONE, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shots_dir(tmp_path):
    path = Path(os.environ.get("LIANJIAN_SCREENSHOTS", tmp_path))
    path.mkdir(parents=True, exist_ok=True)
    return path


def shot(page, directory, name):
    """Save a full-page screenshot and check it is not blank (a page that rendered something)."""
    target = directory / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    colours = Image.open(target).convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20, name
    return target


def fits_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def photo_file():
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buf, format="PNG")
    return {"name": "lamp.png", "mimeType": "image/png", "buffer": buf.getvalue()}


def test_resident_posts_from_home_and_follows_it(live_server, browser, world, tmp_path):
    home_community_set(actor=world.resident, community=world.community)
    out = shots_dir(tmp_path)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, live_server.url, world.resident.username, PASSWORD)
    assert page.locator("[data-testid=post-need]").is_visible()
    assert fits_phone(page)
    shot(page, out, "resident-home")

    page.click("[data-testid=post-need]")
    assert world.community.name in page.locator("[data-testid=post-community]").inner_text()
    assert page.locator("select[name=community], input[name=quantity_needed]").count() == 0
    page.fill("input[name=title]", "三单元楼道灯坏了")
    page.select_option("select[name=category]", label="安全")
    page.fill("textarea[name=description]", "晚上一片漆黑，老人上下楼不方便")
    page.fill("input[name=place]", "甲一小区 3 栋")
    page.set_input_files("input[name=photo]", files=[photo_file()])
    assert fits_phone(page)
    shot(page, out, "resident-form")
    page.click("[data-testid=resident-need-form] button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert page.locator("[data-testid=need-title]").inner_text() == "三单元楼道灯坏了"
    assert page.locator("[data-testid=journey-review]").get_attribute("data-state") == "current"
    assert "等待社区审核" in page.locator("[data-testid=journey]").inner_text()
    assert page.locator(".photos img").count() == 1
    assert fits_phone(page)
    shot(page, out, "resident-need")

    page.click("label.nav-toggle-label")
    page.click("nav >> text=我的需求")
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-testid=my-need]")
    assert rows.count() == 1 and "三单元楼道灯坏了" in rows.first.inner_text()
    assert "待审核" in rows.first.inner_text()
    shot(page, out, "resident-mine")
    need = Need.objects.get()
    assert need.community == world.community and need.requester == world.resident and need.photos.count() == 1
    context.close()


def test_visitor_walks_from_public_home_to_a_project(live_server, browser, world, tmp_path):
    p = project(world, title="独居老人助浴服务", status="in_progress", description="每月两次上门助浴")
    projects.progress_add(actor=SYSTEM, project=p, text="上门为 8 位老人助浴", happened_on=dt.date(2024, 4, 2),
                          photos=[png()])
    projects.project_complete(actor=SYSTEM, project=p, summary="全年服务 96 人次", completed_on=dt.date(2024, 12, 1),
                              photos=[png()])
    p.refresh_from_db()
    projects.rating_add(project=p, stars=5, comment="很贴心", device_hash="e2e")
    out = shots_dir(tmp_path)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url + "/")
    shot(page, out, "public-home")
    page.click(f"[data-testid=region-tree] summary >> text={world.district.name}")
    page.click(f"[data-testid=region-tree] a >> text={world.street.name}")
    page.wait_for_load_state("networkidle")
    assert fits_phone(page)
    shot(page, out, "public-street")
    page.click(f"[data-testid=communities] a >> text={world.community.name}")
    page.wait_for_load_state("networkidle")
    assert world.community.name in page.locator("h1").inner_text()
    shot(page, out, "public-community")
    page.click("[data-testid=board-link]")
    page.wait_for_load_state("networkidle")
    shot(page, out, "public-board")
    page.click(f"[data-testid=board-project-link] >> text={p.title}")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=project-title]").inner_text() == p.title
    assert "上门为 8 位老人助浴" in page.locator("[data-testid=project-progress]").inner_text()
    assert page.locator("[data-testid=project-progress] img").count() == 1
    assert "很贴心" in page.locator("[data-testid=project-ratings]").inner_text()
    assert page.locator("[data-testid=rate-link]").is_visible()
    assert fits_phone(page)
    shot(page, out, "public-project")

    # Search by name gets there too, without the tree.
    page.goto(live_server.url + "/")
    page.fill("#region-q", world.community.name)
    page.click("[data-testid=region-search] button")
    page.wait_for_load_state("networkidle")
    page.click(f"[data-testid=search-results] a >> text={world.community.name}")
    assert page.url.endswith(f"/c/{world.community.code}/")
    context.close()
