"""Read FIT files with fitdecode (or, for clean files, the optional compiled decoder).

With the ``runaudit[fast]`` extra installed, a clean single FIT file is decoded
by :mod:`.fit_compiled` (``fitfast``, Rust); fitdecode reads everything else
(damaged, truncated, chained files, or any result that fails a sanity check).

Lean decoding: fitdecode runs without its per-field data processor and without
its own CRC pass; only the messages the tables need are kept (``file_id``,
``record``, ``session``, ``sport``, ``activity``), and timestamps and units are
converted afterwards with NumPy. The CRC is checked separately with a
table-driven pass (:func:`fit_crc`) so damaged files are still reported.

Chained FIT files (several FIT headers in one stream), multi-session files
(triathlons: one activity per session), compressed-timestamp headers and
developer fields are handled by fitdecode. A file that ends early or carries a
bad CRC keeps every record before the break; what happened is recorded in
:attr:`ParsedFile.problems`.
"""

from __future__ import annotations

import struct
import sys
from array import array
from functools import cache
from typing import Any

import fitdecode
import numpy as np
import pandas as pd

from runaudit.errors import LimitError, ParseError
from runaudit.reading.metrics.cadence import to_steps_per_minute
from runaudit.reading.models import ParsedActivity, ParsedFile

#: Seconds between the Unix epoch and the FIT epoch (1989-12-31 00:00 UTC).
FIT_EPOCH_S = 631065600
_SEMICIRCLE_DEG = 180.0 / 2**31
#: FIT date_time values below this are seconds since device power-on, not dates.
RELATIVE_TIME_LIMIT = 0x10000000
#: A header may not declare more than this [bytes]; real activity files are < 50 MiB.
MAX_DECLARED_BYTES = 512 * 2**20

_RECORD_FIELDS = {
    "timestamp",
    "position_lat",
    "position_long",
    "distance",
    "altitude",
    "enhanced_altitude",
    "speed",
    "enhanced_speed",
    "heart_rate",
    "cadence",
    "fractional_cadence",
}
_SESSION_FIELDS = {
    "start_time",
    "timestamp",
    "sport",
    "sub_sport",
    "total_distance",
    "total_timer_time",
    "total_elapsed_time",
    "total_ascent",
    "total_descent",
}
_MESG_FILE_ID, _MESG_SESSION, _MESG_RECORD, _MESG_ACTIVITY, _MESG_SPORT = 0, 18, 20, 34, 12
_MESG_DEVICE_INFO = 23


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _crc_table()


@cache
def _crc_table16() -> list[int]:
    """CRC step for two bytes at once, indexed by ``crc ^ (b0 | b1 << 8)``."""
    table = _CRC_TABLE
    out = []
    for v in range(65536):
        low = table[v & 0xFF]
        out.append((low >> 8) ^ table[((v >> 8) ^ low) & 0xFF])
    return out


def fit_crc(data: bytes | memoryview, crc: int = 0) -> int:
    """Return the FIT CRC-16 of ``data`` (the CRC-16/ARC polynomial the SDK uses).

    Two bytes per step through a 65,536-entry table: about twice as fast as
    the byte-wise loop of the SDK's reference code.

    >>> hex(fit_crc(b"123456789"))
    '0xbb3d'
    """
    raw = bytes(data)
    even = len(raw) & ~1
    words = array("H")
    words.frombytes(raw[:even])
    if sys.byteorder == "big":
        words.byteswap()
    table = _crc_table16()
    for word in words:
        crc = table[crc ^ word]
    if even != len(raw):
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ raw[-1]) & 0xFF]
    return crc


