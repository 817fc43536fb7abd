"""Staff pages: the filtered list with its export, triage, dispatch, turning a report into a need,
and the categories."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.core.jobs import job_start
from lianjian.core.paging import count_page, fast_count
from lianjian.regions.models import Region

from . import lists_bridge, selectors, services
from .export import DIRECT_ROWS, workbook_bytes
from .filters import ASSIGNEES, filters_from_params, params_of
from .forms import CategoryForm, DispatchForm, ToNeedForm, TriageForm
from .models import RUNNING, Category, Status

PER_PAGE = 20


def _require_staff(request: AuthenticatedHttpRequest) -> None:
    if not get_scope(request.user).is_staff_like:
        raise PermissionDenied


@login_required
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    filters = filters_from_params(user=request.user, params=request.GET)
    qs = selectors.staff_reports(user=request.user, filters=filters)
    page = count_page(selectors.staff_list_page_rows(qs), request.GET.get("page"), PER_PAGE)
    scope = get_scope(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    labels = dict(Status.choices)
    now = timezone.now()
    rows = list(page.object_list)
    detail = reverse("tickets:detail", args=[0])
    for r in rows:  # computed once here: the template stays light for 30 rows
        r.url = detail.replace("/0/", f"/{r.pk}/", 1)  # type: ignore[attr-defined]
        r.status_label = labels.get(r.status, r.status)  # type: ignore[attr-defined]
        r.overdue = bool(r.status in RUNNING and r.deadline and r.deadline < now)  # type: ignore[attr-defined]
        r.category_label = r.category.display_name  # type: ignore[attr-defined]
        r.deadline_text = timezone.localtime(r.deadline).strftime("%m-%d %H:%M") if r.deadline else "—"  # type: ignore[attr-defined]
        r.created_text = timezone.localtime(r.created_at).strftime("%m-%d %H:%M")  # type: ignore[attr-defined]
    return render(request, "tickets/staff_list.html", {
        "page": page, "rows": rows, "filters": filters, "statuses": [("open", _("未办结")), *list(Status.choices)],
        "categories": list(selectors.categories(active_only=False)),
        "communities": list(scope.filter_regions(Region.objects.communities()).order_by("name")[:300]),
        "assignees": [(a, label) for a, label in zip(ASSIGNEES, ["", _("联建单位"), _("责任部门"), _("未派单")],
                                                     strict=True) if a],
        "query": query.urlencode(),
    })


@login_required
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    filters = filters_from_params(user=request.user, params=request.GET)
    qs = selectors.staff_reports(user=request.user, filters=filters)
    if fast_count(qs) > DIRECT_ROWS:
        job = job_start(actor=request.user, kind="tickets.export", params=params_of(filters),
                        title=_("导出随手拍"))
        return redirect(job)
    response = HttpResponse(workbook_bytes(qs),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="suishoupai-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _staff_report(request: AuthenticatedHttpRequest, pk: int):  # type: ignore[no-untyped-def]
    report = selectors.report_get(user=request.user, pk=pk)
    if not services.may_triage(request.user, report):
        raise Http404
    return report


@require_POST
@login_required
def triage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _staff_report(request, pk)
    form = TriageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理方式。"))
        return redirect(report)
    action = form.cleaned_data["action"]
    try:
        if action == "accept":
            services.accept(actor=request.user, report=report)
            messages.success(request, _("已受理。"))
        elif action == "reject":
            services.reject(actor=request.user, report=report, reason=form.cleaned_data["reason"])
            messages.success(request, _("已不予受理，并告知报告人。"))
        else:
            into = selectors.staff_reports(user=request.user).filter(pk=form.cleaned_data["into"] or 0).first()
            if into is None:
                raise ValidationError({"into": _("找不到要合并到的随手拍。")})
            services.merge(actor=request.user, report=report, into=selectors.report_get(user=request.user,
                                                                                        pk=into.pk))
            messages.success(request, _("已合并到 #%(n)d。") % {"n": into.pk})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(report)


@require_POST
@login_required
def dispatch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _staff_report(request, pk)
    form = DispatchForm(request.POST, units=selectors.dispatch_units(report))
    if not form.is_valid():
        messages.error(request, _("请选择本社区的联建单位，或填写责任部门。"))
        return redirect(report)
    try:
        with transaction.atomic():  # 受理并派单: both steps or neither
            if report.status == Status.NEW:
                services.accept(actor=request.user, report=report)
            services.dispatch(actor=request.user, report=report, unit=form.cleaned_data["unit"],
                              department=form.cleaned_data["department"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已派单，处置时限 %(when)s。") % {
            "when": timezone.localtime(report.deadline).strftime("%m-%d %H:%M")})
    return redirect(report)


@require_POST
@login_required
def to_need(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _staff_report(request, pk)
    form = ToNeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写需求标题并选择类别。"))
        return redirect(report)
    try:
        need = services.to_need(actor=request.user, report=report, title=form.cleaned_data["title"],
                                category=lists_bridge.need_category(form.cleaned_data["category"]))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(report)
    messages.success(request, _("已转为需求，等待社区审核发布。"))
    return redirect(need)


def _require_category_admin(request: AuthenticatedHttpRequest) -> None:
    scope = get_scope(request.user)
    if not (scope.is_superuser or scope.is_region_admin):
        raise PermissionDenied


@login_required
def category_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff(request)
    scope = get_scope(request.user)
    return render(request, "tickets/categories.html", {
        "rows": list(selectors.categories(active_only=False)),
        "can_edit": scope.is_superuser or scope.is_region_admin})


@login_required
def category_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _require_category_admin(request)
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Http404
    form = CategoryForm(request.POST or None, instance=Category.objects.get(pk=category.pk))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "attributes_json"}
        data["attributes"] = form.cleaned_data["attributes_json"]
        try:
            services.category_update(actor=request.user, category=category, data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("类别已保存。"))
            return redirect("tickets:categories")
    return render(request, "tickets/category_form.html", {"form": form, "category": category})
