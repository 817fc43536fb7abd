import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from lianjian.accounts.permissions import SYSTEM
from lianjian.core.models import Activity
from lianjian.lists.models import Claim
from lianjian.projects import selectors, services
from lianjian.projects.models import Milestone, ProgressPhoto, ProgressUpdate, Project, ProjectUnit, Rating
from lianjian.testing import make_org, make_partnership, make_user

from .factories import category, need_with_claims, png, project

pytestmark = pytest.mark.django_db


def test_confirmed_claims_become_one_project_with_lead_and_partners(world):
    """Year, community, category and title come from the need; the lead claim leads."""
    partner = make_org(region=world.community, name="协办单位")
    make_partnership(community=world.community, organisation=partner)
    need = need_with_claims(world, orgs=[partner, world.unit], roles=["partner", "lead"])
    p = services.project_create_from_claims(actor=world.staff, need=need)
    assert (p.title, p.year, p.community, p.category, p.need) == (
        need.title,
        2024,
        world.community,
        need.category,
        need,
    )
    assert p.lead_org == world.unit
    roles = {u.organisation_id: (u.role, u.claim_id) for u in p.project_units.all()}
    claims = {c.organisation_id: c.pk for c in need.claims.all()}
    assert roles == {
        world.unit.pk: ("lead", claims[world.unit.pk]),
        partner.pk: ("partner", claims[partner.pk]),
    }
    assert Activity.objects.for_object(p).filter(action="create").exists()


def test_confirming_claims_through_the_lists_workflow_makes_and_grows_the_project(world):
    """claim_confirm (lists) sends claim_confirmed; the project follows in the same transaction."""
    from lianjian.lists import services as lists

    partner_liaison = make_user()
    partner = make_org(region=world.community, name="协办单位")
    make_partnership(community=world.community, organisation=partner, liaison=partner_liaison)
    need = lists.need_create(
        actor=world.resident,
        community=world.community,
        title="老旧小区助浴",
        category=category(),
        quantity_needed=2,
        year=2024,
    )
    need = lists.need_publish(actor=world.staff, need=need)
    first = lists.claim_create(actor=world.liaison, need=need, organisation=world.unit)
    assert not Project.objects.exists()  # a pending claim is not a project yet
    lists.claim_confirm(actor=world.staff, claim=first)
    p = Project.objects.get(need=need)
    assert (p.lead_org, p.year, p.title) == (world.unit, 2024, "老旧小区助浴")
    second = lists.claim_create(actor=partner_liaison, need=need, organisation=partner, role="lead")
    lists.claim_confirm(actor=world.staff, claim=second)
    assert Project.objects.filter(need=need).count() == 1
    assert dict(p.project_units.values_list("organisation_id", "role")) == {
        world.unit.pk: "lead",
        partner.pk: "partner",
    }


def test_later_confirmed_claim_joins_existing_project_as_partner(world):
    need = need_with_claims(world)
    first = services.project_create_from_claims(actor=world.staff, need=need)
    late = make_org(region=world.community, name="后来单位")
    make_partnership(community=world.community, organisation=late)
    claim = Claim.objects.create(need=need, organisation=late, role="lead", status="confirmed")
    again = services.project_create_from_claims(actor=world.staff, need=need, claims=[claim])
    assert again.pk == first.pk and Project.objects.filter(need=need).count() == 1
    unit = ProjectUnit.objects.get(project=first, organisation=late)
    assert unit.role == "partner" and unit.claim == claim
    # Running it again changes nothing.
    services.project_create_from_claims(actor=world.staff, need=need)
    assert ProjectUnit.objects.filter(project=first).count() == 2


def test_need_without_confirmed_claims_gives_clear_error(world):
    need = need_with_claims(world)
    need.claims.update(status="pending")
    with pytest.raises(ValidationError) as exc:
        services.project_create_from_claims(actor=world.staff, need=need)
    assert "已确认的认领" in str(exc.value)
    assert not Project.objects.exists()