def check_structure(data: bytes) -> tuple[list[str], bool, bytes]:
    """Walk the chained FIT headers of ``data`` and check sizes and CRCs.

    Returns
    -------
    problems : list of str
        One line per defect found ("bad CRC", "truncated at byte N").
    truncated : bool
        True when the last FIT file in the stream ends before its declared size.
    data : bytes
        The bytes to decode: ``data`` itself, or a copy whose header size is
        patched when a device crashed before writing it (a declared size of 0).

    Raises
    ------
    ParseError
        When the first header is not a FIT header.
    LimitError
        When the first header declares an absurd size.
    """
    problems: list[str] = []
    offset = 0
    index = 0
    truncated = False
    view = memoryview(data)
    while offset + 12 <= len(data):
        header_size = data[offset]
        if header_size not in (12, 14) or data[offset + 8 : offset + 12] != b".FIT":
            if index == 0:
                raise ParseError("not a FIT file (no FIT header)")
            problems.append(f"unreadable data after byte {offset} ignored (corrupt chained header)")
            break
        (data_size,) = struct.unpack_from("<I", data, offset + 4)
        if data_size > MAX_DECLARED_BYTES:
            message = (
                f"FIT header declares {data_size / 2**20:.0f} MiB of data, over the"
                f" {MAX_DECLARED_BYTES / 2**20:.0f} MiB a real activity file can hold"
            )
            if index == 0:
                raise LimitError(message)
            problems.append(f"{message}; data after byte {offset} ignored")
            break
        if data_size == 0 and len(data) > offset + header_size + 2:
            # A watch that crashed before closing the file leaves the size at 0:
            # decode what follows, up to the end, and let the reader stop there.
            patched = bytearray(data)
            struct.pack_into("<I", patched, offset + 4, len(data) - offset - header_size)
            problems.append("the header declares no data (the device did not finish the file)")
            return problems, True, bytes(patched)
        end = offset + header_size + data_size + 2
        if end > len(data):
            truncated = True
            problems.append(f"truncated at byte {len(data)} of {end} declared")
            break
        if fit_crc(view[offset : end - 2]) != struct.unpack_from("<H", data, end - 2)[0]:
            problems.append("bad CRC (the file was altered or damaged); records kept")
        offset = end
        index += 1
    return problems, truncated, data


class _InMemoryFitReader(fitdecode.FitReader):
    """fitdecode's reader with a faster byte fetch for in-memory data.

    fitdecode fetches every field through ``utils.blocking_read``, a loop
    written for non-blocking streams; over bytes already in memory a plain
    ``read`` is exact and a third faster overall. Decoding itself (definitions,
    scaling, components, compressed timestamps, developer fields) is fitdecode's
    own. Only used without CRC checking (runaudit checks the CRC itself), and only
    when the reader has the attributes this relies on (see :func:`_lean_reader_ok`).
    """

    def _read_bytes(self, size: int) -> bytes:
        if self.check_crc is not fitdecode.CrcCheck.DISABLED:
            return super()._read_bytes(size)
        if size <= 0:
            raise ValueError("size")
        chunk = self._fd.read(size)
        got = len(chunk)
        if got != size:
            raise fitdecode.FitEOFError(size, got, self._read_offset)
        self._chunk_size += got
        self._read_offset += got
        self._read_size += got
        return chunk


@cache
def _lean_reader_ok() -> bool:
    """True when this fitdecode has the private attributes the fast reader relies on."""
    try:
        probe = fitdecode.FitReader(b"", processor=None)
    except Exception:  # any surprise: use the plain reader
        return False
    names = ("_fd", "_read_offset", "_chunk_size", "_read_size")
    ok = all(hasattr(probe, n) for n in names) and hasattr(fitdecode.FitReader, "_read_bytes")
    probe.close()
    return ok


def fit_reader(data: bytes) -> fitdecode.FitReader:
    """A fitdecode reader over ``data``: lean (no processor, no CRC pass, fast fetch)."""
    cls = _InMemoryFitReader if _lean_reader_ok() else fitdecode.FitReader
    return cls(
        data,
        processor=None,
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )


