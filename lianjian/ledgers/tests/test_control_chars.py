"""Control characters: an import row carrying one is a row error; legacy rows that already hold
one (written before the validators, here with ``queryset.update``) still export as a workbook that opens."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lianjian.ledgers.kinds import KINDS
from lianjian.ledgers.selectors import ledger_export
from lianjian.ledgers.services import ledger_import
from lianjian.lists.models import Need, Resource
from lianjian.orgs.models import Organisation
from lianjian.projects.models import Project

from . import test_needs, test_projects, test_resources, test_units
from .helpers import saved, xlsx

pytestmark = pytest.mark.django_db


def test_an_import_row_with_a_control_character_is_a_row_error(world):
    # XML cannot carry C0 controls other than tab and line breaks, but DEL and the C1 controls
    # (U+007F-U+009F) pass through a workbook untouched.
    rows = [test_needs.need_row("正常需求"), test_needs.need_row("坏\u007f需求"),
            test_needs.need_row("第二行\n标题"), test_needs.need_row("单位\u0085甲", 数量单位="人\u009b")]
    report = ledger_import(actor=world.staff, kind="needs", community=world.community,
                           file=xlsx(test_needs.HEADERS, rows))
    by = {(e.row, e.column): e.message for e in report.errors}
    assert "控制字符" in by[(3, "需求标题")] and "U+007F" in by[(3, "需求标题")]
    assert "一行" in by[(4, "需求标题")]
    assert "U+009B" in by[(5, "数量单位")] and "U+0085" in by[(5, "需求标题")]
    assert set(by) == {(3, "需求标题"), (4, "需求标题"), (5, "需求标题"), (5, "数量单位")}
    assert not Need.objects.exists()


def legacy_world(world):  # type: ignore[no-untyped-def]
    """One row of every kind, then control characters slipped in behind the validators' back."""
    for kind, module, rows in (
        ("resources", test_resources, [test_resources.resource_row("岗位", world.unit.name)]),
        ("needs", test_needs, [test_needs.need_row("需求", 提出单位=world.unit.name)]),
        ("projects", test_projects, [test_projects.project_row("项目", world.unit.name)]),
    ):
        report = ledger_import(actor=world.staff, kind=kind, community=world.community,
                               file=xlsx(module.HEADERS, rows))
        assert report.ok, report.errors
    Need.objects.update(title="需求\u0001标题", description="描述\u0007\x1b[31m", place="=1+2")
    Resource.objects.update(title="岗位\u0007", description="\u0085说明")
    Project.objects.update(title="项目\u0007名称", plan="计划\u0002")
    Organisation.objects.filter(pk=world.unit.pk).update(short_name="单位\u0001", address="地址\u0007")
    return world


@pytest.mark.parametrize("kind", KINDS)
def test_legacy_control_characters_export_and_open(world, kind):
    legacy_world(world)
    data = saved(ledger_export(user=world.staff, kind=kind, community=world.community))
    rows = list(load_workbook(io.BytesIO(data.getvalue())).worksheets[0].iter_rows(values_only=True))
    text = "".join(str(v) for row in rows for v in row if v is not None)
    assert len(rows) >= 2 and not any(ch in text for ch in "\u0002\u0001\u0007\u001b\u0085")
    if kind == "needs":
        record = dict(zip(rows[0], rows[1], strict=True))
        assert record["需求标题"] == "需求标题" and record["地点"] == "=1+2"  # text, not a formula


def test_legacy_rows_download_through_the_pages(client, world):
    legacy_world(world)
    client.force_login(world.staff)
    for kind in KINDS:
        response = client.get(reverse("ledgers:export"), {"kind": kind, "community": world.community.pk})
        assert response.status_code == 200, kind
        load_workbook(io.BytesIO(response.content))
    response = client.get(reverse("matching:sheet", args=[world.community.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert any(row[0] == "需求标题" for row in sheet.iter_rows(min_row=2, values_only=True))


def test_units_export_round_trips_with_legacy_text_cleaned(world):
    """Sanity for the units kind: a legacy short name comes out without the control character."""
    legacy_world(world)
    data = saved(ledger_export(user=world.staff, kind="units", community=world.community))
    rows = list(load_workbook(io.BytesIO(data.getvalue())).worksheets[0].iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["简称"] == "单位" and record["地址"] == "地址"
    assert test_units.HEADERS[0] in rows[0]
