import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from lianjian.accounts.services import api_token_create
from lianjian.notifications.models import Notification
from lianjian.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_notify_waits_for_commit_and_dedupes(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.staff, world.staff.pk, world.liaison, None], text="新需求待审核",
               url="/lists/")
        assert not Notification.objects.exists()  # nothing before the commit
    assert Notification.objects.filter(recipient=world.staff).count() == 1
    assert Notification.objects.filter(recipient=world.liaison).count() == 1


def test_rolled_back_change_notifies_nobody(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(recipients=[world.staff], text="x")
                raise RuntimeError
        except RuntimeError:
            pass
    assert not Notification.objects.exists()


def test_email_only_when_enabled(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.staff.email = "staff@example.org"
    world.staff.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.staff], text="无邮件")
    assert len(mail.outbox) == 0
    settings.LIANJIAN_EMAIL_NOTIFICATIONS = True
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.staff, world.liaison], text="有邮件", url="/lists/")
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]


def test_bell_list_and_mark_read(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.staff], text="请确认认领", url="/lists/review/")
        notify(recipients=[world.staff], text="第二条")
    client.force_login(world.staff)
    assert 'data-testid="bell-count">2<' in client.get(reverse("notifications:bell")).content.decode()
    assert "notifications/bell/" in client.get(reverse("lists:need_list")).content.decode()
    page = client.get(reverse("notifications:list")).content.decode()
    assert "请确认认领" in page
    first = Notification.objects.get(text="请确认认领")
    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/lists/review/"
    first.refresh_from_db()
    assert first.is_read
    # Someone else's notification is 404.
    client.force_login(world.liaison)
    assert client.post(reverse("notifications:read", args=[first.pk])).status_code == 404
    client.force_login(world.staff)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(is_read=False).exists()
    assert "bell-count" not in client.get(reverse("notifications:bell")).content.decode()


def test_api(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.staff], text="一条通知")
    _t, raw = api_token_create(user=world.staff, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/notifications/unread-count", **headers).json() == {"unread": 1}
    body = client.get("/api/v1/notifications", **headers).json()
    assert body["items"][0]["text"] == "一条通知"
    nid = body["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{nid}/read", **headers).json()["is_read"] is True
    assert client.post("/api/v1/notifications/read-all", **headers).json() == {"marked": 0}
    _t, raw = api_token_create(user=world.liaison, name="t")
    assert client.post(f"/api/v1/notifications/{nid}/read",
                       HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404
