import pytest
from django.urls import reverse

from lianjian.lists import services
from lianjian.lists.models import Claim, ClaimStatus, Need, NeedStatus

from .factories import category, make_need, make_resource

pytestmark = pytest.mark.django_db


def test_needs_list_is_scoped_and_filtered(client, world):
    mine = make_need(world, title="独居老人助餐", category=category("elderly-care"))
    make_need(world, title="辖区失业人员再就业")
    make_need(world, title="乙社区的需求", community=world.other_community, actor=world.other_staff)
    client.force_login(world.staff)
    page = client.get(reverse("lists:need_list")).content.decode()
    assert "独居老人助餐" in page and "辖区失业人员再就业" in page and "乙社区的需求" not in page
    page = client.get(reverse("lists:need_list"), {"category": mine.category_id}).content.decode()
    assert "独居老人助餐" in page and "辖区失业人员再就业" not in page
    page = client.get(reverse("lists:need_list"), {"q": "失业", "status": "open",
                                                   "year": mine.year}).content.decode()
    assert "辖区失业人员再就业" in page and "独居老人助餐" not in page


def test_needs_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for i in range(30):
        make_need(world, title=f"需求{i}")
    client.force_login(world.staff)
    client.get(reverse("lists:need_list"))  # warm the per-process caches (content types …)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("lists:need_list"), {"community": world.community.pk})
    assert response.status_code == 200


def test_liaison_sees_published_needs_of_partner_communities_only(client, world):
    make_need(world, title="已发布的需求")
    make_need(world, title="待审核的需求", publish=False)
    client.force_login(world.liaison)
    page = client.get(reverse("lists:need_list")).content.decode()
    assert "已发布的需求" in page and "待审核的需求" not in page


def test_trace_page_shows_claims_coverage_and_timeline(client, world, django_assert_max_num_queries):
    need = make_need(world, quantity=10)
    res = make_resource(world, capacity=20)
    services.claim_create_confirmed(actor=world.staff, need=need, organisation=world.unit, resource=res,
                                    quantity=4)
    client.force_login(world.staff)
    with django_assert_max_num_queries(20):
        page = client.get(need.get_absolute_url()).content.decode()
    assert world.unit.name in page and "已认领 4 / 10 人" in page
    assert "提交需求" in page and "审核通过并发布" in page and "确认认领" in page
    # The projects app turns a confirmed claim into a project; the trace page links it.
    projects = list(need.projects.all())
    assert all(p.title in page for p in projects) and (projects or "尚未形成项目" in page)


