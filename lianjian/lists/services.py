"""Writes to needs (需求), resources (资源) and claims (认领).

The claim services keep two counters: a need's ``quantity_covered`` and a resource's
``remaining``. Both change only through conditional ``UPDATE … SET x = x ± q WHERE <still fits>``
statements whose row count is checked, so two units confirming the last places at the same
moment can never over-commit either one, on SQLite (IMMEDIATE transactions) and PostgreSQL
(row locks) alike. The database check constraints are the last line of defence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.models import Role, RoleAssignment
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.core.images import PreparedPhoto, check_photos, delete_files, store_photo
from lianjian.core.text import check_text
from lianjian.notifications.models import NotificationKind
from lianjian.notifications.services import notify
from lianjian.orgs.models import Organisation, OrgKind, Partnership, PartnershipStatus

from .models import (
    SHANGHAI,
    BeneficiaryGroup,
    Category,
    Claim,
    ClaimRole,
    ClaimStatus,
    Need,
    NeedPhoto,
    NeedSource,
    NeedStatus,
    Resource,
    ResourceStatus,
    current_year,
)
from .signals import claim_confirmed

MAX_NEED_PHOTOS = 9
NEED_FIELDS = ["title", "description", "category", "beneficiary_count", "quantity_needed", "quantity_unit",
               "place", "urgency", "wanted_by", "year", "source", "contact_name", "contact_phone", "lat",
               "lng",
               "requester_org", "origin_type", "origin_id"]
RESOURCE_FIELDS = ["title", "description", "category", "capacity", "capacity_unit", "valid_from",
                   "valid_until",
                   "contact_name", "contact_phone", "lat", "lng"]


# ---- helpers ---------------------------------------------------------------------------------

def _today() -> dt.date:
    return dt.datetime.now(tz=SHANGHAI).date()


def _user(actor: Any) -> Any:
    """The actor as a user row for FK columns (None for the platform itself)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_unknown(data: dict[str, Any], allowed: list[str], kind: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {kind} fields: {sorted(unknown)}")


def _partnered_orgs(community: Any) -> Any:
    return Partnership.objects.filter(community=community, status=PartnershipStatus.ACTIVE).values(
        "organisation_id")


def _is_partner(organisation: Organisation, community: Any) -> bool:
    return Partnership.objects.filter(community=community, organisation=organisation,
                                      status=PartnershipStatus.ACTIVE).exists()


def community_staff_ids(community: Any) -> list[int]:
    """Users who run *community*: its staff, falling back to the admins above it."""
    ids = list(RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, region=community)
               .values_list("user_id", flat=True))
    if not ids:
        ancestors = [pk for pk in (community.street_id, community.district_id) if pk]
        ids = list(RoleAssignment.objects.filter(role=Role.REGION_ADMIN, region_id__in=ancestors)
                   .values_list("user_id", flat=True))
    return ids


def liaison_ids(org_ids: Iterable[int]) -> list[int]:
    """Everyone who speaks for the given units (liaison role holders)."""
    return list(RoleAssignment.objects.filter(role=Role.LIAISON, organisation_id__in=list(org_ids))
                .values_list("user_id", flat=True).distinct())


def _clean_text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _validate_groups(groups: Iterable[Any]) -> list[BeneficiaryGroup]:
    result = list(groups or [])
    for g in result:
        if not isinstance(g, BeneficiaryGroup):
            raise ValidationError({"beneficiary_groups": _("未知的受益群体。")})
    return result


def _validate_category(category: Any) -> None:
    if not isinstance(category, Category):
        raise ValidationError({"category": _("请选择需求类别。")})
    if not category.is_active:
        raise ValidationError({"category": _("该类别已停用，请选择其他类别。")})


# ---- needs -----------------------------------------------------------------------------------

