from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core.qr import QRFormat, qr_response
from lianjian.core.text import error_text
from lianjian.lists.models import Claim, Need
from lianjian.orgs.models import Organisation, PartnershipStatus

from . import selectors, services
from .forms import ClaimForm, ConvertForm, MeetingForm, MinutesForm, ProposalForm
from .models import Meeting, MeetingStatus, Proposal


def _attempt(request: HttpRequest, func: Callable[[], Any], ok: str) -> Any:
    """Run one service call, turning a refusal into a message instead of an error page."""
    try:
        result = func()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return None
    messages.success(request, ok)
    return result


def _staff_meeting(request: HttpRequest, pk: int) -> Meeting:
    return selectors.meeting_for(request.user, pk, change=True)


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.is_staff_like or scope.is_liaison):
        raise PermissionDenied
    meetings = selectors.meeting_list(user=request.user)[:100]
    return render(request, "meetings/list.html", {"meetings": meetings, "can_create": scope.is_staff_like})


@login_required
def meeting_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not get_scope(request.user).is_staff_like:
        raise PermissionDenied
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        units = []
        if d["invite_all"]:
            units = list(
                Organisation.objects.filter(
                    partnerships__community=d["community"], partnerships__status=PartnershipStatus.ACTIVE
                )
            )
        try:
            meeting = services.meeting_create(
                actor=request.user,
                community=d["community"],
                kind=d["kind"],
                title=d["title"],
                starts_at=d["starts_at"],
                venue=d["venue"],
                agenda=d["agenda"],
                review_year=d["review_year"],
                invited_units=units,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("会议已创建。"))
            return redirect(meeting)
    return render(request, "meetings/form.html", {"form": form})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    is_staff = selectors.can_run(request.user, meeting)
    ctx: dict[str, Any] = {
        "meeting": meeting,
        "is_staff": is_staff,
        "attendance": selectors.attendance_summary(meeting=meeting),
        "proposals": selectors.proposals_of(meeting=meeting),
        "rows": selectors.board_rows(meeting=meeting),
        "meeting_claims": selectors.meeting_claims(meeting=meeting),
        "proposal_form": ProposalForm(meeting=meeting),
    }
    if is_staff:
        ctx.update(
            {
                "convert_form": ConvertForm(),
                "addable_needs": selectors.claimable_needs_for(user=request.user, meeting=meeting),
                "minutes_form": MinutesForm(
                    initial={"minutes": meeting.minutes, "decisions": meeting.decisions}
                ),
                "checkin_url": request.build_absolute_uri(
                    reverse("meetings:checkin", args=[meeting.pk, meeting.checkin_token])
                ),
                "activities": activity_for(user=request.user, obj=meeting),
            }
        )
    return render(request, "meetings/detail.html", ctx)


@login_required
def meeting_qr(request: HttpRequest, pk: int, fmt: QRFormat = "svg") -> HttpResponse:
    """The sign-in QR code (SVG on the page, PNG for the poster) pointing at the meeting's sign-in page."""
    meeting = _staff_meeting(request, pk)
    url = request.build_absolute_uri(reverse("meetings:checkin", args=[meeting.pk, meeting.checkin_token]))
    return qr_response(url, fmt=fmt, title=meeting.title, filename=f"meeting-{meeting.pk}-qr",
                       download=bool(request.GET.get("download")))


@login_required
def meeting_checkin(request: AuthenticatedHttpRequest, pk: int, token: str) -> HttpResponse:
    """Where the QR code leads: a logged-in attendee signs in with one tap."""
    meeting = get_object_or_404(Meeting.objects.select_related("community"), pk=pk)
    if token != meeting.checkin_token:
        raise Http404
    signed = None
    if request.method == "POST" and "title" in request.POST:
        # The same link lets residents and units submit proposals before the meeting.
        form = ProposalForm(request.POST, meeting=meeting)
        if form.is_valid():
            _attempt(
                request,
                lambda: services.proposal_create(
                    actor=request.user,
                    meeting=meeting,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    category=form.cleaned_data["category"],
                ),
                _("提议已提交，感谢您的建议！"),
            )
        else:
            messages.error(request, _("请填写议题。"))
        return redirect("meetings:checkin", pk=meeting.pk, token=token)
    if request.method == "POST":
        signed = _attempt(
            request,
            lambda: services.attendance_sign_in(actor=request.user, meeting=meeting, token=token),
            _("签到成功，欢迎参会！"),
        )
    else:
        signed = meeting.attendances.filter(person_id=request.user.pk).first()
    summary = selectors.attendance_summary(meeting=meeting)
    return render(
        request, "meetings/checkin.html", {"meeting": meeting, "signed": signed, "attendance": summary}
    )


