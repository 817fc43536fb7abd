"""What the API remembers between requests: the answers to ``Idempotency-Key`` requests."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One client's ``Idempotency-Key`` and the answer first given to it.

    ``scope_hash`` is the SHA-256 of the caller (user, or address for anonymous calls) and the key,
    so two callers may pick the same key without seeing each other's answers. While the first
    request runs ``state`` is ``running``; a retry then gets 409, afterwards the stored answer.
    """

    class State(models.TextChoices):
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")

    scope_hash = models.CharField(max_length=64, unique=True)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.state})"
