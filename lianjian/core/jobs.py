"""Long jobs a person starts (a street's annual reports, a district's ledger export).

A domain app registers what a kind of job does with :func:`register_job` (in its ``tasks.py``);
:func:`job_start` records the job and queues it; the background-job consumer runs it
(:func:`job_run`, through ``lianjian.core.tasks.run_job``), reporting progress as it goes, and
keeps the file it makes in Django's storage. The job page polls the progress and offers the file.

A runner is ``runner(job, progress) -> (filename, content)``; it reads what it needs from
``job.params`` and acts as ``job.owner``, so the owner's scope still decides what it may read.
It raises ``ValidationError``/``PermissionDenied`` with a Chinese message for the person.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from .activity import ActorLike, person_of
from .models import Job, JobStatus
from .text import error_text

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Runner = Callable[[Job, Progress], tuple[str, bytes]]

_RUNNERS: dict[str, Runner] = {}


def register_job(kind: str) -> Callable[[Runner], Runner]:
    """Decorator: ``@register_job("ledgers.export")`` makes the function the runner of *kind*."""

    def decorator(runner: Runner) -> Runner:
        _RUNNERS[kind] = runner
        return runner

    return decorator


def job_kinds() -> list[str]:
    return sorted(_RUNNERS)


def job_start(*, actor: ActorLike, kind: str, title: str, params: dict[str, Any], total: int = 0) -> Job:
    """Record a job for *actor* and queue it; it runs once the current transaction commits."""
    if kind not in _RUNNERS:
        raise ValueError(f"unknown job kind {kind!r}")
    owner = person_of(actor)
    if owner is None:
        raise PermissionDenied
    job = Job.objects.create(kind=kind, title=title[:200], owner=owner, params=params, total=total)
    transaction.on_commit(lambda: run_job(job.pk))
    return job


def _progress(job: Job) -> Progress:
    def report(done: int, total: int) -> None:
        job.done, job.total = done, total
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    return report


def job_run(job_id: int) -> str:
    """Run a queued job once. A job already taken (running, done or failed) is left alone, so a
    job queued or delivered twice runs once. Returns the final status."""
    if not Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now()):
        status = Job.objects.filter(pk=job_id).values_list("status", flat=True).first()
        logger.info("job %s not run again (status %s)", job_id, status)
        return str(status or "missing")
    job = Job.objects.select_related("owner").get(pk=job_id)
    runner = _RUNNERS.get(job.kind)
    try:
        if runner is None:
            raise ValidationError(_("未知的任务类型。"))
        filename, content = runner(job, _progress(job))
    except (ValidationError, PermissionDenied) as exc:
        messages = getattr(exc, "messages", None) or [str(exc) or _("您无权执行该操作。")]
        _finish_failed(job, error_text(messages))
        logger.info("job %s (%s) refused: %s", job.pk, job.kind, job.error)
        return job.status
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish_failed(job, _("任务执行出错，请稍后重试；如仍失败请联系管理员。"))
        return job.status
    job.result.save(filename, ContentFile(content), save=False)
    job.result_name = filename
    job.status = JobStatus.DONE
    job.done = job.total = max(job.total, job.done)
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "result_name", "status", "done", "total", "finished_at"])
    logger.info("job %s (%s) done: %s, %d bytes", job.pk, job.kind, filename, len(content))
    return job.status


@db_task(retries=0, name="core.run_job")
def run_job(job_id: int) -> str:
    """The queued form of :func:`job_run` (what :func:`job_start` sends to the consumer)."""
    return job_run(job_id)


def _finish_failed(job: Job, error: str) -> None:
    job.status, job.error, job.finished_at = JobStatus.FAILED, error, timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


def job_for(*, user: Any, pk: int) -> Job:
    """The job *pk* if *user* started it (superusers see every job); else 404."""
    job = Job.objects.filter(pk=pk).first()
    if job is None or not getattr(user, "is_authenticated", False):
        raise Http404
    if job.owner_id != user.pk and not user.is_superuser:
        raise Http404
    return job


def jobs_of(*, user: Any, limit: int = 20) -> list[Job]:
    """The user's latest jobs, newest first."""
    return list(Job.objects.filter(owner_id=user.pk)[:limit])


KEEP_DAYS = 7


def jobs_cleanup(*, older_than: dt.timedelta = dt.timedelta(days=KEEP_DAYS)) -> int:
    """Delete jobs finished more than *older_than* ago, with their files; returns how many."""
    old = list(Job.objects.filter(finished_at__lt=timezone.now() - older_than))
    for job in old:
        if job.result:
            job.result.delete(save=False)
    Job.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)
