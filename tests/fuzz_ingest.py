"""Bounded, deterministic fuzzing of runaudit's ingest (issue 6).

Valid FIT, GPX and TCX seed files are written with :mod:`runaudit_demo.synth` and
mutated: bit flips, byte overwrites, truncation at every FIT message boundary
(and at XML tag boundaries), inserted garbage, deleted and duplicated spans,
duplicated FIT definition messages, FIT headers declaring huge sizes, FIT
definitions with changed field sizes and base types, XML with DTDs, entities,
odd encodings and broken values. Each mutant goes through
:func:`runaudit.reading.backends.work.parse_file_bytes`, which must return a cache entry of
kind ``"activity"``, ``"not_activity"`` or ``"error"`` (with a reason) within
a per-input time limit and never raise.

:func:`fuzz_end_to_end` then writes mutants into a folder (loose, gzipped and
inside a zip) and checks that :func:`runaudit.intake.pipeline` puts every one of them
in exactly one bucket.

Run it by hand for a longer budget::

    PYTHONPATH=src python -m tests.fuzz_ingest --n 100000 --seed 7

The same seed always gives the same inputs, so a failure can be replayed with
``--replay INDEX``, which also writes the failing input to a file.
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
import signal
import struct
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

#: Kinds :func:`runaudit.reading.backends.work.parse_file_bytes` may return.
KINDS = ("activity", "not_activity", "error")
#: Seconds one input may take before the fuzz run counts it as a hang.
TIME_LIMIT_S = 2.0
#: Prefix of the reason ``parse_file_bytes`` gives an exception no parser classified.
UNCLASSIFIED = "could not be read ("

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    """One valid file the mutators start from."""

    name: str
    fmt: str
    data: bytes


class InputTimeout(BaseException):
    """Raised by the per-input alarm; a BaseException so no ``except Exception`` eats it."""


# --------------------------------------------------------------------------- seeds


@cache
def seeds() -> tuple[Seed, ...]:
    """Small valid seed files: ~2-minute activities recorded every 5 s (1-18 KB each)."""
    from runaudit_demo.synth import (
        fit_bytes,
        make_run,
        write_fit_non_activity,
        write_gpx,
        write_tcx,
    )

    run = make_run(T0, 0.36, interval_s=5, alt_noise_m=1.0, pauses=[(40.0, 20.0)])
    ride = make_run(T0, 1.2, interval_s=10, sport="cycling", pace_s_per_km=120, seed=3)
    fit = fit_bytes(run)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gpx = write_gpx(run, folder / "a.gpx").read_bytes()
        gpx9 = write_gpx(ride, folder / "b.gpx", activity_type="9").read_bytes()
        tcx = write_tcx(run, folder / "a.tcx").read_bytes()
        tcx_bike = write_tcx(ride, folder / "b.tcx", sport="Biking").read_bytes()
        monitoring = write_fit_non_activity(folder / "m.fit", "monitoring").read_bytes()
    return (
        Seed("run.fit", "fit", fit),
        Seed("ride.fit", "fit", fit_bytes(ride)),
        Seed("chained.fit", "fit", fit + fit_bytes(run.head(6))),
        Seed("monitoring.fit", "fit", monitoring),
        Seed("run.gpx", "gpx", gpx),
        Seed("ride9.gpx", "gpx", gpx9),
        Seed("run.tcx", "tcx", tcx),
        Seed("ride.tcx", "tcx", tcx_bike),
    )


# --------------------------------------------------------------------------- FIT structure


@dataclass(frozen=True)
class FitMessage:
    """One record of a FIT stream: ``data[start:end]``."""

    start: int
    end: int
    definition: bool


def fit_messages(data: bytes) -> list[FitMessage]:
    """Walk the records of a well-formed FIT stream (chained files included).

    Returns the message spans in order; stops quietly at the first byte that
    does not parse (the mutators only need the boundaries of valid seeds).
    """
    out: list[FitMessage] = []
    with suppress(IndexError, struct.error):
        _walk_fit(data, out)
    return out


def _walk_fit(data: bytes, out: list[FitMessage]) -> None:
    offset = 0
    while offset + 12 <= len(data) and data[offset + 8 : offset + 12] == b".FIT":
        header = data[offset]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        pos, end = offset + header, offset + header + size
        sizes: dict[int, int] = {}
        while pos < end:
            head = data[pos]
            if head & 0x80:  # compressed timestamp header: a data message
                local, length = (head >> 5) & 0x3, sizes.get((head >> 5) & 0x3)
                if length is None:
                    return
                out.append(FitMessage(pos, pos + 1 + length, False))
                pos += 1 + length
            elif head & 0x40:  # definition message
                n_fields = data[pos + 5]
                length = 6 + 3 * n_fields
                body = sum(data[pos + 6 + 3 * i + 1] for i in range(n_fields))
                if head & 0x20:
                    n_dev = data[pos + length]
                    body += sum(data[pos + length + 1 + 3 * i + 1] for i in range(n_dev))
                    length += 1 + 3 * n_dev
                sizes[head & 0x0F] = body
                out.append(FitMessage(pos, pos + length, True))
                pos += length
            else:
                local = head & 0x0F
                if local not in sizes:
                    return
                out.append(FitMessage(pos, pos + 1 + sizes[local], False))
                pos += 1 + sizes[local]
        offset = end + 2
    return


def fit_boundaries(data: bytes) -> list[int]:
    """Every offset where a FIT record, header or CRC starts or ends."""
    cuts = {0, len(data)}
    offset = 0
    while offset + 12 <= len(data) and data[offset + 8 : offset + 12] == b".FIT":
        header = data[offset]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        cuts.update({offset, offset + 1, offset + 4, offset + 8, offset + 12, offset + header})
        offset += header + size
        cuts.update({offset, offset + 1})
        offset += 2
    for msg in fit_messages(data):
        cuts.update({msg.start, msg.start + 1, msg.end})
    return sorted(c for c in cuts if 0 <= c <= len(data))


def fix_fit(data: bytes) -> bytes:
    """Rewrite the first header's data size and both CRCs to match the bytes.

    A mutant with a fixed frame gets past the size and CRC checks and into
    the message decoder, where the interesting bugs live.
    """
    from runaudit.reading.parsers.fit import fit_crc

    if len(data) < 16 or data[0] not in (12, 14):
        return data
    header = data[0]
    body = bytearray(data[:-2])
    struct.pack_into("<I", body, 4, len(body) - header)
    if header == 14:
        struct.pack_into("<H", body, 12, fit_crc(bytes(body[:12])))
    return bytes(body) + struct.pack("<H", fit_crc(bytes(body)))


# --------------------------------------------------------------------------- mutators

Mutator = Callable[[random.Random, Seed], bytes]

_INTERESTING = (0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE, 0x40, 0x0E, 0x0C, 0x20)
_XML_GARBAGE = (
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&lol;",
    b"&#0;",
    b"&#xFFFF;",
    b"]]>",
    b"<![CDATA[",
    b"<!-- -->",
    b"<?pi x?>",
    b'<!DOCTYPE gpx [<!ENTITY lol "lol">]>',
    b'<!DOCTYPE gpx SYSTEM "file:///etc/passwd">',
    b"\x00",
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xef\xbb\xbf",
    b"<trkpt>",
    b"</trkpt>",
    b"<trkseg>",
    b"<time></time>",
    b"<time>9999-99-99T99:99:99Z</time>",
    b"<time>0001-01-01T00:00:00Z</time>",
    b'<trkpt lat="nan" lon="inf">',
    b'<trkpt lat="1e999" lon="-1e999"><time>2026-03-02T06:00:00Z</time></trkpt>',
    b"<Trackpoint><Time>2026-03-02T06:00:00Z</Time></Trackpoint>",
    b"<ele>1e308</ele>",
    b"<DistanceMeters>-1e308</DistanceMeters>",
    b'xmlns:x="urn:x"',
    b"\n xmlns",
)
_BAD_VALUES = (
    b"",
    b"nan",
    b"inf",
    b"-inf",
    b"1e309",
    b"-0",
    b"99999999999999999999",
    b"2026-02-30T00:00:00Z",
    b"2026-03-02T25:00:00+99:99",
    b"2026-03-02T05:00:00+99:99",
    b"0001-01-01T00:00:00+01:00",
    b"9999-12-31T23:59:59-01:00",
    b"0000-00-00T00:00:00Z",
    b"9999-12-31T23:59:59Z",
    b"abc",
    b"\xff\xfe",
)


def _pos(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def bit_flips(rng: random.Random, seed: Seed) -> bytes:
    """Flip 1-16 random bits."""
    out = bytearray(seed.data)
    for _ in range(rng.randint(1, 16)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def byte_overwrites(rng: random.Random, seed: Seed) -> bytes:
    """Overwrite 1-8 bytes with random or boundary values."""
    out = bytearray(seed.data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] = rng.choice(_INTERESTING) if rng.random() < 0.5 else rng.randrange(256)
    return bytes(out)


def truncate(rng: random.Random, seed: Seed) -> bytes:
    """Cut at a message boundary (FIT) or tag boundary (XML), or anywhere."""
    data = seed.data
    if seed.fmt == "fit" and rng.random() < 0.8:
        return data[: rng.choice(fit_boundaries(data))]
    if seed.fmt != "fit" and rng.random() < 0.7:
        cuts = [i for i, b in enumerate(data) if b in b"<>"]
        return data[: rng.choice(cuts) + rng.randint(0, 1)]
    return data[: _pos(rng, data)]


def insert_garbage(rng: random.Random, seed: Seed) -> bytes:
    """Insert random bytes (or XML tokens) somewhere."""
    data = seed.data
    if seed.fmt != "fit" and rng.random() < 0.6:
        junk = rng.choice(_XML_GARBAGE)
    else:
        junk = rng.randbytes(rng.choice((1, 2, 4, 16, 255, 1024)))
    at = _pos(rng, data)
    return data[:at] + junk + data[at:]


def delete_span(rng: random.Random, seed: Seed) -> bytes:
    """Remove a random span."""
    data = seed.data
    a = _pos(rng, data)
    b = min(len(data), a + rng.choice((1, 2, 3, 8, 64, 512)))
    return data[:a] + data[b:]


def duplicate_span(rng: random.Random, seed: Seed) -> bytes:
    """Copy a random span to a random place (for FIT: whole messages)."""
    data = seed.data
    if seed.fmt == "fit":
        msgs = fit_messages(data)
        if msgs:
            msg = rng.choice(msgs)
            at = rng.choice(msgs).start
            out = data[:at] + data[msg.start : msg.end] * rng.randint(1, 3) + data[at:]
            return fix_fit(out) if rng.random() < 0.7 else out
    a = _pos(rng, data)
    b = min(len(data), a + rng.choice((1, 16, 200, 2000)))
    at = _pos(rng, data)
    return data[:at] + data[a:b] + data[at:]


def duplicate_definitions(rng: random.Random, seed: Seed) -> bytes:
    """FIT: repeat definition messages, or re-send one between data messages."""
    data = seed.data
    if seed.fmt != "fit":
        return duplicate_span(rng, seed)
    msgs = fit_messages(data)
    defs = [m for m in msgs if m.definition]
    if not defs:
        return bit_flips(rng, seed)
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        msg = rng.choice(defs)
        block = bytes(data[msg.start : msg.end])
        if rng.random() < 0.5:  # reuse it under another local message number
            block = bytes([(block[0] & 0xF0) | rng.randrange(16)]) + block[1:]
        at = rng.choice(msgs).start if rng.random() < 0.5 else msg.end
        out[at:at] = block
        msgs = fit_messages(bytes(out)) or msgs
    return fix_fit(bytes(out)) if rng.random() < 0.8 else bytes(out)


def mangle_definition(rng: random.Random, seed: Seed) -> bytes:
    """FIT: change a definition's field size, base type, field count, arch or message number."""
    data = seed.data
    if seed.fmt != "fit":
        return byte_overwrites(rng, seed)
    defs = [m for m in fit_messages(data) if m.definition]
    if not defs:
        return byte_overwrites(rng, seed)
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        msg = rng.choice(defs)
        n_fields = out[msg.start + 5]
        what = rng.randrange(6)
        if what == 0 and n_fields:  # field size
            i = msg.start + 6 + 3 * rng.randrange(n_fields) + 1
            out[i] = rng.choice((0, 1, 2, 3, 7, 255, rng.randrange(256)))
        elif what == 1 and n_fields:  # base type
            i = msg.start + 6 + 3 * rng.randrange(n_fields) + 2
            out[i] = rng.choice((0x00, 0x07, 0x83, 0x84, 0x86, 0x88, 0x89, 0x8C, 0x8E, 0xFF))
        elif what == 2:  # number of fields
            out[msg.start + 5] = rng.choice((0, 1, n_fields + 1, 255))
        elif what == 3:  # architecture (big-endian / invalid)
            out[msg.start + 2] = rng.choice((1, 2, 255))
        elif what == 4:  # global message number
            struct.pack_into("<H", out, msg.start + 3, rng.choice((0, 18, 20, 34, 0xFFFF)))
        else:  # developer-data flag
            out[msg.start] ^= 0x20
    return fix_fit(bytes(out)) if rng.random() < 0.8 else bytes(out)


