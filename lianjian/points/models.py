"""积分: a community's points scheme kept as an append-only ledger.

- ``Entry`` rows are immutable: the model refuses updates and deletes, and so does its queryset.
  A correction is a new ``reversal`` entry linked to the one it corrects.
- Every entry has a unique ``source_key``: the same domain event, API retry or job run can never
  write twice (the unique index decides, also between two workers at once).
- ``Account.balance`` (points available) and ``Account.held`` (points reserved by redemptions not
  yet confirmed) are caches kept in the same transaction as the entries; check constraints keep
  both at or above zero in the database. ``balance`` always equals the sum of the account's entries
  and ``held`` the points of its held redemptions; ``services.recompute`` proves it.
- The honour record (hours served, reports verified, events attended) counts what people did; a
  redemption never reduces it, only a voided verification does.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianjian.core.models import TimeStampedModel
from lianjian.core.ranges import QUANTITY_MAX
from lianjian.core.text import reject_control_chars

POINTS_MAX = 100_000  # one award, one price
BALANCE_MAX = 2_000_000_000  # what an account can hold
MINUTES_MAX = 1_000_000 * 60
CODE_DIGITS = 8
SOURCE_KEY_MAX = 150
# Source keys are machine names: visible ASCII, like an Idempotency-Key ("reports.verified:45").
source_key_validator = RegexValidator(r"^[\x21-\x7e]+$", _("来源只能由可见的英文字母、数字和符号组成。"))
code_validator = RegexValidator(r"^[0-9]{8}$", _("兑换码是 8 位数字。"))


def new_code() -> str:
    """A one-time redemption code: eight digits (typed by a merchant when the camera fails)."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def _between(low: int, high: int) -> list[Any]:
    return [MinValueValidator(low), MaxValueValidator(high)]


class Scheme(TimeStampedModel):
    """The points scheme of one community or street (one per region)."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="points_scheme",
                                  verbose_name=_("社区/街道"))
    name = models.CharField(_("积分方案名称"), max_length=60, validators=[reject_control_chars])
    expiry_months = models.PositiveSmallIntegerField(
        _("积分有效期（月）"), null=True, blank=True, validators=_between(1, 120),
        help_text=_("留空表示积分长期有效；填写后，超过期限的积分按先进先出自动过期。"))
    hold_days = models.PositiveSmallIntegerField(
        _("兑换码有效天数"), default=7, validators=_between(1, 90),
        help_text=_("兑换后商家未核销的，到期自动作废，积分和库存退回。"))
    approval_threshold = models.PositiveIntegerField(
        _("手动发放审批门槛"), default=50, validators=_between(1, POINTS_MAX),
        help_text=_("手动发放超过此分值时，须由另一名工作人员审批后入账。"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分方案")
        verbose_name_plural = _("积分方案")

    def __str__(self) -> str:
        return self.name

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        return bool(scope.covers_region(self.region))


class Trigger(models.TextChoices):
    REPORT = "report", _("随手拍核实")
    HOUR = "hour", _("志愿服务时长（每小时）")
    ATTENDANCE = "attendance", _("参加活动")
    RATING = "rating", _("为项目评价")
    MANUAL = "manual", _("手动发放")


RULE_TRIGGERS = [Trigger.REPORT, Trigger.HOUR, Trigger.ATTENDANCE, Trigger.RATING]


class EarningRule(TimeStampedModel):
    """How many points one kind of verified deed earns in a scheme (per category for reports)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rules", verbose_name=_("积分方案"))
    trigger = models.CharField(_("获得方式"), max_length=12,
                               choices=[(t.value, t.label) for t in RULE_TRIGGERS])
    category_code = models.CharField(_("随手拍类别代码"), max_length=40, blank=True, default="",
                                     validators=[reject_control_chars],
                                     help_text=_("仅用于随手拍；留空表示所有类别。"))
    points = models.PositiveIntegerField(_("积分"), validators=_between(0, POINTS_MAX))
    cap_per_activity = models.PositiveIntegerField(
        _("每次活动上限"), null=True, blank=True, validators=_between(1, POINTS_MAX),
        help_text=_("仅用于志愿时长：同一活动最多获得的积分。"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["trigger", "category_code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "trigger", "category_code"],
                                               name="points_rule_unique")]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.category_code}".strip()


