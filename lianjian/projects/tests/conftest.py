import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded photos go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
