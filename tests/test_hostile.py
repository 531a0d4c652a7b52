"""Hostile and broken inputs (issue 6): every file ends in one bucket with a reason.

Each input is crafted in the test itself: empty and renamed files, GPX routes
and TCX courses, FIT files with bad CRCs, cut short or declaring gigabytes,
damaged gzip, zip bombs, zip-slip names, nested and over-full zips, billion
laughs and XXE. Refusals must be fast and must not allocate what the input
declares.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from runaudit import Limits, ingest
from runaudit.intake.pipeline import LedgerEntry, parse_file_bytes
from runaudit.reading.models import BUCKETS
from runaudit.reading.parsers.fit import fit_crc
from runaudit_demo.synth import fit_bytes, make_run, write_fit, write_gpx, write_tcx
from tests.fuzz_ingest import fit_messages

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
MIB = 2**20
#: A refusal may take at most this long [s] and grow traced memory by at most this [bytes].
FAST_S, SMALL_BYTES = 1.0, 100 * MIB

ZIP_SLIP = "zip member name points outside the archive (zip-slip); refused"
DTD_REFUSED = "GPX declares a DTD; refused for safety (entity expansion/XXE)"


# --------------------------------------------------------------------------- builders


def _run(days: int = 0, **kw):
    return make_run(T0 + timedelta(days=days), kw.pop("km", 0.8), interval_s=5, **kw)


def _fit(**kw) -> bytes:
    return fit_bytes(_run(**kw))


def _gpx(tmp_path: Path, **kw) -> bytes:
    return write_gpx(_run(**kw), tmp_path / "seed.gpx").read_bytes()


def _tcx(tmp_path: Path, **kw) -> bytes:
    return write_tcx(_run(**kw), tmp_path / "seed.tcx").read_bytes()


def _fit_records_before(data: bytes, cut: int) -> int:
    """Record (global message 20) data messages that end at or before byte ``cut``."""
    local_global: dict[int, int] = {}
    count = 0
    for msg in fit_messages(data):
        head = data[msg.start]
        if msg.definition:
            local_global[head & 0x0F] = struct.unpack_from("<H", data, msg.start + 3)[0]
            continue
        local = (head >> 5) & 0x3 if head & 0x80 else head & 0x0F
        if msg.end <= cut and local_global.get(local) == 20:
            count += 1
    return count


def _raw_fit(body: bytes, *, data_size: int | None = None) -> bytes:
    """A FIT file around hand-made messages: 14-byte header, body, CRC."""
    size = len(body) if data_size is None else data_size
    header = bytearray(struct.pack("<BBHI4s", 14, 0x20, 2132, size, b".FIT"))
    header += struct.pack("<H", fit_crc(bytes(header)))
    out = bytes(header) + body
    return out + struct.pack("<H", fit_crc(out))


def _definition(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    return out + b"".join(struct.pack("<BBB", *f) for f in fields)


@contextmanager
def _bounded(seconds: float = FAST_S, max_bytes: int = SMALL_BYTES) -> Iterator[None]:
    """Assert the block runs in ``seconds`` and allocates at most ``max_bytes`` at peak."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] - before
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert peak < max_bytes, f"allocated {peak / MIB:.0f} MiB"


def _ingest(*paths: Path, **kw) -> dict[str, LedgerEntry]:
    result = ingest(list(paths), use_cache=False, jobs=1, **kw)
    assert all(e.bucket in BUCKETS and e.reason for e in result.ledger)
    return {re.split(r"[/!]", e.source)[-1]: e for e in result.ledger}


def _one(tmp_path: Path, name: str, data: bytes, **kw) -> LedgerEntry:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    ledger = _ingest(path, **kw)
    assert len(ledger) == 1, ledger
    return next(iter(ledger.values()))


def _zip_entry(
    name: str, payload: bytes, *, method: int, crc: int, csize: int, usize: int, flags: int = 0
) -> tuple[bytes, bytes, bytes]:
    """One hand-made zip member: local header + data, and its central directory record.

    Sizes are written as zip64 extra fields, so a member can declare any size.
    Returns ``(local, central head, central tail)``: the member's offset goes
    between the two central parts.
    """
    raw = name.encode("utf-8")
    extra = struct.pack("<HHQQ", 1, 16, usize, csize)
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 45, flags, method, 0, 0x21, crc, 2**32 - 1, 2**32 - 1,
        len(raw), len(extra),
    )  # fmt: skip
    central = struct.pack(
        "<IHHHHHHIIIHHHHHI", 0x02014B50, 45, 45, flags, method, 0, 0x21, crc, 2**32 - 1,
        2**32 - 1, len(raw), len(extra), 0, 0, 0, 0,
    )  # fmt: skip
    return local + raw + extra + payload, central, raw + extra


