"""Sort parsed files into buckets and build the kept runs (pure, no I/O).

Every file ends in exactly one bucket: ``run`` (it contributed at least one
kept run), ``duplicate`` (all its runs are already counted from another file),
``other_sport``, ``not_activity`` (Garmin monitoring, settings, sleep...) or
``skipped`` (could not be used, with the reason).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runaudit.intake.dedupe import Recording, find_duplicates
from runaudit.intake.ledger import FileOutcome, LedgerEntry
from runaudit.intake.timezones import resolve_offsets
from runaudit.reading.records.strava import file_key
from runaudit.reading.sports import describe_sport, is_running, normalize_sport
from runaudit.reading.summary import ActivitySummary


@dataclass(frozen=True)
class SeenActivity:
    """One activity of one parsed file, with what :func:`classify` decided about it.

    Attributes
    ----------
    summary : ActivitySummary
        The file's own numbers.
    sport, sub_sport : str or None
        The decided sport: the file's, else the export's ``activities.csv`` hint,
        else :func:`infer_sport`'s guess.
    activity_id : str
        The first 16 hex digits of the file's content hash, with ``-k`` for the
        k-th activity of a multi-activity file.
    source, format : str
        The file's display name and format.
    file_index, activity_index : int
        Position of the file among the outcomes and of the activity in the file.
    note : str
        How the sport was decided when the file does not say ("" otherwise).
    damaged : bool
        The file had problems (truncated, bad CRC...): a duplicate of it loses.
    utc_offset_s : int or None
        The resolved local-time offset [s] (None until resolved).
    tz_source : str
        Where the offset came from ("" until resolved).
    """

    summary: ActivitySummary
    sport: str | None
    sub_sport: str | None
    activity_id: str
    source: str
    format: str
    file_index: int
    activity_index: int
    note: str
    damaged: bool
    utc_offset_s: int | None = None
    tz_source: str = ""

    @property
    def is_run(self) -> bool:
        return is_running(self.sport, self.sub_sport)

    def as_row(self) -> dict[str, Any]:
        """The activities-table row (see :func:`runaudit.training.weekly.activities_frame`)."""
        return {
            **self.summary.to_dict(),
            "sport": self.sport,
            "sub_sport": self.sub_sport,
            "activity_id": self.activity_id,
            "source": self.source,
            "format": self.format,
            "utc_offset_s": self.utc_offset_s,
            "tz_source": self.tz_source,
        }


@dataclass(frozen=True)
class Classified:
    """What :func:`classify` decided, as plain data.

    Attributes
    ----------
    kept : tuple of SeenActivity
        The kept runs, in input order.
    ledger : tuple of LedgerEntry
        One entry per outcome, in input order.
    origins : dict
        activity_id → (index of its outcome, index of the activity in that file),
        for every activity seen (runs and other sports).
    tz_note : str
        A note on runs whose UTC offset was borrowed or unknown ("" when none).
    """

    kept: tuple[SeenActivity, ...]
    ledger: tuple[LedgerEntry, ...]
    origins: dict[str, tuple[int, int]]
    tz_note: str


def infer_sport(summary: ActivitySummary) -> tuple[str | None, str]:
    """Guess the sport of an activity whose file does not state it.

    Uses the average moving speed and the cadence. Returns the sport (or None
    when nothing can be said) and a short explanation.
    """
    moving, distance = summary.moving_time_s, summary.distance_km
    if not (moving > 0 and distance > 0 and math.isfinite(moving) and math.isfinite(distance)):
        return None, "sport not stated and no pace to judge it by"
    speed = distance * 1000.0 / moving
    pace = _pace(speed)
    cadence = summary.run_cadence_spm
    if math.isfinite(cadence) and speed <= 7.0:
        return "running", f"sport not stated; running cadence and {pace} pace look like running"
    if 1.8 <= speed <= 6.0:
        return "running", f"sport not stated; {pace} pace looks like running"
    if speed < 1.8:
        return "walking", f"sport not stated; {pace} pace looks like walking or hiking"
    return "cycling", f"sport not stated; {speed * 3.6:.0f} km/h looks like cycling or driving"


def _pace(speed_mps: float) -> str:
    secs = 1000.0 / speed_mps if speed_mps > 0 else 0.0
    return f"{int(secs // 60)}:{int(secs % 60):02d}/km"


def classify(
    outcomes: Sequence[FileOutcome],
    *,
    tz: str | None = None,
    sport_hints: Mapping[str, str] | None = None,
    listed_starts: Sequence[float] = (),
) -> Classified:
    """Sort file outcomes into buckets and pick the kept runs.

    Parameters
    ----------
    outcomes : list of FileOutcome
        In input order.
    tz : str, optional
        IANA zone overriding every offset.
    sport_hints : mapping of str to str, optional
        :func:`~runaudit.reading.records.strava.file_key` of a file → the activity
        type the export's own records give it (Strava's ``activities.csv``), used
        where the file names no sport of its own.
    listed_starts : sequence of float
        Starts [s since epoch] of the activities Garmin Connect's summaries list:
        overlapping recordings that start with two different ones are two runs
        (see :func:`runaudit.intake.dedupe.find_duplicates`).

    Returns
    -------
    Classified
    """
    ledger: dict[int, LedgerEntry] = {}
    first_by_hash: dict[str, int] = {}
    seen: list[SeenActivity] = []

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
            sport, sub = summary.sport, summary.sub_sport
            note = ""
            hint = sport_hints.get(file_key(name)) if sport_hints else None
            if hint and (sport is None or sport == "generic"):
                sport, sub = normalize_sport(hint)
                note = f"sport from activities.csv ({hint})"
            elif sport is None:
                sport, note = infer_sport(summary)
            seen.append(
                SeenActivity(
                    summary=summary,
                    sport=sport,
                    sub_sport=sub,
                    activity_id=(outcome.content_hash or "")[:16] + (f"-{k + 1}" if multi else ""),
                    source=name,
                    format=entry.format,
                    file_index=i,
                    activity_index=k,
                    note=note,
                    damaged=bool(entry.problems),
                )
            )

    offsets, sources = resolve_offsets(
        [a.summary.start_utc for a in seen], [a.summary.utc_offset_s for a in seen], tz
    )
    everything = [
        dataclasses.replace(a, utc_offset_s=offset, tz_source=source)
        for a, offset, source in zip(seen, offsets, sources, strict=True)
    ]
    rows_of: dict[int, list[SeenActivity]] = {}
    for a in everything:
        rows_of.setdefault(a.file_index, []).append(a)
    runs = [a for a in everything if a.is_run]
    dropped = find_duplicates(
        [
            Recording(
                r.activity_id,
                r.summary.start_utc,
                r.summary.end_utc,
                r.summary.distance_km,
                r.summary.channels,
                r.summary.n_samples,
                r.format,
                r.damaged,
            )
            for r in runs
        ],
        listed_starts,
    )
    by_id = {r.activity_id: r for r in runs}
    kept = [r for r in runs if r.activity_id not in dropped]

    for i, outcome in enumerate(outcomes):
        if i in ledger:
            continue
        entry, name = outcome.entry, outcome.source.name
        mine = rows_of.get(i, [])
        my_runs = [r for r in mine if r.is_run]
        my_kept = [r for r in my_runs if r.activity_id not in dropped]
        problems = "; ".join(entry.problems)
        if my_kept:
            km = sum(r.summary.distance_km for r in my_kept if math.isfinite(r.summary.distance_km))
            parts = [f"{len(my_kept)} run{'s' if len(my_kept) > 1 else ''}, {km:.2f} km"]
            if len(mine) > len(my_runs):
                others = sorted({describe_sport(r.sport, r.sub_sport) for r in mine} - {"running"})
                parts.append(f"other sessions set aside: {', '.join(others)}")
            parts.extend(r.note for r in my_runs if r.note)
            if not all(r.summary.date_known for r in my_kept):
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
                tuple(r.activity_id for r in my_kept),
            )
        elif my_runs:
            kept_src = {by_id[dropped[r.activity_id]].source for r in my_runs}
            ledger[i] = LedgerEntry(
                name, "duplicate", f"same run as {', '.join(sorted(kept_src))}", entry.format
            )
        else:
            sports = sorted({describe_sport(r.sport, r.sub_sport) for r in mine})
            note = "; ".join(sorted({r.note for r in mine if r.note}))
            reason = ", ".join(sports) or "no activity"
            ledger[i] = LedgerEntry(
                name, "other_sport", reason + (f"; {note}" if note else ""), entry.format
            )

    origins = {r.activity_id: (r.file_index, r.activity_index) for r in everything}
    unknown_tz = sum(1 for r in kept if r.tz_source == "UTC (unknown)")
    borrowed = sum(1 for r in kept if r.tz_source == "nearest FIT file")
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
