"""The three lists' first two: needs (需求清单) and resources (资源清单), and claims (认领)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.models import mask_phone, phone_validator
from lianjian.core import ranges
from lianjian.core.images import PhotoURLs
from lianjian.core.models import TimeStampedModel
from lianjian.core.text import reject_control_chars, reject_control_chars_multiline
from lianjian.orgs.models import Partnership, PartnershipStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


def current_year() -> int:
    """The calendar year now in China, whatever the server's clock zone."""
    return dt.datetime.now(tz=SHANGHAI).year


def _partnered(scope: Any, community_id: int) -> bool:
    """True if one of the scope's units is an active joint unit of the community."""

    return bool(scope.org_ids) and Partnership.objects.filter(
        community_id=community_id, organisation_id__in=scope.org_ids, status=PartnershipStatus.ACTIVE,
    ).exists()


def localized_name(name: str, name_en: str) -> str:
    """*name_en* when the active language is English and it is filled in, else the Chinese *name*."""
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


class Category(models.Model):
    """A managed category of the taxonomy (就业创业, 助老敬老 …), editable by admins."""

    name = models.CharField(_("名称"), max_length=40, unique=True, validators=[reject_control_chars])
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True, validators=[reject_control_chars],
                               help_text=_("英文界面显示的名称；不填则显示中文名称。"))
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True, validators=[reject_control_chars_multiline])
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100, validators=ranges.sort_validators())
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("类别")
        verbose_name_plural = _("类别")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (English name when English is active and one is set)."""
        return localized_name(self.name, self.name_en)


class BeneficiaryGroup(models.Model):
    """Who benefits: 老人, 儿童, 残疾人, 失业人员, 新就业群体 …"""

    name = models.CharField(_("名称"), max_length=40, unique=True, validators=[reject_control_chars])
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True, validators=[reject_control_chars],
                               help_text=_("英文界面显示的名称；不填则显示中文名称。"))
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100, validators=ranges.sort_validators())

    class Meta:
        verbose_name = _("受益群体")
        verbose_name_plural = _("受益群体")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (English name when English is active and one is set)."""
        return localized_name(self.name, self.name_en)


class NeedStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已发布")
    COVERED = "covered", _("已认领满")
    CLOSED = "closed", _("已关闭")


# Statuses in which a need is visible beyond its requester and the community's staff.
PUBLIC_NEED_STATUSES = ("published", "covered", "closed")


class Urgency(models.TextChoices):
    LOW = "low", _("一般")
    NORMAL = "normal", _("较急")
    HIGH = "high", _("紧急")


class NeedSource(models.TextChoices):
    RESIDENT = "resident", _("居民")
    SCHOOL = "school", _("学校")
    UNIT = "unit", _("单位")
    STAFF = "staff", _("社区")
    RIDER = "rider", _("新就业群体")
    MEETING = "meeting", _("会议提议")
    TICKET = "ticket", _("随手拍")
    OTHER = "other", _("其他")


