"""Helpers shared by the analyzers (not public API)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from runaudit.thresholds import Thresholds

_WEEK = pd.Timedelta(days=7)


def resolve(thresholds: Thresholds | None) -> Thresholds:
    """The given thresholds, or the defaults."""
    return Thresholds() if thresholds is None else thresholds


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """Raise ``ValueError`` naming the columns ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the {name} table lacks column(s) {', '.join(missing)}")


def to_date(value: Any) -> date:
    """A timestamp-like value as a :class:`datetime.date`."""
    return pd.Timestamp(value).date()


def iso(value: Any) -> str:
    """A timestamp-like value as ``YYYY-MM-DD``."""
    return to_date(value).isoformat()


def complete_weeks(
    weekly: pd.DataFrame, zero_fill: Sequence[str], keep: Sequence[str] = ()
) -> pd.DataFrame:
    """Copy of the weekly columns a rule needs, one row per week with no week missing.

    The weekly table contract already lists every week between the first and the
    last run; hand-built frames may not, and a rule that averages "the 4 weeks
    before" must count a week without running as a week. Missing weeks are
    inserted; ``zero_fill`` columns read 0 there (and where NaN), ``keep``
    columns stay NaN.

    Parameters
    ----------
    weekly : pandas.DataFrame
        Table with ``week_start`` (Mondays) and the named columns. Not modified.
    zero_fill, keep : sequence of str
        Columns to carry over.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``week_start`` (tz-naive ``DatetimeIndex``, 7-day steps, sorted),
        float columns ``zero_fill`` then ``keep``.

    Raises
    ------
    ValueError
        If a column is missing, a week appears twice, or the week starts are not
        whole weeks apart.
    """
    columns = [*zero_fill, *keep]
    require_columns(weekly, ["week_start", *columns], "weekly")
    starts = pd.DatetimeIndex(pd.to_datetime(weekly["week_start"]))
    if starts.tz is not None:
        starts = starts.tz_localize(None)
    data = pd.DataFrame(
        {c: pd.to_numeric(weekly[c], errors="coerce").to_numpy(dtype=float) for c in columns},
        index=starts,
    ).sort_index()
    if data.index.hasnans:
        raise ValueError("the weekly table has a missing week_start")
    if data.index.has_duplicates:
        dup = data.index[data.index.duplicated()][0]
        raise ValueError(f"the weekly table lists the week of {iso(dup)} twice")
    offsets = (data.index - data.index[0]) / _WEEK
    if not np.all(np.equal(np.mod(offsets, 1), 0)):
        raise ValueError("the weekly table's week_start values are not whole weeks apart")
    full = pd.date_range(data.index[0], data.index[-1], freq="7D", name="week_start")
    data = data.reindex(full)
    data[list(zero_fill)] = data[list(zero_fill)].fillna(0.0)
    return data
