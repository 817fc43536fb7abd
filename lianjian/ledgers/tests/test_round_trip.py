"""Export → import of every ledger kind round-trips: no error, nothing changed, nothing duplicated.

The community holds what real ledgers hold — needs under review, published, fully claimed
(已认领满) and closed; resources partly used, paused and withdrawn; projects planned, under way and
completed; joint units active and suspended — and each kind is exported with the code the page and
``lianjian export`` use, then imported back (dry run and real) through the service, the CLI and the
upload page. The database is compared field by field before and after. Edited exports update the
rows that were edited; rows without 编号 are new.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from lianjian.accounts.permissions import SYSTEM
from lianjian.ledgers.kinds import KINDS
from lianjian.ledgers.selectors import ledger_export
from lianjian.ledgers.services import ledger_import
from lianjian.lists import services as lists
from lianjian.lists.models import BeneficiaryGroup, Claim, Need, NeedStatus, Resource
from lianjian.lists.tests.factories import category, make_need, make_resource
from lianjian.orgs.models import Organisation, Partnership
from lianjian.orgs.services import partnership_set_status
from lianjian.projects.models import Project, ProjectUnit
from lianjian.projects.services import project_cancel, project_create
from lianjian.testing import make_org, make_partnership

from .helpers import saved

pytestmark = pytest.mark.django_db

MODELS: dict[str, list[type[models.Model]]] = {
    "units": [Organisation, Partnership],
    "needs": [Need, Need.beneficiary_groups.through, Claim],
    "resources": [Resource, Resource.beneficiary_groups.through, Resource.communities.through],
    "projects": [Project, ProjectUnit],
}


@pytest.fixture
def ledger_world(world):  # type: ignore[no-untyped-def]
    c = world.community
    partner = make_org(region=c, name="锦江供电", short_name="供电", contact_phone="13900000001")
    make_partnership(community=c, organisation=partner)
    paused = make_org(region=c, name="暂停单位")
    make_partnership(community=c, organisation=paused)
    partnership_set_status(actor=SYSTEM, partnership=paused.partnerships.get(), status="suspended")
    Partnership.objects.filter(organisation=partner).update(note="年度共建\n第二行", end_date=dt.date(2030, 12, 31))

    groups = list(BeneficiaryGroup.objects.filter(code__in=["elderly", "unemployed"]))
    submitted = make_need(world, publish=False, title="待审核的需求", description="多行\r\n描述")
    lists.need_update(actor=world.staff, need=submitted, beneficiary_groups=groups,
                      wanted_by=dt.date(2026, 6, 30), place="3 号楼", requester_org=partner)
    make_need(world, title="已发布的需求", quantity=5, contact_phone="13812345678")
    covered = make_need(world, title="已认领满的需求", quantity=3)
    resource = make_resource(world, capacity=10, title="就业岗位", valid_from=dt.date(2025, 1, 1),
                             valid_until=dt.date(2026, 12, 31), communities=[c],
                             beneficiary_groups=groups)
    claim = lists.claim_create(actor=world.liaison, need=covered, organisation=world.unit, resource=resource,
                               quantity=3)
    lists.claim_confirm(actor=world.staff, claim=claim)
    closed = make_need(world, title="已关闭的需求")
    lists.need_close(actor=world.staff, need=closed, reason="不再需要")
    assert Need.objects.get(pk=covered.pk).status == NeedStatus.COVERED

    paused_resource = make_resource(world, capacity=2, title="会议室", communities=[c])
    lists.resource_set_status(actor=world.staff, resource=paused_resource, status="paused")
    gone = make_resource(world, capacity=1, title="已撤回的资源", communities=[c])
    lists.resource_set_status(actor=world.staff, resource=gone, status="withdrawn")

    culture = category("culture-education")
    project_create(actor=world.staff, community=c, year=2025, title="计划中的项目", category=culture,
                   lead_org=world.unit, partners=[partner], budget=Decimal("5000.50"),
                   material_value=Decimal("1200"), start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 12, 31),
                   plan="第一步\n第二步")
    cancelled = project_create(actor=world.staff, community=c, year=2025, title="取消的项目", category=culture,
                               lead_org=partner)
    project_cancel(actor=world.staff, project=cancelled, reason="经费不足")
    from lianjian.analytics.tests.factories import project as completed_project

    completed_project(community=c, lead=world.unit, partners=(partner,), category=culture, title="已完成的项目",
                      completed_on=dt.date(2024, 11, 2), people=30)
    return world


def snapshot(kind: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the kind's tables, every field, in a stable order."""
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in MODELS[kind]}


def export_bytes(world: Any, kind: str) -> bytes:
    return saved(ledger_export(user=world.staff, kind=kind, community=world.community)).getvalue()


@pytest.mark.parametrize("kind", KINDS)
def test_export_imports_back_unchanged(ledger_world, kind):
    w = ledger_world
    data = export_bytes(w, kind)
    rows = load_workbook(io.BytesIO(data)).worksheets[0].max_row - 1
    assert rows >= 3
    before = snapshot(kind)
    for dry_run in (True, False):
        report = ledger_import(actor=w.staff, kind=kind, community=w.community, file=io.BytesIO(data),
                               dry_run=dry_run)
        assert report.ok, [str(e) for e in report.errors]
        assert report.unchanged == rows and report.to_create == report.to_update == 0
        assert report.created == report.updated == 0
        assert "与平台一致" in report.summary()
        assert snapshot(kind) == before
    assert export_bytes(w, kind) != b"" and snapshot(kind) == before


