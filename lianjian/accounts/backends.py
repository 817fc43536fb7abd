from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from lianjian.core.net import client_ip

from . import throttle

LOCKED_FLAG = "_lianjian_login_locked"


class PhoneOrUsernameBackend(ModelBackend):
    """Authenticate with a username or a mobile number (any common spelling) and a password.

    Every ``authenticate()`` call — the site log-in, the admin log-in, anything else — goes through
    the login throttle here: while the account or the client address is locked the password is not
    even checked (``request.<LOCKED_FLAG>`` tells forms to say so), failures are counted against the
    account the identifier resolves to and the address, and a success clears the account's count.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if username is None or password is None:
            return None
        ip = client_ip(request)
        user = throttle.resolve_user(username)
        if throttle.is_locked(username, ip, user=user):
            if request is not None:
                setattr(request, LOCKED_FLAG, True)
            # PermissionDenied stops Django from trying any other backend.
            raise PermissionDenied(throttle.lockout_message())
        if user is None:
            # Run the hasher anyway so a missing user takes as long as a wrong password.
            get_user_model()().set_password(password)
            throttle.register_failure(username, ip)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            throttle.reset(username, user=user)
            return user
        throttle.register_failure(username, ip, user=user)
        return None
