"""The ledger kinds, by the KIND name of the CLI contract (units, needs, resources, projects)."""

from __future__ import annotations

from .base import LedgerSpec
from .needs import NeedsSpec
from .projects import ProjectsSpec
from .resources import ResourcesSpec
from .units import UnitsSpec

SPECS: dict[str, LedgerSpec] = {spec.kind: spec for spec in (UnitsSpec(), NeedsSpec(), ResourcesSpec(), ProjectsSpec())}
KINDS = ("units", "needs", "resources", "projects")


def get_spec(kind: str) -> LedgerSpec:
    """Return the spec of *kind*; raise KeyError for unknown kinds."""
    return SPECS[kind]
