"""Put the services' records beside the runs read from files (pure, no I/O).

Generic over :class:`~runaudit.reading.records.ServiceRecord`: "a Strava row"
below is any record of a service whose records name their files, "a Garmin
summary" any record of one whose records do not.

* A Strava row with a good file: the file's numbers win; the row adds the
  shoe and, where the file does not say, the surface.
* A Strava row whose file is missing, a duplicate or could not be read, but
  whose run is read from another file (the watch's copy, the twin kept of a
  duplicate: start within :data:`MATCH_S`, similar distance): matched to that
  run, as if by name.
* A Strava row without a file (a manual run), or whose file is missing or
  could not be read and no other file holds the run: a run from the row's
  numbers (``origin`` ``strava_manual`` / ``strava_row``); the failed file's
  ledger entry keeps its reason and says the run still counts.
* A Garmin summary is matched to a run already known (start within
  :data:`MATCH_S`, similar distance); otherwise it is a summary-only run
  (``origin`` ``garmin_summary``). Nothing is counted twice.

Rows added here have no samples: they count in the weekly distance, runs,
time and long run, never in a cadence median.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Callable, Collection, Container, Hashable, Iterable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pandas as pd

from runaudit.intake.account import MetadataAccount
from runaudit.intake.activities import activities_frame
from runaudit.intake.surfaces import surface_of
from runaudit.intake.timezones import offset_in_zone, zone
from runaudit.reading.records import READERS, Metadata, ServiceRecord, file_key
from runaudit.reading.records.base import Problems, merge_problem_lines
from runaudit.reading.records.checks import fix_units, implausible, implausible_descent
from runaudit.reading.sports import is_running

if TYPE_CHECKING:
    from runaudit.intake.ledger import LedgerEntry

#: A summary and a run starting this close are the same activity [s].
MATCH_S = 300.0
#: ...when their distances differ by at most this share (or :data:`MATCH_KM`) [fraction].
MATCH_SHARE = 0.10
MATCH_KM = 0.3
#: Offsets are borrowed from a run at most this far away in time [s].
BORROW_S = 3 * 86400.0

#: ``origin`` of a run: ``file``, or ``<service>_manual`` (a record naming no file),
#: ``<service>_row`` (a record whose file failed), ``<service>_summary`` (a summary
#: matched to no file), for each service of :data:`runaudit.reading.records.READERS`.
ORIGINS = ("file", "strava_manual", "strava_row", "garmin_summary")


def merge_metadata(
    activities: pd.DataFrame,
    ledger: Sequence[LedgerEntry],
    meta: Metadata,
    *,
    tz: str | None = None,
    run_types: Collection[str] = (),
) -> tuple[pd.DataFrame, list[LedgerEntry], MetadataAccount]:
    """Add shoes, surfaces and record-only runs to the activities from files.

    Works on :class:`~runaudit.reading.records.ServiceRecord` of any service: a
    service whose records name their files (``links_files`` in its
    :class:`~runaudit.reading.records.ServiceReader`) is matched by file name
    first, then by start time; the others by start time against every run known
    so far.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table from the files (not modified).
    ledger : sequence of LedgerEntry
        One entry per input file.
    meta : Metadata
        The service records (see :func:`runaudit.reading.records.read_metadata`).
    tz : str, optional
        IANA zone overriding every offset.
    run_types : collection of str
        Activity types (as the service wrote them, any case) declared runs by the
        user (``--run-type``), for languages runaudit has no name table for.

    Returns
    -------
    activities : pandas.DataFrame
        With ``shoe``, ``surface`` and ``origin`` filled, record-only runs added.
    ledger : list of LedgerEntry
        Failed files whose run still counts say so in their reason.
    account : MetadataAccount
    """
    acts = activities.copy()
    subs: list[Any] = list(acts["sub_sport"])
    shoes: list[str] = [""] * len(acts)
    surfaces: list[str] = [surface_of(s) for s in subs]
    entries = list(ledger)
    by_key: dict[str, int] = {}
    for i, known_entry in enumerate(entries):
        by_key.setdefault(file_key(known_entry.source), i)
    row_of_id = {aid: i for i, aid in enumerate(acts["activity_id"])}
    zone_info = zone(tz) if tz else None
    declared = {t.strip().casefold() for t in run_types}
    known = sorted(
        (float(s.timestamp()), int(o))
        for s, o, src in zip(
            acts["start_utc"], acts["utc_offset_s"], acts["tz_source"], strict=True
        )
        if src != "UTC (unknown)"
    )

    def offset_for(start: float, own: int | None = None) -> tuple[int, str]:
        if zone_info is not None:
            return offset_in_zone(start, zone_info), "--tz"
        if own is not None:
            return own, "file"
        i = bisect.bisect_left(known, (start, -(10**9)))
        near = [known[j] for j in (i - 1, i) if 0 <= j < len(known)]
        best = min(near, key=lambda k: abs(k[0] - start), default=None)
        if best is not None and abs(best[0] - start) <= BORROW_S:
            return best[1], "nearest FIT file"
        return 0, "UTC (unknown)"

    def run_kind(record: ServiceRecord) -> tuple[bool, str | None]:
        """Whether the record is a run, and its sub-sport."""
        if record.sport is None and record.activity_type.strip().casefold() in declared:
            return True, record.sub_sport
        return is_running(record.sport, record.sub_sport), record.sub_sport

    def new_row(record: ServiceRecord, origin: str, source: str, sub: str | None) -> dict[str, Any]:
        offset, src = offset_for(record.start_utc, record.utc_offset_s)
        moving = record.moving_time_s
        elapsed = record.elapsed_time_s
        if not math.isfinite(moving):
            moving = elapsed
        if not math.isfinite(elapsed):
            elapsed = moving
        return {
            "activity_id": f"{record.service}-{record.record_id or record.line}",
            "source": source,
            "format": PurePosixPath(record.source_file).suffix.lstrip(".").lower(),
            "sport": "running",
            "sub_sport": sub,
            "start_utc": record.start_utc,
            "end_utc": record.start_utc + (elapsed if math.isfinite(elapsed) else 0.0),
            "utc_offset_s": offset,
            "tz_source": src,
            "distance_km": record.distance_km,
            "moving_time_s": moving,
            "elapsed_time_s": elapsed,
            "ascent_m": record.ascent_m,
            "descent_m": record.descent_m,
            "cadence_spm": record.cadence_spm,
            "device": "",
            "date_known": True,
            "shoe": record.gear,
            "surface": surface_of(sub, record.activity_type),
            "origin": origin,
        }

    order = {r.service: i for i, r in reversed(list(enumerate(READERS)))}
    linking = {r.service for r in READERS if r.links_files}
    labels = {r.service: r.label for r in READERS}
    found: dict[str, Problems] = {}  # per records file: problems counted by kind
    rows: list[tuple[str, str]] = []  # (file line, reason) of every record set aside

    def refuse(record: ServiceRecord, kind: str, reason: str = "") -> None:
        where = f"line {record.line}" if record.service in linking else f"entry {record.line}"
        found.setdefault(record.source_file, Problems()).add(
            kind, f"{where}: {reason}" if reason else where
        )
        rows.append((f"{record.source_file} {where}", f"{kind}{': ' + reason if reason else ''}"))

    records, unit_notes = _checked(
        sorted(meta.records, key=lambda r: order.get(r.service, len(order))),
        lambda r: run_kind(r)[0],
        refuse,
    )
    added: list[dict[str, Any]] = []
    service: list[tuple[str, float, int, float]] = []  # (service, start, offset, km)
    c = dict.fromkeys(("matched", "manual", "failed", "other", "g_matched", "g_added"), 0)
    problems = list(meta.problems)
    file_runs = _pool(
        (float(s.timestamp()), float(d), i)
        for i, (s, d) in enumerate(zip(acts["start_utc"], acts["distance_km"], strict=True))
    )
    claimed: set[int] = set()  # file runs a record naming its file already speaks for
    for row in records:
        if row.service not in linking:
            continue
        running, sub = run_kind(row)
        index = by_key.get(file_key(row.filename)) if row.filename else None
        entry = entries[index] if index is not None else None
        if not running and not (row.sport is None and entry is not None and entry.bucket == "run"):
            c["other"] += 1  # a type runaudit does not know follows its file's sport
            continue
        dated = math.isfinite(row.start_utc)
        if running and not implausible(row):  # the service's own weekly total
            offset, _src = offset_for(row.start_utc, row.utc_offset_s)
            service.append((row.service, row.start_utc, offset, row.distance_km))
        if entry is not None and entry.bucket == "not_activity":
            c["matched"] += 1
            continue
        targets = [
            row_of_id[aid]
            for aid in (entry.activity_ids if entry is not None else ())
            if aid in row_of_id
        ]
        if not targets and row.filename and dated:
            # Its file is not here, is a duplicate or failed: the run may be read from
            # another file (the watch's copy, the twin kept of a duplicate).
            same = _nearest(file_runs, row.start_utc, row.distance_km, claimed)
            if same is not None:
                targets = [same]
                if entry is not None and index is not None and entry.bucket == "skipped":
                    note = f"the same run is counted from {acts['source'].iloc[same]}"
                    entries[index] = dataclasses.replace(entry, reason=f"{entry.reason}; {note}")
        if targets or (entry is not None and entry.bucket in ("run", "duplicate", "other_sport")):
            c["matched"] += 1
            for r in targets:
                claimed.add(r)
                if row.gear:
                    shoes[r] = row.gear
                surfaces[r] = _more_specific(
                    surface_of(subs[r], row.activity_type), surface_of(row.sub_sport)
                )
            continue
        reason = implausible(row)
        if reason:
            refuse(row, "runs set aside (not counted)", reason)
            continue
        if not row.filename:
            origin, what = f"{row.service}_manual", "manual entry"
            c["manual"] += 1
        else:
            origin, what = f"{row.service}_row", "row of a file that could not be used"
            c["failed"] += 1
            note = (
                f"still counted as a run from {row.source_file} line {row.line}"
                f" ({row.distance_km:.2f} km)"
            )
            if entry is not None and index is not None:
                entries[index] = dataclasses.replace(entry, reason=f"{entry.reason}; {note}")
            else:
                refuse(
                    row,
                    "runs whose file is not in the export, counted from the row",
                    f"{row.filename[:80]} ({row.distance_km:.2f} km)",
                )
        added.append(new_row(row, origin, f"{row.source_file} line {row.line} ({what})", sub))

    # Summaries: matched against every run known so far (files and records naming files).
    pool = _pool(
        [
            (float(s.timestamp()), float(d), ("act", i))
            for i, (s, d) in enumerate(zip(acts["start_utc"], acts["distance_km"], strict=True))
        ]
        + [
            (float(a["start_utc"]), float(a["distance_km"]), ("add", i))
            for i, a in enumerate(added)
        ]
    )
    used: set[tuple[str, int]] = set()
    for summary in records:
        if summary.service in linking:
            continue
        running, sub = run_kind(summary)
        if not running:
            c["other"] += 1
            continue
        offset, _src = offset_for(summary.start_utc, summary.utc_offset_s)
        if not implausible(summary):
            service.append((summary.service, summary.start_utc, offset, summary.distance_km))
        match = _nearest(pool, summary.start_utc, summary.distance_km, used)
        if match is not None:
            used.add(match)
            c["g_matched"] += 1
            kind, i = match
            # A plain "running" summary does not undo a trail/track/treadmill already known
            # (from the file's sub-sport or the Strava type the runner chose).
            if kind == "act":
                surfaces[i] = _more_specific(
                    surfaces[i],
                    _more_specific(
                        surface_of(subs[i], summary.activity_type), surface_of(summary.sub_sport)
                    ),
                )
                if summary.gear and not shoes[i]:
                    shoes[i] = summary.gear
            else:
                added[i]["surface"] = _more_specific(
                    added[i]["surface"], surface_of(summary.sub_sport, summary.activity_type)
                )
                if summary.gear and not added[i]["shoe"]:
                    added[i]["shoe"] = summary.gear
            continue
        reason = implausible(summary)
        if reason:
            refuse(summary, "runs set aside (not counted)", reason)
            continue
        c["g_added"] += 1
        what = f"activity {summary.record_id}" if summary.record_id else f"entry {summary.line}"
        added.append(
            new_row(
                summary,
                f"{summary.service}_summary",
                f"{summary.source_file} {what} (summary only)",
                sub,
            )
        )

    acts["shoe"], acts["surface"], acts["origin"] = shoes, surfaces, ["file"] * len(acts)
    if added:
        extra = activities_frame(added)
        acts = pd.concat([acts, extra], ignore_index=True) if len(acts) else extra
        acts = acts.sort_values(["start_utc", "activity_id"], kind="stable").reset_index(drop=True)
    account = MetadataAccount(
        files=tuple(meta.files),
        matched=c["matched"],
        manual_added=c["manual"],
        file_failed=c["failed"],
        other_sport=c["other"],
        garmin_matched=c["g_matched"],
        garmin_added=c["g_added"],
        problems=(*problems, *merge_problem_lines(found.items()), *_unknown_line(meta, declared)),
        notes=(*meta.notes, *unit_notes),
        summary_labels=tuple(
            dict.fromkeys(
                labels[r.service]
                for r in records
                if r.service not in linking and r.service in labels
            )
        ),
        rows=(
            *((f"{name} ({kind})", row) for name, kind, row in meta.refused),
            *rows,
        ),
        listed_shoes=tuple(meta.shoes),
        service_weeks=_service_weeks(service, acts),
    )
    return acts, entries, account


def _checked(
    records: list[ServiceRecord],
    is_run: Callable[[ServiceRecord], bool],
    refuse: Callable[[ServiceRecord, str, str], None],
) -> tuple[list[ServiceRecord], list[str]]:
    """The records with each file's distance unit checked on its runs and descents
    no run can hold dropped (:mod:`runaudit.reading.records.checks`)."""
    by_file: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        if is_run(r):
            by_file.setdefault(r.source_file, []).append(i)
    out = list(records)
    notes: list[str] = []
    for where in by_file.values():
        fixed, said = fix_units([out[i] for i in where])
        notes.extend(said)
        for i, r in zip(where, fixed, strict=True):
            if implausible_descent(r):
                refuse(
                    r,
                    "descents no run can hold, dropped (the run counts)",
                    f"{r.descent_m:,.0f} m down, {r.ascent_m:,.0f} m up in {r.distance_km:.1f} km",
                )
                r = dataclasses.replace(r, descent_m=math.nan)
            out[i] = r
    return out, notes


def _unknown_line(meta: Metadata, declared: Collection[str]) -> list[str]:
    """One line naming the activity types no reader knew, with their counts."""
    left = {k: n for k, n in meta.unknown_types.items() if k.strip().casefold() not in declared}
    if not left:
        return []
    shown = ", ".join(f"{k!r} ×{n}" for k, n in sorted(left.items(), key=lambda kv: -kv[1])[:12])
    more = f" and {len(left) - 12} more" if len(left) > 12 else ""
    return [
        f"activity types runaudit does not know ({shown}{more}): rows with a file take the"
        " file's sport, the others are not counted; declare the running ones with"
        " --run-type NAME (or run_types in the config file)"
    ]


_Ref = TypeVar("_Ref", bound=Hashable)


@dataclasses.dataclass(frozen=True)
class _Pool(Generic[_Ref]):
    """Runs sorted by start: ``(start [s since epoch], distance [km], ref)``."""

    runs: list[tuple[float, float, _Ref]]
    starts: list[float]


def _pool(runs: Iterable[tuple[float, float, _Ref]]) -> _Pool[_Ref]:
    ordered = sorted(runs, key=lambda r: r[0])
    return _Pool(ordered, [r[0] for r in ordered])


def _nearest(pool: _Pool[_Ref], start: float, km: float, used: Container[_Ref]) -> _Ref | None:
    """The run not in ``used`` starting nearest ``start`` (within :data:`MATCH_S`) whose
    distance is within :data:`MATCH_SHARE` / :data:`MATCH_KM` of ``km`` (either unknown
    matches on time alone)."""
    lo = bisect.bisect_left(pool.starts, start - MATCH_S)
    hi = bisect.bisect_right(pool.starts, start + MATCH_S)
    for _start, run_km, ref in sorted(pool.runs[lo:hi], key=lambda p: abs(p[0] - start)):
        if ref in used:
            continue
        if not (math.isfinite(run_km) and math.isfinite(km)) or abs(run_km - km) <= max(
            MATCH_KM, MATCH_SHARE * max(run_km, km)
        ):
            return ref
    return None


def _more_specific(current: str, new: str) -> str:
    """``new`` unless it would turn a trail/track/treadmill back into road or unknown.

    >>> _more_specific("trail", "road"), _more_specific("road", "trail")
    ('trail', 'trail')
    >>> _more_specific("unknown", "road"), _more_specific("treadmill", "unknown")
    ('road', 'treadmill')
    """
    if new == "unknown" or (current not in ("road", "unknown") and new == "road"):
        return current
    return new


def _service_weeks(
    records: list[tuple[str, float, int, float]], acts: pd.DataFrame
) -> pd.DataFrame:
    columns = ["service", "week_start", "service_km", "runaudit_km", "diff_pct"]
    if not records:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(records, columns=["service", "start", "offset", "km"])
    local = pd.to_datetime(frame["start"] + frame["offset"], unit="s")
    day = local.dt.normalize()
    frame["week_start"] = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    ours = (
        acts[acts["date_known"].astype(bool)].groupby("week_start")["distance_km"].sum()
        if len(acts)
        else pd.Series(dtype=float)
    )
    out = frame.groupby(["service", "week_start"])["km"].sum().reset_index(name="service_km")
    out["runaudit_km"] = [float(ours.get(w, 0.0)) for w in out["week_start"]]
    out["diff_pct"] = [
        (r - s) / s * 100.0 if s > 0 else (0.0 if r == 0 else math.inf)
        for r, s in zip(out["runaudit_km"], out["service_km"], strict=True)
    ]
    return out[columns].sort_values(["week_start", "service"]).reset_index(drop=True)
