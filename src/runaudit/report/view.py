"""The report's view model: every section's data, built once from an :class:`Audit`.

:func:`build_view` turns an audit into a frozen :class:`ReportView` whose fields
are plain text and numbers already formatted with their units; the HTML page
(:mod:`runaudit.report.html`, Jinja2 templates) and the PDF
(:mod:`runaudit.report.pdf`, reportlab) render the same view, so a section is
written once. Captions read the :class:`~runaudit.thresholds.Thresholds` in
force, so after ``--set`` a caption and its chart agree. Texts from an export
(shoe and file names) are kept as written: each renderer escapes for its own
format. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from runaudit.advice.exercises import Exercise, load_catalog
from runaudit.advice.plan import OPEN_WEEKS, WeekPlan
from runaudit.intake.account import DIFF_PCT, SERVICE_NAMES, MetadataAccount, format_pct
from runaudit.report.plots import ACWR_BAND_LOW
from runaudit.report.text import format_duration
from runaudit.rules import RULES_BY_ID, rule_label
from runaudit.rules.findings import SEVERITIES, Finding, severity_counts
from runaudit.rules.messages import format_date, format_distance
from runaudit.rules.rule import Measures
from runaudit.thresholds import Thresholds
from runaudit.training.triggers import dimension_label
from runaudit.units import km_to

if TYPE_CHECKING:
    from runaudit.audit import Audit

#: Sections of the report, in page order: (anchor, heading).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("plan", "Plan for the coming week"),
    ("load", "Weekly distance and load"),
    ("descent", "Descent and downhill running"),
    ("cadence", "Cadence"),
    ("long-runs", "Long runs"),
    ("findings", "Findings"),
    ("ingest", "What was read"),
    ("safety", "Red flags and advice"),
)
#: Weekly charts show this many latest weeks unless told otherwise (``--weeks``).
DEFAULT_CHART_WEEKS = 26
#: Findings on the PDF's first page.
TOP_FINDINGS = 3


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Tile:
    """One headline number: ``label`` and its ``value`` with units."""

    label: str
    value: str


@dataclass(frozen=True)
class Status:
    """The latest week in one sentence; ``severity`` is its worst finding ("" for none)."""

    text: str
    severity: str


@dataclass(frozen=True)
class ChartView:
    """One chart: ``name`` (its PNG's stem), the caption that names its lines from the
    thresholds in force, and ``no_data`` (one line of text shown instead of an empty
    chart; "" when there is data)."""

    name: str
    caption: str
    no_data: str = ""


@dataclass(frozen=True)
class EvidenceItem:
    """One number behind a finding, formatted with its unit (``"41 km"``, ``"1.59×"``)."""

    label: str
    value: str


@dataclass(frozen=True)
class FindingCard:
    """One finding as a card: what, when, the message and its numbers."""

    rule: str
    title: str
    severity: str
    week_start: str
    week_label: str
    message: str
    evidence: tuple[EvidenceItem, ...]
    exercises: tuple[str, ...]
    weeks_label: str = ""
    strength: str = ""
    strength_summary: str = ""
    references: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        """The card's id in the page: ``finding-<rule>-<YYYY-MM-DD>``."""
        return f"finding-{self.rule}-{self.week_start}"


@dataclass(frozen=True)
class ExerciseView:
    """One exercise of the plan with its dose, whatever version the plan asks for.

    ``version_label`` and ``how`` say what to do this week (the easier or harder
    version) and are "" for the standard version; ``dose`` is always there.
    """

    id: str
    name: str
    rules: str
    dose: str
    short_dose: str
    version_label: str
    how: str
    targets: str
    steps: tuple[str, ...]
    sources: str


@dataclass(frozen=True)
class PlanDay:
    """One day of a day-by-day week: the date, the run's distance (with units, "" for
    none), the strength exercises by name and the notes."""

    date: str
    run: str
    strength: tuple[str, ...]
    notes: str


@dataclass(frozen=True)
class FindingLink:
    """A link from the plan to a finding card."""

    anchor: str
    text: str


@dataclass(frozen=True)
class PlanView:
    """The plan for the coming week (see :func:`plan_view`)."""

    heading: str
    cap: str
    pain: str
    scale_back: str
    answers: tuple[FindingLink, ...]
    days: tuple[PlanDay, ...]
    exercises: tuple[ExerciseView, ...]
    pain_score: float | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table: its header cells and rows of text cells; ``marked`` holds the
    (row, column) cells to emphasise (service weeks more than 2 % apart)."""

    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    marked: frozenset[tuple[int, int]] = frozenset()
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestView:
    """What was read: every file's bucket, the files not counted, the services'
    records with their weekly totals, and the shoes."""

    intro: str
    counts: Table
    not_counted: Table
    tz_note: str
    records: tuple[str, ...]
    service_verdict: str
    service_weeks: Table
    shoes: Table


@dataclass(frozen=True)
class SafetyView:
    """Disclaimer, red flags (sign, action), load advice (title, text, sources), sources."""

    disclaimer: str
    red_flags: tuple[tuple[str, str], ...]
    advice: tuple[tuple[str, str, str], ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ReportView:
    """Everything the report shows, formatted once (see :func:`build_view`)."""

    title: str
    subtitle: str
    units: str
    generated: str
    freshness: str
    tiles: tuple[Tile, ...]
    status: Status
    plan: PlanView
    charts: dict[str, tuple[ChartView, ...]]
    findings: tuple[FindingCard, ...]
    top_findings: tuple[FindingCard, ...]
    top_heading: str
    ingest: IngestView
    safety: SafetyView
    sections: tuple[tuple[str, str], ...] = SECTIONS

    @property
    def chart_names(self) -> tuple[str, ...]:
        """Charts that have data (the ones to draw)."""
        return tuple(c.name for cs in self.charts.values() for c in cs if not c.no_data)


# --------------------------------------------------------------------------- evidence

#: Evidence keys that are bookkeeping, not numbers a person needs.
_HIDDEN_EVIDENCE = frozenset({"activity_id"})


def _number(value: float, digits: int = 2) -> str:
    return f"{round(value, digits):g}"


def _is_trigger_list(value: Any) -> bool:
    """Whether ``value`` is the knee-pain rule's list of triggers."""
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(x, Mapping) and "dimension" in x for x in value)
    )


