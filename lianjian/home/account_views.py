"""The person's account page: who they are, their roles, their community and their API tokens.

It sits in the shell app, above the domains, because choosing one's community reads the region
tree; log-in, log-out and tokens stay in ``lianjian.accounts.views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.accounts import services
from lianjian.accounts.forms import TokenForm
from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.models import ApiToken
from lianjian.accounts.permissions import get_scope
from lianjian.core.text import error_text
from lianjian.regions.models import Region
from lianjian.regions.selectors import community_search


@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's account: who they are, their roles, their community and their API tokens."""
    scope = get_scope(request.user)
    q = (request.GET.get("q") or "").strip()
    return render(request, "accounts/account.html", {
        "scope": scope, "home_community": scope.home_community,
        "choose_community": scope.is_self_service,
        "q": q, "results": community_search(q=q) if q else None, "next": reverse("accounts:account"),
        "roles": list(request.user.roles.select_related("region", "organisation")),
        "tokens": ApiToken.objects.filter(user=request.user), "form": TokenForm(),
    })


@login_required
@require_POST
def community_set(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A resident, rider or volunteer chooses their community."""
    pk = _int(request.POST.get("community"))
    community = Region.objects.communities().filter(pk=pk).first() if pk is not None else None
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("accounts:account")
    try:
        services.home_community_set(actor=request.user, community=community)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(reverse("accounts:account") + "#community")
    except PermissionDenied:
        messages.error(request, _("您的角色由社区或单位管理，不能自己选择社区。"))
        return redirect(reverse("accounts:account") + "#community")
    messages.success(request, _("已设为您的社区：%(name)s") % {"name": community.name if community else ""})
    return redirect(target)


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None
