"""Shared pytest fixtures for the whole suite."""

from __future__ import annotations

import os

import pytest

# Playwright drives Django from a thread with its own event loop; let Django's ORM run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _no_remembered_scopes():  # type: ignore[no-untyped-def]
    """Each test starts without scopes remembered by an earlier one (its rows are rolled back)."""
    from lianjian.accounts.permissions import _REMEMBERED

    _REMEMBERED.clear()
    yield
    _REMEMBERED.clear()


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    from lianjian.testing import make_world

    return make_world()


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    """A headless Debian Chromium; the test is skipped with a reason if it is not installed."""
    from lianjian.testing.e2e import CHROMIUM, chromium

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing on CI")
        pytest.skip(f"{CHROMIUM} is not installed")
    with chromium() as b:
        yield b