def _trigger_text(trigger: Mapping[str, Any]) -> str:
    """One knee-pain trigger in words: ``descent 3.61×``, ``a new shoe (Vaporfly)``."""
    label = dimension_label(str(trigger.get("dimension", "")))
    ratio = trigger.get("ratio")
    if trigger.get("shoe"):
        return f"{label} ({trigger['shoe']})"
    if isinstance(ratio, int | float) and math.isfinite(ratio):
        return f"{label} {float(ratio):.2f}×"
    return label


def evidence_items(evidence: Mapping[str, Any], units: str = "km") -> tuple[EvidenceItem, ...]:
    """A finding's evidence as labelled values with their units.

    The one place that turns evidence into text: typed evidence (the rules'
    :class:`~runaudit.rules.rule.Measures`) formats itself through
    :meth:`Measure.format <runaudit.rules.rule.Measure.format>`; a plain mapping (a
    hand-built finding) is read by its keys' unit suffixes. Lists other than the
    knee-pain triggers stay in ``findings.json``.

    >>> [(i.label, i.value) for i in evidence_items({"shoe": "Nova", "shoe_km": 34.4,
    ...     "acwr": 1.594, "share": 0.82, "run_date": "2026-09-13"}, "km")]
    [('shoe', 'Nova'), ('shoe distance', '34.4 km'), ('acwr', '1.59×'), ('share', '82 %'), \
('run date', '13 Sep 2026')]
    """
    if isinstance(evidence, Measures):  # typed evidence: each value formats itself
        typed: list[EvidenceItem] = []
        for m in evidence.all:
            if m.key in _HIDDEN_EVIDENCE:
                continue
            if _is_trigger_list(m.value):  # new shoes have no ratio: words for each
                typed.append(EvidenceItem(m.label, ", ".join(_trigger_text(x) for x in m.value)))
            elif m.shown and not isinstance(m.value, dict | list | tuple):
                typed.append(EvidenceItem(m.label, m.format(units)))
        return tuple(typed)
    items: list[EvidenceItem] = []
    for key, value in evidence.items():
        if isinstance(value, bool) or value is None or key in _HIDDEN_EVIDENCE:
            continue
        words = key.replace("_", " ")
        if isinstance(value, list | tuple | dict):
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(t, Mapping) and "dimension" in t for t in value)
            ):
                items.append(EvidenceItem(words, ", ".join(_trigger_text(t) for t in value)))
            continue
        label, text = words, str(value)
        is_number = isinstance(value, int | float) and math.isfinite(float(value))
        if key.endswith("_km") and is_number:
            label = key[:-3].replace("_", " ")
            text = f"{km_to(float(value), units):.1f} {units}"
        elif key.endswith("_spm") and is_number:
            label, text = key[:-4].replace("_", " "), f"{float(value):.0f} spm"
        elif key.endswith("_m") and is_number:
            label, text = key[:-2].replace("_", " "), f"{float(value):.0f} m"
        elif key.endswith("_days") and is_number:
            label, text = key[:-5].replace("_", " "), f"{float(value):g} days"
        elif key.endswith("_s") and is_number:
            label, text = key[:-2].replace("_", " "), format_duration(float(value))
        elif key.endswith("weeks") and is_number:
            text = f"{float(value):g} week{'s' if float(value) != 1 else ''}"
        elif (key in ("acwr", "ratio") or key.startswith("acwr_")) and is_number:
            text = f"{float(value):.2f}×"
        elif "share" in key and is_number:
            text = f"{100 * float(value):.0f} %"
        elif key.startswith("pain") and is_number:
            text = f"{_number(float(value), 1)}/10"
        elif (key.endswith("_date") or key.endswith("_week")) and isinstance(value, str):
            try:
                text = format_date(date.fromisoformat(value))
            except ValueError:
                text = value
        elif is_number:
            text = _number(float(value))
        if label in evidence and label != key:  # "shoe" beside "shoe_km": say which is which
            label = f"{label} distance" if key.endswith("_km") else words
        items.append(EvidenceItem(label, text))
    return tuple(items)


