"""The one place that answers "may this user see or change this object?".

Every selector, view and API endpoint asks a :class:`Scope`. A scope is built once per user and
request from the user's role assignments: region roles (区/街道管理员, 社区管理员) cover a node of
the region tree and everything below it; the liaison role covers one organisation. Self-service
roles (resident, rider, volunteer) cover nothing beyond their own records.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import F, Model, Q, QuerySet
from django.http import Http404

from .actors import SYSTEM, Viewer
from .models import SELF_SERVICE_ROLES, Role, User

# The filters return the queryset type they were given (a RegionQuerySet stays one).
_QS = TypeVar("_QS", bound="QuerySet[Any, Any]")
_M = TypeVar("_M", bound=Model)


@dataclass
class Scope:
    user: Viewer
    is_superuser: bool = False
    region_nodes: list[Any] = field(default_factory=list)
    org_ids: set[int] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)

    # ---- questions about the person -------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @property
    def is_region_admin(self) -> bool:
        return Role.REGION_ADMIN in self.roles

    @property
    def is_community_staff(self) -> bool:
        return Role.COMMUNITY_STAFF in self.roles

    @property
    def is_staff_like(self) -> bool:
        """True for anyone who runs a region: admins and community staff (and superusers)."""
        return self.is_superuser or bool(self.region_nodes)

    @property
    def is_liaison(self) -> bool:
        return bool(self.org_ids)

    @property
    def is_self_service(self) -> bool:
        """Residents, riders and volunteers (and logged-in people with no role yet): they post and
        follow their own needs and read their community's public board."""
        if not self.is_authenticated:
            return False
        return bool(self.roles & SELF_SERVICE_ROLES) or not (self.is_staff_like or self.is_liaison)

    @property
    def home_community(self) -> Any:
        """The community a resident, rider or volunteer belongs to (their role's region), or None."""
        for a in self._assignments():
            if a.role in SELF_SERVICE_ROLES and a.region_id and a.region.is_community:
                return a.region
        return None

    # ---- regions -------------------------------------------------------------------------
    def region_q(self, prefix: str = "") -> Q:
        """Q matching a Region (reached through *prefix*) that lies in this scope."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
        for node in self.region_nodes:
            q |= node.subtree_q(node, prefix=prefix)  # the Region model's own subtree rule
        return q

    def covers_region(self, region: Any) -> bool:
        if region is None:
            return False
        return self.is_superuser or any(region.is_under(node) for node in self.region_nodes)

    def filter_regions(self, qs: _QS) -> _QS:
        if self.is_superuser:
            return qs
        if not self.region_nodes:
            return qs.none()
        return qs.filter(self.region_q())

    def can_manage_region_children(self, region: Any) -> bool:
        """Admins may add nodes below a node in their scope; community staff may not."""
        if self.is_superuser:
            return True
        return any(region.is_under(node) for node in self.admin_nodes())

    def admin_nodes(self) -> list[Any]:
        """The region nodes this user administers (区/街道管理员), not those they staff."""
        return [a.region for a in self._assignments() if a.role == Role.REGION_ADMIN and a.region_id]

    # ---- any model with a scope hook ----------------------------------------------------------
    def filter(self, qs: _QS) -> _QS:
        """The rows of *qs* in this scope, by the model's own ``scope_q(scope)`` hook."""
        if self.is_superuser:
            return qs
        return qs.filter(qs.model.scope_q(self))

    def filter_organisations(self, qs: _QS) -> _QS:
        """Organisations in this scope (the Organisation model's ``scope_q`` rule)."""
        return self.filter(qs)

    def filter_scoped(self, qs: _QS, *, region: str | None = None,
                      organisation: str | None = None) -> _QS:
        """Filter any model by the path to its region and/or to its organisation.

        Domain apps use this for their own rows, e.g. ``filter_scoped(needs, region="community")``.
        """
        if self.is_superuser:
            return qs
        q = Q(pk__in=[])
        if region and self.region_nodes:
            q |= self.region_q(prefix=f"{region}__")
        if organisation and self.org_ids:
            q |= Q(**{f"{organisation}_id__in": sorted(self.org_ids)})
        return qs.filter(q)

    # ---- single objects ---------------------------------------------------------------------
    def can_view(self, obj: Model) -> bool:
        return self._check(obj, write=False)

    def can_change(self, obj: Model) -> bool:
        return self._check(obj, write=True)

    def _check(self, obj: Model, *, write: bool) -> bool:
        """Superusers may do anything; otherwise the object's model answers through its own
        ``scope_check(scope, write=...)`` hook, and a model without one is out of scope."""
        if self.is_superuser:
            return True
        checker = getattr(obj, "scope_check", None)
        if checker is not None:
            return bool(checker(self, write=write))
        return False

    # ---- internals ---------------------------------------------------------------------------
    def _assignments(self) -> list[Any]:
        return list(getattr(self, "_cached_assignments", []))




