"""Event photos: checked by content, public copies for a public event's visitors, originals for staff."""

from __future__ import annotations

import pytest
from PIL import Image

from lianjian.core.tests.photo_samples import decoded, hostile, photo
from lianjian.events.models import EventPhoto
from lianjian.testing import PASSWORD

from .factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_staff_upload_photos_and_visitors_see_public_copies_without_location(client, world):
    event = make_event(world)
    assert client.login(username=world.staff.username, password=PASSWORD)
    res = client.post(f"/events/{event.pk}/photos/new/", {"photos": [photo("年夜饭.jpg"), photo("IMG_2.jpg")],
                                                          "caption": "年夜饭现场"})
    assert res.status_code == 302 and res["Location"].endswith("#photos")
    rows = list(EventPhoto.objects.filter(event=event))
    assert len(rows) == 2 and all(r.public_image.name and r.thumbnail.name for r in rows)
    assert "年夜饭" not in rows[0].image.name  # stored under a random name
    assert rows[0].original_url != rows[0].public_url
    client.logout()
    page = client.get(event.get_absolute_url()).content.decode()
    assert rows[0].thumbnail_url in page and rows[0].original_url not in page
    public = client.get(rows[0].public_url)
    assert public.status_code == 200 and public["Cache-Control"].startswith("public")
    image = decoded(b"".join(public.streaming_content) if public.streaming else public.content)
    assert isinstance(image, Image.Image) and not image.getexif()
    assert client.get(rows[0].original_url).status_code == 302  # originals: log in first
    assert client.login(username=world.other_staff.username, password=PASSWORD)
    assert client.get(rows[0].original_url).status_code == 404


@pytest.mark.parametrize("kind", list(hostile()))
def test_hostile_files_are_refused_with_a_message_and_nothing_is_stored(client, world, media, kind):
    event = make_event(world)
    assert client.login(username=world.staff.username, password=PASSWORD)
    page = client.post(f"/events/{event.pk}/photos/new/", {"photos": [hostile()[kind]]}, follow=True)
    assert 'class="msg msg-error"' in page.content.decode()
    assert not EventPhoto.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_photos_of_a_private_event_stay_private_and_only_staff_upload(client, world):
    event = make_event(world, is_public=False)
    from lianjian.events import thanks

    row = thanks.event_photos_add(actor=world.staff, event=event, photos=[photo()])[0]
    assert client.get(row.public_url).status_code == 404
    assert client.login(username=world.resident.username, password=PASSWORD)
    assert client.get(row.thumbnail_url).status_code == 404
    public_event = make_event(world)
    assert client.post(f"/events/{public_event.pk}/photos/new/", {"photos": [photo()]}).status_code == 403