def test_only_staff_over_the_community_turn_claims_into_projects(world):
    need = need_with_claims(world)
    for actor in (world.other_staff, world.liaison, world.resident):
        with pytest.raises(PermissionDenied):
            services.project_create_from_claims(actor=actor, need=need)
    assert not Project.objects.exists()


def test_liaison_may_start_own_units_project_but_not_for_another_unit(world):
    p = services.project_create(
        actor=world.liaison,
        community=world.community,
        year=2025,
        title="自主项目",
        category=category(),
        lead_org=world.unit,
        budget="1200.50",
    )
    assert p.budget == Decimal("1200.50") and p.created_by == world.liaison
    with pytest.raises(PermissionDenied):
        services.project_create(
            actor=world.other_liaison,
            community=world.community,
            year=2025,
            title="x",
            category=category(),
            lead_org=world.unit,
        )
    stranger = make_org(region=world.community, name="非联建单位")
    with pytest.raises(ValidationError):
        services.project_create(
            actor=world.staff,
            community=world.community,
            year=2025,
            title="x",
            category=category(),
            lead_org=stranger,
        )
    assert Project.objects.count() == 1


def test_update_records_changes_and_rejects_bad_dates(world):
    p = project(world)
    services.project_update(actor=world.liaison, project=p, plan="每周一次", budget=500)
    log = Activity.objects.for_object(p).filter(action="update").get()
    assert log.changes["plan"] == ["", "每周一次"]
    with pytest.raises(ValidationError):
        services.project_update(
            actor=world.staff, project=p, start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 4, 1)
        )
    with pytest.raises(ValidationError):
        services.project_update(actor=world.staff, project=p, budget=-1)
    p.refresh_from_db()
    assert p.start_date is None and p.budget == 500


