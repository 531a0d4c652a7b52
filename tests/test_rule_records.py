"""One record per rule: everything that lists rules reads the ``Rule`` records.

A rule's id may appear in at most three files under ``src/`` (its module, its
thresholds, the catalog); a new rule module is found, run, labelled, listed by
the catalog and the command line without touching any other file.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from runaudit.advice.exercises import load_catalog
from runaudit.cli import RuleChoice
from runaudit.report.plots import RULE_LABELS
from runaudit.rules import RULE_EXERCISES, RULE_LIST, analyze, rules_frame
from runaudit.rules.findings import CATALOG_RULES, RULES
from runaudit.rules.rule import EVIDENCE_KINDS, Evidence, Measure, Measures, Rule
from runaudit.thresholds import Thresholds

SRC = Path(__file__).resolve().parent.parent / "src"
IDS = [r.id for r in RULE_LIST]
#: Files that list or run rules in general: no rule id may appear in them.
GENERIC = [
    "runaudit/rules/registry.py",
    "runaudit/rules/findings.py",
    "runaudit/rules/rule.py",
    "runaudit/rules/__init__.py",
    "runaudit/rules/_common.py",
    "runaudit/advice/exercises/__init__.py",
    "runaudit/cli.py",
]


def mentions(path: Path, rule_id: str) -> bool:
    """True when ``path`` names ``rule_id`` in code (a string, a name, an import).

    Python files are read with :mod:`ast`, so prose in docstrings and comments
    does not count; other files (TOML, templates) count any whole-word mention.
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return re.search(rf"(?<![A-Za-z0-9_]){rule_id}(?![A-Za-z0-9_])", text) is not None
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and node.value == rule_id:
            return True
        if isinstance(node, ast.Name) and node.id == rule_id:
            return True
        if isinstance(node, ast.Attribute) and node.attr == rule_id:
            return True
        if isinstance(node, ast.alias) and rule_id in [*node.name.split("."), node.asname]:
            return True
        if isinstance(node, ast.ImportFrom) and rule_id in (node.module or "").split("."):
            return True
    return False


def files_naming(root: Path, rule_id: str) -> list[str]:
    suffixes = {".py", ".toml", ".html", ".css", ".j2", ".jinja", ".txt"}
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix in suffixes
        and ".egg-info" not in str(p)
        and mentions(p, rule_id)
    )


def test_mentions_reads_code_not_prose(tmp_path: Path) -> None:
    code = tmp_path / "a.py"
    code.write_text('"""About ramp_up."""\n# ramp_up\nx = 1\n')
    assert not mentions(code, "ramp_up")
    code.write_text('RULE = "ramp_up"\n')
    assert mentions(code, "ramp_up")
    code.write_text("from runaudit.rules.ramp_up import find_ramp_ups\n")
    assert mentions(code, "ramp_up")
    code.write_text("find_ramp_ups()\n")
    assert not mentions(code, "ramp_up")


@pytest.mark.parametrize("rule_id", IDS)
def test_a_rule_id_appears_in_at_most_three_files(rule_id: str) -> None:
    files = files_naming(SRC, rule_id)
    assert 1 <= len(files) <= 3, files
    assert not set(files) & set(GENERIC), files


def test_there_are_eight_rules_in_report_order() -> None:
    assert IDS == [
        "ramp_up",
        "missing_deload",
        "downhill_volume",
        "low_cadence",
        "long_run_spike",
        "shoe_change",
        "surface_change",
        "knee_pain",
    ]


def test_every_list_of_rules_comes_from_the_records() -> None:
    assert tuple(IDS) == RULES
    assert (*IDS, "hip_control") == CATALOG_RULES
    assert {r.id: r.exercises for r in RULE_LIST} == RULE_EXERCISES
    assert {r.id: r.label for r in RULE_LIST} == RULE_LABELS
    catalog = load_catalog()
    assert tuple(catalog.rules) == CATALOG_RULES
    assert {r.id: catalog.rules[r.id] for r in RULE_LIST} == RULE_EXERCISES
    assert {r.id: catalog.rule_descriptions[r.id] for r in RULE_LIST} == {
        r.id: r.description for r in RULE_LIST
    }
    assert RuleChoice().choices == CATALOG_RULES
    frame = rules_frame()
    assert frame["id"].tolist() == IDS
    assert frame["function"].tolist()[0] == "find_ramp_ups"


