"""Meeting pages and API: scope, the board's cheap polling, claiming from a phone."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from lianjian.testing import PASSWORD

from .factories import board_need, make_meeting, partner_unit

pytestmark = pytest.mark.django_db


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_staff_see_meeting_page_with_qr_and_outsiders_get_404(world):
    meeting = make_meeting(world)
    staff = login(world.staff)
    page = staff.get(meeting.get_absolute_url())
    assert page.status_code == 200 and "山上·文明里" in page.content.decode()
    qr = staff.get(reverse("meetings:qr", args=[meeting.pk]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert login(world.other_staff).get(meeting.get_absolute_url()).status_code == 404
    assert login(world.liaison).get(meeting.get_absolute_url()).status_code == 200  # invited unit
    assert login(world.other_liaison).get(meeting.get_absolute_url()).status_code == 404


def test_create_meeting_from_the_form_invites_all_joint_units(world):
    r = login(world.staff).post(
        reverse("meetings:create"),
        {
            "community": world.community.pk,
            "kind": "joint",
            "title": "联席会议",
            "starts_at": "2025-03-01T09:00",
            "venue": "社区会议室",
            "invite_all": "on",
        },
    )
    assert r.status_code == 302
    from lianjian.meetings.models import Meeting

    assert Meeting.objects.get(title="联席会议").invitations.count() == 1


def test_checkin_page_signs_in(world):
    meeting = make_meeting(world)
    c = login(world.liaison)
    url = reverse("meetings:checkin", args=[meeting.pk, meeting.checkin_token])
    assert c.get(url).status_code == 200
    assert c.post(url).status_code == 200
    assert meeting.attendances.count() == 1
    assert c.get(reverse("meetings:checkin", args=[meeting.pk, "nope"])).status_code == 404


def test_board_state_is_cheap_when_unchanged(world):
    meeting = make_meeting(world)
    board_need(world, meeting)
    c = login(world.staff)
    assert c.get(reverse("meetings:board", args=[meeting.pk])).status_code == 200
    url = reverse("meetings:board_state", args=[meeting.pk])
    first = c.get(url)
    assert first.status_code == 200 and "非遗文化进校园" in first.content.decode()
    etag = first["ETag"]
    version = etag.strip('"')
    assert c.get(url, {"v": version}).status_code == 204
    assert c.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_phone_claim_shows_on_board_and_full_need_is_refused_with_message(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting, quantity=1)
    phone = login(world.liaison)
    claim_url = reverse("meetings:claim", args=[meeting.pk])
    assert phone.get(claim_url).status_code == 200
    r = phone.post(claim_url, {"need": need.pk, "quantity": 1, "organisation": world.unit.pk}, follow=True)
    assert "认领成功" in r.content.decode()
    board = login(world.staff).get(reverse("meetings:board_state", args=[meeting.pk])).content.decode()
    assert world.unit.name in board and "待确认" in board
    _org2, liaison2 = partner_unit(world, "另一单位")
    r = login(liaison2).post(claim_url, {"need": need.pk, "quantity": 1}, follow=True)
    assert "已被认领满" in r.content.decode()
    assert need.claims.count() == 1


def test_staff_confirm_from_control_page(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting)
    login(world.liaison).post(reverse("meetings:claim", args=[meeting.pk]), {"need": need.pk, "quantity": 1})
    claim = need.claims.get()
    r = login(world.staff).post(reverse("meetings:claim_confirm", args=[meeting.pk, claim.pk]))
    assert r.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "confirmed"
    assert (
        login(world.liaison).post(reverse("meetings:claim_confirm", args=[meeting.pk, claim.pk])).status_code
        == 403
    )


def test_convert_twice_over_http_makes_one_need(world):
    meeting = make_meeting(world)
    c = login(world.staff)
    c.post(reverse("meetings:proposal_create", args=[meeting.pk]), {"title": "非遗文化进校园"})
    p = meeting.proposals.get()
    from lianjian.meetings.tests.factories import category

    data = {"category": category().pk, "quantity_needed": 2, "quantity_unit": "场"}
    c.post(reverse("meetings:proposal_convert", args=[p.pk]), data)
    c.post(reverse("meetings:proposal_convert", args=[p.pk]), data)
    from lianjian.lists.models import Need

    assert Need.objects.filter(title="非遗文化进校园").count() == 1


def test_api_list_detail_board_and_claim(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting, quantity=1)
    staff = login(world.staff)
    listing = staff.get("/api/v1/meetings").json()
    assert [m["id"] for m in listing] == [meeting.pk]
    assert staff.get(f"/api/v1/meetings/{meeting.pk}").json()["venue"].startswith("“山上")
    assert login(world.other_staff).get(f"/api/v1/meetings/{meeting.pk}").status_code == 404
    board = staff.get(f"/api/v1/meetings/{meeting.pk}/board")
    assert board.status_code == 200 and board.json()["needs"][0]["claimed"] == 0
    assert (
        staff.get(f"/api/v1/meetings/{meeting.pk}/board", HTTP_IF_NONE_MATCH=board["ETag"]).status_code == 304
    )
    phone = login(world.liaison)
    body = json.dumps({"need_id": need.pk, "organisation_id": world.unit.pk, "quantity": 1})
    r = phone.post(f"/api/v1/meetings/{meeting.pk}/claims", body, content_type="application/json")
    assert r.status_code == 201, r.content
    org2, liaison2 = partner_unit(world, "迟到单位")
    body = json.dumps({"need_id": need.pk, "organisation_id": org2.pk, "quantity": 1})
    r = login(liaison2).post(f"/api/v1/meetings/{meeting.pk}/claims", body, content_type="application/json")
    assert r.status_code in (403, 404, 422)


def test_resident_submits_a_proposal_through_the_meeting_link(world):
    meeting = make_meeting(world, open_=False)
    c = login(world.resident)
    url = reverse("meetings:checkin", args=[meeting.pk, meeting.checkin_token])
    r = c.post(url, {"title": "小区增设休息座椅", "description": "老人散步没有地方坐"}, follow=True)
    assert "提议已提交" in r.content.decode()
    p = meeting.proposals.get()
    assert p.raised_by == world.resident and p.stage == "before" and p.raiser


def test_phone_claim_for_a_unit_that_is_not_the_users_is_refused_not_replaced(world):
    meeting = make_meeting(world)
    need = board_need(world, meeting)
    phone = login(world.liaison)
    r = phone.post(reverse("meetings:claim", args=[meeting.pk]),
                   {"need": need.pk, "quantity": 1, "organisation": world.other_unit.pk})
    assert r.status_code == 403
    assert "您不能代表这个单位认领" in r.content.decode()
    assert need.claims.count() == 0  # not silently made for the liaison's own unit


def test_meeting_for_staff_run_it_liaisons_only_see_it(world):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from lianjian.meetings.selectors import meeting_for

    meeting = make_meeting(world)
    assert meeting_for(world.staff, meeting.pk, change=True) == meeting
    assert meeting_for(world.liaison, meeting.pk) == meeting
    with pytest.raises(PermissionDenied):
        meeting_for(world.liaison, meeting.pk, change=True)
    with pytest.raises(Http404):
        meeting_for(world.other_staff, meeting.pk)
