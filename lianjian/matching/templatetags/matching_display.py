"""``{{ s.reasons|reasons }}``: matching reasons in the active language (see ``matching.display``)."""

from __future__ import annotations

from typing import Any

from django import template

from lianjian.matching.display import translate_reasons

register = template.Library()


@register.filter(name="reasons")
def reasons_filter(reasons: Any) -> list[str]:
    return translate_reasons(reasons or [])