def parse_fit(data: bytes) -> ParsedFile:
    """Parse FIT bytes into a :class:`ParsedFile` with fitdecode.

    :func:`runaudit.reading.parsers.parse_fit_bytes` tries the compiled decoder first and
    comes here for damaged files and whenever the compiled one is absent or in doubt.

    Returns one :class:`ParsedActivity` per session (records are split
    between sessions by time); a file without sessions yields one activity
    built from its records. Files whose ``file_id.type`` is not ``activity``
    come back with ``kind="not_activity"`` and no activities.

    Raises
    ------
    ParseError
        When nothing usable can be read.
    """
    problems, truncated, data = check_structure(data)
    return parse_fit_with_fitdecode(data, problems, truncated)


def parse_fit_with_fitdecode(data: bytes, problems: list[str], truncated: bool) -> ParsedFile:
    """The fitdecode path of :func:`parse_fit`, after :func:`check_structure`.

    Raises
    ------
    ParseError
        When nothing usable can be read.
    """
    problems = list(problems)
    collected = _Collected()
    try:
        with fit_reader(data) as reader:
            for frame in reader:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                    collected.add(frame)
    except fitdecode.FitEOFError as err:
        if not truncated:
            problems.append(f"ends early ({err})")
        truncated = True
    except Exception as err:  # fitdecode asserts on some damage: keep what was read
        problems.append(
            f"unreadable after byte {_offset_of(err)}; {collected.n_records} records kept"
        )
    if truncated:
        problems = [
            f"{p}; {collected.n_records} records kept"
            if p.startswith(("truncated", "the header declares no data"))
            else p
            for p in problems
        ]
    file_type = collected.file_type
    if file_type is not None and file_type != "activity":
        return ParsedFile("fit", "not_activity", file_type, [], problems)
    if not collected.sessions and not collected.n_records:
        if file_type == "activity":
            raise ParseError("FIT activity file with no records and no session" + _why(problems))
        if file_type is None:
            raise ParseError("FIT file holds no usable messages" + _why(problems))
        return ParsedFile("fit", "not_activity", file_type, [], problems)
    activities = collected.activities()
    if not activities:
        raise ParseError("FIT file has no timestamped records" + _why(problems))
    return ParsedFile("fit", "activity", file_type, activities, problems)


def _why(problems: list[str]) -> str:
    return f" ({problems[0]})" if problems else ""


def _offset_of(err: Exception) -> str:
    offset = getattr(err, "offset", None)
    return str(offset) if offset is not None else "?"


