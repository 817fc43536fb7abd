"""The needs ledger (需求清单台账): one row per need of the community.

Needs files can be large (a district's backlog), so rows are bulk-created after validation
instead of calling ``need_create`` per row — but the rules are the service's own: each row is
built by ``lianjian.lists.services.need_prepare`` (trimmed title required, an active category,
quantity at least 1, year and source defaults, requester, and for rows marked 已发布 the
published time and reviewer), then checked with the model's ``full_clean``. After the bulk
write the same audit rows are recorded (``record_activity_many``) and the same notifications
sent (``needs_announce``, one INSERT) as when needs are posted and published one by one. Only
the wish date is not required to lie ahead: a ledger records past needs as they were.

A row whose 编号 names one of the community's needs updates that need through ``need_update``
(the columns that changed; a status is changed in the app, where publishing, returning and
closing have their own steps). An unchanged row — any status, 已认领满 included — is matched.
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
from lianjian.core.activity import record_activity_many
from lianjian.lists.models import BeneficiaryGroup, Category, Need, NeedSource, NeedStatus, Urgency, current_year
from lianjian.lists.services import (
    NEED_AUDIT_FIELDS,
    need_default_source,
    need_prepare,
    need_update,
    needs_announce,
)

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

# Statuses a ledger row may carry: claims cannot be imported, so 已认领满 cannot be either.
IMPORTABLE_STATUSES = (NeedStatus.SUBMITTED, NeedStatus.PUBLISHED, NeedStatus.CLOSED)
# Need fields the model's full_clean checks here; FKs are resolved from preloaded lookups.
FK_FIELDS = ["community", "category", "requester", "requester_org", "reviewed_by"]
IN_LIMIT = 5_000  # more values than this are matched in Python, not in an SQL IN list
# Columns an import may change on an existing need (need_update's fields and the groups).
UPDATABLE = {"title", "description", "category", "beneficiary_groups", "beneficiary_count", "quantity_needed",
             "quantity_unit", "place", "urgency", "wanted_by", "year", "source", "requester_org", "contact_name",
             "contact_phone"}


def category_options() -> dict[str, Any]:
    """Active categories by name (and code) — the same set the need form offers."""
    options: dict[str, Any] = {}
    for c in Category.objects.filter(is_active=True).order_by("sort_order", "name"):
        options[c.name] = c
    for c in list(options.values()):
        options.setdefault(c.code, c)
    return options


def group_lookup() -> dict[str, BeneficiaryGroup]:
    groups = list(BeneficiaryGroup.objects.all())
    return {**{g.code: g for g in groups}, **{g.name: g for g in groups}}


@dataclass
class NeedsContext:
    orgs: OrgIndex
    groups: dict[str, BeneficiaryGroup]
    existing: dict[tuple[str, int], int] = field(default_factory=dict)  # (title, year) -> id, in the community
    now: Any = None


class NeedsSpec(LedgerSpec):
    kind = "needs"
    label = gettext_noop("需求清单")
    noun = "需求"
    duplicate_column = "title"
    columns = (
        Column("编号", "id", type=INT, help="平台导出时填写，对应平台中已有的需求；新增的需求留空", width=8),
        Column("需求标题", "title", required=True, help="最多 100 字；同一社区同一年度不能重复",
               example="辖区失业人员再就业", width=28),
        Column("需求描述", "description", width=36),
        Column("类别", "category", type=CHOICE, required=True, options="category", fields=("category",),
               example="就业创业"),
        Column("受益群体", "beneficiary_groups", type=LIST, fields=("beneficiary_groups",),
               help="可选：老人、儿童、残疾人、失业人员、新就业群体等", example="失业人员"),
        Column("预计受益人数", "beneficiary_count", type=INT, example="40", width=12),
        Column("需求数量", "quantity_needed", type=INT, help="不小于 1，不填按 1", example="40", width=10),
        Column("数量单位", "quantity_unit", help="如 人、个、场，不填按“项”", example="人", width=10),
        Column("地点", "place", width=20),
        Column("紧急程度", "urgency", type=CHOICE, options="urgency", help="不填按“一般”", example="一般",
               width=10),
        Column("期望完成日期", "wanted_by", type=DATE, example="2025-06-30", width=14),
        Column("年度", "year", type=INT, help="四位年份，不填按今年", example="2025", width=8),
        Column("来源", "source", type=CHOICE, options="source", help="不填时有提出单位按“单位”，否则按“社区”",
               width=10),
        Column("提出单位", "requester_org", fields=("requester_org",),
               help="单位全称或简称，须已在平台登记", width=24),
        Column("联系人", "contact_name", width=10),
        Column("联系电话", "contact_phone", type=PHONE, help="11 位手机号", width=14),
        Column("状态", "status", type=CHOICE, options="status",
               help="待审核、已发布或已关闭，不填按“待审核”", example="已发布", width=10),
    )
    notes = ("一行一个需求。同一社区同一年度标题相同的需求视为重复。",
             "状态为“已发布”的需求导入后直接公开，由导入人记为审核人。",
             "“编号”列由平台导出时填写：保留编号重新导入，内容未改的行保持不变，改过的行更新平台中的该需求"
             "（状态请在平台中修改）；编号为空或不是本社区的需求时，该行作为新需求导入。")

    def option_lists(self) -> dict[str, dict[str, Any]]:
        statuses = {k: v for k, v in choice_labels(NeedStatus).items() if v in IMPORTABLE_STATUSES}
        return {"category": category_options(), "urgency": choice_labels(Urgency),
                "source": choice_labels(NeedSource), "status": statuses}

    def prepare(self, *, actor: Actor, community: Any, values: list[dict[str, Any]]) -> NeedsContext:
        titles = {v["title"] for v in values}
        needs = Need.objects.filter(community=community)
        # A large file is compared with all of the community's needs: SQLite allows 32,766 query
        # parameters, and a district's backlog may have more titles than that.
        if len(titles) <= IN_LIMIT:
            needs = needs.filter(title__in=titles)
        existing = {(t, y): pk for t, y, pk in needs.values_list("title", "year", "id") if t in titles}
        return NeedsContext(orgs=OrgIndex.load({v["requester_org"] for v in values if v["requester_org"]}),
                            groups=group_lookup(), existing=existing, now=timezone.now())

    def check_row(self, row: int, values: dict[str, Any], *, ctx: NeedsContext, community: Any,
                  actor: Actor) -> Plan:
        errors: dict[str, str] = {}
        requester_org = None
        if values["requester_org"]:
            try:
                requester_org = ctx.orgs.find(values["requester_org"])
            except ValueError as exc:
                errors["requester_org"] = str(exc)
        groups = []
        for name in values["beneficiary_groups"]:
            group = ctx.groups.get(name)
            if group is None:
                errors["beneficiary_groups"] = _("未知的受益群体“%(name)s”。") % {"name": name}
            else:
                groups.append(group)
        year = values["year"] or current_year()
        if (values["title"].strip(), year) in ctx.existing:
            errors["title"] = _("本社区 %(year)d 年度已有同名需求。") % {"year": year}
        try:
            need = need_prepare(
                actor=actor, community=community, title=values["title"], description=values["description"],
                category=values["category"], requester_org=requester_org,
                status=values["status"] or NeedStatus.SUBMITTED, published_at=ctx.now,
                beneficiary_count=values["beneficiary_count"], quantity_needed=values["quantity_needed"],
                quantity_unit=values["quantity_unit"] or "项", place=values["place"],
                urgency=values["urgency"] or Urgency.LOW, wanted_by=values["wanted_by"], year=year,
                source=values["source"], contact_name=values["contact_name"],
                contact_phone=values["contact_phone"])
        except ValidationError as exc:
            raise RowInvalid({**self.errors_from(exc, {}), **errors}) from None
        try:
            # The two check constraints are checked in Python (quantity ≥ 1 above; nothing is
            # covered on import): Django validates each with a query, 40,000 for 20,000 rows.
            need.full_clean(exclude=FK_FIELDS, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = {**self.errors_from(exc, errors), **errors}
        if errors:
            raise RowInvalid(errors)
        return Plan(row=row, action=_("新建"), label=need.title, obj=need, extra={"groups": groups})

    def duplicate_key(self, plan: Plan) -> Hashable:
        return (plan.obj.title, plan.obj.year)

    def write(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: NeedsContext) -> int:
        needs = Need.objects.bulk_create([p.obj for p in plans], batch_size=1000)
        through = Need.beneficiary_groups.through
        through.objects.bulk_create([
            through(need_id=need.pk, beneficiarygroup_id=group.pk)
            for need, plan in zip(needs, plans, strict=True) for group in plan.extra["groups"]
        ], batch_size=2000)
        # The same audit rows as need_create (plus the status a ledger row carries) and the same
        # notifications as need_create / need_publish, written in bulk.
        record_activity_many(actor=actor, objs=needs, fields=[*NEED_AUDIT_FIELDS, "status"], source="import")
        needs_announce(needs=needs)
        return len(needs)

    def existing(self, *, community: Any, keys: set[Any]) -> dict[Any, Any]:
        ids = {k for k in keys if isinstance(k, int)}
        needs = Need.objects.filter(community=community)
        if len(ids) <= IN_LIMIT:
            needs = needs.filter(pk__in=ids)
        needs = needs.select_related("category", "requester_org").prefetch_related("beneficiary_groups")
        return {n.pk: n for n in needs.iterator(chunk_size=2000) if n.pk in ids}

    def check_update(self, row: int, values: dict[str, Any], obj: Any, changed: set[str], *, ctx: NeedsContext,
                     community: Any, actor: Actor) -> Plan:
        self.refuse_changes(changed, UPDATABLE, obj)
        if obj.status == NeedStatus.CLOSED:
            raise RowInvalid({sorted(changed)[0]: _("需求已关闭，不能修改。")})
        errors: dict[str, str] = {}
        data: dict[str, Any] = {}
        groups = None
        for key in changed:
            if key == "beneficiary_groups":
                groups = [ctx.groups[n] for n in values[key] if n in ctx.groups]
                unknown = [n for n in values[key] if n not in ctx.groups]
                if unknown:
                    errors[key] = _("未知的受益群体“%(name)s”。") % {"name": unknown[0]}
            elif key == "requester_org":
                data[key] = None
                if values[key]:
                    try:
                        data[key] = ctx.orgs.find(values[key])
                    except ValueError as exc:
                        errors[key] = str(exc)
            else:
                data[key] = values[key]
        defaults = {"quantity_needed": 1, "quantity_unit": "项", "urgency": Urgency.LOW, "year": current_year()}
        for key, default in defaults.items():
            if key in data and data[key] in (None, ""):
                data[key] = default
        if "source" in data and not data["source"]:
            data["source"] = need_default_source(actor, data.get("requester_org", obj.requester_org))
        if "title" in data:
            data["title"] = data["title"].strip()
        title, year = data.get("title", obj.title), data.get("year", obj.year)
        if ctx.existing.get((title, year), obj.pk) != obj.pk:
            errors["title"] = _("本社区 %(year)d 年度已有同名需求。") % {"year": year}
        if "quantity_needed" in data and data["quantity_needed"] < max(1, obj.quantity_covered):
            errors["quantity_needed"] = _("需求数量不能少于已认领数量（%(n)s）。") % {"n": obj.quantity_covered}
        need = copy.copy(obj)
        for key, value in data.items():
            setattr(need, key, value)
        try:
            need.full_clean(exclude=FK_FIELDS, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = {**self.errors_from(exc, errors), **errors}
        if errors:
            raise RowInvalid(errors)
        return Plan(row=row, action=_("更新"), label=title, obj=obj, extra={"data": data, "groups": groups})

    def write_updates(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: NeedsContext) -> int:
        for plan in plans:
            need_update(actor=actor, need=plan.obj, beneficiary_groups=plan.extra["groups"], **plan.extra["data"])
        return len(plans)

    def export_row(self, n: Any) -> dict[str, Any]:
        return {
            "id": n.pk, "title": n.title, "description": n.description, "category": n.category.name,
            "beneficiary_groups": [g.name for g in n.beneficiary_groups.all()],
            "beneficiary_count": n.beneficiary_count, "quantity_needed": n.quantity_needed,
            "quantity_unit": n.quantity_unit, "place": n.place, "urgency": choice_label(Urgency, n.urgency),
            "wanted_by": n.wanted_by, "year": n.year, "source": choice_label(NeedSource, n.source),
            "requester_org": n.requester_org.name if n.requester_org else "",
            "contact_name": n.contact_name, "contact_phone": n.contact_phone,
            "status": choice_label(NeedStatus, n.status),
        }

    def export_rows(self, *, community: Any) -> Iterable[dict[str, Any]]:
        needs = (Need.objects.filter(community=community).select_related("category", "requester_org")
                 .prefetch_related("beneficiary_groups").order_by("year", "created_at", "id"))
        for n in needs.iterator(chunk_size=2000):
            yield self.export_row(n)
