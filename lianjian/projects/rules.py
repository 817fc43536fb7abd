"""Who may do what with a project — the one place these rules are written.

The services enforce them (``services._common._require_*``) and the pages ask
:func:`project_abilities` which buttons to show, so a button is offered exactly when the service
would accept the click.
"""

from __future__ import annotations

from typing import Any

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import Scope, get_scope

from .models import Project, ProjectStatus


def runs(scope: Scope, project: Project) -> bool:
    """Staff (and admins above) of the project's community."""
    return scope.covers_region(project.community)


def may_manage(scope: Scope, project: Project) -> bool:
    """Plan, milestones, start and completion: the community's staff or the lead unit's liaison."""
    return runs(scope, project) or project.lead_org_id in scope.org_ids


def may_report(scope: Scope, project: Project) -> bool:
    """Progress reports: the community's staff or a liaison of any participating unit."""
    return scope.can_change(project)


def project_abilities(user: Viewer, project: Project) -> dict[str, Any]:
    """What *user* may do with *project* now, for the page's buttons."""
    scope = get_scope(user)
    staff = runs(scope, project)
    manage = may_manage(scope, project)
    return {
        "is_staff": staff,
        "can_manage": manage and project.is_open,
        "can_report": may_report(scope, project) and project.is_open,
        "can_cancel": staff and project.is_open,
        "can_edit": manage and project.status != ProjectStatus.CANCELLED,
    }
