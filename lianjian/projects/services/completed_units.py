"""The completed-units summary (CompletedUnit) the district dashboard reads."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F

from lianjian.accounts.actors import Actor
from lianjian.accounts.permissions import get_scope

from ..models import CompletedUnit, ProjectStatus, ProjectUnit


# ---- the completed-units summary (analytics) ------------------------------------------------------
def _count_completed_units(*, community_id: int, year: int, org_ids: Iterable[int]) -> None:
    """One more completed project for each unit of *org_ids* in (community, year) of the summary.

    Called inside the transaction that completes the project or adds a unit to a completed one.
    The increment is an ``F()`` UPDATE by key; a missing row is created in a savepoint, and if a
    concurrent transaction created it first the UPDATE is simply retried.
    """
    for org_id in org_ids:
        key = {"community_id": community_id, "year": year, "organisation_id": org_id}
        while not CompletedUnit.objects.filter(**key).update(projects=F("projects") + 1):
            try:
                with transaction.atomic():
                    CompletedUnit.objects.create(**key, projects=1)
                break
            except IntegrityError:
                continue  # created meanwhile by another transaction: add to it


def completed_unit_counts() -> dict[tuple[int, int, int], int]:
    """(community, year, unit) → number of completed projects, counted from the projects' rows."""
    return {
        (r["project__community_id"], r["project__year"], r["organisation_id"]): r["n"]
        for r in ProjectUnit.objects.filter(project__status=ProjectStatus.COMPLETED)
        .order_by()
        .values("project__community_id", "project__year", "organisation_id")
        .annotate(n=Count("id"))
    }


@transaction.atomic
def completed_units_rebuild(*, actor: Actor) -> tuple[int, int]:
    """Recount the completed-units summary from Project/ProjectUnit (``lianjian rebuild_stats``).

    Needed after rows were written around the services (bulk loads, the bench generators).
    Idempotent. On PostgreSQL the summary table is locked first, so a completion running at the
    same time either finishes before the recount (and is in it) or waits and adds itself after;
    on SQLite every write transaction is already exclusive (IMMEDIATE). Returns (rows, rows that
    were wrong or missing); a second run right after changes nothing.
    """
    if not get_scope(actor).is_superuser:
        raise PermissionDenied
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {CompletedUnit._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    want = completed_unit_counts()
    have = {
        (c, y, o): n
        for c, y, o, n in CompletedUnit.objects.values_list("community_id", "year", "organisation_id", "projects")
    }
    changed = sum(1 for key in want.keys() | have.keys() if want.get(key) != have.get(key))
    if changed:
        CompletedUnit.objects.all().delete()
        CompletedUnit.objects.bulk_create(
            [CompletedUnit(community_id=c, year=y, organisation_id=o, projects=n) for (c, y, o), n in want.items()],
            batch_size=2000,
        )
    return len(want), changed
