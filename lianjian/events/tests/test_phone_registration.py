"""Registering without an account: a one-time code proves the phone; a private link manages it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError

from lianjian.core import phone_codes, sms
from lianjian.events.models import Registration

from .factories import make_event, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean():
    sms.outbox.clear()
    caches["throttle"].clear()
    yield
    sms.outbox.clear()


def _last_code(phone: str) -> str:
    sent = [text for to, text in sms.outbox if to == phone]
    return re.search(r"\d{6}", sent[-1]).group(0)


def test_register_with_a_phone_code_then_manage_by_private_link(client, world, django_capture_on_commit_callbacks):
    event = make_event(world, capacity=1)
    url = f"/events/{event.pk}/register-by-phone/"
    form = {"name": "王小虎", "phone": "13312345678", "party_size": 1}
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(url, form | {"send_code": "1"})
    assert res.status_code == 200 and "验证码已发送" in res.content.decode()
    bad = "000000" if _last_code("13312345678") != "000000" else "111111"
    wrong = client.post(url, form | {"sms_code": bad})
    assert "验证码不正确" in wrong.content.decode() and not Registration.objects.exists()
    from lianjian.core.models import PhoneCode

    assert PhoneCode.objects.get(phone="13312345678").attempts == 1  # the wrong guess counts
    res = client.post(url, form | {"sms_code": _last_code("13312345678")})
    r = Registration.objects.get()
    assert res.status_code == 302 and res["Location"] == r.get_manage_url()
    assert r.user is None and r.source == "phone" and r.status == "confirmed"
    page = client.get(r.get_manage_url())
    assert r.code in page.content.decode() and page["Cache-Control"] == "private, no-store"
    # The code works once.
    again = client.post(url, {"name": "冒名", "phone": "13312345678", "party_size": 1,
                              "sms_code": _last_code("13312345678")})
    assert "验证码已失效" in again.content.decode()
    client.post(r.get_manage_url(), {"action": "cancel"})
    assert Registration.objects.get(pk=r.pk).status == "cancelled"
    assert client.get("/events/r/not-a-token/").status_code == 404


def test_codes_expire_are_limited_per_number_and_per_address(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        phone_codes.send_code(phone="13300000001", purpose="event:1", ip="10.0.0.1")
    with pytest.raises(ValidationError, match="频繁"):
        phone_codes.send_code(phone="13300000001", purpose="event:1", ip="10.0.0.2")
    for i in range(2, 22):  # twenty codes from one address within the hour
        phone_codes.send_code(phone=f"133000000{i:02d}", purpose="event:1", ip="10.0.0.9")
    with pytest.raises(ValidationError, match="频繁"):
        phone_codes.send_code(phone="13300000099", purpose="event:1", ip="10.0.0.9")
    code = _last_code("13300000001")
    from lianjian.core.models import PhoneCode

    PhoneCode.objects.filter(phone="13300000001").update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValidationError, match="失效"):
        phone_codes.verify_code(phone="13300000001", purpose="event:1", code=code)
    with pytest.raises(ValidationError):
        phone_codes.send_code(phone="12345", purpose="event:1", ip=None)


def test_five_wrong_guesses_end_a_code(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        phone_codes.send_code(phone="13300000002", purpose="event:2", ip=None)
    code = _last_code("13300000002")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError, match="不正确"):
            phone_codes.verify_code(phone="13300000002", purpose="event:2", code=wrong)
    with pytest.raises(ValidationError, match="失效"):
        phone_codes.verify_code(phone="13300000002", purpose="event:2", code=code)


def test_a_phone_code_registration_still_respects_the_waitlist(client, world, django_capture_on_commit_callbacks):
    event = make_event(world, capacity=1)
    register(world, event)
    url = f"/events/{event.pk}/register-by-phone/"
    form = {"name": "李强", "phone": "13312340000", "party_size": 1}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form | {"send_code": "1"})
    client.post(url, form | {"sms_code": _last_code("13312340000")})
    r = Registration.objects.get(phone="13312340000")
    assert r.status == "waitlisted"
    assert "排第 1 位" in client.get(r.get_manage_url()).content.decode()


def test_asking_for_a_code_needs_only_the_phone_number(client, world, django_capture_on_commit_callbacks):
    event = make_event(world, ask_shirt_size=True, ask_emergency_contact=True)
    url = f"/events/{event.pk}/register-by-phone/"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"phone": "13312349999", "send_code": "1"}).content.decode()
    assert "验证码已发送" in page and "必填" not in page and _last_code("13312349999")
    bad = client.post(url, {"phone": "12345", "send_code": "1"}).content.decode()
    assert "11 位" in bad
    # Registering then checks everything the event asks for.
    missing = client.post(url, {"name": "李强", "phone": "13312349999", "party_size": 1,
                                "sms_code": _last_code("13312349999")}).content.decode()
    assert not Registration.objects.exists() and "field-error" in missing
