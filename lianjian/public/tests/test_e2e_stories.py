"""On a 390×844 phone, without logging in: the public home, a community, a story, the project it
links to, rating it; search finds the story by a two-character word of its body; axe-core finds
no accessibility violation on any of these pages. Pages also read without JavaScript."""

import datetime as dt

import pytest

from lianjian.projects.models import Rating
from lianjian.projects.tests.factories import png, project
from lianjian.public.tests.axe import assert_accessible, axe_source
from lianjian.public.tests.test_e2e_homes import fits_phone, shot, shots_dir
from lianjian.stories.tests.factories import published
from lianjian.testing.e2e import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def go(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def test_visitor_reads_a_story_follows_it_to_the_project_rates_it_and_finds_it_again(live_server, browser, world,
                                                                                       tmp_path):
    axe_source()  # skip early when axe-core is not installed
    done = project(world, title="窨井盖更换", status="completed", description="更换小区内 12 个破损窨井盖")
    story = published(world, title="骑手随手拍 社区修好了路口的井盖",
                      body="## 发现\n快递小哥在路口发现井盖松动，随手拍下上报。\n\n## 处理\n社区当天联系联建单位更换。",
                      links=[("project", done.pk)], photos=[png("scene.png")], captions=["更换后的路口"],
                      happened_on=dt.date(2025, 1, 9))
    out = shots_dir(tmp_path)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()

    page.goto(live_server.url + "/")
    assert story.title in page.locator("[data-testid=latest-stories]").inner_text()
    assert fits_phone(page)
    assert_accessible(page, "home")
    shot(page, out, "stories-home")

    page.click(f"[data-testid=region-tree] summary >> text={world.district.name}")
    go(page, f"[data-testid=region-tree] a >> text={world.street.name}")
    go(page, f"[data-testid=communities] a >> text={world.community.name}")
    assert page.locator("[data-testid=community-name]").inner_text() == world.community.name
    assert page.locator("[data-testid=headline-figures]").is_visible()
    assert fits_phone(page)
    assert_accessible(page, "community")
    shot(page, out, "stories-community")

    go(page, f"[data-testid=latest-stories] a >> text={story.title}")
    assert page.locator("[data-testid=story-title]").inner_text() == story.title
    assert "受访者供图" in page.locator("[data-testid=story-credit]").inner_text()
    assert page.locator(".story-photo img").get_attribute("width") == "8"
    assert fits_phone(page)
    assert_accessible(page, "story")
    shot(page, out, "stories-story")

    go(page, f"[data-testid=story-links] a >> text={done.title}")
    assert page.locator("[data-testid=project-title]").inner_text() == done.title
    assert story.title in page.locator("[data-testid=stories-about]").inner_text()
    assert_accessible(page, "project")
    shot(page, out, "stories-project")

    go(page, "[data-testid=rate-link]")
    assert_accessible(page, "rate")
    page.click("[data-testid=star-5]")
    page.fill("textarea[name=comment]", "井盖换得很及时")
    go(page, "[data-testid=rating-form] button[type=submit]")
    assert page.locator("[data-testid=rating-thanks]").is_visible()
    assert Rating.objects.filter(project=done, stars=5, comment="井盖换得很及时").exists()

    page.goto(f"{live_server.url}/board/{world.community.code}/")
    assert_accessible(page, "board")

    page.goto(live_server.url + "/")
    page.fill("#site-q", "井盖")
    go(page, "[data-testid=site-search] button")
    results = page.locator("[data-testid=group-story]")
    assert story.title in results.inner_text() and results.locator("mark").first.inner_text() == "井盖"
    assert_accessible(page, "search")
    shot(page, out, "stories-search")
    context.close()


def test_public_pages_read_without_javascript(live_server, browser, world):
    story = published(world, title="社区年夜饭", photos=[png()])
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    for path in ("/", f"/c/{world.community.code}/", story.get_absolute_url(), "/search/?q=年夜饭",
                 f"/area/{world.street.code}/"):
        page.goto(live_server.url + path)
        assert page.locator("main h1").first.is_visible(), path
    page.goto(live_server.url + "/")
    page.fill("#site-q", "年夜饭")
    go(page, "[data-testid=site-search] button")
    assert "社区年夜饭" in page.locator("[data-testid=search-results]").inner_text()
    context.close()
