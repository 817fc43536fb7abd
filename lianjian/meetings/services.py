"""Writes for meetings: scheduling, sign-in, proposals, the live claim board and the minutes.

Decision on meeting claims: a liaison's claim from the phone is created *pending* through the
lists ``claim_create`` service (channel ``meeting``), exactly like a claim on the web; staff confirm
it on the spot from the meeting's control page (one tap per claim, or "confirm all"). The board
shows pending claims at once, marked 待确认, so the room sees them within the poll interval, and
the meeting refuses a claim whose quantity exceeds what is not yet claimed by live (pending or
confirmed) claims, so the board can never show more than 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of, require_person
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.core.text import check_text
from lianjian.lists.models import LIVE_CLAIM_STATUSES, Claim, ClaimStatus, Need, NeedStatus, quantity_open
from lianjian.orgs.models import Organisation

from . import lists_bridge
from .models import (
    Attendance,
    AttendanceMethod,
    BoardItem,
    Invitation,
    Meeting,
    MeetingClaim,
    MeetingKind,
    MeetingStatus,
    Proposal,
    ProposalStage,
    ProposalStatus,
)
from .selectors import meeting_unit_get


def _require_staff(actor: Actor, meeting: Meeting) -> None:
    if not get_scope(actor).covers_region(meeting.community):
        raise PermissionDenied


def _bump_board(meeting: Meeting) -> None:
    """Make the next board poll see a change (the version is part of the board's ETag)."""
    Meeting.objects.filter(pk=meeting.pk).update(board_version=F("board_version") + 1)


@transaction.atomic
def meeting_create(
    *,
    actor: Actor,
    community: Any,
    title: str,
    starts_at: dt.datetime,
    venue: str,
    kind: str = MeetingKind.SUMMARY,
    agenda: str = "",
    ends_at: dt.datetime | None = None,
    review_year: int | None = None,
    invited_units: Iterable[Organisation] = (),
    invited_people: Iterable[Any] = (),
) -> Meeting:
    """Schedule a meeting of a community the actor runs and invite units (and named people)."""
    if not getattr(community, "is_community", False):
        raise ValidationError({"community": _("会议只能由社区召开。")})
    if not get_scope(actor).covers_region(community):
        raise PermissionDenied
    meeting = Meeting(
        community=community,
        kind=kind,
        title=(title or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        venue=(venue or "").strip(),
        agenda=agenda,
        review_year=review_year,
        created_by=person_of(actor),
    )
    meeting.full_clean()
    meeting.save()
    record_activity(
        actor=actor,
        action="create",
        obj=meeting,
        changes=snapshot(meeting, ["title", "kind", "starts_at", "venue"]),
    )
    for org in invited_units:
        meeting_invite(actor=actor, meeting=meeting, organisation=org)
    for person in invited_people:
        org_ids = get_scope(person).org_ids
        found = Organisation.objects.filter(pk__in=org_ids).first()
        if found is not None:
            meeting_invite(actor=actor, meeting=meeting, organisation=found, person=person)
    return meeting


@transaction.atomic
def meeting_invite(
    *, actor: Actor, meeting: Meeting, organisation: Organisation, person: Any = None
) -> Invitation:
    """Invite a unit (idempotent); naming a person records who is expected to come."""
    _require_staff(actor, meeting)
    if not get_scope(actor).can_view(organisation):
        # Units of other districts with no tie to the actor's regions are not the actor's to invite.
        raise ValidationError({"organisation": _("只能邀请本辖区的单位。")})
    invitation, created = Invitation.objects.get_or_create(
        meeting=meeting, organisation=organisation, defaults={"person": person}
    )
    if not created and person is not None and invitation.person_id != getattr(person, "pk", None):
        invitation.person = person
        invitation.save(update_fields=["person"])
    if created:
        record_activity(
            actor=actor, action="invite", obj=meeting, changes={"invited": [None, organisation.name]}
        )
    return invitation


@transaction.atomic
def meeting_set_status(*, actor: Actor, meeting: Meeting, status: str) -> Meeting:
    """Open or close a meeting; closing writes the claim summary into the minutes."""
    _require_staff(actor, meeting)
    if status not in MeetingStatus.values:
        raise ValidationError({"status": _("未知的会议状态。")})
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    data: dict[str, Any] = {"status": status}
    if status == MeetingStatus.CLOSED:
        data["claims_summary"] = claims_summary_text(meeting)
        if meeting.ends_at is None:
            data["ends_at"] = max(timezone.now(), meeting.starts_at)
    changes = apply_changes(meeting, data)
    if changes:
        meeting.full_clean()
        meeting.save(update_fields=[*changes, "updated_at"])
        record_activity(actor=actor, action="status", obj=meeting, changes=changes)
        _bump_board(meeting)
    return meeting


@transaction.atomic
def meeting_record_minutes(*, actor: Actor, meeting: Meeting, minutes: str, decisions: str = "") -> Meeting:
    """Record the minutes (纪要) and decisions; the claim summary is refreshed from the data."""
    _require_staff(actor, meeting)
    check_text(minutes, field="minutes")
    check_text(decisions, field="decisions")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    changes = apply_changes(
        meeting,
        {
            "minutes": minutes.strip(),
            "decisions": decisions.strip(),
            "claims_summary": claims_summary_text(meeting),
        },
    )
    if changes:
        meeting.save(update_fields=[*changes, "updated_at"])
        record_activity(actor=actor, action="minutes", obj=meeting, changes=changes)
    return meeting


def claims_summary_text(meeting: Meeting) -> str:
    """One line per need claimed in the meeting: '非遗文化进校园：A（牵头）、B（协办）'."""
    rows = (
        MeetingClaim.objects.filter(meeting=meeting, claim__status__in=LIVE_CLAIM_STATUSES)
        .select_related("claim__need", "claim__organisation")
        .order_by("claim__need_id", "claim__created_at")
    )
    by_need: dict[int, list[str]] = {}
    titles: dict[int, str] = {}
    for mc in rows:
        c = mc.claim
        titles[c.need_id] = c.need.title
        by_need.setdefault(c.need_id, []).append(f"{c.organisation.name}（{c.get_role_display()}）")
    return "\n".join(f"{titles[n]}：{'、'.join(units)}" for n, units in by_need.items())


# ---- attendance ------------------------------------------------------------------------------


def _attendee_org(actor: Actor, meeting: Meeting) -> Organisation | None:
    org_ids = get_scope(actor).org_ids
    if not org_ids:
        return None
    invited = (
        Invitation.objects.filter(meeting=meeting, organisation_id__in=org_ids)
        .values_list("organisation_id", flat=True)
        .first()
    )
    return Organisation.objects.filter(pk=invited or min(org_ids)).first()


@transaction.atomic
def attendance_sign_in(*, actor: Actor, meeting: Meeting, token: str) -> Attendance:
    """A logged-in person signs in by scanning the meeting's QR code; signing in twice is harmless."""
    person = require_person(actor)
    if token != meeting.checkin_token:
        raise ValidationError({"token": _("签到码无效，请扫描会场的二维码。")})
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError({"meeting": _("会议已结束，不能再签到。")})
    existing = Attendance.objects.filter(meeting=meeting, person=person).first()
    if existing:
        return existing
    attendance = Attendance(
        meeting=meeting, person=person, organisation=_attendee_org(person, meeting), method=AttendanceMethod.QR
    )
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:  # a second tap at the same moment
        return Attendance.objects.get(meeting=meeting, person=person)
    record_activity(
        actor=actor,
        action="sign_in",
        obj=meeting,
        changes={"attendance": [None, str(attendance.organisation or actor)]},
    )
    _bump_board(meeting)
    return attendance


@transaction.atomic
def attendance_record(
    *, actor: Actor, meeting: Meeting, organisation: Organisation, person: Any = None
) -> Attendance:
    """Staff tick a unit (or a person of it) as present."""
    _require_staff(actor, meeting)

    try:
        meeting_unit_get(meeting=meeting, pk=organisation.pk)
    except Http404:
        raise ValidationError({"organisation": _("该单位未受邀，也不是本社区的联建单位。")}) from None
    if person is not None:
        found = Attendance.objects.filter(meeting=meeting, person=person).first()
    else:
        found = Attendance.objects.filter(meeting=meeting, organisation=organisation).first()
    if found:
        return found
    attendance = Attendance.objects.create(
        meeting=meeting,
        organisation=organisation,
        person=person,
        method=AttendanceMethod.STAFF,
        recorded_by=person_of(actor),
    )
    record_activity(
        actor=actor, action="attendance", obj=meeting, changes={"attendance": [None, organisation.name]}
    )
    _bump_board(meeting)
    return attendance


# ---- proposals ---------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    actor: Actor,
    meeting: Meeting,
    title: str,
    description: str = "",
    category: Any = None,
    raised_by_org: Organisation | None = None,
    raised_by_name: str = "",
) -> Proposal:
    """Submit a proposal. Staff record any unit's (during the meeting too); a liaison submits for an
    invited unit of their own; a resident for themself, before the meeting closes."""
    scope = get_scope(actor)
    if not getattr(actor, "is_authenticated", False) and not scope.is_superuser:
        raise PermissionDenied
    is_staff = scope.covers_region(meeting.community)
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError({"meeting": _("会议已结束，不能再提交提议。")})
    if not is_staff:
        if raised_by_org is not None and raised_by_org.pk not in scope.org_ids:
            raise PermissionDenied
        if raised_by_org is None and scope.org_ids:
            raised_by_org = _attendee_org(actor, meeting)
        raised_by_name = ""
    elif raised_by_org is not None and not scope.can_view(raised_by_org):
        raise ValidationError({"raised_by_org": _("只能选择本辖区的单位。")})
    stage = ProposalStage.DURING if meeting.status == MeetingStatus.OPEN else ProposalStage.BEFORE
    proposal = Proposal(
        meeting=meeting,
        title=(title or "").strip(),
        description=description.strip(),
        category=category,
        raised_by_org=raised_by_org,
        raised_by_name=raised_by_name.strip(),
        raised_by=person_of(actor),
        stage=stage,
    )
    proposal.full_clean()
    proposal.save()
    record_activity(
        actor=actor,
        action="create",
        obj=proposal,
        changes=snapshot(proposal, ["title", "raised_by_org", "stage"]),
    )
    _bump_board(meeting)
    return proposal


def _lock_open_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("meeting__community").get(pk=proposal.pk)


@transaction.atomic
def proposal_convert(
    *,
    actor: Actor,
    proposal: Proposal,
    category: Any = None,
    quantity_needed: int = 1,
    quantity_unit: str = "项",
    year: int | None = None,
) -> Need:
    """Turn a proposal into a published need of the meeting's community, in one step.

    The proposal row is locked and re-read, so a double click or two staff at once get the same
    need back; the one-to-one column makes a second need impossible even if that check were missed.
    The new need is put on the meeting's board.
    """
    _require_staff(actor, proposal.meeting)
    proposal = _lock_open_proposal(proposal)
    if proposal.need is not None:
        return proposal.need  # already converted or linked: never a second need
    if proposal.status == ProposalStatus.DECLINED:
        raise ValidationError({"status": _("该提议已不予采纳，不能转为需求。")})
    category = category or proposal.category
    if category is None:
        raise ValidationError({"category": _("请选择需求类别。")})
    meeting = proposal.meeting
    need = lists_bridge.need_create_published(
        actor=actor,
        community=meeting.community,
        title=proposal.title,
        description=proposal.description or proposal.title,
        category=category,
        year=year or timezone.localtime(meeting.starts_at).year,
        requester_org=proposal.raised_by_org,
        quantity_needed=quantity_needed,
        quantity_unit=quantity_unit,
    )
    changes = apply_changes(proposal, {"need": need, "status": ProposalStatus.CONVERTED})
    proposal.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="convert", obj=proposal, changes=changes)
    board_add_need(actor=actor, meeting=meeting, need=need)
    return need


