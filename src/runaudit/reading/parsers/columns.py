"""Vectorised conversions the one-pass XML readers share: numbers and ISO 8601 times.

Each turns a list of strings (from lxml, one per point) into a NumPy column
in one call, with the same results as converting each string on its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Column positions of the fixed ``YYYY-MM-DDTHH:MM:SS`` prefix.
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_SEPARATORS = np.array([4, 7, 10, 13, 16])
_SEPARATOR_CODES = np.array([ord(c) for c in "--T::"], dtype=np.uint32)


def plain_iso_nanos(times: list[Any]) -> np.ndarray | None:
    """The common forms (``...T06:30:00Z``, with fractions, or naive) in one NumPy call.

    Returns nanoseconds since 1970, or None when any time is in another form
    (an offset...) or outside 1980..2099, for a slower reader.
    """
    text = np.asarray(times, dtype=str)
    width = text.dtype.itemsize // 4
    if not 19 <= width <= 30:
        return None
    codes = np.ascontiguousarray(text).view(np.uint32).reshape(len(times), width)
    head = codes[:, :19]
    if not (
        ((head[:, _DIGITS] >= 48) & (head[:, _DIGITS] <= 57)).all()
        and (head[:, _SEPARATORS] == _SEPARATOR_CODES).all()
    ):
        return None
    length = np.count_nonzero(codes, axis=1)  # XML text holds no NUL characters
    rows = np.arange(len(times))
    zulu = codes[rows, length - 1] == ord("Z")
    core = length - zulu  # the length without the "Z"
    column = np.arange(width)
    in_fraction = (column >= 20) & (column < core[:, None])
    tail_ok = np.where(in_fraction, (codes >= 48) & (codes <= 57), True)
    dot_ok = np.where(core > 19, codes[:, min(19, width - 1)] == ord("."), True)
    length_ok = (core == 19) | ((core >= 21) & (core <= 29))  # no fraction, or 1-9 digits
    if not (tail_ok.all() and dot_ok.all() and length_ok.all()):
        return None
    year = (head[:, :4].astype(np.int64) - 48) @ np.array([1000, 100, 10, 1])
    if not ((year >= 1980) & (year <= 2099)).all():  # safe for nanoseconds, and plausible
        return None
    if zulu.any():
        codes = codes.copy()
        codes[rows[zulu], length[zulu] - 1] = 0
    try:
        stamps = codes.view(text.dtype).reshape(len(times)).astype("datetime64[ns]")
    except ValueError:  # month 13, day 32...: left to the slower reader
        return None
    return stamps.astype(np.int64)


def floats(values: list[Any]) -> np.ndarray:
    """Strings to floats in one call; missing or unreadable values become NaN.

    NumPy reads each string as Python's ``float`` does (surrounding white
    space allowed, so a blank value is unreadable, hence NaN).
    """
    if None in values:
        values = ["nan" if v is None else v for v in values]
    try:
        return np.array(values, dtype=np.float64)
    except (ValueError, OverflowError):
        return np.array([_one_float(v) for v in values], dtype=np.float64)


def _one_float(value: str | None) -> float:
    try:
        return float(value) if value is not None else np.nan
    except (ValueError, OverflowError):
        return np.nan


def in_range(values: np.ndarray, low: float, high: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where((values >= low) & (values <= high), values, np.nan)
