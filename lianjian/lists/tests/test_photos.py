"""Need photos: checked by content on upload, originals only within scope, public copies for public needs."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import ExifTags

from lianjian.accounts.permissions import SYSTEM
from lianjian.core.tests.photo_samples import decoded, hostile, photo
from lianjian.lists import services
from lianjian.lists.models import Need, NeedPhoto

from .factories import category, make_need

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def need_form(world, upload) -> dict:
    return {"community": world.community.pk, "title": "楼道灯坏了", "category": category().pk,
            "quantity_needed": 1, "quantity_unit": "项", "urgency": "normal", "photo": upload}


@pytest.mark.parametrize("kind", list(hostile()))
def test_hostile_uploads_on_the_residents_short_form_get_a_message_too(client, world, media, kind):
    client.force_login(world.resident)
    from lianjian.accounts.services import home_community_set

    home_community_set(actor=world.resident, community=world.community)
    response = client.post(reverse("lists:need_post"), {"title": "楼道灯坏了", "category": category().pk,
                                                         "photo": hostile()[kind]})
    page = response.content.decode()
    assert response.status_code == 200 and ("不是有效的图片" in page or "尺寸过大" in page)
    assert not Need.objects.exists() and not NeedPhoto.objects.exists() and not stored_files(media)


@pytest.mark.parametrize("kind", list(hostile()))
def test_hostile_uploads_on_the_need_form_get_a_message_and_nothing_is_stored(client, world, media, kind):
    client.force_login(world.staff)
    response = client.post(reverse("lists:need_create"), need_form(world, hostile()[kind]))
    page = response.content.decode()
    assert response.status_code == 200 and ("不是有效的图片" in page or "尺寸过大" in page)
    assert not Need.objects.exists() and not NeedPhoto.objects.exists() and not stored_files(media)


def test_a_need_photo_is_stored_under_a_random_name_with_public_copies(client, world, media):
    client.force_login(world.staff)
    response = client.post(reverse("lists:need_create"), need_form(world, photo("家门口 <b>.png")))
    assert response.status_code == 302
    row = NeedPhoto.objects.get()
    assert row.image.name.endswith(".jpg") and "家门口" not in row.image.name  # a JPEG, whatever its name said
    assert row.public_image.name and row.thumbnail.name
    assert len(stored_files(media)) == 3


def test_the_original_is_served_only_within_the_needs_scope(client, world):
    need = make_need(world, publish=False)
    row = services.need_add_photo(actor=world.resident, need=need, image=photo())
    url = row.original_url
    client.force_login(world.staff)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert decoded(b"".join(response.streaming_content)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    client.force_login(world.resident)  # the requester
    assert client.get(url).status_code == 200
    for outsider in (world.other_staff, world.other_liaison, world.liaison):  # liaison: not yet published
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get(reverse("lists:need_photo", args=[row.pk, "secret"])).status_code == 404
    assert client.get(reverse("lists:need_photo", args=[row.pk + 1000, "public"])).status_code == 404


def test_public_copies_are_open_once_the_need_is_published_and_served_with_debug_off(client, world):
    assert settings.DEBUG is False
    need = make_need(world, publish=False)
    row = services.need_add_photo(actor=world.resident, need=need, image=photo())
    assert client.get(row.public_url).status_code == 404  # under review: not public yet
    assert client.get(row.thumbnail_url).status_code == 404
    services.need_publish(actor=SYSTEM, need=need)
    for url, edge in ((row.public_url, 40), (row.thumbnail_url, 40)):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert "public" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        image = decoded(b"".join(response.streaming_content))
        assert max(image.size) <= edge and not image.getexif()
    # The stored file itself is not reachable under /media/.
    assert client.get(settings.MEDIA_URL + row.image.name).status_code == 404
    assert client.get(settings.MEDIA_URL + row.public_image.name).status_code == 404


def test_the_need_page_shows_thumbnails_and_links_originals_only_for_staff(client, world):
    need = make_need(world)
    row = services.need_add_photo(actor=SYSTEM, need=need, image=photo())
    client.force_login(world.staff)
    page = client.get(need.get_absolute_url()).content.decode()
    assert row.thumbnail_url in page and row.original_url in page
    client.force_login(world.liaison)
    page = client.get(need.get_absolute_url()).content.decode()
    assert row.thumbnail_url in page and row.public_url in page and row.original_url not in page
    assert "/media/" not in page


def test_photos_stored_before_public_copies_existed_get_them_on_migration(world, media):
    """The media migration builds the copies of older photos and skips files it cannot read."""
    from importlib import import_module

    from django.apps import apps
    from django.core.files.base import ContentFile

    need = make_need(world)
    old = NeedPhoto(need=need)
    old.image.save("old.jpg", ContentFile(photo().read()), save=False)
    old.save()
    broken = NeedPhoto(need=need)
    broken.image.save("broken.jpg", ContentFile(b"not a picture"), save=False)
    broken.save()
    import_module("lianjian.lists.migrations.0004_media_photo_copies").build_copies(apps, None)
    old.refresh_from_db()
    broken.refresh_from_db()
    assert old.public_image.name and old.thumbnail.name and not broken.public_image.name
    assert max(decoded(old.thumbnail.read()).size) <= 400


def test_a_file_stored_before_checks_existed_is_never_served_as_html(client, world):
    """Old uploads kept their client's name (x.html): they are only ever sent as a download."""
    from django.core.files.base import ContentFile

    need = make_need(world)
    legacy = NeedPhoto(need=need)
    legacy.image.save("x.html", ContentFile(b"GIF89a<script>alert(1)</script>"), save=False)
    legacy.save()
    client.force_login(world.staff)
    response = client.get(legacy.original_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert "sandbox" in response["Content-Security-Policy"]
    assert client.get(legacy.public_url).status_code == 404  # no public copy was ever made
