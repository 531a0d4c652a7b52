"""The command line starts fast: ``--version`` and ``--help`` load no heavy module."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "pandas",
    "numpy",
    "matplotlib",
    "fitdecode",
    "gpxpy",
    "pyarrow",
    "runaudit.reading.parsers",
)

PROBE = """
import json, sys
from runaudit.cli import main
heavy = json.loads(sys.argv[2])
sys.argv = ["runaudit", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))
print(json.dumps(loaded), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args", [["--version"], ["--help"], ["weekly", "--help"], ["report", "--help"]]
)
def test_help_and_version_import_no_heavy_module(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
    assert done.stdout.strip()


def test_import_runaudit_is_lazy_but_complete() -> None:
    probe = (
        "import sys, runaudit\n"
        "assert 'pandas' not in sys.modules\n"
        "assert runaudit.Thresholds().chronic_weeks == 4\n"
        "missing = [n for n in runaudit.__all__ if not hasattr(runaudit, n)]\n"
        "print(missing)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_public_function_named_like_its_module_stays_the_function() -> None:
    probe = (
        "import runaudit.audit, runaudit, inspect\n"
        "from runaudit import ingest\n"
        "print(inspect.isfunction(runaudit.ingest), inspect.isfunction(ingest))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True True"
