"""Writes to accounts: users, role assignments and API tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.core.activity import record_activity, snapshot
from lianjian.core.text import check_text

from .actors import Actor
from .models import SELF_SERVICE_ROLES, ApiToken, Role, RoleAssignment, User, hash_token
from .permissions import forget_scope, get_scope

TOKEN_PREFIX = "lj_"  # noqa: S105  (a prefix, not a secret)


@transaction.atomic
def user_create(*, actor: Actor, username: str, password: str | None, real_name: str = "",
                phone: str | None = None, email: str = "", is_superuser: bool = False) -> User:
    """Create a user; the phone number must be unique and well formed."""
    user = User(username=username.strip(), real_name=real_name.strip(), phone=(phone or None), email=email,
                is_superuser=is_superuser, is_staff=is_superuser)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record_activity(actor=actor, action="create", obj=user,
                    changes=snapshot(user, ["username", "real_name", "is_superuser"]))
    return user


@transaction.atomic
def role_grant(*, actor: Actor, user: User, role: str, region: Any = None, organisation: Any = None) -> RoleAssignment:
    """Grant *role* to *user*; the granting person's scope must cover the target."""
    scope = get_scope(actor)
    if actor is not None and not scope.is_superuser:
        target_ok = (region is not None and scope.covers_region(region)) or (
            organisation is not None and scope.can_change(organisation))
        if not target_ok:
            raise PermissionDenied
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, organisation=organisation)
    if created:
        assignment.full_clean()
        record_activity(actor=actor, action="grant_role", obj=user,
                        changes={"role": [None, role], "scope": [None, str(region or organisation or "")]})
    # Staff need the admin site for the back office; only region roles get it.
    if role in (Role.REGION_ADMIN, Role.COMMUNITY_STAFF) and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget_scope(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    scope = get_scope(actor)
    target = assignment.region or assignment.organisation
    if not scope.is_superuser and (target is None or (not scope.can_change(target)
                                   and not scope.covers_region(assignment.region))):
        raise PermissionDenied
    record_activity(actor=actor, action="revoke_role", obj=assignment.user,
                    changes={"role": [assignment.role, None]})
    assignment.delete()
    forget_scope(assignment.user)


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token and return it with its raw value (shown to the user once)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称。")})
    if len(name) > 60:
        raise ValidationError({"name": _("名称不能超过 60 个字符。")})
    check_text(name, field="name", multiline=False)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], key_hash=hash_token(raw))
    record_activity(actor=user, action="create_token", obj=token, changes={"name": [None, name]})
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_activity(actor=user, action="revoke_token", obj=token)
    return token


def api_token_authenticate(raw: str) -> User | None:
    """Return the active user owning the raw token, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    try:  # key_hash is unique: get() spares first()'s ordering on every API request
        token = ApiToken.objects.active().select_related("user").get(key_hash=hash_token(raw))
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    token.touch()
    return token.user


@transaction.atomic
def home_community_set(*, actor: User, community: Any) -> list[RoleAssignment]:
    """A resident, rider or volunteer says which community they live or work in.

    Their self-service role assignments point at it; their needs go to it and its board is
    theirs. A person without such a role becomes a resident of it.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    if community is None or not getattr(community, "is_community", False):
        raise ValidationError({"community": _("请选择一个社区（村）。")})
    assignments = list(RoleAssignment.objects.select_for_update()
                       .filter(user=actor, role__in=sorted(SELF_SERVICE_ROLES)))
    if not assignments:
        if get_scope(actor).is_staff_like or get_scope(actor).is_liaison:
            raise PermissionDenied
        assignments = [RoleAssignment(user=actor, role=Role.RESIDENT)]
    before = {a.role: a.region_id for a in assignments}
    for a in assignments:
        a.region = community
        a.full_clean()
        a.save()
    if any(old != community.pk for old in before.values()):
        record_activity(actor=actor, action="set_community", obj=actor,
                        changes={"community": [sorted({str(v) for v in before.values() if v}) or None,
                                               community.name]})
    forget_scope(actor)
    return assignments
