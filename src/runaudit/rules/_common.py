"""Helpers shared by the analyzers (not public API)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from runaudit.rules.findings import SEVERITIES, Finding
from runaudit.rules.rule import Measure, Measures, Rule
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


def make_finding(
    rule: Rule,
    severity: str,
    week: date,
    message: str,
    measures: Iterable[Measure],
    weeks: Sequence[date] = (),
) -> Finding:
    """A :class:`Finding` of ``rule``: its id, exercises and evidence strength filled in."""
    return Finding(
        rule=rule.id,
        severity=severity,
        week_start=week,
        message=message,
        evidence=Measures(tuple(measures)),
        exercises=rule.exercises,
        weeks=tuple(weeks),
        evidence_strength=rule.evidence,
    )


def episodes(
    weeks: Sequence[Finding], starts_anew: Callable[[Finding, Finding], bool] | None = None
) -> list[list[Finding]]:
    """Group one rule's week findings (in week order) into episodes.

    Parameters
    ----------
    weeks : sequence of Finding
        One finding per flagged week, in week order.
    starts_anew : callable, optional
        ``starts_anew(previous, current)`` is True when ``current`` begins a new
        episode. By default a new episode begins unless ``current`` is the week
        right after ``previous``.

    Returns
    -------
    list of list of Finding
        The episodes, each one or more findings, in week order.
    """

    def gap(previous: Finding, current: Finding) -> bool:
        return current.week_start - previous.last_week != timedelta(days=7)

    split = starts_anew or gap
    out: list[list[Finding]] = []
    for f in weeks:
        if out and not split(out[-1][-1], f):
            out[-1].append(f)
        else:
            out.append([f])
    return out


def worst(parts: Sequence[Finding]) -> Finding:
    """The most severe of ``parts``, the latest among equals."""
    return max(reversed(parts), key=lambda f: SEVERITIES.index(f.severity))


def merge_episode(
    parts: Sequence[Finding],
    message: str,
    key: Finding | None = None,
    extra: Iterable[Measure] = (),
) -> Finding:
    """One finding for an episode of consecutive flagged weeks.

    ``week_start`` is the first week's, ``weeks`` every week's, ``severity`` the
    worst week's; ``evidence`` is ``key``'s (default: :func:`worst`), with ``extra``
    measures added, so the JSON keeps one week's keys.
    """
    first = parts[0]
    key = key if key is not None else worst(parts)
    return Finding(
        rule=first.rule,
        severity=worst(parts).severity,
        week_start=first.week_start,
        message=message,
        evidence=key.evidence.with_(*extra),
        exercises=first.exercises,
        weeks=tuple(w for f in parts for w in f.weeks),
        evidence_strength=first.evidence_strength,
    )
