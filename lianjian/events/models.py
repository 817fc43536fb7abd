"""Community events (活动): registration with capacity and a first-in-first-out waitlist, check-in.

An event's ``taken`` counts the places held by confirmed registrations and by waitlist offers
that are still open (a party of three holds three places). It changes only inside a transaction
that holds the event's row lock (see ``services``) and a check constraint keeps it within the
capacity, so no timing of requests can overbook. One phone number holds at most one active
registration per event: a partial unique index says so in the database.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.models import mask_phone, phone_validator
from lianjian.core.images import PhotoURLs
from lianjian.core.models import TimeStampedModel
from lianjian.core.text import reject_control_chars, reject_control_chars_multiline

# Check-in codes are typed by hand when a camera fails: no 0/O, 1/I/L look-alikes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_CAPACITY = 100_000
MAX_PARTY = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class EventKind(models.TextChoices):
    SPORTS = "sports", _("文体活动")
    CARE = "care", _("关爱慰问")
    VOLUNTEER = "volunteer", _("志愿服务")
    TRAINING = "training", _("宣讲培训")
    OTHER = "other", _("其他")


class Audience(models.TextChoices):
    RESIDENTS = "residents", _("居民")
    WORKERS = "workers", _("新就业群体")
    VOLUNTEERS = "volunteers", _("志愿者")
    PUBLIC = "public", _("公开")


class EventStatus(models.TextChoices):
    OPEN = "open", _("报名中")
    CANCELLED = "cancelled", _("已取消")


class Promotion(models.TextChoices):
    AUTO = "auto", _("自动递补")
    OFFER = "offer", _("限时确认")


class Event(TimeStampedModel):
    """One event organised by a community or a street (whose villages and communities it spans)."""

    title = models.CharField(_("活动名称"), max_length=120,
        validators=[reject_control_chars])
    kind = models.CharField(_("活动类型"), max_length=12, choices=EventKind.choices, default=EventKind.OTHER)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="events",
                               verbose_name=_("主办社区/街道"))
    co_units = models.ManyToManyField("orgs.Organisation", blank=True, related_name="events",
                                      verbose_name=_("协办单位"))
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="events", verbose_name=_("所属项目"))
    description = models.TextField(_("活动介绍"), max_length=4000, blank=True,
        validators=[reject_control_chars_multiline])
    venue = models.CharField(_("地点"), max_length=120, blank=True,
        validators=[reject_control_chars])
    address = models.CharField(_("地址"), max_length=200, blank=True,
        validators=[reject_control_chars])
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    gather_at = models.DateTimeField(_("集合时间"), null=True, blank=True)
    audience = models.CharField(_("面向对象"), max_length=12, choices=Audience.choices, default=Audience.RESIDENTS)
    capacity = models.PositiveIntegerField(
        _("名额"), validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)])
    max_party_size = models.PositiveSmallIntegerField(
        _("每人最多携带人数（含本人）"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_PARTY)])
    registration_opens_at = models.DateTimeField(_("报名开始"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("报名截止"), null=True, blank=True)
    waitlist = models.BooleanField(_("名额满后排队候补"), default=True)
    promotion = models.CharField(_("候补递补方式"), max_length=6, choices=Promotion.choices, default=Promotion.AUTO)
    offer_hours = models.PositiveSmallIntegerField(
        _("限时确认（小时）"), default=24, validators=[MinValueValidator(1), MaxValueValidator(168)])
    ask_emergency_contact = models.BooleanField(_("收集紧急联系人"), default=False)
    ask_shirt_size = models.BooleanField(_("收集T恤尺码"), default=False)
    ask_dietary_notes = models.BooleanField(_("收集饮食禁忌"), default=False)
    is_public = models.BooleanField(_("公开展示"), default=True)
    pledge_goal = models.PositiveIntegerField(_("认捐目标数量"), default=0, validators=[MaxValueValidator(100_000)],
                                              help_text=_("例如年夜饭需要的菜品道数；0 表示不设目标。"))
    pledge_goal_unit = models.CharField(_("认捐目标单位"), max_length=10, blank=True, default="",
        validators=[reject_control_chars])
    status = models.CharField(_("状态"), max_length=10, choices=EventStatus.choices, default=EventStatus.OPEN)
    taken = models.PositiveIntegerField(_("已占名额"), default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="event_taken_within_capacity"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    def scope_check(self, scope, *, write: bool) -> bool:  # type: ignore[no-untyped-def]
        """Staff of the organising region run it; anyone may see a public event."""
        if scope.covers_region(self.region):
            return True
        return not write and self.is_public


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补中")
    OFFERED = "offered", _("待确认递补")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("递补已过期")


# A registration in one of these holds (or waits for) a place; the phone is then taken.
ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED)
# These hold places counted in Event.taken.
HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
WAITING = (RegistrationStatus.WAITLISTED,)


class RegistrationSource(models.TextChoices):
    SELF = "self", _("本人报名")
    PHONE = "phone", _("手机验证报名")
    STAFF = "staff", _("工作人员代报")


def new_manage_token() -> str:
    return secrets.token_urlsafe(18)


class Registration(models.Model):
    """One person's (and their family's) place, or place in the queue, at an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations",
                              verbose_name=_("活动"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="event_registrations", verbose_name=_("账号"))
    name = models.CharField(_("姓名"), max_length=50,
        validators=[reject_control_chars])
    phone = models.CharField(_("手机号"), max_length=11, validators=[phone_validator])
    party_size = models.PositiveSmallIntegerField(
        _("人数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_PARTY)])
    status = models.CharField(_("状态"), max_length=10, choices=RegistrationStatus.choices, db_index=True)
    source = models.CharField(_("来源"), max_length=6, choices=RegistrationSource.choices,
                              default=RegistrationSource.SELF)
    code = models.CharField(_("签到码"), max_length=CODE_LENGTH, unique=True, default=new_code)
    # The private link of a person who registered with a phone code instead of an account.
    manage_token = models.CharField(max_length=32, unique=True, default=new_manage_token, editable=False)
    emergency_contact = models.CharField(_("紧急联系人及电话"), max_length=60, blank=True,
        validators=[reject_control_chars])
    shirt_size = models.CharField(_("T恤尺码"), max_length=6, blank=True,
        validators=[reject_control_chars])
    dietary_notes = models.CharField(_("饮食禁忌"), max_length=100, blank=True,
        validators=[reject_control_chars])
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("递补确认截止"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("签到经办人"))
    no_show = models.BooleanField(_("未到场"), default=False)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        # Arrival order is the id order: rows are inserted while the event's lock is held.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "phone"], condition=Q(status__in=["confirmed", "waitlisted", "offered"]),
                name="registration_one_active_per_phone"),
        ]
        indexes = [models.Index(fields=["event", "status", "id"], name="registration_queue")]

    def __str__(self) -> str:
        return f"{self.name} · {self.event}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def get_manage_url(self) -> str:
        return reverse("events:manage", args=[self.manage_token])

    def scope_check(self, scope, *, write: bool) -> bool:  # type: ignore[no-untyped-def]
        """The person themselves and the event's staff."""
        if self.user_id is not None and self.user_id == getattr(scope.user, "pk", None):
            return True
        return scope.covers_region(self.event.region)


