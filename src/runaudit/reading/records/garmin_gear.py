"""Garmin Connect's ``*_gear.json``: which shoe each activity was run in (pure, no I/O).

Field names from Garmin Connect data exports as public importers read them
(``gearDTOS`` with ``gearPk``/``displayName``/``customMakeModel``,
``gearActivityDTOs`` a map of gear key → ``[{"activityId": …}]``); see the
docstring of :func:`read_gear`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runaudit.errors import ParseError
from runaudit.reading.records.base import Problems, RecordFile, ServiceReader
from runaudit.reading.records.jsonload import load_json


@dataclass(frozen=True)
class GarminGear:
    """What Garmin's ``*_gear.json`` says about shoes.

    Attributes
    ----------
    by_activity : dict of str to str
        Activity id → the gear's name, from ``gearActivityDTOs`` (gear key →
        ``[{"activityId": …}, …]``): the links Garmin Connect itself holds,
        including those it made from the default gear of the activity type
        when the activity was uploaded.
    names : tuple of str
        Every gear item of ``gearDTOS``, linked or not.
    problems : Problems
    """

    by_activity: dict[str, str]
    names: tuple[str, ...]
    problems: Problems


def _gear_name(item: dict[str, Any]) -> str:
    """``displayName``, else ``customMakeModel``, else make and model (Garmin leaves
    ``displayName`` null for gear the runner never named)."""
    for key in ("displayName", "customMakeModel"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    parts = [item.get(k) for k in ("gearMakeName", "gearModelName")]
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())[:200]


def read_gear(data: bytes, *, name: str = "gear.json") -> GarminGear:
    """Read the shoe of each activity from one ``*_gear.json``.

    Shape (Garmin Connect data export, ``DI_CONNECT/DI-Connect-Fitness``):
    ``[{"gearDTOS": [{"gearPk": 7, "displayName": …, "customMakeModel": …}],
    "gearActivityDTOs": {"7": [{"activityId": 123, "gearPk": 7}]},
    "gearActivityTypeDTOS": […]}]``.

    The default gear per activity type (``gearActivityTypeDTOS``) is not applied
    to activities: Garmin Connect puts the default on an activity when it is
    uploaded, and that link is then in ``gearActivityDTOs``; an activity
    without a link had no gear in Garmin Connect either.

    Raises
    ------
    ParseError
        Not JSON, too deep, or without ``gearDTOS``/``gearActivityDTOs``.
    """
    doc = load_json(data, name)
    parts = doc if isinstance(doc, list) else [doc]
    problems = Problems()
    names: dict[str, str] = {}  # gearPk → name
    links: dict[str, str] = {}
    found = False
    dicts = [part for part in parts if isinstance(part, dict)]
    for part in dicts:
        gear = part.get("gearDTOS")
        if isinstance(gear, list):
            found = True
            for item in gear:
                if isinstance(item, dict) and item.get("gearPk") is not None:
                    label = _gear_name(item)
                    if label:
                        names[str(item["gearPk"])] = label
    for part in dicts:
        linked = part.get("gearActivityDTOs")
        if isinstance(linked, dict):
            found = True
            for key, acts in linked.items():
                label = names.get(str(key), "")
                if not label:
                    problems.add("gear links naming no gear of gearDTOS", f"gear {str(key)[:40]}")
                    continue
                for act in acts if isinstance(acts, list) else ():
                    aid = act.get("activityId") if isinstance(act, dict) else None
                    if isinstance(aid, int | str) and not isinstance(aid, bool):
                        links[str(aid)[:40]] = label
    if not found:
        raise ParseError(f"{name}: neither 'gearDTOS' nor 'gearActivityDTOs' found")
    return GarminGear(links, tuple(dict.fromkeys(names.values())), problems)


def read_gear_file(data: bytes, name: str) -> RecordFile:
    """The :class:`~.base.RecordReader` of ``*_gear.json``: the shoes, and each
    activity's shoe as a gear link for the Garmin records (summaries and web-API JSON)."""
    try:
        gear = read_gear(data, name=name)
    except ParseError as err:
        problems = Problems()
        problems.add(str(err).removeprefix(f"{name}: "))
        return RecordFile((), problems=problems)
    links = tuple(
        (service, aid, shoe)
        for aid, shoe in gear.by_activity.items()
        for service in ("garmin", "garmin_api")
    )
    return RecordFile((), shoes=gear.names, problems=gear.problems, gear_links=links)


#: The readers' table entry of Garmin's gear (see :data:`runaudit.reading.records.READERS`).
READERS = (
    ServiceReader(
        "garmin",
        "Garmin Connect",
        accepts=lambda base: base.endswith("_gear.json"),
        read=read_gear_file,
    ),
)
