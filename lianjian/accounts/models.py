from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianjian.core.text import reject_control_chars
from lianjian.core.validators import phone_validator as phone_validator  # re-exported for older imports


def mask_phone(phone: str | None) -> str:
    """Return 138****1234 for a mobile number, keeping only the first three and last four digits."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


class User(AbstractUser):
    """A person who logs in: staff, liaisons, residents, riders, volunteers."""

    real_name = models.CharField(_("姓名"), max_length=50, blank=True, validators=[reject_control_chars])
    phone = models.CharField(
        _("手机号"), max_length=11, unique=True, null=True, blank=True, validators=[phone_validator]
    )
    # Raised in the same transaction as any change of the person's role assignments (see
    # ``permissions.get_scope``): a scope remembered for an older number is never used again.
    scope_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def get_full_name(self) -> str:
        return self.real_name or super().get_full_name() or self.username


class Role(models.TextChoices):
    REGION_ADMIN = "region_admin", _("区/街道管理员")
    COMMUNITY_STAFF = "community_staff", _("社区管理员")
    LIAISON = "liaison", _("联络员")
    RESIDENT = "resident", _("居民")
    RIDER = "rider", _("新就业群体")
    VOLUNTEER = "volunteer", _("志愿者")


REGION_ROLES = {Role.REGION_ADMIN, Role.COMMUNITY_STAFF}
ORG_ROLES = {Role.LIAISON}
# Roles that cover nothing beyond the person's own records (and their home community's board).
SELF_SERVICE_ROLES = {Role.RESIDENT, Role.RIDER, Role.VOLUNTEER}


class RoleAssignment(models.Model):
    """A role held by a user, scoped to a region node or to an organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments",
        verbose_name=_("区划"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="role_assignments", verbose_name=_("单位"),
    )
    created_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(role__in=["region_admin", "community_staff"], region__isnull=False, organisation__isnull=True)
                    | Q(role="liaison", organisation__isnull=False, region__isnull=True)
                    | Q(role__in=["resident", "rider", "volunteer"], organisation__isnull=True)
                ),
            ),
            # One assignment per role and target; NULL targets need their own partial constraints
            # because SQLite treats NULLs as distinct.
            models.UniqueConstraint(fields=["user", "role", "region"], condition=Q(region__isnull=False),
                                    name="role_unique_region"),
            models.UniqueConstraint(fields=["user", "role", "organisation"],
                                    condition=Q(organisation__isnull=False), name="role_unique_org"),
            models.UniqueConstraint(fields=["user", "role"],
                                    condition=Q(region__isnull=True, organisation__isnull=True),
                                    name="role_unique_self"),
        ]

    def __str__(self) -> str:
        target = self.region or self.organisation
        return f"{self.user} · {self.get_role_display()}" + (f" · {target}" if target else "")


TOUCH_EVERY = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token; only its hash is stored, the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=60, validators=[reject_control_chars])
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def touch(self) -> None:
        """Record the use, at most once a minute: a write on every API call would queue writers
        behind each other on SQLite for a date nobody needs to the second."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
