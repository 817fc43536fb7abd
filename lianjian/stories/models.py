"""Stories (宣传报道): what a community did, told for the public, with reporter and photo credits.

A story is written by a staff member, reviewed and published by a *second* staff member (never
its author) and can be withdrawn again. Its body is stored as sanitised HTML (see ``body``): only
headings, paragraphs, emphasis, lists, quotes, line breaks and plain links survive. It links to
the projects, events, meetings (and later street reports) it is about through :class:`StoryLink`
rows that name a registered *kind* and an object id, so this app imports none of those apps.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianjian.core import ranges
from lianjian.core.images import PhotoURLs
from lianjian.core.models import TimeStampedModel
from lianjian.core.text import reject_control_chars, reject_control_chars_multiline

from .personal import reject_personal_numbers

BODY_MAX = 20_000
MAX_PHOTOS = 12
MAX_LINKS = 20
PUBLIC_TEXT = [reject_control_chars, reject_personal_numbers]


class StoryKind(models.TextChoices):
    REPORT = "report", _("报道")
    BRIEF = "brief", _("资讯")


class StoryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("待审核")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class StoryQuerySet(models.QuerySet["Story"]):
    def published(self) -> StoryQuerySet:
        return self.filter(status=StoryStatus.PUBLISHED)


class Story(TimeStampedModel):
    """One story about a community's (or a street's) work."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="stories",
                               verbose_name=_("社区/街道"))
    kind = models.CharField(_("类型"), max_length=10, choices=StoryKind.choices, default=StoryKind.REPORT)
    title = models.CharField(_("标题"), max_length=120, validators=PUBLIC_TEXT)
    subtitle = models.CharField(_("副标题"), max_length=200, blank=True, validators=PUBLIC_TEXT)
    body = models.TextField(_("正文"), max_length=BODY_MAX,
                            validators=[reject_control_chars_multiline, reject_personal_numbers])
    excerpt = models.CharField(_("摘要"), max_length=300, blank=True, editable=False,
                               validators=[reject_control_chars])
    reporter = models.CharField(_("记者/作者"), max_length=60, blank=True, validators=PUBLIC_TEXT)
    photo_credit = models.CharField(_("图片来源"), max_length=60, blank=True,
                                    validators=PUBLIC_TEXT,
                                    help_text=_("例如：受访者供图、江浦路社区供图"))
    happened_on = models.DateField(_("日期"), validators=ranges.date_validators())
    place = models.CharField(_("地点"), max_length=120, blank=True, validators=PUBLIC_TEXT)
    status = models.CharField(_("状态"), max_length=10, choices=StoryStatus.choices, default=StoryStatus.DRAFT,
                              db_index=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True, validators=[reject_control_chars])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("撰稿人"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("审核人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣传报道")
        verbose_name_plural = _("宣传报道")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["region", "status", "-happened_on"], name="story_region_status_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="published") | Q(published_at__isnull=False),
                                   name="story_published_has_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", args=[self.pk])

    def get_staff_url(self) -> str:
        return reverse("stories:edit", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == StoryStatus.PUBLISHED

    @property
    def credit_line(self) -> str:
        """The newspaper's credit line: 华西社区报记者 高昊焜 受访者供图."""
        return " ".join(p for p in (self.reporter, self.photo_credit) if p)

    def scope_check(self, scope, *, write: bool) -> bool:  # type: ignore[no-untyped-def]
        """Staff of the story's region see and change it; anyone may read a published story."""
        if scope.covers_region(self.region):
            return True
        return not write and self.is_published


class StoryPhoto(PhotoURLs, models.Model):
    """A photo of a story with its caption; visitors get the public copies (no EXIF, resized)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="photos", verbose_name=_("报道"))
    image = models.ImageField(_("照片"), upload_to="stories/%Y/%m/")
    public_image = models.ImageField(_("公开图"), upload_to="public/stories/%Y/%m/", blank=True)
    thumbnail = models.ImageField(_("缩略图"), upload_to="public/stories/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(_("宽"), default=0, validators=[MaxValueValidator(20_000)])
    height = models.PositiveIntegerField(_("高"), default=0, validators=[MaxValueValidator(20_000)])
    caption = models.CharField(_("图片说明"), max_length=100, blank=True, validators=PUBLIC_TEXT)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0, validators=[MaxValueValidator(1000)])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    photo_url_name = "stories:photo"

    class Meta:
        verbose_name = _("报道照片")
        verbose_name_plural = _("报道照片")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class StoryLink(models.Model):
    """What a story is about: an object of a registered kind (``project``, ``event``, ``meeting``…).

    ``title`` and ``url`` are cached when the link is made (and refreshed on publishing) so a
    story page costs one query for its links; ``url`` is the object's public page, empty when it
    has none (meetings are not public).
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="links", verbose_name=_("报道"))
    kind = models.CharField(_("类型"), max_length=20, validators=[reject_control_chars])
    object_id = models.PositiveBigIntegerField(_("对象编号"), validators=[MaxValueValidator(2**53)])
    title = models.CharField(_("标题"), max_length=200, validators=[reject_control_chars])
    url = models.CharField(_("公开链接"), max_length=200, blank=True, validators=[reject_control_chars])
    staff_url = models.CharField(_("工作台链接"), max_length=200, blank=True, validators=[reject_control_chars])

    class Meta:
        verbose_name = _("报道关联")
        verbose_name_plural = _("报道关联")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["story", "kind", "object_id"], name="story_link_unique")]
        indexes = [models.Index(fields=["kind", "object_id"], name="story_link_target")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"
