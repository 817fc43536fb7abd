"""The story workflow: a draft, review and publishing by a second staff member, withdrawal;
links resolved through the writer's scope; drafts from events and meetings with their facts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianjian.accounts.permissions import SYSTEM
from lianjian.core.models import Activity
from lianjian.events import thanks
from lianjian.events.tests.factories import make_event, register
from lianjian.meetings import services as meeting_services
from lianjian.meetings.tests.factories import make_meeting, partner_unit
from lianjian.notifications.models import Notification
from lianjian.projects.tests.factories import png, project
from lianjian.stories import services
from lianjian.stories.models import StoryStatus
from lianjian.stories.tests.factories import draft, published

pytestmark = pytest.mark.django_db


def test_draft_is_sanitised_and_audited(world):
    story = draft(world, body='<h2>现场</h2><p onclick="x()">好<script>alert(1)</script></p>')
    assert story.status == StoryStatus.DRAFT and story.author == world.staff
    assert story.body == "<h2>现场</h2><p>好</p>" and story.excerpt == "现场 好"
    assert story.credit_line == "华西社区报记者 李玥林 受访者供图"
    assert Activity.objects.filter(object_id=story.pk, action="create").exists()


def test_the_author_cannot_publish_a_second_staff_member_does(world, django_capture_on_commit_callbacks):
    story = services.story_submit(actor=world.staff, story=draft(world))
    assert story.status == StoryStatus.REVIEW
    with pytest.raises(PermissionDenied):
        services.story_publish(actor=world.staff, story=story)
    with pytest.raises(PermissionDenied):
        services.story_return(actor=world.staff, story=story, note="改一下")
    with pytest.raises(PermissionDenied):  # staff of another community: not theirs to review
        services.story_publish(actor=world.other_staff, story=story)
    with django_capture_on_commit_callbacks(execute=True):
        story = services.story_publish(actor=world.street_admin, story=story, note="可以")
    assert story.status == StoryStatus.PUBLISHED and story.reviewed_by == world.street_admin
    assert story.published_at is not None
    assert Notification.objects.filter(recipient=world.staff, text__contains="已发布").exists()
    actions = list(Activity.objects.filter(object_id=story.pk).values_list("action", flat=True))
    assert {"create", "submit", "publish"} <= set(actions)


def test_publishing_needs_review_and_returning_needs_a_note(world):
    story = draft(world)
    with pytest.raises(ValidationError):
        services.story_publish(actor=world.street_admin, story=story)
    story = services.story_submit(actor=world.staff, story=story)
    with pytest.raises(ValidationError):
        services.story_return(actor=world.street_admin, story=story, note=" ")
    story = services.story_return(actor=world.street_admin, story=story, note="请补充照片说明")
    assert story.status == StoryStatus.DRAFT and story.review_note == "请补充照片说明"
    with pytest.raises(ValidationError):
        services.story_submit(actor=world.staff, story=services.story_submit(actor=world.staff, story=story))


def test_published_stories_are_withdrawn_before_changing_and_review_again(world):
    story = published(world)
    with pytest.raises(ValidationError):
        services.story_update(actor=world.staff, story=story, data={"title": "新标题"})
    story = services.story_unpublish(actor=world.staff, story=story, reason="数字有误")
    assert story.status == StoryStatus.WITHDRAWN
    story = services.story_update(actor=world.staff, story=story, data={"title": "新标题"})
    assert story.title == "新标题"
    story = services.story_submit(actor=world.staff, story=story)
    story = services.story_update(actor=world.staff, story=story, data={"subtitle": "改了"})
    assert story.status == StoryStatus.DRAFT  # a change sends it back from review
    assert Activity.objects.filter(object_id=story.pk, action="unpublish").exists()


def test_only_staff_of_the_region_write(world):
    for actor in (world.other_staff, world.resident, world.liaison, world.sibling_staff):
        with pytest.raises(PermissionDenied):
            services.story_create(actor=actor, region=world.community, title="t", body="正文",
                                  happened_on=dt.date(2025, 1, 9))
    with pytest.raises(ValidationError):
        services.story_create(actor=world.district_admin, region=world.district, title="t", body="正文",
                              happened_on=dt.date(2025, 1, 9))
    with pytest.raises(ValidationError):
        services.story_create(actor=world.staff, region=world.community, title="t", body="<script>x</script>",
                              happened_on=dt.date(2025, 1, 9))


def test_links_are_resolved_through_the_writers_scope(world):
    mine = project(world, title="助老服务", status="completed")
    theirs = project(world, title="外区项目")
    theirs.community = world.other_community
    theirs.save(update_fields=["community"])
    with pytest.raises(ValidationError):
        draft(world, links=[("project", theirs.pk)])
    with pytest.raises(ValidationError):
        draft(world, links=[("nonsense", mine.pk)])
    story = draft(world, links=[("project", mine.pk), ("project", mine.pk)])
    link = story.links.get()
    assert (link.kind, link.object_id, link.title) == ("project", mine.pk, "助老服务")
    assert link.url == f"/p/{mine.pk}/" and link.staff_url == mine.get_absolute_url()


def test_photos_are_stored_as_public_copies_with_their_size(world):
    story = draft(world, photos=[png("a.png"), png("b.png")], captions=["会场", "合影"])
    photos = list(story.photos.all())
    assert [p.caption for p in photos] == ["会场", "合影"] and photos[0].width == 8 and photos[0].height == 8
    assert photos[0].public_image.name.startswith("public/stories/") and photos[0].thumbnail.name


def test_a_draft_from_an_event_reads_its_pledges_and_praise(world):
    event = make_event(world, title="小哥，停一停回家吃年夜饭了", venue="社区食堂", pledge_goal=42,
                       pledge_goal_unit="道菜")
    for i in range(34):
        thanks.pledge_create(actor=SYSTEM, event=event, item=f"菜{i}", quantity=1, unit="道", pledger_kind="resident",
                             pledger_name=f"居民{i}")
    for i in range(8):
        thanks.pledge_create(actor=SYSTEM, event=event, item=f"商家菜{i}", quantity=1, unit="道",
                             pledger_kind="merchant", pledger_name=f"商家{i}")
    for i in range(15):
        r = register(world, event, name=f"小哥{i}")
        thanks.recognition_create(actor=SYSTEM, event=event, registration=r, reason="辛苦了", gift="大礼包")
    story = services.story_draft_from(actor=world.staff, kind="event", object_id=event.pk)
    assert story.status == StoryStatus.DRAFT and story.title == event.title
    assert "居民带来 34 道菜" in story.body and "爱心商家赞助 8 道菜" in story.body
    assert "表扬 15 人" in story.body and story.subtitle == "居民带来 34 道菜，爱心商家赞助 8 道菜"
    assert story.links.get().object_id == event.pk and story.place == "社区食堂"
    with pytest.raises(Exception):  # noqa: B017 - a 404 or a refusal, never a draft
        services.story_draft_from(actor=world.other_staff, kind="event", object_id=event.pk)


def test_a_draft_from_a_meeting_reads_units_and_projects_of_its_year(world):
    units = [partner_unit(world, f"联建单位{i}")[0] for i in range(3)]
    meeting = make_meeting(world, units=[world.unit, *units])
    for org in [world.unit, *units]:
        meeting_services.attendance_record(actor=world.staff, meeting=meeting, organisation=org)
    for i in range(5):
        project(world, title=f"项目{i}", status="completed", year=2024)
    story = services.story_draft_from(actor=world.staff, kind="meeting", object_id=meeting.pk)
    assert "4 家联建单位的代表参加" in story.body
    assert "1 家联建单位共完成了 5 个联建项目" in story.body
    assert story.subtitle == "1 家单位完成 5 个联建项目"
    assert story.links.get().kind == "meeting" and story.links.get().url == ""
