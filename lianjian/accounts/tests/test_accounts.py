import pytest
from django.urls import reverse

from lianjian.accounts.models import ApiToken, mask_phone
from lianjian.accounts.services import api_token_create, api_token_revoke
from lianjian.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_mask_phone_keeps_first_three_and_last_four():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""


def test_login_with_phone_or_username(client):
    user = make_user(username="zhang", phone="13812349876")
    for ident in ("zhang", "13812349876"):
        client.logout()
        response = client.post(reverse("accounts:login"), {"username": ident, "password": PASSWORD})
        assert response.status_code == 302, ident
        assert response.wsgi_request.user == user


def test_wrong_password_shows_chinese_error_and_locks_after_repeated_failures(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    make_user(username="li", phone="13812340000")
    for _ in range(3):
        response = client.post(reverse("accounts:login"), {"username": "li", "password": "wrong"})
        assert response.status_code == 200
        assert "用户名/手机号或密码不正确" in response.content.decode()
    # Now even the right password is refused while the lock lasts.
    response = client.post(reverse("accounts:login"), {"username": "li", "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_token_is_hashed_usable_and_revocable(client, world):
    token, raw = api_token_create(user=world.staff, name="脚本")
    assert raw not in token.key_hash and token.key_hash
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.get("/api/v1/me", **auth)
    assert response.status_code == 200
    assert response.json()["username"] == world.staff.username
    api_token_revoke(user=world.staff, token=token)
    response = client.get("/api/v1/me", **auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_tokens_page_creates_shows_once_and_revokes(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("accounts:tokens"), {"name": "台账同步"})
    assert response.status_code == 200
    raw = response.context["new_raw"]
    assert raw.startswith("lj_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=world.staff)
    assert raw not in client.get(reverse("accounts:tokens")).content.decode()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert not token.is_active


def test_someone_elses_token_cannot_be_revoked(client, world):
    token, _raw = api_token_create(user=world.staff, name="x")
    client.force_login(world.liaison)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_empty_token_name_gives_field_error(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("accounts:tokens"), {"name": ""})
    assert "这个字段是必填项" in response.content.decode()
    assert not ApiToken.objects.exists()
