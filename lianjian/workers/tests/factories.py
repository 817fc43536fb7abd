"""Workers, stations and merchants for tests, made through the services."""

from __future__ import annotations

import itertools
from typing import Any

from lianjian.accounts.models import Role, User
from lianjian.accounts.permissions import SYSTEM
from lianjian.orgs.models import Organisation
from lianjian.testing import World, make_org, make_partnership, make_user
from lianjian.workers import merchants, services, stations
from lianjian.workers.models import Merchant, Station, Supply, Worker

_phones = itertools.count(13600000000)


def next_phone() -> str:
    return str(next(_phones))


def make_rider(*, phone: str | None = None, name: str = "骑手") -> User:
    return make_user(role=Role.RIDER, phone=phone or next_phone(), real_name=name)


def make_worker(world: World, *, user: User | None = None, verified: bool = False, **fields: Any) -> Worker:
    user = user or make_rider()
    data: dict[str, Any] = {"platform": "sf", "station_name": "银海湾顺丰快递站点", "work_area": "江浦路"}
    data |= fields
    worker = services.worker_register(actor=user, community=fields.pop("community", world.community),
                                      **{k: v for k, v in data.items() if k != "community"})
    if verified:
        worker = services.worker_verify(actor=world.staff, worker=worker)
    return worker


def make_station(world: World, **fields: Any) -> Station:
    data: dict[str, Any] = {"name": "小哥驿站", "address": "江浦路 1 号", "opening_hours": "全天",
                            "amenities": ["water", "charging"]}
    data |= fields
    community = data.pop("community", world.community)
    return stations.station_create(actor=SYSTEM, community=community, **data)


def make_supply(station: Station, *, name: str = "雨衣", quantity: int = 10, low_threshold: int = 2) -> Supply:
    return stations.supply_create(actor=SYSTEM, station=station, name=name, unit="件", quantity=quantity,
                                  low_threshold=low_threshold)


def make_merchant_org(world: World, *, name: str | None = None, community: Any = None,
                      liaison: User | None = None) -> Organisation:
    community = community or world.community
    org = make_org(region=community, name=name or f"商户{next(_phones)}", kind="merchant")
    make_partnership(community=community, organisation=org, liaison=liaison)
    if liaison is not None:
        from lianjian.accounts.services import role_grant

        role_grant(actor=SYSTEM, user=liaison, role=Role.LIAISON, organisation=org)
    return org


def make_merchant(world: World, *, org: Organisation | None = None, community: Any = None,
                  alliance: str = "西熙里商家联盟") -> Merchant:
    community = community or world.community
    org = org or make_merchant_org(world, community=community)
    return merchants.merchant_create(actor=SYSTEM, community=community, organisation=org, alliance=alliance)
