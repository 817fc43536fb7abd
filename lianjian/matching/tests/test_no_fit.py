"""When no listed resource fits a need: "暂无合适资源", units by kind to invite (those without
resources included), a unit search, and the confidence in the API."""

import pytest
from django.urls import reverse

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists.models import BeneficiaryGroup, Category
from lianjian.lists.services import need_create, need_publish, resource_create
from lianjian.matching import selectors
from lianjian.matching.index import INDEX
from lianjian.matching.models import ClaimInvitation
from lianjian.notifications.models import Notification
from lianjian.regions.services import region_create
from lianjian.testing import make_org, make_partnership, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index():
    INDEX.reset()
    yield
    INDEX.reset()


def cat(name):
    return Category.objects.get(name=name)


def groups(*names):
    return list(BeneficiaryGroup.objects.filter(name__in=names))


@pytest.fixture
def bus_stop(world):
    return make_bus_stop(world)


def make_bus_stop(world):
    """The issue's case: a bus-stop seats need on 成龙路; a health screening for the elderly and a
    rider station on the same road; a bus company that has listed no resource at all."""
    street = region_create(actor=SYSTEM, parent=world.district, code=f"{world.district.code}009",
                           name="成龙路街道", kind="street")
    maple = region_create(actor=SYSTEM, parent=street, code=f"{street.code}001", name="枫树社区", kind="community")
    staff = make_user(role="community_staff", region=maple)
    clinic = make_org(region=maple, name="成龙路枫树社区卫生服务中心", kind="medical")
    station = make_org(region=maple, name="美团外卖成龙路站", kind="delivery")
    bus = make_org(region=maple, name="成都公交集团锦江分公司", kind="state_owned")
    bus_liaison = make_user(real_name="公交联络员")
    for org, liaison in ((clinic, make_user()), (station, make_user()), (bus, bus_liaison)):
        make_partnership(community=maple, organisation=org, liaison=liaison)
    screening = resource_create(actor=SYSTEM, organisation=clinic, title="重点人群免费健康筛查",
                                category=cat("医疗健康"), capacity=200, beneficiary_groups=groups("老人", "困难家庭"),
                                description="为枫树社区老年人和困难家庭提供结核病、慢病等免费筛查，可上门服务。")
    rider = resource_create(actor=SYSTEM, organisation=station, title="骑手驿站共建", category=cat("新就业群体服务"),
                            capacity=1, capacity_unit="个驿站", beneficiary_groups=groups("新就业群体"),
                            description="在成龙路提供驿站场地运营支持和骑手志愿者。")
    need = need_create(actor=staff, community=maple, title="公交站台增设座椅", category=cat("交通出行"),
                       beneficiary_groups=groups("老人"), quantity_needed=2, quantity_unit="个站台",
                       description="成龙路枫树站候车的老年人很多，站台没有座椅，老年人站着等车很累，希望增设座椅。")
    need_publish(actor=staff, need=need)
    return {"staff": staff, "need": need, "bus": bus, "bus_liaison": bus_liaison, "screening": screening,
            "rider": rider, "clinic": clinic, "community": maple}


def test_no_fitting_resource_is_suggested(bus_stop):
    assert selectors.suggestions_for_need(user=bus_stop["staff"], need=bus_stop["need"]) == []
    weak = selectors.suggestions_for_need(user=bus_stop["staff"], need=bus_stop["need"], include_weak=True)
    assert {s.resource.pk for s in weak} == {bus_stop["screening"].pk, bus_stop["rider"].pk}
    assert all(s.weak for s in weak)


@pytest.mark.parametrize("fragment", [False, True], ids=["page", "need-page-fragment"])
def test_need_page_says_no_fitting_resource_and_lists_units_by_kind(client, bus_stop, fragment):
    client.force_login(bus_stop["staff"])
    headers = {"HTTP_HX_REQUEST": "true"} if fragment else {}
    page = client.get(reverse("matching:need", args=[bus_stop["need"].pk]), **headers).content.decode()
    assert "暂无合适资源" in page and "按单位类型邀请" in page
    assert "重点人群免费健康筛查" not in page and "骑手驿站共建" not in page
    # Every joint unit is listed under its kind, the bus company (no resources) included.
    assert page.index("医疗机构") < page.index("成龙路枫树社区卫生服务中心")
    assert "国有企业" in page and "成都公交集团锦江分公司" in page and "未登记资源" in page
    assert page.count('data-testid="invite-unit"') == 3
    assert f'name="organisation" value="{bus_stop["bus"].pk}"' in page


def test_invite_a_unit_without_resources(client, bus_stop, django_capture_on_commit_callbacks):
    need, bus = bus_stop["need"], bus_stop["bus"]
    client.force_login(bus_stop["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:invite", args=[need.pk]), {"organisation": bus.pk}, follow=True)
    assert "已邀请成都公交集团锦江分公司认领" in response.content.decode()
    invitation = ClaimInvitation.objects.get(need=need, organisation=bus)
    assert invitation.resource is None
    assert Notification.objects.filter(recipient=bus_stop["bus_liaison"], url=invitation.get_absolute_url()).exists()
    # The list now shows the invitation instead of the button.
    page = client.get(reverse("matching:need", args=[need.pk])).content.decode()
    assert f'name="organisation" value="{bus.pk}"' not in page and "已邀请" in page
    # The liaison claims in one click, without a resource.
    client.force_login(bus_stop["bus_liaison"])
    client.post(reverse("matching:invitation", args=[invitation.pk]), {"quantity": "2"})
    invitation.refresh_from_db()
    assert invitation.claim is not None and invitation.claim.resource is None


