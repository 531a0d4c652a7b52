"""Rules: one module per rule, from the training tables to lists of findings.

``registry`` collects the rule modules and runs them (:func:`analyze`);
``findings`` holds the :class:`Finding` record; ``messages`` formats the
numbers in a finding's sentence; ``_common`` the helpers the rules share.

May import: :mod:`runaudit.training`, :mod:`runaudit.intake`,
:mod:`runaudit.reading` and the base modules.

The names below are imported from :mod:`.registry` on first use, so importing
:mod:`runaudit.rules.findings` (the command line's rule names) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    """Import the registry the first time one of its names is used."""
    if name not in __all__:
        raise AttributeError(f"module 'runaudit.rules' has no attribute {name!r}")
    return getattr(importlib.import_module("runaudit.rules.registry"), name)


if TYPE_CHECKING:
    from runaudit.rules.registry import (
        RULE_EXERCISES,
        analyze,
        find_downhill_spikes,
        find_knee_pain,
        find_long_run_spikes,
        find_low_cadence,
        find_missing_deloads,
        find_ramp_ups,
        find_shoe_changes,
        find_surface_changes,
        format_date,
        format_distance,
        format_metres,
        format_ratio,
        sort_findings,
        suggested_cadence,
    )
