"""Sort parsed files into buckets and build the kept runs (pure, no I/O).

Every file ends in exactly one bucket: ``run`` (it contributed at least one
kept run), ``duplicate`` (all its runs are already counted from another file),
``other_sport``, ``not_activity`` (Garmin monitoring, settings, sleep...) or
``skipped`` (could not be used, with the reason).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .dedupe import Recording, find_duplicates
from .ledger import FileOutcome, LedgerEntry
from .sports import describe_sport, is_running, normalize_sport
from .timezones import resolve_offsets


@dataclass(frozen=True)
class Classified:
    """What :func:`classify` decided, as plain data.

    Attributes
    ----------
    kept : tuple of dict
        The kept runs (one summary row each), in input order.
    ledger : tuple of LedgerEntry
        One entry per outcome, in input order.
    origins : dict
        activity_id → (index of its outcome, index of the activity in that file),
        for every activity seen (runs and other sports).
    tz_note : str
        A note on runs whose UTC offset was borrowed or unknown ("" when none).
    """

    kept: tuple[dict[str, Any], ...]
    ledger: tuple[LedgerEntry, ...]
    origins: dict[str, tuple[int, int]]
    tz_note: str


def infer_sport(summary: dict[str, Any]) -> tuple[str | None, str]:
    """Guess the sport of an activity whose file does not state it.

    Uses the average moving speed and the cadence. Returns the sport (or None
    when nothing can be said) and a short explanation.
    """
    moving = summary.get("moving_time_s") or 0.0
    distance = summary.get("distance_km") or 0.0
    if not (moving > 0 and distance > 0 and math.isfinite(moving) and math.isfinite(distance)):
        return None, "sport not stated and no pace to judge it by"
    speed = distance * 1000.0 / moving
    pace = _pace(speed)
    cadence = summary.get("run_cadence_spm")
    if cadence is not None and math.isfinite(cadence) and speed <= 7.0:
        return "running", f"sport not stated; running cadence and {pace} pace look like running"
    if 1.8 <= speed <= 6.0:
        return "running", f"sport not stated; {pace} pace looks like running"
    if speed < 1.8:
        return "walking", f"sport not stated; {pace} pace looks like walking or hiking"
    return "cycling", f"sport not stated; {speed * 3.6:.0f} km/h looks like cycling or driving"


def _pace(speed_mps: float) -> str:
    secs = 1000.0 / speed_mps if speed_mps > 0 else 0.0
    return f"{int(secs // 60)}:{int(secs % 60):02d}/km"


def classify(outcomes: Sequence[FileOutcome], *, tz: str | None = None) -> Classified:
    """Sort file outcomes into buckets and pick the kept runs.

    Parameters
    ----------
    outcomes : list of FileOutcome
        In input order.
    tz : str, optional
        IANA zone overriding every offset.

    Returns
    -------
    Classified
    """
    ledger: dict[int, LedgerEntry] = {}
    first_by_hash: dict[str, int] = {}
    runs: list[dict[str, Any]] = []
    everything: list[dict[str, Any]] = []
    rows_of: dict[int, list[dict[str, Any]]] = {}

    for i, outcome in enumerate(outcomes):
        entry, name = outcome.entry, outcome.source.name
        if entry.kind == "error":
            ledger[i] = LedgerEntry(
                name, "skipped", entry.error or "could not be read", entry.format
            )
            continue
        if outcome.content_hash in first_by_hash:
            other = outcomes[first_by_hash[outcome.content_hash]].source.name
            ledger[i] = LedgerEntry(name, "duplicate", f"same content as {other}", entry.format)
            continue
        if outcome.content_hash:
            first_by_hash[outcome.content_hash] = i
        if entry.kind == "not_activity":
            what = entry.file_type or "non-activity"
            ledger[i] = LedgerEntry(name, "not_activity", f"FIT {what} file", entry.format)
            continue
        multi = len(entry.summaries) > 1
        for k, summary in enumerate(entry.summaries):
            sport, sub = summary.get("sport"), summary.get("sub_sport")
            note = ""
            hint = outcome.source.sport_hint
            if hint and (sport is None or sport == "generic"):
                sport, sub = normalize_sport(hint)
                note = f"sport from activities.csv ({hint})"
            elif sport is None:
                sport, note = infer_sport(summary)
            row = {
                **summary,
                "sport": sport,
                "sub_sport": sub,
                "activity_id": (outcome.content_hash or "")[:16] + (f"-{k + 1}" if multi else ""),
                "source": name,
                "format": entry.format,
                "_file": i,
                "_index": k,
                "_note": note,
                "_damaged": bool(entry.problems),
            }
            everything.append(row)
            rows_of.setdefault(i, []).append(row)
            if is_running(sport, sub):
                runs.append(row)

    offsets, sources = resolve_offsets(
        [r["start_utc"] for r in everything], [r.get("utc_offset_s") for r in everything], tz
    )
    for row, offset, source in zip(everything, offsets, sources, strict=True):
        row["utc_offset_s"], row["tz_source"] = offset, source

    dropped = find_duplicates(
        [
            Recording(
                r["activity_id"],
                r["start_utc"],
                r["end_utc"],
                r["distance_km"],
                r["channels"],
                r["n_samples"],
                r["format"],
                r["_damaged"],
            )
            for r in runs
        ]
    )
    by_id = {r["activity_id"]: r for r in runs}
    kept = [r for r in runs if r["activity_id"] not in dropped]

    for i, outcome in enumerate(outcomes):
        if i in ledger:
            continue
        entry, name = outcome.entry, outcome.source.name
        mine = rows_of.get(i, [])
        my_runs = [r for r in mine if is_running(r["sport"], r["sub_sport"])]
        my_kept = [r for r in my_runs if r["activity_id"] not in dropped]
        problems = "; ".join(entry.problems)
        if my_kept:
            km = sum(r["distance_km"] for r in my_kept if math.isfinite(r["distance_km"]))
            parts = [f"{len(my_kept)} run{'s' if len(my_kept) > 1 else ''}, {km:.2f} km"]
            if len(mine) > len(my_runs):
                others = sorted(
                    {describe_sport(r["sport"], r["sub_sport"]) for r in mine} - {"running"}
                )
                parts.append(f"other sessions set aside: {', '.join(others)}")
            parts.extend(r["_note"] for r in my_runs if r["_note"])
            if not all(r.get("date_known", True) for r in my_kept):
                parts.append(
                    "the device clock was not set, so the date is unknown: left out of the"
                    " weekly table"
                )
            if problems:
                parts.append(problems)
            ledger[i] = LedgerEntry(
                name,
                "run",
                "; ".join(parts),
                entry.format,
                tuple(r["activity_id"] for r in my_kept),
            )
        elif my_runs:
            kept_src = {by_id[dropped[r["activity_id"]]]["source"] for r in my_runs}
            ledger[i] = LedgerEntry(
                name, "duplicate", f"same run as {', '.join(sorted(kept_src))}", entry.format
            )
        else:
            sports = sorted({describe_sport(r["sport"], r["sub_sport"]) for r in mine})
            note = "; ".join(sorted({r["_note"] for r in mine if r["_note"]}))
            reason = ", ".join(sports) or "no activity"
            ledger[i] = LedgerEntry(
                name, "other_sport", reason + (f"; {note}" if note else ""), entry.format
            )

    origins = {r["activity_id"]: (r["_file"], r["_index"]) for r in everything}
    unknown_tz = sum(1 for r in kept if r["tz_source"] == "UTC (unknown)")
    borrowed = sum(1 for r in kept if r["tz_source"] == "nearest FIT file")
    tz_note = ""
    if unknown_tz:
        tz_note = (
            f"note: {unknown_tz} runs carry no UTC offset and no FIT file was near in time;"
            " their weeks use UTC (pass --tz ZONE to set your time zone)"
        )
    elif borrowed:
        tz_note = f"note: {borrowed} GPX/TCX runs took their UTC offset from the nearest FIT file"
    return Classified(
        kept=tuple(kept),
        ledger=tuple(ledger[i] for i in range(len(outcomes))),
        origins=origins,
        tz_note=tz_note,
    )
