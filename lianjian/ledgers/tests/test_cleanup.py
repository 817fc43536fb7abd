"""``lianjian ledgers_cleanup``: abandoned uploads under MEDIA_ROOT/imports/ are removed."""

from __future__ import annotations

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def aged(name: str, hours: float) -> str:
    path = default_storage.save(f"imports/{name}", ContentFile(b"PK"))
    then = time.time() - hours * 3600
    os.utime(default_storage.path(path), (then, then))
    return path


def test_old_uploads_go_and_recent_ones_stay(media, capsys):
    old = aged("old.xlsx", 30)
    old_report = aged("errors-old.xlsx", 25)
    recent = aged("recent.xlsx", 2)
    other = default_storage.save("photos/keep.jpg", ContentFile(b"x"))
    os.utime(default_storage.path(other), (0, 0))  # outside imports/: never touched
    call_command("ledgers_cleanup", "--dry-run")
    assert default_storage.exists(old) and "将删除 2 个" in capsys.readouterr().out
    call_command("ledgers_cleanup")
    out = capsys.readouterr().out
    assert "已删除 2 个" in out and old in out
    assert not default_storage.exists(old) and not default_storage.exists(old_report)
    assert default_storage.exists(recent) and default_storage.exists(other)
    call_command("ledgers_cleanup", "--older-than-hours", "1")
    assert not default_storage.exists(recent)


def test_no_imports_folder_and_bad_age(media, capsys):
    call_command("ledgers_cleanup")
    assert "已删除 0 个" in capsys.readouterr().out
    with pytest.raises(CommandError, match="不能小于 0"):
        call_command("ledgers_cleanup", "--older-than-hours", "-1")


@pytest.mark.django_db
def test_an_abandoned_preview_is_cleaned_up(client, world, media):
    """An upload previewed but never confirmed stays until the clean-up; then it cannot be confirmed."""
    from django.urls import reverse

    from lianjian.orgs.models import Organisation

    from .helpers import xlsx
    from .test_units import HEADERS, unit_row

    client.force_login(world.staff)
    response = client.post(reverse("ledgers:upload"), {"kind": "units", "community": world.community.pk,
                                                       "file": xlsx(HEADERS, [unit_row("被遗弃的单位")])})
    token = response.context["token"]
    (stored,) = default_storage.listdir("imports")[1]
    call_command("ledgers_cleanup")
    assert default_storage.exists(f"imports/{stored}")  # fresh: still confirmable
    then = time.time() - 25 * 3600
    os.utime(default_storage.path(f"imports/{stored}"), (then, then))
    call_command("ledgers_cleanup")
    assert default_storage.listdir("imports")[1] == []
    response = client.post(reverse("ledgers:confirm"), {"token": token}, follow=True)
    assert "已过期或无效" in response.content.decode()
    assert not Organisation.objects.filter(name="被遗弃的单位").exists()
