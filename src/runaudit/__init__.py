"""runaudit: audit a runner's training export for the patterns linked to runner's knee.

The library works on plain pandas DataFrames; one call reads and audits an
export::

    >>> import runaudit
    >>> audit = runaudit.load_export("sample_data")           # doctest: +SKIP
    >>> audit.weekly[["week_start", "distance_km", "acwr"]]  # doctest: +SKIP
    >>> [f.message for f in audit.findings]                   # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from .analyzers import analyze
from .audit import Audit, Recommendation, audit_ingest, findings_frame, load_export, recommend
from .errors import ConfigError, InputError, LimitError, ParseError, RunauditError
from .findings import Finding
from .ingest import Ingest, LedgerEntry, ingest
from .sources import Limits, Source, discover
from .tables import ACTIVITY_COLUMNS, WEEKLY_COLUMNS, activities_frame, weekly_table
from .thresholds import Thresholds, load_thresholds

__all__ = [
    "ACTIVITY_COLUMNS",
    "WEEKLY_COLUMNS",
    "Audit",
    "ConfigError",
    "Finding",
    "Ingest",
    "InputError",
    "LedgerEntry",
    "LimitError",
    "Limits",
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