@transaction.atomic
def proposal_link_need(*, actor: Actor, proposal: Proposal, need: Need, decision: str = "") -> Proposal:
    """Match a proposal to an existing need of the community (e.g. a hiring offer to re-employment)."""
    _require_staff(actor, proposal.meeting)
    check_text(decision, field="decision")
    proposal = _lock_open_proposal(proposal)
    if need.community_id != proposal.meeting.community_id:
        raise ValidationError({"need": _("只能对接本社区的需求。")})
    if proposal.need_id == need.pk:
        return proposal
    if proposal.need_id:
        raise ValidationError({"need": _("该提议已对应一个需求。")})
    if Proposal.objects.filter(need=need).exists():
        raise ValidationError({"need": _("该需求已与另一条提议对接。")})
    changes = apply_changes(
        proposal, {"need": need, "status": ProposalStatus.LINKED, "decision": decision or proposal.decision}
    )
    proposal.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="link", obj=proposal, changes=changes)
    if need.status == NeedStatus.PUBLISHED:
        board_add_need(actor=actor, meeting=proposal.meeting, need=need)
    _bump_board(proposal.meeting)
    return proposal


@transaction.atomic
def proposal_decline(*, actor: Actor, proposal: Proposal, decision: str) -> Proposal:
    _require_staff(actor, proposal.meeting)
    proposal = _lock_open_proposal(proposal)
    if proposal.need_id:
        raise ValidationError({"status": _("已转为需求的提议不能再不予采纳。")})
    if not decision.strip():
        raise ValidationError({"decision": _("请说明不予采纳的原因。")})
    check_text(decision, field="decision")
    changes = apply_changes(proposal, {"status": ProposalStatus.DECLINED, "decision": decision.strip()})
    proposal.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="decline", obj=proposal, changes=changes)
    _bump_board(proposal.meeting)
    return proposal