def _raw_zip(members: list[tuple[str, bytes, dict]]) -> bytes:
    """A zip written byte by byte: each member ``(name, payload, header fields)``."""
    body = bytearray()
    directory = bytearray()
    for name, payload, fields in members:
        local, central, tail = _zip_entry(name, payload, **fields)
        directory += central + struct.pack("<I", len(body)) + tail
        body += local
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    return bytes(body + directory + end)


def _stored(data: bytes) -> dict:
    size = len(data)
    return {"method": 0, "crc": zlib.crc32(data), "csize": size, "usize": size}


def _deflate_zeros(gib: int) -> tuple[bytes, int]:
    """A raw deflate stream that inflates to ``gib`` GiB of zeros, built in milliseconds.

    Compressing 10 GiB of zeros with zlib at level 9 takes ~30 s here (200 MiB
    take 0.56 s), too slow for a test. After a full flush a compressor's
    state is reset, so every further MiB of zeros compresses to the same 1037
    bytes: one such block repeated 10,240 times is the same 10 GiB stream, 10 MB.
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(MIB)
    comp.compress(zeros)
    comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    stream = block * (gib * 1024) + comp.flush()
    return stream, gib * 2**30


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --------------------------------------------------------------------------- single files


SIMPLE_CASES: dict[str, tuple[str, Callable[[Path], bytes], str, str]] = {
    # case: (file name, content, bucket, reason regex)
    "empty file": ("empty.fit", lambda p: b"", "skipped", r"^empty file$"),
    "zero-filled file": (
        "crashed.fit",
        lambda p: bytes(4096),
        "skipped",
        r"^empty file \(only zero bytes: the device never wrote it\)$",
    ),
    "text renamed .fit": (
        "notes.fit",
        lambda p: b"shopping list: eggs, milk\n",
        "skipped",
        r"^not a FIT file \(no FIT header\)$",
    ),
    "text renamed .gpx": (
        "notes.gpx",
        lambda p: b"shopping list: eggs, milk\n",
        "skipped",
        r"^not a GPX file \(no <gpx> element\)$",
    ),
    "binary junk renamed .tcx": (
        "junk.tcx",
        lambda p: bytes(range(256)) * 4,
        "skipped",
        r"^not a TCX file \(no <TrainingCenterDatabase> element\)$",
    ),
    "unknown content, explicit path": (
        "mystery.dat",
        lambda p: b"PK\x05\x06not really anything",
        "skipped",
        r"^unsupported format \(not FIT, GPX or TCX\)$",
    ),
    "GPX renamed .fit": ("run.fit", lambda p: _gpx(p), "run", r"^1 run, 0\.80 km"),
    "FIT renamed .gpx": ("run.gpx", lambda p: _fit(), "run", r"^1 run, 0\.80 km$"),
    "TCX renamed .gpx": ("run.gpx", lambda p: _tcx(p), "run", r"^1 run, 0\.80 km$"),
    "GPX route without timestamps": (
        "route.gpx",
        lambda p: (
            b'<?xml version="1.0"?><gpx version="1.1" creator="planner"'
            b' xmlns="http://www.topografix.com/GPX/1/1"><rte><name>Loop</name>'
            b'<rtept lat="47.99" lon="7.85"/><rtept lat="47.995" lon="7.86"/></rte></gpx>'
        ),
        "skipped",
        r"^GPX holds only a route or waypoints, not a recorded activity$",
    ),
    "GPX track without timestamps": (
        "planned.gpx",
        lambda p: re.sub(rb"<time>[^<]*</time>", b"", _gpx(p)),
        "skipped",
        r"^GPX has no timestamps \(a planned route, not a recorded activity\)$",
    ),
    "GPX with impossible times": (
        "odd.gpx",
        lambda p: re.sub(
            rb"<time>[^<]*</time>", b"<time>2026-03-02T05:00:00+99:99</time>", _gpx(p)
        ),
        "skipped",
        r"^GPX has no valid timestamps \(every time is impossible\)$",
    ),
    "GPX dated in year 1": (
        "year1.gpx",
        lambda p: re.sub(rb"<time>2026", b"<time>0001", _gpx(p)),
        "skipped",
        r"^GPX has no valid timestamps \(every time is impossible\)$",
    ),
    "GPX with infinite numbers": (
        "inf.gpx",
        lambda p: (
            re.sub(rb"<ele>[^<]*</ele>", b"<ele>-inf</ele>", _gpx(p), count=5)
            .replace(b"<gpxtpx:cad>", b"<gpxtpx:cad>1e999", 3)
            .replace(b'lat="', b'lat="1e999', 2)
        ),
        "run",
        r"^1 run, 0\.7\d km$",
    ),
    "GPX with unreadable numbers": (
        "bitrot.gpx",
        lambda p: (
            re.sub(rb"<ele>[^<]*</ele>", b"<ele>4\xc3\x280.7</ele>", _gpx(p), count=3)
            .replace(b'lon="', b'lon="x', 2)
            .replace(b"</ele>", b"</ele><fix>9d</fix><sat>many</sat>", 2)
        ),
        "run",
        r"^1 run, 0\.7\d km$",
    ),
    "GPX with only waypoints": (
        "pois.gpx",
        lambda p: (
            b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
            b'<wpt lat="47.99" lon="7.85"><name>Water</name></wpt></gpx>'
        ),
        "skipped",
        r"^GPX holds only a route or waypoints, not a recorded activity$",
    ),
    "GPX whose root is not <gpx>": (
        "wrapped.gpx",
        lambda p: b"<kml><!-- <gpx> --><Document/></kml>",
        "skipped",
        r"^not a GPX file \(root element <kml>\)$",
    ),
    "TCX course": (
        "course.tcx",
        lambda p: (
            b'<?xml version="1.0"?><TrainingCenterDatabase xmlns='
            b'"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Courses><Course>'
            b"<Name>Loop</Name><Track><Trackpoint><Time>2026-03-02T06:00:00Z</Time>"
            b"<Position><LatitudeDegrees>47.99</LatitudeDegrees><LongitudeDegrees>7.85"
            b"</LongitudeDegrees></Position></Trackpoint></Track></Course></Courses>"
            b"</TrainingCenterDatabase>"
        ),
        "skipped",
        r"^TCX holds a course \(a planned route\), not a recorded activity$",
    ),
    "truncated GPX": (
        "cut.gpx",
        lambda p: _gpx(p)[:3000],
        "skipped",
        r"^malformed GPX \(no element found: line \d+, column \d+\)$",
    ),
    "random bytes named .fit.gz": (
        "random.fit.gz",
        lambda p: bytes((i * 7919 + 13) % 251 for i in range(2048)),
        "skipped",
        r"^not gzip data although the name ends in \.gz$",
    ),
    "plain FIT named .fit.gz": ("plain.fit.gz", lambda p: _fit(), "run", r"^1 run, 0\.80 km$"),
    "gzip with a damaged stream": (
        "damaged.fit.gz",
        lambda p: _flip(gzip.compress(_fit(), mtime=0), 200),
        "skipped",
        r"^damaged gzip data \(.+\)$",
    ),
    "gzip with a wrong checksum": (
        "badsum.gpx.gz",
        lambda p: _flip(gzip.compress(_gpx(p), mtime=0), -6),
        "skipped",
        r"^damaged gzip data \(incorrect data check\)$",
    ),
    "truncated gzip of a GPX": (
        "cut.gpx.gz",
        lambda p: gzip.compress(_gpx(p), mtime=0)[:700],
        "skipped",
        r"^gzip data ends early \(truncated at byte 700\)$",
    ),
    "truncated gzip of a FIT keeps its records": (
        "cut.fit.gz",
        lambda p: gzip.compress(_fit(), mtime=0)[:1200],
        "run",
        r"^1 run, .* km; truncated at byte \d+ of \d+ declared; \d+ records kept$",
    ),
}


def _flip(data: bytes, at: int) -> bytes:
    out = bytearray(data)
    out[at] ^= 0x55
    return bytes(out)


@pytest.mark.parametrize("case", list(SIMPLE_CASES))
def test_single_file_lands_in_its_bucket_with_a_reason(tmp_path, case):
    name, build, bucket, reason = SIMPLE_CASES[case]
    entry = _one(tmp_path, name, build(tmp_path))
    assert entry.bucket == bucket, entry.reason
    assert re.search(reason, entry.reason), entry.reason


def test_fit_with_bad_crc_keeps_every_record(tmp_path):
    data = bytearray(_fit())
    data[-1] ^= 0xFF  # the file CRC itself
    entry = _one(tmp_path, "badcrc.fit", bytes(data))
    assert entry.bucket == "run"
    assert entry.reason == "1 run, 0.80 km; bad CRC (the file was altered or damaged); records kept"
    # a damaged payload byte (not the structure) also keeps the run
    data = bytearray(_fit())
    last_record = [m for m in fit_messages(bytes(data)) if not m.definition][-5]
    data[last_record.end - 1] ^= 0x01
    entry = _one(tmp_path, "badbyte.fit", bytes(data))
    assert entry.bucket == "run" and "bad CRC" in entry.reason and "records kept" in entry.reason


def _first_record(data: bytes):
    return next(
        m for m in fit_messages(data) if not m.definition and _fit_records_before(data, m.end)
    )


@pytest.mark.parametrize("where", ["first record", "quarter", "half", "before the CRC", "in CRC"])
def test_truncated_fit_keeps_the_records_before_the_break(tmp_path, where):
    data = _fit(km=1.5)
    cut = {
        "first record": _first_record(data).end + 3,
        "quarter": len(data) // 4,
        "half": len(data) // 2,
        "before the CRC": len(data) - 2,
        "in CRC": len(data) - 1,
    }[where]
    kept = _fit_records_before(data, cut)
    entry = _one(tmp_path, "cut.fit", data[:cut])
    assert entry.bucket == "run", entry.reason
    assert entry.reason.endswith(
        f"truncated at byte {cut} of {len(data)} declared; {kept} records kept"
    ), entry.reason
    assert kept > 0


def test_fit_cut_after_file_id_before_any_record_is_skipped(tmp_path):
    data = _fit()
    cut = _first_record(data).start  # definitions, file_id, device and sport only
    entry = _one(tmp_path, "cut.fit", data[:cut])
    assert entry.bucket == "skipped"
    assert entry.reason == (
        "FIT activity file with no records and no session"
        f" (truncated at byte {cut} of {len(data)} declared; 0 records kept)"
    )


@pytest.mark.parametrize("cut", [12, 14, 20, 35, 40])
def test_fit_cut_inside_the_file_id_is_skipped_as_truncated(tmp_path, cut):
    data = _fit()
    entry = _one(tmp_path, "cut.fit", data[:cut])
    assert entry.bucket == "skipped"
    assert f"truncated at byte {cut} of {len(data)} declared; 0 records kept" in entry.reason


def test_fit_whose_header_says_zero_bytes_keeps_its_records(tmp_path):
    data = bytearray(_fit())
    struct.pack_into("<IH", data, 4, 0, 0)  # data size 0; header CRC 0 means "not set"
    data[8:12] = b".FIT"
    entry = _one(tmp_path, "crashed.fit", bytes(data[:-2]))
    assert entry.bucket == "run", entry.reason
    assert "records kept" in entry.reason


def test_fit_whose_header_is_one_byte_short_keeps_its_records(tmp_path):
    data = bytearray(_fit())
    struct.pack_into("<I", data, 4, struct.unpack_from("<I", data, 4)[0] - 1)
    entry = _one(tmp_path, "short.fit", bytes(data))
    assert entry.bucket == "run", entry.reason
    assert "records kept" in entry.reason


def test_fit_with_array_valued_timestamps_gets_a_named_reason(tmp_path):
    body = _definition(0, 0, [(0, 1, 0x00)]) + bytes([0, 4])  # file_id: type activity
    body += _definition(1, 20, [(253, 8, 0x86), (5, 4, 0x86)])  # record: timestamp[2], distance
    for i in range(5):
        body += bytes([1]) + struct.pack("<III", 1_100_000_000 + i, 1_100_000_000 + i, 100 * i)
    entry = _one(tmp_path, "arrays.fit", _raw_fit(body))
    assert entry.bucket == "skipped"
    assert not entry.reason.startswith("could not be read ("), entry.reason


def test_fit_header_declaring_4_gb_is_refused_fast(tmp_path):
    data = bytearray(_fit())
    struct.pack_into("<I", data, 4, 2**32 - 1)
    with _bounded():
        entry = _one(tmp_path, "huge.fit", bytes(data))
    assert entry.bucket == "skipped"
    assert entry.reason == (
        "FIT header declares 4096 MiB of data, over the 512 MiB a real activity file can hold"
    )


def test_parse_file_bytes_on_a_4_gb_header_allocates_nothing():
    data = bytearray(_raw_fit(b""))
    struct.pack_into("<I", data, 4, 2**32 - 1)
    with _bounded(0.2, 1 * MIB):
        entry, parsed = parse_file_bytes(bytes(data), "fit")
    assert (entry.kind, parsed) == ("error", None)
    assert "declares 4096 MiB" in (entry.error or "")


def test_gzip_bomb_named_fit_gz_is_refused_fast(tmp_path):
    stream, size = _deflate_zeros(2)  # 2 GiB of zeros in ~2 MB
    gz = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + stream + struct.pack("<II", 0, size % 2**32)
    with _bounded():
        entry = _one(tmp_path, "bomb.fit.gz", gz)
    assert entry.bucket == "skipped"
    assert entry.reason == (
        "gzip data expands more than 200:1, a compression-bomb pattern"
        " (raise the limit with Limits.max_ratio)"
    )


def test_gzip_over_the_file_limit_names_the_option(tmp_path):
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    text = np.random.default_rng(0).choice(letters, 3 * MIB).tobytes()
    data = gzip.compress(text, mtime=0)
    assert len(data) < MIB  # so the file itself is under the limit; its content is not
    entry = _one(tmp_path, "big.gpx.gz", data, limits=Limits(max_file_bytes=MIB))
    assert entry.bucket == "skipped"
    assert entry.reason == (
        "gzip data expands past the 1 MiB file limit (raise it with Limits.max_file_bytes)"
    )


# --------------------------------------------------------------------------- XML attacks


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1" creator="&lol9;"><trk><name>&lol9;</name><trkseg>
<trkpt lat="47.99" lon="7.85"><time>2026-03-02T06:00:00Z</time></trkpt>
</trkseg></trk></gpx>
"""