class Need(TimeStampedModel):
    """A need (需求) of residents, schools, units or workers in one community."""

    community = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="needs",
                                  verbose_name=_("社区"))
    title = models.CharField(_("标题"), max_length=100, validators=[reject_control_chars])
    description = models.TextField(_("描述"), blank=True, validators=[reject_control_chars_multiline])
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="needs",
                                 verbose_name=_("类别"))
    beneficiary_groups = models.ManyToManyField(BeneficiaryGroup, blank=True, related_name="needs",
                                                verbose_name=_("受益群体"))
    beneficiary_count = models.PositiveIntegerField(_("预计受益人数"), null=True, blank=True,
                                                    validators=ranges.people_validators())
    quantity_needed = models.PositiveIntegerField(_("需求数量"), default=1, validators=ranges.quantity_validators())
    quantity_unit = models.CharField(_("数量单位"), max_length=10, default="项", validators=[reject_control_chars])
    quantity_covered = models.PositiveIntegerField(_("已认领数量"), default=0,
                                                   validators=ranges.quantity_validators(0))
    place = models.CharField(_("地点"), max_length=100, blank=True, validators=[reject_control_chars])
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.LOW)
    wanted_by = models.DateField(_("期望完成日期"), null=True, blank=True, validators=ranges.date_validators())
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True, default=current_year,
                                            validators=ranges.year_validators())
    source = models.CharField(_("来源"), max_length=10, choices=NeedSource.choices,
                              default=NeedSource.RESIDENT)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="needs", verbose_name=_("提出人"))
    requester_org = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="needs_raised", verbose_name=_("提出单位"))
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, validators=[reject_control_chars])
    contact_phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[phone_validator])
    status = models.CharField(_("状态"), max_length=10, choices=NeedStatus.choices,
                              default=NeedStatus.SUBMITTED,
                              db_index=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True,
                                   validators=[reject_control_chars_multiline])
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("审核人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    # What the need came from in another app (a street report), for the link back on its page.
    origin_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    origin_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False,
                                               validators=[MaxValueValidator(2**63 - 1)])
    origin = GenericForeignKey("origin_type", "origin_id")

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "-created_at"]),
            models.Index(fields=["community", "year", "category"]),
            # The community list without a status filter: newest first straight from the index.
            models.Index(fields=["community", "-created_at", "-id"], name="need_community_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_needed__gte=1), name="need_quantity_positive"),
            models.CheckConstraint(condition=Q(quantity_covered__lte=F("quantity_needed")),
                                   name="need_not_over_covered"),
        ]

    def deadline_in_past(self) -> bool:
        """A deadline set on a new need is not in the past (a need of an earlier year keeps its own).
        ``need_create`` asks this; ledger imports record needs that exist already and do not."""
        today = timezone.localdate()
        return bool(self.wanted_by and self.wanted_by < today and (self.year or today.year) >= today.year)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lists:need_detail", args=[self.pk])

    @property
    def quantity_open(self) -> int:
        return quantity_open(self.quantity_needed, self.quantity_covered)

    @property
    def coverage_percent(self) -> int:
        return min(100,
                   round(100 * self.quantity_covered / self.quantity_needed)) if self.quantity_needed else 0

    @property
    def is_claimable(self) -> bool:
        return self.status == NeedStatus.PUBLISHED and self.quantity_open > 0

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """Staff of the community see and change it; the requester sees it always and changes it
        while it is under review; joint units of the community see it once published."""
        if scope.covers_region(self.community):
            return True
        own = scope.is_authenticated and self.requester_id == getattr(scope.user, "pk", None)
        if write:
            return own and self.status in (NeedStatus.SUBMITTED, NeedStatus.RETURNED)
        if own or (self.requester_org_id and self.requester_org_id in scope.org_ids):
            return True
        return self.status in PUBLIC_NEED_STATUSES and _partnered(scope, self.community_id)


