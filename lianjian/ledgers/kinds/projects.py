"""The projects ledger (项目清单台账): one row per joint project of the community.

Project files are small (a community runs tens of projects a year), so each row goes through
``lianjian.projects.services.project_create`` — the same rules and audit trail as the project
form. An import registers projects as 计划中; their progress and completion are reported in the
app (completion needs a summary and evidence), so the 状态 and 完成日期 columns are exported for
reading but a row must say 计划中 (or leave 状态 empty) to be imported.

A row whose 编号 names one of the community's projects updates its wording, plan, budget and
dates through ``project_update`` (its units, year and status are changed in the app); an
unchanged row — completed or not — is matched.
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
from lianjian.orgs.selectors import partner_units_for
from lianjian.projects.models import Project, ProjectStatus
from lianjian.projects.services import project_create, project_update

from .base import CHOICE, DATE, DECIMAL, INT, LIST, Column, LedgerSpec, OrgIndex, Plan, RowInvalid, choice_label
from .base import choice_labels as _choice_labels
from .needs import category_options

FK_FIELDS = ["community", "category", "need", "lead_org", "created_by"]
# Columns an import may change on an existing project (project_update's fields).
UPDATABLE = {"title", "description", "category", "plan", "budget", "material_value", "start_date", "end_date"}


@dataclass
class ProjectsContext:
    orgs: OrgIndex
    partners: set[int] = field(default_factory=set)
    existing: dict[tuple[str, int], int] = field(default_factory=dict)  # (title, year) -> id


class ProjectsSpec(LedgerSpec):
    kind = "projects"
    label = gettext_noop("项目清单")
    noun = "项目"
    duplicate_column = "title"
    columns = (
        Column("编号", "id", type=INT, help="平台导出时填写，对应平台中已有的项目；新增的项目留空", width=8),
        Column("项目名称", "title", required=True, help="最多 120 字；同一社区同一年度不能重复",
               example="非遗文化进校园", width=28),
        Column("项目内容", "description", width=36),
        Column("类别", "category", type=CHOICE, required=True, options="category", example="文化教育"),
        Column("年度", "year", type=INT, required=True, help="四位年份", example="2025", width=8),
        Column("牵头单位", "lead_org", required=True, fields=("lead_org",),
               help="本社区联建单位的全称或简称", width=26),
        Column("协办单位", "partners", type=LIST, help="多个单位用顿号“、”分隔", width=30),
        Column("实施计划", "plan", width=30),
        Column("资金预算（元）", "budget", type=DECIMAL, example="5000", width=14),
        Column("物资价值（元）", "material_value", type=DECIMAL, example="1200.50", width=14),
        Column("开始日期", "start_date", type=DATE, example="2025-03-01", width=12),
        Column("计划结束", "end_date", type=DATE, help="不早于开始日期", example="2025-12-31", width=12),
        Column("状态", "status", type=CHOICE, options="status",
               help="导入的项目为“计划中”；进展和完成请在平台中填报", width=10),
        Column("完成日期", "completed_on", type=DATE, help="导出时填写，导入时忽略", width=12, readonly=True),
    )
    notes = ("一行一个项目。牵头单位和协办单位须是本社区的联建单位（可先导入联建单位台账）。",
             "“编号”列由平台导出时填写：保留编号重新导入，内容未改的行保持不变，改过的行更新平台中的该项目"
             "（单位、年度和状态请在平台中修改）；编号为空或不是本社区的项目时，该行作为新项目导入。")

    def option_lists(self) -> dict[str, dict[str, Any]]:
        return {"category": category_options(), "status": _choice_labels(ProjectStatus)}

    def prepare(self, *, actor: Actor, community: Any, values: list[dict[str, Any]]) -> ProjectsContext:
        names = {v["lead_org"] for v in values if v["lead_org"]} | {n for v in values for n in v["partners"]}
        # The project service's rule: every unit of a project is an ACTIVE joint unit of its community.
        partners = set(partner_units_for(community).values_list("pk", flat=True))
        titles = {v["title"].strip() for v in values}
        existing = {(t, y): pk for t, y, pk in Project.objects.filter(community=community, title__in=titles)
                    .values_list("title", "year", "id")}
        return ProjectsContext(orgs=OrgIndex.load(names), partners=partners, existing=existing)

    def _unit(self, name: str, ctx: ProjectsContext) -> Any:
        org = ctx.orgs.find(name)
        if org.pk not in ctx.partners:
            raise ValueError(_("“%(name)s”不是本社区的联建单位。") % {"name": org.name})
        return org

    def check_row(self, row: int, values: dict[str, Any], *, ctx: ProjectsContext, community: Any,
                  actor: Actor) -> Plan:
        errors: dict[str, str] = {}
        lead = None
        try:
            lead = self._unit(values["lead_org"], ctx)
        except ValueError as exc:
            errors["lead_org"] = str(exc)
        partners = []
        for name in values["partners"]:
            try:
                partners.append(self._unit(name, ctx))
            except ValueError as exc:
                errors["partners"] = str(exc)
        if values["status"] not in (None, ProjectStatus.PLANNED):
            errors["status"] = _("导入的项目只能是“计划中”，进展和完成请在平台中填报。")
        title = values["title"].strip()
        if (title, values["year"]) in ctx.existing:
            errors["title"] = _("本社区 %(year)d 年度已有同名项目。") % {"year": values["year"]}
        project = Project(community=community, year=values["year"], title=title,
                          description=values["description"], category=values["category"], lead_org=lead,
                          plan=values["plan"], budget=values["budget"] or 0,
                          material_value=values["material_value"] or 0, start_date=values["start_date"],
                          end_date=values["end_date"])
        if project.start_date and project.end_date and project.end_date < project.start_date:
            errors["end_date"] = _("计划结束日期不能早于开始日期。")
        try:
            project.full_clean(exclude=FK_FIELDS, validate_unique=False)
        except ValidationError as exc:
            errors = {**self.errors_from(exc, errors), **errors}
        if errors:
            raise RowInvalid(errors)
        return Plan(row=row, action=_("新建"), label=title, obj=project, extra={"partners": partners})

    def duplicate_key(self, plan: Plan) -> Hashable:
        return (plan.obj.title, plan.obj.year)

    def write(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: ProjectsContext) -> int:
        for plan in plans:
            p = plan.obj
            project_create(actor=actor, community=community, year=p.year, title=p.title, category=p.category,
                           lead_org=p.lead_org, description=p.description, plan=p.plan, budget=p.budget,
                           material_value=p.material_value, start_date=p.start_date, end_date=p.end_date,
                           partners=plan.extra["partners"])
        return len(plans)

    def existing(self, *, community: Any, keys: set[Any]) -> dict[Any, Any]:
        projects = (Project.objects.filter(community=community, pk__in=[k for k in keys if isinstance(k, int)])
                    .select_related("category", "lead_org").prefetch_related("project_units__organisation"))
        return {p.pk: p for p in projects}

    def check_update(self, row: int, values: dict[str, Any], obj: Any, changed: set[str], *,
                     ctx: ProjectsContext, community: Any, actor: Actor) -> Plan:
        self.refuse_changes(changed, UPDATABLE, obj)
        if obj.status == ProjectStatus.CANCELLED:
            raise RowInvalid({sorted(changed)[0]: _("项目已取消，不能修改。")})
        errors: dict[str, str] = {}
        data = {k: values[k] for k in changed}
        for key in ("budget", "material_value"):
            if key in data and data[key] is None:
                data[key] = 0
        if "title" in data:
            data["title"] = data["title"].strip()
        title = data.get("title", obj.title)
        if ctx.existing.get((title, obj.year), obj.pk) != obj.pk:
            errors["title"] = _("本社区 %(year)d 年度已有同名项目。") % {"year": obj.year}
        project = copy.copy(obj)
        for key, value in data.items():
            setattr(project, key, value)
        if project.start_date and project.end_date and project.end_date < project.start_date:
            errors["end_date"] = _("计划结束日期不能早于开始日期。")
        try:
            project.full_clean(exclude=FK_FIELDS, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = {**self.errors_from(exc, errors), **errors}
        if errors:
            raise RowInvalid(errors)
        return Plan(row=row, action=_("更新"), label=title, obj=obj, extra={"data": data})

    def write_updates(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: ProjectsContext) -> int:
        for plan in plans:
            project_update(actor=actor, project=plan.obj, **plan.extra["data"])
        return len(plans)

    def export_row(self, p: Any) -> dict[str, Any]:
        return {
            "id": p.pk, "title": p.title, "description": p.description, "category": p.category.name,
            "year": p.year, "lead_org": p.lead_org.name,
            "partners": [u.organisation.name for u in p.project_units.all() if u.role == "partner"],
            "plan": p.plan, "budget": p.budget, "material_value": p.material_value,
            "start_date": p.start_date, "end_date": p.end_date,
            "status": choice_label(ProjectStatus, p.status), "completed_on": p.completed_on,
        }

    def export_rows(self, *, community: Any) -> Iterable[dict[str, Any]]:
        projects = (Project.objects.filter(community=community).select_related("category", "lead_org")
                    .prefetch_related("project_units__organisation").order_by("year", "created_at", "id"))
        for p in projects:
            yield self.export_row(p)
