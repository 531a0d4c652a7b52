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
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "analyze": ".analyzers",
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
    "Finding": ".findings",
    "Ingest": ".ingest",
    "LedgerEntry": ".ingest",
    "ingest": ".ingest",
    "Limits": ".sources",
    "Source": ".sources",
    "discover": ".sources",
    "ACTIVITY_COLUMNS": ".tables",
    "WEEKLY_COLUMNS": ".tables",
    "activities_frame": ".tables",
    "weekly_table": ".tables",
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


class _Package(types.ModuleType):
    """The package module: a submodule named like a public function keeps the function.

    Importing ``runaudit.ingest`` (the module) makes Python set the package's
    ``ingest`` attribute to that module, which would shadow the public
    ``runaudit.ingest()`` function; the function stays the attribute instead.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == f".{name}":
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # the names as mypy and editors see them
    from .analyzers import analyze
    from .audit import Audit, Recommendation, audit_ingest, findings_frame, load_export, recommend
    from .errors import (
        ConfigError,
        InputError,
        LimitError,
        NoRunsError,
        ParseError,
        RunauditError,
    )
    from .findings import Finding
    from .ingest import Ingest, LedgerEntry, ingest
    from .sources import Limits, Source, discover
    from .tables import ACTIVITY_COLUMNS, WEEKLY_COLUMNS, activities_frame, weekly_table
    from .thresholds import Thresholds, load_thresholds
