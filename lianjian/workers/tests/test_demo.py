"""The demo's 小哥驿站, riders and friendly merchants come out of the product, and loading twice changes nothing."""

import pytest

from lianjian.accounts.models import User
from lianjian.demo import data
from lianjian.demo.loader import load_demo
from lianjian.regions.models import Region
from lianjian.workers import demo, selectors
from lianjian.workers.models import CheckIn, Merchant, Offer, Station, Supply, Worker

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Station, Supply, Worker, CheckIn, Merchant, Offer))


def test_demo_station_workers_and_merchants_are_idempotent(client):
    load_demo()
    counts = _counts()
    load_demo()
    assert _counts() == counts
    jiangpu = Region.objects.get(code=data.JIANGPULU)
    station = Station.objects.get(community=jiangpu, name=demo.STATION)
    assert set(station.amenities) >= {"water", "charging", "microwave", "medicine", "toilet", "rain_gear"}
    assert Supply.objects.filter(station=station, name="雨衣").exists()
    assert CheckIn.objects.filter(station=station).count() > 50
    rider = Worker.objects.get(user=User.objects.get(username="rider"))
    assert rider.station_name == "银海湾顺丰快递站点" and rider.is_grid_reporter
    assert Worker.objects.values("station_name").distinct().count() >= 5
    merchants = {m.organisation.name for m in selectors.public_merchants(jiangpu)}
    assert {name for name, _blurb, _offers in demo.MERCHANTS} <= merchants
    assert {"烂蹄花儿", "邹徐社醪糟店"} <= merchants
    assert all(m.alliance == "西熙里商家联盟" and m.current_offers for m in selectors.public_merchants(jiangpu))
    # The demo rider sees their status and the station on their page; staff see the usage chart.
    client.force_login(User.objects.get(username="rider"))
    page = client.get("/workers/me/").content.decode()
    assert "流动网格员" in page and demo.STATION in page and "烂蹄花儿" in page
    client.force_login(User.objects.get(username="jiangpu_staff"))
    assert 'id="usage-data"' in client.get(station.get_absolute_url()).content.decode()