def _xxe(secret: Path, kind: str) -> bytes:
    uri = secret.resolve().as_uri().encode()
    dtd = {
        "entity": b'<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "' + uri + b'">]>',
        "parameter": b'<!DOCTYPE gpx [<!ENTITY % p SYSTEM "' + uri + b'"> %p;]>',
        "external dtd": b'<!DOCTYPE gpx SYSTEM "' + uri + b'">',
    }[kind]
    return (
        b'<?xml version="1.0"?>' + dtd + b'<gpx version="1.1" creator="&xxe;"><trk>'
        b'<name>&xxe;</name><trkseg><trkpt lat="47.99" lon="7.85">'
        b"<time>2026-03-02T06:00:00Z</time><desc>&xxe;</desc></trkpt></trkseg></trk></gpx>"
    )


def test_billion_laughs_gpx_is_refused_fast(tmp_path):
    with _bounded():
        entry = _one(tmp_path, "laughs.gpx", BILLION_LAUGHS)
    assert (entry.bucket, entry.reason) == ("skipped", DTD_REFUSED)


def test_billion_laughs_inside_a_tcx_is_refused(tmp_path):
    tcx = BILLION_LAUGHS.replace(b"gpx", b"TrainingCenterDatabase")
    with _bounded():
        entry = _one(tmp_path, "laughs.tcx", tcx)
    assert entry.bucket == "skipped"
    assert entry.reason == "TCX declares a DTD; refused for safety (entity expansion/XXE)"


