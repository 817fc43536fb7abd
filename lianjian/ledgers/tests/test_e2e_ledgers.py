"""On a phone, staff import a needs sheet: a bad row is reported, the fixed file goes in."""

from __future__ import annotations

import pytest

from lianjian.lists.models import Need
from lianjian.testing import PASSWORD, make_world
from lianjian.testing.e2e import PHONE, login

from .helpers import xlsx

HEADERS = ["需求标题", "类别", "受益群体", "需求数量", "数量单位", "联系电话", "状态"]


def sheet(path, rows):  # type: ignore[no-untyped-def]
    path.write_bytes(xlsx(HEADERS, rows).getvalue())
    return str(path)


def upload(page, base_url: str, file: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/ledgers/")
    form = page.get_by_test_id("ledger-upload")
    form.locator("select[name=kind]").select_option("needs")
    form.locator("input[name=file]").set_input_files(file)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.e2e
def test_staff_fix_a_bad_row_and_import_needs_on_a_phone(live_server, transactional_db, browser, tmp_path,
                                                          settings):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    good = ["独居老人助餐", "助老敬老", "老人", 30, "人", "13800138000", "已发布"]
    bad = ["辖区失业人员再就业", "天文", "失业人员", 40, "人", "13800138001", "已发布"]
    fixed = ["辖区失业人员再就业", "就业创业", "失业人员", 40, "人", "13800138001", "已发布"]

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, live_server.url, world.staff.username, PASSWORD)

    upload(page, live_server.url, sheet(tmp_path / "needs.xlsx", [good, bad]))
    expect(page.get_by_test_id("import-summary")).to_contain_text("未写入任何数据")
    error = page.get_by_test_id("import-error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("3")
    expect(error).to_contain_text("类别")
    expect(error).to_contain_text("“天文”不是有效的选项")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not Need.objects.exists()

    upload(page, live_server.url, sheet(tmp_path / "needs-fixed.xlsx", [good, fixed]))
    expect(page.get_by_test_id("import-summary")).to_contain_text("检查通过")
    expect(page.get_by_test_id("import-rows")).to_contain_text("辖区失业人员再就业")
    assert not Need.objects.exists()  # the preview writes nothing
    page.get_by_test_id("import-confirm").click()
    expect(page.locator(".messages")).to_contain_text("导入成功：已写入 2 条需求清单")

    page.goto(f"{live_server.url}/lists/?q=失业")
    rows = page.get_by_test_id("need-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("辖区失业人员再就业")
    context.close()

    need = Need.objects.get(title="辖区失业人员再就业")
    assert need.community == world.community and need.category.name == "就业创业"


@pytest.mark.e2e
def test_staff_export_and_import_the_export_back_on_a_phone(live_server, transactional_db, browser, tmp_path,
                                                              settings):
    """The exported needs ledger goes straight back in: every row matched, nothing written twice."""
    from playwright.sync_api import expect

    from lianjian.ledgers.services import ledger_import

    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    rows = [["独居老人助餐", "助老敬老", "老人", 30, "人", "13800138000", "已发布"],
            ["辖区失业人员再就业", "就业创业", "失业人员", 40, "人", "13800138001", "待审核"]]
    assert ledger_import(actor=world.staff, kind="needs", community=world.community,
                         file=xlsx(HEADERS, rows)).ok

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True)
    page = context.new_page()
    login(page, live_server.url, world.staff.username, PASSWORD)
    page.goto(f"{live_server.url}/ledgers/")
    export = page.get_by_test_id("ledger-export")
    export.locator("select[name=kind]").select_option("needs")
    with page.expect_download() as download:
        export.locator("button[type=submit]").click()
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)

    upload(page, live_server.url, str(path))
    expect(page.get_by_test_id("import-summary")).to_contain_text("2 条与平台一致")
    expect(page.get_by_test_id("import-rows")).to_contain_text("无变化")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "ledger-reimport.png"), full_page=True)
    page.get_by_test_id("import-confirm").click()
    expect(page.locator(".messages")).to_contain_text("2 条与平台一致无需修改")
    context.close()
    assert Need.objects.count() == 2