class CheckInScan(models.Model):
    """One scan at the door, keyed by the scanner's nonce: a retried request replays its answer."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="scans")
    nonce = models.CharField(max_length=64)
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="scans")
    outcome = models.CharField(max_length=24)
    http_status = models.PositiveSmallIntegerField()
    message = models.CharField(max_length=200)
    scanned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "nonce"], name="checkin_scan_nonce_once")]

    def __str__(self) -> str:
        return f"{self.nonce} · {self.outcome}"


# ---- volunteer posts (志愿岗位) ------------------------------------------------------------------

class PostRole(models.TextChoices):
    MEDICAL = "medical", _("医疗保障")
    SUPPLY = "supply", _("补给站")
    SECURITY = "security", _("安保")
    GUIDE = "guide", _("引导员")
    KITCHEN = "kitchen", _("后厨帮工")
    SETUP = "setup", _("场地布置")
    OTHER = "other", _("其他")


class VolunteerPost(models.Model):
    """A volunteer role with a headcount and a shift; on a route it sits at a kilometre mark."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="posts", verbose_name=_("活动"))
    role = models.CharField(_("岗位类型"), max_length=10, choices=PostRole.choices)
    title = models.CharField(_("岗位名称"), max_length=60,
        validators=[reject_control_chars])
    place = models.CharField(_("位置"), max_length=120, blank=True,
        validators=[reject_control_chars])
    km = models.DecimalField(_("路线里程（公里）"), max_digits=5, decimal_places=2, null=True, blank=True,
                             validators=[MinValueValidator(0), MaxValueValidator(500)])
    headcount = models.PositiveSmallIntegerField(_("需要人数"), validators=[MinValueValidator(1),
                                                                          MaxValueValidator(500)])
    starts_at = models.DateTimeField(_("上岗时间"))
    ends_at = models.DateTimeField(_("下岗时间"))
    filled = models.PositiveSmallIntegerField(_("已报名人数"), default=0, editable=False)
    short_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("志愿岗位")
        verbose_name_plural = _("志愿岗位")
        # Route order first (posts without a kilometre mark after), then by shift.
        ordering = [F("km").asc(nulls_last=True), "starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(filled__lte=F("headcount")), name="post_filled_within_headcount"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="post_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.event}"

    @property
    def missing(self) -> int:
        return max(self.headcount - self.filled, 0)

    def scope_check(self, scope, *, write: bool) -> bool:  # type: ignore[no-untyped-def]
        return self.event.scope_check(scope, write=write)


class SignupStatus(models.TextChoices):
    SIGNED = "signed", _("已报名")
    CANCELLED = "cancelled", _("已取消")


class HoursStatus(models.TextChoices):
    NONE = "", _("无")
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("未认定")