def test_progress_counts_with_f_and_starts_a_planned_project(world):
    p = project(world)
    services.progress_add(
        actor=world.liaison,
        project=p,
        text="第一次上门",
        happened_on=dt.date(2024, 3, 2),
        people_served=12,
        volunteer_hours="3.5",
        photos=[png(), png("b.png")],
    )
    services.progress_add(
        actor=world.staff,
        project=p,
        text="第二次",
        happened_on=dt.date(2024, 3, 9),
        people_served=8,
        volunteer_hours=2,
    )
    p.refresh_from_db()
    assert p.status == "in_progress" and p.start_date == dt.date(2024, 3, 2)
    assert p.people_served == 20 and p.volunteer_hours == Decimal("5.5")
    first = ProgressUpdate.objects.get(text="第一次上门")
    assert first.organisation == world.unit and first.photos.count() == 2


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"text": " "}, "text"),
        ({"people_served": -1}, "people_served"),
        ({"volunteer_hours": "abc"}, "volunteer_hours"),
        ({"happened_on": dt.date.today() + dt.timedelta(days=3)}, "happened_on"),
    ],
)
def test_bad_progress_is_refused_and_writes_nothing(world, kwargs, field):
    p = project(world)
    data = {"text": "进展", "happened_on": dt.date(2024, 3, 1), **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.progress_add(actor=world.staff, project=p, **data)
    assert field in exc.value.message_dict
    assert not ProgressUpdate.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    p = project(world)
    with pytest.raises(ValidationError) as exc:
        services.progress_add(
            actor=world.staff,
            project=p,
            text="x",
            happened_on=dt.date(2024, 3, 1),
            photos=[SimpleUploadedFile("a.jpg", b"not an image")],
        )
    assert "不是有效的图片" in str(exc.value)
    assert not ProgressUpdate.objects.exists() and not ProgressPhoto.objects.exists()


def test_progress_scope_partner_liaison_yes_outsiders_no(world):
    partner_liaison = make_user()
    partner = make_org(region=world.community)
    make_partnership(community=world.community, organisation=partner, liaison=partner_liaison)
    p = project(world, partners=[partner])
    services.progress_add(actor=partner_liaison, project=p, text="协办进展", happened_on=dt.date(2024, 3, 1))
    for actor in (world.other_liaison, world.other_staff, world.sibling_staff, world.resident):
        with pytest.raises(PermissionDenied):
            services.progress_add(actor=actor, project=p, text="x", happened_on=dt.date(2024, 3, 1))
    # A partner reports progress but does not run the project.
    with pytest.raises(PermissionDenied):
        services.project_complete(
            actor=partner_liaison, project=p, summary="完成", completed_on=dt.date(2024, 4, 1), photos=[png()]
        )
    assert ProgressUpdate.objects.count() == 1


def test_completion_requires_summary_and_evidence(world):
    p = project(world, status="in_progress")
    with pytest.raises(ValidationError) as exc:
        services.project_complete(actor=world.staff, project=p, summary="", completed_on=dt.date(2024, 6, 1))
    assert set(exc.value.message_dict) == {"summary", "photos"}
    # A progress report with photos is not evidence of completion on its own.
    services.progress_add(actor=world.staff, project=p, text="中期", happened_on=dt.date(2024, 4, 1), photos=[png()])
    with pytest.raises(ValidationError):
        services.project_complete(actor=world.staff, project=p, summary="完成", completed_on=dt.date(2024, 6, 1))
    p.refresh_from_db()
    assert p.status == "in_progress" and p.summary == ""
    services.project_complete(
        actor=world.liaison,
        project=p,
        summary="服务 30 位老人",
        completed_on=dt.date(2024, 6, 1),
        photos=[png()],
        people_served=30,
    )
    p.refresh_from_db()
    assert (p.status, p.completed_on, p.summary) == ("completed", dt.date(2024, 6, 1), "服务 30 位老人")
    assert p.updates.filter(is_completion=True).get().photos.count() == 1
    assert p.people_served == 30
    with pytest.raises(ValidationError):
        services.project_complete(
            actor=world.staff, project=p, summary="again", completed_on=dt.date(2024, 6, 2), photos=[png()]
        )


def test_completion_date_not_before_start(world):
    p = project(world, status="in_progress")  # started 2024-03-01
    with pytest.raises(ValidationError) as exc:
        services.project_complete(
            actor=world.staff, project=p, summary="s", completed_on=dt.date(2024, 2, 1), photos=[png()]
        )
    assert "completed_on" in exc.value.message_dict
    assert not ProgressUpdate.objects.exists()


def test_cancel_needs_reason_and_only_staff(world):
    p = project(world)
    with pytest.raises(ValidationError):
        services.project_cancel(actor=world.staff, project=p, reason="  ")
    with pytest.raises(PermissionDenied):
        services.project_cancel(actor=world.liaison, project=p, reason="不做了")
    services.project_cancel(actor=world.staff, project=p, reason="场地不可用")
    p.refresh_from_db()
    assert p.status == "cancelled" and p.cancel_reason == "场地不可用"
    with pytest.raises(ValidationError):
        services.progress_add(actor=world.staff, project=p, text="x", happened_on=dt.date(2024, 3, 1))
    with pytest.raises(ValidationError):
        services.milestone_add(actor=world.staff, project=p, title="x", due_date=dt.date(2024, 3, 1))


def test_rating_rules(world):
    p = project(world, status="completed")
    r = services.rating_add(project=p, stars=5, comment="很好", device_hash="d1")
    services.rating_add(project=p, stars=2, device_hash="d2", rater=world.resident)
    p.refresh_from_db()
    assert (p.rating_count, p.rating_sum, p.average_rating) == (2, 7, 3.5)
    assert r.rater is None
    for kwargs in ({"device_hash": "d1"}, {"device_hash": "d3", "rater": world.resident}):
        with pytest.raises(ValidationError) as exc:
            services.rating_add(project=p, stars=4, **kwargs)
        assert "已经评价过" in str(exc.value)
    for stars in (0, 6, "x", None):
        with pytest.raises(ValidationError) as exc:
            services.rating_add(project=p, stars=stars, device_hash="d9")
        assert "stars" in exc.value.message_dict
    p.refresh_from_db()
    assert Rating.objects.count() == 2 and p.rating_count == 2


def test_rating_needs_a_completed_project(world):
    for status in ("planned", "in_progress", "cancelled"):
        p = project(world, status=status, title=status)
        with pytest.raises(ValidationError) as exc:
            services.rating_add(project=p, stars=5, device_hash="d")
        assert "完成后才能评价" in str(exc.value)
    assert not Rating.objects.exists()


def test_rating_is_rate_limited_per_address(world, settings):
    settings.RATING_MAX_PER_IP = 2
    p = project(world, status="completed")
    services.rating_add(project=p, stars=5, device_hash="a", ip="10.0.0.9")
    services.rating_add(project=p, stars=5, device_hash="b", ip="10.0.0.9")
    with pytest.raises(ValidationError) as exc:
        services.rating_add(project=p, stars=5, device_hash="c", ip="10.0.0.9")
    assert "太频繁" in str(exc.value)
    services.rating_add(project=p, stars=5, device_hash="c", ip="10.0.0.10")
    assert Rating.objects.count() == 3


def test_milestones_and_overdue_flagged_once_with_notifications(world, django_capture_on_commit_callbacks):
    from lianjian.notifications.models import Notification

    p = project(world, status="in_progress")
    late = services.milestone_add(actor=world.liaison, project=p, title="采购物资", due_date=dt.date(2024, 4, 1))
    done = services.milestone_add(actor=world.staff, project=p, title="签约", due_date=dt.date(2024, 3, 10))
    services.milestone_done(actor=world.liaison, milestone=done, done_on=dt.date(2024, 3, 9))
    assert list(selectors.milestones_overdue(today=dt.date(2024, 5, 1))) == [late]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_overdue", "--today", "2024-05-01")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_overdue", "--today", "2024-05-02")
    assert Milestone.objects.get(pk=late.pk).overdue_notified
    notes = Notification.objects.filter(kind="milestone_overdue")
    assert sorted(n.recipient_id for n in notes) == sorted([world.staff.pk, world.liaison.pk])
    assert "采购物资" in notes[0].text
    assert Activity.objects.for_object(p).filter(action="milestone_overdue").count() == 1


