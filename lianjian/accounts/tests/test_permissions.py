"""The permission matrix: every role against objects inside and outside its scope."""

import pytest
from django.core.exceptions import PermissionDenied

from lianjian.accounts.permissions import get_scope
from lianjian.orgs.selectors import organisation_list
from lianjian.orgs.services import organisation_update
from lianjian.regions.models import Region

pytestmark = pytest.mark.django_db

# role -> (units it may see, units it may change) as World attribute names
MATRIX = {
    "superuser": ({"unit", "sibling_unit", "other_unit"}, {"unit", "sibling_unit", "other_unit"}),
    "district_admin": ({"unit", "sibling_unit"}, {"unit", "sibling_unit"}),
    "street_admin": ({"unit", "sibling_unit"}, {"unit", "sibling_unit"}),
    "staff": ({"unit"}, {"unit"}),
    "sibling_staff": ({"sibling_unit"}, {"sibling_unit"}),
    "other_staff": ({"other_unit"}, {"other_unit"}),
    "liaison": ({"unit"}, {"unit"}),
    "other_liaison": ({"other_unit"}, {"other_unit"}),
    "resident": (set(), set()),
    "rider": (set(), set()),
    "volunteer": (set(), set()),
}
UNITS = ("unit", "sibling_unit", "other_unit")


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_unit_visibility_and_changes_follow_scope(world, role):
    user = getattr(world, role)
    may_see, may_change = MATRIX[role]
    visible = set(organisation_list(user=user).values_list("pk", flat=True))
    assert visible == {getattr(world, u).pk for u in may_see}
    scope = get_scope(user)
    for name in UNITS:
        unit = getattr(world, name)
        assert scope.can_view(unit) == (name in may_see), name
        assert scope.can_change(unit) == (name in may_change), name
        if name in may_change:
            organisation_update(actor=user, organisation=unit, address=f"{role} 改过的地址")
            unit.refresh_from_db()
            assert unit.address == f"{role} 改过的地址"
        else:
            with pytest.raises(PermissionDenied):
                organisation_update(actor=user, organisation=unit, address="越权修改")
            unit.refresh_from_db()
            assert unit.address != "越权修改"


REGION_VIEW = {
    "superuser": {"district", "street", "community", "sibling", "other_district", "other_community"},
    "district_admin": {"district", "street", "community", "sibling"},
    "street_admin": {"street", "community", "sibling"},
    "staff": {"community"},
    "other_staff": {"other_community"},
    "liaison": set(),
    "resident": set(),
}


@pytest.mark.parametrize("role", sorted(REGION_VIEW))
def test_region_visibility_follows_scope(world, role):
    user = getattr(world, role)
    scope = get_scope(user)
    names = ("district", "street", "community", "sibling", "other_district", "other_community")
    visible = set(scope.filter_regions(Region.objects.all()).values_list("pk", flat=True))
    for name in names:
        node = getattr(world, name)
        expected = name in REGION_VIEW[role]
        assert (node.pk in visible) == expected, name
        assert scope.can_view(node) == expected, name


def test_region_change_needs_an_admin_above_the_node(world):
    assert get_scope(world.district_admin).can_change(world.street)
    assert not get_scope(world.district_admin).can_change(world.district)
    assert not get_scope(world.staff).can_change(world.community)
    assert not get_scope(world.street_admin).can_change(world.other_community)


def _fresh(user):
    """The person as the next request loads them (another process, or the same one later)."""
    return type(user).objects.get(pk=user.pk)


def test_a_remembered_scope_saves_the_next_requests_the_role_query(world, django_assert_num_queries):
    assert get_scope(_fresh(world.staff)).covers_region(world.community)
    person = _fresh(world.staff)
    with django_assert_num_queries(0):
        assert get_scope(person).covers_region(world.community)


def test_a_revoked_role_is_gone_from_the_next_request_even_when_remembered(world):
    from lianjian.accounts.models import Role
    from lianjian.accounts.services import role_revoke

    assert get_scope(_fresh(world.staff)).covers_region(world.community)  # remembered now
    assignment = world.staff.roles.get(role=Role.COMMUNITY_STAFF)
    role_revoke(actor=world.street_admin, assignment=assignment)
    later = get_scope(_fresh(world.staff))
    assert not later.covers_region(world.community) and not later.is_staff_like


@pytest.mark.parametrize("change", ["create", "save", "queryset_delete"])
def test_any_change_of_assignments_raises_the_scope_version(world, change):
    """Written through the ORM in any way that sends signals (admin, demo, fixtures), not only
    through role_grant/role_revoke."""
    from lianjian.accounts.models import Role, RoleAssignment

    before = _fresh(world.resident).scope_version
    assert not get_scope(_fresh(world.resident)).covers_region(world.community)
    if change == "create":
        RoleAssignment.objects.create(user=_fresh(world.resident), role=Role.COMMUNITY_STAFF, region=world.community)
        assert get_scope(_fresh(world.resident)).covers_region(world.community)
    elif change == "save":
        assignment = RoleAssignment.objects.get(user=world.staff, role=Role.COMMUNITY_STAFF)
        assert get_scope(_fresh(world.staff)).covers_region(world.community)
        assignment.region = world.sibling
        assignment.save()
        moved = get_scope(_fresh(world.staff))
        assert moved.covers_region(world.sibling) and not moved.covers_region(world.community)
        before = None
    else:
        assert get_scope(_fresh(world.staff)).is_staff_like
        RoleAssignment.objects.filter(user=world.staff).delete()
        assert not get_scope(_fresh(world.staff)).is_staff_like
        before = None
    if before is not None:
        assert _fresh(world.resident).scope_version > before


def test_deleting_a_person_with_roles_passes_through_the_scope_version_signal(world):
    from lianjian.accounts.models import RoleAssignment

    user = _fresh(world.liaison)
    assert get_scope(user).is_liaison
    user.delete()
    assert not RoleAssignment.objects.filter(user_id=world.liaison.pk).exists()