def huge_size(rng: random.Random, seed: Seed) -> bytes:
    """Declare a huge (or slightly wrong) size: FIT header data size, or a huge XML number."""
    data = seed.data
    if seed.fmt != "fit":
        return swap_value(rng, seed)
    out = bytearray(data)
    offsets = [0]
    if seed.name.startswith("chained"):
        offsets.append(fit_messages(data)[-1].end + 2 if fit_messages(data) else 0)
    at = rng.choice([o for o in offsets if o + 12 <= len(out)])
    value = rng.choice(
        (0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 2**29, 512 * 2**20 + 1, len(out), len(out) - 14 + 1)
    )
    struct.pack_into("<I", out, at + 4, value)
    if rng.random() < 0.3:
        out[at] = rng.choice((0, 1, 12, 14, 255))
    return bytes(out)


def swap_value(rng: random.Random, seed: Seed) -> bytes:
    """XML: replace the text of a random element or attribute value with a bad value."""
    data = seed.data
    if seed.fmt == "fit":
        return byte_overwrites(rng, seed)
    out = data
    for _ in range(rng.randint(1, 3)):
        starts = [i for i in range(len(out)) if out[i : i + 1] in (b">", b'"')]
        i = rng.choice(starts)
        close = b"<" if out[i : i + 1] == b">" else b'"'
        j = out.find(close, i + 1)
        if j < 0:
            continue
        out = out[: i + 1] + rng.choice(_BAD_VALUES) + out[j:]
    return out