def need_default_source(actor: Any, requester_org: Organisation | None) -> str:
    scope = get_scope(actor)
    if requester_org is not None:
        return NeedSource.SCHOOL if requester_org.kind == OrgKind.SCHOOL else NeedSource.UNIT
    if scope.is_staff_like:
        return NeedSource.STAFF
    if Role.RIDER in scope.roles:
        return NeedSource.RIDER
    return NeedSource.RESIDENT


@transaction.atomic
def need_create(*, actor: Any, community: Any, title: str, category: Category | None,
                description: str = "", beneficiary_groups: Iterable[BeneficiaryGroup] = (), photos: Iterable[Any] = (),
                requester_org: Organisation | None = None, **fields: Any) -> Need:
    """Post a need in *community*; it waits for the community's review (status 待审核).

    Anyone logged in may post for their own community; a liaison may post on behalf of their
    unit (a joint unit of the community); staff post for communities they run.
    """
    scope = get_scope(actor)
    if not scope.is_superuser and not scope.is_authenticated:
        raise PermissionDenied
    _check_unknown(fields, NEED_FIELDS, "need")
    if community is None or not community.is_community:
        raise ValidationError({"community": _("需求只能提交到社区（村）。")})
    home = scope.home_community
    if (home is not None and community.pk != home.pk and requester_org is None and not scope.covers_region(community)
            and not _partnered_orgs(community).filter(organisation_id__in=sorted(scope.org_ids)).exists()):
        # Residents, riders and volunteers speak for the community they belong to.
        raise ValidationError({"community": _("您只能为自己所在的社区（%(name)s）提需求。") % {"name": home.name}})
    if requester_org is not None and not scope.is_superuser:
        if requester_org.pk not in scope.org_ids and not scope.covers_region(community):
            raise PermissionDenied
        if not _is_partner(requester_org, community) and not scope.covers_region(community):
            raise ValidationError({"requester_org": _("该单位不是本社区的联建单位。")})
    if requester_org is None and scope.org_ids and not scope.covers_region(community):
        # A liaison posting for a community their unit serves speaks for the unit.
        requester_org = Organisation.objects.filter(
            pk__in=scope.org_ids, partnerships__community=community).first()
    title = _clean_text(title)
    if not title:
        raise ValidationError({"title": _("请填写需求标题。")})
    prepared = check_photos(photos, field="photo", max_files=MAX_NEED_PHOTOS)
    _validate_category(category)
    groups = _validate_groups(beneficiary_groups)
    fields.setdefault("year", current_year())
    fields.setdefault("source", need_default_source(actor, requester_org))
    need = Need(community=community, title=title, category=category, description=_clean_text(description),
                requester=_user(actor), requester_org=requester_org, status=NeedStatus.SUBMITTED, **fields)
    if need.deadline_in_past():
        raise ValidationError({"wanted_by": _("期望完成日期不能早于今天。")})
    need.full_clean()
    need.save()
    if groups:
        need.beneficiary_groups.set(groups)
    for photo in prepared:
        _store_need_photo(need=need, photo=photo, actor=actor)
    record_activity(actor=actor, action="create", obj=need,
                    changes=snapshot(need, ["title", "category", "quantity_needed", "quantity_unit", "source",
                                            "year"]))
    notify(recipients=community_staff_ids(community), kind=NotificationKind.NEED_SUBMITTED,
           text=_("新需求待审核：%(title)s") % {"title": need.title}, url=need.get_absolute_url())
    return need


