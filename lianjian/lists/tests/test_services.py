import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianjian.accounts.permissions import SYSTEM
from lianjian.core.models import Activity
from lianjian.lists import services
from lianjian.lists.models import (
    BeneficiaryGroup,
    Category,
    Claim,
    ClaimRole,
    ClaimStatus,
    Need,
    NeedSource,
    NeedStatus,
    Resource,
    ResourceStatus,
    current_year,
)
from lianjian.notifications.models import Notification
from lianjian.testing import make_org, make_partnership, make_user

from .factories import category, make_need, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(world):
    """A second joint unit of ``world.community`` with its own liaison."""
    liaison = make_user(real_name="联络员丙")
    org = make_org(region=world.community, name="第二联建单位")
    make_partnership(community=world.community, organisation=org, liaison=liaison)
    return org, liaison


def test_taxonomy_is_seeded():
    """The data migration seeds the ten categories and eight beneficiary groups."""
    names = set(Category.objects.values_list("name", flat=True))
    assert {"就业创业", "助老敬老", "医疗健康", "文化教育", "交通出行", "特殊人群关爱", "安全", "环境",
            "新就业群体服务", "文明实践"} <= names
    assert set(BeneficiaryGroup.objects.values_list("name", flat=True)) >= {
        "老人", "儿童", "残疾人", "失业人员", "新就业群体", "青少年", "困难家庭", "全体居民"}
    assert Category.objects.get(name="就业创业").code == "employment"


def test_resident_need_waits_for_review_and_staff_hear_about_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need = make_need(world, publish=False,
                         beneficiary_groups=[BeneficiaryGroup.objects.get(name="失业人员")],
                         beneficiary_count=40)
    assert need.status == NeedStatus.SUBMITTED and need.year == current_year()
    assert need.source == NeedSource.RESIDENT and need.requester == world.resident
    assert list(need.beneficiary_groups.values_list("name", flat=True)) == ["失业人员"]
    assert Notification.objects.filter(recipient=world.staff, kind="need_submitted").exists()


def test_need_without_title_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as exc:
        services.need_create(actor=world.resident, community=world.community, title="  ", category=category())
    assert "请填写需求标题" in str(exc.value)
    assert not Need.objects.exists()


def test_need_only_in_a_community(world):
    with pytest.raises(ValidationError):
        services.need_create(actor=world.staff, community=world.street, title="x", category=category())


def test_liaison_need_speaks_for_the_unit(world):
    need = services.need_create(actor=world.liaison, community=world.community, title="单位需求",
                                category=category())
    assert need.requester_org == world.unit and need.source == NeedSource.UNIT