# ---- the live claim board -------------------------------------------------------------------------


@transaction.atomic
def board_add_need(*, actor: Actor, meeting: Meeting, need: Need) -> BoardItem:
    """Put a published need of the community on the meeting's board (idempotent)."""
    _require_staff(actor, meeting)
    if need.community_id != meeting.community_id:
        raise ValidationError({"need": _("只能把本社区的需求放上看板。")})
    if need.status not in (NeedStatus.PUBLISHED, NeedStatus.COVERED):
        raise ValidationError({"need": _("只有已发布的需求才能放上看板。")})
    position = BoardItem.objects.filter(meeting=meeting).count()
    item, created = BoardItem.objects.get_or_create(
        meeting=meeting, need=need, defaults={"position": position}
    )
    if created:
        record_activity(actor=actor, action="board_add", obj=meeting, changes={"board": [None, need.title]})
        _bump_board(meeting)
    return item


def live_claimed_quantity(need: Need) -> int:
    return (
        Claim.objects.filter(need=need, status__in=LIVE_CLAIM_STATUSES).aggregate(n=Sum("quantity"))["n"] or 0
    )


@transaction.atomic
def meeting_claim_create(
    *,
    actor: Actor,
    meeting: Meeting,
    need: Need,
    organisation: Organisation,
    quantity: int = 1,
    resource: Any = None,
    note: str = "",
) -> Claim:
    """Claim a board need for a unit during the meeting, through the lists claim rules.

    The need row is locked first so two phones claiming the last share at the same moment are
    served one after the other; a claim beyond what is still unclaimed is refused with a message.
    The first live claim of a need makes its unit the lead, later ones are partners (协办).
    """
    scope = get_scope(actor)
    if not (scope.covers_region(meeting.community) or organisation.pk in scope.org_ids):
        raise PermissionDenied
    if meeting.status != MeetingStatus.OPEN:
        raise ValidationError({"meeting": _("会议尚未开始或已结束，现在不能会上认领。")})
    if not BoardItem.objects.filter(meeting=meeting, need=need).exists():
        raise ValidationError({"need": _("该需求不在本次会议的认领看板上。")})
    if quantity < 1:
        raise ValidationError({"quantity": _("认领数量至少为 1。")})
    need = Need.objects.select_for_update().get(pk=need.pk)
    live = Claim.objects.filter(need=need, status__in=LIVE_CLAIM_STATUSES)
    if live.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": _("本单位已认领该需求，无需重复认领。")})
    claimed = live.aggregate(n=Sum("quantity"))["n"] or 0
    # At the meeting pending claims hold their share too: staff confirm them at the end.
    still_open = quantity_open(need.quantity_needed, need.quantity_covered, reserved=claimed)
    if need.status != NeedStatus.PUBLISHED or still_open <= 0:
        raise ValidationError({"quantity": _("“%(title)s”已被认领满，感谢支持！") % {"title": need.title}})
    if quantity > still_open:
        raise ValidationError(
            {
                "quantity": _("认领数量超过剩余需求（还剩 %(n)s %(unit)s）。")
                % {"n": still_open, "unit": need.quantity_unit}
            }
        )
    role = "partner" if live.filter(role="lead").exists() else "lead"
    claim = lists_bridge.claim_create(
        actor=actor,
        need=need,
        organisation=organisation,
        resource=resource,
        quantity=quantity,
        role=role,
        note=note,
    )
    MeetingClaim.objects.create(meeting=meeting, claim=claim)
    record_activity(
        actor=actor,
        action="meeting_claim",
        obj=meeting,
        changes={"claim": [None, f"{organisation.name} → {need.title} ×{quantity}"]},
    )
    _bump_board(meeting)
    return claim


