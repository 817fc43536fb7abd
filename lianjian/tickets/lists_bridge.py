"""The tickets app's only door into the lists app's writes.

A street report that needs more than a repair (a missing ramp, a dark alley that needs lights) can
become a need in the service chain: ``need_from_report`` calls ``lists.services.need_create`` — the
same rules as every other need — with source 随手拍 and the report as the need's origin, so the
need's page links back to the report.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from lianjian.lists import services as lists_services
from lianjian.lists.models import Category as NeedCategory


def need_category(pk: Any) -> NeedCategory | None:
    """An active category of the shared taxonomy (one taxonomy: nothing is out of scope)."""
    try:
        return NeedCategory.objects.filter(pk=int(pk), is_active=True).first()
    except (TypeError, ValueError, OverflowError):
        return None


def need_categories() -> list[NeedCategory]:
    return list(NeedCategory.objects.filter(is_active=True))


def need_from_report(*, actor: Any, report: Any, title: str, category: NeedCategory) -> Any:
    """Create a need (awaiting the community's review) from *report*, pointing back at it."""
    return lists_services.need_create(
        actor=actor, community=report.community, title=title, category=category,
        description=report.description, place=(report.address or "")[:100], lat=report.lat, lng=report.lng,
        source="ticket", origin_type=ContentType.objects.get_for_model(report), origin_id=report.pk,
    )
