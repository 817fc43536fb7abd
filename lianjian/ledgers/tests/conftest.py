import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def chinese():  # type: ignore[no-untyped-def]
    """Pin the UI language: the tests check the Chinese reasons, whatever an earlier test activated."""
    with translation.override("zh-hans"):
        yield
