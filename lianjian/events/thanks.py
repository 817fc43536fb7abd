"""Pledges (认捐) and recognition (表扬): who gave what to an event, and who was praised.

Pledged vs delivered is counted from the rows; the public thank-you list shows names the
pledgers gave (a resident's own "刁嬢嬢", a merchant's shop name) and never phone numbers.
A certificate is a one-page PDF with the CJK font embedded, numbered per event.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of
from lianjian.core.activity import record_activity, snapshot
from lianjian.core.fonts import font_face_css
from lianjian.core.images import check_photos, delete_files, store_photo
from lianjian.core.qr import qr_png
from lianjian.orgs.models import Organisation, Partnership

from .models import Event, EventPhoto, Pledge, PledgeStatus, Recognition, Registration
from .services import may_run


def _require_staff(actor: Actor, event: Event) -> None:
    if not may_run(actor, event):
        raise PermissionDenied


def _check_unit(event: Event, organisation: Organisation | None) -> None:
    """A merchant or unit named on a pledge must work with the organising region."""
    if organisation is None:
        return
    ok = Partnership.objects.filter(organisation=organisation).filter(
        Q(community=event.region) | Q(community__parent=event.region)).exists()
    if not ok and organisation.region_id != event.region_id:
        raise ValidationError({"organisation": _("该单位不是主办社区/街道的联建单位。")})


@transaction.atomic
def pledge_create(*, actor: Actor, event: Event, item: str, quantity: int, unit: str, pledger_kind: str,
                  pledger_name: str, organisation: Organisation | None = None, user: Any = None) -> Pledge:
    """Staff record a pledge ("红烧肉 1 盆 — 刁嬢嬢"); a merchant's pledge may name its unit."""
    _require_staff(actor, event)
    _check_unit(event, organisation)
    pledge = Pledge(event=event, item=(item or "").strip(), quantity=quantity, unit=(unit or "").strip() or "份",
                    pledger_kind=pledger_kind, pledger_name=(pledger_name or "").strip(), organisation=organisation,
                    user=user)
    pledge.full_clean()
    pledge.save()
    record_activity(actor=actor, action="pledge", obj=event,
                    changes=snapshot(pledge, ["item", "quantity", "unit", "pledger_name"]))
    return pledge


@transaction.atomic
def pledge_set_status(*, actor: Actor, pledge: Pledge, status: str) -> Pledge:
    _require_staff(actor, pledge.event)
    if status not in PledgeStatus.values:
        raise ValidationError({"status": _("状态不正确。")})
    before = pledge.status
    if before == status:
        return pledge
    pledge.status = status
    pledge.delivered_at = timezone.now() if status == PledgeStatus.DELIVERED else None
    pledge.save(update_fields=["status", "delivered_at"])
    record_activity(actor=actor, action="pledge_status", obj=pledge.event,
                    changes={"status": [before, status]}, note=str(pledge)[:200])
    return pledge


@dataclass
class PledgeFigures:
    goal: int
    goal_unit: str
    pledged: int  # pledges (not cancelled)
    delivered: int
    by_kind: dict[str, int]  # pledges per pledger kind (not cancelled)

    @property
    def missing(self) -> int:
        return max(self.goal - self.pledged, 0)


def pledge_figures(*, event: Event) -> PledgeFigures:
    live = Q(status__in=[PledgeStatus.PLEDGED, PledgeStatus.DELIVERED])
    agg = event.pledges.aggregate(
        pledged=Count("id", filter=live), delivered=Count("id", filter=Q(status=PledgeStatus.DELIVERED)))
    by_kind = dict(event.pledges.filter(live).values_list("pledger_kind").annotate(n=Count("id")).values_list(
        "pledger_kind", "n"))
    return PledgeFigures(goal=event.pledge_goal, goal_unit=event.pledge_goal_unit, by_kind=by_kind, **agg)


