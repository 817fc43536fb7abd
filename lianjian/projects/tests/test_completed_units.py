"""The completed-units summary (CompletedUnit) that the street, district and city dashboards read:
every service write keeps it equal to a plain row-by-row count, and the rebuild is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists.models import Claim
from lianjian.projects import services
from lianjian.projects.models import CompletedUnit, Project, ProjectStatus, ProjectUnit
from lianjian.testing import make_org, make_partnership, make_world, run_together

from .factories import category, need_with_claims, png, project


def _summary() -> dict[tuple[int, int, int], int]:
    return {
        (c, y, o): n
        for c, y, o, n in CompletedUnit.objects.values_list("community_id", "year", "organisation_id", "projects")
    }


def _row_by_row() -> dict[tuple[int, int, int], int]:
    """The definition, in Python: each unit of each completed project counts once for that project."""
    out: dict[tuple[int, int, int], int] = {}
    for pu in ProjectUnit.objects.select_related("project"):
        if pu.project.status == ProjectStatus.COMPLETED:
            key = (pu.project.community_id, pu.project.year, pu.organisation_id)
            out[key] = out.get(key, 0) + 1
    return out


def _complete(p: Project, *, on: dt.date = dt.date(2024, 6, 1)) -> Project:
    return services.project_complete(actor=SYSTEM, project=p, summary="已完成", completed_on=on, photos=[png()])


@pytest.mark.django_db
def test_service_writes_keep_the_summary_equal_to_the_rows(world):
    partner = make_org(region=world.community, name="协办单位")
    make_partnership(community=world.community, organisation=partner)

    a = project(world, title="甲", partners=[partner])  # planned: not counted yet
    assert _summary() == _row_by_row() == {}
    a = _complete(a)
    assert (
        _summary()
        == _row_by_row()
        == {
            (world.community.pk, 2024, world.unit.pk): 1,
            (world.community.pk, 2024, partner.pk): 1,
        }
    )

    b = project(world, title="乙", status="completed")  # same unit, same year: its count grows
    assert _summary() == _row_by_row()
    assert _summary()[(world.community.pk, 2024, world.unit.pk)] == 2

    # A unit joining a project that is already completed counts at once; joining twice does not.
    late = make_org(region=world.community, name="后加单位")
    make_partnership(community=world.community, organisation=late)  # only joint units join projects
    services.project_add_unit(actor=SYSTEM, project=b, organisation=late)
    services.project_add_unit(actor=SYSTEM, project=b, organisation=late)
    assert _summary() == _row_by_row()
    assert _summary()[(world.community.pk, 2024, late.pk)] == 1

    # Another year, a cancelled project and an open project with partners change nothing else.
    project(world, title="丙", status="completed", year=2023)
    project(world, title="丁", status="cancelled", partners=[partner])
    project(world, title="戊", status="in_progress", partners=[late])
    assert _summary() == _row_by_row()

    # A completed project cannot stop counting: cancelling it is refused.
    with pytest.raises(ValidationError):
        services.project_cancel(actor=SYSTEM, project=a, reason="误操作")
    assert _summary() == _row_by_row()
    assert call_command("rebuild_stats") is None and _summary() == _row_by_row()


@pytest.mark.django_db
def test_a_later_confirmed_claim_joins_the_completed_project_and_counts(world):
    second = make_org(region=world.community, name="第二单位")
    make_partnership(community=world.community, organisation=second)
    need = need_with_claims(world)
    p = services.project_create_from_claims(actor=SYSTEM, need=need)
    services.project_start(actor=SYSTEM, project=p, start_date=dt.date(2024, 3, 1))
    _complete(p)
    claim = Claim.objects.create(need=need, organisation=second, role="partner", status="confirmed")
    services.project_create_from_claims(actor=SYSTEM, need=need, claims=[claim])
    assert _summary() == _row_by_row()
    assert _summary()[(world.community.pk, 2024, second.pk)] == 1


@pytest.mark.django_db
def test_rebuild_recounts_bulk_rows_and_is_idempotent(world):
    project(world, title="服务写入", status="completed")
    other = make_org(region=world.sibling, name="兄弟单位")
    # Rows written around the services (a bulk load), and a summary row that is simply wrong.
    for i, status in enumerate(["completed", "completed", "in_progress"]):
        p = Project.objects.create(
            community=world.sibling,
            year=2024,
            title=f"批量{i}",
            category=category(),
            lead_org=other,
            status=status,
            completed_on=dt.date(2024, 5, 1) if status == "completed" else None,
        )
        ProjectUnit.objects.create(project=p, organisation=other, role="lead")
        ProjectUnit.objects.create(project=p, organisation=world.unit, role="partner")
    CompletedUnit.objects.create(community=world.sibling, year=2019, organisation=other, projects=7)
    assert _summary() != _row_by_row()

    rows, changed = services.completed_units_rebuild(actor=SYSTEM)
    assert _summary() == _row_by_row() and rows == len(_row_by_row()) == 3 and changed == 3
    before = list(CompletedUnit.objects.order_by("pk").values_list())
    assert services.completed_units_rebuild(actor=SYSTEM) == (3, 0)
    call_command("rebuild_stats")
    assert list(CompletedUnit.objects.order_by("pk").values_list()) == before  # not even rewritten
    with pytest.raises(PermissionDenied):
        services.completed_units_rebuild(actor=world.staff)


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_units_joining_while_the_project_completes_are_counted_once():
    """Eight units join a project from their own connections while it is being completed: each is
    counted exactly once, whichever write lands first."""
    world = make_world()
    orgs = [make_org(region=world.community, name=f"并发单位{i}") for i in range(8)]
    for o in orgs:
        make_partnership(community=world.community, organisation=o)
    p = project(world, status="in_progress")
    jobs = [lambda: _complete(Project.objects.get(pk=p.pk))] + [
        lambda o=o: services.project_add_unit(actor=SYSTEM, project=Project.objects.get(pk=p.pk), organisation=o)
        for o in orgs
    ]
    outcome = run_together(jobs)
    assert outcome["error"] == [] and outcome["refused"] == []
    assert _summary() == _row_by_row()
    assert len(_summary()) == 9 and set(_summary().values()) == {1}
    assert services.completed_units_rebuild(actor=SYSTEM)[1] == 0
