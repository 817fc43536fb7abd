"""New-employment workers (新就业群体), their rest stations (小哥驿站) and friendly merchants (友好商户).

- A ``Worker`` is a courier or rider registered in a community; one registration per phone number
  (a unique index) and per account. Staff of the community verify them and may certify them as
  流动网格员 (a check constraint: only a verified worker can be one).
- A ``Station`` has supplies whose quantity never goes below zero (a check constraint backs the
  conditional UPDATEs in ``services.supplies``) and a secret token printed as a QR code at the door.
- A ``Merchant`` is a partner unit of the community that offers something to workers (``Offer``).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.models import mask_phone, phone_validator
from lianjian.core import ranges
from lianjian.core.images import PhotoURLs
from lianjian.core.models import TimeStampedModel
from lianjian.core.text import reject_control_chars, reject_control_chars_multiline

MAX_STOCK = ranges.QUANTITY_MAX


class Platform(models.TextChoices):
    SF = "sf", _("顺丰速运")
    ZTO = "zto", _("中通快递")
    YTO = "yto", _("圆通速递")
    STO = "sto", _("申通快递")
    YUNDA = "yunda", _("韵达快递")
    JD = "jd", _("京东物流")
    JT = "jt", _("极兔速递")
    EMS = "ems", _("中国邮政")
    CAINIAO = "cainiao", _("菜鸟驿站")
    MEITUAN = "meituan", _("美团外卖")
    ELEME = "eleme", _("饿了么")
    DADA = "dada", _("达达秒送")
    SHANSONG = "shansong", _("闪送")
    OTHER = "other", _("其他")


class WorkerStatus(models.TextChoices):
    PENDING = "pending", _("待核验")
    VERIFIED = "verified", _("已核验")
    REJECTED = "rejected", _("未通过")


class Worker(TimeStampedModel):
    """A courier or delivery rider registered in a community (linked to their account when they have one)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="worker_profile", verbose_name=_("账号"))
    community = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="workers",
                                  verbose_name=_("登记社区"))
    name = models.CharField(_("姓名"), max_length=50, validators=[reject_control_chars])
    phone = models.CharField(_("手机号"), max_length=11, unique=True, validators=[phone_validator])
    platform = models.CharField(_("平台/公司"), max_length=10, choices=Platform.choices)
    company = models.CharField(_("公司名称"), max_length=60, blank=True, validators=[reject_control_chars],
                               help_text=_("平台选“其他”时请填写。"))
    station_name = models.CharField(_("所在站点"), max_length=80, validators=[reject_control_chars],
                                    help_text=_("例如：银海湾顺丰快递站点"))
    work_area = models.CharField(_("配送片区"), max_length=120, blank=True, validators=[reject_control_chars])
    is_party_member = models.BooleanField(_("党员"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=WorkerStatus.choices, default=WorkerStatus.PENDING,
                              db_index=True)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True, validators=[reject_control_chars])
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("核验人"))
    is_grid_reporter = models.BooleanField(_("流动网格员"), default=False)
    certified_at = models.DateTimeField(_("认证时间"), null=True, blank=True)
    certified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("认证人"))

    class Meta:
        verbose_name = _("新就业群体")
        verbose_name_plural = _("新就业群体")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(is_grid_reporter=False) | Q(status="verified"),
                                   name="worker_grid_reporter_is_verified"),
        ]
        indexes = [models.Index(fields=["community", "status", "-created_at"], name="worker_community_status")]

    def __str__(self) -> str:
        return f"{self.name}（{self.station_name}）"

    def get_absolute_url(self) -> str:
        return reverse("workers:detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def platform_label(self) -> str:
        if self.platform == Platform.OTHER and self.company:
            return self.company
        return str(self.get_platform_display())

    def clean(self) -> None:
        if self.platform == Platform.OTHER and not (self.company or "").strip():
            raise ValidationError({"company": _("平台选“其他”时请填写公司名称。")})

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """The worker reads their own record; staff of the community read and change it."""
        if not write and self.user_id is not None and self.user_id == getattr(scope.user, "pk", None):
            return True
        return bool(scope.covers_region(self.community))


# ---- stations (小哥驿站) -------------------------------------------------------------------------

class Amenity(models.TextChoices):
    WATER = "water", _("饮水")
    CHARGING = "charging", _("充电")
    MICROWAVE = "microwave", _("微波炉")
    MEDICINE = "medicine", _("药箱")
    TOILET = "toilet", _("卫生间")
    SEATS = "seats", _("座椅")
    RAIN_GEAR = "rain_gear", _("雨具")
    WIFI = "wifi", _("无线网络")
    AIR_CON = "air_con", _("空调")
    REPAIR = "repair", _("打气补胎")


def new_station_token() -> str:
    return secrets.token_urlsafe(16)


def _coordinate(low: int, high: int, message: Any) -> list[Any]:
    return [MinValueValidator(Decimal(low), message=message), MaxValueValidator(Decimal(high), message=message)]


def validate_amenities(value: Any) -> None:
    if not isinstance(value, list) or any(v not in Amenity.values for v in value):
        raise ValidationError(_("设施清单包含未知项目。"))


class Station(TimeStampedModel):
    """A rest station for workers: open to anyone to read, run by the community's staff."""

    community = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="worker_stations",
                                  verbose_name=_("社区"))
    name = models.CharField(_("驿站名称"), max_length=80, validators=[reject_control_chars])
    address = models.CharField(_("地址"), max_length=200, validators=[reject_control_chars])
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True,
                              validators=_coordinate(-90, 90, _("纬度应在 -90 到 90 之间。")))
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True,
                              validators=_coordinate(-180, 180, _("经度应在 -180 到 180 之间。")))
    opening_hours = models.CharField(_("开放时间"), max_length=60, blank=True, validators=[reject_control_chars],
                                     help_text=_("例如：全天 24 小时，或 08:00–22:00"))
    amenities = models.JSONField(_("设施"), default=list, blank=True, validators=[validate_amenities])
    description = models.TextField(_("介绍"), max_length=1000, blank=True,
                                   validators=[reject_control_chars_multiline])
    is_open = models.BooleanField(_("开放中"), default=True)
    token = models.CharField(max_length=32, unique=True, default=new_station_token, editable=False,
                             validators=[RegexValidator(r"^[A-Za-z0-9_-]+$")])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("驿站")
        verbose_name_plural = _("驿站")
        ordering = ["community", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="station_name_unique_in_community"),
            models.CheckConstraint(condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
                                   name="station_lat_range"),
            models.CheckConstraint(condition=Q(lng__isnull=True) | Q(lng__gte=-180, lng__lte=180),
                                   name="station_lng_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workers:station", args=[self.pk])

    def get_checkin_url(self) -> str:
        return reverse("workers:scan", args=[self.token])

    @property
    def amenity_labels(self) -> list[str]:
        labels = dict(Amenity.choices)
        return [str(labels[a]) for a in Amenity.values if a in (self.amenities or [])]

    def clean(self) -> None:
        if (self.lat is None) != (self.lng is None):
            raise ValidationError({"lng": _("经纬度须同时填写。")})

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """Anyone reads a station (its public page); staff of the community run it."""
        return True if not write else bool(scope.covers_region(self.community))