def _title(rule: str) -> str:
    return rule_label(rule)


def finding_card(
    finding: Finding, units: str = "km", in_plan: Collection[str] | None = None
) -> FindingCard:
    """One finding as a :class:`FindingCard`; its exercises by name, only those in
    ``in_plan`` (the plan's exercise ids) when given, so a card names no exercise the
    plan leaves out."""
    catalog = load_catalog()
    rule = RULES_BY_ID.get(finding.rule)
    strength = finding.evidence_strength or (rule.evidence if rule is not None else None)
    weeks = finding.weeks
    return FindingCard(
        rule=finding.rule,
        title=_title(finding.rule),
        severity=finding.severity if finding.severity in SEVERITIES else "info",
        week_start=finding.week_start.isoformat(),
        week_label=format_date(finding.week_start),
        message=finding.message,
        evidence=evidence_items(finding.evidence, units),
        exercises=tuple(
            catalog.exercises[i].name
            for i in finding.exercises
            if i in catalog.exercises and (in_plan is None or i in in_plan)
        ),
        weeks_label=(
            f"{len(weeks)} weeks, {format_date(weeks[0])} – {format_date(weeks[-1])}"
            if len(weeks) > 1
            else ""
        ),
        strength=strength.kind if strength is not None else "",
        strength_summary=strength.summary if strength is not None else "",
        references=strength.references if strength is not None else (),
    )


# --------------------------------------------------------------------------- plan


def short_dose(ex: Exercise) -> str:
    """A dose in a few characters: ``"3×15 per side, 3x per week"``."""
    d = ex.dose
    amount = f"{d.reps}" if d.reps else (f"{d.hold_s} s" if d.hold_s else "")
    core = f"{d.sets}×{amount}" if amount else f"{d.sets} set{'s' if d.sets != 1 else ''}"
    if ex.kind == "programming":
        return d.frequency
    return f"{core}{' per side' if d.per_side else ''}, {d.frequency}"


