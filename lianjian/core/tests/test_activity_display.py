"""The audit panel reads as sentences: names, labels and verbs instead of developer data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.selectors import activity_for
from lianjian.core.activity import ACTION_VERBS, describe_activities, describe_activity, record_activity
from lianjian.core.models import Activity
from lianjian.lists import services
from lianjian.lists.models import Category

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2]
DEVELOPER_DATA = re.compile(r"\{'id'|'repr'|\bsystem\b|_id\b|[a-z]+_[a-z]+")


def latest(obj):
    return Activity.objects.for_object(obj).order_by("-id")[0]


def make_need(world, **fields):
    category = Category.objects.get(code="elderly-care")
    return services.need_create(actor=world.staff, community=world.community, title="助老助餐",
                                category=category, quantity_needed=20, quantity_unit="人", **fields)


def make_resource(world, actor=None):
    return services.resource_create(actor=actor or SYSTEM, organisation=world.unit, title="义诊服务",
                                    category=Category.objects.get(code="health"), capacity=30)


def test_status_change_reads_as_one_sentence_with_choice_labels(world):
    resource = make_resource(world)
    services.resource_set_status(actor=world.staff, resource=resource, status="paused", reason="场地检修")
    with translation.override("zh-hans"):
        entry = describe_activity(latest(resource))
    # "张三 于 1月10日 09:12 将状态由「可认领」改为「暂停」" — actor, time, field label, choice labels.
    assert entry.sentence.startswith(f"{world.staff} 于 ")
    assert "将状态由「" in entry.sentence and "」改为「" in entry.sentence
    assert "paused" not in entry.sentence and "active" not in entry.sentence
    assert entry.note_label == "原因" and entry.note == "场地检修"
    assert not entry.changes  # the one change is the sentence itself


def test_foreign_key_change_shows_the_related_name_not_a_dict(world):
    resource = make_resource(world)
    services.resource_update(actor=world.staff, resource=resource,
                             category=Category.objects.get(code="culture-education"))
    with translation.override("zh-hans"):
        entry = describe_activity(latest(resource))
    assert "类别" in entry.sentence
    assert "「医疗健康」" in entry.sentence and "「文化教育」" in entry.sentence
    assert "{" not in entry.sentence and "repr" not in entry.sentence and "category" not in entry.sentence


def test_creation_lists_fields_by_their_verbose_names(world):
    resource = make_resource(world)
    with translation.override("zh-hans"):
        entry = describe_activity(latest(resource))
    assert entry.verb == "创建了此记录"
    texts = " ".join(c.text for c in entry.changes)
    assert "标题" in texts and "义诊服务" in texts and world.unit.name in texts
    assert not DEVELOPER_DATA.search(texts), texts


def test_system_actor_is_named_system_and_the_source_is_a_word(world):
    resource = make_resource(world, actor=SYSTEM)
    row = latest(resource)
    assert row.actor_repr == "system"
    with translation.override("zh-hans"):
        entry = describe_activity(row)
    assert entry.actor == "系统" and entry.sentence.startswith("系统 于 ")
    assert entry.source in {"网页", "接口", "命令行", "台账导入", "系统自动"}
    assert "system" not in entry.sentence


def test_unknown_action_still_reads_as_a_human_sentence(world):
    resource = make_resource(world)
    record_activity(actor=world.staff, action="frobnicate_widget", obj=resource,
                    changes={"remaining_slots": [3, 4]})
    with translation.override("zh-hans"):
        entry = describe_activity(latest(resource))
    assert entry.verb == "进行了一项操作"
    assert "frobnicate" not in entry.sentence
    assert entry.changes and "3" in entry.changes[0].text and "4" in entry.changes[0].text


def test_published_need_shows_review_in_words(world):
    need = make_need(world)
    services.need_publish(actor=world.staff, need=need, note="同意")
    with translation.override("zh-hans"):
        entry = describe_activity(latest(need))
    texts = entry.sentence + " ".join(c.text for c in entry.changes)
    assert "审核并发布了需求" in entry.sentence
    assert "「待审核」" in texts and "「已发布」" in texts
    assert str(world.staff) in texts  # reviewed_by: the person, not {'id': …}
    assert "{" not in texts and "published" not in texts


def test_every_action_code_in_the_code_base_has_a_verb():
    pattern = re.compile(r"""\baction\s*=\s*["']([a-z_]+)["']""")
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "record_activity" not in text and "bulk_audit" not in text:
            continue
        found |= set(pattern.findall(text))
        # action="a" if … else "b"
        for a, b in re.findall(r"""action\s*=\s*["']([a-z_]+)["']\s+if\s+.+?\s+else\s+["']([a-z_]+)["']""", text):
            found |= {a, b}
    found.discard("store_true")  # argparse, not an audit action
    assert len(found) >= 30
    missing = sorted(found - set(ACTION_VERBS))
    assert not missing, f"audit actions without a verb: {missing}"


def test_panel_on_a_page_shows_sentences(client, world):
    resource = make_resource(world)
    services.resource_set_status(actor=world.staff, resource=resource, status="paused", reason="场地检修")
    client.force_login(world.staff)
    html = client.get(resource.get_absolute_url()).content.decode()
    panel = html[html.index('data-testid="activity"'):]
    assert "将状态由「" in panel and "系统 于 " in panel
    assert "'repr'" not in panel and "<code>" not in panel and "paused" not in panel
    entries = activity_for(user=world.staff, obj=resource)
    assert [e.action for e in entries] == ["set_status", "create"]


def test_english_reader_gets_english_taxonomy_names(world):
    resource = make_resource(world)
    services.resource_update(actor=world.staff, resource=resource,
                             category=Category.objects.get(code="culture-education"))
    with translation.override("en"):
        (entry, _created) = describe_activities(Activity.objects.for_object(resource).order_by("-id"))
    assert "Culture and education" in entry.sentence and "Health care" in entry.sentence


def test_every_activity_of_real_workflows_reads_without_developer_data(world):
    from lianjian.meetings.tests.factories import board_need, make_meeting
    from lianjian.projects.tests.factories import project

    project(world, status="completed")
    project(world, title="取消的项目", status="cancelled")
    meeting = make_meeting(world)
    board_need(world, meeting)
    need = make_need(world)
    services.need_publish(actor=world.staff, need=need, note="同意")
    claim = services.claim_create(actor=world.liaison, need=need, organisation=world.unit, quantity=5)
    services.claim_confirm(actor=world.staff, claim=claim)
    rows = list(Activity.objects.select_related("actor", "content_type"))
    assert len({r.action for r in rows}) >= 10
    with translation.override("zh-hans"):
        entries = describe_activities(rows)
    for entry in entries:
        shown = " ".join([entry.sentence, entry.source, *(c.text for c in entry.changes)])
        assert not DEVELOPER_DATA.search(shown), shown
        assert entry.verb != "进行了一项操作", entry.action
        for change in entry.changes:  # every field is named in words, not by its code
            assert re.search(r"[\u4e00-\u9fff]", change.field), (entry.action, change.field)
