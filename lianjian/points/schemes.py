"""Staff set up a scheme and its earning rules; people choose how they appear on the leaderboard."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lianjian.accounts.models import User
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity
from lianjian.regions.models import Region

from .ledger import Actor, require_manager
from .models import Account, EarningRule, Scheme, Trigger

SCHEME_FIELDS = ["name", "expiry_months", "hold_days", "approval_threshold", "is_active"]


@transaction.atomic
def scheme_save(*, actor: Actor, region: Region, **data: Any) -> Scheme:
    """Open or change the scheme of a community or street (staff over it)."""
    if not get_scope(actor).covers_region(region):
        raise PermissionDenied
    if region.kind not in ("community", "street"):
        raise ValidationError({"region": _("积分方案只能设在社区或街道。")})
    scheme = Scheme.objects.select_for_update().filter(region=region).first()
    created = scheme is None
    if scheme is None:
        scheme = Scheme(region=region, name=_("%(region)s积分") % {"region": region.name})
    changes = apply_changes(scheme, {k: v for k, v in data.items() if k in SCHEME_FIELDS})
    scheme.full_clean()
    try:
        with transaction.atomic():
            scheme.save()
    except IntegrityError:  # opened by someone else a moment ago
        raise ValidationError({"region": _("这个社区已经有积分方案了，请刷新页面。")}) from None
    record_activity(actor=actor, action="create" if created else "points_scheme", obj=scheme, changes=changes)
    return scheme


@transaction.atomic
def rule_save(*, actor: Actor, scheme: Scheme, trigger: str, points: int, category_code: str = "",
              cap_per_activity: int | None = None, is_active: bool = True) -> EarningRule:
    """Set how many points a kind of deed earns (one rule per kind and report category)."""
    require_manager(actor, scheme)
    if trigger not in {t.value for t in Trigger} or trigger == Trigger.MANUAL:
        raise ValidationError({"trigger": _("请选择获得方式。")})
    if trigger != Trigger.REPORT:
        category_code = ""
    if trigger != Trigger.HOUR:
        cap_per_activity = None
    rule = EarningRule.objects.select_for_update().filter(scheme=scheme, trigger=trigger,
                                                          category_code=category_code).first()
    if rule is None:
        rule = EarningRule(scheme=scheme, trigger=trigger, category_code=category_code, points=0)
    changes = apply_changes(rule, {"points": points, "cap_per_activity": cap_per_activity, "is_active": is_active})
    rule.full_clean(validate_unique=False)
    rule.save()
    record_activity(actor=actor, action="points_rule", obj=rule, changes=changes, note=str(scheme))
    return rule


@transaction.atomic
def account_settings(*, actor: User, account: Account, display_name: str, leaderboard_opt_out: bool) -> Account:
    """A person chooses their leaderboard name, or stays off the leaderboard."""
    if account.person_id != actor.pk:
        raise PermissionDenied
    account = Account.objects.select_for_update().get(pk=account.pk)
    changes = apply_changes(account, {"display_name": (display_name or "").strip(),
                                      "leaderboard_opt_out": leaderboard_opt_out})
    account.full_clean(exclude=["scheme", "person"])
    account.save(update_fields=list(changes) or ["display_name"])
    record_activity(actor=actor, action="points_account_settings", obj=account, changes=changes)
    return account
