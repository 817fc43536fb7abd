"""The third list: joint projects (项目清单), their progress, completion and ratings."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lianjian.core import ranges
from lianjian.core.images import PhotoURLs
from lianjian.core.models import TimeStampedModel
from lianjian.core.text import reject_control_chars, reject_control_chars_multiline


def new_public_token() -> str:
    return secrets.token_urlsafe(9)


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("进行中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class Project(TimeStampedModel):
    """A joint project (联建项目) of one community, led by one unit with optional partners."""

    community = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="projects", verbose_name=_("社区")
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True, validators=ranges.year_validators())
    title = models.CharField(_("项目名称"), max_length=120, validators=[reject_control_chars])
    description = models.TextField(_("项目内容"), blank=True, validators=[reject_control_chars_multiline])
    category = models.ForeignKey(
        "lists.Category", on_delete=models.PROTECT, related_name="projects", verbose_name=_("类别")
    )
    need = models.ForeignKey(
        "lists.Need",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("来源需求"),
    )
    lead_org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="projects_led", verbose_name=_("牵头单位")
    )
    units = models.ManyToManyField(
        "orgs.Organisation", through="ProjectUnit", related_name="projects", verbose_name=_("参与单位")
    )
    plan = models.TextField(_("实施计划"), blank=True, validators=[reject_control_chars_multiline])
    budget = models.DecimalField(_("资金预算（元）"), max_digits=12, decimal_places=2, default=0,
                                 validators=ranges.money_validators())
    material_value = models.DecimalField(_("物资价值（元）"), max_digits=12, decimal_places=2, default=0,
                                 validators=ranges.money_validators())
    status = models.CharField(
        _("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED, db_index=True
    )
    start_date = models.DateField(_("开始日期"), null=True, blank=True, validators=ranges.date_validators())
    end_date = models.DateField(_("计划结束"), null=True, blank=True, validators=ranges.date_validators())
    completed_on = models.DateField(_("完成日期"), null=True, blank=True, db_index=True,
                                    validators=ranges.date_validators())
    summary = models.TextField(_("完成总结"), blank=True, validators=[reject_control_chars_multiline])
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True,
                                     validators=[reject_control_chars_multiline])
    # Counters kept by the services with F() expressions; the source rows stay authoritative.
    people_served = models.PositiveIntegerField(_("服务人次"), default=0, validators=ranges.people_validators())
    volunteer_hours = models.DecimalField(_("志愿服务时长（小时）"), max_digits=10, decimal_places=1, default=0,
                                          validators=ranges.hours_validators())
    rating_count = models.PositiveIntegerField(_("评价数"), default=0, validators=ranges.counter_validators())
    rating_sum = models.PositiveIntegerField(_("评分合计"), default=0, validators=ranges.counter_validators())
    public_token = models.CharField(_("公开链接码"), max_length=16, unique=True, default=new_public_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        verbose_name = _("联建项目")
        verbose_name_plural = _("联建项目")
        ordering = ["-year", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "year", "status"]),
            models.Index(fields=["community", "status", "-created_at"]),
            models.Index(fields=["lead_org", "status"]),
            # The dashboards' GROUP BYs (analytics.selectors.region_stats): completed projects of a
            # year by community, with every summed, grouped or joined column in the key so that the
            # scan never touches the table (a covering index on SQLite and PostgreSQL alike).
            models.Index(
                fields=[
                    "status",
                    "year",
                    "community",
                    "completed_on",
                    "category",
                    "people_served",
                    "volunteer_hours",
                    "rating_sum",
                    "rating_count",
                    "id",  # the units' join (PostgreSQL keeps no row id in an index otherwise)
                ],
                name="project_dashboard_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="project_completed_has_date",
            ),
        ]

    def clean(self) -> None:
        """Dates in order: start ≤ planned end; completion not before the start."""
        super().clean()
        errors: dict[str, Any] = {}
        ranges.check_order(errors, self.start_date, self.end_date, "end_date", _("计划结束日期不能早于开始日期。"))
        ranges.check_order(errors, self.start_date, self.completed_on, "completed_on", _("完成日期不能早于开始日期。"))
        if errors:
            raise ValidationError(errors)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def is_open(self) -> bool:
        """Planned or in progress: progress, milestones and completion still apply."""
        return self.status in (ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS)

    def get_public_url(self) -> str:
        return reverse("public:rate", args=[self.public_token])

    def participant_org_ids(self) -> set[int]:
        """The lead and partner units (one query, cached on the instance)."""
        cached = getattr(self, "_participant_org_ids", None)
        if cached is None:
            cached = {self.lead_org_id, *self.project_units.values_list("organisation_id", flat=True)}
            self._participant_org_ids = cached
        return cached

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """Called by ``Scope.can_view``/``can_change``.

        Staff and admins over the project's community may see and change it; liaisons of a
        participating unit (lead or partner) may see it and report its progress.
        """
        if scope.covers_region(self.community):
            return True
        return bool(scope.org_ids & self.participant_org_ids())


class ProjectUnit(models.Model):
    """A unit's part in a project: the lead or a partner, and the claim it came from."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="project_units")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="project_roles")
    role = models.CharField(_("角色"), max_length=10, choices=[("lead", _("牵头单位")), ("partner", _("协办单位"))])
    claim = models.ForeignKey("lists.Claim", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("参与单位")
        verbose_name_plural = _("参与单位")
        constraints = [models.UniqueConstraint(fields=["project", "organisation"], name="project_unit_unique")]

    def __str__(self) -> str:
        return f"{self.project} · {self.organisation}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=100, validators=[reject_control_chars])
    due_date = models.DateField(_("截止日期"), validators=ranges.date_validators())
    done_on = models.DateField(_("完成日期"), null=True, blank=True, validators=ranges.date_validators())
    overdue_notified = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["due_date", "done_on"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        today = timezone.localdate()
        # A new milestone is not already overdue, except in the record of an earlier year's project.
        if (self._state.adding and self.due_date and self.due_date < today and self.project_id
                and self.project.year >= today.year):
            raise ValidationError({"due_date": _("截止日期不能早于今天。")})


class ProgressUpdate(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("填报人"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("填报单位"),
    )
    text = models.TextField(_("进展情况"), validators=[reject_control_chars_multiline])
    happened_on = models.DateField(_("日期"), validators=ranges.date_validators())
    people_served = models.PositiveIntegerField(_("服务人次"), default=0, validators=ranges.people_validators())
    volunteer_hours = models.DecimalField(_("志愿服务时长（小时）"), max_digits=8, decimal_places=1, default=0,
                                          validators=ranges.hours_validators())
    is_completion = models.BooleanField(_("完成证明"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.happened_on}"


class ProgressPhoto(PhotoURLs, models.Model):
    """A progress or completion photo: the private original and its public copies."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="projects/%Y/%m/")
    public_image = models.ImageField(_("公开图"), upload_to="public/projects/%Y/%m/", blank=True)
    thumbnail = models.ImageField(_("缩略图"), upload_to="public/projects/%Y/%m/", blank=True)
    caption = models.CharField(_("说明"), max_length=100, blank=True, validators=[reject_control_chars])

    class Meta:
        verbose_name = _("进展照片")
        verbose_name_plural = _("进展照片")

    photo_url_name = "projects:photo"

    def __str__(self) -> str:
        return self.caption or self.image.name or ""



class Rating(models.Model):
    """A beneficiary's 1–5 star rating of a completed project; one per person or device."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField(_("评分"), validators=ranges.stars_validators())
    comment = models.CharField(_("评价"), max_length=300, blank=True, validators=[reject_control_chars_multiline])
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_5"),
            models.UniqueConstraint(fields=["project", "device_hash"], name="rating_one_per_device"),
            models.UniqueConstraint(
                fields=["project", "rater"], condition=Q(rater__isnull=False), name="rating_one_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.stars}★"


class CompletedUnit(models.Model):
    """Summary row: *organisation* took part (lead or partner) in *projects* completed projects of
    *community*'s list for *year*.

    It is what the street, district and city dashboards count "units with completed projects"
    from (COUNT DISTINCT organisation over a few thousand rows instead of joining every completed
    project to its units). The projects' services keep it in the same transaction as the write
    that changes it: ``project_complete`` (every unit of the project) and ``project_add_unit`` on
    a completed project. Nothing makes a completed project stop counting (only open projects are
    cancelled; units are never removed; the admin is read-only; projects are not deleted).
    Rows written in bulk, around the services, need ``lianjian rebuild_stats`` afterwards.
    """

    community = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(validators=ranges.year_validators())
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    projects = models.PositiveIntegerField(default=0, validators=ranges.counter_validators())

    class Meta:
        verbose_name = _("完成项目单位（统计）")
        verbose_name_plural = _("完成项目单位（统计）")
        constraints = [
            # Also the dashboards' covering index: year, then the region's communities, then the unit.
            models.UniqueConstraint(fields=["year", "community", "organisation"], name="completed_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.community_id} · {self.organisation_id} × {self.projects}"
