"""Display units: the one place that knows how long a mile is."""

from __future__ import annotations

#: Kilometres in one statute mile.
KM_PER_MILE = 1.609344
#: Display units a person can choose (``--units``).
UNITS: tuple[str, ...] = ("km", "mi")


def km_to(value_km: float, units: str) -> float:
    """A distance in km expressed in ``units`` ("km" or "mi").

    >>> round(km_to(42.195, "mi"), 2)
    26.22
    """
    return value_km / KM_PER_MILE if units == "mi" else value_km
