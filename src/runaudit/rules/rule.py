"""The records a rule is made of: :class:`Rule`, :class:`Evidence` and :class:`Measure`.

Each rule module declares one ``RULE = Rule(...)``; :mod:`runaudit.rules.registry`
finds them and everything that lists rules (the findings' order, the chart
legends, the exercise catalog, the command line's rule names) reads these
records. A :class:`Measure` is one number behind a finding with its unit, so a
page formats it without guessing from the key.

This module imports no pandas: the command line reads the rule names for
``--help``-free commands without loading the tables.

Examples
--------
>>> Measure("distance_km", 48.04, "km", "distance").format("mi")
'29.9 mi'
>>> Measure("acwr", 1.62, "ratio", "acute:chronic ratio").format()
'1.62×'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from runaudit.rules.messages import format_date
from runaudit.units import check_units, km_to

__all__ = ["EVIDENCE_KINDS", "UNITS_OF_MEASURE", "Evidence", "Measure", "Measures", "Rule"]

#: How strong the ground of a rule's threshold is, strongest first.
EVIDENCE_KINDS: tuple[str, ...] = (
    "randomised trial",
    "prospective cohort",
    "lab biomechanics",
    "clinical guidance",
    "expert practice",
)

#: The units a :class:`Measure` may carry, and what each means.
UNITS_OF_MEASURE: dict[str, str] = {
    "km": "distance [km]; shown in km or mi",
    "m": "elevation [m]",
    "spm": "cadence [steps/min]",
    "s": "duration [s]; shown as hours and minutes",
    "ratio": "multiple of a baseline [-]; shown as 1.62×",
    "fraction": "share [0-1]; shown as a percentage",
    "score": "pain score [0-10]",
    "weeks": "a count of weeks",
    "days": "a count of days",
    "date": "a day, stored as YYYY-MM-DD",
    "": "a label or flag without a unit",
}


@dataclass(frozen=True)
class Evidence:
    """What a rule's threshold rests on, and how strong that ground is.

    Attributes
    ----------
    kind : str
        The strongest design behind the threshold, one of :data:`EVIDENCE_KINDS`.
    summary : str
        One or two plain sentences: what was found, with the numbers, and how
        far it carries to this rule.
    references : tuple of str
        Short citations (author year, journal or article title).
    """

    kind: str
    summary: str
    references: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in EVIDENCE_KINDS:
            raise ValueError(f"evidence kind must be one of {EVIDENCE_KINDS}, got {self.kind!r}")
        if not self.summary.strip():
            raise ValueError("evidence needs a summary")

    def to_dict(self) -> dict[str, Any]:
        """``{"kind": ..., "summary": ..., "references": [...]}`` for JSON."""
        return {"kind": self.kind, "summary": self.summary, "references": list(self.references)}


@dataclass(frozen=True)
class Measure:
    """One number (or label) behind a finding, with its unit.

    Attributes
    ----------
    key : str
        The JSON key, units in the name as before (``distance_km``, ``acwr``).
    value : Any
        The stored value (already rounded as the JSON holds it): a number, a
        string, a bool, None, or for lists (knee-pain triggers) a list of dicts.
    unit : str
        One of :data:`UNITS_OF_MEASURE`.
    label : str
        Words for a person (``"previous longest run"``).
    shown : bool, default True
        False for bookkeeping a card does not show (an activity id).
    text : str, optional
        How a value that is not a plain number reads (the triggers as
        ``"descent 3.61×, trail share 4.84×"``); :meth:`format` returns it.
    """

    key: str
    value: Any
    unit: str = ""
    label: str = ""
    shown: bool = True
    text: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS_OF_MEASURE:
            raise ValueError(f"measure {self.key!r}: unknown unit {self.unit!r}")
        if not self.label:
            object.__setattr__(self, "label", self.key.replace("_", " "))

    def format(self, units: str = "km") -> str:
        """The value with its unit, for a card.

        Parameters
        ----------
        units : {"km", "mi"}, default "km"
            Display unit of distances (``unit == "km"``).

        Returns
        -------
        str
            ``"n/a"`` for None or NaN; ``yes``/``no`` for flags.

        Examples
        --------
        >>> Measure("share", 0.75, "fraction").format()
        '75%'
        >>> Measure("moving_time_s", 5400, "s").format()
        '1 h 30 min'
        >>> Measure("run_date", "2026-03-15", "date").format()
        '15 Mar 2026'
        """
        check_units(units)
        if self.text is not None:
            return self.text
        value = self.value
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if self.unit == "date":
            return format_date(date.fromisoformat(str(value)))
        if not isinstance(value, int | float):
            return str(value)
        number = float(value)
        if self.unit == "km":
            return f"{_number(km_to(number, units), 1)} {units}"
        if self.unit == "m":
            return f"{round(number):,} m"
        if self.unit == "spm":
            return f"{_number(number, 1)} spm"
        if self.unit == "s":
            minutes = round(number / 60)
            return f"{minutes // 60} h {minutes % 60:02d} min"
        if self.unit == "ratio":
            return f"{_number(number, 2)}×"
        if self.unit == "fraction":
            return f"{_number(number * 100, 0)}%"
        if self.unit == "score":
            return f"{_number(number, 1)}/10"
        if self.unit in ("weeks", "days"):
            word = self.unit if number != 1 else self.unit[:-1]
            return f"{_number(number, 0)} {word}"
        return _number(number, 2)


def _number(value: float, decimals: int) -> str:
    """``value`` with up to ``decimals`` decimals, trailing zeros dropped."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Measures(Mapping[str, Any]):
    """A finding's measures: read like the ``{key: value}`` dict the JSON holds.

    ``dict(measures)`` and ``measures["acwr"]`` give the stored values;
    :meth:`measure` and iteration over :attr:`all` give the :class:`Measure`
    records with their units. Immutable.

    Examples
    --------
    >>> m = Measures([Measure("acwr", 1.62, "ratio"), Measure("distance_km", 48.0, "km")])
    >>> dict(m), m.measure("distance_km").format("mi")
    ({'acwr': 1.62, 'distance_km': 48.0}, '29.8 mi')
    """

    __slots__ = ("_by_key",)

    def __init__(self, measures: Mapping[str, Any] | Iterable[Measure] = ()) -> None:
        by_key: dict[str, Measure] = {}
        if isinstance(measures, Mapping):
            # a plain dict (hand-built findings): values without units
            items = [
                v if isinstance(v, Measure) else Measure(str(k), v) for k, v in measures.items()
            ]
        else:
            items = list(measures)
        for m in items:
            if not isinstance(m, Measure):
                raise TypeError(f"expected Measure, got {type(m).__name__}")
            if m.key in by_key:
                raise ValueError(f"measure {m.key!r} given twice")
            by_key[m.key] = m
        self._by_key = by_key

    def __getitem__(self, key: str) -> Any:
        return self._by_key[key].value

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def __repr__(self) -> str:
        return f"Measures({dict(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Measures):
            return self.all == other.all
        if isinstance(other, Mapping):
            return dict(self) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    @property
    def all(self) -> tuple[Measure, ...]:
        """Every :class:`Measure`, in order."""
        return tuple(self._by_key.values())

    def measure(self, key: str) -> Measure:
        """The :class:`Measure` stored under ``key`` (``KeyError`` if none)."""
        return self._by_key[key]

    def with_(self, *measures: Measure) -> Measures:
        """A copy with ``measures`` added (replacing those with the same key)."""
        by_key = dict(self._by_key)
        for m in measures:
            by_key[m.key] = m
        return Measures(tuple(by_key.values()))


