"""Street reports for tests: a report in the world's community, moved along the status machine."""

from __future__ import annotations

from typing import Any

from lianjian.core.tests.photo_samples import photo
from lianjian.tickets import services
from lianjian.tickets.categories import ensure_categories
from lianjian.tickets.models import Category, Report

LAT, LNG = 31.2650, 121.5050  # near 江浦路, Shanghai


def category(code: str = "sanitation") -> Category:
    ensure_categories()
    return Category.objects.get(code=code)


def make_report(world: Any, *, reporter: Any = None, code: str = "sanitation", lat: float | None = LAT,
                lng: float | None = LNG, description: str = "楼下垃圾堆了三天没人清理", state: str = "new",
                community: Any = None, **kwargs: Any) -> Report:
    reporter = reporter or world.rider
    answers = {"danger_now": "yes"} if code == "safety" else {"facility_type": "light"} if code == "facility" else {}
    report = services.report_create(actor=reporter, community=community or world.community,
                                    category=category(code), description=description, photos=[photo()],
                                    lat=lat, lng=lng, address=kwargs.pop("address", "江浦路 100 号"),
                                    attributes=answers, **kwargs)
    order = ["accepted", "dispatched", "acknowledged", "resolved", "confirmed"]
    if state in order:
        services.accept(actor=world.staff, report=report)
    if state in order[1:]:
        services.dispatch(actor=world.staff, report=report, unit=world.unit)
    if state in order[2:]:
        services.acknowledge(actor=world.liaison, report=report)
    if state in order[3:]:
        services.resolve(actor=world.liaison, report=report, note="已清理完毕", photos=[photo("after.jpg")])
    if state in order[4:]:
        services.confirm(actor=reporter, report=report)
    return Report.objects.get(pk=report.pk)

