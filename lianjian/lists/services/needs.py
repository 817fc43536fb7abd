"""Needs (需求): posting (form, API and ledger import share :func:`need_prepare`), editing,
photos, review (publish, return) and closing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of
from lianjian.accounts.models import Role
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.core.images import PreparedPhoto, check_photos, delete_files, store_photo
from lianjian.core.text import check_text
from lianjian.notifications.models import NotificationKind
from lianjian.notifications.services import notify, notify_each
from lianjian.orgs.models import Organisation, OrgKind

from ..models import (
    BeneficiaryGroup,
    Category,
    ClaimStatus,
    Need,
    NeedPhoto,
    NeedSource,
    NeedStatus,
    Resource,
    ResourceStatus,
    current_year,
)
from ._common import (
    MAX_NEED_PHOTOS,
    NEED_FIELDS,
    _check_unknown,
    _clean_text,
    _is_partner,
    _partnered_orgs,
    _validate_category,
    _validate_groups,
    community_staff_ids,
    liaison_ids,
)
from .claims import _decide

# ---- needs -----------------------------------------------------------------------------------

def need_default_source(actor: Actor, requester_org: Organisation | None) -> str:
    scope = get_scope(actor)
    if requester_org is not None:
        return NeedSource.SCHOOL if requester_org.kind == OrgKind.SCHOOL else NeedSource.UNIT
    if scope.is_staff_like:
        return NeedSource.STAFF
    if Role.RIDER in scope.roles:
        return NeedSource.RIDER
    return NeedSource.RESIDENT


@transaction.atomic
def need_create(*, actor: Actor, community: Any, title: str, category: Category | None,
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
    prepared = check_photos(photos, field="photo", max_files=MAX_NEED_PHOTOS)
    groups = _validate_groups(beneficiary_groups)
    need = need_prepare(actor=actor, community=community, title=title, category=category,
                        description=description, requester_org=requester_org, **fields)
    if need.deadline_in_past():
        # Posting asks for a date still ahead; a ledger import records past needs as they were.
        raise ValidationError({"wanted_by": _("期望完成日期不能早于今天。")})
    need.full_clean()
    need.save()
    if groups:
        need.beneficiary_groups.set(groups)
    for photo in prepared:
        _store_need_photo(need=need, photo=photo, actor=actor)
    record_activity(actor=actor, action="create", obj=need, changes=snapshot(need, NEED_AUDIT_FIELDS))
    needs_announce(needs=[need])
    return need


# What the audit trail records of a new need (form, API and ledger import alike).
NEED_AUDIT_FIELDS = ["title", "category", "quantity_needed", "quantity_unit", "source", "year"]


def need_prepare(*, actor: Actor, community: Any, title: str, category: Category | None, description: str = "",
                 requester_org: Organisation | None = None, status: str = NeedStatus.SUBMITTED,
                 published_at: Any = None, **fields: Any) -> Need:
    """An unsaved need carrying the rules every new need passes, whichever way it arrives (the
    form, the API, a ledger import): a trimmed title is required, the category must be an active
    one, the quantity at least 1 (said in words, not as a database error), the year and source
    get their defaults, the poster is the requester, and a need published on arrival records
    when and by whom. Every field error is raised at once. Who may post where is checked by the
    caller (:func:`need_create`, or the import's own community check); ``full_clean`` too.
    """
    errors: dict[str, Any] = {}
    title = _clean_text(title)
    if not title:
        errors["title"] = _("请填写需求标题。")
    try:
        _validate_category(category)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if fields.get("year") is None:
        fields["year"] = current_year()
    if not fields.get("source"):
        fields["source"] = need_default_source(actor, requester_org)
    if fields.get("quantity_needed") is None:
        fields.pop("quantity_needed", None)  # the model default (1)
    need = Need(community=community, title=title, category=category, description=_clean_text(description),
                requester=person_of(actor), requester_org=requester_org, status=status, **fields)
    if need.quantity_needed < 1:  # the need_quantity_positive constraint, said in words
        errors["quantity_needed"] = _("需求数量不能小于 1。")
    if status != NeedStatus.SUBMITTED:
        need.published_at, need.reviewed_by = published_at or timezone.now(), person_of(actor)
    if errors:
        raise ValidationError(errors)
    return need


def needs_announce(*, needs: Sequence[Need]) -> None:
    """Tell people about new needs as :func:`need_create` and :func:`need_publish` do, for one
    need or a whole ledger import (one INSERT of notifications after commit): the community's
    staff hear about needs waiting for review; for needs already published the requester hears
    it, and so do the units that serve the need's category."""
    messages: list[tuple[Iterable[Any], str, str, str]] = []
    staff: dict[int, list[int]] = {}
    for need in needs:
        if need.status == NeedStatus.SUBMITTED:
            if need.community_id not in staff:
                staff[need.community_id] = community_staff_ids(need.community)
            messages.append((staff[need.community_id], _("新需求待审核：%(title)s") % {"title": need.title},
                             need.get_absolute_url(), NotificationKind.NEED_SUBMITTED))
    messages += _published_messages([n for n in needs if n.status == NeedStatus.PUBLISHED])
    notify_each(messages)


def _published_messages(needs: Sequence[Need]) -> list[tuple[Iterable[Any], str, str, str]]:
    """The notifications of publishing *needs*: the requester, and the liaisons of the joint units
    that offer active resources in each need's category (looked up once per community and category)."""
    messages: list[tuple[Iterable[Any], str, str, str]] = []
    serving: dict[tuple[int, int | None], list[int]] = {}
    for need in needs:
        url = need.get_absolute_url()
        if need.requester_id:
            messages.append(([need.requester_id], _("您提交的需求“%(title)s”已发布。") % {"title": need.title},
                             url, NotificationKind.NEED_REVIEWED))
        key = (need.community_id, need.category_id)
        if key not in serving:
            units = (Resource.objects.filter(category_id=need.category_id, status=ResourceStatus.ACTIVE,
                                             organisation_id__in=_partnered_orgs(need.community))
                     .values_list("organisation_id", flat=True).distinct())
            serving[key] = liaison_ids(units)
        messages.append((serving[key], _("%(community)s发布了新需求：%(title)s") % {
            "community": need.community.name, "title": need.title}, url, NotificationKind.NEED_PUBLISHED))
    return messages


@transaction.atomic
def need_update(*, actor: Actor, need: Need, beneficiary_groups: Iterable[BeneficiaryGroup] | None = None,
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


def _store_need_photo(*, need: Need, photo: PreparedPhoto, actor: Actor, caption: str = "") -> NeedPhoto:
    """Store a checked photo (original under a random name plus public copies) for *need*."""
    row = NeedPhoto(need=need, caption=_clean_text(caption or photo.caption)[:100], uploaded_by=person_of(actor))
    try:
        store_photo(row, photo)
        row.full_clean(exclude=["uploaded_by"])  # empty when the platform itself adds a photo
        row.save()
    except Exception:
        delete_files(row)
        raise
    return row


@transaction.atomic
def need_add_photo(*, actor: Actor, need: Need, image: Any, caption: str = "") -> NeedPhoto:
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


def _staff_need(actor: Actor, need: Need) -> Need:
    """Lock the need and check that the actor runs its community."""
    need = Need.objects.select_for_update().select_related("community", "category").get(pk=need.pk)
    if not get_scope(actor).covers_region(need.community):
        raise PermissionDenied
    return need


@transaction.atomic
def need_publish(*, actor: Actor, need: Need, note: str = "") -> Need:
    """Staff publish a need under review; joint units serving its category hear about it."""
    check_text(note, field="note")
    need = _staff_need(actor, need)
    if need.status not in (NeedStatus.SUBMITTED, NeedStatus.RETURNED):
        raise ValidationError(_("只有待审核或已退回的需求可以发布。"))
    changes = apply_changes(need, {"status": NeedStatus.PUBLISHED, "published_at": timezone.now(),
                                   "reviewed_by": person_of(actor), "review_note": _clean_text(note)[:300]})
    need.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="publish", obj=need, changes=changes, note=note)
    # The requester hears, and units hear about needs in the categories they serve (where they
    # offer resources).
    notify_each(_published_messages([need]))
    return need


@transaction.atomic
def need_return(*, actor: Actor, need: Need, reason: str) -> Need:
    """Staff return a need under review with a reason; the requester may edit and resubmit it."""
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    check_text(reason, field="reason")
    need = _staff_need(actor, need)
    if need.status != NeedStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的需求可以退回。"))
    changes = apply_changes(need, {"status": NeedStatus.RETURNED, "review_note": reason[:300],
                                   "reviewed_by": person_of(actor)})
    need.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="return", obj=need, changes=changes, note=reason)
    if need.requester_id:
        notify(recipients=[need.requester_id], kind=NotificationKind.NEED_REVIEWED,
               url=need.get_absolute_url(),
               text=_("您提交的需求“%(title)s”被退回：%(reason)s") % {"title": need.title, "reason": reason})
    return need


@transaction.atomic
def need_close(*, actor: Actor, need: Need, reason: str = "") -> Need:
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
