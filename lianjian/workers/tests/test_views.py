"""The worker pages: registering on a phone with a code, staff actions, the door QR, station and
merchant pages — Chinese messages for bad input and nothing written."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import caches
from openpyxl import load_workbook

from lianjian.accounts.models import Role, User
from lianjian.core import sms
from lianjian.core.models import Activity
from lianjian.workers.models import CheckIn, Offer, Station, Supply, Worker

from .factories import make_merchant, make_merchant_org, make_rider, make_station, make_supply, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean():
    sms.outbox.clear()
    caches["throttle"].clear()
    yield
    sms.outbox.clear()


def _last_code(phone: str) -> str:
    sent = [text for to, text in sms.outbox if to == phone]
    return re.search(r"\d{6}", sent[-1]).group(0)


FORM = {"name": "王小虎", "phone": "13312345678", "platform": "sf", "station_name": "银海湾顺丰快递站点",
        "work_area": "银海湾", "is_party_member": "on", "password": "Kuaidi-2025!x"}


def test_a_new_rider_registers_with_a_phone_code_and_gets_an_account(client, world,
                                                                     django_capture_on_commit_callbacks):
    station = make_station(world)
    form = FORM | {"community": world.community.pk}
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/workers/register/", form | {"send_code": "1"})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    bad = "000000" if _last_code("13312345678") != "000000" else "111111"
    wrong = client.post("/workers/register/", form | {"sms_code": bad})
    assert "验证码不正确" in wrong.content.decode() and not Worker.objects.exists()
    assert not User.objects.filter(phone="13312345678").exists()
    done = client.post("/workers/register/", form | {"sms_code": _last_code("13312345678"),
                                                     "next": station.get_checkin_url()})
    assert done.status_code == 302 and done["Location"] == station.get_checkin_url()
    worker = Worker.objects.get()
    assert worker.user.phone == "13312345678" and worker.is_party_member and worker.status == "pending"
    assert worker.user.roles.filter(role=Role.RIDER, region=world.community).exists()
    assert client.get("/workers/me/").status_code == 200  # logged in as the new account
    assert client.login(username="13312345678", password=FORM["password"])


def test_registration_form_refuses_bad_phone_duplicate_and_missing_code(client, world):
    make_station(world)
    form = FORM | {"community": world.community.pk}
    bad = client.post("/workers/register/", form | {"phone": "1331234", "sms_code": "123456"})
    assert bad.status_code == 200 and "手机号" in bad.content.decode()
    nocode = client.post("/workers/register/", form)
    assert "请输入短信验证码" in nocode.content.decode()
    existing = make_worker(world)
    client.force_login(make_rider())
    dup = client.post("/workers/register/", form | {"phone": existing.phone, "sms_code": "000000"})
    assert "验证码" in dup.content.decode() and Worker.objects.count() == 1


def test_a_logged_in_rider_registers_without_a_code_for_their_own_phone(client, world):
    make_station(world)
    rider = make_rider(name="李强")
    client.force_login(rider)
    page = client.get("/workers/register/")
    assert rider.phone in page.content.decode()
    res = client.post("/workers/register/", {"name": "李强", "phone": rider.phone, "community": world.community.pk,
                                             "platform": "zto", "station_name": "中通站"})
    assert res.status_code == 302 and Worker.objects.get().user == rider
    assert client.get("/workers/register/")["Location"] == "/workers/me/"


def test_staff_verify_certify_revoke_on_the_page_and_list_filter_export(client, world):
    worker = make_worker(world, name="赵磊")
    client.force_login(world.staff)
    listing = client.get("/workers/?status=pending").content.decode()
    assert "赵磊" in listing and worker.phone in listing
    client.post(f"/workers/{worker.pk}/verify/")
    client.post(f"/workers/{worker.pk}/certify/")
    worker.refresh_from_db()
    assert worker.status == "verified" and worker.is_grid_reporter
    assert Activity.objects.filter(action="certify_grid_reporter").count() == 1
    page = client.get(f"/workers/{worker.pk}/").content.decode()
    assert "认证了流动网格员" in page  # the audit trail says so
    assert "赵磊" not in client.get("/workers/?status=pending").content.decode()
    assert "赵磊" in client.get("/workers/?grid=1").content.decode()
    sheet = load_workbook(io.BytesIO(client.get("/workers/export.xlsx?grid=1").content)).active
    assert [c.value for c in sheet[2]][:2] == ["赵磊", worker.phone]
    res = client.post(f"/workers/{worker.pk}/reject/", {"reason": ""})
    assert "必填" in res.content.decode() or "这个字段" in res.content.decode()
    client.force_login(world.other_staff)
    assert client.post(f"/workers/{worker.pk}/revoke/").status_code == 404
    assert client.get("/workers/export.xlsx").status_code == 200
    other_sheet = load_workbook(io.BytesIO(client.get("/workers/export.xlsx").content)).active
    assert other_sheet.max_row == 1  # another community's staff export nobody of this one


def test_door_qr_one_tap_check_in_and_refusals(client, world):
    station = make_station(world)
    url = station.get_checkin_url()
    anonymous = client.get(url).content.decode()
    assert "登录" in anonymous and station.name in anonymous
    worker = make_worker(world)
    client.force_login(worker.user)
    assert 'data-testid="checkin"' in client.get(url).content.decode()
    first = client.post(url).content.decode()
    assert "签到成功" in first
    assert "只记一次" in client.post(url).content.decode()
    assert CheckIn.objects.count() == 1
    forged = client.get("/workers/s/forged-token-abcdef/")
    assert forged.status_code == 404 and "二维码无效" in forged.content.decode()
    Station.objects.filter(pk=station.pk).update(is_open=False)
    closed = client.post(url)
    assert closed.status_code == 404 and "已关闭" in closed.content.decode()
    assert CheckIn.objects.count() == 1
    client.force_login(world.resident)
    assert "先登记" in client.get(make_station(world, name="二号").get_checkin_url()).content.decode()


def test_station_form_refuses_out_of_range_coordinates_and_the_public_page_has_no_phones(client, world):
    client.force_login(world.staff)
    body = {"community": world.community.pk, "name": "小哥驿站", "address": "江浦路 1 号", "lat": "95",
            "lng": "103.8", "amenities": ["water", "toilet"], "is_open": "on"}
    res = client.post("/workers/stations/new/", body)
    assert res.status_code == 200 and "纬度应在 -90 到 90 之间" in res.content.decode()
    assert not Station.objects.exists()
    res = client.post("/workers/stations/new/", body | {"lat": "30.68"})
    station = Station.objects.get()
    assert res.status_code == 302 and station.amenities == ["water", "toilet"]
    supply = make_supply(station, quantity=2)
    make_worker(world, user=make_rider(phone="13612340000"))
    CheckIn.objects.create(station=station, worker=Worker.objects.get(), created_at=station.created_at)
    staff_page = client.get(station.get_absolute_url()).content.decode()
    assert 'id="usage-data"' in staff_page and "chart.umd.min.js" in staff_page
    client.logout()
    public = client.get(station.get_absolute_url()).content.decode()
    assert "卫生间" in public and "2 件" not in public  # stock levels only in words
    assert "13612340000" not in public and "1361234" not in public and "usage-data" not in public
    assert station.token not in public
    # Too many taken: a Chinese message, stock unchanged.
    client.force_login(world.staff)
    client.post(f"/workers/stations/{station.pk}/supplies/{supply.pk}/move/", {"action": "take", "quantity": 5})
    assert Supply.objects.get(pk=supply.pk).quantity == 2
    msgs = client.get(station.get_absolute_url()).content.decode()
    assert "库存不足" in msgs
    client.post(f"/workers/stations/{station.pk}/supplies/{supply.pk}/move/", {"action": "restock",
                                                                              "quantity": -3})
    assert Supply.objects.get(pk=supply.pk).quantity == 2


def test_poster_pdf_and_png_for_staff_only(client, world):
    station = make_station(world)
    client.force_login(world.staff)
    png = client.get(f"/workers/stations/{station.pk}/poster.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    pdf = client.get(f"/workers/stations/{station.pk}/poster.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(world.other_staff)
    assert client.get(f"/workers/stations/{station.pk}/poster.png").status_code == 404


def test_a_liaison_cannot_open_or_post_to_another_merchant(client, world):
    mine = make_merchant(world, org=make_merchant_org(world, liaison=world.liaison))
    theirs = make_merchant(world)
    client.force_login(world.liaison)
    assert client.get(f"/workers/merchants/{theirs.pk}/").status_code == 404
    assert client.post(f"/workers/merchants/{theirs.pk}/", {"title": "冒充", "valid_from": "2025-01-01"}
                       ).status_code == 404
    res = client.post(f"/workers/merchants/{mine.pk}/", {"title": "免费热水", "valid_from": "2025-02-01",
                                                         "valid_until": "2025-01-01", "is_active": "on"})
    assert res.status_code == 200 and "结束日期不能早于开始日期" in res.content.decode()
    client.post(f"/workers/merchants/{mine.pk}/", {"title": "免费热水", "valid_from": "2025-01-01", "is_active": "on"})
    assert list(Offer.objects.values_list("merchant_id", flat=True)) == [mine.pk]
    listing = client.get("/workers/merchants/").content.decode()
    assert mine.organisation.name in listing and theirs.organisation.name not in listing


def test_public_includes_list_open_stations_and_current_offers_without_personal_data(world):
    from django.template.loader import render_to_string

    from lianjian.workers import selectors

    station = make_station(world, name="公开驿站")
    worker = make_worker(world, user=make_rider(phone="13698765432"))
    CheckIn.objects.create(station=station, worker=worker, created_at=station.created_at)
    merchant = make_merchant(world)
    merchant.offers.create(title="免费充电", valid_from="2025-01-01")
    html = render_to_string("workers/includes/public_stations.html",
                            {"stations": selectors.public_stations(world.community)})
    html += render_to_string("workers/includes/public_merchants.html",
                             {"merchants": selectors.public_merchants(world.community)})
    assert "公开驿站" in html and "免费充电" in html and "西熙里商家联盟" in html
    assert "13698765432" not in html and "1369876" not in html and station.token not in html


def test_staff_edit_a_station_and_closing_it_hides_the_public_page(client, world):
    station = make_station(world)
    client.force_login(world.other_staff)
    assert client.get(f"/workers/stations/{station.pk}/edit/").status_code == 404
    client.force_login(world.staff)
    res = client.post(f"/workers/stations/{station.pk}/edit/", {"name": "升级版小哥驿站", "address": "江浦路 2 号",
                                                                "lat": "30.5", "lng": "", "amenities": ["seats"]})
    assert res.status_code == 200 and "经纬度须同时填写" in res.content.decode()
    res = client.post(f"/workers/stations/{station.pk}/edit/", {"name": "升级版小哥驿站", "address": "江浦路 2 号",
                                                                "amenities": ["seats", "wifi"]})
    station.refresh_from_db()
    assert res.status_code == 302 and station.name == "升级版小哥驿站" and not station.is_open
    assert station.amenities == ["seats", "wifi"]
    entry = Activity.objects.filter(action="update", object_id=str(station.pk)).latest("id")
    assert entry.changes["amenities"][1] == "座椅、无线网络"  # the audit trail reads the checklist in words
    client.logout()
    assert client.get(station.get_absolute_url()).status_code == 404
