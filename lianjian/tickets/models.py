"""Street reports (随手拍): a resident or rider reports a problem, staff triage and dispatch it, the
responsible unit fixes it, the reporter confirms — every step on the report's timeline.

A report's ``status`` changes only through a conditional UPDATE that names the statuses it may
change from (see ``services.transition``): of two people triaging the same report at once exactly
one succeeds. ``deadline`` is set on dispatch (dispatch time + the category's response time) and
an overdue report is escalated once to the street (``escalated_at``) by a periodic job.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lianjian.core.images import PhotoURLs
from lianjian.core.models import TimeStampedModel
from lianjian.core.ranges import COUNTER_MAX, SORT_MAX
from lianjian.core.text import reject_control_chars, reject_control_chars_multiline

MAX_DESCRIPTION = 4000
MAX_PHOTOS = 6
MAX_RESPONSE_HOURS = 24 * 30
MAX_RADIUS_M = 5000
LAT_RANGE = (-90.0, 90.0)
LNG_RANGE = (-180.0, 180.0)
ATTRIBUTE_TYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


def _name(name: str, name_en: str) -> str:
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


class ReportCategory(models.Model):
    """A kind of report (安全隐患 …) with its response time, its duplicate radius and the Open311
    service definition: keywords, group and the questions (attributes) a reporter answers."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True, validators=[reject_control_chars])
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True, validators=[reject_control_chars])
    description = models.CharField(_("说明"), max_length=300, blank=True, validators=[reject_control_chars])
    response_hours = models.PositiveIntegerField(
        _("处置时限（小时）"), default=72, validators=[MinValueValidator(1), MaxValueValidator(MAX_RESPONSE_HOURS)])
    duplicate_radius_m = models.PositiveIntegerField(
        _("查重半径（米）"), default=100, validators=[MinValueValidator(10), MaxValueValidator(MAX_RADIUS_M)])
    keywords = models.CharField(_("关键词"), max_length=200, blank=True, validators=[reject_control_chars],
                                help_text=_("用逗号分隔。"))
    group = models.CharField(_("分组"), max_length=40, blank=True, validators=[reject_control_chars])
    attributes = models.JSONField(_("附加问题"), default=list, blank=True,
                                  help_text=_("Open311 属性：code、description、datatype、required、order、values。"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0, validators=[MaxValueValidator(SORT_MAX)])
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("随手拍类别")
        verbose_name_plural = _("随手拍类别")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return _name(self.name, self.name_en)

    @property
    def has_metadata(self) -> bool:
        return bool(self.attributes)

    def sorted_attributes(self) -> list[dict[str, Any]]:
        return sorted(self.attributes or [], key=lambda a: (a.get("order", 0), a.get("code", "")))

    def clean(self) -> None:
        self.attributes = clean_attributes(self.attributes)


Category = ReportCategory  # the name used throughout this app


def clean_attributes(value: Any) -> list[dict[str, Any]]:
    """Check a category's Open311 attributes and return them in a normal form."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 20:
        raise ValidationError({"attributes": _("附加问题应为不超过 20 项的列表。")})
    out, seen = [], set()
    for i, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise ValidationError({"attributes": _("第 %(n)d 个附加问题格式不正确。") % {"n": i}})
        code = str(item.get("code", "")).strip()
        description = str(item.get("description", "")).strip()
        datatype = str(item.get("datatype", "string"))
        if not code or len(code) > 40 or not code.replace("_", "").replace("-", "").isalnum() or code in seen:
            raise ValidationError({"attributes": _("第 %(n)d 个附加问题的代码不正确或重复。") % {"n": i}})
        if not description or len(description) > 200 or datatype not in ATTRIBUTE_TYPES:
            raise ValidationError({"attributes": _("第 %(n)d 个附加问题缺少说明或类型不正确。") % {"n": i}})
        values = item.get("values") or []
        if datatype.endswith("valuelist"):
            if not isinstance(values, list) or not values or len(values) > 30 or not all(
                    isinstance(v, dict) and str(v.get("key", "")).strip() and str(v.get("name", "")).strip()
                    for v in values):
                raise ValidationError({"attributes": _("第 %(n)d 个附加问题需要选项（key、name）。") % {"n": i}})
            values = [{"key": str(v["key"])[:40], "name": str(v["name"])[:60]} for v in values]
        else:
            values = []
        try:
            order = max(0, min(int(item.get("order", i)), 999))
        except (TypeError, ValueError):
            order = i
        seen.add(code)
        out.append({"code": code, "description": description, "datatype": datatype,
                    "required": bool(item.get("required", False)), "order": order, "values": values,
                    "datatype_description": str(item.get("datatype_description", ""))[:200]})
    return out


class Status(models.TextChoices):
    NEW = "new", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    ACKNOWLEDGED = "acknowledged", _("处置中")
    RESOLVED = "resolved", _("已处置待确认")
    CONFIRMED = "confirmed", _("已办结")
    REOPENED = "reopened", _("已重新打开")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.DISPATCHED, Status.ACKNOWLEDGED, Status.REOPENED)
CLOSED_STATUSES = (Status.RESOLVED, Status.CONFIRMED, Status.REJECTED, Status.MERGED)
# Statuses with a running deadline: overdue is counted from these.
RUNNING = (Status.DISPATCHED, Status.ACKNOWLEDGED, Status.REOPENED)


def new_token() -> str:
    return secrets.token_urlsafe(12)


class Report(TimeStampedModel):
    """One street report and where it stands."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets",
                                 verbose_name=_("报告人"))
    community = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="tickets",
                                  verbose_name=_("社区"))
    category = models.ForeignKey(ReportCategory, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("类别"))
    description = models.TextField(_("问题描述"), max_length=MAX_DESCRIPTION,
                                   validators=[reject_control_chars_multiline])
    lat = models.FloatField(_("纬度"), null=True, blank=True,
                            validators=[MinValueValidator(LAT_RANGE[0], message=_("纬度应在 -90 到 90 之间。")),
                                        MaxValueValidator(LAT_RANGE[1], message=_("纬度应在 -90 到 90 之间。"))])
    lng = models.FloatField(_("经度"), null=True, blank=True,
                            validators=[MinValueValidator(LNG_RANGE[0], message=_("经度应在 -180 到 180 之间。")),
                                        MaxValueValidator(LNG_RANGE[1], message=_("经度应在 -180 到 180 之间。"))])
    address = models.CharField(_("地址"), max_length=200, blank=True, validators=[reject_control_chars])
    occurred_at = models.DateTimeField(_("发现时间"))
    attributes = models.JSONField(_("附加信息"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    token = models.CharField(max_length=20, unique=True, default=new_token, editable=False,
                             validators=[reject_control_chars])
    supporter_count = models.PositiveIntegerField(_("也遇到的人数"), default=0,
                                                  validators=[MaxValueValidator(COUNTER_MAX)])
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    reject_reason = models.CharField(_("不予受理原因"), max_length=300, blank=True,
                                     validators=[reject_control_chars_multiline])
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates", verbose_name=_("合并到"))
    unit = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tickets", verbose_name=_("责任单位"))
    department = models.CharField(_("责任部门"), max_length=100, blank=True, validators=[reject_control_chars])
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    deadline = models.DateTimeField(_("处置时限"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处置完成时间"), null=True, blank=True)
    resolution_note = models.CharField(_("处置说明"), max_length=500, blank=True,
                                       validators=[reject_control_chars_multiline])
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    escalated_to = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("升级至"))
    need = models.ForeignKey("lists.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("转为需求"))

    class Meta:
        verbose_name = _("随手拍")
        verbose_name_plural = _("随手拍")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The staff list: one community (or a street's) by status, newest first.
            models.Index(fields=["community", "status", "-created_at", "-id"], name="ticket_comm_status_recent"),
            models.Index(fields=["community", "-created_at", "-id"], name="ticket_comm_recent"),
            # Open311 requests.json: newest first inside the date window.
            models.Index(fields=["-created_at", "-id"], name="ticket_recent"),
            models.Index(fields=["status", "deadline"], name="ticket_status_deadline"),
            # A street's or district's list by status, newest first, without sorting the matches.
            models.Index(fields=["status", "-created_at", "-id"], name="ticket_status_recent"),
            models.Index(fields=["category", "status", "lat"], name="ticket_nearby"),
            models.Index(fields=["reporter", "-created_at"], name="ticket_reporter_recent"),
            models.Index(fields=["unit", "status"], name="ticket_unit_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
                                   name="ticket_lat_range"),
            models.CheckConstraint(condition=Q(lng__isnull=True) | Q(lng__gte=-180, lng__lte=180),
                                   name="ticket_lng_range"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.pk])

    @property
    def title(self) -> str:
        text = " ".join(self.description.split())
        return text[:30] + ("…" if len(text) > 30 else "")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.status in RUNNING and self.deadline and self.deadline < timezone.now())

    @property
    def has_location(self) -> bool:
        return self.lat is not None and self.lng is not None

    @property
    def geo_uri(self) -> str:
        if not self.has_location:
            return ""
        return f"geo:{self.lat:.6f},{self.lng:.6f}"

    @property
    def responsible(self) -> str:
        return self.unit.name if self.unit_id and self.unit else self.department

    def clean(self) -> None:
        if (self.lat is None) != (self.lng is None):
            raise ValidationError({"lat": _("请同时提供纬度和经度。")})
        if not self.has_location and not (self.address or "").strip():
            raise ValidationError({"address": _("请提供位置：允许定位，或填写地址。")})
        if self.community_id and not self.community.is_community:
            raise ValidationError({"community": _("请选择社区（村）。")})

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """Staff of the community (and the street above) change it; the reporter, supporters and the
        liaisons of the unit it is dispatched to see it."""
        if scope.covers_region(self.community):
            return True
        if write:
            return False
        uid = getattr(scope.user, "pk", None)
        if uid is not None and (self.reporter_id == uid or self.supporters.filter(user_id=uid).exists()):
            return True
        return bool(self.unit_id and self.unit_id in scope.org_ids)


class PhotoKind(models.TextChoices):
    REPORT = "report", _("现场照片")
    RESOLUTION = "resolution", _("处置后照片")
    REOPEN = "reopen", _("重新打开照片")


class ReportPhoto(PhotoURLs, models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("随手拍"))
    kind = models.CharField(_("类型"), max_length=10, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    image = models.ImageField(_("照片"), upload_to="tickets/%Y/%m/")
    public_image = models.ImageField(_("公开图"), upload_to="public/tickets/%Y/%m/", blank=True)
    thumbnail = models.ImageField(_("缩略图"), upload_to="public/tickets/%Y/%m/", blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    photo_url_name = "tickets:photo"

    class Meta:
        verbose_name = _("随手拍照片")
        verbose_name_plural = _("随手拍照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name or ""


class Supporter(models.Model):
    """Someone who met the same problem ("我也遇到了") instead of reporting it again."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supporters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("也遇到的人")
        verbose_name_plural = _("也遇到的人")
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="ticket_supporter_once")]

    def __str__(self) -> str:
        return f"{self.user_id} · #{self.report_id}"


class Step(models.TextChoices):
    CREATE = "create", _("提交了随手拍")
    SUPPORT = "support", _("我也遇到了")
    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予受理")
    MERGE = "merge", _("合并到其他随手拍")
    DISPATCH = "dispatch", _("派单")
    ACKNOWLEDGE = "acknowledge", _("签收")
    RESOLVE = "resolve", _("处置完成")
    CONFIRM = "confirm", _("确认解决")
    REOPEN = "reopen", _("重新打开")
    ESCALATE = "escalate", _("逾期升级至街道")
    TO_NEED = "to_need", _("转为需求")


class TimelineEntry(models.Model):
    """One step of a report's life as the reporter sees it: when, who, what."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="timeline")
    step = models.CharField(max_length=12, choices=Step.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=100, blank=True, validators=[reject_control_chars])
    status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    note = models.CharField(max_length=500, blank=True, validators=[reject_control_chars_multiline])
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("处理记录")
        verbose_name_plural = _("处理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="ticket_timeline")]

    def __str__(self) -> str:
        return f"#{self.report_id} {self.step}"