def _version_label(version: str, t: Thresholds) -> str:
    if version == "easier":
        return f"Make it easier (knee pain is above {t.pain_warning:g}/10)"
    if version == "harder":
        return f"Make it harder (knee pain has stayed at or below {t.pain_easy:g}/10 for two weeks)"
    return ""


def _plan_days(days: Sequence[Any], units: str) -> tuple[PlanDay, ...]:
    """A day-by-day week (``date``, ``run_km``, ``strength`` catalog ids, ``notes``, as
    objects or mappings) as :class:`PlanDay` rows."""
    catalog = load_catalog()
    out = []
    for day in days:
        get = day.get if isinstance(day, Mapping) else lambda k, d=day: getattr(d, k, None)
        when = get("date")
        when = date.fromisoformat(when) if isinstance(when, str) else when
        km = get("run_km")
        strength = tuple(
            catalog.exercises[i].name if i in catalog.exercises else str(i)
            for i in (get("strength") or ())
        )
        notes = get("notes") or ""
        out.append(
            PlanDay(
                date=f"{when:%a} {format_date(when)}" if isinstance(when, date) else str(when),
                run=format_distance(float(km), units) if km else "",
                strength=strength,
                notes="; ".join(notes) if isinstance(notes, list | tuple) else str(notes),
            )
        )
    return tuple(out)


def plan_view(plan: WeekPlan, thresholds: Thresholds, units: str = "km") -> PlanView:
    """The plan section: the week day by day, its caps, the pain, what to scale back, the
    findings it answers and each exercise with its dose (also while pain asks for the
    easier version)."""
    t = thresholds
    if plan.data_ends is None:
        return PlanView("No runs yet.", "", "", "", (), (), ())
    cap = (
        f"Run at most {format_distance(plan.cap_km, units)} this week, the longest run at"
        f" most {format_distance(plan.long_run_cap_km, units)}: {plan.cap_reason}."
    )
    pain = (
        f"Latest knee pain: {plan.pain:g}/10 on {format_date(plan.pain_date)}."
        if plan.pain is not None and plan.pain_date is not None
        else ""
    )
    scale = (
        f"Scale back first: {', '.join(plan.scale_back_text)}. These rose before the latest"
        " knee pain (they came before it; that does not prove they caused it)."
        if plan.scale_back
        else ""
    )
    answers = tuple(
        FindingLink(
            f"finding-{f.rule}-{f.week_start.isoformat()}",
            f"{_title(f.rule)} ({format_date(f.week_start)})",
        )
        for f in plan.findings
    )
    exercises = tuple(
        ExerciseView(
            id=p.exercise.id,
            name=p.exercise.name,
            rules=", ".join(_title(r) for r in p.rules),
            dose=p.exercise.dose_text,
            short_dose=short_dose(p.exercise),
            version_label=_version_label(p.version, t),
            how=p.how if p.version != "standard" else "",
            targets=p.exercise.targets,
            steps=p.exercise.steps,
            sources="; ".join(p.exercise.sources),
        )
        for p in plan.exercises
    )
    return PlanView(
        heading=f"Week of {format_date(plan.week_start)}",
        cap=cap,
        pain=pain,
        scale_back=scale,
        answers=answers,
        days=_plan_days(plan.days, units),
        exercises=exercises,
        pain_score=plan.pain,
        # the scale-back line is shown once, above the days
        notes=tuple(n for n in plan.notes if not (scale and n.startswith("Scale back first"))),
    )


# --------------------------------------------------------------------------- header


def _period(weekly: pd.DataFrame) -> tuple[date | None, date | None]:
    if weekly.empty:
        return None, None
    first = weekly["week_start"].min().date()
    last = (weekly["week_start"].max() + pd.Timedelta(days=6)).date()
    return first, last


