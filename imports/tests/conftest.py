import json

import pytest

from . import samples


@pytest.fixture
def wxr_file(tmp_path):
    """Writes a WordPress export (the sample blog unless given) and returns its path."""

    def write(text=None, version="1.2"):
        path = tmp_path / "export.xml"
        path.write_text(text if text is not None else samples.wordpress_blog(version), encoding="utf-8")
        return path

    return write


@pytest.fixture
def ghost_file(tmp_path):
    """Writes a Ghost export (the sample blog unless given) and returns its path."""

    def write(data=None, version="5.75.0", bodies="html"):
        path = tmp_path / "ghost.json"
        path.write_text(json.dumps(data if data is not None else samples.ghost_blog(version, bodies=bodies)))
        return path

    return write
