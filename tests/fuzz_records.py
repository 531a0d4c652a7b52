"""Bounded fuzzing of the readers of what is not an activity file (issue 19.8): Strava's
``activities.csv``, Garmin's ``*_summarizedActivities.json`` and the pain diary.

Each input is a mutant of a small seed built here (never a stranger's export):
byte flips and overwrites, cuts, inserted garbage, duplicated or dropped lines,
cells swapped for hostile values (year 9999, ``1e308``, ``nan``, formulas,
control characters, very long text), re-encodings (UTF-16, Latin-1) and deep
nesting for JSON. A reader may refuse a whole file only with a
:class:`~runaudit.errors.RunauditError`; anything else escaping is a failure,
and so is a kept diary entry outside 1980–2099 or 0–10.

Run from the command line: ``python -m tests.fuzz_records 10000``.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from runaudit.errors import RunauditError
from runaudit.reading.records import Metadata
from runaudit.training.pain import parse_diary

MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)

STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Gear,Filename,Elapsed Time,"
    "Moving Time,Distance,Elevation Gain,Elevation Loss,Average Cadence,Dirt Distance"
)

HOSTILE_CELLS = (
    "", "0", "-1", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e-400", "9" * 400,
    "9999-12-31", "0001-01-01", "1970-01-01", "2099-01-05", "02/03/2025", "Jan 1, 9999, 7:00:00 AM",
    "Jan 1, 0001, 1:00:00 AM", "31 Feb 2026, 08:00:00", "=HYPERLINK(\"x\")", "+cmd|' /C calc'!A0",
    "@SUM(A1)", "\x00", "\x1b[31m", "\r", "\n", '"', '""', ",", ";", "\ufeff", "Run", "Corsa",
    "Virtual Run", "activities/../../etc/passwd", "<script>", "x" * 5000, "11 ago 2014, 16:27:28",
    "9,62", "1.234,5", "-0", "  ", "\t", "true", "null", "[]", "{}",
)  # fmt: skip
HOSTILE_JSON = (
    None, True, 0, -1, 1e308, -1e308, 2**64, -(2**63), 1e-320, "", "nan", "9999", [], {},
    [[[[]]]], {"a": {"b": {}}}, "x" * 5000, 253_402_300_800_000, -62_135_596_800_000,
)  # fmt: skip


def strava_seed() -> bytes:
    rows = [STRAVA_HEADER]
    for i in range(6):
        when = (MONDAY + timedelta(days=2 * i)).strftime("%b %-d, %Y, %-I:%M:%S %p")
        km = 5.0 + i
        secs = int(km * 330)
        kind = ("Run", "Run", "Ride", "Virtual Run", "Run", "Walk")[i]
        filename = f"activities/{i}.fit.gz" if i % 2 == 0 else ""
        rows.append(
            f'{1000 + i},"{when}",Morning {i},{kind},,{secs},"{km:.2f}",,,false,Pegasus,'
            f"{filename},{secs}.0,{secs}.0,{km * 1000:.1f},10,12,85,0.0"
        )
    return ("\n".join(rows) + "\n").encode("utf-8")


def garmin_seed() -> bytes:
    items = []
    for i in range(5):
        start_ms = (MONDAY + timedelta(days=2 * i)).timestamp() * 1000
        items.append(
            {
                "activityId": 9000 + i,
                "name": f"Run {i}",
                "activityType": "running" if i != 3 else "cycling",
                "sportType": "RUNNING",
                "startTimeGmt": start_ms,
                "startTimeLocal": start_ms + 3_600_000,
                "distance": 800_000.0 + 10_000 * i,
                "duration": 2_700_000.0,
                "movingDuration": 2_600_000.0,
                "elevationGain": 5_000.0,
                "elevationLoss": 4_800.0,
                "avgRunCadence": 82.0,
            }
        )
    return json.dumps([{"summarizedActivitiesExport": items}]).encode("utf-8")


def diary_seed() -> bytes:
    lines = ["date,time,pain,side,note"]
    for i in range(8):
        day = (MONDAY + timedelta(days=3 * i)).date().isoformat()
        lines.append(f"{day},{7 + i % 12:02d}:00,{i % 11},left,stairs {i}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- mutators


def _pos(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data)) if data else 0


def flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[_pos(rng, data)] ^= 1 << rng.randrange(8)
    return bytes(out)


def overwrite(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[_pos(rng, data)] = rng.choice(b'\x00\xff,;"\n\r{}[]:-0123456789eE.')
    return bytes(out)


def cut(rng: random.Random, data: bytes) -> bytes:
    return data[: _pos(rng, data)]


def insert(rng: random.Random, data: bytes) -> bytes:
    at = _pos(rng, data)
    junk = rng.choice([bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))),
                       rng.choice(HOSTILE_CELLS).encode("utf-8", "surrogatepass")])  # fmt: skip
    return data[:at] + junk + data[at:]


def lines(rng: random.Random, data: bytes) -> bytes:
    rows = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(rows))
        choice = rng.randrange(3)
        if choice == 0:
            rows.insert(rng.randrange(len(rows) + 1), rows[i])  # a duplicate line
        elif choice == 1 and len(rows) > 1:
            del rows[i]
        else:
            rows[i], rows[0] = rows[0], rows[i]  # a data row as header
    return b"\n".join(rows)


def cells(rng: random.Random, data: bytes) -> bytes:
    """Swap CSV cells for hostile values (on a JSON seed: swap values)."""
    text = data.decode("utf-8", "replace")
    if text.lstrip().startswith("["):
        return json_values(rng, data)
    rows = [row.split(",") for row in text.split("\n")]
    for _ in range(rng.randint(1, 6)):
        row = rows[rng.randrange(len(rows))]
        if row:
            row[rng.randrange(len(row))] = rng.choice(HOSTILE_CELLS)
    return "\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass")


def json_values(rng: random.Random, data: bytes) -> bytes:
    if data.count(b"[") > 500:  # nested by an earlier mutation: too deep to rewrite
        return flip(rng, data)
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return flip(rng, data)

    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            for key in list(node):
                if rng.random() < 0.15:
                    node[key] = rng.choice(HOSTILE_JSON)
                elif rng.random() < 0.03:
                    del node[key]
                else:
                    node[key] = visit(node[key])
        elif isinstance(node, list):
            return [visit(x) for x in node] + (
                [rng.choice(HOSTILE_JSON)] if rng.random() < 0.1 else []
            )
        return node

    return json.dumps(visit(doc)).encode("utf-8")


def recode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    codec = rng.choice(["utf-16", "utf-16-le", "latin-1", "utf-8-sig", "cp1252"])
    return text.encode(codec, "replace")


def nest(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice([100, 1000, 5000, 50_000])
    return b"[" * depth + data + b"]" * rng.choice([0, depth])


MUTATORS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "flip": flip, "overwrite": overwrite, "cut": cut, "insert": insert, "lines": lines,
    "cells": cells, "recode": recode, "nest": nest,
}  # fmt: skip


# --------------------------------------------------------------------------- readers


def read_strava(data: bytes) -> None:
    meta = Metadata()
    meta.add("export/activities.csv", data)
    meta.finish()
    for row in meta.records:
        assert isinstance(row.record_id, str)
        assert row.service == "strava"
        # a record that counts is dated within the years the activity files accept
        assert not math.isfinite(row.start_utc) or 315532800 <= row.start_utc < 4102444800


def read_garmin(data: bytes) -> None:
    meta = Metadata()
    meta.add("export/DI_CONNECT/DI-Connect-Fitness/x_0_summarizedActivities.json", data)


def read_pain(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # read_diary refuses it in one line before parsing
    diary = parse_diary(text, "pain.csv")
    if not diary.entries.empty:
        years = diary.entries["date"].dt.year
        assert years.between(1980, 2099).all(), diary.entries
        pains = diary.entries["pain"]
        assert pains.map(math.isfinite).all() and pains.between(0, 10).all(), diary.entries


READERS: dict[str, tuple[Callable[[], bytes], Callable[[bytes], None]]] = {
    "strava_csv": (strava_seed, read_strava),
    "garmin_json": (garmin_seed, read_garmin),
    "pain_csv": (diary_seed, read_pain),
}


def fuzz_reader(kind: str, n: int, seed: int = 0) -> dict[str, Any]:
    """Feed ``n`` mutants of ``kind``'s seed to its reader; count escapes."""
    make, read = READERS[kind]
    base = make()
    rng = random.Random(f"{kind}-{seed}")
    names = list(MUTATORS)
    stats: dict[str, Any] = {"inputs": 0, "refused": 0, "escaped": 0, "failures": []}
    stats["mutators"] = Counter()
    started = time.perf_counter()
    for index in range(n):
        data = base
        for _ in range(rng.choice([1, 1, 2, 3])):
            name = rng.choice(names)
            stats["mutators"][name] += 1
            data = MUTATORS[name](rng, data)
        stats["inputs"] += 1
        try:
            read(data)
        except RunauditError:
            stats["refused"] += 1
        except Exception as err:  # an escape: keep the first few for the report
            stats["escaped"] += 1
            if len(stats["failures"]) < 5:
                stats["failures"].append(
                    (index, f"{type(err).__name__}: {err}"[:300], traceback.format_exc()[-800:])
                )
    stats["seconds"] = time.perf_counter() - started
    return stats


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 10_000
    bad = 0
    for kind in READERS:
        stats = fuzz_reader(kind, n)
        print(
            f"{kind}: {stats['inputs']} inputs, {stats['refused']} refused whole,"
            f" {stats['escaped']} escaped, {stats['seconds']:.1f} s"
        )
        for failure in stats["failures"]:
            print("  ", failure[0], failure[1])
        bad += stats["escaped"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