@pytest.mark.parametrize("kind", ["entity", "parameter", "external dtd"])
def test_xxe_gpx_is_refused_and_the_file_never_read(tmp_path, kind):
    token = "XXE-SECRET-7f3a9c"
    secret = tmp_path / "secret.txt"
    secret.write_text(token)
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "xxe.gpx").write_bytes(_xxe(secret, kind))
    write_fit(_run(), folder / "good.fit")
    with _bounded():
        result = ingest([folder], use_cache=False, jobs=1)
    entries = {e.source.rsplit("/", 1)[-1]: e for e in result.ledger}
    assert (entries["xxe.gpx"].bucket, entries["xxe.gpx"].reason) == ("skipped", DTD_REFUSED)
    assert entries["good.fit"].bucket == "run"
    everything = json.dumps(
        [result.ledger_frame().to_dict("records"), result.activities.astype(str).to_dict()]
    )
    assert token not in everything
    cli = _cli(folder)
    assert cli.exit_code == 0
    assert token not in cli.stdout and token not in cli.stderr


def test_utf16_gpx_with_and_without_bom(tmp_path):
    text = _gpx(tmp_path).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert 'encoding="UTF-16"' in text
    for codec in ("utf-16", "utf-16-le", "utf-16-be"):
        entry = _one(tmp_path, f"{codec}.gpx", text.encode(codec))
        assert (entry.bucket, entry.format, entry.reason) == ("run", "gpx", "1 run, 0.80 km"), codec


