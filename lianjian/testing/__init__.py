"""Test factories shared by every app's tests: a small region tree, units and users by role."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from lianjian.accounts.models import Role, User
from lianjian.accounts.permissions import SYSTEM
from lianjian.accounts.services import role_grant, user_create
from lianjian.orgs.models import Organisation, Partnership
from lianjian.orgs.services import organisation_create, partnership_create
from lianjian.regions.models import Region
from lianjian.regions.services import region_create

PASSWORD = "test-pass-123"
_seq = itertools.count(1)


def make_user(*, role: str | None = None, region: Region | None = None, organisation: Organisation | None = None,
              username: str | None = None, phone: str | None = None, real_name: str = "") -> User:
    n = next(_seq)
    user = user_create(actor=SYSTEM, username=username or f"user{n}", password=PASSWORD,
                       real_name=real_name or f"用户{n}", phone=phone)
    if role:
        role_grant(actor=SYSTEM, user=user, role=role, region=region, organisation=organisation)
    return user


def make_org(*, region: Region, name: str | None = None, kind: str = "state_owned", **fields: Any) -> Organisation:
    return organisation_create(actor=SYSTEM, name=name or f"单位{next(_seq)}", kind=kind, region=region, **fields)


def make_partnership(*, community: Region, organisation: Organisation, liaison: User | None = None) -> Partnership:
    return partnership_create(actor=SYSTEM, community=community, organisation=organisation,
                              start_date=dt.date(2024, 1, 1), liaison=liaison)


@dataclass
class World:
    """Two districts, each with a street and two communities, units and one user per role."""

    city: Region
    district: Region
    street: Region
    community: Region
    sibling: Region  # another community of the same street
    other_district: Region
    other_street: Region
    other_community: Region
    unit: Organisation  # partner of ``community``
    sibling_unit: Organisation  # partner of ``sibling``
    other_unit: Organisation  # partner of ``other_community``
    superuser: User
    district_admin: User
    street_admin: User
    staff: User
    sibling_staff: User
    other_staff: User
    liaison: User
    other_liaison: User
    resident: User
    rider: User
    volunteer: User


def make_world() -> World:
    from lianjian.lists.taxonomy import ensure_taxonomy

    # Transactional tests flush the database, data migrations' rows included.
    ensure_taxonomy()
    s = next(_seq)
    city = region_create(actor=SYSTEM, parent=None, code=f"9{s:05d}", name=f"测试市{s}", kind="city")
    district = region_create(actor=SYSTEM, parent=city, code=f"{city.code}01", name="甲区", kind="district")
    street = region_create(actor=SYSTEM, parent=district, code=f"{district.code}001", name="甲街道", kind="street")
    community = region_create(actor=SYSTEM, parent=street, code=f"{street.code}001", name="甲一社区",
                              kind="community")
    sibling = region_create(actor=SYSTEM, parent=street, code=f"{street.code}002", name="甲二社区",
                            kind="community")
    other_district = region_create(actor=SYSTEM, parent=city, code=f"{city.code}02", name="乙区", kind="district")
    other_street = region_create(actor=SYSTEM, parent=other_district, code=f"{other_district.code}001",
                                 name="乙街道", kind="street")
    other_community = region_create(actor=SYSTEM, parent=other_street, code=f"{other_street.code}001",
                                    name="乙一社区", kind="community")
    unit = make_org(region=community, name=f"甲一联建单位{s}", contact_phone="13912345678")
    sibling_unit = make_org(region=sibling, name=f"甲二联建单位{s}")
    other_unit = make_org(region=other_community, name=f"乙一联建单位{s}")
    liaison = make_user(real_name="联络员甲")
    other_liaison = make_user(real_name="联络员乙")
    make_partnership(community=community, organisation=unit, liaison=liaison)
    make_partnership(community=sibling, organisation=sibling_unit)
    make_partnership(community=other_community, organisation=other_unit, liaison=other_liaison)
    superuser = user_create(actor=SYSTEM, username=f"root{s}", password=PASSWORD, is_superuser=True)
    return World(
        city=city, district=district, street=street, community=community, sibling=sibling,
        other_district=other_district, other_street=other_street, other_community=other_community,
        unit=unit, sibling_unit=sibling_unit, other_unit=other_unit, superuser=superuser,
        district_admin=make_user(role=Role.REGION_ADMIN, region=district),
        street_admin=make_user(role=Role.REGION_ADMIN, region=street),
        staff=make_user(role=Role.COMMUNITY_STAFF, region=community, phone="13800001111"),
        sibling_staff=make_user(role=Role.COMMUNITY_STAFF, region=sibling),
        other_staff=make_user(role=Role.COMMUNITY_STAFF, region=other_community),
        liaison=liaison, other_liaison=other_liaison,
        resident=make_user(role=Role.RESIDENT), rider=make_user(role=Role.RIDER),
        volunteer=make_user(role=Role.VOLUNTEER),
    )


def run_together(jobs: list[Any]) -> dict[str, list[Any]]:
    """Run each job in its own thread, all released at once by a barrier; every thread uses (and
    closes) its own database connection. Returns results sorted into ``ok`` (return values),
    ``refused`` (ValidationError: the rules said no) and ``error`` (anything else: a bug)."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    barrier = threading.Barrier(len(jobs))
    results: dict[str, list[Any]] = {"ok": [], "refused": [], "error": []}
    lock = threading.Lock()

    def worker(job: Any) -> None:
        try:
            barrier.wait(timeout=10)
            value, key = job(), "ok"
        except ValidationError as exc:
            value, key = exc, "refused"
        except Exception as exc:  # anything else fails the calling test
            value, key = exc, "error"
        finally:
            connection.close()
        with lock:
            results[key].append(value)

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
