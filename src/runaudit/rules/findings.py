"""The :class:`Finding` record every analyzer returns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

RULES: tuple[str, ...] = (
    "ramp_up",
    "missing_deload",
    "downhill_volume",
    "low_cadence",
    "long_run_spike",
    "shoe_change",
    "surface_change",
    "knee_pain",
)
SEVERITIES: tuple[str, ...] = ("info", "warning", "alert")
#: The rules the exercise catalog answers: every finding rule plus ``hip_control``
#: (the hip and trunk group the articles give every runner).
CATALOG_RULES: tuple[str, ...] = (*RULES, "hip_control")


@dataclass(frozen=True)
class Finding:
    """One flagged pattern, about one week.

    Attributes
    ----------
    rule : str
        One of :data:`RULES`.
    severity : str
        ``"info"``, ``"warning"`` or ``"alert"``.
    week_start : datetime.date
        Monday of the week the finding is about.
    message : str
        One plain sentence a runner understands, with the numbers.
    evidence : dict
        The numbers behind it, keys with units (``{"acwr": 1.62, "distance_km": 48.0}``).
    exercises : tuple of str
        Exercise catalog ids, most relevant first.
    """

    rule: str
    severity: str
    week_start: date
    message: str
    evidence: dict[str, Any] = field(default_factory=dict, hash=False)
    exercises: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with exactly the Finding fields (``week_start`` as ``YYYY-MM-DD``)."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "week_start": self.week_start.isoformat(),
            "message": self.message,
            "evidence": dict(self.evidence),
            "exercises": list(self.exercises),
        }

    @property
    def severity_rank(self) -> int:
        """0 for info, 1 for warning, 2 for alert."""
        return SEVERITIES.index(self.severity)


def findings_json(findings: Sequence[Finding]) -> str:
    """The findings as the JSON document ``findings --format json`` and ``findings.json`` hold.

    Returns
    -------
    str
        A JSON array of :meth:`Finding.to_dict` objects, indented by 2, non-ASCII kept,
        without a trailing newline.
    """
    return json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False)


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each severity, most severe first.

    Returns
    -------
    dict of str to int
        Keys ``"alert"``, ``"warning"``, ``"info"`` in that order, each present
        (0 when there is none).

    Examples
    --------
    >>> week = date(2026, 3, 2)
    >>> found = [Finding("ramp_up", "alert", week, ""), Finding("low_cadence", "info", week, "")]
    >>> severity_counts(found)
    {'alert': 1, 'warning': 0, 'info': 1}
    """
    counts = dict.fromkeys(reversed(SEVERITIES), 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts
