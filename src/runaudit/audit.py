"""One call from an export to everything: tables, findings and recommendations.

>>> audit = load_export(["sample_data"], as_of=date(2026, 9, 21))  # doctest: +SKIP
>>> audit.weekly.tail(3)                                            # doctest: +SKIP
>>> [f.message for f in audit.findings]                             # doctest: +SKIP
>>> audit.plan                                                      # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from runaudit.advice.exercises import Exercise, load_catalog
from runaudit.advice.plan import WeekPlan, build_plan
from runaudit.errors import NoRunsError
from runaudit.intake.activities import dated_runs
from runaudit.intake.pipeline import Ingest, LedgerEntry, ingest
from runaudit.reading.options import ReadOptions
from runaudit.rules import analyze
from runaudit.rules.findings import SEVERITIES, Finding
from runaudit.rules.messages import format_date
from runaudit.thresholds import Thresholds
from runaudit.training.pain import (
    PainDiary,
    diary_from_frame,
    find_diary,
    read_diary,
    with_weekly_pain,
    within_weeks,
)
from runaudit.training.shoes import shoes_table
from runaudit.training.weekly import weekly_table
from runaudit.words import plural


@dataclass(frozen=True)
class Recommendation:
    """The exercises for one rule, with the findings that call for them.

    Attributes
    ----------
    rule : str
    severity : str
        The most severe of its findings.
    findings : tuple of Finding
        Newest first.
    exercises : tuple of Exercise
        Catalog entries, most relevant first.
    """

    rule: str
    severity: str
    findings: tuple[Finding, ...]
    exercises: tuple[Exercise, ...]


def recommend(findings: Sequence[Finding]) -> list[Recommendation]:
    """Group findings by rule and attach their catalog exercises.

    Ordered by urgency: highest severity first, then the most recent week.
    """
    catalog = load_catalog()
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    out = []
    for rule, items in by_rule.items():
        items = sorted(items, key=lambda f: f.week_start, reverse=True)
        severity = max((f.severity for f in items), key=SEVERITIES.index)
        ids = items[0].exercises or catalog.rules.get(rule, ())
        exercises = tuple(catalog.exercises[i] for i in ids if i in catalog.exercises)
        out.append(Recommendation(rule, severity, tuple(items), exercises))
    out.sort(key=lambda r: (SEVERITIES.index(r.severity), r.findings[0].week_start), reverse=True)
    return out


def findings_frame(
    findings: Sequence[Finding], *, rule: str | None = None, expand_evidence: bool = False
) -> pd.DataFrame:
    """Findings as a DataFrame: rule, severity, week_start, message, evidence, exercises.

    ``week_start`` is ``datetime64[ns]`` at midnight; ``exercises`` holds a list of
    catalog ids per row.

    Parameters
    ----------
    findings : sequence of Finding
    rule : str, optional
        Keep only this rule's findings.
    expand_evidence : bool
        Replace the ``evidence`` dict column by one column per evidence key
        (units in the key names, e.g. ``distance_km``).
    """
    if rule is not None:
        findings = [f for f in findings if f.rule == rule]
    columns = ["rule", "severity", "week_start", "message", "evidence", "exercises"]
    frame = pd.DataFrame(
        [
            {
                "rule": f.rule,
                "severity": f.severity,
                "week_start": pd.Timestamp(f.week_start),
                "message": f.message,
                "evidence": dict(f.evidence),
                "exercises": list(f.exercises),
            }
            for f in findings
        ],
        columns=columns,
    )
    frame["week_start"] = frame["week_start"].astype("datetime64[ns]")
    if expand_evidence:
        evidence = pd.DataFrame([dict(e) for e in frame["evidence"]], index=frame.index)
        frame = pd.concat([frame.drop(columns="evidence"), evidence], axis=1)
    return frame


@dataclass
class Audit:
    """Everything runaudit knows about one athlete's export, as of one day.

    Dates follow one rule: in DataFrames ``week_start`` (and every other date
    column) is a tz-naive ``datetime64[ns]`` at local midnight; in dataclasses
    (:class:`~runaudit.rules.findings.Finding`,
    :class:`~runaudit.advice.plan.WeekPlan`, this class) a date is a
    :class:`datetime.date`.
    """

    ingest: Ingest
    """The ledger (every file's bucket), the unfiltered activities and the per-run
    cadence histograms."""
    activities: pd.DataFrame
    """One row per dated run up to :attr:`as_of` (see :mod:`runaudit.intake.activities`);
    runs without a known date (device clock never set) stay in ``ingest.activities``."""
    weekly: pd.DataFrame
    """One row per Monday-start week (see :func:`runaudit.training.weekly.weekly_table`),
    with ``pain_max``/``pain_mean`` from the diary and ``incomplete`` where a file that
    looks like a run could not be read."""
    findings: list[Finding]
    """What the rules flagged, sorted by week, then rule."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    """The thresholds the rules and the plan used."""
    pain: PainDiary | None = None
    """The knee-pain diary, when one was given or found."""
    as_of: date = field(default_factory=date.today)
    """The day the audit is made: runs and diary entries after it are left out, and
    the plan is the week from the Monday after it."""

    @property
    def data_ends(self) -> date | None:
        """Local date of the last dated run (None without runs)."""
        if self.activities.empty:
            return None
        return pd.Timestamp(self.activities["start_local"].max()).date()

    @property
    def days_since_data(self) -> int | None:
        """Days from :attr:`data_ends` to :attr:`as_of` (None without runs)."""
        ends = self.data_ends
        return (self.as_of - ends).days if ends is not None else None

    @property
    def unread(self) -> pd.DataFrame:
        """Files that look like runs but could not be read or dated (see :func:`unread_files`)."""
        return unread_files(self.ingest)

    @property
    def unread_share(self) -> float:
        """Unread files as a share of all runs (read + unread) [fraction]."""
        n = len(self.unread)
        total = n + len(self.activities)
        return n / total if total else 0.0

    def data_lines(self) -> list[str]:
        """What the data can and cannot say, as lines: when it ends and how long
        before :attr:`as_of`, and how many files that look like runs were not read."""
        lines = []
        ends = self.data_ends
        if ends is None:
            lines.append(f"No dated runs up to {format_date(self.as_of)}.")
        else:
            lines.append(
                f"Data ends {format_date(ends)}, {plural(self.days_since_data or 0, 'day')}"
                f" before {format_date(self.as_of)} (the date of this audit)."
            )
        unread = self.unread
        if not unread.empty:
            dated = int(unread["date"].notna().sum())
            weeks = (
                f"{dated} carry a date in their name and mark their week incomplete"
                if dated
                else "none carries a date, so no week can be marked incomplete"
            )
            verb = "looks" if len(unread) == 1 else "look"
            lines.append(
                f"{plural(len(unread), 'file')} that {verb} like runs could not be read or dated"
                f" ({self.unread_share:.0%} of the runs): {weeks}."
            )
        return lines

    @property
    def plan(self) -> WeekPlan:
        """The seven days from the Monday after :attr:`as_of`
        (see :func:`runaudit.advice.plan.build_plan`)."""
        entries = self.pain.entries if self.pain is not None else None
        return build_plan(
            self.activities,
            self.weekly,
            self.findings,
            entries,
            self.thresholds,
            as_of=self.as_of,
        )

    @property
    def shoes(self) -> pd.DataFrame:
        """One row per shoe: ``shoe``, ``first_run``, ``last_run`` (local dates), ``runs``,
        ``distance_km`` [km]; shoes the export lists but never ran in have 0 runs
        (see :func:`runaudit.training.shoes.shoes_table`)."""
        return shoes_table(self.activities, self.ingest.metadata.listed_shoes)

    @property
    def recommendations(self) -> list[Recommendation]:
        """Exercises per flagged rule, most urgent first."""
        return recommend(self.findings)

    def __repr__(self) -> str:
        weeks = self.weekly["week_start"] if not self.weekly.empty else None
        span = (
            f", weeks {weeks.min():%Y-%m-%d} to {weeks.max():%Y-%m-%d}" if weeks is not None else ""
        )
        ends = self.data_ends
        age = (
            f", data ends {ends:%Y-%m-%d}"
            f" ({self.days_since_data} days before {self.as_of:%Y-%m-%d})"
            if ends is not None
            else ""
        )
        return (
            f"<Audit: {len(self.activities)} runs{span}, {len(self.findings)} findings,"
            f" {sum(self.ingest.counts().values())} files read{age}>"
        )

    def findings_frame(
        self, *, rule: str | None = None, expand_evidence: bool = False
    ) -> pd.DataFrame:
        """The findings as a DataFrame (see :func:`findings_frame`)."""
        return findings_frame(self.findings, rule=rule, expand_evidence=expand_evidence)

    def samples(self, activity_id: str) -> pd.DataFrame:
        """Per-sample data of one run (see :meth:`Ingest.samples`)."""
        return self.ingest.samples(activity_id)


#: Formats of files that look like runs (an activity file's suffix).
RUN_FORMATS = frozenset({"fit", "gpx", "tcx"})
#: A date in a file name: ``2026-05-05`` or ``20260505`` (Garmin's device files are
#: named by their start, ``2026-05-05-06-40-10.fit``).
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")


def _name_date(source: str) -> pd.Timestamp | None:
    name = re.split(r"[/\\!]", source)[-1]
    found = _NAME_DATE.search(name)
    if not found:
        return None
    try:
        return pd.Timestamp(f"{found.group(1)}-{found.group(2)}-{found.group(3)}")
    except ValueError:
        return None


def unread_files(result: Ingest) -> pd.DataFrame:
    """Files that look like runs but could not be read or dated (pure).

    A skipped FIT/GPX/TCX file whose run is not counted from another record
    (its reason does not say "still counted" or "the same run is counted"), and
    every run whose date is unknown (device clock never set).

    Returns
    -------
    pandas.DataFrame
        ``source``, ``reason``, ``date`` (``datetime64[ns]``: the date in the file's
        name, NaT when it has none) and ``week_start`` (its Monday, NaT likewise).
    """
    rows = [
        {"source": e.source, "reason": e.reason, "date": _name_date(e.source)}
        for e in result.ledger
        if e.bucket == "skipped"
        and e.format in RUN_FORMATS
        and "still counted" not in e.reason
        and "the same run is counted" not in e.reason
    ]
    acts = result.activities
    if not acts.empty and "date_known" in acts.columns:
        for source in acts.loc[~acts["date_known"].astype(bool), "source"]:
            rows.append({"source": source, "reason": "no date (clock never set)", "date": None})
    frame = pd.DataFrame(rows, columns=["source", "reason", "date"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["week_start"] = frame["date"] - pd.to_timedelta(frame["date"].dt.day_of_week, unit="D")
    return frame


def require_runs(result: Ingest, paths: Iterable[str | os.PathLike[str]]) -> Ingest:
    """Return ``result`` unchanged if it holds a run.

    Raises
    ------
    NoRunsError
        When no input held a run; the message names the inputs and how many files
        were looked at.
    """
    if result.activities.empty:
        names = ", ".join(str(p) for p in paths)
        # A service file that explains the emptiness itself (an Apple Health export
        # without workouts) is named in the one error line.
        why = [p.removesuffix(": 1") for p in result.metadata.problems if "no runs to read" in p]
        because = f"; {why[0]}" if why else ""
        raise NoRunsError(
            f"no runs found in {names} ({sum(result.counts().values())} files looked at){because}."
        )
    return result


PainInput = PainDiary | pd.DataFrame | str | os.PathLike[str]


def as_diary(pain: PainInput) -> PainDiary:
    """A :class:`PainDiary` from a diary, a DataFrame or a CSV path (read here)."""
    if isinstance(pain, PainDiary):
        return pain
    if isinstance(pain, pd.DataFrame):
        return diary_from_frame(pain)
    return read_diary(pain)


def with_diary(result: Ingest, diary: PainDiary) -> Ingest:
    """The ingest with the diary in its ledger (bucket ``not_activity``).

    A diary that sits in an input folder was counted among the files passed over;
    it moves from that count into the ledger, so every input is counted once.
    """
    inside = diary.source in result.ledger_frame()["source"].tolist()
    if inside:
        return result
    ignored = result.ignored
    folder = str(Path(diary.source).parent) + os.sep
    if any(e.source.startswith(folder) for e in result.ledger):
        ignored = max(0, ignored - 1)  # discovery passed over the same file
    entry = LedgerEntry(diary.source, "not_activity", diary.ledger_reason, "pain_csv")
    return dataclasses.replace(result, ledger=(*result.ledger, entry), ignored=ignored)


def place_diary(
    result: Ingest, diary: PainDiary, thresholds: Thresholds | None = None
) -> tuple[Ingest, PainDiary]:
    """The diary without its entries far from the runs, and the ingest with it in its ledger.

    Entries more than ``thresholds.pain_gap_weeks`` weeks from every run are left
    out and named in the diary's ``problems``
    (:func:`runaudit.training.pain.within_weeks`); a diary read from a file joins
    the ledger (:func:`with_diary`).
    """
    gap = (thresholds or Thresholds()).pain_gap_weeks
    diary = within_weeks(diary, dated_runs(result.activities)["week_start"], gap)
    if diary.source != "<DataFrame>":
        result = with_diary(result, diary)
    return result, diary


def audit_ingest(
    result: Ingest,
    thresholds: Thresholds | None = None,
    *,
    units: str = "km",
    pain: PainInput | None = None,
    as_of: date | None = None,
) -> Audit:
    """Build the weekly table and the findings from an :class:`Ingest` (pure but for
    reading ``pain`` when it is a path).

    ``as_of`` (default today) is the day the audit is made: runs that start
    after it and diary entries after it are left out.

    ``units`` ("km" or "mi") is the distance unit of the findings' messages;
    their evidence and the tables stay in km. ``pain`` is a knee-pain diary
    (a :class:`PainDiary`, a DataFrame with ``date`` and ``pain`` columns, or a
    CSV path); its weeks become ``pain_max``/``pain_mean`` and the ``knee_pain`` rule.
    Diary entries more than ``thresholds.pain_gap_weeks`` from every run are left
    out and named in ``Audit.pain.problems`` (:func:`runaudit.training.pain.within_weeks`).
    """
    thresholds = thresholds or Thresholds()
    diary = as_diary(pain) if pain is not None else None
    if diary is not None:
        result, diary = place_diary(result, diary, thresholds)
    as_of = as_of or date.today()
    activities = dated_runs(result.activities)
    if not activities.empty:
        activities = activities[
            activities["start_local"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)
        ].reset_index(drop=True)
    if diary is not None and not diary.entries.empty:
        kept = diary.entries[diary.entries["date"] <= pd.Timestamp(as_of)]
        diary = dataclasses.replace(diary, entries=kept.reset_index(drop=True))
    entries = diary.entries if diary is not None else None
    unread = unread_files(result)
    through = (
        pd.Timestamp(entries["date"].max()) if entries is not None and not entries.empty else None
    )
    weekly = weekly_table(
        activities,
        result.cadence_hist,
        chronic_weeks=thresholds.chronic_weeks,
        through=through,
        unread_dates=unread["date"].dropna(),
    )
    weekly = with_weekly_pain(weekly, diary.entries if diary is not None else None)
    findings = analyze(weekly, activities, thresholds, units=units)
    return Audit(result, activities, weekly, findings, thresholds, diary, as_of)


def load_export(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    options: ReadOptions | None = None,
    *,
    thresholds: Thresholds | None = None,
    units: str = "km",
    pain: PainInput | None = None,
    as_of: date | None = None,
    **keywords: Any,
) -> Audit:
    """Read an export and audit it in one call.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Activity files, folders or export zips.
    options : ReadOptions, optional
        How to read the export (time zone, workers, cache, limits, progress,
        Dask client): :class:`~runaudit.reading.options.ReadOptions`.
    thresholds : Thresholds, optional
        Rule thresholds (defaults as documented in :class:`Thresholds`).
    units : {"km", "mi"}
        Distance unit of the findings' messages (tables stay in km).
    pain : PainDiary, DataFrame or path, optional
        Knee-pain diary (``date``, ``pain`` 0–10). Without it, a ``pain.csv`` in a
        folder of ``paths`` is used when there is one.
    as_of : datetime.date, optional
        The day the audit is made (default today): later runs and diary entries
        are left out; the plan is the week from the Monday after it.

    **keywords
        The fields of :class:`ReadOptions` one by one (``tz=``, ``jobs=``,
        ``cache_dir=``, ``use_cache=``, ``limits=``, ``progress=``, ``client=``),
        as before the options object; they override ``options``.

    Returns
    -------
    Audit
    """
    options = ReadOptions.build(options, **keywords)
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    paths = list(paths)
    if pain is None:
        pain = find_diary(paths, follow_symlinks=options.limits.follow_symlinks)
    result = ingest(paths, options)
    return audit_ingest(result, thresholds, units=units, pain=pain, as_of=as_of)