def recode(rng: random.Random, seed: Seed) -> bytes:
    """XML: re-encode (UTF-16, BOM, leading whitespace) or wrap in hostile DTDs."""
    data = seed.data
    if seed.fmt == "fit":
        return splice(rng, seed)
    choice = rng.randrange(5)
    if choice == 0:
        text = data.decode("utf-8").lstrip()
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
        return text.encode(rng.choice(("utf-16", "utf-16-le", "utf-16-be")))
    if choice == 1:
        return b"\xef\xbb\xbf" + rng.choice((b"", b" ", b"\n\n\t ")) + data.lstrip()
    if choice == 2:
        head = data.find(b"?>") + 2 if data.lstrip().startswith(b"<?xml") else 0
        dtd = rng.choice(
            (
                b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>',
                b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
                b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>',
                b"<!DOCTYPE r>",
            )
        )
        return data[:head] + dtd + data[head:]
    if choice == 3:
        return data.replace(
            b"UTF-8", rng.choice((b"ISO-8859-1", b"US-ASCII", b"x-bogus", b"UTF-7"))
        )
    depth = rng.choice((100, 1000, 20000))
    at = data.find(b"</trkpt>") if seed.fmt == "gpx" else data.find(b"</Trackpoint>")
    nest = b"<extensions>" + b"<a>" * depth + b"</a>" * depth + b"</extensions>"
    return data[:at] + nest + data[at:] if at > 0 else data + nest


