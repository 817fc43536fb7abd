"""The public search page: /search/?q= across needs, projects, events and stories."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .query import QUERY_MAX, search


def search_page(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    answer = search(raw) if raw.strip() else None
    return render(request, "search/results.html", {
        "answer": answer, "q": (answer.query if answer else ""), "query_max": QUERY_MAX,
        "meta_title": _("搜索"), "meta_description": _("搜索各社区公开的需求、项目、活动和报道。"),
    })
