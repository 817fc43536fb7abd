"""The seed's events come out of the product: the dinner's 34 + 8 dishes and 15 praised workers,
the run's 4.5 km route with a medical point and volunteers — through the page and the API."""

import pytest

from lianjian.accounts.models import User
from lianjian.accounts.services import api_token_create
from lianjian.demo.loader import load_demo
from lianjian.events import demo, thanks
from lianjian.events.models import Event, EventPhoto, Pledge, Recognition

pytestmark = pytest.mark.django_db


def test_demo_events_retell_the_seed_and_are_idempotent(client):
    load_demo()
    counts = (Event.objects.count(), Pledge.objects.count(), Recognition.objects.count(), EventPhoto.objects.count())
    load_demo()
    assert (Event.objects.count(), Pledge.objects.count(), Recognition.objects.count(),
            EventPhoto.objects.count()) == counts

    dinner = Event.objects.get(title=demo.DINNER)
    figures = thanks.pledge_figures(event=dinner)
    assert figures.by_kind == {"resident": 34, "merchant": 8}
    assert figures.pledged == figures.goal == 42 and figures.delivered == 42
    merchants = set(dinner.pledges.filter(pledger_kind="merchant").values_list("pledger_name", flat=True))
    assert len(merchants) == 8 and {"烂蹄花儿", "邹徐社醪糟店"} <= merchants
    assert set(dinner.pledges.filter(pledger_kind="merchant").values_list("organisation__name", flat=True)) == {
        "西熙里商家联盟"}
    praised = dinner.recognitions.all()
    assert praised.count() == 15 and praised.filter(affiliation="银海湾顺丰快递站点").exists()
    # The demo rider was one of them and finds the praise and certificate on their own page.
    client.force_login(User.objects.get(username="rider"))
    mine = client.get("/events/mine/").content.decode()
    assert 'data-testid="my-recognitions"' in mine and demo.DINNER in mine
    rec = praised.get(user__username="rider")
    assert client.get(f"/events/{dinner.pk}/recognitions/{rec.pk}/certificate.pdf").status_code == 200
    client.logout()
    page = client.get(dinner.get_absolute_url()).content.decode()
    assert "粉蒸牛肉 1 道 — 夏叔叔" in page and "汉平大抄手" in page
    # After the event: its photos, as public copies that display.
    photos = list(dinner.photos.all())
    assert len(photos) == 2
    for photo in photos:
        assert photo.public_url in page
        shown = client.get(photo.public_url)
        assert shown.status_code == 200 and shown["Content-Type"].startswith("image/")

    run = Event.objects.get(title=demo.RUN)
    assert run.region.name == "濠阳街道" and run.venue == "天府蔬香博览园"
    posts = list(run.posts.all())
    assert posts[-1].km == 4.5 and [p.km for p in posts] == sorted(p.km for p in posts)
    assert any(p.role == "medical" for p in posts) and any(p.role == "security" for p in posts)
    assert all(p.filled == p.headcount for p in posts)

    staff = User.objects.get(username="jiangpu_staff")
    _token, raw = api_token_create(user=staff, name="t")
    res = client.get(f"/api/v1/events/{dinner.pk}/registrations?status=confirmed",
                     HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert res.status_code == 200 and res.json()["count"] >= 15


def test_the_events_appear_on_the_dashboards_of_their_community_and_street(client):
    from lianjian.accounts.models import User
    from lianjian.regions.models import Region

    load_demo()
    staff = User.objects.get(username="jiangpu_staff")
    client.force_login(staff)
    jiangpu = Region.objects.get(code="510115005002")
    page = client.get(f"/analytics/regions/{jiangpu.pk}/?year=2025").content.decode()
    assert 'data-testid="dashboard-events"' in page and demo.DINNER in page
    from lianjian.events.selectors import region_event_rows

    rows = region_event_rows(region=jiangpu, year=2025)
    assert [r.event.title for r in rows] == [demo.DINNER]
    dinner = rows[0]
    assert dinner.pledges == 42 and dinner.volunteers == 6 and dinner.checked_in == 25
    street = Region.objects.get(code="510182001")
    run = region_event_rows(region=street, year=2025)
    assert [r.event.title for r in run] == [demo.RUN] and run[0].volunteers == 19
    assert region_event_rows(region=jiangpu, year=2024) == []


def test_the_dinner_is_in_the_communitys_annual_report(tmp_path):
    import io

    from docx import Document
    from openpyxl import load_workbook

    from lianjian.analytics import report
    from lianjian.regions.models import Region

    load_demo()
    jiangpu = Region.objects.get(code="510115005002")
    data = report.build_report(community=jiangpu, year=2025)
    assert [e["title"] for e in data.events] == [demo.DINNER]
    assert data.events[0]["pledges"] == 42
    text = "\n".join(p.text for p in Document(io.BytesIO(report.render(data, "docx"))).paragraphs)
    assert "六、活动开展情况" in text and "共开展活动1场" in text
    sheet = load_workbook(io.BytesIO(report.render(data, "xlsx")))["活动"]
    assert sheet.cell(row=2, column=1).value == demo.DINNER
