"""Story pages: the public page with credits, photos and links, previews for staff only, the
printable layout, staff list/edit/review, one-click drafts and back-links on linked pages."""

import pytest
from django.urls import reverse

from lianjian.events.tests.factories import make_event
from lianjian.meetings.tests.factories import make_meeting
from lianjian.projects.tests.factories import png, project
from lianjian.stories import services
from lianjian.stories.models import Story, StoryStatus
from lianjian.stories.tests.factories import draft, published

pytestmark = pytest.mark.django_db


def test_public_story_page_shows_body_credits_photos_and_links(client, world):
    done = project(world, title="独居老人助浴", status="completed")
    story = published(world, links=[("project", done.pk)], photos=[png()], captions=["会场"])
    page = client.get(story.get_absolute_url()).content.decode()
    assert "社区请快递小哥吃年夜饭" in page and "<h2>现场</h2>" in page and "<li>34 道家常菜</li>" in page
    assert "华西社区报记者 李玥林 受访者供图" in page
    photo = story.photos.get()
    assert f'srcset="{photo.thumbnail_url} 400w, {photo.public_url} 8w"' in page and 'width="8" height="8"' in page
    assert "<figcaption>会场</figcaption>" in page
    assert f'href="/p/{done.pk}/"' in page and "独居老人助浴" in page
    assert '<meta property="og:title" content="社区请快递小哥吃年夜饭">' in page
    assert f'<meta property="og:image" content="http://testserver{photo.public_url}">' in page
    assert '<meta name="description" content="现场 社区为快递小哥准备了年夜饭' in page
    assert client.get(photo.public_url).status_code == 200
    assert client.get(photo.original_url).status_code == 302  # originals: log in first
    # The project's public page links back to the story.
    back = client.get(reverse("public:project", args=[done.pk])).content.decode()
    assert 'data-testid="stories-about"' in back and story.get_absolute_url() in back


def test_drafts_are_404_for_the_public_and_a_preview_for_their_staff(client, world):
    story = draft(world, photos=[png()])
    assert client.get(story.get_absolute_url()).status_code == 404
    assert client.get(story.photos.get().public_url).status_code == 404
    client.force_login(world.other_staff)
    assert client.get(story.get_absolute_url()).status_code == 404
    client.force_login(world.staff)
    page = client.get(story.get_absolute_url()).content.decode()
    assert 'data-testid="preview"' in page
    assert client.get("/stories/999999/").status_code == 404


def test_print_layout_has_the_story_and_print_css(client, world):
    story = published(world)
    page = client.get(reverse("stories:print", args=[story.pk])).content.decode()
    assert "社区请快递小哥吃年夜饭" in page and "css/stories.css" in page and "data-print" in page
    assert 'class="topbar"' not in page


def test_staff_write_submit_and_a_second_staff_member_publishes(client, world):
    client.force_login(world.staff)
    assert client.get(reverse("stories:manage")).status_code == 200
    response = client.post(reverse("stories:create"), {
        "region": world.community.pk, "kind": "report", "title": "社区年夜饭", "subtitle": "",
        "body": "## 现场\n热闹<script>alert(1)</script>", "happened_on": "2025-01-09", "place": "社区食堂",
        "reporter": "记者", "photo_credit": "受访者供图", "photos": [png()], "caption": "合影"})
    story = Story.objects.get(title="社区年夜饭")
    assert response.status_code == 302 and response["Location"] == reverse("stories:edit", args=[story.pk])
    assert "<script" not in story.body and story.photos.get().caption == "合影"
    client.post(reverse("stories:submit", args=[story.pk]))
    page = client.get(reverse("stories:edit", args=[story.pk])).content.decode()
    assert 'data-testid="publish-story"' not in page  # the author waits for someone else
    client.post(reverse("stories:publish", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == StoryStatus.REVIEW
    client.force_login(world.street_admin)
    manage = client.get(reverse("stories:manage")).content.decode()
    assert 'data-testid="waiting-review"' in manage
    client.post(reverse("stories:publish", args=[story.pk]), {"note": "好"})
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED and story.reviewed_by == world.street_admin
    page = client.get(reverse("stories:edit", args=[story.pk])).content.decode()
    assert 'data-testid="unpublish-story"' in page and 'data-testid="activity"' in page


def test_bad_form_input_gives_a_chinese_message(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("stories:create"), {
        "region": world.community.pk, "kind": "report", "title": "标题", "body": "<script>x</script>",
        "happened_on": "2025-01-09"})
    assert response.status_code == 200 and "请填写正文" in response.content.decode()
    response = client.post(reverse("stories:create"), {"region": world.other_community.pk, "kind": "report",
                                                        "title": "x", "body": "y", "happened_on": "1800-01-01"})
    assert response.status_code == 200 and not Story.objects.exists()


def test_people_without_a_staff_role_get_no_staff_pages(client, world):
    story = draft(world)
    for user in (world.resident, world.liaison, world.other_staff):
        client.force_login(user)
        assert client.get(reverse("stories:manage")).status_code == (200 if user == world.other_staff else 403)
        assert client.get(reverse("stories:edit", args=[story.pk])).status_code in (403, 404)
        client.post(reverse("stories:submit", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == StoryStatus.DRAFT


def test_one_click_drafts_from_event_meeting_and_project_pages(client, world):
    client.force_login(world.staff)
    event = make_event(world, title="社区年夜饭")
    meeting = make_meeting(world)
    done = project(world, title="助浴", status="completed")
    for url, kind, pk in ((event.get_absolute_url(), "event", event.pk),
                          (meeting.get_absolute_url(), "meeting", meeting.pk),
                          (done.get_absolute_url(), "project", done.pk)):
        page = client.get(url).content.decode()
        action = reverse("stories:draft_from", args=[kind, pk])
        assert f'action="{action}"' in page, url
        response = client.post(action)
        story = Story.objects.filter(links__kind=kind, links__object_id=pk).get()
        assert response["Location"] == reverse("stories:edit", args=[story.pk])
    client.force_login(world.resident)
    assert 'data-testid="draft-story"' not in client.get(event.get_absolute_url()).content.decode()
    assert client.post(reverse("stories:draft_from", args=["event", event.pk])).status_code == 403
    # A published story about the event shows on the event page for everyone.
    story = Story.objects.get(links__kind="event")
    story = services.story_submit(actor=world.staff, story=story)
    services.story_publish(actor=world.street_admin, story=story)
    client.logout()
    page = client.get(event.get_absolute_url()).content.decode()
    assert story.get_absolute_url() in page and 'data-testid="stories-about"' in page
