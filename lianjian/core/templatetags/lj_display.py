"""Template filters that show stored words in the active language (see ``lianjian.core.display``)."""

from __future__ import annotations

from typing import Any

from django import template

from lianjian.core.display import unit_label

register = template.Library()


@register.filter(name="unit")
def unit_filter(unit: Any, count: Any = None) -> str:
    """``{{ need.quantity_unit|unit:need.quantity_needed }}`` → "人" / "people" / "person"."""
    return unit_label(unit, count)
