"""Every threshold's validation, through the CLI (--set and --config) and the library.

Each bad value must end in exit code 1 and exactly one ``Error: ...`` line that
names the threshold, never a traceback. Thresholds are checked before any file
is read, so these runs are quick.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from runaudit.cli import cli
from runaudit.errors import ConfigError
from runaudit.thresholds import Thresholds, load_thresholds

SAMPLE = str(Path(__file__).resolve().parent.parent / "sample_data")
FIELDS = dataclasses.fields(Thresholds)
SWITCHES = ["ramp_by_time"]  # 0/1 choices, not counts
WHOLE = [f.name for f in FIELDS if f.type in ("int", int) and f.name not in SWITCHES]
REAL = [f.name for f in FIELDS if f.name not in WHOLE and f.name not in SWITCHES]

# (name, bad value as text for --set, the same as a TOML value)
BAD: list[tuple[str, str, str]] = []
for _name in WHOLE:
    BAD += [(_name, "-1", "-1"), (_name, "0", "0"), (_name, "4.5", "4.5"), (_name, "nan", "nan")]
    BAD += [(_name, "1e18", "1000000000000000000"), (_name, "5201", "5201")]  # issue 19
for _name in REAL:
    BAD += [(_name, "-0.5", "-0.5"), (_name, "nan", "nan"), (_name, "inf", "inf")]
for _name in SWITCHES:
    BAD += [(_name, "2", "2"), (_name, "0.5", "0.5"), (_name, "-1", "-1")]
# Ranges between and within fields.
BAD += [
    ("acwr_alert", "1.2", "1.2"),  # below the default acwr_warning 1.3
    ("deload_ratio", "1.5", "1.5"),  # a share of the recent peak
    ("target_cadence_high_spm", "150", "150"),  # below the default low end 165
    ("target_cadence_low_spm", "190", "190"),  # above the default high end 180
    ("long_run_alert_ratio", "1.05", "1.05"),  # below the default long_run_ratio 1.1
    ("long_run_ratio", "2.5", "2.5"),  # above the default long_run_alert_ratio 2.0
    ("downhill_alert_ratio", "1.2", "1.2"),  # below the default downhill_ratio 1.5
    ("deload_alert_streak", "5", "5"),  # below the default deload_max_streak 7
    ("cadence_step_max", "0.04", "0.04"),  # below the default cadence_step_min 0.05
    ("cadence_step_min", "0.2", "0.2"),  # above the default cadence_step_max 0.10
    ("cadence_step_max", "1.5", "1.5"),  # a share of the cadence
    ("long_run_history_days", "40", "40"),  # longer than the 30-day window
    ("long_run_cap_ratio", "0", "0"),  # the plan's longest run would be nothing
]


def _ids(case: tuple[str, str, str]) -> str:
    return f"{case[0]}={case[1]}"


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error:")]


def test_the_cases_cover_every_threshold():
    assert {name for name, _, _ in BAD} == {f.name for f in FIELDS}
    assert sorted(WHOLE) == sorted(
        [
            "chronic_weeks",
            "deload_lookback_weeks",
            "deload_max_streak",
            "deload_alert_streak",
            "low_cadence_warning_weeks",
            "long_run_window_days",
            "long_run_history_days",
            "surface_lookback_weeks",
            "pain_alert_weeks",
            "comeback_gap_days",
            "pain_gap_weeks",
        ]
    )


@pytest.mark.parametrize("case", BAD, ids=_ids)
def test_bad_set_value_gives_one_error_line(case):
    name, text, _ = case
    result = CliRunner().invoke(
        cli,
        ["weekly", SAMPLE, "--no-cache", "-q", "--set", f"{name}={text}"],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    errors = _error_lines(result.output)
    assert len(errors) == 1, result.output
    assert name in errors[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize("case", BAD, ids=_ids)
def test_bad_config_value_gives_one_error_line(case, tmp_path):
    name, _, toml_value = case
    config = tmp_path / "bad.toml"
    config.write_text(f"[thresholds]\n{name} = {toml_value}\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["weekly", SAMPLE, "--no-cache", "-q", "--config", str(config)],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    errors = _error_lines(result.output)
    assert len(errors) == 1, result.output
    assert name in errors[0]
    assert str(config) in errors[0]
    assert result.stdout == ""


def test_whole_number_check_runs_in_the_library():
    with pytest.raises(ConfigError, match=r"chronic_weeks must be a whole number, got 4\.5"):
        Thresholds(chronic_weeks=4.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="long_run_window_days must be at least 1, got 0"):
        load_thresholds(long_run_window_days=0)


def test_whole_valued_float_is_taken_as_int():
    t = load_thresholds(chronic_weeks=6.0, deload_max_streak=5.0)
    assert t.chronic_weeks == 6 and type(t.chronic_weeks) is int
    assert t.deload_max_streak == 5 and type(t.deload_max_streak) is int


def test_edges_that_stay_valid():
    t = Thresholds(deload_ratio=1.0, acwr_warning=1.5, acwr_alert=1.5, downhill_min_m=0.0)
    assert (t.deload_ratio, t.acwr_alert, t.downhill_min_m) == (1.0, 1.5, 0.0)
    assert Thresholds(target_cadence_low_spm=170.0, target_cadence_high_spm=170.0)


def test_the_new_cut_offs_can_be_set_and_edges_stay_valid():
    t = load_thresholds(
        long_run_ratio=1.3,
        long_run_alert_ratio=1.3,
        downhill_alert_ratio=1.5,
        deload_alert_streak=7.0,
        cadence_step_min=0.1,
        cadence_step_max=0.1,
        long_run_history_days=30,
        low_cadence_warning_weeks=1,
        pain_alert_weeks=1,
    )
    assert (t.long_run_ratio, t.long_run_alert_ratio, t.downhill_alert_ratio) == (1.3, 1.3, 1.5)
    assert t.deload_alert_streak == 7 and type(t.deload_alert_streak) is int
    assert (t.cadence_step_min, t.cadence_step_max, t.long_run_history_days) == (0.1, 0.1, 30)
