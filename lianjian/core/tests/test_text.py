"""Control characters are refused at every edge (model validators reached by forms, API, imports,
services) and removed on output (:func:`lianjian.core.text.printable`, :func:`append_row`)."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lianjian.accounts.services import api_token_create
from lianjian.core.text import (
    append_row,
    printable,
    reject_control_chars,
    reject_control_chars_multiline,
)

# Machine-written text: tokens, hashes, codes of the audit trail, notification payloads built
# from already-validated text. Everything else people type must carry a control-character validator.
MACHINE_FIELDS = {
    ("accounts", "apitoken", "prefix"), ("accounts", "apitoken", "key_hash"),
    ("accounts", "user", "username"), ("accounts", "user", "password"), ("accounts", "user", "first_name"),
    ("accounts", "user", "last_name"), ("accounts", "user", "email"), ("accounts", "user", "phone"),
    ("lists", "claim", "channel"), ("meetings", "meeting", "checkin_token"),
    ("projects", "project", "public_token"), ("projects", "rating", "device_hash"),
    ("notifications", "notification", "kind"), ("notifications", "notification", "text"),
    ("notifications", "notification", "url"),
    ("events", "registration", "code"), ("events", "registration", "manage_token"),
    ("events", "checkinscan", "nonce"), ("events", "checkinscan", "outcome"), ("events", "checkinscan", "message"),
    ("events", "recognition", "number"),
    ("api", "idempotencykey", "scope_hash"), ("api", "idempotencykey", "fingerprint"),
    ("api", "idempotencykey", "method"), ("api", "idempotencykey", "path"), ("api", "idempotencykey", "content_type"),
}
CONTROLS = ["\x00", "\x01", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\uffff"]


@pytest.mark.parametrize("char", CONTROLS)
def test_validators_refuse_control_characters(char):
    for validator in (reject_control_chars, reject_control_chars_multiline):
        with pytest.raises(ValidationError) as exc:
            validator(f"楼道{char}灯坏了")
        assert "控制字符" in exc.value.messages[0] and "第 3 个字符" in exc.value.messages[0]
    assert printable(f"楼道{char}灯坏了") == "楼道灯坏了"


def test_line_breaks_are_for_multi_line_text_only():
    reject_control_chars_multiline("第一行\n第二行\r\n\t缩进")
    reject_control_chars("普通的标题 (含全角空格　和 emoji 🚌)")
    with pytest.raises(ValidationError, match="一行"):
        reject_control_chars("标题\n第二行")
    assert printable("第一行\n第二行\t") == "第一行\n第二行\t"
    assert printable(12) == 12 and printable(None) is None


def test_every_free_text_field_refuses_control_characters():
    """The class: every CharField/TextField of the product's models people fill in has the validator."""
    missing = []
    for model in apps.get_models():
        label = model._meta.app_label
        if not model.__module__.startswith("lianjian.") or label == "core":
            continue  # core holds the audit trail and cache, written by the platform itself
        for f in model._meta.get_fields():
            if not isinstance(f, models.CharField | models.TextField) or f.choices:
                continue
            if (label, model._meta.model_name, f.name) in MACHINE_FIELDS:
                continue
            # A regex validator (phone numbers, slugs) allows only its own characters already.
            if not any(v in (reject_control_chars, reject_control_chars_multiline) or isinstance(v, RegexValidator)
                       for v in f.validators):
                missing.append(f"{label}.{model.__name__}.{f.name}")
    assert not missing, missing


def test_append_row_writes_legacy_text_safely():
    wb = Workbook()
    ws = wb.active
    append_row(ws, ["需求\x01标题", "=HYPERLINK(\"http://x\")", 3, None])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    row = next(load_workbook(out).active.iter_rows(values_only=True))
    assert row[:3] == ("需求标题", "=HYPERLINK(\"http://x\")", 3)
    out.seek(0)
    cell = load_workbook(out).active["B1"]
    assert cell.data_type == "s"  # text, not a formula a spreadsheet would run


@pytest.mark.django_db
def test_api_refuses_a_control_character_with_422_and_writes_nothing(client, world):
    from lianjian.lists.models import Need

    _token, raw = api_token_create(user=world.rider, name="test")
    cases = (("\u0001", ""), ("\u0000", ""), ("公交站\u0007座椅", ""), ("公交站座椅", "描述\u001b[31m"))
    for title, description in cases:
        response = client.post("/api/v1/needs", {"community_id": world.community.pk, "title": title,
                                                 "description": description, "category": "employment"},
                               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 422, response.content
        error = response.json()["error"]
        assert error["code"] and "控制字符" in str(error["details"])
    assert not Need.objects.exists()


@pytest.mark.django_db
def test_the_need_form_shows_a_chinese_error(client, world):
    from lianjian.lists.models import Category, Need

    client.force_login(world.staff)
    response = client.post(reverse("lists:need_create"), {
        "community": world.community.pk, "title": "楼道\u0001灯坏了",
        "category": Category.objects.get(code="safety").pk, "quantity_needed": 1, "quantity_unit": "项",
        "urgency": "normal"})
    assert response.status_code == 200
    assert "不可见的控制字符" in response.content.decode()
    assert not Need.objects.exists()


@pytest.mark.django_db
def test_services_that_save_reasons_and_notes_refuse_them(world):
    """Texts saved with update_fields (no full_clean) are checked by the service itself."""
    from lianjian.lists.models import Need, NeedStatus
    from lianjian.lists.services import need_close, need_publish, need_return
    from lianjian.lists.tests.factories import make_need

    need = make_need(world, publish=False)
    for call in (lambda: need_return(actor=world.staff, need=need, reason="重复\u0001"),
                 lambda: need_publish(actor=world.staff, need=need, note="通过\u0007"),
                 lambda: need_close(actor=world.staff, need=need, reason="不再\u0085需要")):
        with pytest.raises(ValidationError, match="控制字符"):
            call()
    assert Need.objects.get(pk=need.pk).status == NeedStatus.SUBMITTED
    with pytest.raises(ValidationError, match="控制字符"):
        api_token_create(user=world.rider, name="脚本\u0001")
