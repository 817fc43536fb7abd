from __future__ import annotations

from typing import Any

import pytest

from lianjian.core.domain_events import emit


@pytest.fixture
def deliver(django_capture_on_commit_callbacks: Any) -> Any:
    """Send a domain event the way apps do (``emit``), and run what waits for the commit."""

    def run(signal: Any, **kwargs: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            emit(signal, **kwargs)

    return run
