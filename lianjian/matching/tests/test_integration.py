"""The matcher inside the product: suggestions on a need, invitations, needs a unit could meet."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists.models import Category, Claim
from lianjian.lists.services import claim_confirm, need_create, need_publish, resource_create, resource_update
from lianjian.matching import selectors, services
from lianjian.matching.index import INDEX
from lianjian.matching.models import ClaimInvitation
from lianjian.notifications.models import Notification
from lianjian.testing import make_org, make_partnership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index():
    INDEX.reset()
    yield
    INDEX.reset()


def cat(name):
    return Category.objects.get(name=name)


@pytest.fixture
def chain(world):
    """A jobs need in the community; a matching and a distracting resource of two joint units."""
    jobs_unit = world.unit
    other = make_org(region=world.community, name="社区书画院")
    make_partnership(community=world.community, organisation=other)
    jobs = resource_create(actor=SYSTEM, organisation=jobs_unit, title="客服岗位招聘", category=cat("就业创业"),
                           capacity=20, capacity_unit="个岗位",
                           description="面向辖区居民招聘客服、营业厅服务岗位，提供岗前培训。")
    art = resource_create(actor=SYSTEM, organisation=other, title="书法兴趣班", category=cat("文化教育"),
                          capacity=30, description="每周六下午书法课，适合老人和孩子。")
    outsider = resource_create(actor=SYSTEM, organisation=world.other_unit, title="保安保洁岗位招聘",
                               category=cat("就业创业"), capacity=50, description="招聘保安、保洁，包吃住。")
    need = need_create(actor=world.staff, community=world.community, title="下岗了想找个工作",
                       category=cat("就业创业"), description="厂子关门了，在家闲着没收入，想找活干。",
                       quantity_needed=5, quantity_unit="人")
    need_publish(actor=world.staff, need=need)
    return need, jobs, art, outsider


def test_staff_see_ranked_suggestions_with_reasons_and_only_partner_units(world, chain):
    need, jobs, _art, outsider = chain
    suggestions = selectors.suggestions_for_need(user=world.staff, need=need)
    ids = [s.resource.pk for s in suggestions]
    assert ids[0] == jobs.pk
    assert outsider.pk not in ids  # not a joint unit of this community
    reasons = " ".join(suggestions[0].reasons)
    assert "类别相同：就业创业" in reasons and "剩余名额 20" in reasons
    assert "服务范围覆盖" in reasons


def test_suggestions_need_staff_scope(world, chain):
    need = chain[0]
    for user in (world.liaison, world.other_staff, world.resident):
        with pytest.raises(PermissionDenied):
            selectors.suggestions_for_need(user=user, need=need)


def test_index_follows_edits_and_capacity_without_rebuild(world, chain):
    need, jobs, _art, _outsider = chain
    engine = INDEX.engine()
    resource_update(actor=SYSTEM, resource=jobs, title="营业厅客服岗位招聘")
    assert INDEX.engine() is engine  # same engine, updated in place
    claim = Claim.objects.create(need=need, organisation=world.unit, resource=jobs, quantity=3)
    claim_confirm(actor=world.staff, claim=claim)
    top = {s.resource.pk: s for s in selectors.suggestions_for_need(user=world.staff, need=need)}
    # Confirming moved the remaining places; the index picked that up and marks the unit as claimed.
    assert "剩余名额 17 个岗位" in top[jobs.pk].reasons and top[jobs.pk].claimed
    assert INDEX.engine() is engine


def test_invite_notifies_liaison_and_one_click_claims(client, world, chain, django_capture_on_commit_callbacks):
    need, jobs, _art, _outsider = chain
    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:invite", args=[need.pk]), {"resource": jobs.pk})
    assert response.status_code == 302
    invitation = ClaimInvitation.objects.get(need=need, organisation=world.unit)
    assert Notification.objects.filter(recipient=world.liaison, url=invitation.get_absolute_url()).exists()
    # Inviting twice is refused with a message, not a second invitation.
    client.post(reverse("matching:invite", args=[need.pk]), {"resource": jobs.pk})
    assert ClaimInvitation.objects.filter(need=need).count() == 1

    client.force_login(world.liaison)
    page = client.get(reverse("matching:invitation", args=[invitation.pk]))
    assert need.title in page.content.decode()
    response = client.post(reverse("matching:invitation", args=[invitation.pk]), {"quantity": "5"})
    assert response.status_code == 302
    claim = Claim.objects.get(need=need, organisation=world.unit)
    assert claim.quantity == 5 and claim.resource == jobs and claim.channel == "invite"
    invitation.refresh_from_db()
    assert invitation.claim == claim


def test_invitation_is_for_the_invited_unit_only(client, world, chain):
    need, jobs, _art, _outsider = chain
    inv = services.invitation_create(actor=world.staff, need=need, organisation=world.unit, resource=jobs)
    client.force_login(world.other_liaison)
    assert client.get(reverse("matching:invitation", args=[inv.pk])).status_code == 403
    with pytest.raises(ValidationError):
        services.invitation_create(actor=world.staff, need=need, organisation=world.other_unit)


def test_too_many_places_gives_a_clear_message_and_no_claim(client, world, chain):
    need, jobs, _art, _outsider = chain
    inv = services.invitation_create(actor=world.staff, need=need, organisation=world.unit, resource=jobs)
    client.force_login(world.liaison)
    response = client.post(reverse("matching:invitation", args=[inv.pk]), {"quantity": "50"}, follow=True)
    assert "超过" in response.content.decode()
    assert not Claim.objects.filter(need=need).exists()


def test_liaison_sees_needs_their_resources_could_meet(client, world, chain):
    need, jobs, _art, _outsider = chain
    rows = selectors.needs_for_organisation(user=world.liaison, organisation=world.unit)
    assert [r.need.pk for r in rows] == [need.pk] and rows[0].resource == jobs
    client.force_login(world.liaison)
    assert need.title in client.get(reverse("matching:resource", args=[jobs.pk])).content.decode()
    assert need.title in client.get(reverse("matching:home")).content.decode()


def test_match_sheet_html_and_xlsx(client, world, chain):
    import io

    from openpyxl import load_workbook

    need, jobs, _art, _outsider = chain
    client.force_login(world.staff)
    page = client.get(reverse("matching:sheet", args=[world.community.pk])).content.decode()
    assert need.title in page and jobs.title in page
    response = client.get(reverse("matching:sheet", args=[world.community.pk]) + "?format=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == need.title and rows[1][4] == jobs.title
    client.force_login(world.other_staff)
    assert client.get(reverse("matching:sheet", args=[world.community.pk])).status_code == 404


def test_api_suggestions_and_stateless_rank(client, world, chain):
    need, jobs, _art, _outsider = chain
    client.force_login(world.staff)
    body = client.get(f"/api/v1/matching/needs/{need.pk}").json()
    assert body[0]["resource_id"] == jobs.pk and body[0]["reasons"]
    client.force_login(world.other_staff)
    assert client.get(f"/api/v1/matching/needs/{need.pk}").status_code == 404
    payload = {"needs": [{"id": "n1", "title": "孩子牙上有黑洞"}],
               "resources": [{"id": "r1", "title": "儿童龋齿筛查与窝沟封闭", "unit": "社区卫生服务中心"},
                             {"id": "r2", "title": "电动汽车快充优惠", "unit": "充电站"}], "top": 2}
    body = client.post("/api/v1/matching/rank", payload, content_type="application/json").json()
    assert body["n1"][0]["resource_id"] == "r1"
    bad = client.post("/api/v1/matching/rank", {"needs": [], "resources": []}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"
    payload["resources"].append({"id": "r1", "title": "重复"})
    dup = client.post("/api/v1/matching/rank", payload, content_type="application/json")
    assert dup.status_code == 422 and "r1" in str(dup.json()["error"]["details"])


def test_unit_record_shows_in_reasons(world, chain):
    from lianjian.projects.models import Project, ProjectStatus

    need, _jobs, _art, _outsider = chain
    import datetime as dt
    for i in range(3):
        Project.objects.create(community=world.community, year=2024, title=f"就业帮扶{i}", category=cat("就业创业"),
                               lead_org=world.unit, status=ProjectStatus.COMPLETED,
                               completed_on=dt.date(2024, 6, 1), rating_count=2, rating_sum=9)
    INDEX.reset()
    top = selectors.suggestions_for_need(user=world.staff, need=need)[0]
    assert "该单位已完成同类项目 3 个，平均评分 4.5" in top.reasons


def test_liaison_home_lists_needs_the_unit_could_meet_and_invitations(client, world, chain):
    need, jobs, _art, _outsider = chain
    services.invitation_create(actor=world.staff, need=need, organisation=world.unit, resource=jobs)
    client.force_login(world.liaison)
    page = client.get(reverse("core:home")).content.decode()
    assert page.count(need.title) >= 2  # once as an invitation, once as a need the unit could meet
    assert "收到的认领邀请" in page


def test_need_page_loads_top_suggestions_as_a_fragment(client, world, chain):
    need, jobs, _art, _outsider = chain
    client.force_login(world.staff)
    page = client.get(need.get_absolute_url()).content.decode()
    assert reverse("matching:need", args=[need.pk]) in page
    fragment = client.get(reverse("matching:need", args=[need.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert jobs.title in fragment and "<html" not in fragment
    client.force_login(world.liaison)
    assert reverse("matching:need", args=[need.pk]) not in client.get(need.get_absolute_url()).content.decode()
