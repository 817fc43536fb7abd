from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.models import mask_phone, phone_validator
from lianjian.core import ranges
from lianjian.core.models import TimeStampedModel
from lianjian.core.text import reject_control_chars, reject_control_chars_multiline


class OrgKind(models.TextChoices):
    GOVERNMENT = "government", _("党政机关")
    INSTITUTION = "institution", _("事业单位")
    STATE_OWNED = "state_owned", _("国有企业")
    PRIVATE = "private", _("民营企业")
    SCHOOL = "school", _("学校")
    MEDICAL = "medical", _("医疗机构")
    SOCIAL = "social", _("社会组织")
    MERCHANT = "merchant", _("商户")
    PLATFORM = "platform", _("平台企业")
    EXPRESS = "express", _("快递站点")
    DELIVERY = "delivery", _("外卖配送站点")
    OTHER = "other", _("其他")


class Organisation(TimeStampedModel):
    """A unit (单位) that can become a joint unit of one or more communities."""

    name = models.CharField(_("单位名称"), max_length=120, unique=True, validators=[reject_control_chars])
    short_name = models.CharField(_("简称"), max_length=40, blank=True, validators=[reject_control_chars])
    kind = models.CharField(_("单位类型"), max_length=20, choices=OrgKind.choices)
    party_org_name = models.CharField(_("党组织名称"), max_length=120, blank=True, validators=[reject_control_chars])
    party_member_count = models.PositiveIntegerField(_("党员人数"), default=0, validators=ranges.people_validators())
    member_count = models.PositiveIntegerField(_("职工人数"), default=0, validators=ranges.people_validators())
    address = models.CharField(_("地址"), max_length=200, blank=True, validators=[reject_control_chars])
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="organisations", verbose_name=_("所在区划"),
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, validators=[reject_control_chars])
    contact_phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[phone_validator])
    description = models.TextField(_("简介"), blank=True, validators=[reject_control_chars_multiline])
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:detail", args=[self.pk])

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @staticmethod
    def scope_q(scope: Any, prefix: str = "") -> Q:
        """Q matching an Organisation (reached through *prefix*) in *scope*.

        A unit is in a region scope when it sits in a covered region or holds a partnership
        with a covered community; a liaison's scope is their own unit.
        """
        if scope.is_superuser:
            return Q()
        pk = f"{prefix}pk" if prefix else "pk"
        q = Q(**{f"{pk}__in": sorted(scope.org_ids)})
        if scope.region_nodes:
            q |= scope.region_q(prefix=f"{prefix}region__")
            partnered = Partnership.objects.filter(scope.region_q(prefix="community__")).values("organisation_id")
            q |= Q(**{f"{pk}__in": partnered})
        return q

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        if self.pk in scope.org_ids:
            return True
        return Organisation.objects.filter(Organisation.scope_q(scope), pk=self.pk).exists()


class PartnershipStatus(models.TextChoices):
    ACTIVE = "active", _("联建中")
    SUSPENDED = "suspended", _("暂停")
    ENDED = "ended", _("已结束")


class Partnership(TimeStampedModel):
    """The joint-building relationship (联建关系) between a community and a unit."""

    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("社区"),
        limit_choices_to={"level": 4},
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("单位"),
    )
    start_date = models.DateField(_("协议开始"), validators=ranges.date_validators())
    end_date = models.DateField(_("协议结束"), null=True, blank=True, validators=ranges.date_validators())
    status = models.CharField(_("状态"), max_length=10, choices=PartnershipStatus.choices,
                              default=PartnershipStatus.ACTIVE)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="liaison_of",
        verbose_name=_("联络员"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True, validators=[reject_control_chars_multiline])

    class Meta:
        verbose_name = _("联建关系")
        verbose_name_plural = _("联建关系")
        ordering = ["community", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "organisation"], name="partnership_unique"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="partnership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community} · {self.organisation}"

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """The unit's liaisons see it; the community's staff see and change it."""
        if not write and self.organisation_id in scope.org_ids:
            return True
        return bool(scope.covers_region(self.community))


class LiaisonChange(models.Model):
    """History of who was a partnership's liaison, kept when the liaison changes."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="liaison_changes")
    previous = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("原联络员"))
    new = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", verbose_name=_("新联络员"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("操作人"))
    reason = models.CharField(_("原因"), max_length=200, blank=True, validators=[reject_control_chars_multiline])
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联络员变更")
        verbose_name_plural = _("联络员变更")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.previous} → {self.new}"