def _int(value: Any) -> int:
    """A posted id, or 0 when it is not a small positive number (so the lookup finds nothing)."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 18 else 0


@login_required
@require_POST
def attendance_tick(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _staff_meeting(request, pk)
    org = selectors.meeting_unit_get(meeting=meeting, pk=request.POST.get("organisation"))
    _attempt(
        request,
        lambda: services.attendance_record(actor=request.user, meeting=meeting, organisation=org),
        _("已登记 %(name)s 到会。") % {"name": org.name},
    )
    return redirect(f"{meeting.get_absolute_url()}#attendance")


@login_required
@require_POST
def proposal_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    form = ProposalForm(request.POST, meeting=meeting)
    if form.is_valid():
        d = form.cleaned_data
        _attempt(
            request,
            lambda: services.proposal_create(
                actor=request.user,
                meeting=meeting,
                title=d["title"],
                description=d["description"],
                category=d["category"],
                raised_by_org=d["raised_by_org"],
                raised_by_name=d["raised_by_name"],
            ),
            _("提议已提交。"),
        )
    else:
        messages.error(request, _("请填写议题。"))
    return redirect(f"{meeting.get_absolute_url()}#proposals")


def _staff_proposal(request: HttpRequest, pk: int) -> Proposal:
    proposal = get_object_or_404(Proposal.objects.select_related("meeting__community"), pk=pk)
    if not selectors.can_run(request.user, proposal.meeting):
        raise Http404
    return proposal


@login_required
@require_POST
def proposal_convert(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _staff_proposal(request, pk)
    form = ConvertForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _attempt(
            request,
            lambda: services.proposal_convert(
                actor=request.user,
                proposal=proposal,
                category=d["category"],
                quantity_needed=d["quantity_needed"],
                quantity_unit=d["quantity_unit"],
            ),
            _("已转为需求并放上看板。"),
        )
    else:
        messages.error(request, _("需求数量至少为 1。"))
    return redirect(f"{proposal.meeting.get_absolute_url()}#proposals")


@login_required
@require_POST
def proposal_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _staff_proposal(request, pk)
    need = Need.objects.filter(pk=request.POST.get("need") or 0, community=proposal.meeting.community).first()
    if need is None:
        messages.error(request, _("请选择本社区的需求。"))
    else:
        _attempt(
            request,
            lambda: services.proposal_link_need(actor=request.user, proposal=proposal, need=need),
            _("已与需求对接。"),
        )
    return redirect(f"{proposal.meeting.get_absolute_url()}#proposals")


@login_required
@require_POST
def proposal_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _staff_proposal(request, pk)
    _attempt(
        request,
        lambda: services.proposal_decline(
            actor=request.user, proposal=proposal, decision=request.POST.get("decision", "")
        ),
        _("已记录处理意见。"),
    )
    return redirect(f"{proposal.meeting.get_absolute_url()}#proposals")


@login_required
@require_POST
def meeting_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _staff_meeting(request, pk)
    _attempt(
        request,
        lambda: services.meeting_set_status(
            actor=request.user, meeting=meeting, status=request.POST.get("status", "")
        ),
        _("会议状态已更新。"),
    )
    return redirect(meeting)


@login_required
@require_POST
def meeting_minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _staff_meeting(request, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.meeting_record_minutes(
                actor=request.user,
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                decisions=form.cleaned_data["decisions"],
            ),
            _("会议纪要已保存。"),
        )
    return redirect(f"{meeting.get_absolute_url()}#minutes")


@login_required
@require_POST
def board_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _staff_meeting(request, pk)
    need = Need.objects.filter(pk=_int(request.POST.get("need")), community=meeting.community).first()
    if need is None:
        messages.error(request, _("请选择需求。"))
    else:
        _attempt(
            request,
            lambda: services.board_add_need(actor=request.user, meeting=meeting, need=need),
            _("已放上认领看板。"),
        )
    return redirect(f"{meeting.get_absolute_url()}#board")


@login_required
@require_POST
def claim_confirm(request: AuthenticatedHttpRequest, pk: int, claim_pk: int) -> HttpResponse:
    meeting = _staff_meeting(request, pk)
    claim = get_object_or_404(Claim, pk=claim_pk, need__community=meeting.community)
    _attempt(
        request,
        lambda: services.meeting_claim_confirm(actor=request.user, meeting=meeting, claim=claim),
        _("已确认认领。"),
    )
    return redirect(f"{meeting.get_absolute_url()}#board")


@login_required
@require_POST
def claim_confirm_all(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _staff_meeting(request, pk)
    n, refused = services.meeting_claims_confirm_all(actor=request.user, meeting=meeting)
    for claim, exc in refused:
        messages.error(request, f"{claim.organisation}：{error_text(exc)}")
    messages.success(request, _("已确认 %(n)s 项认领。") % {"n": n})
    return redirect(f"{meeting.get_absolute_url()}#board")


# ---- live board ---------------------------------------------------------------------------------


def _board_context(meeting: Meeting, version: str) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "rows": selectors.board_rows(meeting=meeting),
        "proposals": selectors.open_proposals(meeting=meeting),
        "version": version,
        "attending": selectors.attending_unit_count(meeting=meeting),
        "now": timezone.localtime(),
    }


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """The projector page: large type, no navigation, refreshes itself by polling the state fragment."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    version = selectors.board_version(meeting_id=meeting.pk)
    return render(request, "meetings/board.html", _board_context(meeting, version))