@transaction.atomic
def need_update(*, actor: Any, need: Need, beneficiary_groups: Iterable[BeneficiaryGroup] | None = None,
                **data: Any) -> Need:
    """Change a need. The requester edits it while under review; editing a returned need
    resubmits it. Staff of the community may correct it at any time before it is closed."""
    scope = get_scope(actor)
    need = Need.objects.select_for_update().select_related("community").get(pk=need.pk)
    if not scope.can_change(need):
        raise PermissionDenied
    if need.status == NeedStatus.CLOSED:
        raise ValidationError(_("需求已关闭，不能修改。"))
    _check_unknown(data, NEED_FIELDS, "need")
    if "title" in data:
        data["title"] = _clean_text(data["title"])
        if not data["title"]:
            raise ValidationError({"title": _("请填写需求标题。")})
    if "category" in data and data["category"] != need.category:
        _validate_category(data["category"])
    if "quantity_needed" in data and data["quantity_needed"] is not None \
            and data["quantity_needed"] < need.quantity_covered:
        raise ValidationError({"quantity_needed": _("需求数量不能少于已认领数量（%(n)s）。")
                               % {"n": need.quantity_covered}})
    changes = apply_changes(need, data)
    resubmit = need.status == NeedStatus.RETURNED and not scope.covers_region(need.community)
    if resubmit:
        changes.update(apply_changes(need, {"status": NeedStatus.SUBMITTED}))
    if need.status == NeedStatus.PUBLISHED and need.quantity_covered >= need.quantity_needed:
        changes.update(apply_changes(need, {"status": NeedStatus.COVERED}))
    elif need.status == NeedStatus.COVERED and need.quantity_covered < need.quantity_needed:
        changes.update(apply_changes(need, {"status": NeedStatus.PUBLISHED}))
    if changes:
        need.full_clean()
        need.save(update_fields=[*changes, "updated_at"])
    if beneficiary_groups is not None:
        groups = _validate_groups(beneficiary_groups)
        before = sorted(g.name for g in need.beneficiary_groups.all())
        after = sorted(g.name for g in groups)
        if before != after:
            need.beneficiary_groups.set(groups)
            changes["beneficiary_groups"] = [before, after]
    if changes:
        record_activity(actor=actor, action="resubmit" if resubmit else "update", obj=need, changes=changes)
    if resubmit:
        notify(recipients=community_staff_ids(need.community), kind=NotificationKind.NEED_SUBMITTED,
               text=_("需求已修改并重新提交：%(title)s") % {"title": need.title}, url=need.get_absolute_url())
    return need


def _store_need_photo(*, need: Need, photo: PreparedPhoto, actor: Any, caption: str = "") -> NeedPhoto:
    """Store a checked photo (original under a random name plus public copies) for *need*."""
    row = NeedPhoto(need=need, caption=_clean_text(caption or photo.caption)[:100], uploaded_by=_user(actor))
    try:
        store_photo(row, photo)
        row.full_clean(exclude=["uploaded_by"])  # empty when the platform itself adds a photo
        row.save()
    except Exception:
        delete_files(row)
        raise
    return row


@transaction.atomic
def need_add_photo(*, actor: Any, need: Need, image: Any, caption: str = "") -> NeedPhoto:
    """Attach a photo to a need (requester while under review, or staff)."""
    if not get_scope(actor).can_change(need):
        raise PermissionDenied
    checked = check_photos([image] if image else [], field="photo")
    if not checked:
        raise ValidationError({"photo": _("请选择照片。")})
    prepared = checked[0]
    if need.photos.count() >= MAX_NEED_PHOTOS:
        raise ValidationError({"photo": _("最多上传 %(n)d 张照片。") % {"n": MAX_NEED_PHOTOS}})
    photo = _store_need_photo(need=need, photo=prepared, actor=actor, caption=caption)
    record_activity(actor=actor, action="add_photo", obj=need, changes={"photo": [None, photo.image.name]})
    return photo


def _staff_need(actor: Any, need: Need) -> Need:
    """Lock the need and check that the actor runs its community."""
    need = Need.objects.select_for_update().select_related("community", "category").get(pk=need.pk)
    if not get_scope(actor).covers_region(need.community):
        raise PermissionDenied
    return need