def test_the_deload_rule_has_one_name() -> None:
    (rule,) = [r for r in RULE_LIST if r.id == "missing_deload"]
    assert rule.label == "missing deload"
    assert len({r.label for r in RULE_LIST}) == len(RULE_LIST)


@pytest.mark.parametrize("rule", RULE_LIST, ids=IDS)
def test_each_record_is_complete(rule: Rule) -> None:
    names = {f.name for f in dataclasses.fields(Thresholds)}
    assert set(rule.thresholds) <= names
    assert all(ex in load_catalog().exercises for ex in rule.exercises)
    assert rule.evidence.kind in EVIDENCE_KINDS
    assert rule.evidence.references
    assert rule.description.endswith(".")
    assert rule.find.__module__ == f"runaudit.rules.{Path(rule.find.__code__.co_filename).stem}"
    # each threshold named is read by the rule's module or the training model it
    # calls (knee_pain's triggers): no stale names
    source = Path(rule.find.__code__.co_filename).read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in (SRC / "runaudit" / "training").glob("*.py")
    )
    for name in rule.thresholds:
        assert f"t.{name}" in source or f"thresholds.{name}" in source, name


def test_only_long_runs_are_per_run() -> None:
    assert [r.id for r in RULE_LIST if r.per_run] == ["long_run_spike"]


def test_ramp_up_says_the_evidence_is_mixed() -> None:
    (rule,) = [r for r in RULE_LIST if r.id == "ramp_up"]
    text = rule.evidence.summary
    assert "mixed" in text
    assert "Gabbett 2016" in text and "team sports" in text
    assert "Buist et al. 2008" in text and "20.8 %" in text and "20.3 %" in text
    assert "Frandsen et al. 2025" in text


def test_evidence_kinds_and_numbers() -> None:
    by_id = {r.id: r.evidence for r in RULE_LIST}
    assert by_id["long_run_spike"].kind == "prospective cohort"
    assert "1.64" in by_id["long_run_spike"].summary
    assert "2.28" in by_id["long_run_spike"].summary
    assert by_id["low_cadence"].kind == "lab biomechanics"
    assert "−14 %" in by_id["low_cadence"].summary
    assert by_id["missing_deload"].kind == "expert practice"
    assert by_id["knee_pain"].kind == "clinical guidance"
    with pytest.raises(ValueError, match="kind"):
        Evidence("a hunch", "x")


def test_measures_format_with_their_units() -> None:
    assert Measure("distance_km", 48.0, "km").format() == "48 km"
    assert Measure("distance_km", 48.0, "km").format("mi") == "29.8 mi"
    assert Measure("descent_m", 1001, "m").format() == "1,001 m"
    assert Measure("acwr", 1.6, "ratio").format() == "1.6×"
    assert Measure("share", 0.82, "fraction").format() == "82%"
    assert Measure("cadence_spm", 154.5, "spm").format() == "154.5 spm"
    assert Measure("pain_max", 6.0, "score").format() == "6/10"
    assert Measure("weeks", 1, "weeks").format() == "1 week"
    assert Measure("acwr", None, "ratio").format() == "n/a"
    assert Measure("after_break", True).format() == "yes"
    assert Measure("chronic_weeks", 4, "weeks").label == "chronic weeks"
    with pytest.raises(ValueError, match="unit"):
        Measure("x", 1.0, "furlongs")
    with pytest.raises(ValueError, match="units"):
        Measure("x", 1.0, "km").format("miles")
    measures = Measures([Measure("a", 1, "km"), Measure("b", None)])
    assert dict(measures) == {"a": 1, "b": None}
    assert measures == {"a": 1, "b": None}
    with pytest.raises(ValueError, match="twice"):
        Measures([Measure("a", 1), Measure("a", 2)])


