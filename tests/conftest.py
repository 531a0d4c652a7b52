"""Shared fixtures: where the real-data corpus lives, and small builders."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def realdata_dir() -> Path:
    """``$RUNAUDIT_REALDATA`` or ``<repo>/../shared/realdata``."""
    return Path(os.environ.get("RUNAUDIT_REALDATA", REPO.parent / "shared" / "realdata"))


def realdata_manifest() -> list[dict[str, Any]]:
    """Entries of the real-data MANIFEST.json, or [] when the corpus is absent."""
    path = realdata_dir() / "MANIFEST.json"
    if not path.is_file():
        return []
    return list(json.loads(path.read_text())["files"])


@pytest.fixture
def realdata() -> Path:
    folder = realdata_dir()
    if not (folder / "MANIFEST.json").is_file():
        pytest.skip(
            f"real-data corpus not found at {folder}; set RUNAUDIT_REALDATA to the folder"
            " holding MANIFEST.json (it ships only with the team's shared/ folder)"
        )
    return folder


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Never touch the user's cache from tests."""
    monkeypatch.setenv("RUNAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
