"""Rules: one module per rule, from the training tables to lists of findings.

Each rule module declares its record, ``RULE = Rule(...)`` (:mod:`.rule`: id,
label, function, inputs, thresholds, exercises, evidence); ``registry`` finds
the modules that declare one and runs them (:func:`analyze`); ``findings`` holds
the :class:`Finding` record; ``messages`` formats the numbers in a finding's
sentence; ``_common`` the helpers the rules share (episodes among them).
The rule functions (``find_ramp_ups`` and so on) are exported from here by name.

May import: :mod:`runaudit.training`, :mod:`runaudit.intake`,
:mod:`runaudit.reading` and the base modules.

The names below are imported from :mod:`.registry` on first use, so importing
:mod:`runaudit.rules.findings` (the command line's rule names) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "RULES_BY_ID",
    "RULE_EXERCISES",
    "RULE_IDS",
    "RULE_LIST",
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
    "rule_label",
    "rules_frame",
    "sort_findings",
    "suggested_cadence",
]


def __getattr__(name: str) -> Any:
    """Import the registry the first time one of its names (or a rule's function) is used."""
    registry = importlib.import_module("runaudit.rules.registry")
    if name in registry.__all__ or name in registry.FUNCTIONS:
        return getattr(registry, name)
    raise AttributeError(f"module 'runaudit.rules' has no attribute {name!r}")


if TYPE_CHECKING:
    from runaudit.rules.registry import (
        RULE_EXERCISES,
        RULE_IDS,
        RULE_LIST,
        RULES_BY_ID,
        analyze,
        format_date,
        format_distance,
        format_metres,
        format_ratio,
        rule_label,
        rules_frame,
        sort_findings,
        suggested_cadence,
    )
