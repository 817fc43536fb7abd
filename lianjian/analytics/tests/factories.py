"""A made-up year of completed projects for selector tests.

Rows are written with the ORM on purpose: these tests pin down the arithmetic of the read side,
so the fixture states exactly what exists (counters included) without going through progress
reports; the write rules have their own tests in the projects app. Like any bulk load around the
services, each project is followed by a recount of the completed-units summary
(``completed_units_rebuild``, what ``lianjian rebuild_stats`` runs).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists.models import Category
from lianjian.projects.models import Project, ProjectUnit
from lianjian.projects.services import completed_units_rebuild


def cat(code: str, name: str | None = None) -> Category:
    return Category.objects.filter(code=code).first() or Category.objects.create(code=code, name=name or code)


def project(
    *,
    community: Any,
    lead: Any,
    partners: tuple[Any, ...] = (),
    category: Category,
    year: int = 2024,
    completed_on: dt.date | None = None,
    people: int = 0,
    hours: str = "0",
    ratings: tuple[int, ...] = (),
    status: str = "completed",
    title: str = "项目",
) -> Project:
    p = Project.objects.create(
        community=community,
        year=year,
        title=title,
        category=category,
        lead_org=lead,
        status=status,
        completed_on=completed_on or (dt.date(year, 6, 1) if status == "completed" else None),
        people_served=people,
        volunteer_hours=Decimal(hours),
        rating_count=len(ratings),
        rating_sum=sum(ratings),
        summary=f"{title}完成总结",
    )
    ProjectUnit.objects.create(project=p, organisation=lead, role="lead")
    for o in partners:
        ProjectUnit.objects.create(project=p, organisation=o, role="partner")
    completed_units_rebuild(actor=SYSTEM)
    return p