class StationPhoto(PhotoURLs, models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos", verbose_name=_("驿站"))
    image = models.ImageField(_("照片"), upload_to="workers/%Y/%m/")
    public_image = models.ImageField(_("公开图"), upload_to="public/workers/%Y/%m/", blank=True)
    thumbnail = models.ImageField(_("缩略图"), upload_to="public/workers/%Y/%m/", blank=True)
    caption = models.CharField(_("说明"), max_length=100, blank=True, validators=[reject_control_chars])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    photo_url_name = "workers:photo"

    class Meta:
        verbose_name = _("驿站照片")
        verbose_name_plural = _("驿站照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class Supply(models.Model):
    """Something the station hands out (创可贴, 矿泉水, 雨衣) with its stock and a low-stock threshold.

    ``low_alerted_at`` marks a low-stock episode that staff were told about: set once when the stock
    falls to the threshold, cleared when a restock lifts it above again.
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="supplies", verbose_name=_("驿站"))
    name = models.CharField(_("物资名称"), max_length=40, validators=[reject_control_chars])
    unit = models.CharField(_("单位"), max_length=10, default="件", validators=[reject_control_chars])
    quantity = models.PositiveIntegerField(_("库存"), default=0, validators=ranges.quantity_validators(low=0))
    low_threshold = models.PositiveIntegerField(_("低库存提醒线"), default=0,
                                                validators=ranges.quantity_validators(low=0),
                                                help_text=_("库存降到此数量或以下时提醒社区工作人员。"))
    low_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("驿站物资")
        verbose_name_plural = _("驿站物资")
        ordering = ["station", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="supply_name_unique_in_station"),
            models.CheckConstraint(condition=Q(quantity__gte=0) & Q(quantity__lte=MAX_STOCK),
                                   name="supply_quantity_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.station}"

    @property
    def is_low(self) -> bool:
        return self.quantity <= self.low_threshold

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        return self.station.scope_check(scope, write=write)


class CheckIn(models.Model):
    """One visit of a worker to a station (scans within ``services.stations.REPEAT_WINDOW`` count once)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("驿站"))
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("小哥"))
    created_at = models.DateTimeField(_("签到时间"), db_index=True)

    class Meta:
        verbose_name = _("驿站签到")
        verbose_name_plural = _("驿站签到")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["station", "created_at"], name="checkin_station_time"),
                   models.Index(fields=["worker", "station", "created_at"], name="checkin_worker_recent")]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.station}"


