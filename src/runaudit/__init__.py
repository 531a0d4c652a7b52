"""runaudit: audit a runner's training export for the patterns linked to runner's knee.

The library works on plain pandas DataFrames; one call reads and audits an
export::

    >>> import runaudit
    >>> audit = runaudit.load_export("sample_data")           # doctest: +SKIP
    >>> audit.weekly[["week_start", "distance_km", "acwr"]]  # doctest: +SKIP
    >>> [f.message for f in audit.findings]                   # doctest: +SKIP

The public names below are imported on first use (PEP 562), so ``import
runaudit`` and ``runaudit --version`` do not pay for pandas and the parsers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "analyze": ".rules",
    "Audit": ".audit",
    "Recommendation": ".audit",
    "audit_ingest": ".audit",
    "findings_frame": ".audit",
    "load_export": ".audit",
    "recommend": ".audit",
    "ConfigError": ".errors",
    "InputError": ".errors",
    "Interrupted": ".errors",
    "LimitError": ".errors",
    "NoRunsError": ".errors",
    "ParseError": ".errors",
    "RunauditError": ".errors",
    "Finding": ".rules.findings",
    "Ingest": ".intake.pipeline",
    "LedgerEntry": ".intake.pipeline",
    "ingest": ".intake.pipeline",
    "Limits": ".reading.sources",
    "ReadOptions": ".reading.options",
    "Source": ".reading.sources",
    "discover": ".reading.sources",
    "ACTIVITY_COLUMNS": ".intake.activities",
    "WEEKLY_COLUMNS": ".training.weekly",
    "activities_frame": ".intake.activities",
    "weekly_table": ".training.weekly",
    "Thresholds": ".thresholds",
    "load_thresholds": ".thresholds",
}

__all__ = [
    "ACTIVITY_COLUMNS",
    "WEEKLY_COLUMNS",
    "Audit",
    "ConfigError",
    "Finding",
    "Ingest",
    "InputError",
    "Interrupted",
    "LedgerEntry",
    "LimitError",
    "Limits",
    "NoRunsError",
    "ParseError",
    "ReadOptions",
    "Recommendation",
    "RunauditError",
    "Source",
    "Thresholds",
    "__version__",
    "activities_frame",
    "analyze",
    "audit_ingest",
    "discover",
    "findings_frame",
    "ingest",
    "load_export",
    "load_thresholds",
    "recommend",
    "weekly_table",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module the first time the name is used."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'runaudit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # the names as mypy and editors see them
    from runaudit.audit import (
        Audit,
        Recommendation,
        audit_ingest,
        findings_frame,
        load_export,
        recommend,
    )
    from runaudit.errors import (
        ConfigError,
        InputError,
        LimitError,
        NoRunsError,
        ParseError,
        RunauditError,
    )
    from runaudit.intake.activities import ACTIVITY_COLUMNS, activities_frame
    from runaudit.intake.pipeline import Ingest, LedgerEntry, ingest
    from runaudit.reading.options import ReadOptions
    from runaudit.reading.sources import Limits, Source, discover
    from runaudit.rules import analyze
    from runaudit.rules.findings import Finding
    from runaudit.thresholds import Thresholds, load_thresholds
    from runaudit.training.weekly import WEEKLY_COLUMNS, weekly_table
