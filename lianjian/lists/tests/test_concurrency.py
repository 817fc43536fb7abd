"""Claims and confirmations that really run at the same time, each thread on its own connection.

They pass on SQLite (IMMEDIATE transactions queue the writers) and on PostgreSQL (row locks and
conditional updates): ``DATABASE_URL=postgres://… pytest lianjian/lists -m concurrency``.
"""

from collections.abc import Callable
from typing import Any

import pytest

from lianjian.accounts.models import User
from lianjian.lists import services
from lianjian.lists.models import Claim, ClaimStatus, Need, NeedStatus, Resource
from lianjian.testing import make_org, make_partnership, run_together

from .factories import make_need, make_resource

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

THREADS = 6


def partner_units(world: Any, n: int) -> list[Any]:
    units = []
    for i in range(n):
        org = make_org(region=world.community, name=f"并发单位{world.community.pk}-{i}")
        make_partnership(community=world.community, organisation=org)
        units.append(org)
    return units


def test_simultaneous_confirms_never_overcover_a_need(world):
    """Six pending claims of one place each on a need of three: exactly three are confirmed."""
    need = make_need(world, quantity=3)
    claims = [services.claim_create(actor=world.staff, need=need, organisation=org, quantity=1)
              for org in partner_units(world, THREADS)]
    staff_pk = world.staff.pk

    def confirm(claim_pk: int) -> Callable[[], Any]:
        return lambda: services.claim_confirm(actor=User.objects.get(pk=staff_pk),
                                              claim=Claim.objects.get(pk=claim_pk))

    results = run_together([confirm(c.pk) for c in claims])
    assert results["error"] == []
    assert len(results["ok"]) == 3 and len(results["refused"]) == 3
    need = Need.objects.get(pk=need.pk)
    assert need.quantity_covered == 3 and need.status == NeedStatus.COVERED
    assert Claim.objects.filter(status=ClaimStatus.CONFIRMED).count() == 3
    assert Claim.objects.filter(status=ClaimStatus.PENDING).count() == 3


def test_simultaneous_confirms_never_drive_a_resource_below_zero(world):
    """One unit's three places claimed on six needs at once: three confirmations win, none below zero."""
    resource = make_resource(world, capacity=3)
    claims = []
    for i in range(THREADS):
        need = make_need(world, quantity=5, title=f"需求{i}")
        claims.append(services.claim_create(actor=world.liaison, need=need, organisation=world.unit,
                                            resource=resource, quantity=1))
    staff_pk = world.staff.pk

    def confirm(claim_pk: int) -> Callable[[], Any]:
        return lambda: services.claim_confirm(actor=User.objects.get(pk=staff_pk),
                                              claim=Claim.objects.get(pk=claim_pk))

    results = run_together([confirm(c.pk) for c in claims])
    assert results["error"] == []
    assert len(results["ok"]) == 3
    resource = Resource.objects.get(pk=resource.pk)
    assert resource.remaining == 0
    assert sum(Need.objects.values_list("quantity_covered", flat=True)) == 3
    assert "剩余 0" in str(results["refused"][0])


def test_simultaneous_on_the_spot_claims_take_exactly_the_last_places(world):
    """Units claiming the last two places on the spot at the same moment: two win, the rest are told why."""
    need = make_need(world, quantity=2)
    staff_pk = world.staff.pk

    def claim(org_pk: int) -> Callable[[], Any]:
        from lianjian.orgs.models import Organisation

        return lambda: services.claim_create_confirmed(
            actor=User.objects.get(pk=staff_pk), need=Need.objects.get(pk=need.pk),
            organisation=Organisation.objects.get(pk=org_pk), quantity=1)

    results = run_together([claim(org.pk) for org in partner_units(world, THREADS)])
    assert results["error"] == []
    assert len(results["ok"]) == 2 and len(results["refused"]) == THREADS - 2
    need = Need.objects.get(pk=need.pk)
    assert need.quantity_covered == 2 and need.status == NeedStatus.COVERED
    # The refused on-the-spot claims left nothing behind.
    assert Claim.objects.filter(need=need).count() == 2


def test_double_confirm_of_one_claim_counts_once(world):
    """The same claim confirmed by two staff at once is counted once."""
    resource = make_resource(world, capacity=5)
    need = make_need(world, quantity=5)
    claim = services.claim_create(actor=world.liaison, need=need, organisation=world.unit, resource=resource,
                                  quantity=2)
    staff_pk, street_pk = world.staff.pk, world.street_admin.pk
    results = run_together([
        lambda pk=pk: services.claim_confirm(actor=User.objects.get(pk=pk),
                                             claim=Claim.objects.get(pk=claim.pk))
        for pk in (staff_pk, street_pk, staff_pk, street_pk)
    ])
    assert results["error"] == [] and len(results["ok"]) == 1
    assert Need.objects.get(pk=need.pk).quantity_covered == 2
    assert Resource.objects.get(pk=resource.pk).remaining == 3