def test_requester_sees_returned_reason_and_resubmits(client, world):
    need = make_need(world, publish=False)
    services.need_return(actor=world.staff, need=need, reason="请补充地点")
    client.force_login(world.resident)
    # The requester follows it on their own page (我的需求).
    response = client.get(need.get_absolute_url(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("lists:need_mine_detail", args=[need.pk])
    page = response.content.decode()
    assert "请补充地点" in page and "退回" in page
    response = client.post(reverse("lists:need_edit", args=[need.pk]), {
        "title": need.title, "category": need.category_id, "quantity_needed": 10, "quantity_unit": "人",
        "urgency": "low", "place": "党群服务中心"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.SUBMITTED and need.place == "党群服务中心"
    assert "我的需求" in client.get(reverse("lists:need_mine")).content.decode()


def test_resident_posts_a_need_without_title_and_gets_a_message(client, world):
    from lianjian.accounts.services import home_community_set

    home_community_set(actor=world.resident, community=world.community)
    client.force_login(world.resident)
    # The staff form sends residents to their short form.
    assert client.get(reverse("lists:need_create"))["Location"] == reverse("lists:need_post")
    response = client.post(reverse("lists:need_post"), {"title": "", "category": category().pk})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert not Need.objects.exists()
    response = client.post(reverse("lists:need_post"), {"title": "楼道灯坏了", "category": category("safety").pk})
    assert response.status_code == 302
    assert Need.objects.get().status == NeedStatus.SUBMITTED


def test_staff_review_queue_publish_and_return(client, world):
    a = make_need(world, publish=False, title="待发布")
    b = make_need(world, publish=False, title="待退回")
    client.force_login(world.staff)
    page = client.get(reverse("lists:review")).content.decode()
    assert "待发布" in page and "待退回" in page
    client.post(reverse("lists:need_publish", args=[a.pk]), {"next": reverse("lists:review")})
    client.post(reverse("lists:need_return", args=[b.pk]), {"reason": ""})
    b.refresh_from_db()
    assert b.status == NeedStatus.SUBMITTED  # no reason, nothing changed
    client.post(reverse("lists:need_return", args=[b.pk]), {"reason": "重复提交"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == NeedStatus.PUBLISHED and b.status == NeedStatus.RETURNED
    client.force_login(world.resident)
    assert client.get(reverse("lists:review")).status_code == 403


def test_claim_form_then_confirm(client, world):
    need = make_need(world, quantity=10)
    res = make_resource(world, capacity=20)
    client.force_login(world.liaison)
    page = client.get(need.get_absolute_url()).content.decode()
    assert 'data-testid="claim-form"' in page
    response = client.post(reverse("lists:claim_create", args=[need.pk]), {
        "organisation": world.unit.pk, "resource": res.pk, "quantity": 11, "role": "lead"})
    assert "超过需求剩余数量" in response.content.decode() and not Claim.objects.exists()
    response = client.post(reverse("lists:claim_create", args=[need.pk]), {
        "organisation": world.unit.pk, "resource": res.pk, "quantity": 10, "role": "lead",
        "note": "提供岗位"})
    assert response.status_code == 302
    claim = Claim.objects.get()
    # The liaison cannot confirm their own claim.
    client.post(reverse("lists:claim_confirm", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
    client.force_login(world.staff)
    client.post(reverse("lists:claim_confirm", args=[claim.pk]))
    claim.refresh_from_db()
    need.refresh_from_db()
    assert claim.status == ClaimStatus.CONFIRMED and need.status == NeedStatus.COVERED
    client.force_login(world.liaison)
    page = client.get(reverse("lists:my_unit")).content.decode()
    assert need.title in page and "已确认" in page


def test_out_of_scope_pages_are_404_and_write_nothing(client, world):
    need = make_need(world)
    res = make_resource(world)
    client.force_login(world.other_staff)
    assert client.get(need.get_absolute_url()).status_code == 404
    assert client.get(res.get_absolute_url()).status_code == 404
    assert client.post(reverse("lists:need_close", args=[need.pk])).status_code == 404
    assert client.post(reverse("lists:claim_create", args=[need.pk]), {"organisation": world.other_unit.pk,
                                                                       "quantity": 1}).status_code == 404
    need.refresh_from_db()
    assert need.status == NeedStatus.PUBLISHED and not Claim.objects.exists()
    client.force_login(world.other_liaison)
    assert client.get(need.get_absolute_url()).status_code == 404


def test_resource_pages(client, world):
    client.force_login(world.liaison)
    response = client.post(reverse("lists:resource_create"), {
        "organisation": world.unit.pk, "title": "20 个岗位", "category": category().pk, "capacity": -3,
        "capacity_unit": "个岗位"})
    assert response.status_code == 200 and "Resource" not in response.content.decode()
    response = client.post(reverse("lists:resource_create"), {
        "organisation": world.unit.pk, "title": "20 个岗位", "category": category().pk, "capacity": 20,
        "capacity_unit": "个岗位"})
    assert response.status_code == 302
    from lianjian.lists.models import Resource

    res = Resource.objects.get()
    assert list(res.communities.all()) == [world.community]
    page = client.get(res.get_absolute_url()).content.decode()
    assert "剩余 20 / 20 个岗位" in page
    client.post(reverse("lists:resource_status", args=[res.pk]), {"status": "paused"})
    res.refresh_from_db()
    assert res.status == "paused"
    client.force_login(world.staff)
    assert "20 个岗位" in client.get(reverse("lists:resource_list")).content.decode()


def test_unit_claims_include_renders_for_the_org_page(rf, world):
    from django.template.loader import render_to_string

    need = make_need(world)
    services.claim_create(actor=world.liaison, need=need, organisation=world.unit)
    request = rf.get("/")
    request.user = world.staff
    html = render_to_string("lists/_unit_claims.html", {"org": world.unit, "request": request})
    assert need.title in html and "待确认" in html


def test_nav_entries(client, world):
    client.force_login(world.staff)
    page = client.get(reverse("lists:need_list")).content.decode()
    assert "资源清单" in page and "待审核" in page
    client.force_login(world.resident)
    page = client.get(reverse("lists:need_list")).content.decode()
    assert "需求清单" in page and f'href="{reverse("lists:review")}"' not in page