def test_gpx_with_bom_and_leading_whitespace(tmp_path):
    data = b"\xef\xbb\xbf \r\n\t  " + _gpx(tmp_path)
    entry = _one(tmp_path, "bom.gpx", data)
    assert (entry.bucket, entry.reason) == ("run", "1 run, 0.80 km")
    utf16 = ("\ufeff\n   " + _gpx(tmp_path).decode()).encode("utf-16-le")
    assert _one(tmp_path, "bom16.gpx", utf16).bucket == "run"


def test_gpx_in_latin1_and_shift_jis(tmp_path):
    base = _gpx(tmp_path).decode("utf-8")
    named = base.replace("<name>", "<name>Läufchen am Flußufer ", 1)
    latin = named.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    assert _one(tmp_path, "latin1.gpx", latin).bucket == "run"
    japanese = base.replace("<name>", "<name>朝のランニング ", 1)
    sjis = japanese.replace('encoding="UTF-8"', 'encoding="Shift_JIS"').encode("shift_jis")
    assert _one(tmp_path, "sjis.gpx", sjis).bucket == "run"


def test_gpx_with_invalid_utf8_bytes_is_still_read(tmp_path):
    data = _gpx(tmp_path).replace(b"<name>", b"<name>caf\xe9 \xff ", 1)
    assert _one(tmp_path, "sloppy.gpx", data).bucket == "run"


def test_gpx_text_that_made_gpxpy_quadratic_is_read_fast(tmp_path):
    # gpxpy.parse runs r'\sxmlns:?[^=]*="[^"]+"' over the raw text: 120 KB of
    # "\nxmlns" took 2 s there, 1.2 MB about 200 s. We never call gpxpy.parse.
    data = _gpx(tmp_path).replace(b"<trk>", b"<trk><desc>" + b"\nxmlns" * 200_000 + b"</desc>", 1)
    with _bounded(2.0):
        entry = _one(tmp_path, "slow.gpx", data)
    assert (entry.bucket, entry.reason) == ("run", "1 run, 0.80 km")


def test_deeply_nested_gpx_extensions_are_read(tmp_path):
    nest = b"<extensions>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</extensions>"
    data = _gpx(tmp_path).replace(b"</trkpt>", nest + b"</trkpt>", 1)
    with _bounded(5.0, 200 * MIB):
        entry = _one(tmp_path, "deep.gpx", data)
    assert (entry.bucket, entry.reason) == ("run", "1 run, 0.80 km")


# --------------------------------------------------------------------------- zips


def test_zip_bomb_is_refused_fast_and_the_other_members_are_read(tmp_path):
    stream, size = _deflate_zeros(10)  # 10 GiB of zeros, 10.6 MB compressed
    good = _fit()
    crc = 0  # never checked: nothing of the bomb is decompressed
    data = _raw_zip(
        [
            ("activities/1.fit", good, _stored(good)),
            (
                "activities/2.fit",
                stream,
                {"method": 8, "crc": crc, "csize": len(stream), "usize": size},
            ),
        ]
    )
    # it really is a bomb: its first MiBs inflate to zeros
    probe = zlib.decompressobj(-15).decompress(stream[:8192], 4 * MIB)
    assert len(probe) == 4 * MIB and not any(probe)
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    with _bounded():
        ledger = _ingest(path)
    assert ledger["1.fit"].bucket == "run"
    assert ledger["2.fit"].bucket == "skipped"
    ratio = size / len(stream)
    assert 1000 < ratio < 1020
    assert ledger["2.fit"].reason == (
        f"zip member activities/2.fit declares 10,240 MiB compressed {ratio:,.0f}:1, a zip bomb"
        " pattern (limit 200:1, raise it with Limits.max_ratio)"
    )


def test_zip_member_declaring_more_than_the_file_limit_is_refused(tmp_path):
    payload = b"\x00" * 64
    fields = {"method": 0, "crc": 0, "csize": 3 * 2**30, "usize": 3 * 2**30}  # lying sizes
    path = tmp_path / "export.zip"
    path.write_bytes(_raw_zip([("big.fit", payload, fields)]))
    with _bounded():
        ledger = _ingest(path)
    assert ledger["big.fit"].reason == (
        "zip member big.fit declares 3,072 MiB, over the 256 MiB file limit"
        " (raise it with Limits.max_file_bytes)"
    )


