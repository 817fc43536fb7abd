"""The joint-unit ledger (联建单位台账): one row per unit partnered with the community.

A unit's name is unique city-wide, so it identifies the row: a row naming one of the
community's joint units is compared with it. Unchanged, it is matched; changed, its partnership
(dates, status, note) is updated, and its registry data too when the importer may change the
unit (``organisation_update``'s rule: staff whose scope covers it, or its own liaison).
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lianjian.accounts.actors import Actor
from lianjian.accounts.permissions import get_scope
from lianjian.orgs.models import Organisation, OrgKind, Partnership, PartnershipStatus
from lianjian.orgs.services import (
    organisation_create,
    organisation_update,
    partnership_create,
    partnership_set_status,
    partnership_update,
)

from .base import CHOICE, DATE, INT, PHONE, Column, LedgerSpec, Plan, RowInvalid, choice_label, choice_labels

ORG_KEYS = ["short_name", "party_org_name", "party_member_count", "member_count", "address", "contact_name",
            "contact_phone", "description"]
PARTNERSHIP_KEYS = ["start_date", "end_date", "note"]


@dataclass
class UnitsContext:
    existing: dict[str, Organisation] = field(default_factory=dict)  # by exact name
    partnered: set[int] = field(default_factory=set)  # organisation ids already partnered here


class UnitsSpec(LedgerSpec):
    kind = "units"
    label = gettext_noop("联建单位")
    noun = "单位"
    duplicate_column = "name"
    columns = (
        Column("单位名称", "name", required=True, help="单位全称，全市唯一；已登记的单位只建立联建关系",
               example="国网成都供电公司锦江分公司", width=30),
        Column("简称", "short_name", help="常用简称，导入需求、资源、项目时也可用简称匹配单位",
               example="锦江供电"),
        Column("单位类型", "kind", type=CHOICE, required=True, options="kind", help="从下拉列表选择",
               example="国有企业"),
        Column("党组织名称", "party_org_name", example="中共国网锦江供电公司委员会", width=28),
        Column("党员人数", "party_member_count", type=INT, help="整数，不填按 0", example="56", width=10),
        Column("职工人数", "member_count", type=INT, help="整数，不填按 0", example="320", width=10),
        Column("地址", "address", width=28),
        Column("联系人", "contact_name", width=10),
        Column("联系电话", "contact_phone", type=PHONE, help="11 位手机号", example="13912345678", width=14),
        Column("简介", "description", width=30),
        Column("联建开始日期", "start_date", type=DATE,
               help="如 2025-01-10、2025/1/10 或 2025年1月10日；不填按导入当天", example="2025-01-10",
               width=14),
        Column("联建结束日期", "end_date", type=DATE, help="不早于开始日期，可不填", width=14),
        Column("联建状态", "status", type=CHOICE, options="status", help="不填按“联建中”", example="联建中",
               width=10),
        Column("备注", "note", width=20),
    )
    id_column = "name"
    notes = ("一行一个联建单位。单位名称已在平台登记的，只为本社区建立联建关系，不修改该单位的登记信息。",
             "单位名称全市唯一，用来对应已有记录：已是本社区联建单位的行，内容未改的保持不变，改过的更新"
             "联建关系（日期、状态、备注），以及您有权维护的单位的登记信息。")

    def option_lists(self) -> dict[str, dict[str, Any]]:
        return {"kind": choice_labels(OrgKind), "status": choice_labels(PartnershipStatus)}

    def prepare(self, *, actor: Actor, community: Any, values: list[dict[str, Any]]) -> UnitsContext:
        names = {v["name"] for v in values if v.get("name")}
        existing = {o.name: o for o in Organisation.objects.filter(name__in=names)}
        partnered = set(Partnership.objects.filter(community=community, organisation__in=existing.values())
                        .values_list("organisation_id", flat=True))
        return UnitsContext(existing=existing, partnered=partnered)

    def check_row(self, row: int, values: dict[str, Any], *, ctx: UnitsContext, community: Any,
                  actor: Actor) -> Plan:
        name = (values["name"] or "").strip()
        errors: dict[str, str] = {}
        org = ctx.existing.get(name)
        if org is not None and org.pk in ctx.partnered:
            raise RowInvalid({"name": _("该单位已是本社区的联建单位。")})
        if org is None:
            fields = {k: values[k] for k in ORG_KEYS}
            fields["party_member_count"] = fields["party_member_count"] or 0
            fields["member_count"] = fields["member_count"] or 0
            org = Organisation(name=name, kind=values["kind"] or "", region=community, **fields)
            try:
                # The name's uniqueness was checked against ``ctx.existing`` in one query.
                org.full_clean(exclude=["region"], validate_unique=False)
            except ValidationError as exc:
                errors.update(self.errors_from(exc))
        start = values["start_date"] or timezone.localdate()
        partnership = Partnership(community=community, start_date=start,
                                  end_date=values["end_date"], note=values["note"] or "",
                                  status=values["status"] or PartnershipStatus.ACTIVE)
        if partnership.end_date and partnership.end_date < partnership.start_date:
            # The partnership_dates_ordered constraint, said in words.
            errors["end_date"] = _("联建结束日期不能早于开始日期。")
        try:
            partnership.full_clean(exclude=["organisation", "community"], validate_unique=False)
        except ValidationError as exc:
            errors = {**self.errors_from(exc, errors), **errors}
        if errors:
            raise RowInvalid(errors)
        action = _("新建") if org.pk is None else _("关联已有单位")
        return Plan(row=row, action=action, label=name, obj=org, extra={"partnership": partnership})

    def duplicate_key(self, plan: Plan) -> Hashable:
        return plan.label

    def write(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: UnitsContext) -> int:
        # Units files are small (a community has tens of units), so each row goes through the
        # same services as the unit form: the audit trail gets one entry per unit and partnership.
        for plan in plans:
            org = plan.obj
            if org.pk is None:
                org = organisation_create(actor=actor, name=org.name, kind=org.kind, region=community,
                                          **{k: getattr(org, k) for k in ORG_KEYS})
            p: Partnership = plan.extra["partnership"]
            created = partnership_create(actor=actor, community=community, organisation=org,
                                         start_date=p.start_date, end_date=p.end_date, note=p.note)
            if p.status != PartnershipStatus.ACTIVE:
                partnership_set_status(actor=actor, partnership=created, status=p.status)
        return len(plans)

    def existing(self, *, community: Any, keys: set[Any]) -> dict[Any, Any]:
        partnerships = (Partnership.objects.filter(community=community, organisation__name__in=keys)
                        .select_related("organisation", "community"))
        return {p.organisation.name: p for p in partnerships}

    def check_update(self, row: int, values: dict[str, Any], obj: Any, changed: set[str], *, ctx: UnitsContext,
                     community: Any, actor: Actor) -> Plan:
        errors: dict[str, str] = {}
        org_data = {k: values[k] for k in changed if k in (*ORG_KEYS, "kind")}
        for key in ("party_member_count", "member_count"):
            if key in org_data and org_data[key] is None:
                org_data[key] = 0
        p_data = {k: values[k] or ("" if k == "note" else None) for k in changed if k in PARTNERSHIP_KEYS}
        if "start_date" in p_data and p_data["start_date"] is None:
            errors["start_date"] = _("已有联建关系的开始日期不能清空。")
        status = (values["status"] or PartnershipStatus.ACTIVE) if "status" in changed else None
        org = obj.organisation
        if org_data:
            if not get_scope(actor).can_change(org):
                for key in org_data:
                    errors[key] = _("您无权修改“%(name)s”的登记信息（由该单位或其所在地的管理员维护），"
                                    "请改回导出时的内容。") % {"name": org.name}
            else:
                edited = copy.copy(org)
                for key, value in org_data.items():
                    setattr(edited, key, value)
                try:
                    edited.full_clean(exclude=["region"], validate_unique=False)
                except ValidationError as exc:
                    errors = {**self.errors_from(exc, errors), **errors}
        partnership = copy.copy(obj)
        for key, value in p_data.items():
            if value is not None or key == "end_date":
                setattr(partnership, key, value)
        if partnership.end_date and partnership.start_date and partnership.end_date < partnership.start_date:
            errors["end_date"] = _("联建结束日期不能早于开始日期。")
        try:
            partnership.full_clean(exclude=["organisation", "community"], validate_unique=False)
        except ValidationError as exc:
            errors = {**self.errors_from(exc, errors), **errors}
        if errors:
            raise RowInvalid(errors)
        return Plan(row=row, action=_("更新"), label=org.name, obj=obj,
                    extra={"org": org_data, "partnership": p_data, "status": status})

    def write_updates(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: UnitsContext) -> int:
        for plan in plans:
            partnership: Partnership = plan.obj
            if plan.extra["org"]:
                organisation_update(actor=actor, organisation=partnership.organisation, **plan.extra["org"])
            if plan.extra["partnership"]:
                partnership = partnership_update(actor=actor, partnership=partnership, **plan.extra["partnership"])
            if plan.extra["status"]:
                partnership_set_status(actor=actor, partnership=partnership, status=plan.extra["status"])
        return len(plans)

    def export_row(self, p: Any) -> dict[str, Any]:
        org = p.organisation
        return {
            "name": org.name, "kind": choice_label(OrgKind, org.kind),
            **{k: getattr(org, k) for k in ORG_KEYS},
            "start_date": p.start_date, "end_date": p.end_date,
            "status": choice_label(PartnershipStatus, p.status), "note": p.note,
        }

    def export_rows(self, *, community: Any) -> Iterable[dict[str, Any]]:
        partnerships = (Partnership.objects.filter(community=community).select_related("organisation")
                        .order_by("organisation__name"))
        for p in partnerships:
            yield self.export_row(p)