@pytest.mark.parametrize("kind", KINDS)
def test_cli_export_then_import_round_trips(ledger_world, kind, tmp_path, capsys):
    w = ledger_world
    out = tmp_path / f"{kind}.xlsx"
    call_command("export", kind, "--community", w.community.name, "-o", str(out))
    before = snapshot(kind)
    call_command("import", kind, str(out), "--community", w.community.name, "--dry-run")
    call_command("import", kind, str(out), "--community", w.community.name)
    assert "与平台一致" in capsys.readouterr().out
    assert snapshot(kind) == before


@pytest.mark.parametrize("kind", KINDS)
def test_upload_page_round_trips(client, ledger_world, kind, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = ledger_world
    client.force_login(w.staff)
    response = client.get(reverse("ledgers:export"), {"kind": kind, "community": w.community.pk})
    file = io.BytesIO(response.content)
    file.name = "export.xlsx"
    before = snapshot(kind)
    response = client.post(reverse("ledgers:upload"), {"kind": kind, "community": w.community.pk, "file": file})
    assert response.status_code == 200 and response.context["report"].ok
    assert "无变化" in response.content.decode()
    response = client.post(reverse("ledgers:confirm"), {"token": response.context["token"]}, follow=True)
    assert "与平台一致" in response.content.decode()
    assert snapshot(kind) == before


def edit(data: bytes, changes: dict[tuple[str, str], Any], *, append: list[dict[str, Any]] = ()) -> io.BytesIO:
    """The exported workbook with cells changed: {(row label in the first text column, header): value}."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        labels = (row[0].value, row[1].value)
        for (label, column), value in changes.items():
            if label in labels:
                row[header.index(column)].value = value
    for extra in append:
        ws.append([extra.get(h) for h in header])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_an_edited_needs_export_updates_what_was_edited(ledger_world):
    w = ledger_world
    data = export_bytes(w, "needs")
    published = Need.objects.get(title="已发布的需求")
    untouched = Need.objects.get(title="已认领满的需求")
    before_untouched = Need.objects.filter(pk=untouched.pk).values().get()
    file = edit(data, {("已发布的需求", "需求标题"): "已发布的需求（改）", ("已发布的需求", "需求数量"): 8},
                append=[{"需求标题": "新增的需求", "类别": "就业创业", "状态": "待审核"}])
    report = ledger_import(actor=w.staff, kind="needs", community=w.community, file=file)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated, report.unchanged) == (1, 1, 3)
    published.refresh_from_db()
    assert published.title == "已发布的需求（改）" and published.quantity_needed == 8
    assert Need.objects.filter(pk=untouched.pk).values().get() == before_untouched
    assert Need.objects.filter(title="新增的需求", community=w.community).count() == 1


def test_edits_an_import_may_not_make_are_row_errors(ledger_world):
    w = ledger_world
    data = export_bytes(w, "needs")
    file = edit(data, {("已发布的需求", "状态"): "已关闭", ("已认领满的需求", "需求数量"): 2,
                       ("已关闭的需求", "地点"): "别处"})
    report = ledger_import(actor=w.staff, kind="needs", community=w.community, file=file)
    by = {e.column: e.message for e in report.errors}
    assert "状态" in by and "在平台中" in by["状态"]
    assert "已认领数量" in by["需求数量"] and "已关闭" in by["地点"]
    assert Need.objects.get(title="已发布的需求").status == NeedStatus.PUBLISHED


def test_edited_resources_projects_and_units(ledger_world):
    w = ledger_world
    file = edit(export_bytes(w, "resources"), {("就业岗位", "总量"): 12, ("会议室", "状态"): "可用"})
    report = ledger_import(actor=w.staff, kind="resources", community=w.community, file=file)
    assert report.ok and report.updated == 2, [str(e) for e in report.errors]
    jobs = Resource.objects.get(title="就业岗位")
    assert (jobs.capacity, jobs.remaining) == (12, 9)  # three places stay claimed
    assert Resource.objects.get(title="会议室").status == "active"
    bad = edit(export_bytes(w, "resources"), {("就业岗位", "总量"): 2, ("已撤回的资源", "状态"): "可用"})
    messages = [e.message for e in ledger_import(actor=w.staff, kind="resources", community=w.community,
                                                 file=bad).errors]
    assert any("已确认认领" in m for m in messages) and any("不能恢复" in m for m in messages)

    file = edit(export_bytes(w, "projects"), {("计划中的项目", "资金预算（元）"): 8000})
    report = ledger_import(actor=w.staff, kind="projects", community=w.community, file=file)
    assert report.ok and report.updated == 1
    assert Project.objects.get(title="计划中的项目").budget == Decimal("8000.00")

    file = edit(export_bytes(w, "units"), {("锦江供电", "备注"): "新的备注", ("暂停单位", "联建状态"): "联建中"})
    report = ledger_import(actor=w.staff, kind="units", community=w.community, file=file)
    assert report.ok and report.updated == 2, [str(e) for e in report.errors]
    assert Partnership.objects.get(community=w.community, organisation__name="锦江供电").note == "新的备注"
    assert Partnership.objects.get(community=w.community, organisation__name="暂停单位").status == "active"


def test_the_instructions_sheet_explains_the_id_column():
    from lianjian.ledgers.selectors import ledger_template

    for kind in KINDS:
        wb = ledger_template(kind=kind)
        text = "".join(str(c) for row in wb["说明"].iter_rows(values_only=True) for c in row if c)
        assert ("编号" in text or kind == "units") and "保持不变" in text, kind


def test_cli_refuses_unknown_community_without_writing(ledger_world, tmp_path):
    with pytest.raises(CommandError):
        call_command("import", "needs", str(tmp_path / "none.xlsx"), "--community", ledger_world.community.name)
