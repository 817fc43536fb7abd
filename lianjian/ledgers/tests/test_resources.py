"""The resources ledger: rows go through resource_create for the community's joint units."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from lianjian.accounts.permissions import SYSTEM
from lianjian.core.models import Activity
from lianjian.ledgers.kinds import KINDS, SPECS
from lianjian.ledgers.selectors import ledger_export, ledger_template
from lianjian.ledgers.services import ledger_import
from lianjian.lists.models import Category, Resource, ResourceStatus
from lianjian.lists.services import resource_create
from lianjian.orgs.models import Partnership, PartnershipStatus
from lianjian.orgs.services import partnership_create, partnership_set_status
from lianjian.testing import make_org

from .helpers import read_rows, saved, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["资源名称", "提供单位", "类别", "面向群体", "总量", "计量单位", "有效期起", "有效期止", "联系电话", "状态"]


def resource_row(title: str, unit: str, **over):  # type: ignore[no-untyped-def]
    row = {"资源名称": title, "提供单位": unit, "类别": "就业创业", "面向群体": "失业人员、新就业群体", "总量": 20,
           "计量单位": "个岗位", "有效期起": "2025/1/1", "有效期止": "2025年12月31日", "联系电话": 13912345678,
           "状态": "可用"}
    row.update(over)
    return [row[h] for h in HEADERS]


def run(world, rows, **kw):  # type: ignore[no-untyped-def]
    return ledger_import(actor=kw.pop("actor", world.staff), kind="resources",
                         community=kw.pop("community", world.community),
                         file=xlsx(kw.pop("headers", HEADERS), rows), **kw)


def test_every_contract_kind_is_available():
    assert set(SPECS) == set(KINDS) and SPECS["resources"].label == "资源清单"


def test_template_has_chinese_headers_dropdowns_and_help(world):
    wb = load_workbook(saved(ledger_template(kind="resources", community=world.community)))
    assert wb.sheetnames == ["资源清单", "选项", "说明"]
    ws = wb["资源清单"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["编号", "资源名称", "提供单位", "资源描述"] and "总量" in headers and "有效期止" in headers
    letter = {h: chr(ord("A") + i) for i, h in enumerate(headers)}
    validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    # Category and status must be picked; the capacity unit and the unit are offered, any text allowed.
    assert validations[f"{letter['类别']}2"].showErrorMessage
    assert validations[f"{letter['状态']}2"].showErrorMessage
    assert not validations[f"{letter['计量单位']}2"].showErrorMessage
    assert not validations[f"{letter['提供单位']}2"].showErrorMessage
    options = [v for row in wb["选项"].iter_rows(min_row=2, values_only=True) for v in row if v]
    assert "就业创业" in options and "暂停" in options and "个岗位" in options and world.unit.name in options
    assert world.other_unit.name not in options
    described = {r[0]: r for r in wb["说明"].iter_rows(values_only=True)}
    assert described["提供单位"][1] == "必填" and described["资源描述"][1] == "选填"
    assert "可用" in described["状态"][3] and "个岗位" in described["计量单位"][3]
    # The blank template (no community) still reads back: no empty rows, headers found.
    blank = ledger_template(kind="resources")
    assert blank.worksheets[0].max_row == 1


def test_import_goes_through_resource_create(world):
    report = run(world, [resource_row("2025 年装维岗位", world.unit.name),
                         resource_row("助老理发", world.unit.name, 类别="助老敬老", 面向群体="老人", 总量="12",
                                      计量单位="", 有效期起="", 有效期止="", 联系电话="", 状态="暂停")])
    assert report.ok, report.errors
    assert report.created == 2
    jobs = Resource.objects.get(title="2025 年装维岗位")
    assert jobs.organisation == world.unit and list(jobs.communities.all()) == [world.community]
    assert jobs.capacity == 20 and jobs.remaining == 20 and jobs.capacity_unit == "个岗位"
    assert jobs.valid_from == dt.date(2025, 1, 1) and jobs.valid_until == dt.date(2025, 12, 31)
    assert jobs.contact_phone == "13912345678" and jobs.category.name == "就业创业"
    assert {g.name for g in jobs.beneficiary_groups.all()} == {"失业人员", "新就业群体"}
    assert jobs.created_by == world.staff and jobs.status == ResourceStatus.ACTIVE
    haircut = Resource.objects.get(title="助老理发")
    assert haircut.capacity_unit == "人" and haircut.remaining == 12 and haircut.status == ResourceStatus.PAUSED
    log = Activity.objects.for_object(jobs).get()
    assert log.source == "import" and log.action == "create" and log.actor == world.staff
    assert set(Activity.objects.for_object(haircut).values_list("action", "source")) == {
        ("create", "import"), ("set_status", "import")}
    assert Activity.objects.for_object(world.community).filter(action="ledger_import", source="import").exists()


def test_row_errors_in_chinese_and_nothing_written(world):
    ended = make_org(region=world.community, name="已结束联建的单位")
    partnership = partnership_create(actor=SYSTEM, community=world.community, organisation=ended,
                                     start_date=dt.date(2024, 1, 1))
    partnership_set_status(actor=SYSTEM, partnership=partnership, status=PartnershipStatus.ENDED)
    unit = world.unit.name
    report = run(world, [
        resource_row("好资源", unit),
        resource_row("外社区单位", world.other_unit.name),
        resource_row("无此单位", "不存在的公司"),
        resource_row("联建已结束", ended.name),
        resource_row("零总量", unit, 总量=0),
        resource_row("负总量", unit, 总量=-3),
        resource_row("日期颠倒", unit, 有效期起="2025-06-01", 有效期止="2025-05-31"),
        resource_row("坏群体", unit, 面向群体="外星人"),
        resource_row("坏电话", unit, 联系电话="12345"),
        resource_row("坏类别", unit, 类别="天文"),
        resource_row("x" * 101, unit),
        resource_row("坏状态", unit, 状态="售罄"),
        resource_row("", unit, 总量=""),
        resource_row("过长计量单位", unit, 计量单位="个" * 11),
    ])
    assert not report.ok and report.created == 0
    assert not Resource.objects.exists()
    by = {(e.row, e.column): e.message for e in report.errors}
    assert by[(3, "提供单位")] == f"“{world.other_unit.name}”不是本社区的联建单位。"
    assert "找不到单位“不存在的公司”" in by[(4, "提供单位")]
    assert "已结束" in by[(5, "提供单位")]
    assert by[(6, "总量")] == "总量必须是大于 0 的整数。"
    assert "不能小于 0" in by[(7, "总量")]
    assert by[(8, "有效期止")] == "有效期止不能早于有效期起。"
    assert "外星人" in by[(9, "面向群体")]
    assert "11 位" in by[(10, "联系电话")]
    assert "天文" in by[(11, "类别")] and "就业创业" in by[(11, "类别")]
    assert "100" in by[(12, "资源名称")]
    assert "售罄" in by[(13, "状态")] and "暂停" in by[(13, "状态")]
    assert "必填" in by[(14, "资源名称")] and "必填" in by[(14, "总量")]
    assert "10" in by[(15, "计量单位")]
    assert report.bad_rows == 13 and 2 not in {e.row for e in report.errors}


def test_duplicates_by_unit_and_title_in_file_and_community(world):
    second = make_org(region=world.community, name="第二联建单位")
    partnership_create(actor=SYSTEM, community=world.community, organisation=second, start_date=dt.date(2024, 1, 1))
    assert run(world, [resource_row("已有资源", world.unit.name)]).ok
    # The unit offers a same-titled resource to another community only: not this ledger's duplicate.
    partnership_create(actor=SYSTEM, community=world.sibling, organisation=world.unit, start_date=dt.date(2024, 1, 1))
    resource_create(actor=SYSTEM, organisation=world.unit, title="别社区的资源", category=Category.objects.first(),
                    capacity=3, communities=[world.sibling])
    report = run(world, [
        resource_row("已有资源", world.unit.name),
        resource_row("新资源", world.unit.name),
        resource_row("新资源", "  " + world.unit.name),
        resource_row("新资源", second.name),  # another unit may use the same title
        resource_row(" 已有资源 ", second.name),
        resource_row("别社区的资源", world.unit.name),
    ])
    by = {(e.row, e.column): e.message for e in report.errors}
    assert by == {(2, "资源名称"): "该单位在本社区已有同名资源。", (4, "资源名称"): "与第 3 行重复。"}
    assert Resource.objects.count() == 2
    ok = run(world, [resource_row("新资源", world.unit.name), resource_row("新资源", second.name),
                     resource_row("别社区的资源", world.unit.name)])
    assert ok.ok, ok.errors
    assert Resource.objects.filter(title="别社区的资源", communities=world.community).count() == 1


def test_dry_run_writes_nothing(world):
    before = (Resource.objects.count(), Activity.objects.count())
    report = run(world, [resource_row("试运行资源", world.unit.name)], dry_run=True)
    assert report.ok and report.created == 0 and len(report.plans) == 1
    assert report.plans[0].label == f"试运行资源（{world.unit.name}）"
    assert (Resource.objects.count(), Activity.objects.count()) == before


def test_scope(world):
    with pytest.raises(PermissionDenied):
        run(world, [resource_row("越权资源", world.other_unit.name)], community=world.other_community)
    for actor in (world.liaison, world.resident, world.sibling_staff):
        with pytest.raises(PermissionDenied):
            run(world, [resource_row("越权资源", world.unit.name)], actor=actor)
    with pytest.raises(PermissionDenied):
        ledger_export(user=world.other_staff, kind="resources", community=world.community)
    assert not Resource.objects.filter(title="越权资源").exists()


def test_round_trip_into_another_community(world):
    """The export reads back unchanged: into a sibling community the same units offer the same resources."""
    assert run(world, [resource_row("往返资源", world.unit.name, 联系电话="13700001234")]).ok
    # Confirmed claims used some places: the export shows it, the re-import starts full.
    Resource.objects.filter(title="往返资源").update(remaining=15)
    data = saved(ledger_export(user=world.staff, kind="resources", community=world.community))
    rows = read_rows(data.getvalue())
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["资源名称"] == "往返资源" and record["提供单位"] == world.unit.name
    assert record["联系电话"] == "13700001234" and record["有效期起"] == dt.datetime(2025, 1, 1)
    assert record["面向群体"] == "失业人员、新就业群体" and record["状态"] == "可用" and record["剩余"] == 15
    # Back into the same community: matched by its 编号, unchanged.
    again = ledger_import(actor=world.staff, kind="resources", community=world.community,
                          file=io.BytesIO(data.getvalue()))
    assert again.ok and again.unchanged == 1 and again.created == 0
    # Without the 编号 the same title of the same unit is a duplicate.
    assert [e.message for e in run(world, [resource_row("往返资源", world.unit.name)]).errors] == [
        "该单位在本社区已有同名资源。"]
    # Into the sibling where the unit is a joint unit too: a new resource serving the sibling.
    partnership_create(actor=SYSTEM, community=world.sibling, organisation=world.unit, start_date=dt.date(2024, 1, 1))
    moved = ledger_import(actor=world.street_admin, kind="resources", community=world.sibling,
                          file=io.BytesIO(data.getvalue()))
    assert moved.ok, moved.errors
    copy = Resource.objects.get(title="往返资源", communities=world.sibling)
    assert copy.remaining == copy.capacity == 20 and copy.contact_phone == "13700001234"
    assert copy.valid_until == dt.date(2025, 12, 31)
    assert {g.name for g in copy.beneficiary_groups.all()} == {"失业人员", "新就业群体"}


def test_cli_template_import_export(world, tmp_path, capsys):
    template = tmp_path / "r.xlsx"
    call_command("template", "resources", "-o", str(template), "--community", world.community.name)
    assert load_workbook(template).sheetnames[0] == "资源清单"
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(HEADERS, [resource_row("命令行资源", world.unit.name)]).getvalue())
    call_command("import", "resources", str(good), "--community", world.community.name, "--dry-run")
    assert not Resource.objects.exists() and "命令行资源" in capsys.readouterr().out
    call_command("import", "resources", str(good), "--community", world.community.name)
    assert Resource.objects.filter(title="命令行资源").exists()
    out = tmp_path / "out.xlsx"
    call_command("export", "resources", "--community", world.community.name, "-o", str(out))
    assert read_rows(out.read_bytes())[1][1] == "命令行资源"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(HEADERS, [resource_row("坏", world.unit.name, 总量=0)]).getvalue())
    with pytest.raises(CommandError) as exc:
        call_command("import", "resources", str(bad), "--community", world.community.name)
    assert exc.value.returncode == 1
    assert "第 2 行【总量】总量必须是大于 0 的整数。" in capsys.readouterr().err


def test_export_lists_only_the_communitys_resources(world):
    resource_create(actor=SYSTEM, organisation=world.other_unit, title="别处资源", category=Category.objects.first(),
                    capacity=3)
    assert run(world, [resource_row("本社区资源", world.unit.name)]).ok
    titles = [r[1] for r in read_rows(saved(ledger_export(user=world.staff, kind="resources",
                                                          community=world.community)))[1:]]
    assert titles == ["本社区资源"]
    assert Partnership.objects.filter(community=world.community, organisation=world.unit).exists()
