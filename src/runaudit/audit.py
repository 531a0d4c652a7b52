"""One call from an export to everything: tables, findings and recommendations.

>>> audit = load_export(["sample_data"])          # doctest: +SKIP
>>> audit.weekly.tail(3)                            # doctest: +SKIP
>>> [f.message for f in audit.findings]             # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from runaudit.advice.exercises import Exercise, load_catalog
from runaudit.advice.plan import Plan, build_plan
from runaudit.errors import NoRunsError
from runaudit.intake.activities import dated_runs
from runaudit.intake.pipeline import Ingest, LedgerEntry, ProgressFn, ingest
from runaudit.reading.sources import Limits
from runaudit.rules import analyze
from runaudit.rules.findings import SEVERITIES, Finding
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
                "exercises": ",".join(f.exercises),
            }
            for f in findings
        ],
        columns=columns,
    )
    if expand_evidence:
        evidence = pd.DataFrame([dict(e) for e in frame["evidence"]], index=frame.index)
        frame = pd.concat([frame.drop(columns="evidence"), evidence], axis=1)
    return frame


@dataclass
class Audit:
    """Everything runaudit knows about one athlete's export.

    Attributes
    ----------
    ingest : Ingest
        The ledger (every file's bucket) and per-run cadence histograms.
    activities, weekly : pandas.DataFrame
        The two tables (see :mod:`runaudit.training.weekly`); runs without a known
        date (device clock never set) stay in ``ingest.activities`` only.
    findings : list of Finding
        Sorted by week, then rule.
    thresholds : Thresholds
    pain : PainDiary or None
        The knee-pain diary, when one was given or found (its weeks are the
        ``pain_max``/``pain_mean`` columns of ``weekly``).
    """

    ingest: Ingest
    activities: pd.DataFrame
    weekly: pd.DataFrame
    findings: list[Finding]
    thresholds: Thresholds = field(default_factory=Thresholds)
    pain: PainDiary | None = None

    @property
    def plan(self) -> Plan:
        """One plan for the coming week (see :func:`runaudit.advice.plan.build_plan`)."""
        entries = self.pain.entries if self.pain is not None else None
        return build_plan(self.weekly, self.findings, entries, self.thresholds)

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
        return (
            f"<Audit: {len(self.activities)} runs{span}, {len(self.findings)} findings,"
            f" {sum(self.ingest.counts().values())} files read>"
        )

    def findings_frame(
        self, *, rule: str | None = None, expand_evidence: bool = False
    ) -> pd.DataFrame:
        """The findings as a DataFrame (see :func:`findings_frame`)."""
        return findings_frame(self.findings, rule=rule, expand_evidence=expand_evidence)

    def samples(self, activity_id: str) -> pd.DataFrame:
        """Per-sample data of one run (see :meth:`Ingest.samples`)."""
        return self.ingest.samples(activity_id)


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
        raise NoRunsError(
            f"no runs found in {names} ({sum(result.counts().values())} files looked at)."
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
) -> Audit:
    """Build the weekly table and the findings from an :class:`Ingest` (pure but for
    reading ``pain`` when it is a path).

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
    activities = dated_runs(result.activities)
    entries = diary.entries if diary is not None else None
    through = (
        pd.Timestamp(entries["date"].max()) if entries is not None and not entries.empty else None
    )
    weekly = weekly_table(
        activities,
        result.cadence_hist,
        chronic_weeks=thresholds.chronic_weeks,
        through=through,
    )
    weekly = with_weekly_pain(weekly, diary.entries if diary is not None else None)
    findings = analyze(weekly, activities, thresholds, units=units)
    return Audit(result, activities, weekly, findings, thresholds, diary)


def load_export(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    thresholds: Thresholds | None = None,
    tz: str | None = None,
    jobs: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    limits: Limits | None = None,
    progress: ProgressFn | None = None,
    units: str = "km",
    client: Any = None,
    pain: PainInput | None = None,
) -> Audit:
    """Read an export and audit it in one call.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Activity files, folders or export zips.
    thresholds : Thresholds, optional
        Rule thresholds (defaults as documented in :class:`Thresholds`).
    tz, jobs, cache_dir, use_cache, limits, progress
        As for :func:`runaudit.intake.pipeline`.
    units : {"km", "mi"}
        Distance unit of the findings' messages (tables stay in km).
    client : distributed.Client, optional
        Parse on a Dask cluster (see :mod:`runaudit.reading.backends.cluster`).
    pain : PainDiary, DataFrame or path, optional
        Knee-pain diary (``date``, ``pain`` 0–10). Without it, a ``pain.csv`` in a
        folder of ``paths`` is used when there is one.

    Returns
    -------
    Audit
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    paths = list(paths)
    if pain is None:
        pain = find_diary(paths, follow_symlinks=limits.follow_symlinks if limits else False)
    result = ingest(
        paths,
        tz=tz,
        jobs=jobs,
        cache_dir=cache_dir,
        use_cache=use_cache,
        limits=limits,
        progress=progress,
        client=client,
    )
    return audit_ingest(result, thresholds, units=units, pain=pain)