def splice(rng: random.Random, seed: Seed) -> bytes:
    """Join the head of this seed with the tail of another (any format)."""
    other = rng.choice(seeds()).data
    return seed.data[: _pos(rng, seed.data)] + other[_pos(rng, other) :]


MUTATORS: dict[str, Mutator] = {
    "bit_flips": bit_flips,
    "byte_overwrites": byte_overwrites,
    "truncate": truncate,
    "insert_garbage": insert_garbage,
    "delete_span": delete_span,
    "duplicate_span": duplicate_span,
    "duplicate_definitions": duplicate_definitions,
    "mangle_definition": mangle_definition,
    "huge_size": huge_size,
    "swap_value": swap_value,
    "recode": recode,
    "splice": splice,
}


def mutant(rng: random.Random) -> tuple[Seed, str, bytes]:
    """Pick a seed and one to three stacked mutations; return the seed, their names and bytes."""
    seed = rng.choice(seeds())
    names = [rng.choice(list(MUTATORS)) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
    current = seed
    for name in names:
        if not current.data:
            break
        try:
            data = MUTATORS[name](rng, current)
        except (IndexError, ValueError, UnicodeError, struct.error):
            # A structure-aware mutator met an earlier mutant it cannot walk.
            data = bit_flips(rng, current)
        current = Seed(seed.name, seed.fmt, data)
    return seed, "+".join(names), current.data


def boundary_truncations() -> Iterator[tuple[Seed, str, bytes]]:
    """The activity FIT seed cut at every offset, the other FIT seeds at every boundary.

    Deterministic, not random: header, definition, data message and CRC
    boundaries of every FIT seed, chained files included.
    """
    for seed in seeds():
        if seed.fmt == "fit":
            every = seed.name == "run.fit"
            cuts = range(len(seed.data) + 1) if every else fit_boundaries(seed.data)
            for cut in cuts:
                yield seed, f"truncate@{cut}", seed.data[:cut]


def inputs(n: int, seed: int) -> Iterator[tuple[Seed, str, bytes]]:
    """The ``n`` fuzz inputs of a run: boundary truncations first, then random mutants."""
    rng = random.Random(seed)
    count = 0
    for item in boundary_truncations():
        if count >= n:
            return
        yield item
        count += 1
    while count < n:
        yield mutant(rng)
        count += 1


# --------------------------------------------------------------------------- the runs


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`InputTimeout` after ``seconds`` (POSIX main thread; else no limit)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise InputTimeout

    previous = signal.signal(signal.SIGALRM, _alarm)
    # Re-fire every 0.1 s in case a library swallows the first one.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


def check_entry(entry: Any) -> str | None:
    """Return what is wrong with one parse result, or None when it is a valid outcome."""
    if entry.kind not in KINDS:
        return f"kind {entry.kind!r} is not one of {KINDS}"
    if entry.kind == "error" and not (entry.error and entry.error.strip()):
        return "error without a reason"
    if entry.kind == "activity" and not entry.summaries:
        return "activity without activities"
    return None


def fuzz(n: int, seed: int = 0, *, time_limit_s: float = TIME_LIMIT_S) -> dict[str, Any]:
    """Run ``n`` mutated inputs through ``parse_file_bytes``.

    Returns
    -------
    dict
        ``inputs``, ``escaped`` (exceptions out of ``parse_file_bytes``),
        ``lost`` (results that are no valid outcome), ``timeouts`` (inputs
        over ``time_limit_s``), ``unclassified`` (errors no parser named,
        reported as "could not be read (SomeError: ...)"), ``max_s`` and
        ``total_s`` [s], ``kinds`` and ``mutators`` (Counters) and
        ``failures``: up to 20 ``(index, seed, mutators, problem)`` tuples.
    """
    from runaudit.intake.pipeline import parse_file_bytes

    stats: dict[str, Any] = {
        "inputs": 0,
        "escaped": 0,
        "lost": 0,
        "timeouts": 0,
        "unclassified": 0,
        "max_s": 0.0,
        "total_s": 0.0,
        "kinds": Counter(),
        "mutators": Counter(),
        "unclassified_reasons": Counter(),
        "unclassified_by_format": Counter(),
        "failures": [],
    }
    started = time.perf_counter()
    for index, (base, how, data) in enumerate(inputs(n, seed)):
        stats["inputs"] += 1
        for name in how.split("@")[0].split("+"):
            stats["mutators"][name] += 1
        problem = None
        t0 = time.perf_counter()
        try:
            with time_limit(time_limit_s):
                entry, _parsed = parse_file_bytes(data, base.fmt)
        except InputTimeout:
            stats["timeouts"] += 1
            problem = f"took over {time_limit_s} s"
        except BaseException as err:  # counting escapes is the point
            if isinstance(err, KeyboardInterrupt):
                raise
            stats["escaped"] += 1
            problem = "".join(traceback.format_exception_only(err)).strip()
        else:
            stats["kinds"][entry.kind] += 1
            problem = check_entry(entry)
            if problem:
                stats["lost"] += 1
            elif entry.kind == "error" and (entry.error or "").startswith(UNCLASSIFIED):
                stats["unclassified"] += 1
                stats["unclassified_reasons"][(entry.error or "").split(":")[0]] += 1
                stats["unclassified_by_format"][base.fmt] += 1
        elapsed = time.perf_counter() - t0
        stats["max_s"] = max(stats["max_s"], elapsed)
        if problem is None and elapsed > time_limit_s:
            stats["timeouts"] += 1
            problem = f"took {elapsed:.2f} s"
        if problem and len(stats["failures"]) < 20:
            stats["failures"].append((index, base.name, how, problem))
    stats["total_s"] = time.perf_counter() - started
    return stats


def fuzz_end_to_end(n_files: int, seed: int, folder: Path) -> dict[str, Any]:
    """Write ``n_files`` mutants into ``folder`` (some gzipped, some zipped) and ingest it.

    Every file is named ``.fit``/``.gpx``/``.tcx`` (optionally ``.gz``), so
    each must reach the ledger; a tenth of them go into ``bundle.zip``, each
    member counting as one file.

    Returns
    -------
    dict
        ``files`` written, ``ledger`` entries, ``buckets`` (Counter),
        ``bad_buckets`` (entries outside the known buckets), ``total_s`` [s].
    """
    from runaudit.intake.pipeline import ingest
    from runaudit.reading.models import BUCKETS

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    members: dict[str, bytes] = {}
    written = 0
    for i in range(n_files):
        base, _how, data = mutant(rng)
        # Sometimes name a file after another format: sniffing must still place it.
        fmt = base.fmt if rng.random() < 0.85 else rng.choice(("fit", "gpx", "tcx"))
        name = f"m{i:05d}.{fmt}"
        if rng.random() < 0.15:
            name += ".gz"
            data = gzip.compress(data, mtime=0)
            if rng.random() < 0.3:  # damage the gzip stream itself
                data = bit_flips(rng, Seed(name, "gz", data)) if data else data
        if rng.random() < 0.1:
            members[f"activities/{name}"] = data
        else:
            (folder / name).write_bytes(data)
        written += 1
    if members:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        (folder / "bundle.zip").write_bytes(buf.getvalue())
    started = time.perf_counter()
    result = ingest([folder], use_cache=False, jobs=1)
    buckets = Counter(e.bucket for e in result.ledger)
    return {
        "files": written,
        "ledger": len(result.ledger),
        "buckets": buckets,
        "bad_buckets": sum(n for b, n in buckets.items() if b not in BUCKETS),
        "total_s": time.perf_counter() - started,
    }


def fuzz_zips(n_zips: int, seed: int, folder: Path) -> dict[str, Any]:
    """Ingest ``n_zips`` damaged export zips (bit flips, cuts, garbage in the zip bytes).

    How many entries a damaged zip yields cannot be known in advance, so this
    checks that ingest returns, every entry has a valid bucket and a reason,
    and each zip contributes at least one entry (its members, or itself as
    skipped).

    Returns
    -------
    dict
        ``zips``, ``ledger`` entries, ``buckets`` (Counter), ``bad_buckets``,
        ``silent_zips`` (zips with no ledger entry at all), ``total_s`` [s].
    """
    from runaudit.intake.pipeline import ingest
    from runaudit.reading.models import BUCKETS

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()

    def member(name: str) -> zipfile.ZipInfo:
        # a fixed date keeps the zip, and so every mutation of it, reproducible
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        lines = ["Activity ID,Activity Type,Filename"]
        for i, base in enumerate(seeds()[:6]):
            name = f"activities/{i}.{base.fmt}.gz"
            zf.writestr(member(name), gzip.compress(base.data, mtime=0))
            lines.append(f"{i},Run,{name}")
        zf.writestr(member("activities.csv"), "\n".join(lines) + "\n")
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as nested:
            nested.writestr(member("a.fit"), seeds()[0].data)
        zf.writestr(member("DI_CONNECT/UploadedFiles_0-_Part1.zip"), inner.getvalue())
    valid = Seed("export.zip", "zip", buf.getvalue())
    for i in range(n_zips):
        how = rng.choice(("bit_flips", "byte_overwrites", "truncate", "insert_garbage", "delete"))
        if how == "truncate":
            data = valid.data[: _pos(rng, valid.data)]
        elif how == "delete":
            data = delete_span(rng, valid)
        else:
            data = MUTATORS[how](rng, valid)
        (folder / f"z{i:04d}.zip").write_bytes(data)
    started = time.perf_counter()
    result = ingest([folder], use_cache=False, jobs=1)
    buckets = Counter(e.bucket for e in result.ledger)
    zips = {e.source.split("!")[0] for e in result.ledger}
    return {
        "zips": n_zips,
        "ledger": len(result.ledger),
        "buckets": buckets,
        "bad_buckets": sum(n for b, n in buckets.items() if b not in BUCKETS)
        + sum(1 for e in result.ledger if not e.reason),
        "silent_zips": n_zips - len(zips),
        "total_s": time.perf_counter() - started,
    }


def summary_line(stats: dict[str, Any]) -> str:
    """The one-line result printed by CI."""
    unclassified = ", ".join(
        f"{n} {fmt.upper()}" for fmt, n in sorted(stats["unclassified_by_format"].items())
    )
    return (
        f"fuzz: {stats['inputs']} inputs, {stats['escaped']} escaped exceptions, "
        f"{stats['lost']} lost files, max {stats['max_s']:.2f} s/input "
        f"(total {stats['total_s']:.1f} s; {stats['timeouts']} over the "
        f"{TIME_LIMIT_S:g} s limit; unclassified errors: {unclassified or 'none'})"
    )


def replay(index: int, seed: int, out: Path) -> Path:
    """Write input number ``index`` of a run to ``out`` and return its path."""
    for i, (base, how, data) in enumerate(inputs(index + 1, seed)):
        if i == index:
            path = out / f"fuzz-{seed}-{index}-{how.replace('+', '_')}-{base.name}"
            path.write_bytes(data)
            return path
    raise IndexError(index)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz_ingest", description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="inputs to run (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT_S, help="s per input")
    parser.add_argument("--e2e", type=int, default=0, help="also ingest N mutants end to end")
    parser.add_argument("--replay", type=int, help="write input INDEX to the current folder")
    args = parser.parse_args(argv)
    if args.replay is not None:
        print(replay(args.replay, args.seed, Path.cwd()))
        return 0
    stats = fuzz(args.n, args.seed, time_limit_s=args.time_limit)
    print(summary_line(stats))
    print(f"  kinds: {dict(stats['kinds'])}")
    print(f"  mutators: {dict(stats['mutators'])}")
    if stats["unclassified_reasons"]:
        print(f"  unclassified: {dict(stats['unclassified_reasons'])}")
    for failure in stats["failures"]:
        print(f"  FAIL input {failure[0]} ({failure[1]}, {failure[2]}): {failure[3]}")
    ok = not (stats["escaped"] or stats["lost"] or stats["timeouts"])
    if args.e2e:
        with tempfile.TemporaryDirectory() as tmp:
            e2e = fuzz_end_to_end(args.e2e, args.seed, Path(tmp))
        print(
            f"fuzz end-to-end: {e2e['files']} files, {e2e['ledger']} ledger entries,"
            f" buckets {dict(e2e['buckets'])}, {e2e['total_s']:.1f} s"
        )
        ok = ok and e2e["files"] == e2e["ledger"] and not e2e["bad_buckets"]
        with tempfile.TemporaryDirectory() as tmp:
            zips = fuzz_zips(max(1, args.e2e // 5), args.seed, Path(tmp))
        print(
            f"fuzz zips: {zips['zips']} damaged zips, {zips['ledger']} ledger entries,"
            f" buckets {dict(zips['buckets'])}, {zips['silent_zips']} silent,"
            f" {zips['total_s']:.1f} s"
        )
        ok = ok and not zips["bad_buckets"] and not zips["silent_zips"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
