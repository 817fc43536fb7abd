"""One-time codes that prove a person holds a phone number (registering without an account).

A code is six digits, stored only as a salted hash, valid for ten minutes, good for one use and
five guesses. Sending is limited per number (one a minute, five an hour) and per client address
(twenty an hour), with the counters in the shared throttle cache so every server sees them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PhoneCode
from .sms import send_sms
from .validators import phone_validator

VALID_FOR = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
LIMITS = (("phone-min", 60, 1), ("phone-hour", 3600, 5), ("ip-hour", 3600, 20))


def _digest(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _throttle(phone: str, ip: str | None) -> None:
    cache = caches["throttle"]
    keys = [(f"sms:{name}:{phone if name.startswith('phone') else ip}", seconds, limit)
            for name, seconds, limit in LIMITS if name.startswith("phone") or ip]
    for key, _seconds, limit in keys:
        if (cache.get(key) or 0) >= limit:
            raise ValidationError({"phone": _("验证码发送过于频繁，请稍后再试。")}, code="throttled")
    for key, seconds, _limit in keys:
        if not cache.add(key, 1, seconds):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, seconds)


def send_code(*, phone: str, purpose: str, ip: str | None) -> None:
    """Send a fresh code for *purpose* (e.g. ``event:12``); earlier unused codes stop working."""
    phone = (phone or "").strip().replace(" ", "")
    phone_validator(phone)
    _throttle(phone, ip)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(used_at=timezone.now())
        PhoneCode.objects.create(phone=phone, purpose=purpose, digest=_digest(phone, code),
                                 expires_at=timezone.now() + VALID_FOR)
    transaction.on_commit(lambda: send_sms(phone, _("【联建】验证码 %(code)s，10 分钟内有效。请勿告诉他人。") % {
        "code": code}))


def verify_code(*, phone: str, purpose: str, code: str) -> None:
    """Consume the code or raise ValidationError; a code works once, and five wrong guesses end it."""
    phone = (phone or "").strip().replace(" ", "")
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        row = PhoneCode.objects.select_for_update().filter(
            phone=phone, purpose=purpose, used_at__isnull=True).order_by("-id").first()
        if row is None or row.expires_at <= now or row.attempts >= MAX_ATTEMPTS:
            raise ValidationError({"code": _("验证码已失效，请重新获取。")}, code="expired")
        wrong = not hmac.compare_digest(row.digest, _digest(phone, code))
        if wrong:
            # Counted in this transaction, which commits: the refusal below is raised outside it.
            PhoneCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        elif PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now) != 1:
            raise ValidationError({"code": _("验证码已失效，请重新获取。")}, code="expired")
    if wrong:
        raise ValidationError({"code": _("验证码不正确。")}, code="wrong")
