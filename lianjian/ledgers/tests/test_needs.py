"""The needs ledger: categories and groups by name, duplicates by title and year, bulk writes."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from lianjian.core.models import Activity
from lianjian.ledgers.selectors import ledger_export
from lianjian.ledgers.services import ledger_import
from lianjian.lists.models import Need, NeedStatus

from .helpers import saved, xlsx

pytestmark = pytest.mark.django_db

HEADERS = ["需求标题", "类别", "受益群体", "需求数量", "数量单位", "期望完成日期", "年度", "提出单位", "联系电话",
           "状态"]


def need_row(title: str, **over):  # type: ignore[no-untyped-def]
    row = {"需求标题": title, "类别": "就业创业", "受益群体": "失业人员、老人", "需求数量": 40, "数量单位": "人",
           "期望完成日期": "2025年6月30日", "年度": 2025, "提出单位": "", "联系电话": 13800138000, "状态": "已发布"}
    row.update(over)
    return [row[h] for h in HEADERS]


def run(world, rows, **kw):  # type: ignore[no-untyped-def]
    return ledger_import(actor=kw.pop("actor", world.staff), kind="needs",
                         community=kw.pop("community", world.community), file=xlsx(HEADERS, rows), **kw)


def test_needs_import_resolves_names_and_writes_in_bulk(world):
    report = run(world, [need_row("辖区失业人员再就业", 提出单位=world.unit.name),
                         need_row("非遗文化进校园", 类别="文化教育", 受益群体="儿童", 状态="", 年度=None)])
    assert report.ok, report.errors
    need = Need.objects.get(title="辖区失业人员再就业")
    assert need.community == world.community and need.category.name == "就业创业"
    assert {g.name for g in need.beneficiary_groups.all()} == {"失业人员", "老人"}
    assert need.wanted_by == dt.date(2025, 6, 30) and need.contact_phone == "13800138000"
    assert need.status == NeedStatus.PUBLISHED and need.published_at and need.reviewed_by == world.staff
    assert need.requester_org == world.unit and need.requester == world.staff
    other = Need.objects.get(title="非遗文化进校园")
    assert other.status == NeedStatus.SUBMITTED and other.year == dt.date.today().year
    log = Activity.objects.for_object(need).get()
    assert log.source == "import" and log.action == "create" and log.changes["title"] == [None, need.title]


def test_needs_row_errors_in_chinese_and_nothing_written(world):
    report = run(world, [
        need_row("好需求"),
        need_row("坏类别", 类别="天文"),
        need_row("坏群体", 受益群体="外星人"),
        need_row("坏单位", 提出单位="不存在的公司"),
        need_row("坏数量", 需求数量=0),
        need_row("x" * 101),
        need_row("已认领满", 状态="已认领满"),
    ])
    assert Need.objects.count() == 0
    by = {(e.row, e.column): e.message for e in report.errors}
    assert "天文" in by[(3, "类别")] and "就业创业" in by[(3, "类别")]
    assert "外星人" in by[(4, "受益群体")]
    assert "不存在的公司" in by[(5, "提出单位")]
    assert (6, "需求数量") in by
    assert "100" in by[(7, "需求标题")]
    assert (8, "状态") in by
    assert report.bad_rows == 6


def test_needs_duplicates_in_file_and_database(world):
    assert run(world, [need_row("重复需求")]).ok
    report = run(world, [need_row("重复需求"), need_row("新需求"), need_row("新需求"),
                         need_row("重复需求", 年度=2026)])
    by = {(e.row, e.column): e.message for e in report.errors}
    assert "已有同名需求" in by[(2, "需求标题")] and by[(4, "需求标题")] == "与第 3 行重复。"
    assert set(by) == {(2, "需求标题"), (4, "需求标题")}  # another year is another need
    assert Need.objects.count() == 1


def test_needs_round_trip_into_another_community(world):
    assert run(world, [need_row("往返需求", 提出单位=world.unit.name)]).ok
    data = saved(ledger_export(user=world.staff, kind="needs", community=world.community))
    report = ledger_import(actor=world.street_admin, kind="needs", community=world.sibling,
                           file=io.BytesIO(data.getvalue()))
    assert report.ok, report.errors
    copy = Need.objects.get(community=world.sibling, title="往返需求")
    original = Need.objects.get(community=world.community, title="往返需求")
    for f in ("category", "quantity_needed", "quantity_unit", "wanted_by", "year", "contact_phone",
              "requester_org", "status", "source"):
        assert getattr(copy, f) == getattr(original, f), f
    assert set(copy.beneficiary_groups.all()) == set(original.beneficiary_groups.all())


def test_needs_import_announces_like_posting_and_publishing(world, django_capture_on_commit_callbacks):
    """The import builds needs with the service's rules and tells the same people the same things
    as need_create (staff: a need to review) and need_publish (units serving the category)."""
    from lianjian.lists.models import Category, Resource
    from lianjian.lists.services import resource_create
    from lianjian.notifications.models import Notification, NotificationKind

    jobs = Category.objects.get(name="就业创业")
    resource_create(actor=world.liaison, organisation=world.unit, title="20 个岗位", category=jobs,
                    capacity=20, capacity_unit="个")
    assert Resource.objects.filter(organisation=world.unit).exists()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        report = run(world, [need_row("待审的需求", 状态="待审核"), need_row("直接发布的需求")])
    assert report.ok, report.errors
    submitted = Notification.objects.get(kind=NotificationKind.NEED_SUBMITTED)
    assert submitted.recipient == world.staff and "待审的需求" in submitted.text
    published = Notification.objects.filter(kind=NotificationKind.NEED_PUBLISHED)
    assert [n.recipient for n in published] == [world.liaison] and "直接发布的需求" in published[0].text
    # The requester (the importing staff member) hears that the published need is out, as with need_publish.
    assert Notification.objects.filter(kind=NotificationKind.NEED_REVIEWED, recipient=world.staff).count() == 1

