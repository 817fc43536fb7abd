"""Sane ranges for every number and date people type, in one place.

Model fields carry these validators, so forms, the API (through the services' ``full_clean``), imports
and the admin all refuse the same values with the same Chinese message; the API schemas use the same
bounds so an integer past 64 bits is a 422, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

YEAR_MIN, YEAR_MAX = 2000, 2100
DATE_MIN, DATE_MAX = dt.date(YEAR_MIN, 1, 1), dt.date(YEAR_MAX, 12, 31)
QUANTITY_MAX = 1_000_000  # places, items, sessions of a need, resource or claim
PEOPLE_MAX = 10_000_000  # people served, beneficiaries, members of a unit
HOURS_MAX = 1_000_000  # volunteer hours
COUNTER_MAX = 2_000_000_000  # counters the platform keeps (ratings, versions, positions)
SORT_MAX = 32_767
STARS_MIN, STARS_MAX = 1, 5


def _between(low: int, high: int, message: Any) -> list[Any]:
    return [MinValueValidator(low, message=message), MaxValueValidator(high, message=message)]


def year_validators() -> list[Any]:
    return _between(YEAR_MIN, YEAR_MAX, _("年度应在 2000 到 2100 之间。"))


def quantity_validators(low: int = 1) -> list[Any]:
    message = _("数量应在 1 到 1000000 之间。") if low else _("数量应在 0 到 1000000 之间。")
    return _between(low, QUANTITY_MAX, message)


def people_validators() -> list[Any]:
    return _between(0, PEOPLE_MAX, _("人数应在 0 到 10000000 之间。"))


def hours_validators() -> list[Any]:
    return _between(0, HOURS_MAX, _("时长应在 0 到 1000000 小时之间。"))


def money_validators() -> list[Any]:
    return _between(0, 9_999_999_999, _("金额应在 0 到 9999999999 元之间。"))


def counter_validators() -> list[Any]:
    return _between(0, COUNTER_MAX, _("数值超出允许范围。"))


def sort_validators() -> list[Any]:
    return _between(0, SORT_MAX, _("排序值应在 0 到 32767 之间。"))


def stars_validators() -> list[Any]:
    return _between(STARS_MIN, STARS_MAX, _("请选择 1 到 5 颗星。"))


def validate_date_in_range(value: dt.date | None) -> None:
    """A date people enter lies between 2000-01-01 and 2100-12-31."""
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(_("日期应在 2000-01-01 到 2100-12-31 之间。"), code="date_range")


def date_validators() -> list[Any]:
    return [validate_date_in_range]


def check_order(errors: dict[str, Any], first: dt.date | None, then: dt.date | None, field: str,
                message: Any) -> None:
    """Add *message* under *field* when both dates are set and *then* is before *first*."""
    if first is not None and then is not None and then < first:
        errors.setdefault(field, message)
