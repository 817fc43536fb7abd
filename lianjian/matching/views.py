from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.core.text import append_row, error_text
from lianjian.lists.models import Need
from lianjian.lists.selectors import need_get, resource_get
from lianjian.orgs.models import Organisation, OrgKind
from lianjian.orgs.selectors import organisation_get
from lianjian.regions.models import Region
from lianjian.regions.selectors import region_get

from . import selectors, services
from .models import ClaimInvitation


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff: pick a community's match sheet. Liaisons: needs their units could meet, and invitations."""
    scope = get_scope(request.user)
    if not (scope.is_staff_like or scope.is_liaison):
        raise PermissionDenied

    communities = scope.filter_regions(Region.objects.communities()).order_by("code")[:200]
    units = []
    for org in selectors.Organisation.objects.filter(pk__in=sorted(scope.org_ids)).order_by("name"):
        units.append((org, selectors.needs_for_organisation(user=request.user, organisation=org, top_k=10)))
    return render(request, "matching/home.html", {
        "communities": communities if scope.is_staff_like else [], "units": units,
        "invitations": selectors.invitations_for(user=request.user),
    })


def _kind_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in OrgKind.choices]


@login_required
def need_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """Suggestions above the confidence line; when none fits (or on a search), the community's
    joint units by kind, to invite by hand."""
    need = need_get(user=request.user, pk=pk)
    partial = bool(request.headers.get("HX-Request"))
    # The need's trace page loads the top suggestions after it has rendered.
    suggestions = selectors.suggestions_for_need(user=request.user, need=need, top_k=3 if partial else 8)
    q = request.GET.get("q", "").strip()[:selectors.MAX_QUERY_CHARS]
    kinds = _kind_choices()
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(kinds) else ""
    searching = bool(q or kind)
    groups = (selectors.invite_units_for_need(user=request.user, need=need, q=q, kind=kind)
              if not suggestions or searching or not partial else [])
    context = {"need": need, "suggestions": suggestions, "invite_groups": groups, "q": q, "kind": kind,
               "kinds": kinds, "searching": searching}
    return render(request, "matching/_suggestions.html" if partial else "matching/need.html", context)


@login_required
@require_POST
def invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Invite the unit of a suggested resource (``resource``), or any active joint unit of the
    need's community (``organisation``), with or without listed resources."""
    need = need_get(user=request.user, pk=pk)
    if "organisation" in request.POST and "resource" not in request.POST:
        org = selectors.invitable_unit(user=request.user, need=need,
                                       organisation_id=request.POST.get("organisation"))
        if org is None:
            messages.error(request, _("请选择本社区的联建单位。"))
            return redirect("matching:need", pk=need.pk)
        return _invite(request, need, org)
    suggestions = {str(s.resource.pk): s for s in
                   selectors.suggestions_for_need(user=request.user, need=need, top_k=20)}
    suggestion = suggestions.get(request.POST.get("resource", ""))
    if suggestion is None:
        messages.error(request, _("请选择列表中的建议资源。"))
        return redirect("matching:need", pk=need.pk)
    return _invite(request, need, suggestion.organisation, suggestion)


def _invite(request: AuthenticatedHttpRequest, need: Need, org: Organisation,
            suggestion: selectors.Suggestion | None = None) -> HttpResponse:
    try:
        invitation = services.invitation_create(
            actor=request.user, need=need, organisation=org,
            resource=suggestion.resource if suggestion else None, score=suggestion.score if suggestion else 0.0,
            reasons=suggestion.reasons if suggestion else [])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        name = invitation.organisation.name
        if services.has_liaison(invitation.organisation):
            messages.success(request, _("已邀请%(org)s认领，联络员会收到通知。") % {"org": name})
        else:
            messages.warning(request,
                             _("已记录对%(org)s的邀请，但该单位还没有联络员账号，请电话联系。") % {"org": name})
    return redirect("matching:need", pk=need.pk)


@login_required
def invitation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The invited liaison's one-click claim page."""
    inv = get_object_or_404(ClaimInvitation.objects.select_related("need__community", "need__category", "organisation",
                                                              "resource"), pk=pk)
    if inv.organisation_id not in get_scope(request.user).org_ids:
        raise PermissionDenied
    need = inv.need
    default_qty = max(1, min(need.quantity_open, inv.resource.remaining if inv.resource else need.quantity_open))
    if request.method == "POST":
        try:
            quantity = int(request.POST.get("quantity", default_qty))
        except (TypeError, ValueError):
            quantity = 0
        try:
            services.invitation_accept(actor=request.user, invitation=inv, quantity=quantity)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已认领，等待社区确认。"))
            return redirect(need)
    return render(request, "matching/invitation.html", {"inv": inv, "need": need, "default_qty": default_qty})


@login_required
def resource_needs(request: HttpRequest, pk: int) -> HttpResponse:
    resource = resource_get(user=request.user, pk=pk)
    rows = selectors.needs_for_organisation(user=request.user, organisation=resource.organisation,
                                            resource=resource, top_k=20)
    return render(request, "matching/resource.html", {"resource": resource, "rows": rows})


@login_required
def unit_needs(request: HttpRequest, pk: int) -> HttpResponse:
    org = organisation_get(user=request.user, pk=pk)
    rows = selectors.needs_for_organisation(user=request.user, organisation=org, top_k=30)
    return render(request, "matching/unit.html", {"org": org, "rows": rows})


@login_required
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable match sheet of a community's open needs; ?format=xlsx downloads it."""
    community = region_get(user=request.user, pk=pk)
    rows = selectors.match_sheet(user=request.user, community=community, top_k=3)
    if request.GET.get("format") == "xlsx":
        return _sheet_xlsx(community, rows)
    return render(request, "matching/sheet.html", {"community": community, "rows": rows})


def _sheet_xlsx(community: object, rows: list[selectors.SheetRow]) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("匹配表")
    headers = [_("需求"), _("类别"), _("待认领"), _("建议单位"), _("建议资源"), _("匹配度"), _("理由")]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        if not row.suggestions:
            append_row(ws, [row.need.title, row.need.category.name, row.need.quantity_open, _("暂无合适资源"), "", "",
                            ""])
        for s in row.suggestions:
            append_row(ws, [row.need.title, row.need.category.name, row.need.quantity_open, s.organisation.name,
                            s.resource.title, s.percent, "；".join(s.reasons)])
    for col, width in zip("ABCDEFG", (30, 12, 8, 24, 28, 8, 60), strict=True):
        ws.column_dimensions[col].width = width
    for r in ws.iter_rows(min_row=2):
        r[6].alignment = Alignment(wrap_text=True)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''match-sheet-{community.pk}.xlsx"  # type: ignore[attr-defined]
    return response
