from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from lianjian.api.errors import ERROR_RESPONSES
from lianjian.lists.selectors import need_get, resource_get

from . import selectors
from .engine import MatchEngine, NeedDoc, ResourceDoc

router = Router()


class SuggestionOut(Schema):
    resource_id: int
    resource_title: str
    organisation_id: int
    organisation_name: str
    score: float
    reasons: list[str]


class NeedMatchOut(Schema):
    need_id: int
    need_title: str
    resource_id: int
    score: float
    reasons: list[str]


class RankNeedIn(Schema):
    id: str = Field(..., min_length=1, max_length=64)
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    category: str | None = None


class RankResourceIn(Schema):
    id: str = Field(..., min_length=1, max_length=64)
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    unit: str = ""
    category: str | None = None


class RankIn(Schema):
    needs: list[RankNeedIn] = Field(..., min_length=1, max_length=1000)
    resources: list[RankResourceIn] = Field(..., min_length=1, max_length=5000)
    top: int = Field(5, ge=1, le=50)


class RankedOut(Schema):
    resource_id: str
    score: float
    reasons: list[str]


@router.get("/needs/{id:need_id}", response={200: list[SuggestionOut], **ERROR_RESPONSES},
            summary="Ranked resources of the community's joint units for a need (staff)")
def need_matches(request: HttpRequest, need_id: int, top: int = Query(5, ge=1, le=50)) -> list[dict]:
    need = need_get(user=request.user, pk=need_id)
    return [{"resource_id": s.resource.pk, "resource_title": s.resource.title, "organisation_id": s.organisation.pk,
             "organisation_name": s.organisation.name, "score": round(s.score, 4), "reasons": s.reasons}
            for s in selectors.suggestions_for_need(user=request.user, need=need, top_k=max(1, min(top, 50)))]


@router.get("/resources/{id:resource_id}", response={200: list[NeedMatchOut], **ERROR_RESPONSES},
            summary="Open needs this resource could meet")
def resource_matches(request: HttpRequest, resource_id: int, top: int = Query(10, ge=1, le=50)) -> list[dict]:
    resource = resource_get(user=request.user, pk=resource_id)
    rows = selectors.needs_for_organisation(user=request.user, organisation=resource.organisation,
                                            resource=resource, top_k=max(1, min(top, 50)))
    return [{"need_id": r.need.pk, "need_title": r.need.title, "resource_id": r.resource.pk,
             "score": round(r.score, 4), "reasons": r.reasons} for r in rows]


@router.post("/rank", response={200: dict[str, list[RankedOut]], **ERROR_RESPONSES},
             summary="Rank the given resources for the given needs (no database; same engine as the CLI)")
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
    return {n.id: [m.as_dict() for m in ranked.get(n.id, [])] for n in payload.needs}
