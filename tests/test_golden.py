"""The machine-readable outputs on ``sample_data/`` stay byte-identical.

``tests/golden/`` holds what ``runaudit weekly|activities|findings sample_data
--format csv|json`` printed before a refactoring. A change that means to alter
these outputs regenerates them with ``RUNAUDIT_UPDATE_GOLDEN=1 pytest
tests/test_golden.py`` and says why in its commit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from runaudit.cli import cli

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
CASES = [
    ("weekly", "csv"),
    ("weekly", "json"),
    ("activities", "csv"),
    ("activities", "json"),
    ("findings", "json"),
]


@pytest.mark.parametrize(("command", "fmt"), CASES)
def test_sample_data_output_is_unchanged(
    command: str, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)  # the source column holds paths relative to the working folder
    result = CliRunner().invoke(
        cli, [command, "sample_data", "--format", fmt, "-q", "--no-cache"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"{command}.{fmt}"
    if os.environ.get("RUNAUDIT_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
