"""In-app notifications (the bell), one row per recipient."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    NEED_SUBMITTED = "need_submitted", _("新需求待审核")
    NEED_PUBLISHED = "need_published", _("新发布需求")
    NEED_REVIEWED = "need_reviewed", _("需求审核结果")
    CLAIM_NEW = "claim_new", _("新认领")
    CLAIM_DECIDED = "claim_decided", _("认领结果")
    CLAIM_WITHDRAWN = "claim_withdrawn", _("认领撤回")
    PROJECT_PROGRESS = "project_progress", _("项目进展")
    MILESTONE_OVERDUE = "milestone_overdue", _("节点逾期")
    INFO = "info", _("通知")


class Notification(models.Model):
    """A short message for one person, with a link to what it is about."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications",
                                  verbose_name=_("接收人"))
    kind = models.CharField(_("类型"), max_length=20, default=NotificationKind.INFO)
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    is_read = models.BooleanField(_("已读"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            # The bell's unread count touches only unread rows.
            models.Index(fields=["recipient"], condition=Q(is_read=False), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.text

    def get_kind_label(self) -> str:
        try:
            return str(NotificationKind(self.kind).label)
        except ValueError:
            return self.kind
