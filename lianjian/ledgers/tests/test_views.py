"""The ledger pages: template download, export, upload → preview → confirm, scope."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from lianjian.core.models import Activity
from lianjian.orgs.models import Organisation, Partnership

from .helpers import read_rows, xlsx
from .test_units import HEADERS, unit_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def upload(client, world, rows, *, community=None, name="units.xlsx"):  # type: ignore[no-untyped-def]
    data = xlsx(HEADERS, rows)
    data.name = name
    return client.post(reverse("ledgers:upload"), {
        "kind": "units", "community": (community or world.community).pk, "file": data})


def test_index_is_for_staff_and_listed_in_nav(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("ledgers:index")).status_code == 403
    client.force_login(world.staff)
    page = client.get(reverse("ledgers:index")).content.decode()
    assert "台账导入导出" in page and f'href="{reverse("ledgers:index")}"' in page
    assert world.community.name in page and world.other_community.name not in page


def test_template_and_export_downloads(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("ledgers:template", args=["units"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert read_rows(response.content)[0][0] == "单位名称"
    response = client.get(reverse("ledgers:export"), {"kind": "units", "community": world.community.pk})
    assert response.status_code == 200
    assert any(r[0] == world.unit.name for r in read_rows(response.content))
    # Another community's ledger is out of scope.
    response = client.get(reverse("ledgers:export"), {"kind": "units", "community": world.other_community.pk})
    assert response.status_code == 404


def test_upload_preview_confirm_writes_once(client, world):
    """Upload shows the rows to be created and writes nothing; confirm writes them all."""
    client.force_login(world.staff)
    response = upload(client, world, [unit_row("网页单位甲"), unit_row("网页单位乙")])
    page = response.content.decode()
    assert response.status_code == 200 and "网页单位甲" in page and "确认导入 2 行" in page
    assert not Organisation.objects.filter(name="网页单位甲").exists()
    token = response.context["token"]
    stored = [p for p in default_storage.listdir("imports")[1] if p.endswith(".xlsx")]
    assert stored  # the upload waits under MEDIA_ROOT/imports/
    response = client.post(reverse("ledgers:confirm"), {"token": token}, follow=True)
    assert "导入成功：已写入 2 条联建单位" in response.content.decode()
    assert Partnership.objects.filter(community=world.community, organisation__name="网页单位乙").exists()
    assert Activity.objects.filter(source="import", object_repr="网页单位甲").exists()
    # The token is spent: confirming again writes nothing more.
    response = client.post(reverse("ledgers:confirm"), {"token": token}, follow=True)
    assert "已过期或无效" in response.content.decode()
    assert Organisation.objects.filter(name="网页单位甲").count() == 1


def test_preview_lists_every_row_error_and_offers_no_confirm(client, world):
    client.force_login(world.staff)
    rows = [unit_row("好"), unit_row("坏", 联系电话="999"), unit_row("", 单位类型="")]
    response = upload(client, world, rows)
    page = response.content.decode()
    assert "未写入任何数据" in page and "import-confirm" not in page
    errors = {(e.row, e.column) for e in response.context["report"].errors}
    assert errors == {(3, "联系电话"), (4, "单位名称"), (4, "单位类型")}
    assert "请输入 11 位中国大陆手机号" in page
    assert not Organisation.objects.filter(name="好").exists()


def test_not_excel_upload_gives_a_form_error(client, world):
    client.force_login(world.staff)
    bad = io.BytesIO(b"just text")
    bad.name = "notes.xlsx"
    response = client.post(reverse("ledgers:upload"), {"kind": "units", "community": world.community.pk,
                                                       "file": bad})
    assert response.status_code == 400 and "不是 Excel" in response.content.decode()


def test_staff_cannot_upload_or_confirm_for_another_community(client, world):
    client.force_login(world.staff)
    response = upload(client, world, [unit_row("越权单位")], community=world.other_community)
    assert response.status_code == 400
    assert not Organisation.objects.filter(name="越权单位").exists()
    # A token issued to someone else is refused.
    client.force_login(world.other_staff)
    token = upload(client, world, [unit_row("他人单位")], community=world.other_community).context["token"]
    client.force_login(world.staff)
    response = client.post(reverse("ledgers:confirm"), {"token": token}, follow=True)
    assert "已过期或无效" in response.content.decode()
    assert not Organisation.objects.filter(name="他人单位").exists()
    response = client.post(reverse("ledgers:confirm"), {"token": token[:-3] + "abc"}, follow=True)
    assert "已过期或无效" in response.content.decode()


def test_preview_caps_errors_and_offers_the_full_report(client, world):
    """600 bad rows: the page lists 500 errors, says how many more, and the report has all 600."""
    client.force_login(world.staff)
    response = upload(client, world, [unit_row(f"坏电话单位{i}", 联系电话="123") for i in range(600)],
                      name="big.xlsx")
    page = response.content.decode()
    assert response.status_code == 200 and page.count('data-testid="import-error"') == 500
    assert "另有 100 条错误未显示，请下载错误报告" in page
    assert "import-confirm" not in page
    token = response.context["errors_token"]
    assert token and f"?token={token}" in page.replace("%3A", ":")
    report = client.get(reverse("ledgers:errors"), {"token": token})
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxml")
    assert "big-" in report["Content-Disposition"]
    rows = read_rows(b"".join(report.streaming_content))
    assert rows[0] == ("行号", "列", "原因")
    errors = [r for r in rows[1:] if r[0]]
    assert len(errors) == 600 and errors[0] == (2, "联系电话", "请输入 11 位中国大陆手机号。")
    assert errors[-1][0] == 601
    assert "未写入任何数据" in rows[-1][2]
    # The report is the uploader's: someone else, a forged token or a resident gets nothing.
    client.force_login(world.other_staff)
    assert client.get(reverse("ledgers:errors"), {"token": token}).status_code == 404
    client.force_login(world.staff)
    assert client.get(reverse("ledgers:errors"), {"token": token[:-2] + "xx"}).status_code == 404
    client.force_login(world.resident)
    assert client.get(reverse("ledgers:errors"), {"token": token}).status_code == 403


def test_few_errors_are_all_shown_with_the_report_link(client, world):
    client.force_login(world.staff)
    response = upload(client, world, [unit_row("好"), unit_row("坏", 联系电话="999")])
    page = response.content.decode()
    assert page.count('data-testid="import-error"') == 1 and "未显示" not in page
    assert 'data-testid="error-report"' in page
    # A rejected upload is not kept; only its error report waits in imports/.
    files = default_storage.listdir("imports")[1]
    assert files and all(f.startswith("errors-") for f in files)


def test_resources_upload_preview_confirm(client, world):
    from lianjian.lists.models import Resource

    from .test_resources import HEADERS as RESOURCE_HEADERS
    from .test_resources import resource_row

    client.force_login(world.staff)
    data = xlsx(RESOURCE_HEADERS, [resource_row("网页资源", world.unit.name)])
    response = client.post(reverse("ledgers:upload"), {"kind": "resources", "community": world.community.pk,
                                                       "file": data})
    page = response.content.decode()
    assert response.status_code == 200 and "网页资源" in page and "确认导入 1 行" in page
    assert not Resource.objects.exists()
    response = client.post(reverse("ledgers:confirm"), {"token": response.context["token"]}, follow=True)
    assert "导入成功：已写入 1 条资源清单" in response.content.decode()
    resource = Resource.objects.get(title="网页资源")
    assert list(resource.communities.all()) == [world.community]
    assert Activity.objects.for_object(resource).get().source == "import"


def test_template_download_for_a_community(client, world):
    client.force_login(world.staff)
    page = client.get(reverse("ledgers:index")).content.decode()
    url = reverse("ledgers:template", args=["resources"])
    assert f'{url}?community={world.community.pk}"' in page  # staff of one community
    response = client.get(url, {"community": world.community.pk})
    from openpyxl import load_workbook

    options = load_workbook(io.BytesIO(response.content))["选项"]
    assert world.unit.name in [v for row in options.iter_rows(values_only=True) for v in row]
    assert client.get(url, {"community": world.other_community.pk}).status_code == 404
    assert client.get(url, {"community": "x"}).status_code == 404
    assert client.get(reverse("ledgers:template", args=["nothing"])).status_code == 404
