"""Meetings (会议): the annual summary meeting, joint meetings and liaison meetings.

A meeting has invited units and people, an attendance list filled by QR sign-in or by staff,
proposals (提议/议题) that can each become exactly one need, and a live claim board listing the
needs the meeting is working on. Claims made from the board are linked through
:class:`MeetingClaim`, which is what the minutes' claim summary is written from.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianjian.core import ranges
from lianjian.core.models import TimeStampedModel
from lianjian.core.text import reject_control_chars, reject_control_chars_multiline
from lianjian.orgs.models import Partnership


def new_checkin_token() -> str:
    return secrets.token_urlsafe(12)


class MeetingKind(models.TextChoices):
    SUMMARY = "summary", _("年度总结会")
    JOINT = "joint", _("联席会议")
    LIAISON = "liaison", _("联络员会议")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Meeting(TimeStampedModel):
    """One meeting of a community and its joint units."""

    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("社区")
    )
    kind = models.CharField(
        _("会议类型"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.SUMMARY
    )
    title = models.CharField(_("会议名称"), max_length=120, validators=[reject_control_chars])
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    venue = models.CharField(_("地点"), max_length=120, validators=[reject_control_chars])
    agenda = models.TextField(_("议程"), blank=True, validators=[reject_control_chars_multiline])
    # The year a summary meeting looks back on; the annual report of that year quotes it.
    review_year = models.PositiveSmallIntegerField(_("总结年度"), null=True, blank=True, db_index=True,
                                                   validators=ranges.year_validators())
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("会议纪要"), blank=True, validators=[reject_control_chars_multiline])
    decisions = models.TextField(_("会议决定"), blank=True, validators=[reject_control_chars_multiline])
    claims_summary = models.TextField(_("会上认领情况"), blank=True, validators=[reject_control_chars_multiline])
    checkin_token = models.CharField(_("签到码"), max_length=32, unique=True, default=new_checkin_token)
    # Bumped with F() by every service that changes what the live board shows; part of its ETag.
    board_version = models.PositiveIntegerField(_("看板版本"), default=0, validators=ranges.counter_validators())
    invited_units = models.ManyToManyField(
        "orgs.Organisation", through="Invitation", related_name="meetings", verbose_name=_("参会单位")
    )
    needs = models.ManyToManyField(
        "lists.Need", through="BoardItem", related_name="meetings", verbose_name=_("看板需求")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "-starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="meeting_times_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    def scope_check(self, scope, *, write: bool) -> bool:  # type: ignore[no-untyped-def]
        """Staff of the community run it; liaisons of its joint units (invited or not) may see it."""
        if scope.covers_region(self.community):
            return True
        if write or not scope.org_ids:
            return False
        return (
            self.invitations.filter(organisation_id__in=scope.org_ids).exists()
            or Partnership.objects.filter(
                community_id=self.community_id, organisation_id__in=scope.org_ids
            ).exists()
        )


class Invitation(models.Model):
    """A unit (and optionally a named person) invited to a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="invitations", verbose_name=_("单位")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_invitations",
        verbose_name=_("参会人"),
    )

    class Meta:
        verbose_name = _("参会邀请")
        verbose_name_plural = _("参会邀请")
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "organisation"], name="invitation_unique")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.organisation}"


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    STAFF = "staff", _("工作人员登记")


class Attendance(models.Model):
    """A sign-in: one per person, and a unit counts as present once anyone of it signed in."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    organisation = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("单位"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("签到人"),
    )
    method = models.CharField(_("签到方式"), max_length=10, choices=AttendanceMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    signed_in_at = models.DateTimeField(_("签到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["signed_in_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(person__isnull=False),
                name="attendance_has_someone",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendance_one_per_person",
            ),
            # Staff ticking a unit (no person) does so once.
            models.UniqueConstraint(
                fields=["meeting", "organisation"],
                condition=Q(person__isnull=True),
                name="attendance_one_tick_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.organisation or self.person}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    CONVERTED = "converted", _("已转为需求")
    LINKED = "linked", _("已对接需求")
    DECLINED = "declined", _("不予采纳")


class ProposalStage(models.TextChoices):
    BEFORE = "before", _("会前提交")
    DURING = "during", _("会上提出")


class Proposal(TimeStampedModel):
    """A proposal (提议/议题) raised before or during a meeting by a unit or a resident."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("会议")
    )
    title = models.CharField(_("议题"), max_length=100, validators=[reject_control_chars])
    description = models.TextField(_("内容"), blank=True, validators=[reject_control_chars_multiline])
    category = models.ForeignKey(
        "lists.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("类别"),
    )
    raised_by_org = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("提出单位"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("提出人"),
    )
    raised_by_name = models.CharField(
        _("提出方"), max_length=100, blank=True, help_text=_("如“辖区多家学校”"),
        validators=[reject_control_chars],
    )
    stage = models.CharField(
        _("提出阶段"), max_length=10, choices=ProposalStage.choices, default=ProposalStage.BEFORE
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    # One proposal leads to at most one need and a need comes from at most one proposal:
    # the one-to-one column is the database's guarantee that converting twice cannot make two.
    need = models.OneToOneField(
        "lists.Need",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_proposal",
        verbose_name=_("对应需求"),
    )
    decision = models.CharField(_("处理意见"), max_length=300, blank=True, validators=[reject_control_chars_multiline])

    class Meta:
        verbose_name = _("会议提议")
        verbose_name_plural = _("会议提议")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["converted", "linked"]) | Q(need__isnull=False),
                name="proposal_converted_has_need",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def raiser(self) -> str:
        return (
            self.raised_by_name
            or (self.raised_by_org.name if self.raised_by_org is not None else "")
            or (str(self.raised_by) if self.raised_by_id else "")
        )


class BoardItem(models.Model):
    """A need shown on the meeting's live claim board."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="board_items")
    need = models.ForeignKey("lists.Need", on_delete=models.CASCADE, related_name="board_items")
    position = models.PositiveSmallIntegerField(default=0, validators=ranges.sort_validators())
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("看板事项")
        verbose_name_plural = _("看板事项")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "need"], name="board_item_unique")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.need}"


class MeetingClaim(models.Model):
    """A claim made during a meeting (from a phone or recorded by staff)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="meeting_claims")
    claim = models.OneToOneField("lists.Claim", on_delete=models.CASCADE, related_name="meeting_link")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会上认领")
        verbose_name_plural = _("会上认领")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.claim}"
