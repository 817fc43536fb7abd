"""The annual report of every community of a street, generated as a background job."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from lianjian.analytics import report
from lianjian.core.models import Job, JobStatus

from .test_report import docx_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def test_street_admin_gets_every_communitys_report_in_one_zip(year_world, client,
                                                               django_capture_on_commit_callbacks):
    world = year_world
    client.force_login(world.street_admin)
    page = client.get(reverse("analytics:region", args=[world.street.pk]) + "?year=2024").content.decode()
    assert 'data-testid="reports-batch"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics:reports_batch", args=[world.street.pk]),
                               {"year": "2024", "format": "docx"})
    job = Job.objects.get()
    assert response["Location"] == reverse("core:job", args=[job.pk])
    assert job.status == JobStatus.DONE and (job.done, job.total) == (2, 2) and job.owner == world.street_admin
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("core:job_download", args=[job.pk]))
                                                  .streaming_content)))
    expected = report.build_report(community=world.community, year=2024)
    name = f"{world.community.code}-{expected.filename_stem}.docx"
    assert len(archive.namelist()) == 2 and name in archive.namelist()
    assert docx_text(archive.read(name)) == docx_text(report.render_docx(expected))


def test_batch_reports_respect_scope_and_level(year_world, client):
    world = year_world
    client.force_login(world.street_admin)
    assert client.post(reverse("analytics:reports_batch", args=[world.other_street.pk]),
                       {"year": "2024"}).status_code == 404
    assert client.post(reverse("analytics:reports_batch", args=[world.community.pk]),
                       {"year": "2024"}).status_code == 403
    assert client.get(reverse("analytics:reports_batch", args=[world.street.pk])).status_code == 405
    client.force_login(world.staff)
    page = client.get(reverse("analytics:region", args=[world.community.pk])).content.decode()
    assert 'data-testid="reports-batch"' not in page
    assert not Job.objects.exists()
