"""Pages of the people in a scheme: my points and statement, the catalogue, my codes, the leaderboard,
and the merchant's counter (confirm a code, their redemptions and monthly totals)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.core.paging import count_page
from lianjian.core.qr import qr_response

from . import ledger, redemptions, schemes, selectors
from .forms import AccountSettingsForm, ConfirmForm, ReverseForm
from .models import Redemption, RedemptionStatus


def _errors(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My points: balance, held, pending, honour record, what expires next, my codes, the statement."""
    accounts = list(selectors.my_accounts(user=request.user))
    account = None
    if request.GET.get("account"):
        account = selectors.my_account(user=request.user, pk=request.GET["account"])
    account = account or selectors.primary_account(user=request.user, accounts=accounts)
    form = AccountSettingsForm(instance=account) if account else None
    if request.method == "POST" and account is not None:
        form = AccountSettingsForm(request.POST, instance=account)
        if form.is_valid():
            schemes.account_settings(actor=request.user, account=account,
                                     display_name=form.cleaned_data["display_name"],
                                     leaderboard_opt_out=form.cleaned_data["leaderboard_opt_out"])
            messages.success(request, _("排行榜设置已保存。"))
            return redirect(f"{request.path}?account={account.pk}")
    page = count_page(selectors.statement(account=account), request.GET.get("page"), 20) if account else None
    codes = list(selectors.my_redemptions(user=request.user).filter(status=RedemptionStatus.HELD)[:10])
    return render(request, "points/mine.html", {
        "accounts": accounts, "account": account, "s": selectors.summary(account), "page": page,
        "codes": codes, "form": form})


@login_required
def entry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One entry traced to its source, rule, approver and reversal; staff reverse it here."""
    e = selectors.entry_for(user=request.user, pk=pk)
    manager = ledger.may_manage(request.user, e.account.scheme)
    form = ReverseForm(request.POST or None) if manager else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                ledger.entry_reverse(actor=request.user, entry=e, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(request, _("已冲正，原记录保留并关联冲正记录。"))
            return redirect(e.get_absolute_url())
    reversal = e.reversed_by if hasattr(e, "reversed_by") else None
    return render(request, "points/entry.html", {"e": e, "form": form, "manager": manager, "reversal": reversal,
                                                 "reversible": e.kind == "award" and reversal is None})


@login_required
def rewards(request: AuthenticatedHttpRequest) -> HttpResponse:
    account = selectors.primary_account(user=request.user)
    items = list(selectors.reward_list(user=request.user)[:200])
    balances = {a.scheme_id: a.balance for a in selectors.my_accounts(user=request.user)}
    for r in items:
        r.my_balance = balances.get(r.scheme_id, 0)  # type: ignore[attr-defined]
    return render(request, "points/rewards.html", {"rewards": items, "account": account})


@login_required
@require_POST
def redeem(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reward = selectors.reward_for(user=request.user, pk=pk)
    try:
        r = redemptions.redeem(actor=request.user, reward=reward)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("points:rewards")
    messages.success(request, _("兑换成功：请在 %(days)s 天内向商家出示兑换码。") % {"days": reward.scheme.hold_days})
    return redirect(r)


@login_required
def redemption(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    r = selectors.my_redemption(user=request.user, code=code)
    return render(request, "points/redemption.html", {"r": r})


@login_required
def redemption_qr(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    r = selectors.my_redemption(user=request.user, code=code)
    if r.status != RedemptionStatus.HELD:
        raise Http404
    return qr_response(r.code, fmt="svg", filename=f"code-{r.code}", title=_("兑换码"))


@login_required
@require_POST
def redemption_cancel(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    r = selectors.my_redemption(user=request.user, code=code)
    try:
        redemptions.cancel(actor=request.user, redemption=r)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已取消兑换，积分已退回。"))
    return redirect(r)


@login_required
def my_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = count_page(selectors.my_redemptions(user=request.user), request.GET.get("page"), 30)
    return render(request, "points/codes.html", {"page": page})


@login_required
def merchant(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The counter: type or scan a code to confirm it; the unit's redemptions and monthly totals."""
    scope = get_scope(request.user)
    if not (scope.is_liaison or scope.is_staff_like):
        raise PermissionDenied
    result: dict[str, str] | None = None
    form = ConfirmForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            result = {"outcome": "invalid", "message": _("请输入 8 位兑换码。")}
        else:
            result = _confirm(request, form.cleaned_data["code"])
        if request.headers.get("HX-Request"):
            return render(request, "points/_confirm_result.html", {"result": result})
    page = count_page(selectors.confirmable(user=request.user).order_by("-created_at", "-id"),
                      request.GET.get("page"), 30)
    return render(request, "points/merchant.html", {
        "form": ConfirmForm(), "result": result, "page": page, "months": selectors.merchant_months(user=request.user)})


def _confirm(request: AuthenticatedHttpRequest, code: str) -> dict[str, str]:
    try:
        r: Redemption = selectors.redemption_to_confirm(user=request.user, code=code)
    except Http404:
        return {"outcome": "not_found", "message": _("兑换码不存在，或不是本单位的兑换。")}
    try:
        redemptions.confirm(actor=request.user, redemption=r)
    except ValidationError as exc:
        return {"outcome": getattr(exc, "code", None) or "refused", "message": _errors(exc)}
    return {"outcome": "ok", "message": _("核销成功：%(reward)s（%(n)s 积分），兑换人 %(name)s。") % {
        "reward": r.reward.title, "n": r.points, "name": r.account.person.masked_phone or "—"}}


@login_required
def leaderboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Points earned per month in a scheme, by chosen display names only."""
    visible = list(selectors.visible_schemes(user=request.user).select_related("region").order_by("region__code"))
    scheme = None
    if request.GET.get("scheme"):
        scheme = next((s for s in visible if str(s.pk) == request.GET["scheme"]), None)
        if scheme is None:
            raise Http404
    account = selectors.primary_account(user=request.user)
    scheme = scheme or (account.scheme if account else (visible[0] if visible else None))
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        chosen = dt.date(year, month, 1)
    except ValueError:
        chosen = today.replace(day=1)
    if not dt.date(2000, 1, 1) <= chosen <= today:
        chosen = today.replace(day=1)
    months = []
    m = today.replace(day=1)
    for _i in range(12):
        months.append(m)
        m = (m - dt.timedelta(days=1)).replace(day=1)
    rows = selectors.leaderboard(scheme=scheme, month=chosen) if scheme else []
    return render(request, "points/leaderboard.html", {"schemes": visible, "scheme": scheme, "rows": rows,
                                                       "month": chosen, "months": months})
