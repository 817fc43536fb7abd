"""Story pages: the public story and its printable layout; staff list, write, edit, review."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.accounts.models import User
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core.images import serve_photo
from lianjian.core.paging import count_page

from . import linking, selectors, services
from .forms import FilterForm, LinkAddForm, ReviewForm, StoryForm
from .models import Story, StoryPhoto, StoryStatus


def _actor(request: HttpRequest) -> User:
    """The signed-in person acting (views and endpoints that write require a login first)."""
    return cast(User, request.user)


def _staff(request: HttpRequest) -> None:
    if not get_scope(request.user).is_staff_like:
        raise PermissionDenied


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _page(request: HttpRequest, pk: int, template: str) -> HttpResponse:
    story = selectors.story_for(request.user, pk)
    photos = list(story.photos.all())
    links = [(link, linking.kind_label(link.kind)) for link in story.links.all()]
    return render(request, template, {
        "story": story, "photos": photos, "links": links, "cover": photos[0] if photos else None,
        "may_write": services.may_write(request.user, story.region),
        "canonical": request.build_absolute_uri(story.get_absolute_url()),
        "og_image": request.build_absolute_uri(photos[0].public_url) if photos else "",
    })


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A story as the public reads it (staff of its community also see drafts, marked as such)."""
    return _page(request, pk, "stories/detail.html")


def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The story laid out for paper: one column, photos with captions, credits at the end."""
    return _page(request, pk, "stories/print.html")


def photo(request: HttpRequest, pk: int, variant: str) -> HttpResponseBase:
    return serve_photo(request, getter=selectors.photo_get, pk=pk, variant=variant)


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """Staff: the stories of their communities, by status, drafts and reviews first."""
    _staff(request)
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.staff_stories(user=request.user, status=filters.get("status") or "", q=filters.get("q") or "")
    page = count_page(qs, request.GET.get("page"), 30)
    waiting = selectors.staff_stories(user=request.user, status=StoryStatus.REVIEW).exclude(
        author=_actor(request)).count()
    return render(request, "stories/manage.html", {"page": page, "form": form, "waiting": waiting})


@login_required
def create(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = StoryForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("photos", "caption")}
        try:
            story = services.story_create(actor=_actor(request), photos=form.cleaned_data.get("photos") or [],
                                          captions=[form.cleaned_data.get("caption") or ""] * 12, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect("stories:edit", pk=story.pk)
    return render(request, "stories/form.html", {"form": form})


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff page of a story: edit while not published, links, photos, review and publishing."""
    story = selectors.story_for(request.user, pk, change=True)
    form = StoryForm(request.POST or None, request.FILES or None, instance=story, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("photos", "caption", "region")}
            story.refresh_from_db()
            try:
                services.story_update(actor=_actor(request), story=story, data=data,
                                      photos=form.cleaned_data.get("photos") or [],
                                      captions=[form.cleaned_data.get("caption") or ""] * 12)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("stories:edit", pk=story.pk)
    story = selectors.story_for(request.user, pk, change=True)
    return render(request, "stories/edit.html", {
        "story": story, "form": form, "link_form": LinkAddForm(), "review_form": ReviewForm(),
        "photos": list(story.photos.all()),
        "links": [(link, linking.kind_label(link.kind)) for link in story.links.all()],
        "is_author": story.author_id == request.user.pk,
        "activities": activity_for(user=request.user, obj=story),
    })


def _act(request: HttpRequest, pk: int, write: Any, done: str) -> HttpResponse:
    story = selectors.story_for(request.user, pk, change=True)
    try:
        write(story)
    except ValidationError as exc:
        _errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("没有权限。"))
    else:
        messages.success(request, done)
    return redirect("stories:edit", pk=pk)


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda s: services.story_submit(actor=_actor(request), story=s), _("已提交审核。"))


def _review_note(request: HttpRequest) -> str:
    """The reviewer's optional note (publish, return, withdraw); a bad one counts as none."""
    form = ReviewForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


@require_POST
@login_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    note = _review_note(request)
    return _act(request, pk, lambda s: services.story_publish(actor=_actor(request), story=s, note=note),
                _("报道已发布。"))


@require_POST
@login_required
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    note = _review_note(request)
    return _act(request, pk, lambda s: services.story_return(actor=_actor(request), story=s, note=note),
                _("已退回作者修改。"))


@require_POST
@login_required
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    note = _review_note(request)
    return _act(request, pk, lambda s: services.story_unpublish(actor=_actor(request), story=s, reason=note),
                _("报道已撤回。"))


@require_POST
@login_required
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    form = LinkAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择关联类型并填写编号。"))
        return redirect("stories:edit", pk=pk)
    new = (form.cleaned_data["kind"], form.cleaned_data["object_id"])

    def write(story: Story) -> None:
        links = [(link.kind, link.object_id) for link in story.links.all()]
        services.story_update(actor=_actor(request), story=story, data={}, links=[*links, new])

    return _act(request, pk, write, _("已添加关联。"))


@require_POST
@login_required
def link_remove(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    def write(story: Story) -> None:
        links = [(link.kind, link.object_id) for link in story.links.all() if link.pk != link_id]
        services.story_update(actor=_actor(request), story=story, data={}, links=links)

    return _act(request, pk, write, _("已取消关联。"))


@require_POST
@login_required
def photo_remove(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    story = selectors.story_for(request.user, pk, change=True)
    photo = StoryPhoto.objects.filter(pk=photo_id, story=story).first()
    if photo is None:
        raise Http404
    return _act(request, pk, lambda s: services.story_photo_remove(actor=_actor(request), photo=photo),
                _("照片已删除。"))


@require_POST
@login_required
def draft_from(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    """One click on a project, event or meeting page: a draft with its facts, then its edit page."""
    _staff(request)
    try:
        story = services.story_draft_from(actor=_actor(request), kind=kind, object_id=object_id)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("stories:manage")
    messages.success(request, _("已根据资料生成报道草稿，请补充和修改。"))
    return redirect("stories:edit", pk=story.pk)