def freshness(audit: Audit, today: date | None = None) -> str:
    """When the data ends and how long before the audit's date that is, and how many
    files that look like runs could not be read: ``"Data ends on 20 Sep 2026 (the last
    run), 75 days before 4 Dec 2026."``

    ``today`` defaults to :attr:`Audit.as_of <runaudit.audit.Audit.as_of>` (``--as-of``).
    """
    today = today or audit.as_of
    last_day = audit.data_ends
    if last_day is None:
        return "No dated run in this export."
    days = (today - last_day).days
    if days > 1:
        ago = f"{days} days before {format_date(today)}"
    elif days == 1:
        ago = f"the day before {format_date(today)}"
    elif days == 0:
        ago = "today"
    else:
        ago = f"{-days} days after {format_date(today)}"
    text = f"Data ends on {format_date(last_day)} (the last run), {ago}."
    unread = audit.data_lines()[1:]  # files that look like runs but could not be read
    return " ".join([text, *unread])


def _status(audit: Audit, units: str) -> Status:
    weekly = audit.weekly
    if weekly.empty:
        return Status("No runs yet.", "")
    last = weekly.iloc[-1]
    week = last["week_start"].date()
    current = [f for f in audit.findings if week in f.weeks]
    worst = max((f.severity for f in current), key=SEVERITIES.index, default="")
    acwr = last["acwr"]
    n = audit.thresholds.chronic_weeks
    ratio = (
        f"{acwr:.2f}× your previous {n}-week average"
        if pd.notna(acwr)
        else f"no running in the {n} weeks before to compare with"
    )
    cadence = (
        f"cadence {last['cadence_spm']:.0f} spm"
        if pd.notna(last["cadence_spm"])
        else "no cadence data"
    )
    runs = int(last["runs"])
    verdict = (
        f"{len(current)} finding{'s' if len(current) != 1 else ''} that week (worst: {worst})."
        if current
        else "Nothing flagged that week."
    )
    return Status(
        f"Latest week in the data ({format_date(week)}): "
        f"{format_distance(float(last['distance_km']), units)} in {runs} "
        f"run{'s' if runs != 1 else ''}, {ratio}, {cadence}. {verdict}",
        worst,
    )


def _tiles(audit: Audit, units: str) -> tuple[Tile, ...]:
    first, last = _period(audit.weekly)
    counts = severity_counts(audit.findings)
    acts = audit.activities
    total = float(acts["distance_km"].sum()) if not acts.empty else 0.0
    return (
        Tile("Period", f"{format_date(first)} – {format_date(last)}" if first and last else "–"),
        Tile("Weeks", str(len(audit.weekly))),
        Tile("Runs", str(len(acts))),
        Tile("Total distance", format_distance(total, units)),
        Tile(
            "Findings",
            f"{counts['alert']} alert · {counts['warning']} warning · {counts['info']} info",
        ),
    )


# --------------------------------------------------------------------------- charts


def _finite(frame: pd.DataFrame, column: str) -> bool:
    if column not in frame.columns or frame.empty:
        return False
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    return bool(np.isfinite(values).any())