class VolunteerSignup(models.Model):
    """A volunteer on a post's shift: checked in and out at the post, hours verified from that."""

    post = models.ForeignKey(VolunteerPost, on_delete=models.CASCADE, related_name="signups",
                             verbose_name=_("岗位"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_signups",
                             verbose_name=_("志愿者"))
    status = models.CharField(_("状态"), max_length=10, choices=SignupStatus.choices, default=SignupStatus.SIGNED)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("到岗时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("离岗时间"), null=True, blank=True)
    verified_minutes = models.PositiveIntegerField(_("核实时长（分钟）"), default=0)
    reported_minutes = models.PositiveIntegerField(_("自报时长（分钟）"), null=True, blank=True,
                                                   validators=[MaxValueValidator(24 * 60)])
    reported_note = models.CharField(_("自报说明"), max_length=200, blank=True,
        validators=[reject_control_chars])
    hours_status = models.CharField(_("自报时长审核"), max_length=10, choices=HoursStatus.choices, blank=True,
                                    default=HoursStatus.NONE)
    hours_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", verbose_name=_("审核人"))

    class Meta:
        verbose_name = _("志愿报名")
        verbose_name_plural = _("志愿报名")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], condition=Q(status="signed"),
                                    name="signup_once_per_post"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.post}"

    @property
    def credited_minutes(self) -> int:
        """Verified minutes, plus self-reported ones once staff approved them."""
        extra = (self.reported_minutes or 0) if self.hours_status == HoursStatus.APPROVED else 0
        return self.verified_minutes + extra

    def scope_check(self, scope, *, write: bool) -> bool:  # type: ignore[no-untyped-def]
        if self.user_id == getattr(scope.user, "pk", None):
            return True
        return scope.covers_region(self.post.event.region)


# ---- pledges (认捐) and recognition (表扬) ---------------------------------------------------------

class PledgerKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    MERCHANT = "merchant", _("商家")
    UNIT = "unit", _("联建单位")


class PledgeStatus(models.TextChoices):
    PLEDGED = "pledged", _("已认捐")
    DELIVERED = "delivered", _("已送达")
    CANCELLED = "cancelled", _("已取消")


class Pledge(models.Model):
    """Something a resident or merchant gives to an event: "红烧肉 1 盆 — 刁嬢嬢"."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="pledges", verbose_name=_("活动"))
    item = models.CharField(_("认捐内容"), max_length=60,
        validators=[reject_control_chars])
    quantity = models.PositiveIntegerField(_("数量"), default=1, validators=[MinValueValidator(1),
                                                                           MaxValueValidator(100_000)])
    unit = models.CharField(_("计量单位"), max_length=10, default="份",
        validators=[reject_control_chars])
    pledger_kind = models.CharField(_("认捐方类型"), max_length=10, choices=PledgerKind.choices)
    pledger_name = models.CharField(_("认捐人/商家"), max_length=60,
        validators=[reject_control_chars])
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="pledges", verbose_name=_("所属单位/联盟"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="pledges", verbose_name=_("账号"))
    status = models.CharField(_("状态"), max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.PLEDGED)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("认捐")
        verbose_name_plural = _("认捐")
        ordering = ["pledger_kind", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity} {self.unit} — {self.pledger_name}"


class Recognition(models.Model):
    """Praise given at an event (e.g. 15 workers with gift packs), with a printable certificate."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="recognitions", verbose_name=_("活动"))
    name = models.CharField(_("姓名"), max_length=50,
        validators=[reject_control_chars])
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="recognitions", verbose_name=_("账号"))
    affiliation = models.CharField(_("所在站点/单位"), max_length=80, blank=True,
        validators=[reject_control_chars])
    reason = models.CharField(_("表扬事由"), max_length=200,
        validators=[reject_control_chars])
    gift = models.CharField(_("礼品"), max_length=60, blank=True,
        validators=[reject_control_chars])
    number = models.CharField(_("证书编号"), max_length=24, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("表扬")
        verbose_name_plural = _("表扬")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} · {self.event}"

    def scope_check(self, scope, *, write: bool) -> bool:  # type: ignore[no-untyped-def]
        if not write and self.user_id == getattr(scope.user, "pk", None):
            return True
        return scope.covers_region(self.event.region)


class EventPhoto(PhotoURLs, models.Model):
    """A photo of an event (the dinner's tables, the run's start): the private original and the public
    copies every visitor of a public event sees (see ``lianjian.core.images``)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos", verbose_name=_("活动"))
    image = models.ImageField(_("照片"), upload_to="events/%Y/%m/")
    public_image = models.ImageField(_("公开图"), upload_to="public/events/%Y/%m/", blank=True)
    thumbnail = models.ImageField(_("缩略图"), upload_to="public/events/%Y/%m/", blank=True)
    caption = models.CharField(_("说明"), max_length=100, blank=True, validators=[reject_control_chars])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    photo_url_name = "events:photo"

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or self.image.name or ""
