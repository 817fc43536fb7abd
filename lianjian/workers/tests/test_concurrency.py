"""Ten workers take the last three raincoats at the same moment (threads with their own connections).

Runs on SQLite (IMMEDIATE transactions) and PostgreSQL. The take is one conditional UPDATE; the
negative control switches it to read-then-write (``stations.LOCKING``) and shows the same race
hands out more raincoats than there were — so this test can fail.
"""

from __future__ import annotations

from typing import Any

import pytest

from lianjian.testing import make_world, run_together
from lianjian.workers import stations
from lianjian.workers.models import CheckIn, Supply

from .factories import make_station, make_supply, make_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

STOCK, PEOPLE = 3, 10


def _race(supply: Supply, workers: list[Any]) -> dict[str, list[Any]]:
    def job(worker: Any) -> Any:
        return lambda: stations.supply_take(actor=worker.user, supply=Supply.objects.select_related(
            "station__community").get(pk=supply.pk), quantity=1)

    return run_together([job(w) for w in workers])


def _setup() -> tuple[Supply, list[Any]]:
    world = make_world()
    supply = make_supply(make_station(world), name="雨衣", quantity=STOCK)
    return supply, [make_worker(world, verified=True) for _ in range(PEOPLE)]


def test_ten_workers_take_the_last_three_raincoats_exactly_three_succeed():
    supply, workers = _setup()
    results = _race(supply, workers)
    assert results["error"] == [], results["error"]
    assert len(results["ok"]) == STOCK and len(results["refused"]) == PEOPLE - STOCK
    assert all("库存不足" in str(e) for e in results["refused"])
    assert Supply.objects.get(pk=supply.pk).quantity == 0


def test_negative_control_without_the_conditional_update_more_are_handed_out(monkeypatch):
    supply, workers = _setup()
    monkeypatch.setattr(stations, "LOCKING", False)
    results = _race(supply, workers)
    # Lost updates: more takes "succeed" than there were raincoats, and the stock no longer adds up.
    assert len(results["ok"]) > STOCK or Supply.objects.get(pk=supply.pk).quantity != STOCK - len(results["ok"])


def test_two_taps_on_the_door_qr_at_once_count_one_visit():
    world = make_world()
    station = make_station(world)
    worker = make_worker(world)
    results = run_together([lambda: stations.checkin(actor=worker.user, token=station.token) for _ in range(4)])
    assert results["error"] == [] and len(results["ok"]) == 4
    assert sum(r.counted for r in results["ok"]) == 1
    assert CheckIn.objects.filter(station=station).count() == 1
