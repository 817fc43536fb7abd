"""Reads for ledgers: which communities a user may import into or export, finding one by name."""

from __future__ import annotations

import difflib

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope
from lianjian.regions.models import Region

from .kinds import get_spec
from .workbook import build_workbook


class CommunityNotFound(LookupError):
    """No (or no single) community matches a name; ``str(exc)`` explains and suggests, in Chinese."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


def ledger_communities(*, user: Viewer) -> QuerySet[Region]:
    """Communities whose ledgers *user* may import and export (staff and admins of them)."""
    return get_scope(user).filter_regions(Region.objects.communities()).select_related(
        "street", "district").order_by("code")


def community_find(*, user: Viewer, name: str) -> Region:
    """Return the one community in the user's scope called *name* (name, full name or code).

    Unknown names raise :class:`CommunityNotFound` listing the closest names (difflib); a name
    shared by communities of different streets must be given as the full name or the code.
    """
    name = (name or "").strip()
    communities = ledger_communities(user=user)
    matches = list(communities.filter(name=name)) or list(communities.filter(full_name=name)) or list(
        communities.filter(code=name))
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = [m.full_name or f"{m.name}（{m.code}）" for m in matches]
        raise CommunityNotFound(
            _("有 %(n)d 个社区叫“%(name)s”，请用全称或区划代码指定：%(names)s。")
            % {"n": len(matches), "name": name, "names": "、".join(names)}, names)
    all_names = list(communities.values_list("name", flat=True))
    close = difflib.get_close_matches(name, all_names, n=5, cutoff=0.4)
    close += [n for n in all_names if name and (name in n or n in name) and n not in close][: 5 - len(close)]
    if close:
        message = _("找不到社区“%(name)s”。您是不是要找：%(close)s？") % {
            "name": name, "close": "、".join(close)}
    else:
        message = _("找不到社区“%(name)s”，或您无权管理该社区。") % {"name": name}
    raise CommunityNotFound(message, close)


def ledger_export(*, user: Viewer, kind: str, community: Region) -> Workbook:
    """The community's *kind* ledger as a workbook in the template's columns (re-importable)."""
    from django.core.exceptions import PermissionDenied

    if not community.is_community or not get_scope(user).covers_region(community):
        raise PermissionDenied(_("您无权导出该社区的数据。"))
    spec = get_spec(kind)
    return build_workbook(spec, spec.export_rows(community=community), community=community)


def ledger_template(*, kind: str, community: Region | None = None) -> Workbook:
    """The blank template of *kind*, with drop-downs and the 说明 sheet.

    With *community* (already checked to be in the user's scope), drop-downs may offer its own
    values, such as its joint units.
    """
    return build_workbook(get_spec(kind), community=community)
