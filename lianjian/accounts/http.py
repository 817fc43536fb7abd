"""Request types for views that only run for a logged-in user.

``HttpRequest.user`` is ``User | AnonymousUser``. Behind ``@login_required`` (pages) and the API's
default authentication (token or session) it is always the project's :class:`User`; annotate
such views with :class:`AuthenticatedHttpRequest` so the type checker knows it too.
"""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
