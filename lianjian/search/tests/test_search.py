"""Search across public needs, projects, events and stories: an index kept current by the
models' saves, Chinese words segmented with jieba, full-text matching with a substring fallback
for short words, results grouped and highlighted, and odd input answered politely."""

import datetime as dt
import json
import time

import pytest
from django.core.management import call_command
from django.db import connection

from lianjian.lists import services as lists
from lianjian.projects.tests.factories import category, project
from lianjian.search.models import SearchEntry
from lianjian.search.query import QUERY_MAX, search
from lianjian.stories import services as stories
from lianjian.stories.tests.factories import draft, published

pytestmark = pytest.mark.django_db

ODD = ["", "   ", '"', "*", ":", "(", ")", '"井盖" AND (维修 OR 更换) NEAR/2 ^x -y *', "AND", "OR", "NEAR", "^", "-",
       "' OR 1=1 --", "'; DROP TABLE search_searchentry; --", "%", "_", "\\", "😀🎉", "年夜饭😀", "井盖" * 5000,
       "x" * 10_000, "\u200b", "<script>alert(1)</script>"]


def kinds(answer):
    return {g.kind: [h.title for h in g.hits] for g in answer.groups}


def test_the_index_follows_publishing_and_withdrawing(world):
    story = draft(world, title="窨井盖修好了", body="骑手随手拍发现路口的窨井盖松动，社区当天联系维修。")
    assert not SearchEntry.objects.filter(kind="story").exists()
    story = stories.story_publish(actor=world.street_admin, story=stories.story_submit(actor=world.staff, story=story))
    entry = SearchEntry.objects.get(kind="story", object_id=story.pk)
    assert entry.url == story.get_absolute_url() and "井盖" in entry.terms.split() and entry.region == world.community
    stories.story_unpublish(actor=world.staff, story=story)
    assert not SearchEntry.objects.filter(kind="story").exists()


def test_public_projects_events_and_needs_are_indexed_without_personal_data(world):
    running = project(world, title="社区助餐点", status="in_progress", description="联系 13912345678")
    cancelled = project(world, title="取消的助餐", status="cancelled")
    need = lists.need_create(actor=world.staff, community=world.community, title="楼道灯坏了",
                             category=category(), contact_name="王大爷", contact_phone="13711112222",
                             description="打 13600001111")
    assert not SearchEntry.objects.filter(kind="need").exists()  # not published yet
    lists.need_publish(actor=world.staff, need=need)
    found = {(e.kind, e.object_id): e for e in SearchEntry.objects.all()}
    assert ("project", running.pk) in found and ("project", cancelled.pk) not in found
    assert ("need", need.pk) in found
    text = " ".join(e.body + e.terms for e in found.values())
    assert "13912345678" not in text and "13600001111" not in text and "王大爷" not in text
    assert "139****5678" in found[("project", running.pk)].body


def test_two_character_words_inside_longer_words_are_found(world):
    published(world, title="社区修好了窨井盖", body="骑手随手拍发现路口的窨井盖松动，社区当天联系维修。")
    assert kinds(search("井盖")) == {"story": ["社区修好了窨井盖"]}
    assert kinds(search("修好")) == {"story": ["社区修好了窨井盖"]}
    assert kinds(search("灯")) == {}


def test_longer_queries_use_every_word_and_results_are_grouped_and_highlighted(world):
    published(world, title="社区请快递小哥吃年夜饭", body="居民带来 34 道家常菜，商家赞助 8 道特色菜。")
    project(world, title="快递小哥驿站升级", status="in_progress", description="驿站新增微波炉和充电柜。")
    answer = search("快递小哥")
    assert set(kinds(answer)) == {"story", "project"} and [g.kind for g in answer.groups] == ["story", "project"]
    assert "<mark>快递</mark>" in answer.groups[0].hits[0].title_html
    assert kinds(search("年夜饭 家常菜")) == {"story": ["社区请快递小哥吃年夜饭"]}
    assert kinds(search("年夜饭 火箭发射")) == {}


def test_highlighting_escapes_first(world):
    published(world, title="<b>井盖</b> & 路灯", body="<p>井盖 &lt;img src=x onerror=alert(1)&gt;</p>")
    hit = search("井盖").groups[0].hits[0]
    assert hit.title_html == "&lt;b&gt;<mark>井盖</mark>&lt;/b&gt; &amp; 路灯"
    assert "<img" not in hit.snippet_html and "&lt;img" in hit.snippet_html


@pytest.mark.parametrize("raw", ODD)
def test_odd_input_is_answered_quickly_never_an_error(client, world, raw):
    published(world, title="社区修好了窨井盖", body="井盖松动已维修。")
    started = time.perf_counter()
    answer = search(raw)
    assert len(answer.query) <= QUERY_MAX
    response = client.get("/search/", {"q": raw})
    assert response.status_code == 200
    api = client.get("/api/v1/search", {"q": raw})
    assert api.status_code == 200 and api.json()["query"] == answer.query
    assert time.perf_counter() - started < 2
    assert SearchEntry.objects.count() == 1  # the table is still there


def test_search_page_and_api(client, world):
    story = published(world, title="社区请快递小哥吃年夜饭", body="居民带来家常菜。")
    page = client.get("/search/", {"q": "年夜饭"}).content.decode()
    assert 'data-testid="group-story"' in page and story.get_absolute_url() in page and "<mark>年夜饭</mark>" in page
    assert "没有找到" in client.get("/search/", {"q": "火箭发射"}).content.decode()
    assert 'data-testid="search-empty"' in client.get("/search/", {"q": "😀"}).content.decode()
    body = client.get("/api/v1/search", {"q": "年夜饭"}).json()
    assert body["total"] == 1 and body["groups"][0]["kind"] == "story"
    assert body["groups"][0]["results"][0]["url"] == story.get_absolute_url()
    highlighted = client.get("/api/v1/search", {"q": "家常菜"}).json()["groups"][0]["results"][0]["highlighted"]
    assert "<mark>家常菜</mark>" in highlighted
    long = client.get("/search/", {"q": "年夜饭" + "x" * 10_000}).content.decode()
    assert "搜索词过长" in long


def test_reindex_command_rebuilds_and_drops_stale_entries(world):
    published(world, title="年夜饭")
    SearchEntry.objects.filter(kind="story").update(terms="", body="")
    SearchEntry.objects.create(kind="story", object_id=10**9, title="旧的", url="/x/")
    call_command("search_reindex")
    assert list(SearchEntry.objects.filter(kind="story").values_list("title", flat=True)) == ["年夜饭"]
    assert search("年夜饭").total == 1
    call_command("search_reindex", "story")
    assert SearchEntry.objects.filter(kind="story").count() == 1


def test_the_full_text_index_exists_for_this_database():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
            assert "fts5" in cursor.fetchone()[0].lower()
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_terms_gin'")
            assert "to_tsvector('simple'" in cursor.fetchone()[0]


def test_dates_order_results_newest_first(world):
    published(world, title="年夜饭一", happened_on=dt.date(2024, 1, 9))
    published(world, title="年夜饭二", happened_on=dt.date(2025, 1, 9))
    assert kinds(search("年夜饭")) == {"story": ["年夜饭二", "年夜饭一"]}
    assert json.dumps(kinds(search("年夜饭")), ensure_ascii=False)
