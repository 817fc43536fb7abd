"""Reads of events: the one access path per object, lists, counts and the waitlist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from lianjian.accounts.permissions import get_scope
from lianjian.regions.models import Region

from .models import (
    Event,
    EventPhoto,
    EventStatus,
    HoursStatus,
    Pledge,
    Recognition,
    Registration,
    RegistrationStatus,
    SignupStatus,
    VolunteerPost,
    VolunteerSignup,
)


def event_for(user: Any, pk: Any, *, change: bool = False) -> Event:
    """The event *pk* as *user* may see it (404 otherwise); ``change`` also requires running it."""
    try:
        event = Event.objects.select_related("region").get(pk=int(pk))
    except (Event.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None
    scope = get_scope(user)
    if not scope.can_view(event):
        raise Http404
    if change and not scope.can_change(event):
        raise PermissionDenied
    return event


def registration_for(user: Any, event: Event, pk: Any) -> Registration:
    """A registration of *event* that *user* may see: their own, or any for the event's staff."""
    try:
        registration = Registration.objects.select_related("event__region").get(pk=int(pk), event=event)
    except (Registration.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not get_scope(user).can_view(registration):
        raise Http404
    return registration


def event_list(*, user: Any, upcoming_only: bool = False) -> QuerySet[Event]:
    """Events the user runs, plus public ones; newest first."""
    scope = get_scope(user)
    qs = Event.objects.select_related("region")
    if not scope.is_superuser:
        qs = qs.filter(Q(is_public=True) | scope.region_q(prefix="region__"))
    if upcoming_only:
        qs = qs.filter(ends_at__gte=timezone.now(), status=EventStatus.OPEN).order_by("starts_at", "id")
    return qs


def my_registrations(*, user: Any) -> QuerySet[Registration]:
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    return Registration.objects.filter(user=user).select_related("event", "event__region").order_by("-id")


def my_registration(*, user: Any, event: Event) -> Registration | None:
    """The person's active registration for the event, else their latest one."""
    if not getattr(user, "is_authenticated", False):
        return None
    qs = Registration.objects.filter(event=event, user=user).order_by("-id")
    active = qs.filter(status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                                   RegistrationStatus.OFFERED]).first()
    return active or qs.first()


def my_recognitions(*, user: Any) -> list[Recognition]:
    """The praise a person received at events, newest first, with certificates to print."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Recognition.objects.filter(user=user).select_related("event").order_by("-id"))


def registrations_of(*, event: Event, status: str | None = None) -> QuerySet[Registration]:
    """The event's registrations; the waitlist (and every list) in arrival order."""
    qs = Registration.objects.filter(event=event).select_related("checked_in_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


@dataclass
class EventFigures:
    capacity: int
    confirmed: int  # registrations
    confirmed_people: int
    waitlisted: int
    offered: int
    cancelled: int
    checked_in: int
    checked_in_people: int
    no_shows: int
    promoted: int  # waitlisted people who got a place

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed_people - self.offered, 0)


def event_figures(*, event: Event) -> EventFigures:
    """Every count the event page, the scanner and the dashboard show, in one query."""
    c = RegistrationStatus
    agg = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("id", filter=Q(status=c.CONFIRMED)),
        confirmed_people=Sum("party_size", filter=Q(status=c.CONFIRMED), default=0),
        waitlisted=Count("id", filter=Q(status=c.WAITLISTED)),
        offered=Sum("party_size", filter=Q(status=c.OFFERED), default=0),
        cancelled=Count("id", filter=Q(status__in=[c.CANCELLED, c.EXPIRED])),
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        checked_in_people=Sum("party_size", filter=Q(checked_in_at__isnull=False), default=0),
        no_shows=Count("id", filter=Q(no_show=True)),
    )
    promoted = Registration.objects.filter(event=event, promoted_at__isnull=False).count()
    return EventFigures(capacity=event.capacity, promoted=promoted, **agg)


def posts_of(*, event: Event) -> list[VolunteerPost]:
    """The event's volunteer posts in route order (kilometre, then shift)."""
    return list(event.posts.all())


