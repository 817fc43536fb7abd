import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianjian.accounts.permissions import SYSTEM
from lianjian.core.models import Activity
from lianjian.regions.models import Region
from lianjian.regions.services import region_create, region_update

pytestmark = pytest.mark.django_db


def test_subtree_query_returns_node_and_everything_below(world):
    """"Everything under a node" includes the node and all levels below, and nothing beside it."""
    under_district = set(Region.objects.under(world.district).values_list("pk", flat=True))
    assert {world.district.pk, world.street.pk, world.community.pk, world.sibling.pk} == under_district
    under_street = set(Region.objects.under(world.street, include_self=False).values_list("pk", flat=True))
    assert under_street == {world.community.pk, world.sibling.pk}
    assert set(Region.objects.under(world.community).values_list("pk", flat=True)) == {world.community.pk}


def test_create_fills_ancestors_and_full_name(world):
    c = world.community
    assert (c.city_id, c.district_id, c.street_id) == (world.city.pk, world.district.pk, world.street.pk)
    assert c.full_name == f"{world.city.name}甲区甲街道甲一社区"
    assert c.is_under(world.district) and not c.is_under(world.other_district)


def test_kind_must_fit_parent_level(world):
    with pytest.raises(ValidationError):
        region_create(actor=SYSTEM, parent=world.street, code="999999999", name="错层街道", kind="street")


def test_duplicate_code_is_rejected_without_a_row(world):
    before = Region.objects.count()
    with pytest.raises(ValidationError):
        region_create(actor=SYSTEM, parent=world.street, code=world.community.code, name="重复", kind="community")
    assert Region.objects.count() == before


def test_only_admins_above_may_create_or_rename(world):
    with pytest.raises(PermissionDenied):
        region_create(actor=world.staff, parent=world.community.parent, code="1", name="x", kind="community")
    with pytest.raises(PermissionDenied):
        region_create(actor=world.district_admin, parent=world.other_street, code="123", name="x",
                      kind="community")
    new = region_create(actor=world.district_admin, parent=world.street, code=f"{world.street.code}009",
                        name="新社区", kind="community")
    assert new.street_id == world.street.pk
    with pytest.raises(PermissionDenied):
        region_update(actor=world.staff, region=world.community, name="改名")


def test_rename_updates_descendant_full_names_and_is_audited(world):
    region_update(actor=world.district_admin, region=world.street, name="新街道")
    world.community.refresh_from_db()
    assert "新街道" in world.community.full_name
    log = Activity.objects.for_object(world.street).first()
    assert log.action == "update" and log.changes["name"] == ["甲街道", "新街道"]
    assert log.actor_id == world.district_admin.pk
