"""Reads for meetings, always through the user's scope."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope, require_access
from lianjian.lists.models import LIVE_CLAIM_STATUSES, Claim, Need, quantity_taken
from lianjian.orgs.models import Organisation, Partnership
from lianjian.orgs.selectors import partner_units_for

from .models import Attendance, BoardItem, Invitation, Meeting, MeetingClaim, Proposal, ProposalStatus


def meeting_list(*, user: Viewer, community: Any = None, year: int | None = None) -> QuerySet[Meeting]:
    """Meetings of communities in the user's scope, plus those a liaison's unit is invited to."""
    scope = get_scope(user)
    qs = Meeting.objects.all()
    if not scope.is_superuser:
        q = Q(pk__in=[])
        if scope.region_nodes:
            q |= scope.region_q(prefix="community__")
        if scope.org_ids:
            q |= Q(pk__in=Invitation.objects.filter(organisation_id__in=scope.org_ids).values("meeting_id"))
            q |= Q(
                community_id__in=Partnership.objects.filter(organisation_id__in=scope.org_ids).values(
                    "community_id"
                )
            )
        qs = qs.filter(q)
    if community is not None:
        qs = qs.filter(community=community)
    if year:
        qs = qs.filter(starts_at__year=year)
    return (
        qs.select_related("community")
        .annotate(n_invited=Count("invitations", distinct=True))
        .order_by("-starts_at", "-id")
    )


def meeting_for(user: Viewer, pk: Any, *, change: bool = False, light: bool = False) -> Meeting:
    """The meeting *pk* if *user* may see it (and run it, with ``change``: the community's staff),
    else Http404 / PermissionDenied. ``light`` skips what only the full pages need (board polls)."""
    qs = Meeting.objects.select_related("community") if light else Meeting.objects.select_related(
        "community", "created_by")
    try:
        meeting = qs.get(pk=int(pk))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return require_access(user, meeting, change=change)


def meeting_get(*, user: Viewer, pk: Any, light: bool = False) -> Meeting:
    """A meeting the user may see; ``light`` skips what only the full pages need (board polls)."""
    return meeting_for(user, pk, light=light)


def can_run(user: Viewer, meeting: Meeting) -> bool:
    """Whether *user* runs *meeting* (the community's staff): the meeting's own write rule."""
    return get_scope(user).can_change(meeting)


@dataclass
class AttendanceSummary:
    invited: list[Any]  # Invitation rows
    present_org_ids: set[int]
    people: list[Attendance]
    guests: list[Attendance] = field(default_factory=list)  # present but not invited

    @property
    def n_invited(self) -> int:
        return len(self.invited)

    @property
    def n_present_units(self) -> int:
        return len(self.present_org_ids)

    @property
    def rows(self) -> list[tuple[Any, bool]]:
        return [(inv, inv.organisation_id in self.present_org_ids) for inv in self.invited]


def attendance_summary(*, meeting: Meeting) -> AttendanceSummary:
    """Invited units with present/absent, in two queries."""
    invited = list(Invitation.objects.filter(meeting=meeting).select_related("organisation", "person"))
    people = list(Attendance.objects.filter(meeting=meeting).select_related("organisation", "person"))
    present = {a.organisation_id for a in people if a.organisation_id}
    invited_ids = {i.organisation_id for i in invited}
    guests = [a for a in people if a.organisation_id not in invited_ids]
    return AttendanceSummary(invited=invited, present_org_ids=present, people=people, guests=guests)


def attending_unit_count(*, meeting: Meeting) -> int:
    return (
        Attendance.objects.filter(meeting=meeting, organisation__isnull=False)
        .values("organisation_id")
        .distinct()
        .count()
    )


def proposals_of(*, meeting: Meeting) -> list[Proposal]:
    return list(
        Proposal.objects.filter(meeting=meeting).select_related(
            "raised_by_org", "raised_by", "category", "need"
        )
    )


# ---- the live board ----------------------------------------------------------------------------


@dataclass
class BoardRow:
    need: Need
    claims: list[Claim]
    claimed: int  # live (pending + confirmed) quantity

    @property
    def percent(self) -> int:
        n = self.need.quantity_needed or 1
        return min(100, round(100 * quantity_taken(self.need.quantity_covered, self.claimed) / n))

    @property
    def is_full(self) -> bool:
        return self.percent >= 100 or self.need.status != "published"


def _board_version_sql() -> str:
    claim, need = Claim._meta.db_table, Need._meta.db_table
    item, meeting = BoardItem._meta.db_table, Meeting._meta.db_table
    # Only model table names are interpolated; the meeting id is a bound parameter.
    on_board = f"SELECT b.need_id FROM {item} b WHERE b.meeting_id = m.id"  # noqa: S608
    return (
        f"SELECT m.board_version, m.status, "  # noqa: S608
        f"(SELECT MAX(c.updated_at) FROM {claim} c WHERE c.need_id IN ({on_board})), "
        f"(SELECT COUNT(*) FROM {claim} c WHERE c.need_id IN ({on_board})), "
        f"(SELECT MAX(n.updated_at) FROM {need} n WHERE n.id IN ({on_board})) "
        f"FROM {meeting} m WHERE m.id = %s"
    )


def board_version(*, meeting_id: int) -> str:
    """A short fingerprint of everything the board shows, in one small indexed query.

    It covers the meeting's own version counter (bumped by every meeting service) and the claims
    and needs on the board, so a claim made elsewhere (the web list, the API) shows up too. Plain
    SQL (portable between SQLite and PostgreSQL) because the board asks this every second and the
    ORM's query compilation would cost more than the query.
    """
    with connection.cursor() as cursor:
        cursor.execute(_board_version_sql(), [meeting_id])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    raw = f"{meeting_id}|{'|'.join(str(v) for v in row)}"
    return hashlib.blake2s(raw.encode(), digest_size=8).hexdigest()


def board_rows(*, meeting: Meeting) -> list[BoardRow]:
    """The board's needs with their live claims, in two queries."""
    items = list(BoardItem.objects.filter(meeting=meeting).select_related("need__category"))
    need_ids = [i.need_id for i in items]
    claims: dict[int, list[Claim]] = {}
    for c in (
        Claim.objects.filter(need_id__in=need_ids, status__in=LIVE_CLAIM_STATUSES)
        .select_related("organisation")
        .order_by("created_at", "id")
    ):
        claims.setdefault(c.need_id, []).append(c)
    return [
        BoardRow(
            need=i.need,
            claims=claims.get(i.need_id, []),
            claimed=sum(c.quantity for c in claims.get(i.need_id, [])),
        )
        for i in items
    ]


def open_proposals(*, meeting: Meeting) -> list[Proposal]:
    return list(
        Proposal.objects.filter(meeting=meeting, status=ProposalStatus.OPEN)
        .select_related("raised_by_org")
        .order_by("created_at")
    )


def meeting_claims(*, meeting: Meeting) -> list[MeetingClaim]:
    return list(
        MeetingClaim.objects.filter(meeting=meeting)
        .select_related("claim__need", "claim__organisation", "claim__claimed_by")
        .order_by("created_at")
    )


def claimable_needs_for(*, user: Viewer, meeting: Meeting) -> list[Need]:
    """Published needs of the community not yet on the board (for staff to add)."""
    on_board = BoardItem.objects.filter(meeting=meeting).values("need_id")
    return list(
        Need.objects.filter(community=meeting.community, status="published")
        .exclude(pk__in=on_board)
        .order_by("-created_at")[:50]
    )


def meeting_unit_get(*, meeting: Meeting, pk: Any) -> Organisation:
    """A unit that may be marked present at *meeting*: one it invited or an active joint unit of its
    community; 404 for any other id."""

    invited = Invitation.objects.filter(meeting=meeting).values("organisation_id")
    text = str(pk or "")
    if not (text.isdigit() and len(text) <= 18):
        raise Http404
    unit = (Organisation.objects.filter(pk=int(text))
            .filter(Q(pk__in=invited) | Q(pk__in=partner_units_for(meeting.community).values("pk"))).first())
    if unit is None:
        raise Http404
    return unit
