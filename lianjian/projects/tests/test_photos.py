"""Progress photos and completion evidence: checked by content, originals within scope, public copies."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import api_token_create
from lianjian.core.tests.photo_samples import decoded, hostile, photo
from lianjian.projects import services
from lianjian.projects.models import ProgressPhoto, ProgressUpdate

from .factories import project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def bearer(user) -> dict:
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("kind", list(hostile()))
def test_hostile_uploads_through_the_api_are_422_and_nothing_is_written(client, world, media, kind):
    p = project(world)
    for path, extra in (("progress", {"text": "x", "happened_on": "2024-03-08"}),
                        ("complete", {"summary": "完成", "completed_on": "2024-04-01"})):
        r = client.post(f"/api/v1/projects/{p.pk}/{path}", {**extra, "photos": [hostile()[kind]]},
                        **bearer(world.staff))
        assert r.status_code == 422, r.content
        assert "photos" in r.json()["error"]["details"]
    assert not ProgressUpdate.objects.exists() and not [f for f in media.rglob("*") if f.is_file()]


@pytest.mark.parametrize("kind", list(hostile()))
def test_hostile_uploads_on_the_progress_and_completion_forms_get_a_message(client, world, kind):
    p = project(world, status="in_progress")
    client.force_login(world.staff)
    for name, data in (("progress", {"text": "x", "happened_on": "2024-03-08"}),
                       ("complete", {"summary": "完成", "completed_on": "2024-04-01"})):
        response = client.post(reverse(f"projects:{name}", args=[p.pk]), {**data, "photos": [hostile()[kind]]})
        page = response.content.decode()
        assert response.status_code == 200 and ("不是有效的图片" in page or "尺寸过大" in page)
    assert not ProgressUpdate.objects.exists()


def test_api_answers_with_the_original_and_the_public_copies(client, world):
    p = project(world)
    r = client.post(f"/api/v1/projects/{p.pk}/progress",
                    {"text": "第一期", "happened_on": "2024-03-08", "photos": [photo("a.html.jpg")]},
                    **bearer(world.staff))
    assert r.status_code == 201, r.content
    (out,) = r.json()["photos"]
    row = ProgressPhoto.objects.get()
    assert out["url"].endswith(row.original_url) and out["public_url"].endswith(row.public_url)
    assert out["thumbnail_url"].endswith(row.thumbnail_url)
    assert row.image.name.endswith(".jpg") and "html" not in row.image.name


def test_progress_photo_original_scope_and_public_copies(client, world):
    assert settings.DEBUG is False
    p = project(world)
    update = services.progress_add(actor=world.liaison, project=p, text="上门服务", happened_on=p.created_at.date(),
                                   photos=[photo()])
    row = update.photos.get()
    for viewer in (world.staff, world.liaison, world.district_admin):
        client.force_login(viewer)
        response = client.get(row.original_url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    for outsider in (world.other_staff, world.other_liaison, world.resident):
        client.force_login(outsider)
        assert client.get(row.original_url).status_code == 404
    client.logout()
    assert client.get(row.original_url).status_code == 302
    # The project is on the public board: its copies are public and cached long.
    response = client.get(row.public_url)
    assert response.status_code == 200 and "max-age=31536000" in response["Cache-Control"]
    assert not decoded(b"".join(response.streaming_content)).getexif()
    assert client.get(row.thumbnail_url).status_code == 200
    services.project_cancel(actor=world.staff, project=p, reason="取消")
    assert client.get(row.public_url).status_code == 404  # a cancelled project leaves the public board
    client.force_login(world.staff)
    assert client.get(row.public_url).status_code == 200


def test_detail_page_uses_thumbnails_and_only_staff_get_the_original(client, world):
    p = project(world)
    update = services.progress_add(actor=SYSTEM, project=p, text="x", happened_on=p.created_at.date(),
                                   photos=[photo()])
    row = update.photos.get()
    client.force_login(world.staff)
    page = client.get(p.get_absolute_url()).content.decode()
    assert row.thumbnail_url in page and row.original_url in page
    client.force_login(world.liaison)
    page = client.get(p.get_absolute_url()).content.decode()
    assert row.thumbnail_url in page and row.public_url in page and row.original_url not in page


def test_sendfile_header_hands_the_file_to_the_web_server(client, world, settings, media):
    p = project(world)
    row = services.progress_add(actor=SYSTEM, project=p, text="x", happened_on=p.created_at.date(),
                                photos=[photo()]).photos.get()
    client.force_login(world.staff)
    settings.LIANJIAN_SENDFILE_HEADER = "X-Accel-Redirect"
    response = client.get(row.original_url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{row.image.name}"
    settings.LIANJIAN_SENDFILE_HEADER = "X-Sendfile"
    response = client.get(row.public_url)
    assert response["X-Sendfile"] == str(media / row.public_image.name)


def test_files_left_by_a_rolled_back_report_are_swept_and_kept_ones_stay(world, media, capsys):
    """Photos are stored before the row; a rollback leaves files that photos_cleanup removes."""
    from django.core.management import call_command
    from django.db import transaction

    p = project(world)
    kept = services.progress_add(actor=SYSTEM, project=p, text="留下", happened_on=p.created_at.date(),
                                 photos=[photo()]).photos.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.progress_add(actor=SYSTEM, project=p, text="回滚", happened_on=p.created_at.date(),
                              photos=[photo()])
        raise RuntimeError("something later in the same transaction failed")
    files = {str(f.relative_to(media)) for f in media.rglob("*") if f.is_file()}
    assert len(files) == 6
    call_command("photos_cleanup", "--dry-run", "--older-than-hours", "1")
    assert "将删除 0 个" in capsys.readouterr().out  # too recent: could be an upload in progress
    call_command("photos_cleanup", "--older-than-hours", "0")
    assert "已删除 3 个" in capsys.readouterr().out
    left = {str(f.relative_to(media)) for f in media.rglob("*") if f.is_file()}
    assert left == {kept.image.name, kept.public_image.name, kept.thumbnail.name}