# Role assignments (with their regions) remembered across requests in this process, by person and
# ``User.scope_version``: otherwise every request of a logged-in person reads them again. Any change
# of a person's assignments raises the version in its own transaction (``roles_changed``), so a
# remembered list is never used after a change; the age limit only refreshes the region names a
# remembered scope shows (the home community). The objects are shared: read them, never change them.
_REMEMBERED: dict[tuple[Any, ...], tuple[float, list[Any]]] = {}
_REMEMBER_LIMIT = 4096
_REMEMBER_SECONDS = 300.0


def get_scope(user: Viewer) -> Scope:
    """Return (and cache on the user object) the scope of *user*."""
    if user is SYSTEM:
        return Scope(user=user, is_superuser=True)
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope(user=user)
    if not isinstance(user, User):
        return Scope(user=user)
    cached: Scope | None = getattr(user, "_lianjian_scope", None)
    if cached is not None:
        return cached
    assignments = _assignments_of(user)
    scope = Scope(
        user=user,
        is_superuser=bool(user.is_superuser),
        region_nodes=[a.region for a in assignments if a.region_id and a.role in (
            Role.REGION_ADMIN, Role.COMMUNITY_STAFF)],
        org_ids={a.organisation_id for a in assignments if a.role == Role.LIAISON and a.organisation_id},
        roles={a.role for a in assignments},
    )
    scope._cached_assignments = assignments  # type: ignore[attr-defined]
    user._lianjian_scope = scope  # type: ignore[attr-defined]
    return scope


def _assignments_of(user: User) -> list[Any]:
    # date_joined tells apart two people given the same id (a restored backup, a rolled-back test).
    key = (user.pk, user.scope_version, user.date_joined)
    now = time.monotonic()
    remembered = _REMEMBERED.get(key)
    if remembered is not None and now - remembered[0] < _REMEMBER_SECONDS:
        return remembered[1]
    # Regions are needed as objects (subtree rules); organisations only by id.
    assignments = list(user.roles.select_related("region"))
    if len(_REMEMBERED) >= _REMEMBER_LIMIT:
        _REMEMBERED.clear()
    _REMEMBERED[key] = (now, assignments)
    return assignments


def forget_scope(user: Viewer) -> None:
    """Drop the cached scope after the user's roles changed."""
    if user is not None and hasattr(user, "_lianjian_scope"):
        delattr(user, "_lianjian_scope")
    _forget_pk(getattr(user, "pk", None))


def roles_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A role assignment was saved or deleted: raise its person's ``scope_version`` in the same
    transaction, so no process uses a scope remembered from before (``post_save``/``post_delete``
    of RoleAssignment; a bulk write that skips signals must call this itself)."""
    User.objects.filter(pk=instance.user_id).update(scope_version=F("scope_version") + 1)
    person = instance._state.fields_cache.get("user")
    if person is not None:
        try:
            person.refresh_from_db(fields=["scope_version"])
        except User.DoesNotExist:  # the person is being deleted with their roles
            person = None
    if person is not None:
        forget_scope(person)  # the in-memory person's scope, and what this process remembered for them
    else:
        _forget_pk(instance.user_id)


def _forget_pk(pk: Any) -> None:
    # list() copies the keys in one step: another thread may add or clear entries meanwhile.
    for key in [k for k in list(_REMEMBERED) if k[0] == pk]:
        _REMEMBERED.pop(key, None)


def require_access(user: Viewer, obj: _M, *, change: bool = False) -> _M:
    """*obj* if *user* may see it (and, with ``change=True``, change it).

    The one rule behind every ``<object>_for(user, pk, change=…)`` access function: an object out
    of sight is ``Http404`` (its existence is not revealed); one in sight that the user may not
    change is ``PermissionDenied``.
    """
    scope = get_scope(user)
    if not scope.can_view(obj):
        raise Http404
    if change and not scope.can_change(obj):
        raise PermissionDenied
    return obj
