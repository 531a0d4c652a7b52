"""Exercise catalog for runner's knee (patellofemoral pain) and its loader.

The catalog lives in ``catalog.toml`` next to this module. It maps each audit rule id
(see :data:`RULES`) to strengthening exercises, most relevant first, and carries general
load-management advice, red flags that call for a clinician, a disclaimer and the list of
source articles every entry cites.

Examples
--------
>>> from runaudit.advice.exercises import exercises_for_rule
>>> [ex.id for ex in exercises_for_rule("downhill_volume")][:1]
['forward_step_down']
"""

from __future__ import annotations

import dataclasses
import functools
import re
import textwrap
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from runaudit.rules import RULE_LIST
from runaudit.rules.findings import CATALOG_GROUPS

__all__ = [
    "RULES",
    "Advice",
    "Catalog",
    "Citation",
    "Dose",
    "Exercise",
    "RedFlag",
    "exercise_to_dict",
    "exercises_for_rule",
    "format_catalog",
    "format_exercise",
    "load_catalog",
    "parse_catalog",
]

RULES: tuple[str, ...] = (*(rule.id for rule in RULE_LIST), *CATALOG_GROUPS)
"""The rules (from their records) plus ``hip_control`` (the hip and trunk group the articles
give every runner with knee pain), which the catalog's ``[groups]`` defines."""

KINDS: tuple[str, ...] = ("strength", "plyometric", "mobility", "drill", "programming")
"""Allowed values of :attr:`Exercise.kind`."""

CATALOG_FILE = "catalog.toml"
_ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_WRAP = 88


@dataclass(frozen=True)
class Dose:
    """Structured prescription for one exercise.

    Attributes
    ----------
    sets : int
        Number of sets (or holds / bouts). Always at least 1.
    reps : int or None
        Repetitions per set; ``None`` for timed holds or programming items. When a source
        gives a range this is its low end.
    hold_s : int or None
        Seconds per hold or per timed set; ``None`` when not timed.
    per_side : bool
        Whether ``sets``/``reps``/``hold_s`` apply to each leg (or side) separately.
    frequency : str
        How often to do it, e.g. ``"3x per week"`` or ``"daily"``.
    """

    sets: int
    reps: int | None
    hold_s: int | None
    per_side: bool
    frequency: str


@dataclass(frozen=True)
class Exercise:
    """One catalog entry: an exercise, drill, mobility item or programming item.

    Attributes
    ----------
    id : str
        Stable snake_case identifier used by ``[rules]``.
    name : str
        Human-readable name.
    kind : str
        One of :data:`KINDS`.
    targets : str
        One sentence on what it strengthens and why it matters for the knee.
    steps : tuple of str
        Three to five short imperative instructions.
    dose : Dose
        Structured prescription.
    dose_text : str
        The prescription in words, including any ranges.
    dose_from_source : bool
        ``True`` if the core dose comes from the cited articles, ``False`` if it is a
        conservative default chosen by runaudit.
    progression : str
        How to make it harder.
    regression : str
        How to make it easier.
    sources : tuple of str
        Titles of the source articles that describe it.
    """

    id: str
    name: str
    kind: str
    targets: str
    steps: tuple[str, ...]
    dose: Dose
    dose_text: str
    dose_from_source: bool
    progression: str
    regression: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Citation:
    """A source article cited by the catalog.

    Attributes
    ----------
    id : str
        Short identifier such as ``"seed-000"``.
    title : str
        The article's title; entries cite sources by this exact string.
    file : str
        File name of the article text in the shared seeds folder.
    """

    id: str
    title: str
    file: str


@dataclass(frozen=True)
class Advice:
    """A piece of general training advice.

    Attributes
    ----------
    id : str
        Identifier (the key under ``[advice]``).
    title : str
        Short heading.
    text : str
        The advice itself.
    sources : tuple of str
        Titles of the articles it is drawn from.
    """

    id: str
    title: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RedFlag:
    """A warning sign that needs a clinician rather than self-management.

    Attributes
    ----------
    id : str
        Identifier (the key under ``[red_flags]``).
    sign : str
        The symptom to watch for.
    action : str
        What to do about it.
    sources : tuple of str
        Titles of the articles it is drawn from.
    """

    id: str
    sign: str
    action: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """The whole parsed and validated catalog.

    The container attributes are shared by every caller of the cached
    :func:`load_catalog`; treat them as read-only.

    Attributes
    ----------
    exercises : dict of str to Exercise
        Entries keyed by id, in file order.
    rules : dict of str to tuple of str
        Rule id to exercise ids, most relevant first, in :data:`RULES` order.
    rule_descriptions : dict of str to str
        Rule id to a one-line explanation of the pattern it flags (a rule's from its
        record, ``Rule.description``; a group's from ``[group_descriptions]``).
    advice : tuple of Advice
        General load-management advice, in file order.
    red_flags : tuple of RedFlag
        Warning signs that need a clinician, in file order.
    disclaimer : str
        Not-medical-advice notice to show with any recommendation.
    sources : tuple of Citation
        The articles the catalog is drawn from.
    """

    exercises: dict[str, Exercise]
    rules: dict[str, tuple[str, ...]]
    rule_descriptions: dict[str, str]
    advice: tuple[Advice, ...]
    red_flags: tuple[RedFlag, ...]
    disclaimer: str
    sources: tuple[Citation, ...]


