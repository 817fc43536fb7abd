"""The resources ledger (资源清单台账): one row per resource a joint unit offers the community.

Resource files are small (a community's units offer tens or hundreds of resources), so each row
is written through ``lianjian.lists.services.resource_create`` — the same rules, scope check and
audit trail as the resource form — serving the importing community. The row check applies the
same rules beforehand, without writing: a trimmed title, an active category, known beneficiary
groups, a capacity of at least 1, an ordered validity window, a valid phone, and a providing unit
that is an active joint unit of the community (``resource_create`` refuses to serve a community
its unit is not actively partnered with).

A resource is a duplicate when the same unit already offers one with the same title *to this
community* (or an earlier row of the file does). The same unit may offer a same-titled resource
to another community: that is how an export imports into another community, where it becomes
that community's own resource with its own capacity.

The 剩余 column is exported for reading; an imported resource starts with its full capacity
(confirmed claims lower it), so the column is ignored on import.

A row whose 编号 names a resource serving the community updates it through ``resource_update``
and ``resource_set_status`` (the columns that changed; its unit stays); an unchanged row is matched.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lianjian.accounts.actors import Actor
from lianjian.lists.models import BeneficiaryGroup, Resource, ResourceStatus
from lianjian.lists.services import resource_create, resource_set_status, resource_update
from lianjian.orgs.models import Partnership, PartnershipStatus

from .base import (
    CHOICE,
    DATE,
    INT,
    LIST,
    PHONE,
    Column,
    LedgerSpec,
    OrgIndex,
    Plan,
    RowInvalid,
    choice_label,
    choice_labels,
)
from .needs import category_options, group_lookup

# Resource fields the model's full_clean checks here; FKs are resolved from preloaded lookups.
FK_FIELDS = ["organisation", "category", "created_by"]
# Common units of a capacity, offered in the drop-down; any other short unit may be typed.
CAPACITY_UNITS = ("人", "个", "个岗位", "人/期", "份", "场", "次", "小时", "套", "间")
# Columns an import may change on an existing resource.
UPDATABLE = {"title", "description", "category", "beneficiary_groups", "capacity", "capacity_unit", "valid_from",
             "valid_until", "contact_name", "contact_phone", "status"}


@dataclass
class ResourcesContext:
    orgs: OrgIndex
    groups: dict[str, BeneficiaryGroup]
    partnerships: dict[int, str] = field(default_factory=dict)  # organisation id -> partnership status
    existing: dict[tuple[int, str], int] = field(default_factory=dict)  # (organisation id, title) -> id, here


class ResourcesSpec(LedgerSpec):
    kind = "resources"
    label = gettext_noop("资源清单")
    noun = "资源"
    duplicate_column = "title"
    columns = (
        Column("编号", "id", type=INT, help="平台导出时填写，对应平台中已有的资源；新增的资源留空", width=8),
        Column("资源名称", "title", required=True, help="最多 100 字；同一单位在本社区不能有同名资源",
               example="2025 年装维岗位", width=28),
        Column("提供单位", "organisation", required=True, fields=("organisation",), suggest="organisation",
               help="本社区联建中单位的全称或简称", example="中国电信锦江分公司", width=26),
        Column("资源描述", "description", width=36),
        Column("类别", "category", type=CHOICE, required=True, options="category", fields=("category",),
               example="就业创业"),
        Column("面向群体", "beneficiary_groups", type=LIST, fields=("beneficiary_groups",),
               help="可选：老人、儿童、残疾人、失业人员、新就业群体等", example="失业人员"),
        Column("总量", "capacity", type=INT, required=True, fields=("capacity", "remaining"),
               help="不小于 1 的整数；导入后剩余量等于总量", example="20", width=8),
        Column("计量单位", "capacity_unit", suggest="capacity_unit",
               help="如 人、个岗位、人/期、份，可从下拉选择或直接填写，不填按“人”", example="个岗位", width=10),
        Column("有效期起", "valid_from", type=DATE, example="2025-01-01", width=12),
        Column("有效期止", "valid_until", type=DATE, help="不早于有效期起", example="2025-12-31", width=12),
        Column("联系人", "contact_name", width=10),
        Column("联系电话", "contact_phone", type=PHONE, help="11 位手机号", example="13912345678", width=14),
        Column("状态", "status", type=CHOICE, options="status", help="不填按“可用”", example="可用", width=8),
        Column("剩余", "remaining", help="导出时填写，导入时忽略（导入的资源剩余量等于总量）", width=8,
               readonly=True),
    )
    notes = ("一行一个资源。提供单位须是本社区联建中的单位（可先导入联建单位台账）；导入的资源服务本社区。",
             "同一单位在本社区已有同名资源的视为重复；同一单位向其他社区提供的同名资源不受影响。",
             "“编号”列由平台导出时填写：保留编号重新导入，内容未改的行保持不变，改过的行更新平台中的该资源"
             "（提供单位不能改）；编号为空或不是本社区的资源时，该行作为新资源导入。")

    def option_lists(self) -> dict[str, dict[str, Any]]:
        return {"category": category_options(), "status": choice_labels(ResourceStatus)}

    def suggestions(self, *, community: Any = None) -> dict[str, list[str]]:
        units = []
        if community is not None:
            units = list(Partnership.objects.filter(community=community, status=PartnershipStatus.ACTIVE)
                         .order_by("organisation__name").values_list("organisation__name", flat=True))
        return {"capacity_unit": list(CAPACITY_UNITS), "organisation": units}

    def prepare(self, *, actor: Actor, community: Any, values: list[dict[str, Any]]) -> ResourcesContext:
        partnerships = dict(Partnership.objects.filter(community=community)
                            .values_list("organisation_id", "status"))
        titles = {v["title"].strip() for v in values}
        existing = {(o, t): pk for o, t, pk in Resource.objects.filter(communities=community, title__in=titles)
                    .values_list("organisation_id", "title", "id")}
        return ResourcesContext(orgs=OrgIndex.load({v["organisation"] for v in values if v["organisation"]}),
                                groups=group_lookup(), partnerships=partnerships, existing=existing)

    def _unit(self, name: str, ctx: ResourcesContext) -> Any:
        org = ctx.orgs.find(name)
        status = ctx.partnerships.get(org.pk)
        if status is None:
            raise ValueError(_("“%(name)s”不是本社区的联建单位。") % {"name": org.name})
        if status != PartnershipStatus.ACTIVE:
            raise ValueError(_("“%(name)s”与本社区的联建关系为“%(status)s”，不能登记资源。")
                             % {"name": org.name, "status": choice_label(PartnershipStatus, status)})
        return org

    def check_row(self, row: int, values: dict[str, Any], *, ctx: ResourcesContext, community: Any,
                  actor: Actor) -> Plan:
        errors: dict[str, str] = {}
        org = None
        try:
            org = self._unit(values["organisation"], ctx)
        except ValueError as exc:
            errors["organisation"] = str(exc)
        groups = []
        for name in values["beneficiary_groups"]:
            group = ctx.groups.get(name)
            if group is None:
                errors["beneficiary_groups"] = _("未知的受益群体“%(name)s”。") % {"name": name}
            else:
                groups.append(group)
        title = values["title"].strip()
        if org is not None and (org.pk, title) in ctx.existing:
            errors["title"] = _("该单位在本社区已有同名资源。")
        capacity = values["capacity"]
        if capacity is not None and capacity < 1:  # resource_create's _validate_capacity
            errors["capacity"] = _("总量必须是大于 0 的整数。")
        resource = Resource(organisation=org, title=title, description=values["description"],
                            category=values["category"], capacity=capacity, remaining=capacity,
                            capacity_unit=values["capacity_unit"] or "人", valid_from=values["valid_from"],
                            valid_until=values["valid_until"], contact_name=values["contact_name"],
                            contact_phone=values["contact_phone"],
                            status=values["status"] or ResourceStatus.ACTIVE)
        if resource.valid_from and resource.valid_until and resource.valid_until < resource.valid_from:
            # The resource_validity_ordered constraint, said in words as resource_create does.
            errors["valid_until"] = _("有效期止不能早于有效期起。")
        try:
            # remaining = capacity, so the other check constraint holds; Django would run a
            # query per constraint and row.
            resource.full_clean(exclude=FK_FIELDS, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = {**self.errors_from(exc, errors), **errors}
        if errors:
            raise RowInvalid(errors)
        assert org is not None  # an unknown or non-partner unit is an "organisation" error above
        return Plan(row=row, action=_("新建"), label=f"{title}（{org.name}）", obj=resource,
                    extra={"groups": groups})

    def duplicate_key(self, plan: Plan) -> Hashable:
        return (plan.obj.organisation_id, plan.obj.title)

    def write(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: ResourcesContext) -> int:
        for plan in plans:
            r: Resource = plan.obj
            created = resource_create(
                actor=actor, organisation=r.organisation, title=r.title, category=r.category,
                capacity=r.capacity, capacity_unit=r.capacity_unit, description=r.description,
                beneficiary_groups=plan.extra["groups"], communities=[community], valid_from=r.valid_from,
                valid_until=r.valid_until, contact_name=r.contact_name, contact_phone=r.contact_phone)
            if r.status != ResourceStatus.ACTIVE:
                resource_set_status(actor=actor, resource=created, status=r.status, reason=_("台账导入"))
        return len(plans)

    def existing(self, *, community: Any, keys: set[Any]) -> dict[Any, Any]:
        resources = (Resource.objects.filter(communities=community, pk__in=[k for k in keys if isinstance(k, int)])
                     .select_related("organisation", "category").prefetch_related("beneficiary_groups"))
        return {r.pk: r for r in resources}

    def check_update(self, row: int, values: dict[str, Any], obj: Any, changed: set[str], *,
                     ctx: ResourcesContext, community: Any, actor: Actor) -> Plan:
        self.refuse_changes(changed, UPDATABLE, obj)
        errors: dict[str, str] = {}
        data = {k: values[k] for k in changed if k not in ("beneficiary_groups", "status")}
        groups = None
        if "beneficiary_groups" in changed:
            groups = [ctx.groups[n] for n in values["beneficiary_groups"] if n in ctx.groups]
            unknown = [n for n in values["beneficiary_groups"] if n not in ctx.groups]
            if unknown:
                errors["beneficiary_groups"] = _("未知的受益群体“%(name)s”。") % {"name": unknown[0]}
        status = (values["status"] or ResourceStatus.ACTIVE) if "status" in changed else None
        if status and obj.status == ResourceStatus.WITHDRAWN and status != ResourceStatus.WITHDRAWN:
            errors["status"] = _("已撤回的资源不能恢复，请重新发布。")
        if "title" in data:
            data["title"] = data["title"].strip()
        if "capacity_unit" in data and not data["capacity_unit"]:
            data["capacity_unit"] = "人"
        title = data.get("title", obj.title)
        if ctx.existing.get((obj.organisation_id, title), obj.pk) != obj.pk:
            errors["title"] = _("该单位在本社区已有同名资源。")
        if "capacity" in data:
            committed = obj.capacity - obj.remaining
            if data["capacity"] < max(1, committed):
                errors["capacity"] = (_("总量必须是大于 0 的整数。") if data["capacity"] < 1 else
                                      _("总量不能少于已确认认领的数量（%(n)s）。") % {"n": committed})
        resource = copy.copy(obj)
        for key, value in data.items():
            setattr(resource, key, value)
        if resource.valid_from and resource.valid_until and resource.valid_until < resource.valid_from:
            errors["valid_until"] = _("有效期止不能早于有效期起。")
        try:
            resource.full_clean(exclude=[*FK_FIELDS, "capacity", "remaining"], validate_unique=False,
                                validate_constraints=False)
        except ValidationError as exc:
            errors = {**self.errors_from(exc, errors), **errors}
        if errors:
            raise RowInvalid(errors)
        return Plan(row=row, action=_("更新"), label=f"{title}（{obj.organisation.name}）", obj=obj,
                    extra={"data": data, "groups": groups, "status": status})

    def write_updates(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: ResourcesContext) -> int:
        for plan in plans:
            resource = plan.obj
            if plan.extra["data"] or plan.extra["groups"] is not None:
                resource = resource_update(actor=actor, resource=resource, beneficiary_groups=plan.extra["groups"],
                                           **plan.extra["data"])
            if plan.extra["status"]:
                resource_set_status(actor=actor, resource=resource, status=plan.extra["status"], reason=_("台账导入"))
        return len(plans)

    def export_row(self, r: Any) -> dict[str, Any]:
        return {
            "id": r.pk, "title": r.title, "organisation": r.organisation.name, "description": r.description,
            "category": r.category.name, "beneficiary_groups": [g.name for g in r.beneficiary_groups.all()],
            "capacity": r.capacity, "capacity_unit": r.capacity_unit, "valid_from": r.valid_from,
            "valid_until": r.valid_until, "contact_name": r.contact_name, "contact_phone": r.contact_phone,
            "status": choice_label(ResourceStatus, r.status), "remaining": r.remaining,
        }

    def export_rows(self, *, community: Any) -> Iterable[dict[str, Any]]:
        resources = (Resource.objects.filter(communities=community).select_related("organisation", "category")
                     .prefetch_related("beneficiary_groups").order_by("organisation__name", "created_at", "id"))
        for r in resources:
            yield self.export_row(r)
