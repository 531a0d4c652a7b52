"""Number and date formatting for finding messages.

Messages are read by runners, once: dates as ``3 Mar 2026``, distances rounded
to whole km or mi (one decimal under 10), ratios with at most two decimals.
Distances are stored in kilometres; :func:`format_distance` shows them in
kilometres or miles, as the analyzers' ``units`` parameter asks.

Examples
--------
>>> from datetime import date
>>> format_date(date(2026, 3, 3))
'3 Mar 2026'
>>> format_distance(48.27), format_distance(4.54), format_distance(48.27, "mi")
('48 km', '4.5 km', '30 mi')
>>> format_ratio(1.6), format_ratio(1.333)
('1.6', '1.33')
"""

from __future__ import annotations

import math
from datetime import date

from runaudit.units import KM_PER_MILE, UNITS, check_units, km_to

__all__ = [
    "KM_PER_MILE",
    "UNITS",
    "check_units",
    "format_date",
    "format_distance",
    "format_distances",
    "format_metres",
    "format_ratio",
    "format_ratio_against",
    "ordinal",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_distance(km: float, units: str = "km") -> str:
    """Format a distance for a message.

    Parameters
    ----------
    km : float
        Distance [km].
    units : {"km", "mi"}, default "km"
        Display unit; converted by :func:`runaudit.units.km_to`.

    Returns
    -------
    str
        Whole units from 10 up, one decimal below 10 (dropped when it is ``.0``),
        ``"n/a"`` for NaN.

    Raises
    ------
    ValueError
        If ``units`` is neither ``"km"`` nor ``"mi"``.

    Examples
    --------
    >>> format_distance(9.96), format_distance(9.0), format_distance(0.44)
    ('10 km', '9 km', '0.4 km')
    """
    check_units(units)
    if not math.isfinite(km):
        return "n/a"
    value = km_to(km, units)
    tenths = round(value, 1)
    if abs(tenths) >= 10 or tenths == int(tenths):
        return f"{round(value):,} {units}"
    return f"{tenths:.1f} {units}"


def format_metres(metres: float) -> str:
    """Format an elevation [m] as whole metres with a thousands separator.

    >>> format_metres(1234.4)
    '1,234 m'
    """
    return f"{round(metres):,} m" if math.isfinite(metres) else "n/a"


def format_date(day: date, year: bool = True) -> str:
    """Format a date as ``3 Mar 2026`` (or ``3 Mar`` with ``year=False``), locale-free.

    >>> format_date(date(2026, 1, 5), year=False)
    '5 Jan'
    """
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def format_ratio(ratio: float) -> str:
    """Format a ratio [-] with up to two decimals, trailing zeros dropped.

    Two decimals keep ``1.33`` distinguishable from a ``1.3`` threshold.

    >>> format_ratio(2.0), format_ratio(1.4375)
    ('2', '1.44')
    """
    return f"{ratio:.2f}".rstrip("0").rstrip(".")


def format_ratio_against(ratio: float, limit: float) -> str:
    """Format ``ratio`` so it never reads as equal to (or across) ``limit``.

    A ratio of 1.3004 flagged for being above 1.3 must not read "1.3": decimals
    are added (up to six) until the shown number sits on the same side of the
    limit as the ratio itself.

    >>> format_ratio_against(1.3004, 1.3), format_ratio_against(1.62, 1.3)
    ('1.3004', '1.62')
    >>> format_ratio_against(1.2996, 1.3)
    '1.2996'
    """
    for decimals in range(2, 7):
        shown = round(ratio, decimals)
        if (shown > limit) == (ratio > limit) and (shown < limit) == (ratio < limit):
            return f"{ratio:.{decimals}f}".rstrip("0").rstrip(".")
    return repr(ratio)


def format_distances(*km: float, units: str = "km") -> tuple[str, ...]:
    """Format several distances so that different ones never read the same.

    Each is formatted by :func:`format_distance`; when two different distances
    would read alike ("18 km" for 18.2 and 17.9), those get one decimal, then
    two, until they read apart; the others keep their usual form.

    >>> format_distances(18.2, 14.0, 17.94)
    ('18.2 km', '14 km', '17.9 km')
    >>> format_distances(48.0, 39.0)
    ('48 km', '39 km')
    """
    check_units(units)
    texts = tuple(format_distance(k, units) for k in km)

    for decimals in (1, 2):
        clashing = {
            i
            for i in range(len(km))
            for j in range(len(km))
            if i != j and texts[i] == texts[j] and km[i] != km[j]
        }
        if not clashing:
            break
        texts = tuple(
            f"{km_to(k, units):,.{decimals}f} {units}"
            if i in clashing and math.isfinite(k)
            else text
            for i, (k, text) in enumerate(zip(km, texts, strict=True))
        )
    return texts


def ordinal(n: int) -> str:
    """English ordinal of a positive integer.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