# ---- friendly merchants (友好商户) ----------------------------------------------------------------

class Merchant(TimeStampedModel):
    """A merchant unit (an active partner of the community) that is friendly to workers."""

    community = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="friendly_merchants",
                                  verbose_name=_("社区"))
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE,
                                     related_name="friendly_merchants", verbose_name=_("商户"))
    alliance = models.CharField(_("所属商家联盟"), max_length=60, blank=True, validators=[reject_control_chars],
                                help_text=_("例如：西熙里商家联盟"))
    blurb = models.CharField(_("简介"), max_length=200, blank=True, validators=[reject_control_chars])
    is_active = models.BooleanField(_("展示中"), default=True)

    class Meta:
        verbose_name = _("友好商户")
        verbose_name_plural = _("友好商户")
        ordering = ["community", "alliance", "organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "organisation"], name="merchant_once_per_community"),
        ]

    def __str__(self) -> str:
        return self.organisation.name

    def get_absolute_url(self) -> str:
        return reverse("workers:merchant", args=[self.pk])

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """Staff of the community, and the merchant's own liaisons."""
        return bool(scope.covers_region(self.community) or self.organisation_id in scope.org_ids)


class Offer(TimeStampedModel):
    """What a merchant offers workers, e.g. 骑手凭证 9 折, 免费热水, 免费充电, with its validity."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="offers", verbose_name=_("商户"))
    title = models.CharField(_("优惠内容"), max_length=60, validators=[reject_control_chars],
                             help_text=_("例如：骑手凭证 9 折、免费热水、免费充电"))
    details = models.CharField(_("使用说明"), max_length=300, blank=True, validators=[reject_control_chars])
    valid_from = models.DateField(_("开始日期"), validators=ranges.date_validators())
    valid_until = models.DateField(_("结束日期"), null=True, blank=True, validators=ranges.date_validators(),
                                   help_text=_("留空表示长期有效。"))
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("商户优惠")
        verbose_name_plural = _("商户优惠")
        ordering = ["merchant", "-valid_from", "id"]
        constraints = [models.CheckConstraint(
            condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")), name="offer_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.merchant} · {self.title}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        ranges.check_order(errors, self.valid_from, self.valid_until, "valid_until", _("结束日期不能早于开始日期。"))
        if errors:
            raise ValidationError(errors)

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        return self.merchant.scope_check(scope, write=write)
