"""The units ledger and the import engine: all rows or nothing, row-level Chinese errors."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from lianjian.core.models import Activity
from lianjian.ledgers.selectors import ledger_export, ledger_template
from lianjian.ledgers.services import LedgerFileError, ledger_import
from lianjian.orgs.models import Organisation, Partnership

from .helpers import read_rows, saved, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["单位名称", "简称", "单位类型", "党组织名称", "党员人数", "职工人数", "联系电话", "联建开始日期"]


def unit_row(name: str, **over):  # type: ignore[no-untyped-def]
    row = {"单位名称": name, "简称": "", "单位类型": "国有企业", "党组织名称": f"{name}党支部",
           "党员人数": 12, "职工人数": 80, "联系电话": 13912345678, "联建开始日期": "2025/1/10"}
    row.update(over)
    return [row[h] for h in HEADERS]


def run(world, rows, *, actor=None, community=None, dry_run=False, headers=HEADERS):  # type: ignore[no-untyped-def]
    return ledger_import(actor=actor or world.staff, kind="units", community=community or world.community,
                         file=xlsx(headers, rows), dry_run=dry_run)


def test_template_has_headers_dropdowns_and_instructions():
    """The blank template is a real workbook: Chinese headers, frozen, drop-downs, a 说明 sheet."""
    wb = load_workbook(saved(ledger_template(kind="units")))
    ws = wb["联建单位"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["单位名称", "简称", "单位类型"]
    assert "党组织名称" in headers and "联系电话" in headers
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1  # no empty formatted rows that would read back as data
    kinds = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
    assert "C2" in kinds  # 单位类型 offers a drop-down
    options = [r[0] for r in wb["选项"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert "国有企业" in options and "state_owned" not in options
    help_rows = [r for r in wb["说明"].iter_rows(values_only=True)]
    described = {r[0]: r for r in help_rows}
    assert described["单位名称"][1] == "必填" and described["简称"][1] == "选填"
    assert "国有企业" in described["单位类型"][3]
    assert "2025-01-10" in described["联建开始日期"][2]


def test_import_creates_units_partnerships_and_audit(world):
    """Good rows become units and partnerships; phone numbers that Excel made numbers and text dates work."""
    report = run(world, [unit_row("锦江供电公司", 联建开始日期="2025年1月10日"),
                         unit_row("春熙路小学", 单位类型="学校", 联系电话="139-1234-5679",
                                  联建开始日期=dt.datetime(2024, 3, 1))])
    assert report.ok, report.errors
    assert report.created == 2
    org = Organisation.objects.get(name="锦江供电公司")
    assert org.contact_phone == "13912345678" and org.region == world.community
    assert org.party_member_count == 12
    p = Partnership.objects.get(organisation=org)
    assert p.community == world.community and p.start_date == dt.date(2025, 1, 10)
    assert Partnership.objects.get(organisation__name="春熙路小学").start_date == dt.date(2024, 3, 1)
    assert Activity.objects.for_object(org).get().source == "import"
    batch = Activity.objects.for_object(world.community).filter(action="ledger_import", source="import")
    assert batch.exists()


def test_one_bad_row_writes_nothing_and_every_error_is_reported(world):
    """Mixed good and bad rows: nothing is written; each bad cell is reported with row, header, reason."""
    before = Organisation.objects.count()
    report = run(world, [
        unit_row("好单位甲"),
        unit_row("坏电话单位", 联系电话="12345"),
        unit_row("", 单位类型="外星企业"),
        unit_row("好单位乙"),
        unit_row("坏日期单位", 联建开始日期="2025-13-45", 党员人数="很多"),
    ])
    assert not report.ok and report.created == 0
    assert Organisation.objects.count() == before
    got = {(e.row, e.column) for e in report.errors}
    assert got == {(3, "联系电话"), (4, "单位名称"), (4, "单位类型"), (6, "联建开始日期"), (6, "党员人数")}
    by = {(e.row, e.column): e.message for e in report.errors}
    assert "11 位" in by[(3, "联系电话")]
    assert "必填" in by[(4, "单位名称")]
    assert "外星企业" in by[(4, "单位类型")] and "国有企业" in by[(4, "单位类型")]
    assert "日期" in by[(6, "联建开始日期")] and "整数" in by[(6, "党员人数")]
    assert report.bad_rows == 3


def test_not_excel_and_legacy_xls_are_refused(world):
    """A CSV renamed .xlsx or an old .xls gives a clear message and writes nothing."""
    cases = ((b"name,kind\n\xe5\x8d\x95,x\n", "不是 Excel"), (b"\xd0\xcf\x11\xe0" + b"\0" * 100, r"\.xls"))
    for data, hint in cases:
        with pytest.raises(LedgerFileError, match=hint):
            ledger_import(actor=world.staff, kind="units", community=world.community, file=io.BytesIO(data))
    broken = io.BytesIO(b"PK\x03\x04 not really a zip")
    with pytest.raises(LedgerFileError):
        ledger_import(actor=world.staff, kind="units", community=world.community, file=broken)


def test_wrong_or_missing_headers_are_refused(world):
    """Headers of another kind, unknown columns or a missing required column stop the import."""
    with pytest.raises(LedgerFileError, match="缺少必填列：单位类型"):
        run(world, [["甲单位"]], headers=["单位名称"])
    with pytest.raises(LedgerFileError, match="电话号码"):
        run(world, [["甲单位", "学校", "x"]], headers=["单位名称", "单位类型", "电话号码"])
    with pytest.raises(LedgerFileError, match="没有找到"):
        run(world, [["x", "y"]], headers=["需求标题", "类别名"])
    assert not Organisation.objects.filter(name="甲单位").exists()


def test_headers_tolerate_stars_spaces_and_serial_column(world):
    report = run(world, [[1, "星号单位", "学校"]], headers=["序号", "单位名称 *", " 单位类型"])
    assert report.ok and report.created == 1


def test_empty_rows_are_skipped_and_counted(world):
    report = run(world, [unit_row("空行前"), [None] * len(HEADERS), ["", "  ", None], unit_row("空行后")])
    assert report.ok and report.created == 2 and report.empty_rows == 2
    assert "跳过 2 个空行" in report.summary()
    with pytest.raises(LedgerFileError, match="没有数据行"):
        run(world, [])


def test_duplicates_within_file_and_against_database(world):
    """The same unit twice in one file is an error; a unit already partnered here is that record (an update)."""
    report = run(world, [unit_row("重复单位"), unit_row("重复单位"), unit_row(world.unit.name),
                         unit_row(world.unit.name)])
    errors = {(e.row, e.column): e.message for e in report.errors}
    assert errors[(3, "单位名称")] == "与第 2 行重复。"
    assert errors[(5, "单位名称")] == "与第 4 行是同一条记录。"
    assert set(errors) == {(3, "单位名称"), (5, "单位名称")}
    assert [p.action for p in report.plans if p.row == 4] == ["更新"]
    assert not Organisation.objects.filter(name="重复单位").exists()


def test_existing_unit_of_another_community_is_linked_not_duplicated(world):
    report = run(world, [unit_row(world.sibling_unit.name)], actor=world.street_admin)
    assert report.ok and report.plans[0].action == "关联已有单位"
    assert Partnership.objects.filter(community=world.community, organisation=world.sibling_unit).exists()
    assert Organisation.objects.filter(name=world.sibling_unit.name).count() == 1


def test_dry_run_validates_and_writes_nothing(world):
    before = (Organisation.objects.count(), Partnership.objects.count(), Activity.objects.count())
    report = run(world, [unit_row("试运行单位")], dry_run=True)
    assert report.ok and len(report.plans) == 1 and report.created == 0
    assert "试运行" in report.summary()
    assert (Organisation.objects.count(), Partnership.objects.count(), Activity.objects.count()) == before


def test_staff_cannot_import_into_another_community(world):
    with pytest.raises(PermissionDenied):
        run(world, [unit_row("越权单位")], actor=world.staff, community=world.other_community)
    with pytest.raises(PermissionDenied):
        run(world, [unit_row("越权单位")], actor=world.liaison)
    assert not Organisation.objects.filter(name="越权单位").exists()


def test_round_trip_export_then_import(world):
    """An export reads back with the same columns: into another community it links the same units."""
    run(world, [unit_row("往返单位", 简称="往返", 联系电话="13700001234", 联建开始日期="2024-05-06")])
    data = saved(ledger_export(user=world.staff, kind="units", community=world.community))
    rows = read_rows(data.getvalue())
    header, body = rows[0], rows[1:]
    record = dict(zip(header, next(r for r in body if r[0] == "往返单位"), strict=True))
    assert record["联系电话"] == "13700001234"  # text, not a number
    assert record["联建开始日期"] == dt.datetime(2024, 5, 6)  # a real date
    assert record["单位类型"] == "国有企业"
    # The same file into the same community: every unit is matched, nothing changes.
    again = ledger_import(actor=world.staff, kind="units", community=world.community,
                          file=io.BytesIO(data.getvalue()))
    assert again.ok and again.unchanged == len(body) and again.created == again.updated == 0
    # Into a sibling community: the units are linked, none duplicated.
    moved = ledger_import(actor=world.street_admin, kind="units", community=world.sibling,
                          file=io.BytesIO(data.getvalue()))
    assert moved.ok, moved.errors
    assert Partnership.objects.filter(community=world.sibling, organisation__name="往返单位").exists()


def test_ten_thousand_bad_rows_are_all_reported_quickly(world):
    rows = [unit_row(f"单位{i}", 联系电话="123") for i in range(10_000)]
    report = run(world, rows)
    assert report.bad_rows == 10_000 and report.created == 0
    assert report.errors[-1].row == 10_001
    assert not Organisation.objects.filter(name="单位1").exists()


# ---- the commands ----------------------------------------------------------------------------------

def test_cli_template_import_export(world, tmp_path, capsys):
    template = tmp_path / "units.xlsx"
    call_command("template", "units", "-o", str(template))
    assert load_workbook(template).sheetnames[:1] == ["联建单位"]
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(HEADERS, [unit_row("命令行单位")]).getvalue())
    call_command("import", "units", str(good), "--community", world.community.name, "--dry-run")
    assert not Organisation.objects.filter(name="命令行单位").exists()
    assert "第 2 行" in capsys.readouterr().out
    call_command("import", "units", str(good), "--community", world.community.full_name)
    assert Organisation.objects.filter(name="命令行单位").exists()
    out = tmp_path / "out.xlsx"
    call_command("export", "units", "--community", world.community.name, "-o", str(out))
    assert any(r[0] == "命令行单位" for r in read_rows(out.read_bytes()))


def test_cli_reports_bad_rows_on_stderr_and_fails(world, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(HEADERS, [unit_row("甲"), unit_row("乙", 联系电话="1")]).getvalue())
    with pytest.raises(CommandError) as exc:
        call_command("import", "units", str(bad), "--community", world.community.name)
    assert exc.value.returncode == 1 and "未写入任何数据" in str(exc.value)
    assert "第 3 行【联系电话】" in capsys.readouterr().err
    assert not Organisation.objects.filter(name="甲").exists()


def test_cli_unknown_community_lists_close_matches(world, tmp_path):
    path = tmp_path / "u.xlsx"
    path.write_bytes(xlsx(HEADERS, [unit_row("某单位")]).getvalue())
    with pytest.raises(CommandError, match=r"您是不是要找：.*甲一社区"):
        call_command("import", "units", str(path), "--community", "甲一")
    with pytest.raises(CommandError, match="找不到社区"):
        call_command("export", "units", "--community", "不存在的地方", "-o", str(tmp_path / "x.xlsx"))


def test_cli_user_scope(world, tmp_path):
    path = tmp_path / "u.xlsx"
    path.write_bytes(xlsx(HEADERS, [unit_row("某单位")]).getvalue())
    with pytest.raises(CommandError, match="找不到社区"):
        call_command("import", "units", str(path), "--community", world.other_community.name,
                     "--user", world.staff.username)
