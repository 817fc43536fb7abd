"""Pages of the long jobs a person started: progress (polled by htmx every 2 s) and the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .jobs import job_for, jobs_of
from .models import JobStatus


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/jobs.html", {"jobs": jobs_of(user=request.user)})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(user=request.user, pk=pk)
    template = "core/_job_progress.html" if request.headers.get("HX-Request") else "core/job.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = job_for(user=request.user, pk=pk)
    if job.status != JobStatus.DONE or not job.result:
        raise Http404
    try:
        handle = job.result.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=job.result_name or str(job.result.name).rsplit("/", 1)[-1])
