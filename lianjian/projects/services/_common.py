"""What the project services share: permission checks, locking, notification targets and
number parsing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor
from lianjian.accounts.models import Role, RoleAssignment
from lianjian.accounts.permissions import get_scope
from lianjian.core.images import PreparedPhoto, check_photos, delete_files, store_photo
from lianjian.notifications.services import notify
from lianjian.orgs.models import Organisation, Partnership
from lianjian.orgs.selectors import is_active_partner

from ..models import ProgressPhoto, ProgressUpdate, Project
from ..rules import may_manage, may_report

UPDATE_FIELDS = [
    "title",
    "description",
    "category",
    "plan",
    "budget",
    "material_value",
    "start_date",
    "end_date",
]
MAX_PHOTOS = 9


# ---- permissions ------------------------------------------------------------------------------
def _require_view(actor: Actor, project: Project) -> Any:
    scope = get_scope(actor)
    if not scope.can_view(project):
        raise PermissionDenied
    return scope


def _require_manage(actor: Actor, project: Project) -> Any:
    """Plan, milestones, start and completion: community staff or the lead unit's liaison."""
    scope = get_scope(actor)
    if not may_manage(scope, project):
        raise PermissionDenied
    return scope


def _require_report(actor: Actor, project: Project) -> Any:
    """Progress reports: community staff or a liaison of any participating unit."""
    scope = get_scope(actor)
    if not may_report(scope, project):
        raise PermissionDenied
    return scope


def _lock(project: Project) -> Project:
    """Re-read *project* under a row lock so status changes do not interleave."""
    return Project.objects.select_for_update().select_related("community").get(pk=project.pk)


def _require_open(project: Project) -> None:
    if not project.is_open:
        raise ValidationError(
            {"status": _("项目已%(status)s，不能再修改。") % {"status": project.get_status_display()}}
        )


# ---- notifications ----------------------------------------------------------------------------
def _notify(*, recipients: Iterable[Any], text: str, url: str, kind: str) -> None:
    """In-app notification; ``notify`` itself waits for the commit, so a rollback stays silent."""

    notify(recipients=[u for u in recipients if u is not None], text=text, url=url, kind=kind)


def project_staff(project: Project) -> list[Any]:
    """The community staff of the project's community."""
    return [
        a.user
        for a in RoleAssignment.objects.filter(
            role=Role.COMMUNITY_STAFF, region_id=project.community_id
        ).select_related("user")
    ]


def project_lead_liaison(project: Project) -> Any:
    partnership = (
        Partnership.objects.filter(community_id=project.community_id, organisation_id=project.lead_org_id)
        .select_related("liaison")
        .first()
    )
    return partnership.liaison if partnership else None


# ---- validation helpers -----------------------------------------------------------------------
def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请输入数字。")}) from None
    if number < 0 or not number.is_finite():
        raise ValidationError({field: _("不能小于 0。")})
    return number


def _count(value: Any, field: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError({field: _("请输入整数。")}) from None
    if number < 0:
        raise ValidationError({field: _("不能小于 0。")})
    return number


def _check_photos(photos: Sequence[Any]) -> list[PreparedPhoto]:
    """Check every photo by its content and build its copies, before anything is written."""
    return check_photos(photos, field="photos", max_files=MAX_PHOTOS)


def _save_photos(update: ProgressUpdate, photos: Sequence[PreparedPhoto]) -> None:
    """Store each photo under its random name with its public copy and thumbnail."""
    for photo in photos:
        row = ProgressPhoto(update=update, caption=photo.caption)
        try:
            store_photo(row, photo)
            row.save()
        except Exception:
            delete_files(row)
            raise


def _check_liaison_partner(organisation: Organisation, community: Any, field: str = "lead_org") -> None:
    """Every unit of a project is an ACTIVE joint unit of the project's community."""

    if not is_active_partner(organisation, community):
        raise ValidationError({field: _("“%(name)s”不是本社区的联建单位。") % {"name": organisation.name}})
