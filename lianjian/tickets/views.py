"""Pages of reporters and liaisons: report (with nearby duplicates), my reports, one report with its
timeline, confirm / reopen, and the liaison's inbox (acknowledge / resolve)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core.images import serve_photo

from . import selectors, services
from .forms import DispatchForm, ReasonForm, ReopenForm, ReportForm, ResolveForm, ToNeedForm, TriageForm
from .models import PhotoKind, Report, Status


def _errors(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def my_reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(selectors.my_reports(user=request.user)[:50])
    return render(request, "tickets/mine.html", {"rows": rows})


@login_required
def report_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_create(
                actor=request.user, community=data["community"], category=data["category"],
                description=data["description"], photos=data["photos"], lat=data["lat"], lng=data["lng"],
                address=data["address"], occurred_at=data["occurred_at"], attributes=form.answers())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("随手拍已提交，社区会尽快受理。"))
            return redirect(report)
    return render(request, "tickets/form.html", {
        "form": form, "questions": [(c, [form[f"attr__{c.code}__{q['code']}"] for q in c.sorted_attributes()])
                                    for c in form.categories]})


@login_required
def nearby(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The nearby-duplicates step (htmx): open reports of the category within its radius."""
    rows: list[Report] = []
    category = selectors.categories().filter(pk=request.GET.get("category") or 0).first() \
        if str(request.GET.get("category", "")).isdigit() else None
    try:
        lat, lng = float(request.GET.get("lat", "")), float(request.GET.get("lng", ""))
    except ValueError:
        lat = lng = 999.0
    if category is not None and -90 <= lat <= 90 and -180 <= lng <= 180:
        rows = selectors.nearby_open(category=category, lat=lat, lng=lng)
    return render(request, "tickets/_nearby.html", {"rows": rows, "category": category})


def _detail_context(request: AuthenticatedHttpRequest, report: Report) -> dict[str, Any]:
    user = request.user
    staff = services.may_triage(user, report)
    handler = services.may_handle(user, report)
    mine = report.reporter_id == user.pk
    photos = list(report.photos.all())
    context: dict[str, Any] = {
        "report": report, "is_staff": staff, "is_reporter": mine, "is_handler": handler,
        "timeline": selectors.timeline_of(report),
        "report_photos": [p for p in photos if p.kind == PhotoKind.REPORT],
        "after_photos": [p for p in photos if p.kind == PhotoKind.RESOLUTION],
        "reopen_photos": [p for p in photos if p.kind == PhotoKind.REOPEN],
        "can_support": report.is_open and not mine and not staff and not handler
        and get_scope(user).is_self_service and not report.supporters.filter(user_id=user.pk).exists(),
    }
    if mine and report.status == Status.RESOLVED:
        context["reopen_form"] = ReopenForm()
    if handler and report.status in (Status.DISPATCHED, Status.ACKNOWLEDGED):
        context["resolve_form"] = ResolveForm()
    if staff:
        context |= {
            "triage_form": TriageForm() if report.status in (Status.NEW, Status.ACCEPTED) else None,
            "reject_form": ReasonForm() if report.is_open else None,
            "dispatch_form": DispatchForm(units=selectors.dispatch_units(report))
            if report.status in (Status.NEW, Status.ACCEPTED, Status.REOPENED) else None,
            "need_form": ToNeedForm(initial={"title": report.title})
            if report.need_id is None and report.status not in (Status.REJECTED, Status.MERGED) else None,
            "activities": activity_for(user=user, obj=report),
            "liaisons": selectors.liaisons_of(report),
        }
    return context


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    return render(request, "tickets/detail.html", _detail_context(request, report))


@require_POST
@login_required
def support(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_supportable(user=request.user, pk=pk)
    try:
        added = services.support_add(actor=request.user, report=report)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("tickets:create")
    if added:
        messages.success(request, _("已记录“我也遇到了”，处理进展会通知您。"))
    else:
        messages.info(request, _("您已经在跟进这条随手拍。"))
    return redirect(report)


@require_POST
@login_required
def confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        services.confirm(actor=request.user, report=report)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("感谢确认，这条随手拍已办结。"))
    return redirect(report)


@require_POST
@login_required
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    if report.reporter_id != request.user.pk:
        raise PermissionDenied
    form = ReopenForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reopen(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已重新打开，社区会再次派单处置。"))
            return redirect(report)
    else:
        _errors(request, ValidationError(form.errors))
    return redirect(report)


@require_POST
@login_required
def acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        services.acknowledge(actor=request.user, report=report)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已签收，请在时限内处置。"))
    return redirect((request.POST.get("next") == "inbox" and "tickets:inbox") or report.get_absolute_url())


@require_POST
@login_required
def resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    form = ResolveForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.resolve(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("已提交处置结果，等待报告人确认。"))
    else:
        _errors(request, ValidationError(form.errors))
    return redirect(report)


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    done = request.GET.get("done") == "1"
    rows = list(selectors.inbox(user=request.user, done=done)[:100])
    return render(request, "tickets/inbox.html", {"rows": rows, "done": done})


def photo(request: HttpRequest, pk: int, variant: str) -> HttpResponseBase:
    """A report photo: ``original`` (people who may see the report), ``public`` or ``thumbnail`` (no EXIF)."""
    return serve_photo(request, getter=selectors.photo_get, pk=pk, variant=variant)