def test_selectors_scope_and_unit_projects(world):
    done = project(world, status="completed", title="已完成项目")
    project(world, title="计划项目")
    services.rating_add(project=done, stars=4, device_hash="x")
    assert {p.title for p in selectors.project_list(user=world.staff)} == {"已完成项目", "计划项目"}
    assert {p.title for p in selectors.project_list(user=world.liaison, status="completed")} == {"已完成项目"}
    assert not selectors.project_list(user=world.other_staff).exists()
    assert not selectors.project_list(user=world.resident).exists()
    assert selectors.project_list(user=world.street_admin).count() == 2
    delivered = list(selectors.projects_of_organisation(world.staff, world.unit))
    assert delivered == [done] and delivered[0].average_rating == 4.0
    assert not selectors.projects_of_organisation(world.other_staff, world.unit).exists()


def test_activity_for_every_change(world):
    p = project(world, status="completed")
    actions = set(Activity.objects.for_object(p).values_list("action", flat=True))
    assert {"create", "start", "progress", "complete"} <= actions


def test_system_actor_can_do_everything(world):
    p = project(world)
    services.progress_add(actor=SYSTEM, project=p, text="系统导入", happened_on=dt.date(2024, 3, 1))
    assert ProgressUpdate.objects.get().author is None


def test_an_earlier_completion_report_with_photos_counts_as_evidence(world):
    p = project(world, status="in_progress")
    services.progress_add(
        actor=world.liaison,
        project=p,
        text="结项材料",
        happened_on=dt.date(2024, 5, 30),
        photos=[png()],
        is_completion=True,
    )
    services.project_complete(actor=world.liaison, project=p, summary="完成", completed_on=dt.date(2024, 6, 1))
    p.refresh_from_db()
    assert p.status == "completed" and p.updates.count() == 1
