"""The anonymous rater's device: a server-signed cookie that lets one browser rate a project once.

Used by the public board's rating page and by the rating API alike.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse

DEVICE_COOKIE = "lj_device"
DEVICE_SALT = "lianjian.rating.device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600


def rating_device(request: HttpRequest) -> tuple[str, bool]:
    """The browser's device id from the server-signed cookie, or a new one (and True) — never a
    value the client chose."""
    cookie = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    if cookie:
        return str(cookie), False
    return secrets.token_urlsafe(16), True


def remember_device(request: HttpRequest, response: HttpResponse, device_id: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        device_id,
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
