"""One call from an export to everything: tables, findings and recommendations.

>>> audit = load_export(["sample_data"])          # doctest: +SKIP
>>> audit.weekly.tail(3)                            # doctest: +SKIP
>>> [f.message for f in audit.findings]             # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .analyzers import analyze
from .errors import NoRunsError
from .exercises import Exercise, load_catalog
from .findings import SEVERITIES, Finding
from .ingest import Ingest, ProgressFn, ingest
from .sources import Limits
from .tables import dated_runs, weekly_table
from .thresholds import Thresholds


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
        The two tables (see :mod:`runaudit.tables`); runs without a known
        date (device clock never set) stay in ``ingest.activities`` only.
    findings : list of Finding
        Sorted by week, then rule.
    thresholds : Thresholds
    """

    ingest: Ingest
    activities: pd.DataFrame
    weekly: pd.DataFrame
    findings: list[Finding]
    thresholds: Thresholds = field(default_factory=Thresholds)

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


def audit_ingest(
    result: Ingest, thresholds: Thresholds | None = None, *, units: str = "km"
) -> Audit:
    """Build the weekly table and the findings from an :class:`Ingest` (pure).

    ``units`` ("km" or "mi") is the distance unit of the findings' messages;
    their evidence and the tables stay in km.
    """
    thresholds = thresholds or Thresholds()
    activities = dated_runs(result.activities)
    weekly = weekly_table(activities, result.cadence_hist, chronic_weeks=thresholds.chronic_weeks)
    findings = analyze(weekly, activities, thresholds, units=units)
    return Audit(result, activities, weekly, findings, thresholds)


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
) -> Audit:
    """Read an export and audit it in one call.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Activity files, folders or export zips.
    thresholds : Thresholds, optional
        Rule thresholds (defaults as documented in :class:`Thresholds`).
    tz, jobs, cache_dir, use_cache, limits, progress
        As for :func:`runaudit.ingest`.
    units : {"km", "mi"}
        Distance unit of the findings' messages (tables stay in km).
    client : distributed.Client, optional
        Parse on a Dask cluster (see :mod:`runaudit.cluster`).

    Returns
    -------
    Audit
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
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
    return audit_ingest(result, thresholds, units=units)
