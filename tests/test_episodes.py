"""Episodes, Frandsen's long-run bands and numbers that never contradict through rounding."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from runaudit.cli import cli
from runaudit.rules import (
    analyze,
    find_downhill_spikes,
    find_knee_pain,
    find_long_run_spikes,
    find_low_cadence,
    find_ramp_ups,
)
from runaudit.rules.findings import Finding, findings_json
from runaudit.rules.messages import format_distances, format_ratio_against
from runaudit.thresholds import Thresholds, load_thresholds

MONDAY = date(2026, 1, 5)
MILE_KM = 1.609344


def week(i: int) -> date:
    return MONDAY + timedelta(weeks=i)


def weekly(km: list[float], **columns: list[float]) -> pd.DataFrame:
    n = len(km)
    frame = pd.DataFrame(
        {
            "week_start": pd.date_range(pd.Timestamp(MONDAY), periods=n, freq="7D"),
            "runs": [3 if k > 0 else 0 for k in km],
            "distance_km": km,
            "descent_m": [10.0 * k for k in km],
            "downhill_km": [0.1 * k for k in km],
            "cadence_spm": [170.0 if k > 0 else np.nan for k in km],
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def runs(rows: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start_local": pd.to_datetime([r[0] for r in rows], format="ISO8601"),
            "distance_km": [r[1] for r in rows],
            "activity_id": [f"run{i}" for i in range(len(rows))],
        }
    )


# --------------------------------------------------------------------------------------------
# Episodes
# --------------------------------------------------------------------------------------------


def test_a_five_week_low_cadence_stretch_is_one_finding_with_five_weeks() -> None:
    cadence = [170.0, 156.0, 157.0, 155.0, 157.0, 158.0, 170.0, 170.0]
    found = find_low_cadence(weekly([30.0] * 8, cadence_spm=cadence))
    (f,) = found
    assert f.week_start == week(1)
    assert f.weeks == tuple(week(i) for i in range(1, 6))
    assert f.last_week == week(5)
    assert f.severity == "warning"  # the worst week's: the 3rd low week on
    assert f.evidence["consecutive_low_weeks"] == 5
    assert f.evidence["cadence_spm"] == 158.0  # the latest week's
    assert f.message == (
        "Since the week of 12 Jan 2026: your running cadence was below 160 spm in 5 weeks "
        "in a row, 156 → 158 spm; aim for 165–180 spm by raising your step rate about "
        "5–10% at a time, so try 166–174 spm first."
    )
    data = json.loads(findings_json(found))
    assert data[0]["weeks"] == [
        "2026-01-12",
        "2026-01-19",
        "2026-01-26",
        "2026-02-02",
        "2026-02-09",
    ]
    assert data[0]["week_start"] == "2026-01-12"


def test_two_low_weeks_stay_info_and_a_good_week_splits_episodes() -> None:
    cadence = [156.0, 157.0, 165.0, 150.0]
    found = find_low_cadence(weekly([30.0] * 4, cadence_spm=cadence))
    assert [(f.week_start, len(f.weeks), f.severity) for f in found] == [
        (week(0), 2, "info"),
        (week(3), 1, "info"),
    ]
    assert found[1].message.startswith("Week of 26 Jan 2026: your running cadence was 150 spm")


def test_low_cadence_warning_weeks_is_a_threshold() -> None:
    data = weekly([30.0] * 2, cadence_spm=[155.0, 155.0])
    assert find_low_cadence(data)[0].severity == "info"
    t = Thresholds(low_cadence_warning_weeks=2)
    assert find_low_cadence(data, t)[0].severity == "warning"


def test_a_ramp_up_lasting_three_weeks_is_one_card() -> None:
    # 42/30 = 1.4 (warning), 50/33 = 1.52 (alert), 58/38 = 1.53 (alert), then 40/45
    data = weekly([30.0, 30.0, 30.0, 30.0, 42.0, 50.0, 58.0, 40.0])
    found = analyze(data)
    (f,) = [x for x in found if x.rule == "ramp_up"]
    assert f.weeks == (week(4), week(5), week(6))
    assert f.severity == "alert"
    assert f.evidence["acwr"] == 1.53  # the peak week's numbers
    assert f.evidence["distance_km"] == 58.0
    assert f.message == (
        "Since the week of 2 Feb 2026: 3 weeks in a row of distance well above your "
        "previous 4-week average (1.4× → 1.52× → 1.53×), peak 1.53× in the week of 16 Feb; "
        "jumps above 1.5× raise the injury risk most, so hold the next weeks at or below "
        "your recent average and add at most 1.3× of it in any one week."
    )
    assert len(find_ramp_ups(data[:5])) == 1 and find_ramp_ups(data[:5])[0].weeks == (week(4),)


def test_a_downhill_episode_names_each_weeks_descent() -> None:
    km = [30.0] * 6
    descent = [300.0, 300.0, 300.0, 300.0, 800.0, 1500.0]
    (f,) = find_downhill_spikes(weekly(km, descent_m=descent))
    assert f.weeks == (week(4), week(5))
    assert f.severity == "alert"  # 1500 / 425 = 3.5× > downhill_alert_ratio
    assert "800 m → 1,500 m" in f.message
    assert f.evidence["descent_m"] == 1500


def test_downhill_alert_ratio_is_a_threshold() -> None:
    data = weekly([30.0] * 5, descent_m=[300.0, 300.0, 300.0, 300.0, 700.0])  # 2.33×
    assert find_downhill_spikes(data)[0].severity == "alert"
    assert find_downhill_spikes(data, Thresholds(downhill_alert_ratio=2.5))[0].severity == (
        "warning"
    )


def test_knee_pain_weeks_in_a_row_are_one_episode() -> None:
    data = weekly([30.0] * 8, pain_max=[2, 2, 2, 2, 6, 6.5, 3, 6], pain_mean=[1] * 8)
    found = find_knee_pain(data)
    assert [(f.week_start, len(f.weeks), f.severity) for f in found] == [
        (week(4), 2, "alert"),  # the 2nd week in a row above 5: pain_alert_weeks
        (week(7), 1, "warning"),
    ]
    assert found[0].message.startswith(
        "Since the week of 2 Feb 2026: knee pain above 5/10 for 2 weeks in a row (6 → 6.5/10)."
    )
    assert found[0].evidence["pain_max"] == 6.5
    t = Thresholds(pain_alert_weeks=3)
    assert find_knee_pain(data, None, t)[0].severity == "warning"


def test_a_finding_checks_its_weeks() -> None:
    f = Finding("r", "info", week(0), "")
    assert f.weeks == (week(0),) and f.last_week == week(0)
    assert Finding("r", "info", week(0), "", weeks=(week(0), week(1))).last_week == week(1)
    with pytest.raises(ValueError, match="begin with"):
        Finding("r", "info", week(0), "", weeks=(week(1),))
    with pytest.raises(ValueError, match="increasing"):
        Finding("r", "info", week(0), "", weeks=(week(0), week(0)))
    assert Finding("r", "info", week(0), "", {"a": 1}).to_dict()["evidence"] == {"a": 1}


# --------------------------------------------------------------------------------------------
# long_run_spike: Frandsen et al. 2025's bands
# --------------------------------------------------------------------------------------------


def test_an_eight_percent_longer_run_is_left_alone() -> None:
    assert (
        find_long_run_spikes(
            runs([("2026-02-05 08:00", 16.0), ("2026-02-22 08:00", 16.0), ("2026-03-01", 17.28)])
        )
        == []
    )


def test_eleven_percent_longer_warns_in_the_runs_week_with_the_lowest_band() -> None:
    # 17.76 / 16 = 1.11; a Sunday run belongs to the week of the Monday before
    (f,) = find_long_run_spikes(
        runs([("2026-02-05 08:00", 16.0), ("2026-02-22 08:00", 16.0), ("2026-03-08 09:00", 17.76)])
    )
    assert f.week_start == date(2026, 3, 2)
    assert f.severity == "warning"
    assert f.evidence["ratio"] == 1.11
    assert "runs 10–30% longer than the 30-day longest came with a 1.64× higher" in f.message
    assert "keep single runs within 1.1× (17.6 km)" in f.message


def test_middle_band_warns_and_more_than_double_alerts() -> None:
    (mid,) = find_long_run_spikes(
        runs([("2026-02-05 08:00", 10.0), ("2026-02-22 08:00", 10.0), ("2026-03-01", 15.0)])
    )
    assert mid.severity == "warning"
    assert "30–100% longer" in mid.message and "1.52×" in mid.message
    (high,) = find_long_run_spikes(
        runs([("2026-02-05 08:00", 10.0), ("2026-02-22 08:00", 10.0), ("2026-03-01", 20.5)])
    )
    assert high.severity == "alert"
    assert "more than 100% longer" in high.message and "2.28×" in high.message
    # exactly double is the middle band, not the alert
    (double,) = find_long_run_spikes(
        runs([("2026-02-05 08:00", 10.0), ("2026-02-22 08:00", 10.0), ("2026-03-01", 20.0)])
    )
    assert double.severity == "warning"


def test_a_run_after_more_than_30_days_without_running_is_not_judged() -> None:
    data = runs([("2026-01-05 08:00", 10.0), ("2026-02-01 08:00", 16.0), ("2026-03-08", 30.0)])
    assert [f.evidence["run_date"] for f in find_long_run_spikes(data)] == ["2026-02-01"]


def test_the_first_two_weeks_of_data_are_not_judged() -> None:
    data = runs([("2026-03-01 08:00", 10.0), ("2026-03-10 08:00", 16.0)])
    assert find_long_run_spikes(data) == []
    assert len(find_long_run_spikes(data, Thresholds(long_run_history_days=7))) == 1


def test_long_run_bands_can_be_set_from_toml_and_set(tmp_path: Path) -> None:
    data = runs(
        [("2026-02-05 08:00", 16.0), ("2026-02-22 08:00", 16.0), ("2026-03-01", 20.0)]
    )  # 1.25×
    assert len(find_long_run_spikes(data)) == 1
    config = tmp_path / "t.toml"
    config.write_text("[thresholds]\nlong_run_ratio = 1.3\nlong_run_alert_ratio = 1.2\n")
    with pytest.raises(Exception, match="long_run_alert_ratio"):
        load_thresholds(config)
    config.write_text("[thresholds]\nlong_run_ratio = 1.3\n")
    assert find_long_run_spikes(data, load_thresholds(config)) == []
    t = load_thresholds(long_run_alert_ratio=1.2)
    assert find_long_run_spikes(data, t)[0].severity == "alert"


def test_the_seed_progression_raises_no_ramp_up_no_deload_and_no_long_run_alert() -> None:
    miles = [10, 12, 14, 16, 12, 14, 16, 18, 14, 16, 18, 20]
    data = weekly([m * MILE_KM for m in miles])
    assert [f.rule for f in analyze(data)] == []
    # the same weeks as four runs each, the long run a third of the week
    rows = []
    for i, m in enumerate(miles):
        monday = pd.Timestamp(week(i))
        km = m * MILE_KM
        for day, share in ((1, 0.2), (3, 0.2), (4, 0.27), (6, 1 / 3)):
            rows.append((str(monday + pd.Timedelta(days=day, hours=8)), km * share))
    found = find_long_run_spikes(runs(rows))
    assert all(f.severity == "warning" for f in found)


# --------------------------------------------------------------------------------------------
# Rounding never contradicts
# --------------------------------------------------------------------------------------------


def test_a_ratio_just_above_the_line_does_not_read_as_the_line() -> None:
    # 18.21 / 14 = 1.3007: before, "18 km, 1.3× ... aim for at most 1.3× (18 km)"
    data = weekly([14.0] * 4 + [18.21])
    (f,) = find_ramp_ups(data)
    assert f.message == (
        "Week of 2 Feb 2026: 18.21 km, 1.301× your previous 4-week average of 14 km; "
        "that is a quick step up, so aim for at most 1.3× (18.20 km)."
    )


def test_the_numbers_of_every_flagged_message_agree() -> None:
    """Across many weeks: the shown ratio is above the shown limit, the cap below the week."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        chronic = float(rng.uniform(5.5, 60.0))
        acute = chronic * float(rng.uniform(1.3001, 1.36))
        for f in find_ramp_ups(weekly([chronic] * 4 + [acute])):
            m = re.match(r"Week of .*?: ([\d.,]+) km, ([\d.]+)× .*\(([\d.,]+) km\)\.$", f.message)
            assert m, f.message
            shown_km, shown_ratio, shown_cap = (float(g.replace(",", "")) for g in m.groups())
            assert shown_ratio > 1.3, f.message
            assert shown_cap < shown_km, f.message


def test_format_helpers() -> None:
    assert format_ratio_against(1.3, 1.3) == "1.3"
    assert format_ratio_against(1.5001, 1.5) == "1.5001"
    assert format_distances(18.21, 18.2, 14.0) == ("18.21 km", "18.20 km", "14 km")
    assert format_distances(48.0, 39.0, units="mi") == ("30 mi", "24 mi")


def test_findings_command_writes_weeks_and_evidence_strength() -> None:
    sample = Path(__file__).resolve().parent.parent / "sample_data"
    result = CliRunner().invoke(
        cli, ["findings", str(sample), "--format", "json", "-q", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    cadence = [f for f in data if f["rule"] == "low_cadence"]
    assert [len(f["weeks"]) for f in cadence] == [5]
    assert all(f["evidence_strength"]["references"] for f in data)


def test_a_comeback_week_just_over_the_limit_does_not_read_as_the_limit() -> None:
    (f,) = find_ramp_ups(weekly([0.0] * 4 + [25.3]))
    assert f.message.startswith(
        "Week of 2 Feb 2026: 25.3 km after a break (your previous 4 weeks averaged 0 km); "
        "more than 25.0 km straight after time off"
    )