@pytest.mark.parametrize("value", ["abc", "", "-1", "99999999999999999999999", "1.5"])
def test_invite_refuses_ids_that_are_not_a_joint_unit(client, bus_stop, world, value):
    client.force_login(bus_stop["staff"])
    for org_id in (value, str(world.other_unit.pk), str(world.unit.pk)):
        response = client.post(reverse("matching:invite", args=[bus_stop["need"].pk]), {"organisation": org_id},
                               follow=True)
        assert response.status_code == 200 and "请选择本社区的联建单位" in response.content.decode()
    assert not ClaimInvitation.objects.exists()


def test_invite_unit_without_liaison_says_to_phone(client, bus_stop, django_capture_on_commit_callbacks):
    lonely = make_org(region=bus_stop["community"], name="枫树社区物业公司", kind="private")
    make_partnership(community=bus_stop["community"], organisation=lonely)
    client.force_login(bus_stop["staff"])
    page = client.get(reverse("matching:need", args=[bus_stop["need"].pk])).content.decode()
    assert "暂无联络员账号" in page
    response = client.post(reverse("matching:invite", args=[bus_stop["need"].pk]), {"organisation": lonely.pk},
                           follow=True)
    assert "请电话联系" in response.content.decode()
    assert ClaimInvitation.objects.filter(organisation=lonely).exists()


def test_other_staff_cannot_list_or_invite(client, bus_stop, world):
    for user in (world.other_staff, world.liaison, world.resident):
        client.force_login(user)
        assert client.get(reverse("matching:need", args=[bus_stop["need"].pk])).status_code in (403, 404)
        response = client.post(reverse("matching:invite", args=[bus_stop["need"].pk]),
                               {"organisation": bus_stop["bus"].pk})
        assert response.status_code in (403, 404)
    assert not ClaimInvitation.objects.exists()


@pytest.mark.parametrize(("query", "found", "missing"), [
    ("公交", "成都公交集团锦江分公司", "美团外卖成龙路站"),
    ("国有企业", "成都公交集团锦江分公司", "卫生服务中心"),
    ("外卖配送", "美团外卖成龙路站", "成都公交集团锦江分公司"),
])
def test_search_finds_units_by_name_or_kind(client, bus_stop, query, found, missing):
    client.force_login(bus_stop["staff"])
    page = client.get(reverse("matching:need", args=[bus_stop["need"].pk]), {"q": query}).content.decode()
    assert found in page and missing not in page


def test_search_by_kind_and_nothing_found(client, bus_stop):
    client.force_login(bus_stop["staff"])
    url = reverse("matching:need", args=[bus_stop["need"].pk])
    page = client.get(url, {"kind": "state_owned"}).content.decode()
    assert "成都公交集团锦江分公司" in page and "美团外卖成龙路站" not in page
    page = client.get(url, {"q": "不存在的单位" * 20, "kind": "nonsense"}).content.decode()
    assert "没有找到符合条件的联建单位" in page


def test_api_reports_confidence_and_weak(client, bus_stop):
    client.force_login(bus_stop["staff"])
    url = f"/api/v1/matching/needs/{bus_stop['need'].pk}"
    assert client.get(url).json() == []
    body = client.get(url, {"include_weak": "true"}).json()
    assert body and all(item["weak"] is True and 0 <= item["confidence"] < 0.3 for item in body)
    assert {"resource_id", "score", "reasons", "organisation_name"} <= set(body[0])
    rank = client.post("/api/v1/matching/rank", {
        "needs": [{"id": "n", "title": "电动车没地方充电", "description": "电瓶车只能拉线充电"}],
        "resources": [{"id": "r", "title": "电动自行车充电桩", "description": "小区安装充电桩"},
                      {"id": "x", "title": "书法兴趣班", "description": "每周六书法课"}],
    }, content_type="application/json").json()
    first, second = rank["n"]
    assert first["resource_id"] == "r" and first["weak"] is False and first["confidence"] == first["score"]
    assert second["weak"] is True


def test_search_by_kind_works_in_english_and_chinese(client, bus_stop):
    from django.utils import translation

    client.force_login(bus_stop["staff"])
    url = reverse("matching:need", args=[bus_stop["need"].pk])
    with translation.override("en"):
        english = str(selectors.OrgKind.STATE_OWNED.label)
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for query in ("国有企业", english):
        page = client.get(url, {"q": query}).content.decode()
        assert '<html lang="en"' in page
        assert "成都公交集团锦江分公司" in page and "美团外卖成龙路站" not in page


def test_match_sheet_and_unit_pages_show_no_noise(client, bus_stop):
    """The same line holds on every matching page: the meeting sheet, and the needs a unit
    could meet (the clinic's screening does not fit the bench need)."""
    client.force_login(bus_stop["staff"])
    sheet = client.get(reverse("matching:sheet", args=[bus_stop["community"].pk])).content.decode()
    assert "公交站台增设座椅" in sheet and "暂无合适资源" in sheet and "重点人群免费健康筛查" not in sheet
    assert reverse("matching:need", args=[bus_stop["need"].pk]) in sheet
    clinic_rows = selectors.needs_for_organisation(user=bus_stop["staff"], organisation=bus_stop["clinic"])
    assert bus_stop["need"].pk not in [row.need.pk for row in clinic_rows]