@transaction.atomic
def need_publish(*, actor: Any, need: Need, note: str = "") -> Need:
    """Staff publish a need under review; joint units serving its category hear about it."""
    check_text(note, field="note")
    need = _staff_need(actor, need)
    if need.status not in (NeedStatus.SUBMITTED, NeedStatus.RETURNED):
        raise ValidationError(_("只有待审核或已退回的需求可以发布。"))
    changes = apply_changes(need, {"status": NeedStatus.PUBLISHED, "published_at": timezone.now(),
                                   "reviewed_by": _user(actor), "review_note": _clean_text(note)[:300]})
    need.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="publish", obj=need, changes=changes, note=note)
    url = need.get_absolute_url()
    if need.requester_id:
        notify(recipients=[need.requester_id], kind=NotificationKind.NEED_REVIEWED, url=url,
               text=_("您提交的需求“%(title)s”已发布。") % {"title": need.title})
    # Units hear about needs in the categories they serve, i.e. where they offer resources.
    serving = (Resource.objects.filter(category=need.category, status=ResourceStatus.ACTIVE,
                                       organisation_id__in=_partnered_orgs(need.community))
               .values_list("organisation_id", flat=True).distinct())
    notify(recipients=liaison_ids(serving), kind=NotificationKind.NEED_PUBLISHED, url=url,
           text=_("%(community)s发布了新需求：%(title)s") % {"community": need.community.name,
                                                             "title": need.title})
    return need


@transaction.atomic
def need_return(*, actor: Any, need: Need, reason: str) -> Need:
    """Staff return a need under review with a reason; the requester may edit and resubmit it."""
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    check_text(reason, field="reason")
    need = _staff_need(actor, need)
    if need.status != NeedStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的需求可以退回。"))
    changes = apply_changes(need, {"status": NeedStatus.RETURNED, "review_note": reason[:300],
                                   "reviewed_by": _user(actor)})
    need.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="return", obj=need, changes=changes, note=reason)
    if need.requester_id:
        notify(recipients=[need.requester_id], kind=NotificationKind.NEED_REVIEWED,
               url=need.get_absolute_url(),
               text=_("您提交的需求“%(title)s”被退回：%(reason)s") % {"title": need.title, "reason": reason})
    return need


@transaction.atomic
def need_close(*, actor: Any, need: Need, reason: str = "") -> Need:
    """Staff close a need; it takes no more claims and pending claims are declined."""
    need = _staff_need(actor, need)
    if need.status == NeedStatus.CLOSED:
        raise ValidationError(_("需求已关闭。"))
    reason = _clean_text(reason)
    check_text(reason, field="reason")
    changes = apply_changes(need, {"status": NeedStatus.CLOSED})
    need.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="close", obj=need, changes=changes, note=reason)
    for claim in list(need.claims.filter(status=ClaimStatus.PENDING)):
        _decide(actor=actor, claim=claim, status=ClaimStatus.DECLINED, reason=_("需求已关闭"))
    return need


# ---- resources -------------------------------------------------------------------------------

def _may_act_for(scope: Any, organisation: Organisation) -> bool:
    """Liaisons act for their unit; staff for units partnered with a community they run."""
    if scope.is_superuser or organisation.pk in scope.org_ids:
        return True
    return bool(scope.region_nodes) and Partnership.objects.filter(
        scope.region_q(prefix="community__"), organisation=organisation).exists()


def _validate_capacity(capacity: Any) -> None:
    if capacity is None or not isinstance(capacity, int) or capacity < 1:
        raise ValidationError({"capacity": _("总量必须是大于 0 的整数。")})


