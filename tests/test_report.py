"""The report: self-contained HTML with every finding and figure, the PDF, the roster."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from runaudit import load_export
from runaudit.advice.exercises import load_catalog
from runaudit.cli import cli
from runaudit.report.html import SECTIONS
from runaudit.report.view import short_dose
from runaudit_demo.synth import write_training_block

SAMPLE = str(Path(__file__).resolve().parent.parent / "sample_data")
FIGURES = ("weekly_distance", "descent", "cadence", "cadence_distribution", "long_runs")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        cli,
        ["report", SAMPLE, "--out", str(out), "--pdf", "--no-cache", "--as-of", "2026-09-21"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert f"Report: {out / 'index.html'}" in result.stdout
    return out


def test_page_is_self_contained(report_dir):
    html = (report_dir / "index.html").read_text()
    assert "http" not in html  # nothing to fetch, not even a namespace URL
    assert "<script" not in html and "<link" not in html
    for src in re.findall(r'src="([^"]+)"', html):
        assert src.startswith("data:image/png;base64,")


def test_page_has_every_figure_and_section(report_dir):
    html = (report_dir / "index.html").read_text()
    for name in FIGURES:
        assert f'id="fig-{name}"' in html
        assert (report_dir / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    for anchor, heading in SECTIONS:
        assert f'<section id="{anchor}"><h2>{heading}</h2>' in html


def test_page_has_every_finding_with_exercise_cards(report_dir):
    html = (report_dir / "index.html").read_text()
    findings = json.loads((report_dir / "findings.json").read_text())
    assert len(findings) >= 5
    for f in findings:
        assert f'data-rule="{f["rule"]}" data-week="{f["week_start"]}"' in html
    # one plan holds every exercise once: name, dose, steps and the source
    ids = [p.split('"')[0] for p in html.split('data-exercise="')[1:]]
    assert len(ids) == len(set(ids)) and html.count('<details class="ex"') == len(ids)
    assert "Forward step-down" in html and "Dose:" in html and "Source:" in html
    # a card names only exercises the plan holds, and links to it
    plan = html.split('id="plan"')[1].split("</section>")[0]
    for names in re.findall(
        r"Exercises for it in the <a href=\"#plan\">[^<]*</a>: ([^<]*)\.</p>", html
    ):
        for name in names.split(", "):
            assert f"<summary>{name} " in plan, name
    assert html.count("Exercises for it in the") >= 1
    assert "Not medical advice." in html


def test_page_shows_the_ingest_summary(report_dir):
    html = (report_dir / "index.html").read_text()
    assert "notes.fit" in html and "not a FIT file (no FIT header)" in html
    assert "duplicates (counted once)" in html
    assert "72 rows matched to a file, 4 manual runs added" in html


def test_page_shows_each_week_as_the_services_reported_it(report_dir):
    html = (report_dir / "index.html").read_text()
    table = html.split('id="service-weeks"')[1].split("</table>")[0]
    assert table.count("<tr data-week=") == 20
    # the manual treadmill run is not in Garmin Connect; the summary-only run not on Strava
    assert (
        '<tr data-week="2026-06-08"><td>8 Jun 2026</td><td class="n">21.0</td>'
        '<td class="n">21.0</td><td class="n">0.0 %</td><td class="n">15.4</td>'
        '<td class="n differs"><b>+36.4 %</b></td></tr>'
    ) in table
    assert table.count("differs") == 5
    assert "week of 6 Jul 2026 (Strava +25.9 %)" in html
    shoes = html.split('id="shoes"')[1].split("</table>")[0]
    assert (
        '<td>Novablast 5</td><td>2026-07-21</td><td>2026-09-20</td><td class="n">18</td>'
    ) in shoes
    assert '<td>Ghost 15</td><td></td><td></td><td class="n">0</td>' in shoes  # shoes.csv only


def test_data_files(report_dir):
    weekly = (report_dir / "weekly.csv").read_text().splitlines()
    assert weekly[0].startswith("week_start,runs,distance_km,")
    assert len(weekly) == 21
    assert (report_dir / "activities.csv").exists() and (report_dir / "ingest.csv").exists()


def _pdf_pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def test_pdf_first_page_is_the_plan_with_doses_freshness_and_top_findings(report_dir):
    first = _pdf_pages(report_dir / "report.pdf")[0]
    assert "Plan for the coming week" in first and "Week of 28 Sep 2026." in first
    assert "Run at most 42 km this week, the longest run at most 25 km" in first
    assert "Data ends on 20 Sep 2026 (the last run)" in first
    # the three open findings, most severe first, and every exercise with its dose
    assert "Top findings" in first
    assert first.index("ALERT downhill volume") < first.index("WARNING long-run spike")
    assert "Forward step-down 2×15 per side, 3x per week" in first
    plan = load_export(SAMPLE, use_cache=False, as_of=date(2026, 9, 21)).plan
    catalog = load_catalog()
    for ex_id in plan.exercise_ids:  # every exercise of the week with its dose
        ex = catalog.exercises[ex_id]
        assert f"{ex.name} {short_dose(ex)}" in first


def test_pdf_has_every_section_and_the_service_weeks(report_dir):
    pages = _pdf_pages(report_dir / "report.pdf")
    text = " ".join(pages)
    for _, heading in SECTIONS[2:]:
        assert heading in text
    start = next(i for i, p in enumerate(pages) if "files looked at" in p)
    end = next(i for i, p in enumerate(pages) if "Red flags and advice" in p)
    read = " ".join(pages[start:end])
    assert "8 Jun 2026 21.0 21.0 0.0 % 15.4 +36.4 % DIFFERS" in read
    assert read.count("DIFFERS") == 5
    assert "Novablast 5 2026-07-21 2026-09-20 18" in read
    findings = [p for p in pages if "Findings" in p]
    assert findings and "share of distance on trails 4.84×" in " ".join(findings)


def test_units_mi_shows_miles_to_people(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["report", SAMPLE, "--out", str(tmp_path), "--units", "mi", "--no-cache", "-q"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    html = (tmp_path / "index.html").read_text()
    assert "distances in mi" in html
    assert "41 km" not in html and "25 mi" in html  # the ramp-up week: 41 km = 25 mi
    assert (tmp_path / "weekly.csv").read_text().startswith("week_start,runs,distance_km")


def test_roster_of_three_athletes(tmp_path):
    athletes = tmp_path / "athletes"
    monday = datetime(2026, 6, 1)
    write_training_block(
        athletes / "ada", monday, [30, 32, 34, 26, 33, 35], cadence_spm=172, seed=1
    )
    write_training_block(
        athletes / "ben", monday, [20, 20, 21, 20, 19, 38], cadence_spm=150, seed=2
    )
    write_training_block(
        athletes / "cleo", monday, [25, 27, 28, 22, 27, 29], cadence_spm=175, seed=3
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(athletes),
            "--roster",
            "--out",
            str(out),
            "--no-cache",
            "-q",
            "--as-of",
            "2026-07-12",
        ],
    )
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text()
    for name in ("ada", "ben", "cleo"):
        assert (out / name / "index.html").exists()
        assert f'href="{name}/index.html"' in page
    # ben ramped up 1.9x in the last week: most urgent, first row
    assert page.index("ben/index.html") < page.index("ada/index.html")
    assert page.index("ben/index.html") < page.index("cleo/index.html")
    assert result.stdout.splitlines()[0].startswith("ben: alert")


def test_roster_of_the_demo_athletes_from_the_sample_generator(tmp_path):
    import importlib.util

    script = Path(__file__).resolve().parent.parent / "scripts" / "make_roster_demo.py"
    spec = importlib.util.spec_from_file_location("make_roster_demo", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    athletes = tmp_path / "coach"
    folders = module.make_roster(athletes, weeks=8)
    assert [f.name for f in folders] == ["ada", "ben", "cleo"]
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["report", str(athletes), "--roster", "--out", str(out), "--no-cache", "-q"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # cleo ramped up hard last week after a quiet spell: the most urgent; ben built
    # sensibly up to last week; ada's alerts are months old, so not urgent
    assert lines[:3] == ["cleo: alert", "ben: nothing open", "ada: nothing open"]
    page = (out / "index.html").read_text()
    assert (
        page.index("cleo/index.html") < page.index("ben/index.html") < page.index("ada/index.html")
    )
    csv = (out / "roster.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("athlete,last_run,days_since_run,cap_km,sparkline")
    assert [row.split(",")[0] for row in csv[1:]] == ["cleo", "ben", "ada"]


HOSTILE_SHOE = '<script>alert(1)</script> & "Co" $5$'
HOSTILE_NAME = "<img src=x onerror=alert(2)>"


def test_export_texts_are_escaped_in_the_page_and_literal_in_the_pdf(tmp_path):
    """Shoe and activity names from a stranger's activities.csv never become markup (HTML)
    or math (PDF): the page shows them escaped, the PDF as the very characters."""
    from datetime import UTC, timedelta

    from runaudit.audit import load_export
    from runaudit.report.writer import write_report
    from runaudit_demo import synth

    export = tmp_path / "export"
    (export / "activities").mkdir(parents=True)
    monday = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    header = (
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,"
        "Activity Gear,Filename,Elapsed Time,Moving Time,Distance"
    )
    rows = [header]
    plan = [(0, 1, 8.0, "Old"), (0, 3, 8.0, "Old"), (1, 1, 9.0, HOSTILE_SHOE)]
    plan += [(1, 3, 9.0, HOSTILE_SHOE), (1, 5, 2.0, "Old")]
    for i, (week, day, km, shoe) in enumerate(plan):
        when = monday + timedelta(weeks=week, days=day)
        run = synth.make_run(when, km, interval_s=5.0, seed=i)
        (export / "activities" / f"{i}.fit").write_bytes(synth.fit_bytes(run))
        date = when.strftime("%b %-d, %Y, %-I:%M:%S %p")
        cells = [str(i), date, HOSTILE_NAME, "Run", "0", f"{km:.2f}", shoe]
        cells += [f"activities/{i}.fit", "0.0", "0.0", f"{km * 1000:.1f}"]
        rows.append(",".join(f'"{c.replace(chr(34), chr(34) * 2)}"' for c in cells))
    (export / "activities.csv").write_text("\n".join(rows) + "\n")
    audit = load_export(export, use_cache=False, jobs=1)
    assert sorted(set(audit.activities["shoe"])) == sorted({"Old", HOSTILE_SHOE})
    assert [f.evidence["shoe"] for f in audit.findings if f.rule == "shoe_change"] == [HOSTILE_SHOE]
    files = write_report(audit, tmp_path / "out", pdf=True)
    html = files.index.read_text()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34; $5$"
    assert html.count(escaped) >= 2  # the shoes table and the shoe_change finding
    assert "<script" not in html and "alert(1)</script>" not in html
    assert "<img src=x" not in html and "onerror=alert(2)>" not in html
    assert files.pdf is not None
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(str(files.pdf)).pages
    )
    assert text.count(HOSTILE_SHOE) >= 2  # "What was read" (shoes) and "Findings"
    assert text.count(HOSTILE_NAME) == 0  # activity names are not shown


def test_evidence_reads_as_words_with_units_not_python():
    """Knee-pain triggers as short text (not a list of dicts); a shoe's distance is not
    labelled like the shoe's name; each number carries its unit."""
    from runaudit.report.view import evidence_items

    items = evidence_items(
        {
            "shoe": "Novablast 5",
            "shoe_km": 34.4,
            "share": 0.82,
            "triggers": [
                {"dimension": "trail_share", "ratio": 4.84, "week_start": "2026-08-24"},
                {"dimension": "descent_m", "ratio": 3.61, "week_start": "2026-08-24"},
                {"dimension": "new_shoe", "ratio": None, "shoe": "Vaporfly"},
            ],
            "not_compared": [],
            "descent_m": 1001.08,
            "acwr": 1.594,
            "consecutive_low_weeks": 5,
            "pain_max": 6.0,
            "last_deload_week": "2026-06-15",
            "activity_id": "e55cf05fec5b03d4",
        },
        "mi",
    )
    assert [(i.label, i.value) for i in items] == [
        ("shoe", "Novablast 5"),
        ("shoe distance", "21.4 mi"),
        ("share", "82 %"),
        (
            "triggers",
            "share of distance on trails 4.84×, descent 3.61×, a new shoe (Vaporfly)",
        ),
        ("descent", "1001 m"),
        ("acwr", "1.59×"),
        ("consecutive low weeks", "5 weeks"),
        ("pain max", "6/10"),
        ("last deload week", "15 Jun 2026"),
    ]
