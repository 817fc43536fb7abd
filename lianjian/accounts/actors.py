"""Who does something: a person (:class:`~lianjian.accounts.models.User`) or the platform itself.

Every service takes ``actor: Actor``; selectors take ``user: Viewer`` (anyone, logged in or not).
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from lianjian.core.activity import person_of

from .models import User


class SystemActor:
    """The actor for changes made by the platform itself (demo loading, scheduled jobs, imports
    of seed data). It may do anything, is nobody's account and is recorded as "system"."""

    is_authenticated = False
    is_superuser = True
    is_active = True
    pk = None

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()

# The one who acts in a service: a person or the platform.
Actor: TypeAlias = User | SystemActor
# The one who reads: additionally anyone not logged in (public pages, the public API).
Viewer: TypeAlias = User | SystemActor | AnonymousUser | None


def require_person(actor: Viewer) -> User:
    """*actor* as a logged-in person, for what only a person can do (sign in at a meeting,
    receive a notification); PermissionDenied for the platform or anyone not logged in."""
    if isinstance(actor, User) and actor.is_authenticated:
        return actor
    raise PermissionDenied


__all__ = ["SYSTEM", "Actor", "SystemActor", "Viewer", "person_of", "require_person"]
