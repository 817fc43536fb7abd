"""Shared pytest fixtures for the whole suite."""

from __future__ import annotations

import os

import pytest

# Playwright drives Django from a thread with its own event loop; let Django's ORM run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    from lianjian.core.testing import make_world

    return make_world()


@pytest.fixture
def api_client():  # type: ignore[no-untyped-def]
    from django.test import Client

    return Client()