class Account(models.Model):
    """One person's account in one scheme: the cached balance, the hold and the honour record."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("积分方案"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="points_accounts",
                               verbose_name=_("本人"))
    balance = models.IntegerField(_("可用积分"), default=0, editable=False, validators=_between(0, BALANCE_MAX))
    held = models.IntegerField(_("冻结积分"), default=0, editable=False, validators=_between(0, BALANCE_MAX))
    honour_minutes = models.IntegerField(_("服务时长（分钟）"), default=0, editable=False,
                                         validators=_between(0, MINUTES_MAX))
    reports_verified = models.IntegerField(_("核实的随手拍"), default=0, editable=False,
                                           validators=_between(0, BALANCE_MAX))
    events_attended = models.IntegerField(_("参加的活动"), default=0, editable=False,
                                          validators=_between(0, BALANCE_MAX))
    display_name = models.CharField(_("排行榜显示名"), max_length=20, blank=True, default="",
                                    validators=[reject_control_chars],
                                    help_text=_("只在排行榜上显示这个名字；留空则不上榜。"))
    leaderboard_opt_out = models.BooleanField(_("不参加排行榜"), default=False)
    expiry_notice_for = models.DateField(_("已提醒的过期日"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("开户时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "person"], name="points_account_unique"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_not_negative"),
            models.CheckConstraint(condition=Q(held__gte=0), name="points_held_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.scheme}"

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        return bool(scope.covers_region(self.scheme.region)) or (not write and scope.user == self.person)

    @property
    def honour_hours(self) -> float:
        return round(self.honour_minutes / 60, 1)

    @property
    def public_name(self) -> str:
        return self.display_name


class EntryKind(models.TextChoices):
    AWARD = "award", _("获得")
    REDEEM = "redeem", _("兑换")
    VOID = "void", _("兑换作废退回")
    REVERSAL = "reversal", _("冲正")
    EXPIRY = "expiry", _("过期")


class EntryQuerySet(models.QuerySet["Entry"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("ledger entries are immutable")

    def delete(self) -> Any:
        raise TypeError("ledger entries are immutable; write a reversing entry")


class Entry(models.Model):
    """One immutable line of the ledger (positive: points in; negative: points out)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户"))
    kind = models.CharField(_("类型"), max_length=10, choices=EntryKind.choices)
    amount = models.IntegerField(_("积分"), validators=_between(-BALANCE_MAX, BALANCE_MAX))
    source_key = models.CharField(_("来源"), max_length=SOURCE_KEY_MAX, unique=True, validators=[source_key_validator])
    trigger = models.CharField(_("获得方式"), max_length=12, choices=Trigger.choices, blank=True, default="")
    activity_key = models.CharField(_("活动"), max_length=SOURCE_KEY_MAX, blank=True, default="",
                                    validators=[source_key_validator])
    minutes = models.IntegerField(_("服务时长（分钟）"), default=0, validators=_between(-MINUTES_MAX, MINUTES_MAX))
    reason = models.CharField(_("说明"), max_length=200, blank=True, default="", validators=[reject_control_chars])
    rule = models.ForeignKey(EarningRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("规则"))
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("审批人"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("经办人"))
    reversal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="reversed_by", verbose_name=_("冲正的记录"))
    redemption = models.ForeignKey("Redemption", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="entries", verbose_name=_("兑换"))
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("入账时间"), default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="points_entry_statement"),
            models.Index(fields=["kind", "created_at"], name="points_entry_kind_time"),
            models.Index(fields=["account", "activity_key"], name="points_entry_activity"),
            # What has been consumed (FIFO expiry) sums the few non-award entries of one account.
            models.Index(fields=["account", "kind", "amount"], name="points_entry_account_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(source_key=""), name="points_entry_has_source"),
            models.CheckConstraint(
                condition=(Q(kind__in=["award", "void"], amount__gte=0)
                           | Q(kind__in=["redeem", "reversal", "expiry"], amount__lte=0)),
                name="points_entry_sign_by_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("ledger entries are immutable; write a reversing entry")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("points:entry", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("ledger entries are immutable; write a reversing entry")

    @property
    def source_label(self) -> str:
        """Where the entry came from, for people: the event, report or redemption behind it."""
        key = self.source_key
        if key.startswith("manual:"):
            return str(_("手动发放"))
        if key.startswith(("events.attendance:", "events.checkout:", "events.reported_hours:")):
            return str(_("活动/志愿服务"))
        if key.startswith(("reports.", "demo.report:")):
            return str(_("随手拍"))
        if key.startswith("projects."):
            return str(_("项目评价"))
        if key.startswith("redemption:"):
            return str(_("兑换"))
        if key.startswith("expiry:"):
            return str(_("积分过期"))
        if key.startswith("reversal:"):
            return str(_("冲正"))
        return key.split(":", 1)[0]


class AwardStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已入账")
    REJECTED = "rejected", _("未批准")


class AwardRequest(models.Model):
    """A manual award by staff. Small ones post at once; above the scheme's threshold another staff
    member approves it before its entry is written."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="award_requests",
                               verbose_name=_("积分方案"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="award_requests",
                                verbose_name=_("账户"))
    points = models.PositiveIntegerField(_("积分"), validators=_between(1, POINTS_MAX))
    reason = models.CharField(_("发放理由"), max_length=200, validators=[reject_control_chars])
    source_key = models.CharField(_("来源"), max_length=SOURCE_KEY_MAX, unique=True, validators=[source_key_validator])
    status = models.CharField(_("状态"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("申请人"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    entry = models.OneToOneField(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="award_request",
                                 verbose_name=_("积分记录"))
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("手动发放")
        verbose_name_plural = _("手动发放")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scheme", "status"], name="points_award_queue")]

    def __str__(self) -> str:
        return f"{self.account.person} +{self.points}"

    @property
    def public_key(self) -> str:
        """The source key as the caller gave it (stored with the scheme as a prefix)."""
        return self.source_key.split(":", 2)[2] if self.source_key.count(":") >= 2 else self.source_key


class Reward(TimeStampedModel):
    """An item or service in a scheme's catalogue, offered by the community or by a partner merchant."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rewards", verbose_name=_("积分方案"))
    title = models.CharField(_("名称"), max_length=60, validators=[reject_control_chars])
    description = models.CharField(_("说明"), max_length=300, blank=True, default="",
                                   validators=[reject_control_chars])
    points = models.PositiveIntegerField(_("所需积分"), validators=_between(1, POINTS_MAX))
    stock = models.IntegerField(_("库存"), validators=_between(0, QUANTITY_MAX))
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="points_rewards", verbose_name=_("提供商家"),
                                     help_text=_("留空表示由社区提供，社区工作人员核销。"))
    valid_from = models.DateField(_("开始日期"), null=True, blank=True)
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    per_person_limit = models.PositiveSmallIntegerField(_("每人限兑"), null=True, blank=True,
                                                        validators=_between(1, 100))
    is_active = models.BooleanField(_("上架"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("兑换物品")
        verbose_name_plural = _("兑换物品")
        ordering = ["points", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="points_reward_stock_not_negative"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True)
                                   | Q(valid_until__gte=models.F("valid_from")), name="points_reward_dates"),
        ]

    def __str__(self) -> str:
        return self.title

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        return bool(scope.covers_region(self.scheme.region))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from lianjian.core.ranges import check_order

        errors: dict[str, Any] = {}
        check_order(errors, self.valid_from, self.valid_until, "valid_until", _("截止日期不能早于开始日期。"))
        if errors:
            raise ValidationError(errors)

    @property
    def offered_by(self) -> str:
        return self.organisation.name if self.organisation is not None else self.scheme.region.name


class RedemptionStatus(models.TextChoices):
    HELD = "held", _("待核销")
    POSTED = "posted", _("已核销")
    VOIDED = "voided", _("已作废")


class VoidReason(models.TextChoices):
    EXPIRED = "expired", _("超期未核销")
    CANCELLED = "cancelled", _("本人取消")


class Redemption(models.Model):
    """A two-phase redemption: held (points and one item reserved) → posted by the merchant, or voided."""

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("物品"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="redemptions",
                                verbose_name=_("账户"))
    code = models.CharField(_("兑换码"), max_length=CODE_DIGITS, unique=True, validators=[code_validator])
    points = models.PositiveIntegerField(_("积分"), validators=_between(1, POINTS_MAX))
    status = models.CharField(_("状态"), max_length=8, choices=RedemptionStatus.choices, default=RedemptionStatus.HELD)
    void_reason = models.CharField(_("作废原因"), max_length=10, choices=VoidReason.choices, blank=True, default="")
    created_at = models.DateTimeField(_("兑换时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("核销截止"))
    confirmed_at = models.DateTimeField(_("核销时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("核销人"))
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("兑换")
        verbose_name_plural = _("兑换")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="points_redemption_due"),
            models.Index(fields=["account", "-created_at"], name="points_redemption_mine"),
        ]

    def __str__(self) -> str:
        return f"{self.reward} · {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("points:redemption", args=[self.code])

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        return bool(scope.covers_region(self.account.scheme.region))
