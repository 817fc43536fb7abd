from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class PhoneOrUsernameBackend(ModelBackend):
    """Authenticate with a username or an 11-digit mobile number and a password."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if username is None or password is None:
            return None
        ident = username.strip()
        User = get_user_model()
        try:
            user = User.objects.get(Q(username=ident) | Q(phone=ident))
        except (User.DoesNotExist, User.MultipleObjectsReturned):
            # Run the hasher anyway so a missing user takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