class NeedPhoto(PhotoURLs, models.Model):
    """A photo of a need: the private original and its public copies (see ``lianjian.core.images``)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="needs/%Y/%m/")
    public_image = models.ImageField(_("公开图"), upload_to="public/needs/%Y/%m/", blank=True)
    thumbnail = models.ImageField(_("缩略图"), upload_to="public/needs/%Y/%m/", blank=True)
    caption = models.CharField(_("说明"), max_length=100, blank=True, validators=[reject_control_chars])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("需求照片")
        verbose_name_plural = _("需求照片")

    photo_url_name = "lists:need_photo"

    def __str__(self) -> str:
        return self.caption or self.image.name or ""



class ResourceStatus(models.TextChoices):
    ACTIVE = "active", _("可用")
    PAUSED = "paused", _("暂停")
    WITHDRAWN = "withdrawn", _("已撤回")


class Resource(TimeStampedModel):
    """What a unit can offer (资源): 20 个岗位, 30 人/期, 100 份."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="resources",
                                     verbose_name=_("提供单位"))
    title = models.CharField(_("标题"), max_length=100, validators=[reject_control_chars])
    description = models.TextField(_("描述"), blank=True, validators=[reject_control_chars_multiline])
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="resources",
                                 verbose_name=_("类别"))
    beneficiary_groups = models.ManyToManyField(BeneficiaryGroup, blank=True, related_name="resources",
                                                verbose_name=_("面向群体"))
    capacity = models.PositiveIntegerField(_("总量"), validators=ranges.quantity_validators())
    capacity_unit = models.CharField(_("单位"), max_length=10, default="人", validators=[reject_control_chars])
    remaining = models.PositiveIntegerField(_("剩余"), validators=ranges.quantity_validators(0))
    valid_from = models.DateField(_("有效期起"), null=True, blank=True, validators=ranges.date_validators())
    valid_until = models.DateField(_("有效期止"), null=True, blank=True, validators=ranges.date_validators())
    communities = models.ManyToManyField("regions.Region", blank=True, related_name="resources_offered",
                                         verbose_name=_("服务社区"))
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, validators=[reject_control_chars])
    contact_phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[phone_validator])
    status = models.CharField(_("状态"), max_length=10, choices=ResourceStatus.choices,
                              default=ResourceStatus.ACTIVE, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(remaining__lte=F("capacity")),
                                   name="resource_remaining_le_capacity"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="resource_validity_ordered",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        ranges.check_order(errors, self.valid_from, self.valid_until, "valid_until", _("有效期止不能早于有效期起。"))
        if errors:
            raise ValidationError(errors)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lists:resource_detail", args=[self.pk])

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def committed(self) -> int:
        return self.capacity - self.remaining

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until)

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """The unit's liaisons and staff of the communities it partners with see and change it."""
        if self.organisation_id in scope.org_ids:
            return True

        if not scope.region_nodes:
            return False
        return Partnership.objects.filter(scope.region_q(prefix="community__"),
                                          organisation_id=self.organisation_id).exists()


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# Claims that hold a share of a need: waiting for the community's confirmation, or confirmed.
LIVE_CLAIM_STATUSES = (ClaimStatus.PENDING, ClaimStatus.CONFIRMED)


def quantity_taken(covered: int, reserved: int = 0) -> int:
    """How much of a need is taken: its confirmed coverage, or the live claims on it (pending +
    confirmed) where those already count, as on a meeting's board."""
    return max(covered, reserved)


def quantity_open(needed: int, covered: int, reserved: int = 0) -> int:
    """How much of a need is still open to claim — the one rule lists and meetings share."""
    return max(needed - quantity_taken(covered, reserved), 0)


class ClaimRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    PARTNER = "partner", _("协办单位")


class Claim(TimeStampedModel):
    """A unit's claim (认领) of a need, optionally backed by one of its resources."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="claims", verbose_name=_("需求"))
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="claims",
                                     verbose_name=_("认领单位"))
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="claims",
                                 verbose_name=_("使用资源"))
    quantity = models.PositiveIntegerField(_("认领数量"), default=1, validators=ranges.quantity_validators())
    role = models.CharField(_("角色"), max_length=10, choices=ClaimRole.choices, default=ClaimRole.LEAD)
    status = models.CharField(_("状态"), max_length=10, choices=ClaimStatus.choices,
                              default=ClaimStatus.PENDING,
                              db_index=True)
    note = models.CharField(_("说明"), max_length=300, blank=True, validators=[reject_control_chars_multiline])
    channel = models.CharField(_("认领渠道"), max_length=10, default="web")  # web / api / meeting / import
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="claims_made", verbose_name=_("认领人"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("确认人"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True,  # decline or withdraw reason
                              validators=[reject_control_chars_multiline])

    class Meta:
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="claim_quantity_positive"),
            # One live claim per unit and need; a declined or withdrawn one may be made again.
            models.UniqueConstraint(fields=["need", "organisation"],
                                    condition=Q(status__in=["pending",
                                                            "confirmed"]), name="claim_one_live_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.need}"

    def get_absolute_url(self) -> str:
        return reverse("lists:need_detail", args=[self.need_id]) + f"#claim-{self.pk}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_CLAIM_STATUSES

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """The claiming unit and the need's community staff see and act on a claim."""
        return self.organisation_id in scope.org_ids or scope.covers_region(self.need.community)
