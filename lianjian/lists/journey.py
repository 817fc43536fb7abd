"""Later stages of a need's life, added by the apps that own them (projects, ratings).

A need is claimed in lists, then carried out as a project (projects) and rated (projects). The
requester's timeline and a unit's claims show those later facts, but lists sits below projects in
the layer contract, so it may not import them: the projects app registers, in its
``AppConfig.ready()``, how to prefetch a need's projects and which journey stages it adds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from lianjian.accounts.actors import Viewer

# Stage states of a need's journey, for the requester's timeline.
DONE, CURRENT, WAITING, STOPPED = "done", "current", "waiting", "stopped"


@dataclass(frozen=True)
class JourneyExtension:
    # prefetch(prefix) -> the Prefetch of what the stages read, reached from a Need through *prefix*
    prefetch: Callable[[str], Prefetch[Any]]
    # stages(need, user, detail) -> the stages after the claim stage
    stages: Callable[[Any, Any, bool], list[dict[str, Any]]]


_EXTENSIONS: dict[str, JourneyExtension] = {}


def register_journey(key: str, *, prefetch: Callable[[str], Prefetch[Any]],
                     stages: Callable[[Any, Any, bool], list[dict[str, Any]]]) -> None:
    _EXTENSIONS[key] = JourneyExtension(prefetch=prefetch, stages=stages)


def journey_prefetches(prefix: str = "") -> list[Prefetch[Any]]:
    return [ext.prefetch(prefix) for ext in _EXTENSIONS.values()]


def later_stages(need: Any, user: Viewer, detail: bool) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for ext in _EXTENSIONS.values():
        result.extend(ext.stages(need, user, detail))
    return result
