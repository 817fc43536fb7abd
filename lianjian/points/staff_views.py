"""Staff pages of a scheme: settings and earning rules, manual awards and the approval queue, the
catalogue, liabilities (with an Excel export) and the recent ledger."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core.paging import count_page
from lianjian.regions.models import Region

from . import ledger, redemptions, schemes, selectors
from .forms import AwardForm, RewardForm, RuleForm, SchemeForm
from .models import AwardRequest, EntryKind


def _errors(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
def staff_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The schemes the user runs, and opening one for a community or street."""
    scope = get_scope(request.user)
    if not scope.is_staff_like:
        raise PermissionDenied
    managed = list(selectors.managed_schemes(user=request.user)[:200])
    open_regions = selectors.manageable_regions(user=request.user).exclude(points_scheme__isnull=False)[:200]
    if request.method == "POST":
        try:
            region = selectors.manageable_regions(user=request.user).get(pk=int(request.POST.get("region", "")))
        except (Region.DoesNotExist, ValueError):
            messages.error(request, _("请选择社区或街道。"))
            return redirect("points:staff")
        try:
            scheme = schemes.scheme_save(actor=request.user, region=region)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("points:staff")
        return redirect("points:scheme", pk=scheme.pk)
    if len(managed) == 1 and not request.GET.get("all"):
        return redirect("points:scheme", pk=managed[0].pk)
    return render(request, "points/staff_home.html", {"schemes": managed, "open_regions": open_regions})


@login_required
def scheme(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    s = selectors.scheme_get(user=request.user, pk=pk)
    form = SchemeForm(instance=s)
    if request.method == "POST":
        form = SchemeForm(request.POST, instance=selectors.scheme_get(user=request.user, pk=pk))
        if form.is_valid():
            schemes.scheme_save(actor=request.user, region=s.region, **{
                f: form.cleaned_data[f] for f in schemes.SCHEME_FIELDS})
            messages.success(request, _("积分方案已保存。"))
            return redirect("points:scheme", pk=s.pk)
    return render(request, "points/scheme.html", {
        "s": s, "form": form, "rules": list(s.rules.all()), "rule_form": RuleForm(),
        "award_form": AwardForm(initial={"source_key": ledger.new_source_key()}),
        "queue": list(selectors.award_queue(scheme=s)[:100]), "totals": selectors.liabilities(scheme=s),
        "rewards": list(s.rewards.select_related("organisation").order_by("-is_active", "points")[:100]),
        "reward_form": RewardForm(scheme=s), "activities": activity_for(user=request.user, obj=s)})


@login_required
@require_POST
def rule_save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    s = selectors.scheme_get(user=request.user, pk=pk)
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            schemes.rule_save(actor=request.user, scheme=s, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("积分规则已保存。"))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("points:scheme", pk=s.pk)


@login_required
@require_POST
def award(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    s = selectors.scheme_get(user=request.user, pk=pk)
    form = AwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[f].label}：{e}" if f in form.fields else str(e)
                                         for f, errs in form.errors.items() for e in errs))
        return redirect("points:scheme", pk=s.pk)
    person = ledger.find_person(form.cleaned_data["person"])
    if person is None:
        messages.error(request, _("找不到这个用户名或手机号对应的用户。"))
        return redirect("points:scheme", pk=s.pk)
    try:
        a, created = ledger.award_manual(actor=request.user, scheme=s, person=person, **{
            k: form.cleaned_data[k] for k in ("points", "reason", "source_key")})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("points:scheme", pk=s.pk)
    if not created:
        messages.info(request, _("这笔发放已经提交过了。"))
    elif a.entry_id:
        messages.success(request, _("已发放 %(n)s 积分。") % {"n": a.points})
    else:
        messages.success(request, _("发放超过审批门槛，已提交，等待另一名工作人员审批。"))
    return redirect("points:scheme", pk=s.pk)


@login_required
@require_POST
def award_decide(request: AuthenticatedHttpRequest, pk: int, award_id: int) -> HttpResponse:
    s = selectors.scheme_get(user=request.user, pk=pk)
    try:
        a = selectors.award_queue(scheme=s).get(pk=award_id)
    except AwardRequest.DoesNotExist:
        messages.error(request, _("这笔发放已经审批过了。"))
        return redirect("points:scheme", pk=s.pk)
    try:
        ledger.award_decide(actor=request.user, request=a, approve=request.POST.get("decision") == "approve")
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("没有权限执行此操作。"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已审批。"))
    return redirect("points:scheme", pk=s.pk)


@login_required
@require_POST
def reward_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    s = selectors.scheme_get(user=request.user, pk=pk)
    form = RewardForm(request.POST, scheme=s)
    if form.is_valid():
        try:
            redemptions.reward_create(actor=request.user, scheme=s, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("兑换物品已上架。"))
    else:
        messages.error(request, " ".join(f"{form.fields[f].label}：{e}" if f in form.fields else str(e)
                                         for f, errs in form.errors.items() for e in errs))
    return redirect("points:scheme", pk=s.pk)


@login_required
def ledger_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The scheme's accounts (who holds what) and its latest entries."""
    s = selectors.scheme_get(user=request.user, pk=pk)
    accounts = count_page(selectors.scheme_accounts(scheme=s), request.GET.get("page"), 50)
    entries = list(selectors.recent_entries(scheme=s)[:50])
    return render(request, "points/ledger.html", {"s": s, "page": accounts, "entries": entries,
                                                  "totals": selectors.liabilities(scheme=s)})


@login_required
def liabilities_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Excel: every account's balance and held points, with the totals the scheme owes."""
    s = selectors.scheme_get(user=request.user, pk=pk)
    wb = Workbook()
    ws = wb.active
    ws.title = _("积分负债")
    ws.append([_("用户名"), _("姓名"), _("可用积分"), _("冻结积分"), _("合计"), _("服务时长（小时）"),
               _("核实的随手拍"), _("参加的活动")])
    for a in selectors.scheme_accounts(scheme=s).iterator():
        ws.append([a.person.username, str(a.person), a.balance, a.held, a.balance + a.held, a.honour_hours,
                   a.reports_verified, a.events_attended])
    totals = selectors.liabilities(scheme=s)
    ws.append([])
    ws.append([_("合计"), "", totals["balance"], totals["held"], totals["outstanding"]])
    ws.append([_("待审批发放"), "", totals["pending"]])
    kinds = dict(EntryKind.choices)
    ws2 = wb.create_sheet(_("近期流水"))
    ws2.append([_("时间"), _("用户名"), _("类型"), _("积分"), _("来源"), _("说明"), _("审批人")])
    for e in selectors.recent_entries(scheme=s)[:5000].iterator():
        ws2.append([timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"), e.account.person.username,
                    str(kinds.get(e.kind, e.kind)), e.amount, e.source_key, e.reason,
                    str(e.approver) if e.approver_id else ""])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="points-liabilities-{s.pk}.xlsx"'
    return response
