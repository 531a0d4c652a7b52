"""The rule registry: every rule module's :class:`~runaudit.rules.rule.Rule`, and ``analyze()``.

Rules: pure functions from the weekly/activities tables to :class:`Finding` lists.
Each module in :mod:`runaudit.rules` that declares ``RULE = Rule(...)`` is a
rule; :data:`RULE_LIST` holds them in report order (by ``Rule.rank``). Adding a
rule is one module, its thresholds, its catalog exercises and its tests; the
table of rules (id, function, inputs, thresholds, evidence) is
:func:`rules_frame` or ``runaudit.rules.RULE_LIST``.

Every function takes an optional :class:`~runaudit.thresholds.Thresholds` and a
keyword-only ``units`` (``"km"``, the default, or ``"mi"``) for the distances in
its messages, never modifies its input, returns ``[]`` for an empty table, and
fills each finding's ``exercises`` and ``evidence_strength`` from its rule
record. Evidence is always metric (``distance_km`` [km], ``descent_m`` [m]),
whatever ``units``. Weekly rules return episodes: consecutive flagged weeks are
one finding whose ``weeks`` lists them.

Examples
--------
>>> import pandas as pd
>>> weekly = pd.DataFrame({
...     "week_start": pd.date_range("2026-01-05", periods=5, freq="7D"),
...     "distance_km": [30.0, 30.0, 30.0, 30.0, 48.0],
...     "descent_m": [200.0] * 5,
...     "downhill_km": [2.0] * 5,
...     "cadence_spm": [172.0] * 5,
... })
>>> [f.message for f in analyze(weekly)]  # doctest: +NORMALIZE_WHITESPACE
['Week of 2 Feb 2026: 48 km, 1.6× your previous 4-week average of 30 km; jumps
  above 1.5× raise the injury risk most, so aim for at most 1.3× (39 km).']
>>> [f.message for f in analyze(weekly, units="mi")]  # doctest: +NORMALIZE_WHITESPACE
['Week of 2 Feb 2026: 30 mi, 1.6× your previous 4-week average of 19 mi; jumps
  above 1.5× raise the injury risk most, so aim for at most 1.3× (24 mi).']
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from runaudit.rules._common import resolve
from runaudit.rules.cadence import suggested_cadence
from runaudit.rules.findings import Finding
from runaudit.rules.messages import (
    check_units,
    format_date,
    format_distance,
    format_metres,
    format_ratio,
)
from runaudit.rules.rule import Rule
from runaudit.thresholds import Thresholds

__all__ = [
    "FUNCTIONS",
    "RULES_BY_ID",
    "RULE_EXERCISES",
    "RULE_IDS",
    "RULE_LIST",
    "analyze",
    "format_date",
    "format_distance",
    "format_metres",
    "format_ratio",
    "rule_label",
    "rules_frame",
    "sort_findings",
    "suggested_cadence",
]


def _discover() -> tuple[Rule, ...]:
    """The ``RULE`` of every module in :mod:`runaudit.rules`, by rank then id."""
    found: list[Rule] = []
    package = __name__.rpartition(".")[0]
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        rule = getattr(module, "RULE", None)
        if isinstance(rule, Rule):
            found.append(rule)
    ids = [r.id for r in found]
    if len(set(ids)) != len(ids):
        raise RuntimeError(f"two rule modules declare the same rule id: {sorted(ids)}")
    return tuple(sorted(found, key=lambda r: (r.rank, r.id)))


#: Every rule record, in report order.
RULE_LIST: tuple[Rule, ...] = _discover()
#: Rule id → record.
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULE_LIST}
#: Every rule id, in report order.
RULE_IDS: tuple[str, ...] = tuple(RULES_BY_ID)
#: Each rule's catalog exercise ids, most relevant first (from the rule records).
RULE_EXERCISES: dict[str, tuple[str, ...]] = {r.id: r.exercises for r in RULE_LIST}


def rule_label(rule_id: str) -> str:
    """A rule's label (``"long-run spike"``); the id in words for an unknown rule."""
    record = RULES_BY_ID.get(rule_id)
    return record.label if record is not None else rule_id.replace("_", " ")


#: Each rule's function by its name (``find_ramp_ups``): ``runaudit.rules`` exports them.
FUNCTIONS: dict[str, Callable[..., list[Finding]]] = {r.find.__name__: r.find for r in RULE_LIST}


def __getattr__(name: str) -> Any:
    """A rule's function by name (``registry.find_ramp_ups``)."""
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    raise AttributeError(f"module 'runaudit.rules.registry' has no attribute {name!r}")


def rules_frame() -> pd.DataFrame:
    """The rule records as a table: one row per rule, in report order.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``label``, ``function``, ``table``, ``inputs``,
        ``thresholds``, ``exercises`` (lists), ``evidence_kind``, ``per_run``,
        ``description``.
    """
    return pd.DataFrame(
        [
            {
                "id": r.id,
                "label": r.label,
                "function": r.find.__name__,
                "table": r.table,
                "inputs": list(r.inputs),
                "thresholds": list(r.thresholds),
                "exercises": list(r.exercises),
                "evidence_kind": r.evidence.kind,
                "per_run": r.per_run,
                "description": r.description,
            }
            for r in RULE_LIST
        ]
    )


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Findings by ``week_start``, then rule order (:data:`RULE_IDS`).

    The sort is stable, so findings of one rule in one week keep their order
    (several long-run spikes in a week stay in start order).
    """
    return sorted(findings, key=lambda f: (f.week_start, RULE_IDS.index(f.rule)))


def analyze(
    weekly: pd.DataFrame,
    activities: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
    *,
    units: str = "km",
) -> list[Finding]:
    """Run every rule and return the findings in report order.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table (:func:`runaudit.training.weekly.weekly_table`); uses
        ``week_start``, ``distance_km`` [km], ``descent_m`` [m], ``downhill_km``
        [km] and ``cadence_spm`` [steps/min]. Not modified.
    activities : pandas.DataFrame, optional
        The activities table, for ``long_run_spike`` (``start_local``,
        ``distance_km`` [km], ``week_start``). Without it that rule is skipped.
        Not modified.
    thresholds : Thresholds, optional
        Rule thresholds; defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Distance unit of every finding's ``message``, passed to each rule.
        ``evidence`` stays metric (``distance_km`` [km] and so on).

    Returns
    -------
    list of Finding
        Sorted by ``week_start``, then by rule order (see :func:`sort_findings`);
        ``[]`` when both tables are empty.

    Raises
    ------
    ValueError
        If ``units`` is neither ``"km"`` nor ``"mi"``, or a non-empty table
        lacks a column a rule needs, lists a week twice, or has week starts that
        are not whole weeks apart.
    """
    check_units(units)
    t = resolve(thresholds)
    findings: list[Finding] = []
    for rule in RULE_LIST:
        if rule.table == "weekly":
            findings.extend(rule.find(weekly, t, units=units))
        elif rule.table == "activities":
            if activities is not None:
                findings.extend(rule.find(activities, t, units=units))
        else:
            findings.extend(rule.find(weekly, activities, t, units=units))
    return sort_findings(findings)