@transaction.atomic
def meeting_claim_confirm(*, actor: Actor, meeting: Meeting, claim: Claim) -> Claim:
    """Staff confirm a claim made in the meeting, on the spot."""
    _require_staff(actor, meeting)
    if not MeetingClaim.objects.filter(meeting=meeting, claim=claim).exists():
        raise ValidationError({"claim": _("该认领不是本次会议上提出的。")})
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status == ClaimStatus.CONFIRMED:
        return claim
    if claim.status != ClaimStatus.PENDING:
        raise ValidationError({"claim": _("该认领已撤回或未通过，不能确认。")})
    claim = lists_bridge.claim_confirm(actor=actor, claim=claim)
    _bump_board(meeting)
    return claim


def meeting_claims_confirm_all(*, actor: Actor, meeting: Meeting) -> tuple[int, list[tuple[Claim, ValidationError]]]:
    """Staff confirm every claim still pending from the meeting, one by one (each in its own
    transaction, so one refusal does not undo the others). Returns how many were confirmed and
    the refused claims with the reason."""
    _require_staff(actor, meeting)
    confirmed, refused = 0, []
    pending = (Claim.objects.filter(meeting_link__meeting=meeting, status=ClaimStatus.PENDING)
               .select_related("organisation").order_by("created_at", "id"))
    for claim in pending:
        try:
            meeting_claim_confirm(actor=actor, meeting=meeting, claim=claim)
            confirmed += 1
        except ValidationError as exc:
            refused.append((claim, exc))
    return confirmed, refused
