"""Worker pages: registering on a phone, the worker's own page, the staff list, and the door QR scan."""

from __future__ import annotations

import io
from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.models import User
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core import phone_codes
from lianjian.core.net import client_ip
from lianjian.core.paging import count_page

from . import selectors, services, stations
from .forms import RejectForm, WorkerFilterForm, WorkerForm, form_errors

PAGE_SIZE = 50
PURPOSE = "workers:register"
BACKEND = "lianjian.accounts.backends.PhoneOrUsernameBackend"


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


# ---- registering ----------------------------------------------------------------------------------

def register(request: HttpRequest) -> HttpResponse:
    """One form, two buttons: "获取验证码" sends a code to the phone; "登记" checks it and registers.

    A logged-in person registers themselves (no code needed for their account's own phone); a
    person without an account proves the phone with the code and gets an account (log-in by phone)."""
    user = request.user
    if selectors.my_worker(user=user) is not None:
        return redirect("workers:me")
    scope = get_scope(user)
    if user.is_authenticated and not scope.is_self_service:
        messages.info(request, _("工作人员和联络员账号不能登记为新就业群体。"))
        return redirect("workers:list" if scope.is_staff_like else "core:home")
    anonymous = not user.is_authenticated
    communities = selectors.registration_communities(user=user)
    initial = {"phone": getattr(user, "phone", "") or "", "name": getattr(user, "real_name", "") or ""}
    if request.GET.get("community"):
        initial["community"] = request.GET["community"]
    ctx = {"next": _next(request, "")}
    if request.method != "POST":
        form = WorkerForm(initial=initial, communities=communities, ask_password=anonymous)
        return render(request, "workers/register.html", {**ctx, "form": form})
    form = WorkerForm(request.POST, communities=communities, ask_password=anonymous)
    if "send_code" in request.POST:
        try:
            phone_codes.send_code(phone=request.POST.get("phone", ""), purpose=PURPOSE, ip=client_ip(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.info(request, _("验证码已发送到 %(phone)s，10 分钟内有效。") % {
                "phone": request.POST.get("phone")})
        form = WorkerForm(initial={k: v for k, v in request.POST.items() if k not in ("sms_code", "password")},
                          communities=communities, ask_password=anonymous)
        return render(request, "workers/register.html", {**ctx, "form": form, "code_sent": True})
    if not form.is_valid():
        return render(request, "workers/register.html", {**ctx, "form": form, "code_sent": True})
    data = dict(form.cleaned_data)
    community, code, password = data.pop("community"), data.pop("sms_code", ""), data.pop("password", "")
    try:
        verified = False
        if anonymous or data["phone"] != (cast(User, user).phone or ""):
            if not code:
                raise ValidationError({"sms_code": _("请输入短信验证码。")})
            # Checked in its own transaction so that a wrong guess is counted even though it is refused.
            phone_codes.verify_code(phone=data["phone"], purpose=PURPOSE, code=code)
            verified = True
        if anonymous:
            worker = services.worker_signup(community=community, password=password, **data)
            login(request, worker.user, backend=BACKEND)
        else:
            worker = services.worker_register(actor=cast(User, user), community=community, phone_verified=verified,
                                              **data)
    except ValidationError as exc:
        form_errors(form, exc)
        return render(request, "workers/register.html", {**ctx, "form": form, "code_sent": True})
    messages.success(request, _("登记成功，等待社区工作人员核验。"))
    return redirect(_next(request, reverse("workers:me")))


@login_required
def me(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The worker's own page: status, certification, last check-ins, stations and offers nearby."""
    worker = selectors.my_worker(user=request.user)
    if worker is None:
        return redirect("workers:register")
    return render(request, "workers/me.html", {
        "worker": worker, "checkins": selectors.my_checkins(worker=worker, limit=10),
        "stations": selectors.public_stations(worker.community),
        "merchants": selectors.public_merchants(worker.community)})


# ---- staff ---------------------------------------------------------------------------------------

@login_required
def worker_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not scope.is_staff_like:
        return redirect("workers:me" if scope.is_self_service else "workers:merchants")
    communities = selectors.staff_communities(user=request.user)
    filters = WorkerFilterForm(request.GET or None, communities=communities)
    qs = selectors.worker_list(user=request.user, **filters.filters())
    page = count_page(qs, request.GET.get("page"), PAGE_SIZE)
    return render(request, "workers/list.html", {
        "filters": filters, "page": page, "rows": page.object_list,
        "counts": selectors.worker_counts(workers=selectors.worker_list(user=request.user)),
        "query": request.GET.urlencode()})


@login_required
def worker_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered list as an Excel file, with full phone numbers (only staff reach it)."""
    if not get_scope(request.user).is_staff_like:
        raise PermissionDenied
    filters = WorkerFilterForm(request.GET or None, communities=selectors.staff_communities(user=request.user))
    wb = Workbook()
    ws = wb.active
    ws.title = _("新就业群体")
    ws.append([_("姓名"), _("手机号"), _("平台/公司"), _("所在站点"), _("配送片区"), _("党员"), _("登记社区"),
               _("状态"), _("流动网格员"), _("登记时间")])
    for w in selectors.worker_list(user=request.user, **filters.filters()).iterator():
        ws.append([w.name, w.phone, w.platform_label, w.station_name, w.work_area, _("是") if w.is_party_member
                   else _("否"), w.community.name, str(w.get_status_display()),
                   _("是") if w.is_grid_reporter else _("否"),
                   timezone.localtime(w.created_at).strftime("%Y-%m-%d %H:%M")])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="workers.xlsx"'
    return response


@login_required
def worker_detail(request: AuthenticatedHttpRequest, pk: int, reject_form: RejectForm | None = None) -> HttpResponse:
    worker = selectors.worker_for(request.user, pk)
    staff = get_scope(request.user).can_change(worker)
    if not staff:
        return redirect("workers:me")
    return render(request, "workers/detail.html", {
        "worker": worker, "reject_form": reject_form or RejectForm(),
        "checkins": selectors.my_checkins(worker=worker, limit=10),
        "activities": activity_for(user=request.user, obj=worker)})


ACTIONS = {"verify", "reject", "certify", "revoke"}


@require_POST
@login_required
def worker_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    worker = selectors.worker_for(request.user, pk, change=True)
    if action not in ACTIONS:
        return redirect(worker)
    try:
        if action == "verify":
            services.worker_verify(actor=request.user, worker=worker)
            messages.success(request, _("已核验通过。"))
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                return worker_detail(request, pk, reject_form=form)
            services.worker_reject(actor=request.user, worker=worker, reason=form.cleaned_data["reason"])
            messages.success(request, _("已标记为未通过。"))
        elif action == "certify":
            services.worker_certify(actor=request.user, worker=worker)
            messages.success(request, _("已认证为流动网格员。"))
        else:
            services.worker_revoke(actor=request.user, worker=worker, reason=request.POST.get("reason", ""))
            messages.success(request, _("已撤销流动网格员认证。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_next(request, worker.get_absolute_url()))


# ---- the QR at the station's door ----------------------------------------------------------------

def scan(request: HttpRequest, token: str) -> HttpResponse:
    """The URL in the door QR: a logged-in worker checks in with one tap; others log in or register."""
    try:
        station = stations.station_by_token(token)
    except ValidationError as exc:
        return render(request, "workers/scan.html", {"problem": " ".join(exc.messages)}, status=404)
    worker = selectors.my_worker(user=request.user)
    result = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        try:
            result = stations.checkin(actor=cast(User, request.user), token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    response = render(request, "workers/scan.html", {
        "station": station, "worker": worker, "result": result, "path": request.path,
        "register_url": f"{reverse('workers:register')}?community={station.community_id}&next={request.path}"})
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"  # the token never leaves the site; forms still send Origin
    return response

