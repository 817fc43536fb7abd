"""The public site around stories: community pages with the year's figures, the board in brief,
upcoming events and the latest stories; feeds; sharing tags; Chinese 404s; no personal data."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lianjian.events.tests.factories import make_event
from lianjian.lists import services as lists
from lianjian.projects import services as projects
from lianjian.projects.tests.factories import category, png, project
from lianjian.public import pages
from lianjian.public.tests.test_public_pages import ID_RE, PHONE_RE
from lianjian.stories.tests.factories import draft, published

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _no_cached_figures():
    cache.clear()
    yield
    cache.clear()


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_community_page_has_figures_board_events_stories_and_sharing_tags(client, world):
    done = project(world, title="独居老人助浴", status="completed", year=2024)
    projects.rating_add(project=done, stars=4, comment="", device_hash="a")
    project(world, title="社区助餐", status="in_progress", year=2024)
    need = lists.need_create(actor=world.staff, community=world.community, title="楼道灯坏了", category=category())
    lists.need_publish(actor=world.staff, need=need)
    event = make_event(world, title="社区年夜饭", starts_at=timezone.now() + dt.timedelta(days=3),
                       ends_at=timezone.now() + dt.timedelta(days=3, hours=2))
    story = published(world, photos=[png()])
    url = reverse("public:community", args=[world.community.code])
    page = get(client, url)
    figures = page.split('data-testid="headline-figures"', 1)[1].split("</section>", 1)[0]
    assert "2024 年联建成效" in figures
    assert re.search(r'data-testid="fig-projects">1<', figures) and re.search(r'data-testid="fig-units">1<', figures)
    assert re.search(r'data-testid="fig-rating">4.0<', figures)
    assert reverse("public:project", args=[done.pk]) in page and "楼道灯坏了" in page
    assert reverse("public:board", args=[world.community.code]) in page
    assert event.get_absolute_url() in page and "报名参加" in page
    assert story.get_absolute_url() in page and story.photos.get().thumbnail_url in page
    assert f'href="{reverse("public:feed_region", args=[world.community.code])}"' in page
    assert "<title>甲一社区 · " in page and '<meta property="og:title" content="甲一社区">' in page
    assert f'<meta property="og:image" content="http://testserver{story.photos.get().public_url}">' in page
    assert '<meta name="description" content="甲一社区区域化党建联建' in page
    # The street and district pages carry their own figures, events and stories.
    for code in (world.street.code, world.district.code):
        area = get(client, reverse("public:area", args=[code]))
        assert 'data-testid="headline-figures"' in area and story.get_absolute_url() in area
        assert event.get_absolute_url() in area
    board = get(client, reverse("public:board", args=[world.community.code]))
    assert '<meta property="og:title" content="甲一社区公开展示板">' in board
    other = get(client, reverse("public:community", args=[world.other_community.code]))
    assert story.get_absolute_url() not in other and event.get_absolute_url() not in other


def test_home_shows_site_figures_latest_stories_events_and_search(client, world):
    story = published(world)
    draft(world, title="还没发布的草稿")
    page = get(client, reverse("public:home"))
    assert 'data-testid="headline-figures"' in page and story.get_absolute_url() in page
    assert "还没发布的草稿" not in page and 'action="/search/"' in page
    assert f'href="{reverse("public:feed_site")}"' in page


def test_community_extras_hook_includes_registered_templates(client, world, monkeypatch):
    url = reverse("public:community", args=[world.community.code])
    assert 'data-testid="community-extra"' not in get(client, url)
    monkeypatch.setattr(pages, "COMMUNITY_INCLUDES", [])
    pages.register_community_include("public/tests_extra.html")
    from django.template import engines

    engine = engines["django"].engine
    from django.template.loaders.locmem import Loader

    monkeypatch.setattr(engine, "template_loaders", [Loader(engine, {
        "public/tests_extra.html": '<p data-testid="community-extra">{{ node.name }}</p>'}), *engine.template_loaders])
    assert '<p data-testid="community-extra">甲一社区</p>' in get(client, url)


def test_feeds_list_published_stories_of_the_site_and_of_each_region(client, world):
    mine = published(world, title="甲一的报道")
    theirs = published(world, title="甲二的报道", region=world.sibling, author=world.street_admin)
    draft(world, title="草稿不进订阅")
    site = ET.fromstring(client.get(reverse("public:feed_site")).content)  # noqa: S314 - our own output
    assert site.tag == f"{ATOM}feed"
    titles = [e.findtext(f"{ATOM}title") for e in site.iter(f"{ATOM}entry")]
    assert set(titles) == {"甲一的报道", "甲二的报道"}
    response = client.get(reverse("public:feed_region", args=[world.community.code]))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own output
    entries = list(feed.iter(f"{ATOM}entry"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["甲一的报道"]
    assert entries[0].find(f"{ATOM}link").get("href") == f"http://testserver{mine.get_absolute_url()}"
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == "华西社区报记者 李玥林"
    street = ET.fromstring(  # noqa: S314 - our own output
        client.get(reverse("public:feed_region", args=[world.street.code])).content)
    assert len(list(street.iter(f"{ATOM}entry"))) == 2
    assert theirs.pk


def test_unknown_codes_and_ids_are_the_chinese_404_page(client, world):
    for url in ("/c/nope/", f"/c/{world.street.code}/", "/area/nope/", "/feeds/nope/", "/board/nope/",
                "/stories/999999/", "/stories/999999/print/", "/p/999999/", "/stories/photos/999999/public/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "页面不存在" in response.content.decode(), url


def test_no_new_public_page_shows_phone_or_id_numbers(client, world):
    """Stories, community pages, feeds, search and print pages, with phones and ID numbers typed in."""
    done = project(world, title="助老 139-1234-5678", status="completed", description="电话 13600001111")
    need = lists.need_create(actor=world.staff, community=world.community, title="联系 13912345678 的楼道灯",
                             category=category(), contact_name="王大爷", contact_phone="13711112222",
                             description="身份证 510104199001011234")
    lists.need_publish(actor=world.staff, need=need)
    # A story's own text may not carry them at all; titles of what it links to are masked.
    for fields in ({"title": "年夜饭 13500002222"}, {"subtitle": "身份证 51010419900101123X"},
                   {"body": "<p>有事打 135 0000 3333</p>"}, {"reporter": "记者 13200004444"},
                   {"photos": [png()], "captions": ["联系 13100005555"]}, {"place": "510104199001011234"}):
        with pytest.raises(ValidationError) as exc:
            draft(world, **fields)
        assert "请不要写入手机号或身份证号" in str(exc.value)
    story = published(world, title="年夜饭", links=[("project", done.pk)], photos=[png()], captions=["合影"])
    assert story.links.get().title == "助老 139****5678"
    urls = [
        reverse("public:home"), reverse("public:community", args=[world.community.code]),
        reverse("public:area", args=[world.street.code]), reverse("public:area", args=[world.district.code]),
        story.get_absolute_url(), reverse("stories:print", args=[story.pk]),
        reverse("public:feed_site"), reverse("public:feed_region", args=[world.community.code]),
        reverse("search:search") + "?q=年夜饭", reverse("search:search") + "?q=楼道灯",
        reverse("search:search") + "?q=助老", "/api/v1/search?q=年夜饭", "/api/v1/search?q=楼道灯",
        f"/api/v1/stories/{story.pk}", "/api/v1/stories", reverse("public:project", args=[done.pk]),
    ]
    for url in urls:
        page = client.get(url).content.decode()
        assert not PHONE_RE.search(page), (url, PHONE_RE.search(page).group())
        assert not ID_RE.search(page), (url, ID_RE.search(page).group())
        for private in ("王大爷", world.staff.real_name, world.street_admin.real_name, world.staff.username):
            assert private not in page, (url, private)


def test_community_page_lists_its_stations_and_friendly_merchants_without_personal_data(client, world):
    from lianjian.workers import merchants
    from lianjian.workers.tests.factories import make_merchant, make_station, make_supply, make_worker

    station = make_station(world, name="江浦路小哥驿站")
    make_supply(station, name="雨衣", quantity=0)
    make_station(world, name="别社区驿站", community=world.sibling)
    shop = make_merchant(world)
    merchants.offer_create(actor=world.staff, merchant=shop, title="骑手凭证9折")
    rider = make_worker(world, verified=True)
    page = get(client, reverse("public:community", args=[world.community.code]))
    assert 'data-testid="public-stations"' in page and "江浦路小哥驿站" in page and "别社区驿站" not in page
    assert station.get_absolute_url() in page  # the station's own public page has its supplies in words
    assert shop.organisation.name in page and "骑手凭证9折" in page
    assert rider.phone not in page
