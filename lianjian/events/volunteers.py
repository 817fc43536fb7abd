"""Volunteer posts (志愿岗位): shifts with a headcount, sign-up, check-in/out and verified hours.

A post's ``filled`` changes only with a conditional UPDATE (``filled < headcount``) whose row
count is checked, backed by a check constraint, so simultaneous sign-ups never overfill a post.
A volunteer never holds two overlapping shifts; hours are verified from the check-in and check-out
times, clipped to the shift; self-reported hours count only once staff approve them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, Viewer, require_person
from lianjian.accounts.models import Role, RoleAssignment
from lianjian.core.activity import record_activity, snapshot
from lianjian.core.domain_events import emit, volunteer_hours_verified
from lianjian.notifications.services import notify

from .models import Event, HoursStatus, SignupStatus, VolunteerPost, VolunteerSignup
from .services import may_run

POST_FIELDS = ["role", "title", "place", "km", "headcount", "starts_at", "ends_at"]
# A volunteer may report at the post from this long before the shift starts.
EARLY_CHECK_IN = dt.timedelta(minutes=30)
# Posts still short this long before the event are reported to the event's staff.
SHORT_NOTICE = dt.timedelta(days=2)


@transaction.atomic
def post_create(*, actor: Actor, event: Event, **data: Any) -> VolunteerPost:
    """Add a post to an event the actor runs; its shift lies within a day of the event."""
    if not may_run(actor, event):
        raise PermissionDenied
    unknown = set(data) - set(POST_FIELDS)
    if unknown:
        raise TypeError(f"unknown post fields: {sorted(unknown)}")
    post = VolunteerPost(event=event, **data)
    post.full_clean()
    if post.ends_at <= post.starts_at:
        raise ValidationError({"ends_at": _("下岗时间须晚于上岗时间。")})
    margin = dt.timedelta(days=1)
    if post.starts_at < event.starts_at - margin or post.ends_at > event.ends_at + margin:
        raise ValidationError({"starts_at": _("岗位时间须在活动前后一天之内。")})
    post.save()
    record_activity(actor=actor, action="create", obj=post, changes=snapshot(post, ["title", "headcount", "km"]))
    return post


def signup_create(*, actor: Actor, post: VolunteerPost, now: dt.datetime | None = None) -> VolunteerSignup:
    """A volunteer signs up for a shift: not after it ended, not overlapping another, not over headcount."""
    person = require_person(actor)
    now = now or timezone.now()
    if post.ends_at <= now:
        raise ValidationError(_("该岗位的班次已结束。"))
    if post.event.status != "open":
        raise ValidationError(_("活动已取消。"))
    try:
        with transaction.atomic():
            clash = VolunteerSignup.objects.select_related("post").filter(
                user=person, status=SignupStatus.SIGNED, post__starts_at__lt=post.ends_at,
                post__ends_at__gt=post.starts_at).first()
            if clash is not None:
                if clash.post_id == post.pk:
                    raise ValidationError(_("您已报名该岗位。"))
                raise ValidationError(_("与您已报名的“%(title)s”（%(start)s–%(end)s）时间重叠。") % {
                    "title": clash.post.title,
                    "start": timezone.localtime(clash.post.starts_at).strftime("%m-%d %H:%M"),
                    "end": timezone.localtime(clash.post.ends_at).strftime("%H:%M")})
            if VolunteerPost.objects.filter(pk=post.pk, filled__lt=F("headcount")).update(
                    filled=F("filled") + 1) != 1:
                raise ValidationError(_("该岗位人数已满。"))
            signup = VolunteerSignup.objects.create(post=post, user=person)
            record_activity(actor=actor, action="volunteer_signup", obj=signup,
                            changes={"post": [None, post.title]})
    except IntegrityError as exc:
        raise ValidationError(_("您已报名该岗位。")) from exc
    return signup


@transaction.atomic
def signup_cancel(*, actor: Actor, signup: VolunteerSignup) -> VolunteerSignup:
    if signup.user_id != getattr(actor, "pk", None) and not may_run(actor, signup.post.event):
        raise PermissionDenied
    if signup.checked_in_at:
        raise ValidationError(_("已到岗的报名不能取消。"))
    if VolunteerSignup.objects.filter(pk=signup.pk, status=SignupStatus.SIGNED).update(
            status=SignupStatus.CANCELLED) != 1:
        raise ValidationError(_("该报名已取消。"))
    VolunteerPost.objects.filter(pk=signup.post_id).update(filled=F("filled") - 1)
    signup.status = SignupStatus.CANCELLED
    record_activity(actor=actor, action="volunteer_cancel", obj=signup,
                    changes={"status": [SignupStatus.SIGNED, SignupStatus.CANCELLED]})
    return signup


def _require_own_or_staff(actor: Viewer, signup: VolunteerSignup) -> None:
    if signup.user_id != getattr(actor, "pk", None) and not may_run(actor, signup.post.event):
        raise PermissionDenied


@transaction.atomic
def signup_check_in(*, actor: Actor, signup: VolunteerSignup, now: dt.datetime | None = None) -> VolunteerSignup:
    """Report at the post (the volunteer on their phone, or staff for them) during the shift."""
    _require_own_or_staff(actor, signup)
    now = now or timezone.now()
    post = signup.post
    if signup.status != SignupStatus.SIGNED:
        raise ValidationError(_("该报名已取消。"))
    if now < post.starts_at - EARLY_CHECK_IN or now > post.ends_at:
        raise ValidationError(_("只能在班次开始前 30 分钟至班次结束之间到岗签到。"))
    if VolunteerSignup.objects.filter(pk=signup.pk, checked_in_at__isnull=True).update(checked_in_at=now) != 1:
        raise ValidationError(_("已到岗签到。"))
    signup.checked_in_at = now
    record_activity(actor=actor, action="volunteer_check_in", obj=signup, changes={"checked_in_at": [None, str(now)]})
    return signup


def verified_minutes(signup: VolunteerSignup, out: dt.datetime) -> int:
    """Minutes at the post, clipped to the shift: early arrival or staying late does not count."""
    post = signup.post
    start = max(signup.checked_in_at or post.starts_at, post.starts_at)
    end = min(out, post.ends_at)
    return max(int((end - start).total_seconds() // 60), 0)


@transaction.atomic
def signup_check_out(*, actor: Actor, signup: VolunteerSignup, now: dt.datetime | None = None) -> VolunteerSignup:
    _require_own_or_staff(actor, signup)
    now = now or timezone.now()
    if not signup.checked_in_at:
        raise ValidationError(_("请先到岗签到。"))
    minutes = verified_minutes(signup, now)
    if VolunteerSignup.objects.filter(pk=signup.pk, checked_out_at__isnull=True).update(
            checked_out_at=now, verified_minutes=minutes) != 1:
        raise ValidationError(_("已离岗签退。"))
    signup.checked_out_at, signup.verified_minutes = now, minutes
    record_activity(actor=actor, action="volunteer_check_out", obj=signup,
                    changes={"verified_minutes": [0, minutes]})
    _hours_verified(signup, key=f"events.hours:{signup.pk}", minutes=minutes, at=now)
    return signup


@transaction.atomic
def hours_report(*, actor: Actor, signup: VolunteerSignup, minutes: int, note: str) -> VolunteerSignup:
    """A volunteer reports time that the post could not see (cooking at home); staff decide."""
    if signup.user_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if not 1 <= minutes <= 24 * 60:
        raise ValidationError({"minutes": _("自报时长须在 1 分钟到 24 小时之间。")})
    if signup.hours_status == HoursStatus.APPROVED:
        raise ValidationError(_("自报时长已认定，不能修改。"))
    signup.reported_minutes, signup.reported_note = minutes, (note or "").strip()[:200]
    signup.hours_status = HoursStatus.PENDING
    signup.save(update_fields=["reported_minutes", "reported_note", "hours_status"])
    record_activity(actor=actor, action="hours_report", obj=signup, changes={"reported_minutes": [None, minutes]})
    return signup


@transaction.atomic
def hours_decide(*, actor: Actor, signup: VolunteerSignup, approve: bool) -> VolunteerSignup:
    if not may_run(actor, signup.post.event):
        raise PermissionDenied
    status = HoursStatus.APPROVED if approve else HoursStatus.REJECTED
    if VolunteerSignup.objects.filter(pk=signup.pk, hours_status=HoursStatus.PENDING).update(
            hours_status=status, hours_decided_by=actor) != 1:
        raise ValidationError(_("没有待审核的自报时长。"))
    signup.hours_status = status
    record_activity(actor=actor, action="hours_approve" if approve else "hours_reject", obj=signup,
                    changes={"hours_status": [HoursStatus.PENDING, status]})
    if approve:
        _hours_verified(signup, key=f"events.reported_hours:{signup.pk}", minutes=signup.reported_minutes or 0,
                        at=timezone.now())
    return signup


def _hours_verified(signup: VolunteerSignup, *, key: str, minutes: int, at: dt.datetime) -> None:
    """Tell other apps (points) that hours were verified; one activity per event, for per-activity caps."""
    if minutes <= 0:
        return
    event = signup.post.event
    emit(volunteer_hours_verified, source_key=key, person=signup.user, community=event.region, occurred_at=at,
         minutes=minutes, activity_key=f"events.event:{event.pk}", title=event.title)


def notify_short_posts(*, now: dt.datetime | None = None) -> int:
    """Tell each event's staff, once, about posts still short of people two days before. Idempotent."""


    now = now or timezone.now()
    due = VolunteerPost.objects.select_related("event__region").filter(
        filled__lt=F("headcount"), short_notice_sent_at__isnull=True, starts_at__gt=now,
        event__starts_at__lte=now + SHORT_NOTICE, event__status="open")
    told = 0
    for post in due:
        with transaction.atomic():
            if VolunteerPost.objects.filter(pk=post.pk, short_notice_sent_at__isnull=True).update(
                    short_notice_sent_at=now) != 1:
                continue
            staff = RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, region=post.event.region).values_list(
                "user_id", flat=True)
            notify(recipients=list(staff), url=post.event.get_absolute_url(),
                   text=_("“%(event)s”的岗位“%(post)s”还差 %(n)s 人。") % {
                       "event": post.event.title, "post": post.title, "n": post.missing})
            told += 1
    return told
