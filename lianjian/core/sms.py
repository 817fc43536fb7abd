"""Text messages through a pluggable backend (``SMS_BACKEND``), like Django's e-mail backends.

The console backend (development, the demo) logs the message; the memory backend (tests) keeps
an outbox; a deployment points ``SMS_BACKEND`` at a class for its carrier's gateway with the
same ``send(phone, text)`` method.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("lianjian.sms")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleBackend:
    """Print the message to the server's log (and console), for development and the demo."""

    def send(self, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)
        print(f"[SMS] {phone}: {text}", flush=True)


outbox: list[tuple[str, str]] = []


class MemoryBackend:
    """Keep messages in :data:`outbox` (tests read the code from there)."""

    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    backend: SmsBackend = import_string(getattr(settings, "SMS_BACKEND", "lianjian.core.sms.ConsoleBackend"))()
    backend.send(phone, text)
