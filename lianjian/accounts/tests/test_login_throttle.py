"""Login throttling holds on every path that checks a secret: one counter per account (whatever
identifier was typed) and one per client address."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from lianjian.accounts.services import api_token_create
from lianjian.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


def _site_login(client: Client, ident: str, password: str) -> tuple[bool, str]:
    response = client.post("/accounts/login/", {"username": ident, "password": password})
    return response.status_code == 302, response.content.decode()


def _admin_login(client: Client, ident: str, password: str) -> tuple[bool, str]:
    response = client.post("/admin/login/?next=/admin/", {"username": ident, "password": password,
                                                         "next": "/admin/"})
    return response.status_code == 302, response.content.decode()


def _direct(client: Client, ident: str, password: str) -> tuple[bool, str]:
    """Any other caller of ``authenticate()`` (e.g. a future Open311 or basic-auth endpoint)."""
    request = RequestFactory().post("/", REMOTE_ADDR=client.defaults.get("REMOTE_ADDR", "127.0.0.1"))
    user = authenticate(request, username=ident, password=password)
    return user is not None, LOCKED if getattr(request, "_lianjian_login_locked", False) else ""


def _staff(*, superuser: bool = False, **kwargs):  # type: ignore[no-untyped-def]
    """A user who may use the admin site, so the admin log-in can succeed."""
    user = make_user(**kwargs)
    user.is_staff, user.is_superuser = True, superuser
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


PATHS = {"site": _site_login, "admin": _admin_login, "authenticate": _direct}


@pytest.fixture
def limits(settings):  # type: ignore[no-untyped-def]
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 6
    return settings


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("then", ["13812340000", " 138 1234 0000 ", "+86 138-1234-0000", "１３８１２３４００００"])
def test_failures_by_username_lock_the_phone_number_too(limits, path, then):
    _staff(username="li", phone="13812340000")
    login = PATHS[path]
    client = Client(REMOTE_ADDR="10.0.0.1")
    # The right password through a normalised phone works before any failure.
    assert login(client, then, PASSWORD)[0], then
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        ok, _body = login(client, "li", "wrong")
        assert not ok
    # Another identifier of the same account, from another address, with the right password.
    other = Client(REMOTE_ADDR="10.0.0.2")
    ok, body = login(other, then, PASSWORD)
    assert not ok
    assert LOCKED in body


@pytest.mark.parametrize("path", PATHS)
def test_failures_by_phone_lock_the_username(limits, path):
    _staff(username="wang", phone="13912340000")
    login = PATHS[path]
    for i in range(3):
        assert not login(Client(REMOTE_ADDR=f"10.0.1.{i}"), "+8613912340000", "wrong")[0]
    ok, body = login(Client(REMOTE_ADDR="10.0.1.9"), "wang", PASSWORD)
    assert not ok and LOCKED in body


@pytest.mark.parametrize("path", PATHS)
def test_failures_across_accounts_lock_the_address(limits, path):
    login = PATHS[path]
    for i in range(6):
        _staff(username=f"u{i}")
    victim = _staff(username="victim")
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    # Two tries per account stay under the account limit; six in all reach the address limit.
    for i in range(3):
        for _ in range(2):
            assert not login(attacker, f"u{i}", "wrong")[0]
    ok, body = login(attacker, victim.username, PASSWORD)
    assert not ok and LOCKED in body
    # Unknown names count against the address too, and other addresses are not affected.
    assert login(Client(REMOTE_ADDR="10.9.9.10"), victim.username, PASSWORD)[0]


def test_unknown_identifiers_share_a_normalised_counter(limits):
    for i, spelling in enumerate(["13700000000", "+86 137 0000 0000", "137-0000-0000"]):
        assert not _site_login(Client(REMOTE_ADDR=f"10.1.0.{i}"), spelling, "x")[0]
    ok, body = _site_login(Client(REMOTE_ADDR="10.1.0.9"), "0086 13700000000", "x")
    assert not ok and LOCKED in body


def test_admin_login_lockout_is_in_chinese_and_refuses_the_right_password(limits):
    _staff(username="boss", phone="13600000000", superuser=True)
    client = Client(REMOTE_ADDR="10.2.0.1")
    for _ in range(3):
        ok, body = _admin_login(client, "boss", "wrong")
        assert not ok
    ok, body = _admin_login(client, "13600000000", PASSWORD)
    assert not ok
    assert "登录失败次数过多，请 15 分钟后再试。" in body
    assert not client.session.get("_auth_user_id")


def test_success_clears_the_account_counter_but_not_the_address(limits):
    make_user(username="zhao", phone="13500000000")
    client = Client(REMOTE_ADDR="10.3.0.1")
    for _ in range(2):
        assert not _site_login(client, "zhao", "wrong")[0]
    assert _site_login(client, "13500000000", PASSWORD)[0]
    client.logout()
    for _ in range(2):
        assert not _site_login(client, "zhao", "wrong")[0]
    assert _site_login(client, "zhao", PASSWORD)[0]


def test_guessed_bearer_tokens_lock_the_address_for_tokens_and_passwords(limits, world):
    _token, raw = api_token_create(user=world.staff, name="脚本")
    guesser = Client(REMOTE_ADDR="10.4.0.1")
    for i in range(6):
        r = guesser.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer lj_guess{i}")
        assert r.status_code == 401
    r = guesser.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "throttled" and LOCKED in r.json()["error"]["message"]
    # The password log-in from that address is locked as well; other addresses are not.
    assert LOCKED in _site_login(guesser, world.staff.username, PASSWORD)[1]
    assert Client(REMOTE_ADDR="10.4.0.2").get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_admin_password_change_counts_wrong_old_passwords(limits):
    user = _staff(username="chen", phone="13300000000")
    client = Client(REMOTE_ADDR="10.5.0.1")
    client.force_login(user)
    for _ in range(3):
        response = client.post("/admin/password_change/", {"old_password": "wrong", "new_password1": "Xy-12345678",
                                                          "new_password2": "Xy-12345678"})
        assert response.status_code == 200
    response = client.post("/admin/password_change/", {"old_password": PASSWORD, "new_password1": "Xy-12345678",
                                                      "new_password2": "Xy-12345678"})
    assert response.status_code == 200 and LOCKED in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # The same account counter: logging in with the phone number is locked too.
    assert LOCKED in _site_login(Client(REMOTE_ADDR="10.5.0.2"), "13300000000", PASSWORD)[1]
