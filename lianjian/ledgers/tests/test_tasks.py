"""Ledger background work: the daily clean-up task, and a street's or district's export as a job."""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from lianjian.core.models import Job, JobStatus
from lianjian.ledgers.tasks import ledgers_cleanup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def test_cleanup_task_removes_abandoned_uploads_once(world):
    old = default_storage.save("imports/old.xlsx", ContentFile(b"PK"))
    then = time.time() - 30 * 3600
    os.utime(default_storage.path(old), (then, then))
    recent = default_storage.save("imports/recent.xlsx", ContentFile(b"PK"))
    ledgers_cleanup()
    assert not default_storage.exists(old) and default_storage.exists(recent)
    ledgers_cleanup()  # the second run finds nothing more to do
    assert default_storage.exists(recent)


def test_street_export_runs_as_a_job_with_one_workbook_per_community(world, client,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(world.street_admin)
    index = client.get(reverse("ledgers:index")).content.decode()
    assert 'data-testid="ledger-export-batch"' in index and world.street.name in index
    assert world.other_street.name not in index.split('data-testid="ledger-export-batch"')[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ledgers:export_batch"), {"kind": "units", "region": world.street.pk})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:job", args=[job.pk])
    assert job.status == JobStatus.DONE and (job.done, job.total) == (2, 2)
    page = client.get(response["Location"]).content.decode()
    assert "job-download" in page and "甲街道" in page
    download = client.get(reverse("core:job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(archive.namelist())
    assert names == sorted(f"{c.code}-{c.name}-联建单位.xlsx" for c in (world.community, world.sibling))
    first = load_workbook(io.BytesIO(archive.read(f"{world.community.code}-{world.community.name}-联建单位.xlsx")))
    cells = [c.value for c in first.worksheets[0][2]]
    assert world.unit.name in cells  # the community's own export, unchanged


def test_batch_export_is_limited_to_the_users_scope(world, client):
    client.force_login(world.street_admin)
    response = client.post(reverse("ledgers:export_batch"), {"kind": "units", "region": world.other_street.pk})
    assert response.status_code == 302 and response["Location"] == reverse("ledgers:index")
    assert not Job.objects.exists()
    client.force_login(world.staff)  # community staff have no street to export
    assert 'data-testid="ledger-export-batch"' not in client.get(reverse("ledgers:index")).content.decode()
    response = client.post(reverse("ledgers:export_batch"), {"kind": "units", "region": world.street.pk})
    assert response.status_code == 302 and not Job.objects.exists()
    client.force_login(world.resident)
    assert client.post(reverse("ledgers:export_batch"), {"kind": "units", "region": world.street.pk}
                       ).status_code == 403
