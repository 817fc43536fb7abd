"""Residents, riders and volunteers: their home, the short need form, 我的需求 and its journey."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from lianjian.accounts.models import Role
from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import api_token_create, home_community_set
from lianjian.lists import services
from lianjian.lists.models import Claim, Need, NeedPhoto, NeedStatus
from lianjian.notifications.models import Notification
from lianjian.projects import services as projects
from lianjian.projects.models import Project
from lianjian.testing import make_user

from .factories import category, make_need

pytestmark = pytest.mark.django_db


def png(name="light.png"):
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 120, 200)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def resident_of(community, role=Role.RESIDENT, **kwargs):
    user = make_user(role=role, **kwargs)
    home_community_set(actor=user, community=community)
    return user


def nav_html(page):
    return page.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.RIDER, Role.VOLUNTEER])
def test_self_service_home_starts_their_tasks_and_menu_has_no_tokens(client, world, role):
    user = resident_of(world.community, role=role)
    client.force_login(user)
    page = client.get(reverse("core:home")).content.decode()
    for testid in ("post-need", "report-problem", "home-mine", "home-board"):
        assert f'data-testid="{testid}"' in page, testid
    assert world.community.name in page
    nav = nav_html(page)
    for label, url in (("首页", reverse("core:home")), ("我的需求", reverse("lists:need_mine")),
                       ("提需求", reverse("lists:need_post")), ("社区公示", reverse("public:my_board"))):
        assert f'href="{url}"' in nav and label in nav, label
    assert "接口令牌" not in nav and reverse("accounts:tokens") not in nav
    assert "需求清单" not in nav and "工作台" not in nav
    # 社区公示 opens their own community's board.
    assert client.get(reverse("public:my_board"))["Location"] == reverse("public:board", args=[world.community.code])


def test_staff_and_liaison_homes_stay_and_tokens_live_on_the_account_page(client, world):
    for user, marker in ((world.staff, 'data-testid="todo"'), (world.liaison, 'data-testid="my-unit"')):
        client.force_login(user)
        page = client.get(reverse("core:home")).content.decode()
        assert marker in page and 'data-testid="post-need"' not in page
        nav = nav_html(page)
        assert "接口令牌" not in nav and "工作台" in nav
        account = client.get(reverse("accounts:account")).content.decode()
        assert 'id="tokens"' in account and reverse("accounts:tokens") in account
        assert f'href="{reverse("accounts:account")}"' in page  # the name in the top bar leads there
    response = client.post(reverse("accounts:tokens"), {"name": "同步脚本"})
    assert 'data-testid="new-token"' in response.content.decode()
    assert "同步脚本" in client.get(reverse("accounts:account")).content.decode()


def test_resident_form_is_short_and_posts_into_review_for_their_own_community(
        client, world, django_capture_on_commit_callbacks):
    user = resident_of(world.community)
    client.force_login(user)
    page = client.get(reverse("lists:need_post")).content.decode()
    assert 'data-testid="resident-need-form"' in page and world.community.name in page
    for staff_only in ('name="community"', 'name="quantity_needed"', 'name="quantity_unit"',
                       'name="beneficiary_groups"', 'name="contact_phone"'):
        assert staff_only not in page, staff_only
    # A tampered POST naming another community (and staff-only fields) changes nothing of that.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lists:need_post"), {
            "title": "楼道灯坏了", "category": category("safety").pk, "description": "三单元二楼",
            "place": "枫树小区 3 栋", "photo": png(), "community": world.other_community.pk,
            "quantity_needed": 99, "status": "published"})
    need = Need.objects.get()
    assert response["Location"] == reverse("lists:need_mine_detail", args=[need.pk])
    assert need.community == world.community and need.status == NeedStatus.SUBMITTED
    assert need.requester == user and need.source == "resident" and need.quantity_needed == 1
    assert need.place == "枫树小区 3 栋" and NeedPhoto.objects.filter(need=need).count() == 1
    assert Notification.objects.filter(recipient=world.staff, url=need.get_absolute_url()).exists()
    assert not Notification.objects.filter(recipient=world.other_staff).exists()
    # A rider's need is marked as such by the same service.
    rider = resident_of(world.community, role=Role.RIDER)
    client.force_login(rider)
    client.post(reverse("lists:need_post"), {"title": "骑手充电桩", "category": category("new-employment").pk})
    assert Need.objects.get(requester=rider).source == "rider"


def test_the_service_keeps_self_service_people_to_their_community(client, world):
    user = resident_of(world.community)
    with pytest.raises(ValidationError) as exc:
        services.need_create(actor=user, community=world.other_community, title="别的社区", category=category())
    assert "community" in exc.value.message_dict
    _token, raw = api_token_create(user=user, name="t")
    response = client.post("/api/v1/needs", {"community_id": world.other_community.pk, "title": "别的社区",
                                             "category": "employment"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422 and response.json()["error"]["details"]["community"]
    assert not Need.objects.exists()
    # Their own community is fine, and so is staff posting anywhere they run.
    assert services.need_create(actor=user, community=world.community, title="本社区", category=category())
    assert services.need_create(actor=world.district_admin, community=world.sibling, title="街道", category=category())


def test_without_a_community_the_person_finds_and_chooses_theirs(client, world):
    user = make_user(role=Role.RESIDENT)
    client.force_login(user)
    page = client.get(reverse("lists:need_post")).content.decode()
    assert 'data-testid="community-search"' in page and 'name="title"' not in page
    page = client.get(reverse("lists:need_post"), {"q": "甲一"}).content.decode()
    assert world.community.name in page and world.other_community.name not in page
    response = client.post(reverse("accounts:community"), {"community": world.community.pk,
                                                           "next": reverse("lists:need_post")})
    assert response["Location"] == reverse("lists:need_post")
    assert 'name="title"' in client.get(reverse("lists:need_post")).content.decode()
    # A street is not a community; a foreign "next" is ignored.
    response = client.post(reverse("accounts:community"), {"community": world.street.pk, "next": "https://evil.example/"})
    assert response["Location"].startswith(reverse("accounts:account"))
    assert user.roles.get(role=Role.RESIDENT).region == world.community


def test_staff_keep_their_full_form(client, world):
    client.force_login(world.staff)
    page = client.get(reverse("lists:need_create")).content.decode()
    assert 'name="quantity_needed"' in page and 'name="community"' in page


def test_my_needs_shows_only_own_needs(client, world):
    user = resident_of(world.community)
    neighbour = resident_of(world.community)
    mine = make_need(world, actor=user, publish=False, title="我的路灯")
    theirs = make_need(world, actor=neighbour, publish=False, title="邻居的长椅")
    staffs = make_need(world, actor=world.staff, publish=True, title="社区发布的需求")
    client.force_login(user)
    page = client.get(reverse("lists:need_mine")).content.decode()
    assert mine.title in page and theirs.title not in page and staffs.title not in page
    assert client.get(reverse("lists:need_mine_detail", args=[mine.pk])).status_code == 200
    for other in (theirs, staffs):
        assert client.get(reverse("lists:need_mine_detail", args=[other.pk])).status_code == 404
    home = client.get(reverse("core:home")).content.decode()
    assert mine.title in home and theirs.title not in home


def stage(page, key):
    marker = f'data-testid="journey-{key}" data-state="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_journey_follows_review_claim_project_and_rating(client, world):
    user = resident_of(world.community)
    client.force_login(user)
    need = services.need_create(actor=user, community=world.community, title="独居老人助餐", category=category())
    url = reverse("lists:need_mine_detail", args=[need.pk])

    page = client.get(url).content.decode()
    assert stage(page, "review") == "current" and "等待社区审核" in page
    assert stage(page, "claim") == "waiting" and stage(page, "rating") == "waiting"

    services.need_return(actor=world.staff, need=need, reason="请补充地点")
    page = client.get(url).content.decode()
    assert stage(page, "review") == "stopped" and "请补充地点" in page
    assert reverse("lists:need_edit", args=[need.pk]) in page
    # The requester edits it in the short form, which resubmits it.
    edit = client.get(reverse("lists:need_edit", args=[need.pk])).content.decode()
    assert 'data-testid="resident-need-form"' in edit and 'name="quantity_needed"' not in edit
    client.post(reverse("lists:need_edit", args=[need.pk]), {"title": need.title, "category": need.category_id,
                                                              "place": "枫树小区"})
    need.refresh_from_db()
    assert need.status == NeedStatus.SUBMITTED and need.place == "枫树小区"

    services.need_publish(actor=world.staff, need=need)
    page = client.get(url).content.decode()
    assert stage(page, "review") == "done" and stage(page, "claim") == "current"

    claim = services.claim_create(actor=world.liaison, need=need, organisation=world.unit, quantity=1)
    page = client.get(url).content.decode()
    assert stage(page, "claim") == "current" and "等待社区确认" in page
    services.claim_confirm(actor=world.staff, claim=claim)
    page = client.get(url).content.decode()
    assert stage(page, "claim") == "done" and world.unit.name in page
    project = Project.objects.get(need=need)  # the confirmed claim became the project
    assert stage(page, "project") == "current" and project.get_status_display() in page

    projects.progress_add(actor=SYSTEM, project=project, text="第一周送餐 30 份", happened_on=dt.date(2024, 4, 1))
    page = client.get(url).content.decode()
    assert "第一周送餐 30 份" in page and reverse("public:project", args=[project.pk]) in page

    projects.project_complete(actor=SYSTEM, project=project, summary="完成", completed_on=dt.date(2024, 5, 1),
                              photos=[png()])
    page = client.get(url).content.decode()
    assert stage(page, "project") == "done" and stage(page, "rating") == "current"
    project.refresh_from_db()
    assert project.get_public_url() in page and 'data-testid="rate-link"' in page

    projects.rating_add(project=project, stars=4, comment="", device_hash="d1", rater=user)
    page = client.get(url).content.decode()
    assert stage(page, "rating") == "done" and "您的评分 4 星" in page and 'data-testid="rate-link"' not in page
    assert "您已评价" in client.get(reverse("lists:need_mine")).content.decode()


def test_closed_need_shows_as_stopped_with_the_reason(client, world):
    user = resident_of(world.community)
    need = make_need(world, actor=user, publish=False)
    services.need_close(actor=world.staff, need=need, reason="与已有需求重复")
    client.force_login(user)
    page = client.get(reverse("lists:need_mine_detail", args=[need.pk])).content.decode()
    assert stage(page, "review") == "stopped" and "与已有需求重复" in page
    assert world.staff.real_name not in page  # the requester sees what happened, not who did it
    assert Claim.objects.count() == 0
