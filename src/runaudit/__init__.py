"""runaudit: audit a runner's training export for the patterns linked to runner's knee.

The library works on plain pandas DataFrames::

    >>> import runaudit
    >>> result = runaudit.ingest(["sample_data"])          # doctest: +SKIP
    >>> weekly = runaudit.weekly_table(result.activities, result.cadence_hist)  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import ConfigError, InputError, LimitError, ParseError, RunauditError
from .ingest import Ingest, LedgerEntry, ingest
from .sources import Limits, Source, discover
from .tables import ACTIVITY_COLUMNS, WEEKLY_COLUMNS, activities_frame, weekly_table

__all__ = [
    "ACTIVITY_COLUMNS",
    "WEEKLY_COLUMNS",
    "ConfigError",
    "Ingest",
    "InputError",
    "LedgerEntry",
    "LimitError",
    "Limits",
    "ParseError",
    "RunauditError",
    "Source",
    "__version__",
    "activities_frame",
    "discover",
    "ingest",
    "weekly_table",
]
