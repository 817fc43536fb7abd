"""The search index of public objects: one row per public need, project, event and story.

``terms`` holds the object's words segmented by jieba (``cut_for_search``) and separated by
spaces, so the database's ordinary full-text machinery can index Chinese: an FTS5 table on
SQLite (``search_fts``, external content, kept in step by triggers) and a GIN index on
``to_tsvector('simple', terms)`` on PostgreSQL (see the migration). ``body`` keeps the plain
text for the substring fallback of one- and two-character queries and for snippets.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lianjian.core.text import reject_control_chars, reject_control_chars_multiline

BODY_MAX = 6000


class SearchEntry(models.Model):
    kind = models.CharField(_("类型"), max_length=12, validators=[reject_control_chars])
    object_id = models.PositiveBigIntegerField(_("对象编号"), validators=[MaxValueValidator(2**53)])
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("社区/街道"))
    title = models.CharField(_("标题"), max_length=200, validators=[reject_control_chars])
    url = models.CharField(_("链接"), max_length=200, validators=[reject_control_chars])
    body = models.TextField(_("正文"), max_length=BODY_MAX, blank=True, validators=[reject_control_chars_multiline])
    terms = models.TextField(_("分词"), blank=True, validators=[reject_control_chars_multiline])
    happened_on = models.DateField(_("日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("搜索索引")
        verbose_name_plural = _("搜索索引")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"
