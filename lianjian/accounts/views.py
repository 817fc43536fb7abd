from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.regions.models import Region

from . import services
from .forms import LoginForm, TokenForm
from .http import AuthenticatedHttpRequest
from .models import ApiToken
from .permissions import get_scope


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List, create and revoke the user's personal API tokens."""
    form = TokenForm(request.POST or None)
    new_raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("令牌已创建。请立即复制，它只显示这一次。"))
            form = TokenForm()
    items = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": items, "new_raw": new_raw})


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("令牌“%(name)s”已撤销。") % {"name": token.name})
    return redirect(reverse("accounts:account") + "#tokens")


@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's account: who they are, their roles, their community and their API tokens."""
    from lianjian.public.selectors import community_search

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
        messages.error(request, "；".join(exc.messages))
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
