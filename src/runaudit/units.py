"""Display units: the one place that knows how long a mile is.

Every km→mi conversion (finding messages, the tables for people, the report's
evidence tables and charts) goes through :func:`km_to`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Kilometres in one statute mile.
KM_PER_MILE = 1.609344
#: Display units a person can choose (``--units``).
UNITS: tuple[str, ...] = ("km", "mi")


def check_units(units: str) -> str:
    """Return ``units`` if it is a known distance unit.

    Parameters
    ----------
    units : str
        ``"km"`` or ``"mi"``.

    Returns
    -------
    str
        ``units``, unchanged.

    Raises
    ------
    ValueError
        If ``units`` is neither ``"km"`` nor ``"mi"``.

    Examples
    --------
    >>> check_units("mi")
    'mi'
    """
    if units not in UNITS:
        raise ValueError(f"units must be 'km' or 'mi', got {units!r}")
    return units


@overload
def km_to(value_km: float, units: str) -> float: ...
@overload
def km_to(value_km: pd.Series, units: str) -> pd.Series: ...
@overload
def km_to(value_km: np.ndarray, units: str) -> np.ndarray: ...
def km_to(value_km: Any, units: str) -> Any:
    """A distance in km expressed in ``units`` ("km" or "mi").

    Parameters
    ----------
    value_km : float, numpy.ndarray or pandas.Series
        Distance(s) [km].
    units : {"km", "mi"}
        Display unit.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        The same kind of value in ``units``; ``value_km`` itself for ``"km"``.

    Raises
    ------
    ValueError
        If ``units`` is neither ``"km"`` nor ``"mi"``.

    Examples
    --------
    >>> round(km_to(42.195, "mi"), 2)
    26.22
    """
    return value_km / KM_PER_MILE if check_units(units) == "mi" else value_km