@login_required
def board_state(request: HttpRequest, pk: int) -> HttpResponse:
    """The board's live fragment, polled every second.

    Cheap when nothing changed: the client sends the version it shows (``?v=``) and gets
    204 No Content (htmx swaps nothing), and HTTP clients sending ``If-None-Match`` get 304.
    """
    meeting = selectors.meeting_get(user=request.user, pk=pk, light=True)
    version = selectors.board_version(meeting_id=meeting.pk)
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    elif request.GET.get("v") == version:
        response = HttpResponse(status=204)
    else:
        response = render(request, "meetings/_board_state.html", _board_context(meeting, version))
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def _liaison_orgs(request: HttpRequest, meeting: Meeting) -> list[Organisation]:
    scope = get_scope(request.user)
    if selectors.can_run(request.user, meeting):
        return list(
            Organisation.objects.filter(pk__in=meeting.invitations.values("organisation_id")).order_by("name")
        )
    return list(Organisation.objects.filter(pk__in=scope.org_ids).order_by("name"))


def _claiming_unit(orgs: list[Organisation], pk: int | None) -> Organisation | None:
    """The unit a claim is made for: the one chosen among *orgs*, or the only one when the form
    names none; None for a unit that is not among them."""
    if pk is None:
        return orgs[0] if len(orgs) == 1 else None
    return next((o for o in orgs if o.pk == pk), None)


@login_required
def claim_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The phone page: the meeting's needs with a claim button for the liaison's unit."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    orgs = _liaison_orgs(request, meeting)
    if not orgs:
        raise PermissionDenied
    if request.method == "POST":
        form = ClaimForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            org = _claiming_unit(orgs, d["organisation"])
            need = Need.objects.filter(pk=d["need"], community=meeting.community).first()
            if org is None:
                # A unit that is not the user's (or a guess) is refused, never replaced by another.
                messages.error(request, _("您不能代表这个单位认领：请从您的单位中选择。"))
                raise PermissionDenied
            if need is None:
                messages.error(request, _("需求不存在。"))
            else:
                _attempt(
                    request,
                    lambda: services.meeting_claim_create(
                        actor=request.user,
                        meeting=meeting,
                        need=need,
                        organisation=org,
                        quantity=d["quantity"],
                    ),
                    _("认领成功！“%(title)s”已出现在会场大屏上，待工作人员现场确认。")
                    % {"title": need.title},
                )
        else:
            messages.error(request, _("认领数量至少为 1。"))
        return redirect("meetings:claim", pk=meeting.pk)
    rows = selectors.board_rows(meeting=meeting)
    mine = {c.need_id for r in rows for c in r.claims if c.organisation_id in {o.pk for o in orgs}}
    return render(
        request,
        "meetings/claim.html",
        {
            "meeting": meeting,
            "rows": rows,
            "orgs": orgs,
            "mine": mine,
            "is_open": meeting.status == MeetingStatus.OPEN,
        },
    )