@dataclass(frozen=True)
class Rule:
    """Everything about one rule, declared once in its module as ``RULE``.

    Attributes
    ----------
    id : str
        The rule id in findings, JSON and the catalog (``"ramp_up"``).
    label : str
        The one name a person reads for it: chart legend, card title, list.
    find : callable
        The rule's function (``find_ramp_ups``); takes the table(s) named by
        ``table``, a :class:`~runaudit.thresholds.Thresholds` and ``units=``.
    table : str
        ``"weekly"`` or ``"activities"``: what :func:`~runaudit.rules.analyze`
        passes first (``knee_pain`` takes both: ``"weekly+activities"``).
    inputs : tuple of str
        Table columns the rule reads.
    thresholds : tuple of str
        :class:`~runaudit.thresholds.Thresholds` field names it reads.
    exercises : tuple of str
        Exercise catalog ids, most relevant first.
    evidence : Evidence
        What the threshold rests on and how strong that is.
    description : str
        One line saying what pattern the rule flags.
    per_run : bool
        True when each finding is about one run (never merged into episodes);
        False when findings are weeks and consecutive weeks are one episode.
    rank : int
        Position in report order among findings of the same week (lower first).
    """

    id: str
    label: str
    find: Callable[..., Any] = field(repr=False)
    table: str
    inputs: tuple[str, ...]
    thresholds: tuple[str, ...]
    exercises: tuple[str, ...]
    evidence: Evidence
    description: str
    per_run: bool = False
    rank: int = 100

    def __post_init__(self) -> None:
        if self.table not in ("weekly", "activities", "weekly+activities"):
            raise ValueError(f"rule {self.id!r}: unknown table {self.table!r}")
        if not self.exercises:
            raise ValueError(f"rule {self.id!r} names no exercises")