def thank_you_list(*, event: Event) -> list[Pledge]:
    """Everyone to thank, merchants and units grouped after residents, in the order they pledged."""
    return list(event.pledges.filter(status__in=[PledgeStatus.PLEDGED, PledgeStatus.DELIVERED])
                .select_related("organisation").order_by("pledger_kind", "id"))


def pledged_quantity(*, event: Event) -> int:
    return event.pledges.exclude(status=PledgeStatus.CANCELLED).aggregate(n=Sum("quantity", default=0))["n"]


# ---- recognition -------------------------------------------------------------------------------

@transaction.atomic
def recognition_create(*, actor: Actor, event: Event, name: str = "", reason: str, affiliation: str = "",
                       gift: str = "", user: Any = None, registration: Registration | None = None) -> Recognition:
    """Praise a person at an event; each gets a numbered certificate (e.g. E12-0001). Naming one of
    the event's registrations links the praise to that person's account, where they see it."""
    _require_staff(actor, event)
    if registration is not None:
        if registration.event_id != event.pk:
            raise ValidationError({"registration": _("该报名不属于本活动。")})
        name, user = name or registration.name, user or registration.user
    Event.objects.select_for_update().get(pk=event.pk)  # numbers are drawn one at a time per event
    count = Recognition.objects.filter(event=event).count()
    number = f"E{event.pk}-{count + 1:04d}"
    rec = Recognition(event=event, name=(name or "").strip(), reason=(reason or "").strip(),
                      affiliation=(affiliation or "").strip(), gift=(gift or "").strip(), user=user, number=number,
                      created_by=person_of(actor))
    rec.full_clean()
    rec.save()
    record_activity(actor=actor, action="recognise", obj=event, changes=snapshot(rec, ["name", "reason", "gift"]))
    return rec


MAX_EVENT_PHOTOS = 30


@transaction.atomic
def event_photos_add(*, actor: Actor, event: Event, photos: list[Any], caption: str = "") -> list[EventPhoto]:
    """Staff add photos of the event; each is checked by its content and gets public copies
    (EXIF and location removed) for the event's public page."""
    _require_staff(actor, event)
    checked = check_photos(photos, field="photos")
    if not checked:
        raise ValidationError({"photos": _("请选择照片。")})
    if event.photos.count() + len(checked) > MAX_EVENT_PHOTOS:
        raise ValidationError({"photos": _("最多上传 %(n)d 张照片。") % {"n": MAX_EVENT_PHOTOS}})
    rows = []
    for prepared in checked:
        row = EventPhoto(event=event, caption=(caption or prepared.caption or "").strip()[:100],
                         uploaded_by=person_of(actor))
        try:
            store_photo(row, prepared)
            row.full_clean(exclude=["uploaded_by"])
            row.save()
        except Exception:
            delete_files(row)
            raise
        rows.append(row)
    record_activity(actor=actor, action="add_photo", obj=event, changes={"photos": [None, len(rows)]})
    return rows


def poster_pdf(event: Event, url: str) -> bytes:
    """An A4 poster: title, time and place, and the QR code leading to the event's page."""
    from weasyprint import HTML  # loads Pango through ctypes: only where a PDF is really made

    html = render_to_string("events/poster.html", {
        "event": event, "url": url, "font_face": font_face_css(),
        "qr": "data:image/png;base64," + base64.b64encode(qr_png(url)).decode()})
    return HTML(string=html, base_url="/").write_pdf()


def certificate_pdf(recognition: Recognition) -> bytes:
    """A one-page A5 landscape certificate with the CJK font embedded."""
    from weasyprint import HTML  # loads Pango through ctypes: only where a PDF is really made

    html = render_to_string("events/certificate.html", {
        "r": recognition, "event": recognition.event, "font_face": font_face_css(),
        "issued": timezone.localtime(recognition.created_at).date()})
    return HTML(string=html, base_url="/").write_pdf()


