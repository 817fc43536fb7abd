"""Test helpers for projects: needs with confirmed claims, projects in each state, photos."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists.models import Category, Claim, Need
from lianjian.lists.taxonomy import ensure_taxonomy
from lianjian.projects import services
from lianjian.projects.models import Project


def png(name: str = "photo.png", color: tuple[int, int, int] = (200, 40, 40)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def category(name: str = "助老敬老") -> Category:
    ensure_taxonomy()  # transactional tests flush the seeded rows
    return Category.objects.get(name=name)


def need_with_claims(
    world: Any,
    *,
    orgs: list[Any] | None = None,
    roles: list[str] | None = None,
    title: str = "独居老人上门探访",
    year: int = 2024,
) -> Need:
    """A published need of ``world.community`` with confirmed claims by *orgs*.

    Test set-up only: rows are created directly so these tests do not depend on the lists
    app's workflow, which has its own tests.
    """
    need = Need.objects.create(
        community=world.community,
        title=title,
        category=category(),
        year=year,
        status="published",
        quantity_needed=5,
    )
    for i, org in enumerate(orgs or [world.unit]):
        role = (roles or [])[i] if roles and i < len(roles) else ("lead" if i == 0 else "partner")
        Claim.objects.create(need=need, organisation=org, role=role, status="confirmed")
    return need


def project(world: Any, *, title: str = "助老服务", status: str = "planned", **kwargs: Any) -> Project:
    p = services.project_create(
        actor=SYSTEM,
        community=world.community,
        year=kwargs.pop("year", 2024),
        title=title,
        category=kwargs.pop("category", None) or category(),
        lead_org=world.unit,
        **kwargs,
    )
    if status in ("in_progress", "completed"):
        services.project_start(actor=SYSTEM, project=p, start_date=dt.date(2024, 3, 1))
    if status == "completed":
        services.project_complete(
            actor=SYSTEM, project=p, summary="已完成", completed_on=dt.date(2024, 6, 1), photos=[png()]
        )
    if status == "cancelled":
        services.project_cancel(actor=SYSTEM, project=p, reason="计划调整")
    p.refresh_from_db()
    return p