def chart_views(
    audit: Audit, weeks: int | None = DEFAULT_CHART_WEEKS
) -> dict[str, tuple[ChartView, ...]]:
    """Each chart section's charts with captions from the thresholds in force; a chart
    without data is one line of text (``no_data``)."""
    t = audit.thresholds
    weekly, acts = audit.weekly, audit.activities
    total = len(weekly)
    windowed = weeks is not None and total > weeks
    span = f"the last {weeks} weeks" if windowed else "every week"
    recent, recent_acts = weekly, acts
    if windowed and weeks is not None:
        recent = weekly.iloc[total - weeks :]
        since = pd.Timestamp(recent["week_start"].min())
        if not acts.empty:
            recent_acts = acts[pd.to_datetime(acts["start_local"]) >= since]
    among = f"the runs of {span}" if windowed else "the runs"
    no_runs = "" if total else "No runs yet."
    pain = (
        f", and the diary's weekly knee pain (its line at {t.pain_warning:g}/10)"
        if _finite(recent, "pain_max")
        else ""
    )
    cadence_none = (
        ""
        if _finite(recent, "cadence_spm")
        else f"No cadence chart: none of {among} recorded cadence."
    )
    run_cadence = _finite(acts, "run_cadence_spm") or _finite(acts, "cadence_spm")
    descent_none = (
        ""
        if _finite(recent, "descent_m") or _finite(recent, "downhill_km")
        else f"No descent chart: none of {among} recorded elevation."
    )
    cadence_lines = (
        f"the {t.low_cadence_spm:g} spm low-cadence line and the"
        f" {t.target_cadence_low_spm:g}–{t.target_cadence_high_spm:g} spm target band"
    )
    charts: dict[str, tuple[ChartView, ...]] = {
        "load": (
            ChartView(
                "weekly_distance",
                f"Weekly distance over {span}, with the acute:chronic ratio (ACWR: each week ÷"
                f" the mean of the {t.chronic_weeks} before, by distance and by running time),"
                f" its {ACWR_BAND_LOW:g}–{t.acwr_warning:g} target band and its"
                f" {t.acwr_alert:g} high-risk line{pain}. Hatched bars are deload weeks"
                f" (at most {t.deload_ratio:.0%} of the {t.deload_lookback_weeks} weeks before).",
                no_runs,
            ),
            *(
                (
                    ChartView(
                        "history",
                        f"The whole history: weekly distance over all {total} weeks.",
                    ),
                )
                if windowed
                else ()
            ),
        ),
        "descent": (
            ChartView(
                "descent",
                f"Weekly descent in metres with the downhill distance, over {span}.",
                no_runs or descent_none,
            ),
        ),
        "cadence": (
            ChartView(
                "cadence",
                f"Weekly running cadence over {span}, with {cadence_lines}.",
                no_runs or cadence_none,
            ),
            ChartView(
                "cadence_distribution",
                f"The cadence of each run, with {cadence_lines}.",
                ""
                if run_cadence
                else "No chart of each run's cadence: none of the runs recorded it.",
            ),
        ),
        "long-runs": (
            ChartView(
                "long_runs",
                f"Each run's distance over {span} against the longest run of the previous"
                f" {t.long_run_window_days} days; a run above {t.long_run_ratio:g}× that"
                " (dashed) is a spike.",
                "" if not recent_acts.empty else f"No runs in {span}.",
            ),
        ),
    }
    if cadence_none and not run_cadence:  # one line for both cadence charts
        charts["cadence"] = (ChartView("cadence", "", cadence_none),)
    return charts


# --------------------------------------------------------------------------- ingest

_BUCKETS = {
    "run": "runs kept",
    "duplicate": "duplicates (counted once)",
    "other_sport": "other sports",
    "not_activity": "not activities (monitoring, settings…)",
    "skipped": "skipped",
}


def _service_weeks(account: MetadataAccount, units: str) -> tuple[str, Table]:
    weeks = account.weeks_side_by_side()
    if weeks.empty:
        return "", Table((), ())
    services = [s for s in SERVICE_NAMES if f"{s}_km" in weeks.columns]

    def km(value: float) -> str:
        return f"{km_to(float(value), units):.1f}" if pd.notna(value) else "–"

    head = ["week of", f"runaudit ({units})"]
    for s in services:
        head += [f"{SERVICE_NAMES[s]} ({units})", "difference"]
    rows: list[tuple[str, ...]] = []
    keys: list[str] = []
    marked: set[tuple[int, int]] = set()
    named = []
    for r in weeks.to_dict("records"):
        week = format_date(r["week_start"].date())
        cells = [week, km(r["runaudit_km"])]
        for s in services:
            text = format_pct(float(r[f"{s}_diff_pct"]))
            cells += [km(r[f"{s}_km"]), text]
            if s in r["differs"]:
                marked.add((len(rows), len(cells) - 1))
                named.append(f"week of {week} ({SERVICE_NAMES[s]} {text})")
        rows.append(tuple(cells))
        keys.append(f"{r['week_start']:%Y-%m-%d}")
    verdict = (
        f"Weeks more than {DIFF_PCT:g} % apart: {'; '.join(named)}. A run the service does"
        " not list (a manual entry, a summary-only run) or a file it does not have explains"
        " most differences."
        if named
        else f"Every week is within {DIFF_PCT:g} % of the services' own totals."
    )
    return verdict, Table(tuple(head), tuple(rows), frozenset(marked), tuple(keys))