def test_zip_total_over_the_limit_is_refused_whole(tmp_path):
    fields = {"method": 0, "crc": 0, "csize": 2**30, "usize": 2**30}
    members = [(f"{i}.fit", b"", fields) for i in range(25)]
    path = tmp_path / "export.zip"
    path.write_bytes(_raw_zip(members))
    with _bounded():
        ledger = _ingest(path)
    assert list(ledger) == ["export.zip"]
    assert ledger["export.zip"].reason == (
        "zip declares 25.0 GiB uncompressed (nested zips included), over the 20 GiB limit"
        " (raise it with Limits.max_total_bytes)"
    )


def test_zip_with_too_many_members_is_refused_before_its_directory_is_parsed(tmp_path):
    path = tmp_path / "many.zip"
    path.write_bytes(_zip({f"{i}.txt": b"x" for i in range(51)}, zipfile.ZIP_STORED))
    with _bounded():
        ledger = _ingest(path, limits=Limits(max_zip_members=50))
    assert ledger["many.zip"].bucket == "skipped"
    assert ledger["many.zip"].reason == (
        "zip lists 51 members, over the 50 limit (raise it with Limits.max_zip_members)"
    )


def test_members_of_nested_zips_count_towards_the_limit(tmp_path):
    inner = _zip({f"{i}.json": b"{}" for i in range(30)})
    path = tmp_path / "export.zip"
    path.write_bytes(_zip({"inner.zip": inner, **{f"{i}.csv": b"a" for i in range(25)}}))
    ledger = _ingest(path, limits=Limits(max_zip_members=50))
    assert ledger["export.zip"].reason == (
        "zip lists 56 members (nested zips included), over the 50 limit"
        " (raise it with Limits.max_zip_members)"
    )


def test_zip_slip_members_are_refused_and_the_others_read(tmp_path):
    good = _fit()
    names = ["../../evil.fit", "/abs/evil.fit", "..\\..\\evil.fit", "C:/evil.fit", "a/../../x.fit"]
    members = [(n, good, _stored(good)) for n in names]
    members.append(("activities/ok.fit", good, _stored(good)))
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "export.zip"
    path.write_bytes(_raw_zip(members))
    before = sorted(p for p in tmp_path.rglob("*"))
    with _bounded():
        result = ingest([path], use_cache=False, jobs=1)
    assert sorted(p for p in tmp_path.rglob("*")) == before  # nothing written anywhere
    by_member = {e.source.split("!", 1)[1]: e for e in result.ledger}
    assert set(by_member) == {*names, "activities/ok.fit"}
    for name in names:
        assert (by_member[name].bucket, by_member[name].reason) == ("skipped", ZIP_SLIP), name
    assert by_member["activities/ok.fit"].bucket == "run"


def test_nested_zip_is_read_in_place(tmp_path):
    inner = _zip({"a_run.fit": _fit(), "notes.txt": b"hello"})
    path = tmp_path / "garmin.zip"
    path.write_bytes(_zip({"DI_CONNECT/UploadedFiles_0-_Part1.zip": inner}))
    result = ingest([path], use_cache=False, jobs=1)
    assert [(e.source.split("!", 1)[1], e.bucket) for e in result.ledger] == [
        ("DI_CONNECT/UploadedFiles_0-_Part1.zip!a_run.fit", "run")
    ]
    assert result.ignored == 1


def test_zip_nested_too_deep_is_refused_with_a_reason(tmp_path):
    data = _zip({"deepest.fit": _fit()})
    for level in range(6):
        data = _zip({f"level{level}.zip": data, f"run{level}.fit": _fit(days=level)})
    path = tmp_path / "quine.zip"
    path.write_bytes(data)
    result = ingest([path], use_cache=False, jobs=1)
    refused = [e for e in result.ledger if e.bucket == "skipped"]
    assert len(refused) == 1
    assert refused[0].source.count(".zip") == 6
    assert refused[0].reason == (
        "zip nested more than 4 levels deep; refused (a zip-quine/bomb pattern;"
        " raise it with Limits.max_zip_depth)"
    )
    assert sum(e.bucket == "run" for e in result.ledger) == 5