class _Collected:
    """Accumulates the few messages we need while fitdecode streams frames."""

    def __init__(self) -> None:
        self.file_type: str | None = None
        self.device: str | None = None
        self.sessions: list[dict[str, Any]] = []
        self.sport: tuple[str | None, str | None] = (None, None)
        self.offsets: list[int] = []
        self.rows: list[list[Any]] = []
        self._layouts: dict[tuple[int, int], tuple[tuple[int, int], ...]] = {}
        self._defs: list[Any] = []  # keeps definitions alive so their ids stay unique

    @property
    def n_records(self) -> int:
        return len(self.rows)

    def add(self, frame: Any) -> None:
        num = frame.global_mesg_num
        if num == _MESG_RECORD:
            fields = frame.fields
            # The field layout is fixed per definition message: find the wanted
            # positions once per definition instead of matching names per record.
            key = (id(frame.def_mesg), len(fields))
            layout = self._layouts.get(key)
            if layout is None:
                layout = tuple(
                    (pos, _ROW_INDEX[f.name])
                    for pos, f in enumerate(fields)
                    if f.name in _ROW_INDEX
                )
                self._layouts[key] = layout
                self._defs.append(frame.def_mesg)
            row: list[Any] = [None] * len(_ROW_ORDER)
            for pos, col in layout:
                row[col] = fields[pos].value
            self.rows.append(row)
        elif num == _MESG_SESSION:
            self.sessions.append(_pick(frame, _SESSION_FIELDS))
        elif num == _MESG_FILE_ID:
            values = _pick(frame, {"type", "manufacturer", "garmin_product", "product"})
            if self.file_type is None and values.get("type") is not None:
                self.file_type = str(values["type"])
            if self.device is None:
                self.device = _device_name(values)
        elif num == _MESG_ACTIVITY:
            values = _pick(frame, {"timestamp", "local_timestamp"})
            ts, local = values.get("timestamp"), values.get("local_timestamp")
            if isinstance(ts, int | float) and isinstance(local, int | float):
                offset = round((local - ts) / 900.0) * 900
                if abs(offset) <= 14 * 3600:
                    self.offsets.append(offset)
        elif num == _MESG_SPORT and self.sport == (None, None):
            values = _pick(frame, {"sport", "sub_sport"})
            self.sport = (_text(values.get("sport")), _text(values.get("sub_sport")))

    def activities(self, samples: dict[str, np.ndarray] | None = None) -> list[ParsedActivity]:
        """One activity per session; ``samples`` when already decoded, else from the rows."""
        if samples is None:
            samples = _samples_from_rows(self.rows)
        offset = self.offsets[-1] if self.offsets else None
        sessions = _unique_sessions(self.sessions)
        times = samples.get("time_s", np.empty(0))
        out: list[ParsedActivity] = []
        if not sessions:
            if times.size == 0:
                return []
            dist = samples["distance_m"]
            total = float(np.nanmax(dist)) if np.isfinite(dist).any() else None
            span = float(times[-1] - times[0])
            out.append(
                ParsedActivity(
                    sport=self.sport[0],
                    sub_sport=self.sport[1],
                    start_utc=float(times[0]),
                    utc_offset_s=offset,
                    distance_m=total,
                    timer_time_s=None,
                    elapsed_time_s=span,
                    device=self.device,
                    samples=samples,
                    date_known=float(times[0]) - FIT_EPOCH_S >= RELATIVE_TIME_LIMIT,
                )
            )
            return out
        start_utc: float
        dated: bool
        for session in sessions:
            start = _finite_float_or_none(session.get("start_time"))
            if start is not None:
                start_utc = start + FIT_EPOCH_S
                dated = start >= RELATIVE_TIME_LIMIT
            elif times.size:
                start_utc = float(times[0])
                dated = start_utc - FIT_EPOCH_S >= RELATIVE_TIME_LIMIT
            else:
                continue
            elapsed: float | None = _finite_float_or_none(session.get("total_elapsed_time"))
            end_ts = _finite_float_or_none(session.get("timestamp"))
            if elapsed is None and end_ts is not None:
                elapsed = end_ts + FIT_EPOCH_S - start_utc
            mask = np.ones(times.shape, dtype=bool)
            if elapsed is not None:
                # Records of this session only; also drops garbage timestamps
                # that a damaged file can produce.
                margin = 1.0 if len(sessions) > 1 else 60.0
                mask = (times >= start_utc - margin) & (times <= start_utc + elapsed + margin)
                if len(sessions) == 1 and not mask.any():
                    mask = np.ones(times.shape, dtype=bool)
            sport = _text(session.get("sport")) or self.sport[0]
            out.append(
                ParsedActivity(
                    sport=sport,
                    sub_sport=_text(session.get("sub_sport")) or self.sport[1],
                    start_utc=start_utc,
                    utc_offset_s=offset,
                    distance_m=_finite_float_or_none(session.get("total_distance")),
                    timer_time_s=_finite_float_or_none(session.get("total_timer_time")),
                    elapsed_time_s=elapsed,
                    ascent_m=_finite_float_or_none(session.get("total_ascent")),
                    descent_m=_finite_float_or_none(session.get("total_descent")),
                    device=self.device,
                    samples={k: v[mask] for k, v in samples.items()},
                    date_known=dated,
                )
            )
        return out


#: Plausible ranges of record values; anything outside becomes NaN.
_PLAUSIBLE = {
    "altitude_m": (-1_000.0, 10_000.0),
    "distance_m": (0.0, 10_000_000.0),
    "speed_mps": (0.0, 100.0),
    "cadence_raw": (0.0, 400.0),
    "heart_rate_bpm": (1.0, 300.0),
}
_ROW_ORDER = tuple(sorted(_RECORD_FIELDS))
_ROW_INDEX = {name: i for i, name in enumerate(_ROW_ORDER)}


