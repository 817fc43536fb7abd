"""Settings, deploy checks, the CLI and the demo: what a newcomer relies on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = "k3J9-vQ2x!Lr8@pZ5wN1#tY7uB4eH6mC0sD2fG9hJ3kL5zX8cV1bN4mQ7wE0rT6yU"


def run(args, **env_overrides):
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "LIANJIAN_ENV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(env_overrides)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_real_secret():
    for key in ("", "short", "django-insecure-" + "x" * 60):
        result = run(["manage.py", "check"], LIANJIAN_ENV="production", SECRET_KEY=key,
                     ALLOWED_HOSTS="lianjian.example.cn")
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], LIANJIAN_ENV="production",
                 SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="lianjian.example.cn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_by_default():
    result = run(["-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='lianjian.settings'; "
                        "from django.conf import settings; print(settings.DEBUG, settings.LANGUAGE_CODE)"])
    assert result.stdout.split() == ["False", "zh-hans"]


def test_cli_help_and_unknown_command():
    result = run(["-m", "lianjian", "--help"])
    assert result.returncode == 0 and "lianjian" in result.stdout and "demo" in result.stdout
    result = run(["-m", "lianjian", "no-such-command"])
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cur:
        cur.execute("PRAGMA journal_mode")
        assert cur.fetchone()[0] == "wal"


@pytest.mark.django_db
def test_demo_is_idempotent():
    from django.apps import apps

    call_command("demo", "--quiet-logins", verbosity=0)
    models = [m for m in apps.get_models() if m._meta.app_label not in {"sessions", "contenttypes", "admin"}]
    first = {m._meta.label: m.objects.count() for m in models}
    call_command("demo", "--quiet-logins", verbosity=0)
    second = {m._meta.label: m.objects.count() for m in models}
    assert first == second
    assert first["orgs.Partnership"] >= 20


@pytest.mark.django_db
def test_demo_recreates_the_seed_world():
    from lianjian.accounts.models import User
    from lianjian.orgs.models import Partnership
    from lianjian.regions.models import Region

    call_command("demo", "--quiet-logins", verbosity=0)
    fengshu = Region.objects.get(name="枫树社区")
    assert fengshu.full_name == "成都市锦江区成龙路街道枫树社区"
    units = set(Partnership.objects.filter(community=fengshu).values_list("organisation__name", flat=True))
    assert len(units) == 20
    assert {"成龙路锦城逸景社区卫生服务中心", "东星公司", "成都市现代职业技术学校", "中国电信锦江分公司"} <= units
    assert any("国网" in u or "国家电网" in u for u in units)
    assert Partnership.objects.filter(community=fengshu, liaison__isnull=False).count() == 20
    assert Region.objects.get(name="江浦路社区").street.name == "涌泉街道"
    assert Region.objects.get(name="濠阳街道").district.name == "彭州市"
    for username in ("admin", "district_admin", "street_admin", "staff", "liaison", "resident", "rider",
                     "volunteer"):
        assert User.objects.get(username=username).check_password("lianjian2025")


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_says_and_english_is_one_click_away(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert '<html lang="en">' in page.content.decode()
    assert "Log in" in page.content.decode()


@pytest.mark.django_db
def test_an_english_request_does_not_leave_english_active_for_later_work(client):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    assert "Log in" in client.get("/").content.decode()
    assert translation.get_language() == "zh-hans"


@pytest.mark.django_db
def test_staff_home_shows_what_waits_for_them(client, world):
    from lianjian.lists.models import Category
    from lianjian.lists.services import need_create

    need_create(actor=world.resident, community=world.community, title="楼道灯坏了",
                category=Category.objects.get(name="安全"))
    client.force_login(world.staff)
    response = client.get("/home/")
    todo = {label: n for label, n, _url in response.context["todo"]}
    assert todo["待审核需求"] == 1
    client.force_login(world.other_staff)
    todo = {label: n for label, n, _url in client.get("/home/").context["todo"]}
    assert todo["待审核需求"] == 0


def test_client_ip_trusts_forwarded_for_only_from_configured_proxies(rf, settings):
    from lianjian.core.net import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.5", REMOTE_ADDR="127.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"  # no proxy configured: the header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.5"  # what our proxy saw, not what the client claimed
