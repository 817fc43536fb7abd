"""Writes for matching: inviting a unit to claim, and accepting the invitation in one click."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import record_activity
from lianjian.lists.models import Claim, Need, Resource
from lianjian.lists.services import claim_create, liaison_ids
from lianjian.notifications.models import NotificationKind
from lianjian.notifications.services import notify
from lianjian.orgs.models import Organisation, Partnership, PartnershipStatus

from .models import ClaimInvitation


@transaction.atomic
def invitation_create(*, actor: Actor, need: Need, organisation: Organisation, resource: Resource | None = None,
                      score: float = 0.0, reasons: list[str] | None = None) -> ClaimInvitation:
    """Staff invite a joint unit to claim a need; its liaisons get a notification with a claim link."""
    if not get_scope(actor).covers_region(need.community):
        raise PermissionDenied
    if not Partnership.objects.filter(community=need.community, organisation=organisation,
                                      status=PartnershipStatus.ACTIVE).exists():
        raise ValidationError({"organisation": _("该单位不是本社区的联建单位。")})
    if resource is not None and resource.organisation_id != organisation.pk:
        raise ValidationError({"resource": _("资源不属于该单位。")})
    if ClaimInvitation.objects.filter(need=need, organisation=organisation).exists():
        raise ValidationError({"organisation": _("已经邀请过该单位。")})
    invitation = ClaimInvitation.objects.create(
        need=need, organisation=organisation, resource=resource, score=score, reasons=list(reasons or [])[:8],
        invited_by=person_of(actor))
    record_activity(actor=actor, action="invite", obj=need,
                    changes={"invited": [None, organisation.name]})
    notify(recipients=liaison_ids([organisation.pk]), kind=NotificationKind.INFO,
           url=invitation.get_absolute_url(),
           text=_("%(community)s邀请贵单位认领需求“%(title)s”。") % {"community": need.community.name,
                                                                   "title": need.title})
    return invitation


def has_liaison(organisation: Organisation) -> bool:
    """Does anyone receive the unit's notifications?"""
    return bool(liaison_ids([organisation.pk]))


@transaction.atomic
def invitation_accept(*, actor: Actor, invitation: ClaimInvitation, quantity: int = 1,
                      resource: Resource | None = None) -> Claim:
    """The invited unit's liaison claims the need (the usual claim rules apply)."""
    invitation = ClaimInvitation.objects.select_for_update().select_related("need", "organisation").get(
        pk=invitation.pk)
    if invitation.organisation_id not in get_scope(actor).org_ids:
        raise PermissionDenied
    if invitation.claim_id is not None:
        raise ValidationError({"__all__": _("该邀请已经认领过了。")})
    claim = claim_create(actor=actor, need=invitation.need, organisation=invitation.organisation,
                         resource=resource if resource is not None else invitation.resource, quantity=quantity,
                         channel="invite")
    invitation.claim = claim
    invitation.save(update_fields=["claim"])
    return claim
