from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianjian.core.models import TimeStampedModel
from lianjian.core.text import reject_control_chars


class Level(models.IntegerChoices):
    CITY = 1, _("市")
    DISTRICT = 2, _("区/县级市")
    STREET = 3, _("街道/镇")
    COMMUNITY = 4, _("社区/村")


# The ancestor column that holds a node of each level on its descendants.
ANCESTOR_FIELD = {Level.CITY: "city", Level.DISTRICT: "district", Level.STREET: "street"}


class RegionQuerySet(models.QuerySet["Region"]):
    def communities(self) -> RegionQuerySet:
        return self.filter(level=Level.COMMUNITY)

    def under(self, node: Region, *, include_self: bool = True) -> RegionQuerySet:
        """Return every node below *node* (and *node* itself unless told otherwise)."""
        return self.filter(Region.subtree_q(node, include_self=include_self))


class Region(TimeStampedModel):
    """A node of the region tree: city > district > street > community.

    Each node stores its ancestors (city, district, street) in indexed columns, so
    "everything under this node" is one equality on an indexed integer column — as fast with
    3,000 communities as with 3 and the same on SQLite and PostgreSQL.
    """

    KIND_CHOICES = [
        ("city", _("市")),
        ("district", _("区")),
        ("county_city", _("县级市")),
        ("county", _("县")),
        ("street", _("街道")),
        ("town", _("镇")),
        ("community", _("社区")),
        ("village", _("村")),
    ]

    code = models.CharField(_("区划代码"), max_length=20, unique=True, validators=[reject_control_chars])
    name = models.CharField(_("名称"), max_length=100, validators=[reject_control_chars])
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=KIND_CHOICES)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("上级"),
    )
    city = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("全称"), max_length=300, blank=True, validators=[reject_control_chars])

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("区划")
        verbose_name_plural = _("区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="region_level_range"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="region_parent_by_level",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("regions:detail", args=[self.pk])

    def scope_check(self, scope: Any, *, write: bool) -> bool:
        """Seen by the people of the node or above it; changed only by an admin above it (never
        by the people it contains)."""
        if write:
            return any(self.is_under(node) and self.pk != node.pk for node in scope.admin_nodes())
        return bool(scope.covers_region(self))

    @staticmethod
    def scope_q(scope: Any) -> Q:
        return scope.region_q()  # type: ignore[no-any-return]

    @staticmethod
    def subtree_q(node: Region, *, include_self: bool = True, prefix: str = "") -> Q:
        """A Q object matching *node*'s descendants, for a region reached through *prefix*.

        ``prefix`` is the lookup path to a Region from the queried model, e.g. ``"community__"``.
        """
        # A node's own ancestor column of its level points to itself, so one equality covers
        # the node and its whole subtree.
        field = ANCESTOR_FIELD.get(Level(node.level), "pk")
        q = Q(**{f"{prefix}{field}": node.pk})
        if not include_self:
            q &= ~Q(**{f"{prefix}pk": node.pk})
        return q

    def ancestors(self) -> list[Region]:
        """Return the ancestors from the city down, without this node."""
        return [a for a in (self.city, self.district, self.street) if a is not None and a.pk != self.pk]

    def is_under(self, node: Region) -> bool:
        """True if this node is *node* or lies below it."""
        if node.pk == self.pk:
            return True
        field = ANCESTOR_FIELD.get(Level(node.level))
        return field is not None and getattr(self, f"{field}_id") == node.pk

    @property
    def is_community(self) -> bool:
        return self.level == Level.COMMUNITY
