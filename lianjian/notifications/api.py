from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.api.errors import ERROR_RESPONSES
from lianjian.api.pagination import Pages

from . import selectors, services

router = Router()


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    is_read: bool
    created_at: datetime


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get("", response=list[NotificationOut], summary="The caller's notifications, newest first")
@paginate(Pages, page_size=30)
def list_notifications(request: HttpRequest, unread_only: bool = False) -> Any:
    return selectors.notification_list(user=request.user, unread_only=unread_only)


@router.get("/unread-count", response=UnreadOut, summary="Number of unread notifications (the bell)")
def unread(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(user=request.user)}


@router.post("/{id:notification_id}/read", response={200: NotificationOut, **ERROR_RESPONSES})
def read(request: AuthenticatedHttpRequest, notification_id: int) -> Any:
    notification = selectors.notification_get(user=request.user, pk=notification_id)
    return services.notification_mark_read(actor=request.user, notification=notification)


@router.post("/read-all", response={200: MarkedOut, **ERROR_RESPONSES})
def read_all(request: AuthenticatedHttpRequest) -> dict[str, int]:
    return {"marked": services.notification_mark_all_read(actor=request.user)}
