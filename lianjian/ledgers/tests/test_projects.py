"""The projects ledger: rows go through project_create; the export opens with openpyxl."""

from __future__ import annotations

import datetime as dt
import decimal
import io

import pytest
from openpyxl import load_workbook

from lianjian.ledgers.selectors import ledger_export
from lianjian.ledgers.services import ledger_import
from lianjian.projects.models import Project

from .helpers import saved, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["项目名称", "类别", "年度", "牵头单位", "协办单位", "资金预算（元）", "开始日期", "计划结束", "状态"]


def project_row(title, lead, **over):  # type: ignore[no-untyped-def]
    row = {"项目名称": title, "类别": "文化教育", "年度": 2025, "牵头单位": lead, "协办单位": "",
           "资金预算（元）": "5,000.50", "开始日期": "2025/3/1", "计划结束": "2025-12-31", "状态": "计划中"}
    row.update(over)
    return [row[h] for h in HEADERS]


def test_projects_import_and_export_round_trip(world):
    report = ledger_import(actor=world.staff, kind="projects", community=world.community,
                           file=xlsx(HEADERS, [project_row("非遗文化进校园", world.unit.name)]))
    assert report.ok, report.errors
    project = Project.objects.get(title="非遗文化进校园")
    assert project.lead_org == world.unit and project.budget == decimal.Decimal("5000.50")
    assert project.start_date == dt.date(2025, 3, 1) and project.status == "planned"
    data = saved(ledger_export(user=world.staff, kind="projects", community=world.community))
    ws = load_workbook(io.BytesIO(data.getvalue())).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["项目名称"] == "非遗文化进校园" and record["牵头单位"] == world.unit.name
    assert record["开始日期"] == dt.datetime(2025, 3, 1) and record["状态"] == "计划中"
    again = ledger_import(actor=world.staff, kind="projects", community=world.community,
                          file=io.BytesIO(data.getvalue()))
    assert again.ok and again.unchanged == 1 and Project.objects.count() == 1  # matched by its 编号
    duplicate = ledger_import(actor=world.staff, kind="projects", community=world.community,
                              file=xlsx(HEADERS, [project_row("非遗文化进校园", world.unit.name)]))
    assert [e.column for e in duplicate.errors] == ["项目名称"]  # no 编号, same title and year: a duplicate


def test_projects_need_partner_units_and_ordered_dates(world):
    report = ledger_import(actor=world.staff, kind="projects", community=world.community, file=xlsx(HEADERS, [
        project_row("外单位牵头", world.other_unit.name),
        project_row("日期颠倒", world.unit.name, 开始日期="2025-05-01", 计划结束="2025-04-01"),
        project_row("已完成的", world.unit.name, 状态="已完成"),
    ]))
    by = {(e.row, e.column): e.message for e in report.errors}
    assert "不是本社区的联建单位" in by[(2, "牵头单位")]
    assert "不能早于开始日期" in by[(3, "计划结束")]
    assert "计划中" in by[(4, "状态")]
    assert not Project.objects.filter(community=world.community).exists()
