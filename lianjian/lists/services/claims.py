"""Claims (认领): a unit claims a need, staff confirm or decline it, the unit withdraws it.

A need's ``quantity_covered`` and a resource's ``remaining`` change only through conditional
``UPDATE … SET x = x ± q WHERE <still fits>`` statements whose row count is checked, so two
units confirming the last places at the same moment can never over-commit either one, on
SQLite (IMMEDIATE transactions) and PostgreSQL (row locks) alike. The database check
constraints are the last line of defence.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import record_activity, snapshot
from lianjian.core.text import check_text
from lianjian.notifications.models import NotificationKind
from lianjian.notifications.services import notify
from lianjian.orgs.models import Organisation

from ..models import LIVE_CLAIM_STATUSES, Claim, ClaimRole, ClaimStatus, Need, NeedStatus, Resource, ResourceStatus
from ..signals import claim_confirmed
from ._common import _clean_text, _is_partner, _today, community_staff_ids, liaison_ids

# ---- claims ----------------------------------------------------------------------------------

def _need_closed_message(need: Need) -> str:
    if need.status == NeedStatus.CLOSED:
        return _("该需求已关闭，不能认领。")
    if need.status == NeedStatus.COVERED:
        return _("该需求已认领满，不能再认领。")
    return _("该需求尚未发布，暂不能认领。")


@transaction.atomic
def claim_create(*, actor: Actor, need: Need, organisation: Organisation, resource: Resource | None = None,
                 quantity: int = 1, role: str = ClaimRole.LEAD, note: str = "",
                 channel: str = "web") -> Claim:
    """A joint unit claims a published need, optionally backed by one of its resources.

    The claim waits for the community's confirmation; nothing is counted until then, but a
    quantity above what the need or the resource still has is refused right away.
    """
    scope = get_scope(actor)
    need = Need.objects.select_for_update().select_related("community").get(pk=need.pk)
    if organisation.pk not in scope.org_ids and not scope.covers_region(need.community):
        raise PermissionDenied
    if not _is_partner(organisation, need.community):
        raise ValidationError({"organisation": _("该单位不是本社区的联建单位，不能认领。")})
    if need.status != NeedStatus.PUBLISHED:
        raise ValidationError({"need": _need_closed_message(need)})
    if role not in ClaimRole.values:
        raise ValidationError({"role": _("未知的认领角色。")})
    if not isinstance(quantity, int) or quantity < 1:
        raise ValidationError({"quantity": _("认领数量至少为 1。")})
    if quantity > need.quantity_open:
        raise ValidationError({"quantity": _("认领数量超过需求剩余数量（剩余 %(n)s %(unit)s）。")
                               % {"n": need.quantity_open, "unit": need.quantity_unit}})
    if resource is not None:
        resource = Resource.objects.get(pk=resource.pk)
        if resource.organisation_id != organisation.pk:
            raise ValidationError({"resource": _("只能使用本单位的资源。")})
        if resource.status != ResourceStatus.ACTIVE:
            raise ValidationError({"resource": _("该资源已暂停或撤回，不能用于认领。")})
        if not resource.is_valid_on(_today()):
            raise ValidationError({"resource": _("该资源不在有效期内。")})
        if quantity > resource.remaining:
            raise ValidationError({"quantity": _("认领数量超过资源剩余数量（剩余 %(n)s %(unit)s）。")
                                   % {"n": resource.remaining, "unit": resource.capacity_unit}})
    if Claim.objects.filter(need=need, organisation=organisation,
                            status__in=LIVE_CLAIM_STATUSES).exists():
        raise ValidationError({"organisation": _("本单位已认领该需求，请勿重复认领。")})
    claim = Claim(need=need, organisation=organisation, resource=resource, quantity=quantity, role=role,
                  note=_clean_text(note)[:300], channel=channel[:10], claimed_by=person_of(actor))
    claim.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        # Two requests of the same unit raced past the check above; the constraint decided.
        raise ValidationError({"organisation": _("本单位已认领该需求，请勿重复认领。")}) from None
    record_activity(actor=actor, action="claim", obj=claim,
                    changes=snapshot(claim, ["organisation", "resource", "quantity", "role",
                                             "channel"]), note=note)
    if not scope.covers_region(need.community):
        notify(recipients=community_staff_ids(need.community), kind=NotificationKind.CLAIM_NEW,
               url=claim.get_absolute_url(),
               text=_("%(org)s认领了需求“%(title)s”，请确认。") % {"org": organisation.name,
                                                                   "title": need.title})
    return claim


def _notify_claimant(claim: Claim, text: str) -> None:
    recipients = set(liaison_ids([claim.organisation_id]))
    if claim.claimed_by_id:
        recipients.add(claim.claimed_by_id)
    notify(recipients=sorted(recipients), kind=NotificationKind.CLAIM_DECIDED, text=text,
           url=claim.get_absolute_url())


@transaction.atomic
def claim_confirm(*, actor: Actor, claim: Claim) -> Claim:
    """Staff confirm a pending claim: the need's coverage goes up and the resource's remaining
    places go down by the claimed quantity, atomically and never past their limits.

    The first confirmed lead stays the lead; a later claim that asked to lead becomes a partner.
    """
    claim = Claim.objects.select_related("need__community", "organisation", "resource").get(pk=claim.pk)
    need = claim.need
    if not get_scope(actor).covers_region(need.community):
        raise PermissionDenied
    # Serialise confirmations of the same need (PostgreSQL row lock; SQLite's IMMEDIATE
    # transactions already queue writers).
    Need.objects.select_for_update().filter(pk=need.pk).first()
    now = timezone.now()
    # 1. Only one confirmation of this claim can win, so nothing is counted twice.
    if not Claim.objects.filter(pk=claim.pk, status=ClaimStatus.PENDING).update(
            status=ClaimStatus.CONFIRMED, decided_by=person_of(actor), decided_at=now, updated_at=now):
        claim.refresh_from_db()
        raise ValidationError(_("该认领已处理（%(status)s），不能重复确认。")
                              % {"status": claim.get_status_display()})
    q = claim.quantity
    # 2. The need's coverage, only while published and only if it still fits.
    if not Need.objects.filter(pk=need.pk, status=NeedStatus.PUBLISHED,
                               quantity_covered__lte=F("quantity_needed") - q).update(
            quantity_covered=F("quantity_covered") + q, updated_at=now):
        need.refresh_from_db()
        if need.status != NeedStatus.PUBLISHED:
            raise ValidationError({"need": _need_closed_message(need)})
        raise ValidationError({"quantity": _("认领数量超过需求剩余数量（剩余 %(n)s %(unit)s）。")
                               % {"n": need.quantity_open, "unit": need.quantity_unit}})
    # 3. The resource's remaining places, only while active and only if enough remain.
    if claim.resource_id and not Resource.objects.filter(
            pk=claim.resource_id, status=ResourceStatus.ACTIVE, remaining__gte=q).update(
            remaining=F("remaining") - q, updated_at=now):
        res = Resource.objects.get(pk=claim.resource_id)
        if res.status != ResourceStatus.ACTIVE:
            raise ValidationError({"resource": _("该资源已暂停或撤回，不能用于认领。")})
        raise ValidationError({"quantity": _("认领数量超过资源剩余数量（剩余 %(n)s %(unit)s）。")
                               % {"n": res.remaining, "unit": res.capacity_unit}})
    # 4. Fully covered needs leave the open list.
    Need.objects.filter(pk=need.pk, status=NeedStatus.PUBLISHED,
                        quantity_covered__gte=F("quantity_needed")).update(status=NeedStatus.COVERED)
    if claim.role == ClaimRole.LEAD and Claim.objects.filter(
            need=need, role=ClaimRole.LEAD, status=ClaimStatus.CONFIRMED).exclude(pk=claim.pk).exists():
        Claim.objects.filter(pk=claim.pk).update(role=ClaimRole.PARTNER)
    claim.refresh_from_db()
    need.refresh_from_db()
    record_activity(actor=actor, action="confirm", obj=claim,
                    changes={"status": [ClaimStatus.PENDING, ClaimStatus.CONFIRMED], "role": [None,
                                                                                              claim.role]})
    record_activity(actor=actor, action="cover", obj=need,
                    changes={"quantity_covered": [need.quantity_covered - q, need.quantity_covered],
                             "status": [None, need.status]},
                    note=claim.organisation.name)
    claim_confirmed.send(sender=Claim, claim=claim, actor=actor)
    _notify_claimant(claim, _("您单位对“%(title)s”的认领已确认。") % {"title": need.title})
    return claim


@transaction.atomic
def claim_create_confirmed(*, actor: Actor, need: Need, organisation: Organisation,
                           resource: Resource | None = None,
                           quantity: int = 1, role: str = ClaimRole.LEAD, note: str = "",
                           channel: str = "meeting") -> Claim:
    """Staff record a claim made on the spot (e.g. at the annual meeting) and confirm it at once.

    Both steps run in one transaction: if the confirmation does not fit, no claim is left behind.
    """
    if not get_scope(actor).covers_region(need.community):
        raise PermissionDenied
    claim = claim_create(actor=actor, need=need, organisation=organisation, resource=resource,
                         quantity=quantity, role=role, note=note, channel=channel)
    return claim_confirm(actor=actor, claim=claim)


def _decide(*, actor: Actor, claim: Claim, status: str, reason: str) -> Claim:
    now = timezone.now()
    if not Claim.objects.filter(pk=claim.pk, status=ClaimStatus.PENDING).update(
            status=status, reason=reason[:300], decided_by=person_of(actor), decided_at=now, updated_at=now):
        raise ValidationError(_("只有待确认的认领可以处理。"))
    claim.refresh_from_db()
    record_activity(actor=actor, action="decline", obj=claim,
                    changes={"status": [ClaimStatus.PENDING, status]}, note=reason)
    _notify_claimant(claim, _("您单位对“%(title)s”的认领未通过：%(reason)s")
                     % {"title": claim.need.title, "reason": reason})
    return claim


@transaction.atomic
def claim_decline(*, actor: Actor, claim: Claim, reason: str) -> Claim:
    """Staff decline a pending claim with a reason; nothing was counted, so nothing is undone."""
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("请填写不通过的原因。")})
    check_text(reason, field="reason")
    claim = Claim.objects.select_related("need__community", "organisation").get(pk=claim.pk)
    if not get_scope(actor).covers_region(claim.need.community):
        raise PermissionDenied
    return _decide(actor=actor, claim=claim, status=ClaimStatus.DECLINED, reason=reason)


@transaction.atomic
def claim_withdraw(*, actor: Actor, claim: Claim, reason: str) -> Claim:
    """The claiming unit (or staff) withdraws a claim with a reason. A confirmed claim gives
    its quantity back to the need (reopening it if it was covered) and to the resource."""
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("请填写撤回原因。")})
    check_text(reason, field="reason")
    claim = Claim.objects.select_related("need__community", "organisation").get(pk=claim.pk)
    scope = get_scope(actor)
    if claim.organisation_id not in scope.org_ids and not scope.covers_region(claim.need.community):
        raise PermissionDenied
    Need.objects.select_for_update().filter(pk=claim.need_id).first()
    was = claim.status
    now = timezone.now()
    if was not in LIVE_CLAIM_STATUSES or not Claim.objects.filter(
            pk=claim.pk, status=was).update(status=ClaimStatus.WITHDRAWN, reason=reason[:300],
                                            updated_at=now):
        raise ValidationError(_("该认领已结束，不能撤回。"))
    q = claim.quantity
    if was == ClaimStatus.CONFIRMED:
        Need.objects.filter(pk=claim.need_id, quantity_covered__gte=q).update(
            quantity_covered=F("quantity_covered") - q, updated_at=now)
        Need.objects.filter(pk=claim.need_id, status=NeedStatus.COVERED,
                            quantity_covered__lt=F("quantity_needed")).update(status=NeedStatus.PUBLISHED)
        if claim.resource_id:
            Resource.objects.filter(pk=claim.resource_id, remaining__lte=F("capacity") - q).update(
                remaining=F("remaining") + q, updated_at=now)
    claim.refresh_from_db()
    record_activity(actor=actor, action="withdraw", obj=claim, changes={"status": [was,
                                                                                   ClaimStatus.WITHDRAWN]},
                    note=reason)
    need = claim.need
    if claim.organisation_id in scope.org_ids:
        notify(recipients=community_staff_ids(need.community), kind=NotificationKind.CLAIM_WITHDRAWN,
               url=claim.get_absolute_url(),
               text=_("%(org)s撤回了对“%(title)s”的认领：%(reason)s")
               % {"org": claim.organisation.name, "title": need.title, "reason": reason})
    else:
        _notify_claimant(claim, _("您单位对“%(title)s”的认领已被撤回：%(reason)s")
                         % {"title": need.title, "reason": reason})
    return claim
