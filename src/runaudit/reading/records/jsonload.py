"""Load a services' JSON file safely: depth-checked, one clear error (pure, no I/O)."""

from __future__ import annotations

import json
import math
from typing import Any

from runaudit.errors import ParseError
from runaudit.reading.records.garmin import MAX_JSON_DEPTH, _depth_ok


def load_json(data: bytes, name: str) -> Any:
    """The parsed document of one JSON file.

    Polar writes the bare token ``NaN`` for a sensor dropout inside sample
    lists (not JSON); it and ``Infinity`` are read as null.

    Raises
    ------
    ParseError
        Not JSON, or nested deeper than :data:`MAX_JSON_DEPTH` (named after ``name``).
    """
    if len(data) <= 4_000_000 and not _depth_ok(data, MAX_JSON_DEPTH):
        raise ParseError(f"{name}: JSON nested more than {MAX_JSON_DEPTH} levels deep; refused")
    try:
        return json.loads(data, parse_constant=lambda _token: None)
    except RecursionError as err:
        raise ParseError(f"{name}: JSON nested too deeply; refused") from err
    except (ValueError, UnicodeDecodeError) as err:
        raise ParseError(f"{name}: not valid JSON ({err})") from err


def number(value: object, scale: float = 1.0) -> float:
    """A finite JSON number times ``scale``, NaN for anything else (bools included).

    >>> number(5000, 1e-3), number("5"), number(True), number(None)
    (5.0, nan, nan, nan)
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    out = float(value) * scale
    return out if math.isfinite(out) else math.nan