def test_broken_nested_zip_names_its_reason_and_the_rest_is_read(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(_zip({"inner.zip": b"PK\x03\x04 this is not a zip", "run.fit": _fit()}))
    ledger = _ingest(path)
    assert ledger["run.fit"].bucket == "run"
    assert ledger["inner.zip"].bucket == "skipped"
    assert ledger["inner.zip"].reason == (
        "nested zip could not be opened: not a readable zip file (File is not a zip file)"
    )


def test_encrypted_zip_member_is_skipped_with_a_reason(tmp_path):
    good = _fit()
    fields = {**_stored(good), "flags": 0x1}
    path = tmp_path / "locked.zip"
    path.write_bytes(_raw_zip([("secret.fit", good, fields), ("open.fit", good, _stored(good))]))
    ledger = _ingest(path)
    assert ledger["secret.fit"].reason == (
        "zip member is encrypted (password-protected); it cannot be read"
    )
    assert ledger["open.fit"].bucket == "run"


def test_damaged_zip_is_skipped_whole_with_a_reason(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(_zip({"run.fit": _fit()})[:-30])
    ledger = _ingest(path)
    assert ledger["export.zip"].reason == "not a readable zip file (File is not a zip file)"


def test_control_characters_in_member_names_are_escaped(tmp_path):
    good = _fit()
    path = tmp_path / "export.zip"
    path.write_bytes(_raw_zip([("run\x1b[2J\n.fit", good, _stored(good))]))
    (entry,) = ingest([path], use_cache=False, jobs=1).ledger
    assert entry.bucket == "run"
    assert entry.source.endswith("!run\\x1b[2J\\n.fit")


def test_damaged_activities_csv_does_not_stop_the_export(tmp_path):
    csv_text = b"Activity ID,Activity Type,Filename\n1,Run,activities/1.fit.gz\n" + b"x" * 200_000
    path = tmp_path / "export_1.zip"
    path.write_bytes(
        _zip({"activities.csv": csv_text, "activities/1.fit.gz": gzip.compress(_fit())})
    )
    assert _ingest(path)["1.fit.gz"].bucket == "run"


# --------------------------------------------------------------------------- the CLI


def _cli(*paths: Path):
    from runaudit.cli import cli

    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, ["activities", *map(str, paths), "--format", "json", "--no-cache"])


def test_cli_reads_the_good_file_and_names_each_skipped_one_on_stderr(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    write_fit(_run(), folder / "good.fit")
    (folder / "empty.fit").write_bytes(b"")
    (folder / "laughs.gpx").write_bytes(BILLION_LAUGHS)
    (folder / "random.fit.gz").write_bytes(b"\x13\x37" * 100)
    (folder / "export.zip").write_bytes(_raw_zip([("../../evil.fit", b"x", _stored(b"x"))]))
    result = _cli(folder)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 1 and rows[0]["source"].endswith("good.fit")
    assert "4 skipped" in result.stderr
    for name, reason in [
        ("empty.fit", "empty file"),
        ("laughs.gpx", DTD_REFUSED),
        ("random.fit.gz", "not gzip data although the name ends in .gz"),
        ("export.zip!../../evil.fit", ZIP_SLIP),
    ]:
        assert re.search(rf"skipped: \S*{re.escape(name)}: {re.escape(reason)}", result.stderr)


def test_limit_errors_name_the_field_and_the_cli_names_its_option(tmp_path):
    import dataclasses

    from runaudit.cli import LIMIT_FLAGS, cli
    from runaudit.errors import LimitError
    from runaudit.reading.sources import Source, read_source

    path = tmp_path / "big.gpx"
    path.write_bytes(b"<gpx>" + b" " * (2 * MIB))
    with pytest.raises(LimitError) as caught:
        read_source(Source(str(path), format="gpx"), Limits(max_file_bytes=MIB))
    assert caught.value.limit == "max_file_bytes"
    assert (
        str(caught.value)
        == "file is 2 MiB, over the 1 MiB limit (raise it with Limits.max_file_bytes)"
    )
    assert set(LIMIT_FLAGS) == {f.name for f in dataclasses.fields(Limits)}
    (tmp_path / "run.fit").write_bytes(_fit())
    done = CliRunner().invoke(
        cli, ["activities", str(tmp_path), "--max-file-mb", "1", "--no-cache", "-j", "1"]
    )
    assert done.exit_code == 0, done.output
    assert (
        f"skipped: {path}: file is 2 MiB, over the 1 MiB limit (raise it with --max-file-mb)"
        in done.stderr
    )
    assert "Limits." not in done.stderr
