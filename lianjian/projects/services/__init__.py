"""Writes to joint projects: creation (from claims or directly), milestones, progress,
completion, cancellation and residents' ratings — one module per topic, re-exported here so
callers keep writing ``from lianjian.projects.services import project_create``.

Every function here is the one place its state change happens; views, the API, commands,
the demo and tests all call it. Counters on :class:`Project` change only with ``F()``
expressions, so simultaneous progress reports and ratings never lose a count.
"""

from ._common import MAX_PHOTOS, UPDATE_FIELDS, project_lead_liaison, project_staff
from .completed_units import completed_unit_counts, completed_units_rebuild
from .lifecycle import (
    project_add_unit,
    project_cancel,
    project_complete,
    project_create,
    project_create_from_claims,
    project_start,
    project_update,
)
from .milestones import milestone_add, milestone_done, milestones_flag_overdue
from .progress import progress_add
from .ratings import AnonymousRater, device_hash_for, rating_add

__all__ = [
    "MAX_PHOTOS", "UPDATE_FIELDS", "AnonymousRater", "completed_unit_counts", "completed_units_rebuild",
    "device_hash_for", "milestone_add", "milestone_done", "milestones_flag_overdue", "progress_add",
    "project_add_unit", "project_cancel", "project_complete", "project_create", "project_create_from_claims",
    "project_lead_liaison", "project_staff", "project_start", "project_update", "rating_add",
]
