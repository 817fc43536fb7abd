"""Event pages: the list, a page per event with registration, the staff lists and the door scanner."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core import phone_codes
from lianjian.core.images import serve_photo
from lianjian.core.net import client_ip
from lianjian.core.qr import qr_response

from . import selectors, services, thanks, volunteers
from .forms import (
    CancelEventForm,
    CheckInForm,
    EventForm,
    EventPhotosForm,
    HoursReportForm,
    PhoneRegistrationForm,
    PledgeForm,
    PostForm,
    RecognitionForm,
    RegistrationForm,
)
from .models import Event, Registration, RegistrationStatus


def event_list(request: HttpRequest) -> HttpResponse:
    events = selectors.event_list(user=request.user, upcoming_only=request.GET.get("all") != "1")[:100]
    return render(request, "events/list.html", {
        "events": events, "can_create": get_scope(request.user).is_staff_like,
        "mine": selectors.my_registrations(user=request.user)[:20], "show_all": request.GET.get("all") == "1"})


@login_required
def event_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not get_scope(request.user).is_staff_like:
        raise PermissionDenied
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "co_units"}
        try:
            event = services.event_create(actor=request.user, co_units=list(form.cleaned_data["co_units"]), **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("活动已创建。"))
            return redirect(event)
    return render(request, "events/form.html", {"form": form})


def _registration_form(request: HttpRequest, event: Event, *, on_behalf: bool,
                       data: Any = None) -> RegistrationForm:
    ask_phone = not on_behalf and not getattr(request.user, "phone", None)
    return RegistrationForm(data, event=event, on_behalf=on_behalf, ask_phone=ask_phone)


def event_detail(request: HttpRequest, pk: int, extra: dict[str, Any] | None = None) -> HttpResponse:
    event = selectors.event_for(request.user, pk)
    staff = services.may_run(request.user, event)
    mine = selectors.my_registration(user=request.user, event=event)
    closed = services.registration_window_error(event)
    context = {
        "event": event, "is_staff": staff, "mine": mine, "closed_reason": closed,
        "position": services.waitlist_position(mine) if mine else None,
        "form": _registration_form(request, event, on_behalf=False)
        if request.user.is_authenticated and not (mine and mine.is_active) and not closed else None,
        "figures": selectors.event_figures(event=event),
        "co_units": list(event.co_units.order_by("name")),
        "posts": selectors.posts_of(event=event),
        "my_signups": selectors.my_signups(user=request.user, event=event),
        "pledge_figures": thanks.pledge_figures(event=event),
        "thank_you": thanks.thank_you_list(event=event),
        "volunteer_figures": selectors.volunteer_figures(event=event),
        "recognitions": list(event.recognitions.all()) if staff else list(
            event.recognitions.filter(user=request.user)) if request.user.is_authenticated else [],
        "hours_form": HoursReportForm(),
        "photos": list(event.photos.all()),
        "phone_form": PhoneRegistrationForm(event=event) if not request.user.is_authenticated and not closed
        else None,
    }
    if staff:
        context |= {"walkin_form": _registration_form(request, event, on_behalf=True),
                    "post_form": PostForm(), "pledge_form": PledgeForm(event=event), "photos_form": EventPhotosForm(),
                    "recognition_form": RecognitionForm(event=event), "signups": selectors.signups_of(event=event),
                    "cancel_form": CancelEventForm(),
                    "activities": activity_for(user=request.user, obj=event)}
    return render(request, "events/detail.html", context | (extra or {}))


@require_POST
@login_required
def register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk)
    on_behalf = request.POST.get("on_behalf") == "1" and services.may_run(request.user, event)
    form = _registration_form(request, event, on_behalf=on_behalf, data=request.POST)
    if form.is_valid():
        try:
            r = services.registration_create(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if r.status == RegistrationStatus.CONFIRMED:
                messages.success(request, _("报名成功：%(name)s，签到码 %(code)s。") % {"name": r.name, "code": r.code})
            else:
                messages.info(request, _("名额已满，%(name)s 已进入候补，排第 %(n)s 位。") % {
                    "name": r.name, "n": services.waitlist_position(r)})
    else:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, str(text))
    return redirect(event)


def _registration(request: HttpRequest, pk: int, rid: int) -> Registration:
    event = selectors.event_for(request.user, pk)
    return selectors.registration_for(request.user, event, rid)


@require_POST
@login_required
def registration_cancel(request: AuthenticatedHttpRequest, pk: int, rid: int) -> HttpResponse:
    r = _registration(request, pk, rid)
    try:
        services.registration_cancel(actor=request.user, registration=r)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已取消报名。") if r.status == RegistrationStatus.CONFIRMED
                         else _("已取消。"))
    target = request.POST.get("next", "")
    return redirect(target if target.startswith(f"/events/{r.event_id}/") else r.event.get_absolute_url())


@require_POST
@login_required
def offer_accept(request: AuthenticatedHttpRequest, pk: int, rid: int) -> HttpResponse:
    r = _registration(request, pk, rid)
    try:
        services.offer_accept(actor=request.user, registration=r)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已确认参加。"))
    return redirect(r.event)


@login_required
def registration_qr(request: AuthenticatedHttpRequest, pk: int, rid: int) -> HttpResponse:
    """The person's check-in QR code (PNG): it carries the code the door scanner reads."""
    r = _registration(request, pk, rid)
    if r.status != RegistrationStatus.CONFIRMED:
        raise Http404
    return _qr_png(r.code)


