"""``lianjian token create --user USERNAME [--name NAME]``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from lianjian.accounts.models import ApiToken, hash_token
from lianjian.core.models import Activity
from lianjian.testing import make_user

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_call_command_prints_a_working_token_on_its_last_line():
    user = make_user(username="script-owner")
    out = io.StringIO()
    call_command("token", "create", "--user", "script-owner", "--name", "台账同步", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(user=user)
    assert token.name == "台账同步" and token.key_hash == hash_token(raw) and raw not in token.key_hash
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["username"] == "script-owner"
    assert Activity.objects.filter(action="create_token", object_id=str(token.pk)).exists()


@pytest.mark.django_db
def test_default_name_and_unknown_user():
    make_user(username="someone")
    out = io.StringIO()
    call_command("token", "create", "--user", "someone", stdout=out)
    assert ApiToken.objects.get().name == "命令行令牌"
    with pytest.raises(CommandError) as exc:
        call_command("token", "create", "--user", "nobody")
    assert exc.value.returncode == 2 and "找不到用户" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("token", "create", "--user", "someone", "--name", " ")
    assert exc.value.returncode == 2
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_python_m_lianjian_token_create(tmp_path):
    env = dict(os.environ)
    db_settings = __import__("django.conf", fromlist=["settings"]).settings.DATABASES["default"]
    if db_settings["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db_settings['NAME']}"
    else:
        env["DATABASE_URL"] = (f"postgres://{db_settings['USER']}@{db_settings['HOST']}:{db_settings['PORT']}/"
                               f"{db_settings['NAME']}")
    make_user(username="cli-user")
    done = subprocess.run([sys.executable, "-m", "lianjian", "token", "create", "--user", "cli-user"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    raw = done.stdout.strip().splitlines()[-1]
    assert raw.startswith("lj_") and ApiToken.objects.filter(key_hash=hash_token(raw)).exists()
    done = subprocess.run([sys.executable, "-m", "lianjian", "token", "create", "--user", "ghost"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "找不到用户" in done.stderr and not done.stdout.strip()
