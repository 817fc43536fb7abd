from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from lianjian.accounts.models import Role
from lianjian.api.errors import ERROR_RESPONSES
from lianjian.api.limits import require_roles
from lianjian.lists.selectors import need_get, resource_get

from . import selectors
from .engine import CONFIDENCE_LINE, MatchEngine, NeedDoc, ResourceDoc

router = Router()

# /rank works on what the caller sends, so its size is bounded by the request: needs × resources.
RANK_MAX_NEEDS = 20
RANK_MAX_RESOURCES = 200
RANK_MAX_TEXT = 1000  # one description
RANK_MAX_TOTAL_CHARS = 60_000  # all titles and descriptions of one request (word segmentation is the cost)
# Ranking is for the people who match needs with units; residents, riders and volunteers do not.
RANK_ROLES = (Role.COMMUNITY_STAFF, Role.REGION_ADMIN, Role.LIAISON)


class SuggestionOut(Schema):
    resource_id: int
    resource_title: str
    organisation_id: int
    organisation_name: str
    score: float
    reasons: list[str]
    confidence: float = Field(..., description="Calibrated confidence in 0..1 (the same number as score)")
    weak: bool = Field(..., description="Below the confidence line: not a suggestion (only with include_weak)")


class NeedMatchOut(Schema):
    need_id: int
    need_title: str
    resource_id: int
    score: float
    reasons: list[str]
    confidence: float
    weak: bool


class RankNeedIn(Schema):
    id: str = Field(..., min_length=1, max_length=64)
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=RANK_MAX_TEXT)
    category: str | None = Field(None, max_length=40)


class RankResourceIn(Schema):
    id: str = Field(..., min_length=1, max_length=64)
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=RANK_MAX_TEXT)
    unit: str = Field("", max_length=120)
    category: str | None = Field(None, max_length=40)


class RankIn(Schema):
    needs: list[RankNeedIn] = Field(..., min_length=1, max_length=RANK_MAX_NEEDS)
    resources: list[RankResourceIn] = Field(..., min_length=1, max_length=RANK_MAX_RESOURCES)
    top: int = Field(5, ge=1, le=50)

    @model_validator(mode="after")
    def _bounded_text(self) -> "RankIn":
        docs: list[RankNeedIn | RankResourceIn] = [*self.needs, *self.resources]
        total = sum(len(d.title) + len(d.description) for d in docs)
        if total > RANK_MAX_TOTAL_CHARS:
            raise ValueError(_("标题和描述合计不能超过 %(n)d 个字；更大的数据请用命令行 lianjian match。")
                             % {"n": RANK_MAX_TOTAL_CHARS})
        return self


class RankedOut(Schema):
    resource_id: str
    score: float
    reasons: list[str]
    confidence: float
    weak: bool


@router.get("/needs/{id:need_id}", response={200: list[SuggestionOut], **ERROR_RESPONSES},
            summary="Ranked resources of the community's joint units for a need (staff)",
            description="Only matches above the confidence line; an empty list means no listed resource fits "
                        "(invite units by kind instead). include_weak=true appends the weak ones, flagged weak.")
def need_matches(request: HttpRequest, need_id: int, top: int = Query(5, ge=1, le=50),
                 include_weak: bool = False) -> list[dict]:
    need = need_get(user=request.user, pk=need_id)
    return [{"resource_id": s.resource.pk, "resource_title": s.resource.title, "organisation_id": s.organisation.pk,
             "organisation_name": s.organisation.name, "score": round(s.score, 4), "reasons": s.reasons,
             "confidence": round(s.confidence, 4), "weak": s.weak}
            for s in selectors.suggestions_for_need(user=request.user, need=need, top_k=max(1, min(top, 50)),
                                                    include_weak=include_weak)]


@router.get("/resources/{id:resource_id}", response={200: list[NeedMatchOut], **ERROR_RESPONSES},
            summary="Open needs this resource could meet")
def resource_matches(request: HttpRequest, resource_id: int, top: int = Query(10, ge=1, le=50)) -> list[dict]:
    resource = resource_get(user=request.user, pk=resource_id)
    rows = selectors.needs_for_organisation(user=request.user, organisation=resource.organisation,
                                            resource=resource, top_k=max(1, min(top, 50)))
    return [{"need_id": r.need.pk, "need_title": r.need.title, "resource_id": r.resource.pk,
             "score": round(r.score, 4), "reasons": r.reasons, "confidence": round(r.score, 4),
             "weak": r.score < CONFIDENCE_LINE} for r in rows]


@router.post("/rank", response={200: dict[str, list[RankedOut]], **ERROR_RESPONSES},
             summary="Rank the given resources for the given needs (no database; same engine as the CLI)",
             description=f"For community staff, district/street admins and unit liaisons (others get 403). "
             f"At most {RANK_MAX_NEEDS} needs and {RANK_MAX_RESOURCES} resources per request, "
             f"{RANK_MAX_TOTAL_CHARS} characters of titles and descriptions in all; larger sets: "
             "the `lianjian match` command.")
@require_roles(*RANK_ROLES)
def rank(request: HttpRequest, payload: RankIn) -> dict[str, list[dict]]:
    for label, items in (("needs", payload.needs), ("resources", payload.resources)):
        ids = [item.id for item in items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValidationError({label: [_("编号重复：%(ids)s") % {"ids": "、".join(duplicates[:10])}]})
    engine = MatchEngine()
    engine.add_many(ResourceDoc(id=r.id, title=r.title, description=r.description, unit=r.unit,
                                category=r.category) for r in payload.resources)
    ranked = engine.rank_many([NeedDoc(id=n.id, title=n.title, description=n.description, category=n.category)
                               for n in payload.needs], top_k=payload.top)
    return {n.id: [{**m.as_dict(), "confidence": m.confidence, "weak": m.weak} for m in ranked.get(n.id, [])]
            for n in payload.needs}
