"""The seed's three stories come out of `lianjian demo`: published, with their credits and dates,
linked to the demo's meeting, dinner and run; loading twice changes nothing."""

import datetime as dt

import pytest

from lianjian.demo.loader import load_demo
from lianjian.search.query import search
from lianjian.stories.models import Story, StoryKind, StoryPhoto

pytestmark = pytest.mark.django_db


def test_demo_stories_retell_the_seed_and_are_idempotent(client):
    load_demo()
    counts = (Story.objects.count(), StoryPhoto.objects.count())
    load_demo()
    assert (Story.objects.count(), StoryPhoto.objects.count()) == counts == (3, 3)
    stories = {s.title: s for s in Story.objects.published().select_related("region")}
    fengshu = stories["总结经验 打造区域化党建服务链"]
    assert fengshu.subtitle == "锦江区枫树社区召开2024年区域化党建联建工作总结会"
    assert fengshu.credit_line == "华西社区报记者 高昊焜 受访者供图" and fengshu.happened_on == dt.date(2025, 1, 10)
    assert fengshu.region.name == "枫树社区" and "12家联建单位，共完成了37个联建项目" in fengshu.body
    links = {link.kind: link for link in fengshu.links.all()}
    assert links["meeting"].title == "枫树社区2024年区域化党建联建工作总结会" and links["meeting"].url == ""
    assert fengshu.links.filter(kind="project").count() == 4
    dinner = stories["社区请“快递小哥”提前吃“年夜饭”"]
    assert dinner.happened_on == dt.date(2025, 1, 9) and dinner.credit_line == "华西社区报记者 李玥林 江浦路社区供图"
    assert "34道菜" in dinner.body and "15名新业态新就业人员" in dinner.body
    assert dinner.links.get().title == "小哥，停一停回家吃年夜饭了" and dinner.photos.count() == 2
    run = stories["全民乐跑庆新春"]
    assert run.kind == StoryKind.BRIEF and run.region.name == "濠阳街道" and "4.5公里" in run.body
    assert run.links.get().title.startswith("彭派蔬香·跃动濠阳")
    # The pages and the search show them.
    page = client.get(dinner.get_absolute_url()).content.decode()
    assert "华西社区报记者 李玥林 江浦路社区供图" in page and "快递小哥品尝“家”的味道。" in page
    event_page = client.get(dinner.links.get().url).content.decode()
    assert dinner.get_absolute_url() in event_page
    assert "社区请“快递小哥”提前吃“年夜饭”" in [h.title for g in search("年夜饭").groups for h in g.hits]
    home = client.get("/").content.decode()
    assert all(s.get_absolute_url() in home for s in stories.values())