def _qr_png(code: str) -> HttpResponse:
    return qr_response(code, fmt="png", filename=f"checkin-{code}")


def event_poster(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A printable poster leading to the event's page: the QR code as PNG, or an A4 PDF with it."""
    event = selectors.event_for(request.user, pk)
    url = request.build_absolute_uri(event.get_absolute_url())
    if fmt == "png":
        return qr_response(url, fmt="png", filename=f"event-{event.pk}-qr")
    if fmt != "pdf":
        raise Http404
    response = HttpResponse(thanks.poster_pdf(event, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="event-{event.pk}-poster.pdf"'
    return response


@login_required
def registrations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk, change=True)
    status = request.GET.get("status") or RegistrationStatus.CONFIRMED
    if status not in RegistrationStatus.values:
        status = RegistrationStatus.CONFIRMED
    rows = list(selectors.registrations_of(event=event, status=status)[:2000])
    return render(request, "events/registrations.html", {
        "event": event, "rows": rows, "status": status, "statuses": RegistrationStatus.choices,
        "figures": selectors.event_figures(event=event)})


@login_required
def registrations_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:


    event = selectors.event_for(request.user, pk, change=True)
    wb = Workbook()
    ws = wb.active
    ws.title = _("报名名单")
    ws.append([_("序号"), _("姓名"), _("手机号"), _("人数"), _("状态"), _("报名时间"), _("签到时间"),
               _("紧急联系人及电话"), _("T恤尺码"), _("饮食禁忌")])
    labels = dict(RegistrationStatus.choices)
    for i, r in enumerate(selectors.registrations_of(event=event).iterator(), start=1):
        ws.append([i, r.name, r.phone, r.party_size, str(labels.get(r.status, r.status)),
                   timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                   timezone.localtime(r.checked_in_at).strftime("%Y-%m-%d %H:%M") if r.checked_in_at else "",
                   r.emergency_contact, r.shirt_size, r.dietary_notes])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-registrations.xlsx"'
    return response


@require_POST
@login_required
def event_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk, change=True)
    form = CancelEventForm(request.POST)
    if form.is_valid():
        try:
            services.event_cancel(actor=request.user, event=event, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("活动已取消，已通知报名者。"))
    else:
        messages.error(request, _("请填写取消原因。"))
    return redirect(event)


@require_POST
@login_required
def no_shows(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk, change=True)
    try:
        n = services.mark_no_shows(actor=request.user, event=event)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已标记 %(n)s 份报名未到场。") % {"n": n})
    return redirect(event)


@login_required
def scanner(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The door: scan or type a code; each submission carries a fresh nonce."""
    event = selectors.event_for(request.user, pk, change=True)
    result = None
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            result = services.checkin(actor=request.user, event=event, code=form.cleaned_data["code"],
                                      nonce=form.cleaned_data["nonce"])
        else:
            result = services.CheckInResult("invalid", 422, _("请输入签到码。"))
    context = {"event": event, "result": result, "nonce": secrets.token_hex(16),
               "figures": selectors.event_figures(event=event)}
    if request.headers.get("HX-Request"):
        return render(request, "events/_scan_result.html", context)
    return render(request, "events/scanner.html", context)


@login_required
def live_counts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk, change=True)
    return render(request, "events/_counts.html", {"event": event, "figures": selectors.event_figures(event=event)})


@login_required
def my_registrations(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(selectors.my_registrations(user=request.user)[:100])
    for r in rows:
        r.position = services.waitlist_position(r)  # type: ignore[attr-defined]
    return render(request, "events/mine.html", {
        "rows": rows, "recognitions": selectors.my_recognitions(user=request.user)})




# ---- volunteer posts, pledges, recognition ------------------------------------------------------

def _back(request: HttpRequest, event: Event, anchor: str) -> HttpResponse:
    return redirect(f"{event.get_absolute_url()}#{anchor}")


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def _staff_form(request: HttpRequest, event: Event, form: Any, write: Any, done: Callable[[Any], str],
                anchor: str) -> HttpResponse:
    """One staff form of the event page: validate, call the service, say how it went, go back."""
    if form.is_valid():
        try:
            created = write(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, done(created))
    else:
        _errors(request, ValidationError([str(e) for errs in form.errors.values() for e in errs]))
    return _back(request, event, anchor)


@require_POST
@login_required
def post_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk, change=True)
    return _staff_form(request, event, PostForm(request.POST), volunteers.post_create,
                       lambda _post: _("岗位已添加。"), "posts")


@require_POST
@login_required
def signup_create(request: AuthenticatedHttpRequest, pk: int, post_id: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk)
    post = selectors.post_for(request.user, event, post_id)
    try:
        volunteers.signup_create(actor=request.user, post=post)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已报名岗位：%(title)s。") % {"title": post.title})
    return _back(request, event, "posts")


SIGNUP_ACTIONS = {
    "cancel": (volunteers.signup_cancel, _("已取消岗位报名。")),
    "check_in": (volunteers.signup_check_in, _("已到岗签到。")),
    "check_out": (volunteers.signup_check_out, _("已离岗签退，时长已记录。")),
}


@require_POST
@login_required
def signup_action(request: AuthenticatedHttpRequest, pk: int, sid: int, action: str) -> HttpResponse:
    event = selectors.event_for(request.user, pk)
    signup = selectors.signup_for(request.user, event, sid)
    try:
        if action in SIGNUP_ACTIONS:
            func, done = SIGNUP_ACTIONS[action]
            func(actor=request.user, signup=signup)
        elif action == "report":
            form = HoursReportForm(request.POST)
            if not form.is_valid():
                raise ValidationError([str(e) for errs in form.errors.values() for e in errs])
            volunteers.hours_report(actor=request.user, signup=signup, minutes=form.cleaned_data["minutes"],
                                    note=form.cleaned_data["note"])
            done = _("自报时长已提交，等待审核。")
        elif action in ("approve", "reject"):
            volunteers.hours_decide(actor=request.user, signup=signup, approve=action == "approve")
            done = _("已审核。")
        else:
            raise Http404
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return _back(request, event, "posts")


@require_POST
@login_required
def pledge_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk, change=True)
    return _staff_form(request, event, PledgeForm(request.POST, event=event), thanks.pledge_create,
                       lambda _pledge: _("认捐已登记。"), "pledges")


@require_POST
@login_required
def pledge_status(request: AuthenticatedHttpRequest, pk: int, pledge_id: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk, change=True)
    pledge = selectors.pledge_for(request.user, event, pledge_id)
    try:
        thanks.pledge_set_status(actor=request.user, pledge=pledge, status=request.POST.get("status", ""))
    except ValidationError as exc:
        _errors(request, exc)
    return _back(request, event, "pledges")


@require_POST
@login_required
def recognition_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk, change=True)
    return _staff_form(request, event, RecognitionForm(request.POST, event=event), thanks.recognition_create,
                       lambda rec: _("已表扬：%(name)s。") % {"name": rec.name}, "recognitions")


@login_required
def certificate(request: AuthenticatedHttpRequest, pk: int, rid: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk)
    rec = selectors.recognition_for(request.user, event, rid)
    response = HttpResponse(thanks.certificate_pdf(rec), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{rec.number}.pdf"'
    return response


# ---- registering with a phone code (no account) ----------------------------------------------------

def _purpose(event: Event) -> str:
    return f"event:{event.pk}"


@require_POST
def register_by_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """One form, two buttons: "获取验证码" sends a code; "报名" checks it and registers."""
    event = selectors.event_for(request.user, pk)
    if request.user.is_authenticated:
        return redirect(event)
    if "send_code" in request.POST:
        # Asking for a code needs only the phone number: the rest of the form is checked on registering.
        initial = {k: v for k, v in request.POST.items() if k not in ("sms_code", "csrfmiddlewaretoken")}
        try:
            phone_codes.send_code(phone=request.POST.get("phone", ""), purpose=_purpose(event),
                                  ip=client_ip(request))
        except ValidationError as exc:
            _errors(request, exc)
            return _detail_with(request, event, phone_form=PhoneRegistrationForm(initial=initial, event=event))
        messages.info(request, _("验证码已发送到 %(phone)s，10 分钟内有效。") % {"phone": initial.get("phone", "")})
        return _detail_with(request, event, phone_form=PhoneRegistrationForm(initial=initial, event=event),
                            code_sent=True)
    form = PhoneRegistrationForm(request.POST, event=event)
    if not form.is_valid():
        return _detail_with(request, event, phone_form=form, code_sent=True)
    data = dict(form.cleaned_data)
    code = data.pop("sms_code", "")
    try:
        if not code:
            raise ValidationError({"sms_code": _("请输入短信验证码。")})
        # Checked in its own transaction so that a wrong guess is counted even though it is refused.
        phone_codes.verify_code(phone=data["phone"], purpose=_purpose(event), code=code)
        r = services.registration_create(actor=request.user, event=event, phone_verified=True, **data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return _detail_with(request, event, phone_form=form, code_sent=True)
    return redirect(r.get_manage_url())


def _detail_with(request: HttpRequest, event: Event, **extra: Any) -> HttpResponse:
    response = event_detail(request, event.pk, extra=extra)
    response.status_code = 200
    return response


def _held(token: str) -> Registration:
    registration = Registration.objects.select_related("event__region").filter(manage_token=token).first()
    if registration is None:
        raise Http404
    return registration


def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The private page of a registration made with a phone code: status, QR code, cancel."""
    r = _held(token)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "accept":
                services.offer_accept(actor=request.user, registration=r, holder=True)
                messages.success(request, _("已确认参加。"))
            elif request.POST.get("action") == "cancel":
                services.registration_cancel(actor=request.user, registration=r, holder=True)
                messages.success(request, _("已取消。"))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect(r.get_manage_url())
    response = render(request, "events/manage.html", {
        "r": r, "event": r.event, "position": services.waitlist_position(r)})
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def manage_qr(request: HttpRequest, token: str) -> HttpResponse:
    r = _held(token)
    if r.status != RegistrationStatus.CONFIRMED:
        raise Http404
    return _qr_png(r.code)


@require_POST
@login_required
def photos_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for(request.user, pk, change=True)
    form = EventPhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rows = thanks.event_photos_add(actor=request.user, event=event, photos=form.cleaned_data["photos"],
                                           caption=form.cleaned_data["caption"])
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已上传 %(n)d 张照片。") % {"n": len(rows)})
    else:
        _errors(request, ValidationError([str(e) for errs in form.errors.values() for e in errs]))
    return _back(request, event, "photos")


def photo(request: HttpRequest, pk: int, variant: str) -> HttpResponseBase:
    """An event photo: ``original`` (staff), ``public`` (≤ 1600 px, no EXIF) or ``thumbnail``."""
    return serve_photo(request, getter=selectors.event_photo_get, pk=pk, variant=variant)
