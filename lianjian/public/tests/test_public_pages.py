"""Public pages without login: the region tree, search by name, district/street pages, the
public project page, and no personal data on any of them."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists import services as lists
from lianjian.projects import services as projects
from lianjian.projects.tests.factories import category, png, project

pytestmark = pytest.mark.django_db

PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_RE = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_home_tree_leads_from_districts_to_streets_to_community_boards(client, world):
    home = get(client, reverse("public:home"))
    district_url = reverse("public:area", args=[world.district.code])
    street_url = reverse("public:area", args=[world.street.code])
    assert world.district.name in home and world.other_district.name in home
    assert district_url in home and street_url in home
    district = get(client, district_url)
    board = reverse("public:board", args=[world.community.code])
    community = reverse("public:community", args=[world.community.code])
    assert street_url in district and community in district
    assert reverse("public:community", args=[world.sibling.code]) in district
    assert reverse("public:community", args=[world.other_community.code]) not in district
    street = get(client, street_url)
    assert community in street and world.sibling.name in street and world.other_community.name not in street
    # The community page leads to its full board; both link back up the tree.
    assert board in get(client, community)
    page = get(client, board)
    assert street_url in page and district_url in page
    # Communities have boards, not area pages; unknown codes are 404.
    assert client.get(reverse("public:area", args=[world.community.code])).status_code == 404
    assert client.get(reverse("public:area", args=["nope"])).status_code == 404


def test_street_page_shows_each_communitys_headline_figures(client, world):
    project(world, title="已完成一", status="completed")
    project(world, title="已完成二", status="completed")
    project(world, title="进行中", status="in_progress")
    project(world, title="取消的", status="cancelled")
    page = get(client, reverse("public:area", args=[world.street.code]))
    card = page.split(reverse("public:community", args=[world.community.code]), 1)[1].split("</li>", 1)[0]
    assert "<b>2</b> 已完成项目" in card and "<b>1</b> 在办项目" in card and "<b>1</b> 联建单位" in card
    district = get(client, reverse("public:area", args=[world.district.code]))
    assert "2 个社区 · 完成项目 2 · 联建单位 2" in district


def test_search_by_name_finds_districts_streets_and_communities_without_js(client, world):
    page = get(client, reverse("public:home"), q="甲一")
    results = page.split('data-testid="search-results"', 1)[1].split("</div>", 1)[0]
    assert reverse("public:community", args=[world.community.code]) in results
    assert world.other_community.name not in results and world.sibling.name not in results
    results = get(client, reverse("public:home"), q="乙街").split('data-testid="search-results"', 1)[1]
    assert reverse("public:area", args=[world.other_street.code]) in results.split("</div>", 1)[0]
    page = get(client, reverse("public:home"), q="不存在的地方")
    assert "没有找到名称相符的区、街道或社区" in page
    assert 'data-testid="search-results"' not in get(client, reverse("public:home"))
    get(client, reverse("public:home"), q="x" * 5000)  # a silly query is cut, not a 500


def test_project_page_for_public_projects_and_404_for_others(client, world):
    done = project(world, title="独居老人助浴", status="completed", description="为 20 位独居老人提供助浴")
    projects.rating_add(project=done, stars=5, comment="师傅很细心", device_hash="a", rater=world.resident)
    projects.rating_add(project=done, stars=3, comment="", device_hash="b")
    done.refresh_from_db()
    page = get(client, reverse("public:project", args=[done.pk]))
    assert "独居老人助浴" in page and "为 20 位独居老人提供助浴" in page and world.unit.name in page
    assert 'data-testid="project-completion"' in page and "已完成" in page
    photo = done.updates.get(is_completion=True).photos.get()
    assert photo.thumbnail_url in page and photo.public_url in page
    assert "★ 4.0" in page and "2 人已评价" in page and "师傅很细心" in page
    assert done.get_public_url() in page
    assert str(world.resident) not in page and world.resident.username not in page
    running = project(world, title="社区助餐", status="in_progress")
    projects.progress_add(actor=SYSTEM, project=running, text="第一周送餐", happened_on=dt.date(2024, 3, 5),
                          photos=[png()])
    page = get(client, reverse("public:project", args=[running.pk]))
    assert "第一周送餐" in page and running.updates.get().photos.get().thumbnail_url in page
    assert 'data-testid="rate-link"' not in page and "项目完成后可以评价" in page
    assert get(client, reverse("public:project", args=[project(world, title="计划中").pk]))
    cancelled = project(world, title="取消的项目", status="cancelled")
    assert client.get(reverse("public:project", args=[cancelled.pk])).status_code == 404
    assert client.get("/p/999999/").status_code == 404
    # The board's cards lead to the project pages.
    board = get(client, reverse("public:board", args=[world.community.code]))
    for p in (done, running):
        assert reverse("public:project", args=[p.pk]) in board
    assert reverse("public:project", args=[cancelled.pk]) not in board


def test_no_public_page_shows_phone_or_id_numbers(client, world):
    """Every public page, filled with data that carries phones and ID numbers in free text."""
    need = lists.need_create(actor=world.staff, community=world.community, title="联系 13912345678 的楼道灯",
                             category=category(), contact_name="王大爷", contact_phone="13711112222",
                             description="身份证 510104199001011234")
    lists.need_publish(actor=world.staff, need=need)
    done = project(world, title="助老 139-1234-5678", status="in_progress",
                   description="负责人电话 13600001111，身份证 51010419900101123X")
    projects.progress_add(actor=SYSTEM, project=done, text="联系人 13500002222 上门", happened_on=dt.date(2024, 4, 1),
                          photos=[png()])
    projects.project_complete(actor=SYSTEM, project=done, summary="完成，回访电话 13200004444",
                              completed_on=dt.date(2024, 6, 1), photos=[png()])
    done.refresh_from_db()
    projects.rating_add(project=done, stars=5, comment="有事打 13300003333", device_hash="x", rater=world.resident)
    running = project(world, title="社区助餐", status="in_progress")
    urls = [
        reverse("public:home"), reverse("public:home") + "?q=甲", reverse("public:area", args=[world.district.code]),
        reverse("public:area", args=[world.street.code]), reverse("public:board", args=[world.community.code]),
        reverse("public:project", args=[done.pk]), reverse("public:project", args=[running.pk]),
        done.get_public_url(),
    ]
    for url in urls:
        page = client.get(url).content.decode()
        assert not PHONE_RE.search(page), (url, PHONE_RE.search(page).group())
        assert not ID_RE.search(page), (url, ID_RE.search(page).group())
        for private in ("王大爷", world.resident.real_name, world.staff.real_name, world.resident.username):
            assert private not in page, (url, private)
    # Masked forms stay readable.
    page = client.get(reverse("public:project", args=[done.pk])).content.decode()
    assert "135****2222" in page and "133****3333" in page and "510104********123X" in page


def test_my_board_sends_people_without_a_community_to_the_tree(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("public:my_board"))["Location"] == reverse("public:home")
    client.logout()
    assert client.get(reverse("public:my_board")).status_code == 302  # to log in
