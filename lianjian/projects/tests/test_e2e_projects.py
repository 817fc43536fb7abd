"""Browser journey on a phone: progress with a photo, completion, a resident's rating, the public board."""

import io

import pytest
from PIL import Image

from lianjian.testing import PASSWORD
from lianjian.testing.e2e import PHONE, login

from .factories import project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def png_file(name):
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 16, 46)).save(buf, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buf.getvalue()}


def fits_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_progress_completion_rating_and_board_on_a_phone(live_server, browser, world):
    p = project(world, title="独居老人助浴服务", status="in_progress")
    base = live_server.url

    # The unit's liaison reports progress with a photo from the phone.
    liaison = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = liaison.new_page()
    login(page, base, world.liaison.username, PASSWORD)
    page.click("label.nav-toggle-label")
    page.click("nav >> text=项目清单")
    page.click(f"[data-testid=project-list] >> text={p.title}")
    page.click("[data-testid=project-actions] >> text=填报进展")
    page.fill("textarea[name=text]", "上门为 8 位独居老人助浴")
    page.fill("input[name=happened_on]", "2024-05-10")
    page.fill("input[name=people_served]", "8")
    page.fill("input[name=volunteer_hours]", "6")
    page.set_input_files("input[name=photos]", files=[png_file("bath.png")])
    assert fits_phone(page)
    page.click("[data-testid=project-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "进展已提交" in page.content()
    timeline = page.locator("[data-testid=timeline]")
    assert "上门为 8 位独居老人助浴" in timeline.inner_text()
    assert timeline.locator("img").count() == 1
    assert page.locator("[data-testid=people-served]").inner_text() == "8"
    liaison.close()

    # Community staff complete it with evidence; the QR code and public link appear.
    staff = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = staff.new_page()
    login(page, base, world.staff.username, PASSWORD)
    page.goto(f"{base}/projects/{p.pk}/")
    page.click("[data-testid=project-actions] >> text=完成项目")
    page.fill("input[name=completed_on]", "2024-05-20")
    page.click("[data-testid=project-form] button[type=submit]")  # no summary, no photo
    page.wait_for_load_state("networkidle")
    assert "请填写完成总结" in page.content() and "请上传至少一张完成证明照片" in page.content()
    page.fill("textarea[name=summary]", "全年助浴 8 位老人，家属满意")
    page.set_input_files("input[name=photos]", files=[png_file("done.png")])
    page.click("[data-testid=project-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status=completed]").first.is_visible()
    assert page.locator("[data-testid=qr]").is_visible()
    public_link = page.locator("[data-testid=public-link]").inner_text().strip()
    assert public_link.endswith(f"/r/{p.public_token}/")
    assert fits_phone(page)
    staff.close()

    # A resident opens the link from the QR code (no log-in) and rates it once.
    resident = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = resident.new_page()
    page.goto(public_link)
    page.click("[data-testid=star-5]")
    page.fill("textarea[name=comment]", "服务很贴心")
    page.click("[data-testid=rating-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=rating-thanks]").is_visible()
    page.goto(public_link)
    page.click("[data-testid=star-3]")
    page.click("[data-testid=rating-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "您已经评价过这个项目了" in page.content()
    assert fits_phone(page)

    # The community's public board shows the project, completed and rated.
    page.goto(f"{base}/board/{world.community.code}/")
    board = page.locator("[data-testid=board-projects]").inner_text()
    assert p.title in board and "已完成" in board and "★ 5.0" in board
    assert fits_phone(page)
    resident.close()
