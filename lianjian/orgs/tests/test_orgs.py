import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lianjian.accounts.models import Role, RoleAssignment
from lianjian.core.models import Activity
from lianjian.orgs.models import LiaisonChange, Organisation
from lianjian.orgs.services import partnership_create, partnership_set_liaison
from lianjian.testing import make_org, make_user

pytestmark = pytest.mark.django_db


def test_update_records_before_and_after(world):
    from lianjian.orgs.services import organisation_update

    before = world.unit.member_count
    organisation_update(actor=world.staff, organisation=world.unit, member_count=before + 5, address="新地址")
    log = Activity.objects.for_object(world.unit).filter(action="update").get()
    assert log.changes == {"member_count": [before, before + 5], "address": ["", "新地址"]}
    assert log.actor_id == world.staff.pk and log.source == "system"


def test_audit_trail_is_append_only(world):
    log = Activity.objects.for_object(world.unit).first()
    with pytest.raises(PermissionError):
        log.save()
    with pytest.raises(PermissionError):
        log.delete()


def test_liaison_change_keeps_history_and_grants_role(world):
    new = make_user(real_name="新联络员")
    partnership = world.unit.partnerships.get()
    partnership_set_liaison(actor=world.staff, partnership=partnership, liaison=new, reason="人员调动")
    change = LiaisonChange.objects.filter(partnership=partnership).first()
    assert change.previous == world.liaison and change.new == new and change.reason == "人员调动"
    assert RoleAssignment.objects.filter(user=new, role=Role.LIAISON, organisation=world.unit).exists()


def test_partnership_is_unique_and_only_with_communities(world):
    with pytest.raises(ValidationError):
        partnership_create(actor=world.staff, community=world.community, organisation=world.unit,
                           start_date=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        partnership_create(actor=world.street_admin, community=world.street, organisation=world.unit,
                           start_date=dt.date(2024, 1, 1))


def test_bad_phone_is_a_field_error_and_writes_nothing(client, world):
    client.force_login(world.staff)
    url = reverse("orgs:edit", args=[world.unit.pk])
    data = {"name": world.unit.name, "kind": world.unit.kind, "region": world.unit.region_id,
            "contact_phone": "12345", "party_member_count": 1, "member_count": 1}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "请输入 11 位中国大陆手机号" in response.content.decode()
    world.unit.refresh_from_db()
    assert world.unit.contact_phone == "13912345678"


def test_phone_is_masked_for_people_who_cannot_change_the_unit(client, world):
    make_org(region=world.community)  # noise
    client.force_login(world.staff)
    page = client.get(reverse("orgs:detail", args=[world.unit.pk])).content.decode()
    assert "13912345678" in page
    # A sibling community partners with the unit too; its staff can see but not change it.
    partnership_create(actor=world.street_admin, community=world.sibling, organisation=world.unit,
                       start_date=dt.date(2024, 1, 1))
    client.force_login(world.liaison)
    assert "13912345678" in client.get(reverse("orgs:detail", args=[world.unit.pk])).content.decode()
    client.force_login(world.other_staff)
    assert client.get(reverse("orgs:detail", args=[world.unit.pk])).status_code == 404


def test_out_of_scope_unit_is_404_and_edit_is_refused(client, world):
    client.force_login(world.staff)
    assert client.get(reverse("orgs:detail", args=[world.other_unit.pk])).status_code == 404
    assert client.post(reverse("orgs:edit", args=[world.other_unit.pk]), {"name": "x"}).status_code == 404
    assert Organisation.objects.get(pk=world.other_unit.pk).name != "x"


def test_staff_home_lists_own_communities_units(client, world):
    client.force_login(world.staff)
    page = client.get(reverse("orgs:list")).content.decode()
    assert world.unit.name in page and world.other_unit.name not in page and world.sibling_unit.name not in page
    client.force_login(world.district_admin)
    page = client.get(reverse("orgs:list")).content.decode()
    assert world.unit.name in page and world.sibling_unit.name in page and world.other_unit.name not in page


def test_unit_page_traces_claims_and_delivered_projects(client, world):
    import datetime as dt

    from lianjian.lists.models import Category
    from lianjian.projects.models import Project, ProjectStatus

    cat = Category.objects.first()
    Project.objects.create(community=world.community, year=2024, title="助老食堂共建", category=cat,
                           lead_org=world.unit, status=ProjectStatus.COMPLETED, completed_on=dt.date(2024, 5, 1),
                           people_served=120, rating_count=4, rating_sum=18)
    client.force_login(world.staff)
    page = client.get(reverse("orgs:detail", args=[world.unit.pk])).content.decode()
    assert "助老食堂共建" in page and "认领的需求" in page
    assert "4.5" in page and "120" in page