def test_return_edit_resubmit_publish_is_a_visible_story(world, django_capture_on_commit_callbacks):
    from lianjian.lists.selectors import need_timeline

    need = make_need(world, publish=False)
    with pytest.raises(ValidationError):
        services.need_return(actor=world.staff, need=need, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        need = services.need_return(actor=world.staff, need=need, reason="请补充地点")
    assert need.status == NeedStatus.RETURNED and need.review_note == "请补充地点"
    assert Notification.objects.filter(recipient=world.resident, text__contains="请补充地点").exists()
    need = services.need_update(actor=world.resident, need=need, place="枫树社区党群服务中心")
    assert need.status == NeedStatus.SUBMITTED
    need = services.need_publish(actor=world.staff, need=need)
    assert need.status == NeedStatus.PUBLISHED and need.published_at and need.reviewed_by == world.staff
    actions = [row["action"] for row in need_timeline(need=need)]
    assert actions == ["create", "return", "resubmit", "publish"]
    # Once published the requester can no longer change it.
    with pytest.raises(PermissionDenied):
        services.need_update(actor=world.resident, need=need, title="改标题")


def test_only_the_communitys_staff_review(world):
    need = make_need(world, publish=False)
    for outsider in (world.other_staff, world.sibling_staff, world.liaison, world.resident):
        with pytest.raises(PermissionDenied):
            services.need_publish(actor=outsider, need=need)
    assert Need.objects.get(pk=need.pk).status == NeedStatus.SUBMITTED
    services.need_publish(actor=world.street_admin, need=need)


def test_publish_notifies_liaisons_of_units_serving_the_category(world, partner,
                                                                 django_capture_on_commit_callbacks):
    make_resource(world)  # world.unit serves 就业创业
    make_resource(world, organisation=partner[0], actor=partner[1], category=category("health"))
    need = make_need(world, publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.need_publish(actor=world.staff, need=need)
    assert Notification.objects.filter(recipient=world.liaison, kind="need_published").exists()
    assert not Notification.objects.filter(recipient=partner[1], kind="need_published").exists()


def test_resource_negative_capacity_is_refused(world):
    for bad in (-1, 0):
        with pytest.raises(ValidationError) as exc:
            make_resource(world, capacity=bad)
        assert "总量" in str(exc.value)
    assert not Resource.objects.exists()


def test_resource_defaults_to_partnered_communities_and_staff_post_for_partners(world):
    res = make_resource(world, actor=world.staff)
    assert res.remaining == 5 and list(res.communities.all()) == [world.community]
    with pytest.raises(PermissionDenied):
        make_resource(world, actor=world.other_staff)
    with pytest.raises(PermissionDenied):
        make_resource(world, actor=world.other_liaison)
    with pytest.raises(ValidationError):
        make_resource(world, communities=[world.other_community])


def test_resource_capacity_change_keeps_commitments(world):
    res = make_resource(world, capacity=5)
    need = make_need(world)
    services.claim_create_confirmed(actor=world.staff, need=need, organisation=world.unit, resource=res,
                                    quantity=3)
    res = services.resource_update(actor=world.liaison, resource=res, capacity=8)
    assert (res.capacity, res.remaining) == (8, 5)
    with pytest.raises(ValidationError) as exc:
        services.resource_update(actor=world.liaison, resource=res, capacity=2)
    assert "已确认认领" in str(exc.value)
    res.refresh_from_db()
    assert (res.capacity, res.remaining) == (8, 5)


def test_resource_pause_and_withdraw(world):
    res = make_resource(world)
    res = services.resource_set_status(actor=world.liaison, resource=res, status=ResourceStatus.PAUSED)
    need = make_need(world)
    with pytest.raises(ValidationError) as exc:
        services.claim_create(actor=world.liaison, need=need, organisation=world.unit, resource=res)
    assert "暂停或撤回" in str(exc.value)
    services.resource_set_status(actor=world.liaison, resource=res, status=ResourceStatus.WITHDRAWN)
    with pytest.raises(ValidationError):
        services.resource_set_status(actor=world.liaison, resource=res, status=ResourceStatus.ACTIVE)


def test_claim_on_unpublished_closed_or_covered_need_is_refused(world):
    need = make_need(world, publish=False)
    with pytest.raises(ValidationError) as exc:
        services.claim_create(actor=world.liaison, need=need, organisation=world.unit)
    assert "尚未发布" in str(exc.value)
    need = services.need_publish(actor=world.staff, need=need)
    services.need_close(actor=world.staff, need=need)
    with pytest.raises(ValidationError) as exc:
        services.claim_create(actor=world.liaison, need=need, organisation=world.unit)
    assert "已关闭" in str(exc.value)
    assert not Claim.objects.exists()


def test_claim_quantity_above_what_remains_is_refused(world):
    need = make_need(world, quantity=10)
    res = make_resource(world, capacity=5)
    with pytest.raises(ValidationError) as exc:
        services.claim_create(actor=world.liaison, need=need, organisation=world.unit, quantity=11)
    assert "超过需求剩余数量（剩余 10 人）" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.claim_create(actor=world.liaison, need=need, organisation=world.unit, resource=res,
                              quantity=6)
    assert "超过资源剩余数量（剩余 5 个岗位）" in str(exc.value)
    with pytest.raises(ValidationError):
        services.claim_create(actor=world.liaison, need=need, organisation=world.unit, quantity=0)
    assert not Claim.objects.exists()


def test_claim_needs_a_joint_unit_and_its_own_resource(world, partner):
    need = make_need(world)
    with pytest.raises(PermissionDenied):
        services.claim_create(actor=world.liaison, need=need, organisation=partner[0])
    with pytest.raises(ValidationError):
        services.claim_create(actor=world.staff, need=need, organisation=world.other_unit)
    res = make_resource(world)
    with pytest.raises(ValidationError) as exc:
        services.claim_create(actor=partner[1], need=need, organisation=partner[0], resource=res)
    assert "本单位的资源" in str(exc.value)


def test_confirm_counts_coverage_and_remaining_and_covers_the_need(world, partner,
                                                                   django_capture_on_commit_callbacks):
    need = make_need(world, quantity=10)
    res = make_resource(world, capacity=8)
    claim = services.claim_create(actor=world.liaison, need=need, organisation=world.unit, resource=res,
                                  quantity=6)
    with pytest.raises(ValidationError):
        services.claim_create(actor=world.liaison, need=need, organisation=world.unit, quantity=1)
    with pytest.raises(PermissionDenied):
        services.claim_confirm(actor=world.liaison, claim=claim)
    with django_capture_on_commit_callbacks(execute=True):
        claim = services.claim_confirm(actor=world.staff, claim=claim)
    assert Notification.objects.filter(recipient=world.liaison, kind="claim_decided").exists()
    need.refresh_from_db()
    res.refresh_from_db()
    assert (need.quantity_covered, need.status, res.remaining) == (6, NeedStatus.PUBLISHED, 2)
    with pytest.raises(ValidationError):
        services.claim_confirm(actor=world.staff, claim=claim)  # nothing counted twice
    second = services.claim_create(actor=partner[1], need=need, organisation=partner[0], quantity=4)
    second = services.claim_confirm(actor=world.staff, claim=second)
    need.refresh_from_db()
    assert (need.quantity_covered, need.status) == (10, NeedStatus.COVERED)
    assert claim.role == ClaimRole.LEAD and second.role == ClaimRole.PARTNER
    with pytest.raises(ValidationError) as exc:
        services.claim_create(actor=world.staff, need=need, organisation=world.unit)
    assert "已认领满" in str(exc.value)


def test_confirm_that_no_longer_fits_is_refused_and_rolls_back(world, partner):
    need = make_need(world, quantity=5)
    a = services.claim_create(actor=world.liaison, need=need, organisation=world.unit, quantity=4)
    b = services.claim_create(actor=partner[1], need=need, organisation=partner[0], quantity=3)
    services.claim_confirm(actor=world.staff, claim=a)
    with pytest.raises(ValidationError) as exc:
        services.claim_confirm(actor=world.staff, claim=b)
    assert "剩余 1 人" in str(exc.value)
    b.refresh_from_db()
    need.refresh_from_db()
    assert b.status == ClaimStatus.PENDING and need.quantity_covered == 4


def test_decline_and_withdraw_give_back_what_was_counted(world, partner):
    need = make_need(world, quantity=4)
    res = make_resource(world, capacity=4)
    claim = services.claim_create_confirmed(actor=world.staff, need=need, organisation=world.unit,
                                            resource=res,
                                            quantity=4)
    assert claim.status == ClaimStatus.CONFIRMED and claim.channel == "meeting"
    need.refresh_from_db()
    assert need.status == NeedStatus.COVERED
    with pytest.raises(ValidationError):
        services.claim_withdraw(actor=world.liaison, claim=claim, reason="")
    services.claim_withdraw(actor=world.liaison, claim=claim, reason="人员调整")
    need.refresh_from_db()
    res.refresh_from_db()
    assert (need.quantity_covered, need.status, res.remaining) == (0, NeedStatus.PUBLISHED, 4)
    other = services.claim_create(actor=partner[1], need=need, organisation=partner[0], quantity=2)
    with pytest.raises(ValidationError):
        services.claim_decline(actor=world.staff, claim=other, reason=" ")
    other = services.claim_decline(actor=world.staff, claim=other, reason="与需求不符")
    assert other.status == ClaimStatus.DECLINED and other.reason == "与需求不符"
    # A declined or withdrawn unit may claim again.
    services.claim_create(actor=world.liaison, need=need, organisation=world.unit, quantity=1)
    assert Activity.objects.filter(action__in=["confirm", "withdraw", "decline"]).count() == 3


def test_create_confirmed_leaves_nothing_when_it_does_not_fit(world):
    need = make_need(world, quantity=10)
    res = make_resource(world, capacity=2)
    Resource.objects.filter(pk=res.pk).update(remaining=1)  # as if another claim had been confirmed meanwhile
    with pytest.raises(ValidationError):
        services.claim_create_confirmed(actor=world.staff, need=need, organisation=world.unit, resource=res,
                                        quantity=2)
    assert not Claim.objects.exists()


def test_close_declines_pending_claims(world):
    need = make_need(world)
    claim = services.claim_create(actor=world.liaison, need=need, organisation=world.unit)
    services.need_close(actor=world.staff, need=need, reason="已由街道统一安排")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DECLINED


def test_expired_resource_cannot_back_a_claim(world):
    res = make_resource(world, valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2020, 12, 31))
    need = make_need(world)
    with pytest.raises(ValidationError) as exc:
        services.claim_create(actor=world.liaison, need=need, organisation=world.unit, resource=res)
    assert "有效期" in str(exc.value)


def test_system_actor_can_do_everything_for_the_demo(world):
    need = make_need(world, actor=SYSTEM)
    assert need.requester is None and need.source == NeedSource.STAFF
    claim = services.claim_create_confirmed(actor=SYSTEM, need=need, organisation=world.unit, quantity=1)
    assert claim.claimed_by is None and claim.status == ClaimStatus.CONFIRMED
