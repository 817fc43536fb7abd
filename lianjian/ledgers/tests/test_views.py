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
