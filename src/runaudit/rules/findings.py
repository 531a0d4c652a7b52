"""The :class:`Finding` record every rule returns.

The rule ids (:data:`RULES`) and the catalog's rule list (:data:`CATALOG_RULES`)
come from the rule records (:mod:`runaudit.rules.registry`); they are read on
first use, so importing this module loads no pandas.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from runaudit.rules.rule import Evidence, Measures

SEVERITIES: tuple[str, ...] = ("info", "warning", "alert")
#: The exercise group the catalog answers beside the rules: the hip and trunk
#: group the articles give every runner.
CATALOG_GROUPS: tuple[str, ...] = ("hip_control",)

if TYPE_CHECKING:
    #: Every rule id, in report order (from the rule records).
    RULES: tuple[str, ...]
    #: The rules the exercise catalog answers: every rule plus :data:`CATALOG_GROUPS`.
    CATALOG_RULES: tuple[str, ...]


def __getattr__(name: str) -> Any:
    """``RULES`` and ``CATALOG_RULES``, read from the rule registry on first use."""
    if name == "RULES":
        return importlib.import_module("runaudit.rules.registry").RULE_IDS
    if name == "CATALOG_RULES":
        return (*importlib.import_module("runaudit.rules.registry").RULE_IDS, *CATALOG_GROUPS)
    raise AttributeError(f"module 'runaudit.rules.findings' has no attribute {name!r}")


@dataclass(frozen=True)
class Finding:
    """One flagged pattern: one run, or an episode of one or more consecutive weeks.

    Attributes
    ----------
    rule : str
        One of :data:`RULES`.
    severity : str
        ``"info"``, ``"warning"`` or ``"alert"``; for an episode, its worst week's.
    week_start : datetime.date
        Monday of the week the finding is about; for an episode, its first week.
    message : str
        One plain sentence a runner understands, with the numbers.
    evidence : Measures
        The numbers behind it, each with its unit (:class:`~runaudit.rules.rule.Measure`);
        reads as the ``{key: value}`` dict the JSON holds (``{"acwr": 1.62,
        "distance_km": 48.0}``). A plain dict is accepted (values without units).
    exercises : tuple of str
        Exercise catalog ids, most relevant first.
    weeks : tuple of datetime.date
        Every week (Monday) the finding covers, first to last; ``(week_start,)``
        for a single week or a run (the default).
    evidence_strength : Evidence, optional
        What the rule's threshold rests on and how strong that is (the rule's
        :attr:`~runaudit.rules.rule.Rule.evidence`).
    """

    rule: str
    severity: str
    week_start: date
    message: str
    evidence: Measures = field(default_factory=Measures, hash=False)
    exercises: tuple[str, ...] = ()
    weeks: tuple[date, ...] = ()
    evidence_strength: Evidence | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        evidence: Any = self.evidence
        if not isinstance(evidence, Measures):  # a plain dict (values without units)
            object.__setattr__(self, "evidence", Measures(evidence or {}))
        weeks = tuple(self.weeks) or (self.week_start,)
        if weeks[0] != self.week_start:
            raise ValueError(
                f"a finding's weeks must begin with its week_start ({self.week_start}), "
                f"got {weeks[0]}"
            )
        if any(b <= a for a, b in pairwise(weeks)):
            raise ValueError("a finding's weeks must be in increasing order")
        object.__setattr__(self, "weeks", weeks)

    @property
    def last_week(self) -> date:
        """Monday of the last week the finding covers (``week_start`` for one week)."""
        return self.weeks[-1]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the Finding fields, dates as ``YYYY-MM-DD``.

        ``evidence`` holds the stored values by key (units are in the key names);
        ``evidence_strength`` is ``{"kind", "summary", "references"}`` or None.
        """
        return {
            "rule": self.rule,
            "severity": self.severity,
            "week_start": self.week_start.isoformat(),
            "weeks": [w.isoformat() for w in self.weeks],
            "message": self.message,
            "evidence": dict(self.evidence),
            "evidence_strength": (
                None if self.evidence_strength is None else self.evidence_strength.to_dict()
            ),
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
    >>> found = [Finding("rule_a", "alert", week, ""), Finding("rule_b", "info", week, "")]
    >>> severity_counts(found)
    {'alert': 1, 'warning': 0, 'info': 1}
    """
    counts = dict.fromkeys(reversed(SEVERITIES), 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts
