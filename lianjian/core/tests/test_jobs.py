"""Long jobs a person starts: run once, progress and file on the job page, owner only."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lianjian.core import jobs
from lianjian.core.models import Job, JobStatus
from lianjian.core.tasks import old_jobs_cleanup

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@jobs.register_job("test.count")
def count_job(job: Job, progress: jobs.Progress) -> tuple[str, bytes]:
    CALLS.append(job.pk)
    for i in range(1, 4):
        progress(i, 3)
    if job.params.get("refuse"):
        raise ValidationError("参数不对")
    if job.params.get("crash"):
        raise RuntimeError("boom")
    return "结果.txt", b"x" * int(job.params.get("size", 1))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def start(user, **params):  # type: ignore[no-untyped-def]
    return jobs.job_start(actor=user, kind="test.count", title="测试任务", params=params)


def test_a_job_runs_once_even_if_delivered_twice(world, django_capture_on_commit_callbacks):
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = start(world.staff, size=5)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (job.done, job.total) == (3, 3) and job.percent == 100
    assert job.result.read() == b"xxxxx" and job.result_name == "结果.txt"
    assert jobs.job_run(job.pk) == "done"  # a second delivery leaves it alone
    assert CALLS == [job.pk]


def test_refused_and_crashed_jobs_say_why_on_their_page(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refused = start(world.staff, refuse=True)
        crashed = start(world.staff, crash=True)
    client.force_login(world.staff)
    page = client.get(reverse("core:job", args=[refused.pk])).content.decode()
    assert "失败" in page and "参数不对" in page and "job-download" not in page
    page = client.get(reverse("core:job", args=[crashed.pk])).content.decode()
    assert "任务执行出错" in page and "boom" not in page
    assert client.get(reverse("core:job_download", args=[crashed.pk])).status_code == 404


def test_the_page_polls_while_running_and_offers_the_file_when_done(world, client):
    job = Job.objects.create(kind="test.count", title="慢任务", owner=world.staff, status=JobStatus.RUNNING,
                             done=1, total=4)
    client.force_login(world.staff)
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'value="25"' in page and "htmx.min.js" in page
    partial = client.get(reverse("core:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'value="25"' in partial and "1 / 4" in partial
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    jobs.job_run(job.pk)  # running already: not run again
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    jobs.job_run(job.pk)
    partial = client.get(reverse("core:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and 'value="100"' in partial and "job-download" in partial
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"x"
    assert "attachment" in response["Content-Disposition"]
    assert "慢任务" in client.get(reverse("core:jobs")).content.decode()


def test_only_the_owner_sees_a_job(world, client):
    job = Job.objects.create(kind="test.count", title="甲的任务", owner=world.staff)
    for user in (world.sibling_staff, world.district_admin):
        client.force_login(user)
        assert client.get(reverse("core:job", args=[job.pk])).status_code == 404
        assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
        assert "甲的任务" not in client.get(reverse("core:jobs")).content.decode()
    client.logout()
    assert client.get(reverse("core:job", args=[job.pk])).status_code == 302
    client.force_login(world.superuser)
    assert client.get(reverse("core:job", args=[job.pk])).status_code == 200


def test_old_finished_jobs_are_cleaned_up_daily(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old, recent = start(world.staff), start(world.staff)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    old.refresh_from_db()
    path = old.result.path
    old_jobs_cleanup()
    old_jobs_cleanup()  # nothing more the second time
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not os.path.exists(path)


def test_unknown_kind_and_anonymous_are_refused(world):
    with pytest.raises(ValueError):
        jobs.job_start(actor=world.staff, kind="nope", title="x", params={})
    with pytest.raises(PermissionDenied):
        jobs.job_start(actor=AnonymousUser(), kind="test.count", title="x", params={})
