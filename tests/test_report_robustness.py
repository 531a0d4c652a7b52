"""The report is written completely or not at all, whatever the export or the disk holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runaudit.audit import load_export
from runaudit_demo import synth

MONDAY = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,"
    "Activity Gear,Filename,Elapsed Time,Moving Time,Distance"
)


def three_shoes_and_pain(folder: Path) -> Path:
    """Six weeks on two shoes, then a third shoe in the last two weeks, and one pain
    entry of 7 in the last week (the case of issue 19 that crashed the report)."""
    (folder / "activities").mkdir(parents=True)
    rows = [HEADER]
    i = 0
    for week in range(8):
        for day, km in ((1, 8.0), (3, 8.0), (6, 12.0)):
            shoe = "Vaporfly" if week >= 6 else ("Pegasus" if day != 6 else "Ghost")
            when = MONDAY + timedelta(weeks=week, days=day)
            run = synth.make_run(when, km, interval_s=10.0, seed=i)
            (folder / "activities" / f"{i}.fit").write_bytes(synth.fit_bytes(run))
            date = when.strftime("%b %-d, %Y, %-I:%M:%S %p")
            cells = [str(i), date, "Run", "Run", "0", f"{km:.2f}", shoe]
            cells += [f"activities/{i}.fit", "0.0", "0.0", f"{km * 1000:.1f}"]
            rows.append(",".join(f'"{c}"' for c in cells))
            i += 1
    (folder / "activities.csv").write_text("\n".join(rows) + "\n")
    pain_day = MONDAY + timedelta(weeks=7, days=2)
    (folder / "pain.csv").write_text(f"date,pain\n{pain_day:%Y-%m-%d},7\n")
    return folder


@pytest.fixture(scope="module")
def shoes_audit(tmp_path_factory):
    export = three_shoes_and_pain(tmp_path_factory.mktemp("shoes") / "export")
    return load_export(export, use_cache=False, jobs=1)


def test_a_new_shoe_before_the_pain_does_not_break_the_report(shoes_audit, tmp_path):
    """Issue 19: a new-shoe trigger has no ratio; the report used to end in TypeError
    (float(None)) with the PNGs written and no index.html."""
    from runaudit.report.writer import write_report

    (pain,) = [f for f in shoes_audit.findings if f.rule == "knee_pain"]
    assert any(t["dimension"] == "new_shoe" for t in pain.evidence["triggers"])
    files = write_report(shoes_audit, tmp_path / "out", pdf=True)
    html = files.index.read_text()
    assert "a new shoe (Vaporfly)" in html