def _resource_communities(scope: Any, organisation: Organisation,
                          communities: Iterable[Any] | None) -> list[Any]:
    partnered = Partnership.objects.filter(organisation=organisation, status=PartnershipStatus.ACTIVE)
    if communities is None:
        qs = partnered.select_related("community")
        if not scope.is_superuser and organisation.pk not in scope.org_ids:
            qs = qs.filter(scope.region_q(prefix="community__"))
        return [p.community for p in qs]
    chosen = list(communities)
    allowed = set(partnered.values_list("community_id", flat=True))
    if any(c.pk not in allowed for c in chosen):
        raise ValidationError({"communities": _("所选社区不是该单位的联建社区。")})
    if not scope.is_superuser and organisation.pk not in scope.org_ids and \
            any(not scope.covers_region(c) for c in chosen):
        # Staff place a shared unit's resource only in the communities they run.
        raise ValidationError({"communities": _("只能选择您负责的社区。")})
    return chosen


@transaction.atomic
def resource_create(*, actor: Any, organisation: Organisation, title: str, category: Category | None,
                    capacity: int, capacity_unit: str = "人", description: str = "",
                    beneficiary_groups: Iterable[BeneficiaryGroup] = (),
                    communities: Iterable[Any] | None = None,
                    **fields: Any) -> Resource:
    """Offer a resource of *organisation* to its communities (all partnered ones by default)."""
    scope = get_scope(actor)
    if not _may_act_for(scope, organisation):
        raise PermissionDenied
    _check_unknown(fields, RESOURCE_FIELDS, "resource")
    title = _clean_text(title)
    if not title:
        raise ValidationError({"title": _("请填写资源标题。")})
    _validate_category(category)
    _validate_capacity(capacity)
    groups = _validate_groups(beneficiary_groups)
    served = _resource_communities(scope, organisation, communities)
    resource = Resource(organisation=organisation, title=title, category=category, capacity=capacity,
                        remaining=capacity, capacity_unit=_clean_text(capacity_unit) or "人",
                        description=_clean_text(description), created_by=_user(actor), **fields)
    resource.full_clean()
    if resource.valid_from and resource.valid_until and resource.valid_until < resource.valid_from:
        raise ValidationError({"valid_until": _("有效期止不能早于有效期起。")})
    resource.save()
    if groups:
        resource.beneficiary_groups.set(groups)
    if served:
        resource.communities.set(served)
    record_activity(actor=actor, action="create", obj=resource,
                    changes=snapshot(resource, ["title", "category", "capacity", "capacity_unit",
                                                "organisation"]))
    return resource


@transaction.atomic
def resource_update(*, actor: Any, resource: Resource,
                    beneficiary_groups: Iterable[BeneficiaryGroup] | None = None,
                    communities: Iterable[Any] | None = None, **data: Any) -> Resource:
    """Change a resource. A new capacity moves ``remaining`` by the same amount and may not
    fall below what confirmed claims already use."""
    scope = get_scope(actor)
    resource = Resource.objects.select_for_update().select_related("organisation").get(pk=resource.pk)
    if not _may_act_for(scope, resource.organisation):
        raise PermissionDenied
    _check_unknown(data, RESOURCE_FIELDS, "resource")
    if "title" in data:
        data["title"] = _clean_text(data["title"])
        if not data["title"]:
            raise ValidationError({"title": _("请填写资源标题。")})
    if "category" in data and data["category"] != resource.category:
        _validate_category(data["category"])
    new_capacity = data.pop("capacity", resource.capacity)
    _validate_capacity(new_capacity)
    changes = apply_changes(resource, data)
    if changes:
        resource.full_clean(exclude=["capacity", "remaining"])
        if resource.valid_from and resource.valid_until and resource.valid_until < resource.valid_from:
            raise ValidationError({"valid_until": _("有效期止不能早于有效期起。")})
        resource.save(update_fields=[*changes, "updated_at"])
    delta = new_capacity - resource.capacity
    if delta:
        # Only if the places already committed still fit: remaining + delta must stay >= 0.
        updated = Resource.objects.filter(pk=resource.pk, capacity=resource.capacity,
                                          remaining__gte=max(0, -delta)).update(
            capacity=new_capacity, remaining=F("remaining") + delta, updated_at=timezone.now())
        if not updated:
            resource.refresh_from_db(fields=["capacity", "remaining"])
            raise ValidationError({"capacity": _("总量不能少于已确认认领的数量（%(n)s）。")
                                   % {"n": resource.committed}})
        changes["capacity"] = [resource.capacity, new_capacity]
        resource.refresh_from_db(fields=["capacity", "remaining"])
    if beneficiary_groups is not None:
        resource.beneficiary_groups.set(_validate_groups(beneficiary_groups))
    if communities is not None:
        resource.communities.set(_resource_communities(scope, resource.organisation, communities))
        changes["communities"] = [None, sorted(c.name for c in resource.communities.all())]
    if changes:
        record_activity(actor=actor, action="update", obj=resource, changes=changes)
    return resource


