"""Station photos: checked by content; visitors get public copies without EXIF, originals stay with staff."""

from __future__ import annotations

import pytest
from PIL import Image

from lianjian.core.tests.photo_samples import decoded, hostile, photo
from lianjian.testing import PASSWORD
from lianjian.workers.models import StationPhoto

from .factories import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_staff_upload_photos_and_visitors_see_public_copies_without_location(client, world):
    station = make_station(world)
    assert client.login(username=world.staff.username, password=PASSWORD)
    res = client.post(f"/workers/stations/{station.pk}/photos/new/", {"photos": [photo("驿站.jpg")],
                                                                       "caption": "驿站内景"})
    assert res.status_code == 302 and res["Location"].endswith("#photos")
    row = StationPhoto.objects.get(station=station)
    assert "驿站" not in row.image.name and row.public_image.name and row.thumbnail.name
    client.logout()
    page = client.get(station.get_absolute_url()).content.decode()
    assert row.thumbnail_url in page and row.original_url not in page
    public = client.get(row.public_url)
    assert public.status_code == 200 and public["Cache-Control"].startswith("public")
    image = decoded(b"".join(public.streaming_content) if public.streaming else public.content)
    assert isinstance(image, Image.Image) and not image.getexif()
    assert client.get(row.original_url).status_code == 302  # originals: log in first
    assert client.login(username=world.other_staff.username, password=PASSWORD)
    assert client.get(row.original_url).status_code == 404
    assert client.post(f"/workers/stations/{station.pk}/photos/new/", {"photos": [photo()]}).status_code == 404


@pytest.mark.parametrize("kind", list(hostile()))
def test_hostile_files_are_refused_with_a_message_and_nothing_is_stored(client, world, media, kind):
    station = make_station(world)
    assert client.login(username=world.staff.username, password=PASSWORD)
    page = client.post(f"/workers/stations/{station.pk}/photos/new/", {"photos": [hostile()[kind]]}, follow=True)
    assert 'class="msg msg-error"' in page.content.decode()
    assert not StationPhoto.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]
