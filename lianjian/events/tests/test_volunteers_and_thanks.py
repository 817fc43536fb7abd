"""Volunteer posts (headcount, overlap, shift window, verified and reported hours), pledges and
recognition certificates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from lianjian.events import thanks, volunteers
from lianjian.events.models import Pledge, VolunteerPost, VolunteerSignup
from lianjian.testing import PASSWORD, make_world, run_together

from .factories import make_event

H = dt.timedelta(hours=1)


def _post(world, event, **fields):
    data = {"role": "medical", "title": "医疗保障点", "km": "2.00", "headcount": 2,
            "starts_at": event.starts_at, "ends_at": event.starts_at + 2 * H} | fields
    return volunteers.post_create(actor=world.staff, event=event, **data)


@pytest.mark.django_db
def test_posts_are_listed_in_route_order(world):
    event = make_event(world)
    late = _post(world, event, title="终点补给", km="4.50")
    early = _post(world, event, title="起点引导", km="0.00")
    kitchen = _post(world, event, title="后厨", km=None, role="kitchen")
    assert list(event.posts.all()) == [early, late, kitchen]


@pytest.mark.django_db
def test_signup_rules_overlap_headcount_and_ended_shift(world):
    event = make_event(world)
    a = _post(world, event, headcount=1)
    b = _post(world, event, title="安保", role="security", starts_at=event.starts_at + H,
              ends_at=event.starts_at + 3 * H)
    c = _post(world, event, title="收尾", role="other", starts_at=event.starts_at + 2 * H,
              ends_at=event.starts_at + 3 * H)
    volunteers.signup_create(actor=world.volunteer, post=a)
    with pytest.raises(ValidationError, match="重叠"):
        volunteers.signup_create(actor=world.volunteer, post=b)
    volunteers.signup_create(actor=world.volunteer, post=c)  # back to back is fine
    with pytest.raises(ValidationError, match="已满"):
        volunteers.signup_create(actor=world.resident, post=a)
    with pytest.raises(ValidationError, match="已结束"):
        volunteers.signup_create(actor=world.resident, post=b, now=b.ends_at)
    assert VolunteerPost.objects.get(pk=a.pk).filled == 1
    assert VolunteerSignup.objects.count() == 2


@pytest.mark.django_db
def test_verified_hours_are_clipped_to_the_shift_and_reported_hours_need_approval(world):
    event = make_event(world)
    post = _post(world, event)
    signup = volunteers.signup_create(actor=world.volunteer, post=post)
    with pytest.raises(ValidationError):
        volunteers.signup_check_in(actor=world.volunteer, signup=signup, now=post.starts_at - 2 * H)
    volunteers.signup_check_in(actor=world.volunteer, signup=signup, now=post.starts_at - dt.timedelta(minutes=20))
    volunteers.signup_check_out(actor=world.volunteer, signup=signup, now=post.ends_at + H)
    signup.refresh_from_db()
    assert signup.verified_minutes == 120
    volunteers.hours_report(actor=world.volunteer, signup=signup, minutes=90, note="在家备菜")
    signup.refresh_from_db()
    assert signup.credited_minutes == 120
    with pytest.raises(PermissionDenied):
        volunteers.hours_decide(actor=world.volunteer, signup=signup, approve=True)
    volunteers.hours_decide(actor=world.staff, signup=signup, approve=True)
    signup.refresh_from_db()
    assert signup.credited_minutes == 210
    with pytest.raises(ValidationError):
        volunteers.hours_decide(actor=world.staff, signup=signup, approve=False)


@pytest.mark.django_db
def test_short_posts_are_reported_once(world):
    from lianjian.notifications.models import Notification

    event = make_event(world)
    _post(world, event, headcount=3)
    with_people = _post(world, event, title="引导", role="guide", headcount=1)
    volunteers.signup_create(actor=world.volunteer, post=with_people)
    now = event.starts_at - dt.timedelta(days=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        assert volunteers.notify_short_posts(now=now) == 1
        assert volunteers.notify_short_posts(now=now) == 0
    assert Notification.objects.filter(recipient=world.staff, text__contains="还差 3 人").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_simultaneous_signups_never_overfill_a_post():
    world = make_world()
    from lianjian.testing import make_user

    event = make_event(world)
    post = _post(world, event, headcount=3)
    people = [make_user(role="volunteer") for _ in range(8)]
    results = run_together([
        (lambda u=u: volunteers.signup_create(actor=u, post=VolunteerPost.objects.get(pk=post.pk))) for u in people])
    assert results["error"] == []
    assert len(results["ok"]) == 3 and len(results["refused"]) == 5
    assert VolunteerPost.objects.get(pk=post.pk).filled == 3 == VolunteerSignup.objects.filter(post=post).count()


@pytest.mark.django_db
def test_pledges_figures_and_the_public_thank_you_list(client, world):
    event = make_event(world, pledge_goal=3, pledge_goal_unit="道菜")
    dish = thanks.pledge_create(actor=world.staff, event=event, item="红烧肉", quantity=1, unit="盆",
                                pledger_kind="resident", pledger_name="刁嬢嬢")
    thanks.pledge_create(actor=world.staff, event=event, item="螺蛳粉", quantity=1, unit="道",
                         pledger_kind="merchant", pledger_name="强记螺蛳粉", organisation=world.unit)
    with pytest.raises(ValidationError):
        thanks.pledge_create(actor=world.staff, event=event, item="抄手", quantity=1, unit="道",
                             pledger_kind="merchant", pledger_name="外区商家", organisation=world.other_unit)
    with pytest.raises(PermissionDenied):
        thanks.pledge_create(actor=world.other_staff, event=event, item="x", quantity=1, unit="份",
                             pledger_kind="resident", pledger_name="y")
    thanks.pledge_set_status(actor=world.staff, pledge=dish, status="delivered")
    figures = thanks.pledge_figures(event=event)
    assert (figures.pledged, figures.delivered, figures.missing) == (2, 1, 1)
    assert figures.by_kind == {"resident": 1, "merchant": 1}
    page = client.get(event.get_absolute_url()).content.decode()
    assert "红烧肉 1 盆 — 刁嬢嬢" in page and "强记螺蛳粉" in page
    assert Pledge.objects.count() == 2


@pytest.mark.django_db
def test_recognition_certificate_is_a_pdf_with_the_cjk_font(client, world):
    event = make_event(world)
    rec = thanks.recognition_create(actor=world.staff, event=event, name="王师傅", affiliation="银海湾顺丰快递站点",
                                    reason="全年无差错投递", gift="暖心大礼包")
    assert client.login(username=world.staff.username, password=PASSWORD)
    res = client.get(f"/events/{event.pk}/recognitions/{rec.pk}/certificate.pdf")
    assert res.status_code == 200 and res.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(res.content)).pages)
    assert "王师傅" in text and "银海湾顺丰快递站点" in text
    client.logout()
    assert client.login(username=world.resident.username, password=PASSWORD)
    assert client.get(f"/events/{event.pk}/recognitions/{rec.pk}/certificate.pdf").status_code == 404


@pytest.mark.parametrize(("language", "issued", "starts"), [
    ("zh-hans", "2025年1月9日", "2025年1月10日 09:00"), ("en", "Jan. 9, 2025", "Jan. 10, 2025, 9 a.m.")])
def test_printed_dates_follow_the_reader_language(world, language, issued, starts):
    """The certificate and the poster print dates in the reader's language (no Chinese date in English)."""
    from zoneinfo import ZoneInfo

    from django.template.loader import render_to_string
    from django.utils import translation

    event = make_event(world)
    event.starts_at = dt.datetime(2025, 1, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    rec = thanks.recognition_create(actor=world.staff, event=event, name="王师傅", reason="全年无差错投递")
    with translation.override(language):
        certificate = render_to_string("events/certificate.html", {"r": rec, "event": event,
                                                                   "issued": dt.date(2025, 1, 9)})
        poster = render_to_string("events/poster.html", {"event": event, "qr_svg": "", "url": "/"})
    assert issued in certificate
    assert starts in poster