@transaction.atomic
def resource_set_status(*, actor: Any, resource: Resource, status: str, reason: str = "") -> Resource:
    """Pause, resume or withdraw a resource; a withdrawn resource cannot come back."""
    scope = get_scope(actor)
    resource = Resource.objects.select_for_update().select_related("organisation").get(pk=resource.pk)
    if not _may_act_for(scope, resource.organisation):
        raise PermissionDenied
    if status not in ResourceStatus.values:
        raise ValidationError({"status": _("未知的状态。")})
    if resource.status == ResourceStatus.WITHDRAWN and status != ResourceStatus.WITHDRAWN:
        raise ValidationError({"status": _("已撤回的资源不能恢复，请重新发布。")})
    changes = apply_changes(resource, {"status": status})
    if changes:
        resource.save(update_fields=[*changes, "updated_at"])
        record_activity(actor=actor, action="set_status", obj=resource, changes=changes, note=reason)
    return resource


# ---- claims ----------------------------------------------------------------------------------

def _need_closed_message(need: Need) -> str:
    if need.status == NeedStatus.CLOSED:
        return _("该需求已关闭，不能认领。")
    if need.status == NeedStatus.COVERED:
        return _("该需求已认领满，不能再认领。")
    return _("该需求尚未发布，暂不能认领。")


@transaction.atomic
def claim_create(*, actor: Any, need: Need, organisation: Organisation, resource: Resource | None = None,
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
                            status__in=[ClaimStatus.PENDING, ClaimStatus.CONFIRMED]).exists():
        raise ValidationError({"organisation": _("本单位已认领该需求，请勿重复认领。")})
    claim = Claim(need=need, organisation=organisation, resource=resource, quantity=quantity, role=role,
                  note=_clean_text(note)[:300], channel=channel[:10], claimed_by=_user(actor))
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
def claim_confirm(*, actor: Any, claim: Claim) -> Claim:
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
            status=ClaimStatus.CONFIRMED, decided_by=_user(actor), decided_at=now, updated_at=now):
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
def claim_create_confirmed(*, actor: Any, need: Need, organisation: Organisation,
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


def _decide(*, actor: Any, claim: Claim, status: str, reason: str) -> Claim:
    now = timezone.now()
    if not Claim.objects.filter(pk=claim.pk, status=ClaimStatus.PENDING).update(
            status=status, reason=reason[:300], decided_by=_user(actor), decided_at=now, updated_at=now):
        raise ValidationError(_("只有待确认的认领可以处理。"))
    claim.refresh_from_db()
    record_activity(actor=actor, action="decline", obj=claim,
                    changes={"status": [ClaimStatus.PENDING, status]}, note=reason)
    _notify_claimant(claim, _("您单位对“%(title)s”的认领未通过：%(reason)s")
                     % {"title": claim.need.title, "reason": reason})
    return claim


@transaction.atomic
def claim_decline(*, actor: Any, claim: Claim, reason: str) -> Claim:
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
def claim_withdraw(*, actor: Any, claim: Claim, reason: str) -> Claim:
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
    if was not in (ClaimStatus.PENDING, ClaimStatus.CONFIRMED) or not Claim.objects.filter(
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