def _pick(frame: Any, names: set[str]) -> dict[str, Any]:
    return {f.name: f.value for f in frame.fields if f.name in names}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).lower()


def _finite_float_or_none(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    return None


def _device_name(values: dict[str, Any]) -> str | None:
    maker = values.get("manufacturer")
    product = values.get("garmin_product") or values.get("product")
    parts = [str(p) for p in (maker, product) if p is not None]
    return " ".join(parts) or None


def _unique_sessions(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop sessions repeated by a chained FIT file that holds the same activity twice."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for session in sessions:
        key = (
            session.get("start_time"),
            session.get("total_elapsed_time"),
            session.get("total_distance"),
        )
        if key in seen:
            continue
        seen.add(key)
        out.append(session)
    return out


def _column(rows_t: list[tuple[Any, ...]], name: str) -> np.ndarray:
    values = rows_t[_ROW_INDEX[name]]
    try:
        fast = np.array(values, dtype=float)  # None becomes NaN
        if fast.ndim == 1:
            return fast
    except (TypeError, ValueError):
        pass
    return np.array(
        [v if isinstance(v, int | float) and not isinstance(v, bool) else np.nan for v in values],
        float,
    )


def _samples_from_rows(rows: list[list[Any]]) -> dict[str, np.ndarray]:
    """Turn raw record tuples into canonical sample arrays, merged per timestamp."""
    if not rows:
        return {}
    cols = list(zip(*rows, strict=True))
    return _samples_from_columns({name: _column(cols, name) for name in _ROW_ORDER}, len(rows))


def _samples_from_columns(columns: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Canonical sample arrays from raw record columns (FIT-epoch times, semicircles).

    ``columns`` maps FIT record field names to float arrays of length ``n``
    (NaN where a record lacks the field); absent fields count as all NaN.
    """

    def col(name: str) -> np.ndarray:
        values = columns.get(name)
        return np.full(n, np.nan) if values is None else values

    ts = col("timestamp")
    keep = np.isfinite(ts)
    if not keep.any():
        return {}
    alt = col("enhanced_altitude")
    alt = np.where(np.isfinite(alt), alt, col("altitude"))
    speed = col("enhanced_speed")
    speed = np.where(np.isfinite(speed), speed, col("speed"))
    cadence = col("cadence")
    fractional = col("fractional_cadence")
    columns_out = {
        "time_s": ts + FIT_EPOCH_S,
        "lat_deg": col("position_lat") * _SEMICIRCLE_DEG,
        "lon_deg": col("position_long") * _SEMICIRCLE_DEG,
        "altitude_m": alt,
        "distance_m": col("distance"),
        "speed_mps": speed,
        "cadence_raw": cadence + np.nan_to_num(fractional),
        "heart_rate_bpm": col("heart_rate"),
    }
    if not keep.all():
        columns_out = {name: values[keep] for name, values in columns_out.items()}
    with np.errstate(invalid="ignore"):
        bad_pos = (np.abs(columns_out["lat_deg"]) > 90) | (np.abs(columns_out["lon_deg"]) > 180)
        for name in ("lat_deg", "lon_deg"):
            columns_out[name] = np.where(bad_pos, np.nan, columns_out[name])
        # Values outside what a body or a watch can produce are damage, not data.
        for name, (low, high) in _PLAUSIBLE.items():
            values = columns_out[name]
            columns_out[name] = np.where((values < low) | (values > high), np.nan, values)
    if (np.diff(columns_out["time_s"]) > 0).all():
        out = {c: v for c, v in columns_out.items() if c != "cadence_raw"}
        out["cadence_spm"] = to_steps_per_minute(columns_out["cadence_raw"])
        return out
    # Some writers (Strava's app) split one instant over several records: merge them.
    frame = pd.DataFrame(columns_out).groupby("time_s", sort=True).first().reset_index()
    out = {c: frame[c].to_numpy(float) for c in frame.columns if c != "cadence_raw"}
    out["cadence_spm"] = to_steps_per_minute(frame["cadence_raw"].to_numpy(float))
    return out