def post_for(user: Any, event: Event, pk: Any) -> VolunteerPost:
    try:
        return VolunteerPost.objects.select_related("event__region").get(pk=int(pk), event=event)
    except (VolunteerPost.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def signup_for(user: Any, event: Event, pk: Any) -> VolunteerSignup:
    """A sign-up of *event* that *user* may see: their own, or any for the event's staff."""
    try:
        signup = VolunteerSignup.objects.select_related("post__event__region", "user").get(
            pk=int(pk), post__event=event)
    except (VolunteerSignup.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not get_scope(user).can_view(signup):
        raise Http404
    return signup


def my_signups(*, user: Any, event: Event) -> list[VolunteerSignup]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(VolunteerSignup.objects.filter(user=user, post__event=event, status=SignupStatus.SIGNED)
                .select_related("post"))


def signups_of(*, event: Event) -> list[VolunteerSignup]:
    return list(VolunteerSignup.objects.filter(post__event=event, status=SignupStatus.SIGNED)
                .select_related("post", "user").order_by("post__km", "post__starts_at", "id"))


def volunteer_figures(*, event: Event) -> dict[str, float]:
    """Volunteers (people), posts short of people, and credited minutes for an event."""
    signed = VolunteerSignup.objects.filter(post__event=event, status=SignupStatus.SIGNED)
    minutes = sum(s.credited_minutes for s in signed.only("verified_minutes", "reported_minutes", "hours_status"))
    return {"volunteers": signed.values("user_id").distinct().count(),
            "short_posts": event.posts.filter(filled__lt=F("headcount")).count(),
            "credited_minutes": minutes, "credited_hours": round(minutes / 60, 1)}


def pledge_for(user: Any, event: Event, pk: Any) -> Pledge:
    try:
        return Pledge.objects.select_related("event__region").get(pk=int(pk), event=event)
    except (Pledge.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def recognition_for(user: Any, event: Event, pk: Any) -> Recognition:
    try:
        rec = Recognition.objects.select_related("event__region").get(pk=int(pk), event=event)
    except (Recognition.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not get_scope(user).can_view(rec):
        raise Http404
    return rec


@dataclass
class RegionEventRow:
    event: Event
    registered: int  # people (party sizes) confirmed
    checked_in: int  # people
    volunteers: int
    volunteer_hours: float
    pledges: int


def region_event_rows(*, region: Any, year: int) -> list[RegionEventRow]:
    """The events held in a region's subtree in a year, with their figures, for dashboards and the
    annual report (a few queries for the whole list, not per event)."""
    events = list(Event.objects.filter(Region.subtree_q(region, prefix="region__"), starts_at__year=year)
                  .exclude(status=EventStatus.CANCELLED).select_related("region").order_by("starts_at"))
    ids = [e.pk for e in events]
    if not ids:
        return []
    people = dict(Registration.objects.filter(event_id__in=ids, status=RegistrationStatus.CONFIRMED)
                  .values_list("event_id").annotate(n=Sum("party_size")).values_list("event_id", "n"))
    came = dict(Registration.objects.filter(event_id__in=ids, checked_in_at__isnull=False)
                .values_list("event_id").annotate(n=Sum("party_size")).values_list("event_id", "n"))
    pledges = dict(Pledge.objects.filter(event_id__in=ids).exclude(status="cancelled")
                   .values_list("event_id").annotate(n=Count("id")).values_list("event_id", "n"))
    signups = VolunteerSignup.objects.filter(post__event_id__in=ids, status=SignupStatus.SIGNED).values_list(
        "post__event_id", "user_id", "verified_minutes", "reported_minutes", "hours_status")
    volunteers: dict[int, set[int]] = {}
    minutes: dict[int, int] = {}
    for event_id, user_id, verified, reported, hours_status in signups:
        volunteers.setdefault(event_id, set()).add(user_id)
        minutes[event_id] = minutes.get(event_id, 0) + verified + (
            (reported or 0) if hours_status == HoursStatus.APPROVED else 0)
    return [RegionEventRow(event=e, registered=people.get(e.pk, 0), checked_in=came.get(e.pk, 0),
                           volunteers=len(volunteers.get(e.pk, ())),
                           volunteer_hours=round(minutes.get(e.pk, 0) / 60, 1), pledges=pledges.get(e.pk, 0))
            for e in events]


def event_photo_get(*, user: Any, pk: Any, original: bool) -> tuple[EventPhoto, bool]:
    """An event photo and whether it is public, or 404: the copies of a public event's photos are
    public; originals (and every photo of a private event) only for people who may see the event
    and, for originals, run it."""
    photo = EventPhoto.objects.select_related("event__region").filter(pk=pk).first()
    if photo is None:
        raise Http404
    if not original and photo.event.is_public:
        return photo, True
    scope = get_scope(user)
    if not scope.can_view(photo.event) or (original and not scope.can_change(photo.event)):
        raise Http404
    return photo, False