def ingest_view(audit: Audit, units: str = "km") -> IngestView:
    """The "What was read" section."""
    result = audit.ingest
    counts = result.counts()
    total = sum(counts.values())
    intro = (
        f"{total} file{'s' if total != 1 else ''} looked at; every one is in exactly one bucket."
    )
    if result.ignored:
        intro += (
            f" {result.ignored} other file{'s' if result.ignored != 1 else ''} (JSON, CSV,"
            " photos…) passed over."
        )
    listed = [e for e in result.ledger if e.bucket in ("skipped", "duplicate", "other_sport")]
    account = audit.ingest.metadata
    records = (account.summary_line(), *account.problems, *account.notes) if account.files else ()
    verdict, weeks = _service_weeks(account, units)
    shoes = audit.shoes
    shoe_rows = tuple(
        (
            str(r["shoe"]),
            str(r["first_run"] or ""),
            str(r["last_run"] or ""),
            str(r["runs"]),
            f"{km_to(float(r['distance_km']), units):.1f}",
        )
        for r in shoes.to_dict("records")
    )
    return IngestView(
        intro=intro,
        counts=Table(("bucket", "files"), tuple((_BUCKETS[b], str(counts[b])) for b in _BUCKETS)),
        not_counted=Table(
            ("bucket", "file", "reason"),
            tuple((e.bucket.replace("_", " "), e.source, e.reason) for e in listed),
        ),
        tz_note=result.tz_note or "",
        records=tuple(records),
        service_verdict=verdict,
        service_weeks=weeks,
        shoes=Table(("shoe", "first run", "last run", "runs", units), shoe_rows),
    )


def safety_view() -> SafetyView:
    """Disclaimer, red flags, load advice and the sources, from the catalog."""
    catalog = load_catalog()
    return SafetyView(
        disclaimer=catalog.disclaimer,
        red_flags=tuple((f.sign, f.action) for f in catalog.red_flags),
        advice=tuple((a.title, a.text, "; ".join(a.sources)) for a in catalog.advice),
        sources=tuple(s.title for s in catalog.sources),
    )


# --------------------------------------------------------------------------- the view


def build_view(
    audit: Audit,
    *,
    title: str = "runaudit report",
    units: str = "km",
    generated: str = "",
    weeks: int | None = DEFAULT_CHART_WEEKS,
    today: date | None = None,
) -> ReportView:
    """Build the report's view model once from an audit.

    Parameters
    ----------
    audit : Audit
    title : str
        Page heading (usually the athlete or export name).
    units : {"km", "mi"}
        Distance unit of everything a person reads.
    generated : str
        Text for the footer (e.g. the generation date).
    weeks : int or None
        Latest weeks the weekly charts show (None: all).
    today : datetime.date, optional
        The day the data-freshness line counts from (default: today).

    Returns
    -------
    ReportView
    """
    found: Sequence[Finding] = sorted(
        audit.findings, key=lambda f: (f.week_start, f.severity_rank), reverse=True
    )
    plan = audit.plan
    in_plan = {p.exercise.id for p in plan.exercises}
    cards = tuple(finding_card(f, units, in_plan) for f in found)
    open_ = plan.findings
    top = tuple(finding_card(f, units, in_plan) for f in open_[:TOP_FINDINGS])
    top_heading = "Top findings"
    if not top and found:
        urgent = sorted(found, key=lambda f: (f.severity_rank, f.week_start), reverse=True)
        top = tuple(finding_card(f, units, in_plan) for f in urgent[:TOP_FINDINGS])
        top_heading = f"Top findings (none in the last {OPEN_WEEKS} weeks of data; the most severe)"
    first, last = _period(audit.weekly)
    period = f"{format_date(first)} – {format_date(last)} · " if first and last else ""
    return ReportView(
        title=title,
        subtitle=f"Training audit for runner's knee risk · {period}distances in {units}",
        units=units,
        generated=generated,
        freshness=freshness(audit, today),
        tiles=_tiles(audit, units),
        status=_status(audit, units),
        plan=plan_view(plan, audit.thresholds, units),
        charts=chart_views(audit, weeks),
        findings=cards,
        top_findings=top,
        top_heading=top_heading,
        ingest=ingest_view(audit, units),
        safety=safety_view(),
    )