def test_findings_carry_units_and_evidence_strength_into_json() -> None:
    import pandas as pd

    weekly = pd.DataFrame(
        {
            "week_start": pd.date_range("2026-01-05", periods=5, freq="7D"),
            "distance_km": [30.0, 30.0, 30.0, 30.0, 48.0],
            "descent_m": [200.0] * 5,
            "downhill_km": [2.0] * 5,
            "cadence_spm": [172.0] * 5,
        }
    )
    (f,) = analyze(weekly)
    assert f.evidence.measure("distance_km").unit == "km"
    assert f.evidence.measure("acwr").format() == "1.6×"
    data = json.loads(json.dumps(f.to_dict()))
    assert data["evidence"] == {
        "distance_km": 48.0,
        "chronic_km": 30.0,
        "acwr": 1.6,
        "chronic_weeks": 4,
        "after_break": False,
    }
    assert data["weeks"] == ["2026-02-02"]
    assert data["evidence_strength"]["kind"] == "prospective cohort"
    assert "mixed" in data["evidence_strength"]["summary"]
    assert list(data) == [
        "rule",
        "severity",
        "week_start",
        "weeks",
        "message",
        "evidence",
        "evidence_strength",
        "exercises",
    ]


TOY_RULE = '''
"""toy_rule: a week over 100 km (a test's rule)."""

from __future__ import annotations

import pandas as pd

from runaudit.rules._common import complete_weeks, make_finding, resolve, to_date
from runaudit.rules.rule import Evidence, Measure, Rule


def find_toy_weeks(weekly, thresholds=None, *, units="km"):
    resolve(thresholds)
    if weekly.empty:
        return []
    weeks = complete_weeks(weekly, ["distance_km"])
    return [
        make_finding(RULE, "info", to_date(w), "A long week.", [Measure("distance_km", km, "km")])
        for w, km in weeks["distance_km"].items()
        if km > 100
    ]


RULE = Rule(
    id="toy_rule",
    label="toy label",
    find=find_toy_weeks,
    table="weekly",
    inputs=("week_start", "distance_km"),
    thresholds=(),
    exercises=("load_management",),
    evidence=Evidence("expert practice", "A test's rule."),
    description="Weeks over 100 km.",
    rank=15,
)
'''

TOY_PROBE = """
import json, pathlib, sys
import pandas as pd
import runaudit
from runaudit.advice.exercises import load_catalog
from runaudit.cli import RuleChoice
from runaudit.report.plots import RULE_LABELS
from runaudit.rules import RULE_EXERCISES, analyze, find_toy_weeks
from runaudit.rules.findings import CATALOG_RULES, RULES
weekly = pd.DataFrame({
    "week_start": pd.date_range("2026-01-05", periods=2, freq="7D"),
    "distance_km": [50.0, 120.0],
    "descent_m": [0.0, 0.0],
    "downhill_km": [0.0, 0.0],
    "cadence_spm": [170.0, 170.0],
})
found = analyze(weekly)
print(json.dumps({
    "file": runaudit.__file__,
    "rules": list(RULES),
    "catalog_rules": list(CATALOG_RULES),
    "exercises": list(RULE_EXERCISES["toy_rule"]),
    "label": RULE_LABELS["toy_rule"],
    "catalog": list(load_catalog().rules["toy_rule"]),
    "description": load_catalog().rule_descriptions["toy_rule"],
    "choice": "toy_rule" in RuleChoice().choices,
    "found": [f.to_dict() for f in found],
    "direct": len(find_toy_weeks(weekly)),
}))
"""


def test_a_new_rule_is_one_module(tmp_path: Path) -> None:
    """Drop a rule module into a copy of the package: everything lists and runs it."""
    copy = tmp_path / "src"
    shutil.copytree(
        SRC / "runaudit", copy / "runaudit", ignore=shutil.ignore_patterns("__pycache__")
    )
    (copy / "runaudit" / "rules" / "toy_rule.py").write_text(
        textwrap.dedent(TOY_RULE), encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-c", TOY_PROBE],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(copy), "MPLBACKEND": "Agg", "PATH": ""},
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["file"].startswith(str(copy))
    assert out["rules"][:2] == ["ramp_up", "toy_rule"]  # rank 15: after ramp_up
    assert out["catalog_rules"][-1] == "hip_control" and "toy_rule" in out["catalog_rules"]
    assert out["exercises"] == out["catalog"] == ["load_management"]
    assert out["label"] == "toy label"
    assert out["description"] == "Weeks over 100 km."
    assert out["choice"] is True
    assert [(f["rule"], f["week_start"]) for f in out["found"]] == [("toy_rule", "2026-01-12")]
    assert out["found"][0]["evidence_strength"]["kind"] == "expert practice"
    assert out["direct"] == 1
    assert files_naming(copy, "toy_rule") == ["runaudit/rules/toy_rule.py"]
