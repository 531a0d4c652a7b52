"""The rule registry: every rule module, ``analyze()`` and the rule-to-exercise map.

Analyzers: pure functions from the weekly/activities tables to :class:`Finding` lists.

One module per rule (see docs/architecture.md, "Where to add things"):

========================  ==========================  ===========================
rule                      function                    input
========================  ==========================  ===========================
``ramp_up``               :func:`find_ramp_ups`        weekly ``distance_km``
``missing_deload``        :func:`find_missing_deloads` weekly ``distance_km``
``downhill_volume``       :func:`find_downhill_spikes` weekly ``descent_m``
``low_cadence``           :func:`find_low_cadence`     weekly ``cadence_spm``
``long_run_spike``        :func:`find_long_run_spikes` activities ``distance_km``
``shoe_change``           :func:`find_shoe_changes`    activities ``shoe``
``surface_change``        :func:`find_surface_changes` weekly ``trail_km``
``knee_pain``             :func:`find_knee_pain`       weekly ``pain_max``
========================  ==========================  ===========================

Every function takes an optional :class:`~runaudit.thresholds.Thresholds` and a
keyword-only ``units`` (``"km"``, the default, or ``"mi"``) for the distances in
its messages, never modifies its input, returns ``[]`` for an empty table, and
fills each finding's ``exercises`` from the catalog mapping of its rule. Evidence
is always metric (``distance_km`` [km], ``descent_m`` [m]), whatever ``units``.

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

import pandas as pd

from runaudit.rules import (  # the rule modules
    cadence,
    downhill,
    knee_pain,
    long_run,
    missing_deload,
    ramp_up,
    shoe_change,
    surface_change,
)
from runaudit.rules._common import resolve
from runaudit.rules.cadence import find_low_cadence, suggested_cadence
from runaudit.rules.downhill import find_downhill_spikes
from runaudit.rules.findings import RULES, Finding
from runaudit.rules.knee_pain import find_knee_pain
from runaudit.rules.long_run import find_long_run_spikes
from runaudit.rules.messages import (
    check_units,
    format_date,
    format_distance,
    format_metres,
    format_ratio,
)
from runaudit.rules.missing_deload import find_missing_deloads
from runaudit.rules.ramp_up import find_ramp_ups
from runaudit.rules.shoe_change import find_shoe_changes
from runaudit.rules.surface_change import find_surface_changes
from runaudit.thresholds import Thresholds

__all__ = [
    "RULE_EXERCISES",
    "analyze",
    "find_downhill_spikes",
    "find_knee_pain",
    "find_long_run_spikes",
    "find_low_cadence",
    "find_missing_deloads",
    "find_ramp_ups",
    "find_shoe_changes",
    "find_surface_changes",
    "format_date",
    "format_distance",
    "format_metres",
    "format_ratio",
    "sort_findings",
    "suggested_cadence",
]


#: Each rule's catalog exercise ids, most relevant first (declared in the rule's module).
RULE_EXERCISES: dict[str, tuple[str, ...]] = {
    module.RULE: module.EXERCISES
    for module in (
        ramp_up,
        missing_deload,
        downhill,
        cadence,
        long_run,
        shoe_change,
        surface_change,
        knee_pain,
    )
}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Findings by ``week_start``, then rule order (:data:`~runaudit.rules.findings.RULES`).

    The sort is stable, so findings of one rule in one week keep their order
    (several long-run spikes in a week stay in start order).
    """
    return sorted(findings, key=lambda f: (f.week_start, RULES.index(f.rule)))


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
    findings = [
        *find_ramp_ups(weekly, t, units=units),
        *find_missing_deloads(weekly, t, units=units),
        *find_downhill_spikes(weekly, t, units=units),
        *find_low_cadence(weekly, t, units=units),
        *find_surface_changes(weekly, t, units=units),
    ]
    if activities is not None:
        findings.extend(find_long_run_spikes(activities, t, units=units))
        findings.extend(find_shoe_changes(activities, t, units=units))
    findings.extend(find_knee_pain(weekly, activities, t, units=units))
    return sort_findings(findings)