# --------------------------------------------------------------------------------------------
# Parsing and validation
# --------------------------------------------------------------------------------------------


def _get(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """Return ``table[key]`` after checking it exists and has the expected type."""
    if not isinstance(table, Mapping):
        raise ValueError(f"catalog: {where} must be a table, got {type(table).__name__}")
    if key not in table:
        raise ValueError(f"catalog: {where} is missing required field {key!r}")
    value = table[key]
    # bool is a subclass of int; never accept it where an int is expected.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ValueError(f"catalog: {where}.{key} must not be a boolean")
    if not isinstance(value, kind):
        raise ValueError(
            f"catalog: {where}.{key} has type {type(value).__name__}, expected {kind!r}"
        )
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"catalog: {where}.{key} is empty")
    return value


def _str_tuple(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    """Return ``table[key]`` as a tuple of non-empty strings."""
    items = _get(table, key, list, where)
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise ValueError(f"catalog: {where}.{key} must be a list of non-empty strings")
    return tuple(items)


def _optional_positive_int(table: Mapping[str, Any], key: str, where: str) -> int | None:
    """Return ``table[key]`` as a positive int, or ``None`` if the key is absent."""
    if key not in table:
        return None
    value = _get(table, key, int, where)
    if value < 1:
        raise ValueError(f"catalog: {where}.{key} must be positive, got {value}")
    return int(value)


def _check_sources(cited: tuple[str, ...], known: set[str], where: str) -> None:
    """Raise ``ValueError`` unless ``cited`` is non-empty and every title is known."""
    if not cited:
        raise ValueError(f"catalog: {where} cites no source")
    unknown = [title for title in cited if title not in known]
    if unknown:
        raise ValueError(
            f"catalog: {where} cites unknown source title(s) {unknown}; "
            f"known titles are {sorted(known)}"
        )


def _parse_dose(table: Mapping[str, Any], where: str) -> Dose:
    """Build a :class:`Dose` from an ``[exercises.dose]`` table."""
    sets = _get(table, "sets", int, where)
    if sets < 1:
        raise ValueError(f"catalog: {where}.sets must be at least 1, got {sets}")
    return Dose(
        sets=int(sets),
        reps=_optional_positive_int(table, "reps", where),
        hold_s=_optional_positive_int(table, "hold_s", where),
        per_side=_get(table, "per_side", bool, where),
        frequency=_get(table, "frequency", str, where),
    )


def _parse_exercise(table: Mapping[str, Any], index: int, known: set[str]) -> Exercise:
    """Build and validate one :class:`Exercise` from an ``[[exercises]]`` table."""
    ex_id = _get(table, "id", str, f"exercises[{index}]")
    where = f"exercise {ex_id!r}"
    if not _ID_RE.match(ex_id):
        raise ValueError(f"catalog: {where} id must be snake_case")
    kind = _get(table, "kind", str, where)
    if kind not in KINDS:
        raise ValueError(f"catalog: {where} has kind {kind!r}; expected one of {KINDS}")
    steps = _str_tuple(table, "steps", where)
    if not 3 <= len(steps) <= 5:
        raise ValueError(f"catalog: {where} must have 3-5 steps, has {len(steps)}")
    sources = _str_tuple(table, "sources", where)
    _check_sources(sources, known, where)
    return Exercise(
        id=ex_id,
        name=_get(table, "name", str, where),
        kind=kind,
        targets=_get(table, "targets", str, where),
        steps=steps,
        dose=_parse_dose(_get(table, "dose", dict, where), f"{where}.dose"),
        dose_text=_get(table, "dose_text", str, where),
        dose_from_source=_get(table, "dose_from_source", bool, where),
        progression=_get(table, "progression", str, where),
        regression=_get(table, "regression", str, where),
        sources=sources,
    )


def parse_catalog(data: Mapping[str, Any]) -> Catalog:
    """Build and validate a :class:`Catalog` from the parsed TOML document.

    Parameters
    ----------
    data : mapping
        The document as returned by :func:`tomllib.loads`.

    Returns
    -------
    Catalog
        The validated catalog.

    Raises
    ------
    ValueError
        If a field is missing or mistyped, an id is duplicated, a rule is missing or names an
        unknown exercise, or an entry cites no source or a title not in ``[[sources]]``.
    """
    sources: list[Citation] = []
    for i, table in enumerate(_get(data, "sources", list, "document")):
        where = f"sources[{i}]"
        sources.append(
            Citation(
                id=_get(table, "id", str, where),
                title=_get(table, "title", str, where),
                file=_get(table, "file", str, where),
            )
        )
    if not sources:
        raise ValueError("catalog: [[sources]] is empty")
    known = {s.title for s in sources}
    if len(known) != len(sources) or len({s.id for s in sources}) != len(sources):
        raise ValueError("catalog: [[sources]] contains a duplicate id or title")

    exercises: dict[str, Exercise] = {}
    for i, table in enumerate(_get(data, "exercises", list, "document")):
        ex = _parse_exercise(table, i, known)
        if ex.id in exercises:
            raise ValueError(f"catalog: exercise id {ex.id!r} is defined more than once")
        exercises[ex.id] = ex

    groups = _get(data, "groups", dict, "document")
    records = {rule.id: rule for rule in RULE_LIST}
    missing = [rule for rule in RULES if rule not in records and rule not in groups]
    if missing:
        raise ValueError(f"catalog: [groups] must define {missing}")
    rules: dict[str, tuple[str, ...]] = {}
    for rule in RULES:
        ids = (
            tuple(records[rule].exercises)
            if rule in records
            else _str_tuple(groups, rule, "groups")
        )
        if not ids:
            raise ValueError(f"catalog: rule {rule!r} lists no exercises")
        unknown = [ex_id for ex_id in ids if ex_id not in exercises]
        if unknown:
            raise ValueError(f"catalog: rule {rule!r} refers to unknown exercise id(s) {unknown}")
        if len(set(ids)) != len(ids):
            raise ValueError(f"catalog: rule {rule!r} lists an exercise more than once")
        rules[rule] = ids

    raw_desc = _get(data, "group_descriptions", dict, "document")
    rule_descriptions = {
        rule: (
            records[rule].description
            if rule in records
            else _get(raw_desc, rule, str, "group_descriptions")
        )
        for rule in RULES
    }

    advice: list[Advice] = []
    for adv_id, table in _get(data, "advice", dict, "document").items():
        where = f"advice {adv_id!r}"
        adv_sources = _str_tuple(table, "sources", where)
        _check_sources(adv_sources, known, where)
        advice.append(
            Advice(
                id=adv_id,
                title=_get(table, "title", str, where),
                text=" ".join(_get(table, "text", str, where).split()),
                sources=adv_sources,
            )
        )

    red_flags: list[RedFlag] = []
    for flag_id, table in _get(data, "red_flags", dict, "document").items():
        where = f"red flag {flag_id!r}"
        flag_sources = _str_tuple(table, "sources", where)
        _check_sources(flag_sources, known, where)
        red_flags.append(
            RedFlag(
                id=flag_id,
                sign=_get(table, "sign", str, where),
                action=_get(table, "action", str, where),
                sources=flag_sources,
            )
        )
    if not red_flags:
        raise ValueError("catalog: [red_flags] is empty")

    disclaimer = " ".join(_get(data, "disclaimer", str, "document").split())

    return Catalog(
        exercises=exercises,
        rules=rules,
        rule_descriptions=rule_descriptions,
        advice=tuple(advice),
        red_flags=tuple(red_flags),
        disclaimer=disclaimer,
        sources=tuple(sources),
    )


@functools.cache
def load_catalog() -> Catalog:
    """Load, validate and cache the packaged exercise catalog.

    Returns
    -------
    Catalog
        The catalog read from ``runaudit/exercises/catalog.toml``. The same object is
        returned on every call; do not mutate it.

    Raises
    ------
    ValueError
        If the catalog fails validation (see :func:`parse_catalog`).
    tomllib.TOMLDecodeError
        If the file is not valid TOML.
    """
    text = resources.files(__name__).joinpath(CATALOG_FILE).read_text(encoding="utf-8")
    return parse_catalog(tomllib.loads(text))


def exercises_for_rule(rule: str) -> tuple[Exercise, ...]:
    """Return the exercises recommended for a rule, most relevant first.

    Parameters
    ----------
    rule : str
        One of :data:`RULES`.

    Returns
    -------
    tuple of Exercise
        The rule's exercises in catalog priority order.

    Raises
    ------
    KeyError
        If ``rule`` is not a known rule id; the message lists the known ones.
    """
    catalog = load_catalog()
    if rule not in catalog.rules:
        raise KeyError(f"unknown rule {rule!r}; known rules: {', '.join(catalog.rules)}")
    return tuple(catalog.exercises[ex_id] for ex_id in catalog.rules[rule])


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def exercise_to_dict(ex: Exercise) -> dict[str, Any]:
    """Convert an exercise to plain JSON-ready types.

    Parameters
    ----------
    ex : Exercise
        The exercise to convert.

    Returns
    -------
    dict
        The exercise's fields with tuples turned into lists and ``dose`` into a nested dict;
        ``reps``/``hold_s`` are ``None`` when not applicable.
    """
    out = dataclasses.asdict(ex)
    out["steps"] = list(ex.steps)
    out["sources"] = list(ex.sources)
    return out


def _wrap(text: str, indent: str, first: str | None = None) -> str:
    """Wrap ``text`` to the terminal width with a hanging indent."""
    return textwrap.fill(
        text,
        width=_WRAP,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def _field(label: str, text: str, indent: str = "   ") -> str:
    """Render ``label: text`` wrapped under ``indent``."""
    first = f"{indent}{label}: "
    return _wrap(text, indent + " " * (len(label) + 2), first=first)


def format_exercise(ex: Exercise) -> str:
    """Render one exercise as plain text for a terminal.

    Parameters
    ----------
    ex : Exercise
        The exercise to render.

    Returns
    -------
    str
        Name, targets, dose, numbered steps, progression, regression and sources, without a
        trailing newline.
    """
    dose = ex.dose_text if ex.dose_from_source else f"{ex.dose_text} (suggested default)"
    lines = [ex.name, _field("Targets", ex.targets), _field("Dose", dose), "   Steps:"]
    lines += [_wrap(step, "        ", first=f"     {n}. ") for n, step in enumerate(ex.steps, 1)]
    lines.append(_field("Progression", ex.progression))
    lines.append(_field("Regression", ex.regression))
    lines.append(_field("Sources", "; ".join(ex.sources)))
    return "\n".join(lines)


def format_catalog(rule: str | None = None) -> str:
    """Render the catalog, or one rule's exercises, as plain text for a terminal.

    Parameters
    ----------
    rule : str, optional
        A rule id from :data:`RULES`. If given, a heading names the rule and its exercises
        follow in priority order, each rendered with :func:`format_exercise`. If omitted,
        every rule is listed with its exercise names, followed by the advice, red flags and
        disclaimer.

    Returns
    -------
    str
        The rendered text, ending with a newline.

    Raises
    ------
    KeyError
        If ``rule`` is not a known rule id.
    """
    catalog = load_catalog()
    out: list[str] = []
    if rule is not None:
        exercises = exercises_for_rule(rule)
        out.append(f"Exercises for rule '{rule}'")
        out.append(_wrap(catalog.rule_descriptions[rule], "  "))
        out.append("")
        for n, ex in enumerate(exercises, 1):
            out.append(f"{n}. {format_exercise(ex)}")
            out.append("")
        signs = "; ".join(flag.sign.rstrip(".").lower() for flag in catalog.red_flags)
        out.append(_wrap(f"See a doctor or physical therapist if you notice: {signs}.", ""))
        out.append("")
        out.append(_wrap(catalog.disclaimer, ""))
        return "\n".join(out) + "\n"

    out.append("Exercises by rule")
    out.append("")
    for rule_id, ids in catalog.rules.items():
        out.append(f"{rule_id}: {catalog.rule_descriptions[rule_id]}")
        out += [f"  {n}. {catalog.exercises[ex_id].name}" for n, ex_id in enumerate(ids, 1)]
        out.append("")
    out.append("Run `runaudit exercises RULE` for full instructions.")
    out.append("")
    out.append("Training advice")
    for adv in catalog.advice:
        out.append(_wrap(f"{adv.title}: {adv.text}", "    ", first="  - "))
    out.append("")
    out.append("Red flags (warning signs that need a clinician)")
    for flag in catalog.red_flags:
        out.append(_wrap(f"{flag.sign} {flag.action}", "    ", first="  - "))
    out.append("")
    out.append(_wrap(catalog.disclaimer, ""))
    return "\n".join(out) + "\n"
