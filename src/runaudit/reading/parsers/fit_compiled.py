"""Compiled FIT decoding with ``fitfast`` (Rust; a default dependency).

Used by :func:`runaudit.reading.parsers.parse_fit_bytes` for clean files only: one FIT
header whose declared size matches the bytes and whose CRC is right (``fitfast``
checks the file's CRC while decoding and refuses a wrong one, so no CRC pass in
Python is needed first). The
record columns come from ``fitfast.records`` (NumPy arrays made in Rust), the
few other messages from ``fitfast.parse``; both are turned into the same
:class:`ParsedFile` that the fitdecode path builds, by the same code.

:func:`parse_fit_compiled` returns None whenever the result cannot be
trusted, and the caller then decodes with fitdecode: ``fitfast`` missing or
failing (it also checks the header CRC, which fitdecode and runaudit allow
to be wrong), a chained file, records with compressed speed/distance (which
``fitfast`` leaves unexpanded), or a sanity check failing (the record counts
of the two ``fitfast`` calls differ, or the session's total distance is far
from the records' largest distance).
"""

from __future__ import annotations

import struct
from functools import cache
from itertools import repeat
from operator import contains
from typing import Any

import fitdecode
import numpy as np
from fitdecode.profile import FIELD_TYPES

from runaudit.reading.models import ParsedActivity, ParsedFile
from runaudit.reading.parsers.fit import (
    _MESG_RECORD,
    FIT_EPOCH_S,
    MAX_DECLARED_BYTES,
    _Collected,
    _device_name,
    _finite_float_or_none,
    _samples_from_columns,
    _text,
    _unique_sessions,
    fit_reader,
)
from runaudit.reading.sports import is_other_sport

#: Session total distance vs the records' largest distance: allowed gap [m] and share.
_DISTANCE_SLACK_M, _DISTANCE_SLACK_SHARE = 50.0, 0.05
_COMPRESSED = "compressed_speed_distance"


@cache
def available() -> bool:
    """True when the compiled decoder can be imported."""
    try:
        import fitfast  # noqa: F401
    except ImportError:
        return False
    return True


def parse_fit_compiled(data: bytes, *, sport_first: bool = False) -> ParsedFile | None:
    """Decode a clean single FIT file with ``fitfast``; None to fall back to fitdecode.

    A file that is not an activity (monitoring, settings...) is answered from
    its messages without decoding the record columns. With ``sport_first``, so
    is an activity whose every session states another sport than running and
    has its start time and duration: its activities carry the session totals
    and no samples.
    """
    if not available() or not _single_file(data):
        return None
    import fitfast

    try:
        messages = fitfast.parse(data, enum_names=True)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # fitfast's Rust panics are BaseExceptions (pyo3)
        return None  # any failure of the compiled decoder: fitdecode decides
    try:
        collected = _collect(messages)
        if collected.file_type is not None and collected.file_type != "activity":
            return ParsedFile("fit", "not_activity", collected.file_type, [], [])
        if sport_first:
            other = _other_sport_activities(collected)
            if other:
                return ParsedFile("fit", "activity", collected.file_type, other, [])
    except (TypeError, ValueError, KeyError):
        return None
    try:
        columns = fitfast.records(data, "record", degrees=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        return None
    if messages.get("record") and not _first_record_is_plain(data):
        return None  # array-valued timestamps, which fitfast reads as their first element
    try:
        return _build(collected, messages, columns)
    except (TypeError, ValueError, KeyError):
        return None


def _other_sport_activities(collected: _Collected) -> list[ParsedActivity]:
    """The activities from the sessions alone when every one is another sport's, else []."""
    sessions = _unique_sessions(collected.sessions)
    for session in sessions:
        if _finite_float_or_none(session.get("start_time")) is None:
            return []
        if (
            _finite_float_or_none(session.get("total_elapsed_time")) is None
            and _finite_float_or_none(session.get("timestamp")) is None
        ):
            return []
    activities = collected.activities({})
    if len(activities) != len(sessions) or not all(
        is_other_sport(a.sport, a.sub_sport) for a in activities
    ):
        return []
    return activities


def plain_single_file(data: bytes) -> bool:
    """One FIT file whose header's data size matches the bytes exactly (a size
    :func:`~runaudit.reading.parsers.fit.check_structure` accepts): what the
    compiled decoder is tried on."""
    return _single_file(data) and struct.unpack_from("<I", data, 4)[0] <= MAX_DECLARED_BYTES


def _single_file(data: bytes) -> bool:
    if len(data) < 14 or data[0] not in (12, 14):
        return False
    (data_size,) = struct.unpack_from("<I", data, 4)
    return data_size > 0 and data[0] + data_size + 2 == len(data)


def _collect(messages: dict[str, list[dict[Any, Any]]]) -> _Collected:
    """Everything but the records: file type, device, offsets, sport, sessions."""
    collected = _Collected()
    for values in messages.get("file_id", []):
        if collected.file_type is None and values.get("type") is not None:
            collected.file_type = str(values["type"])
        if collected.device is None:
            collected.device = _device_name(_product_named(values))
    for values in messages.get("activity", []):
        ts, local = values.get("timestamp"), values.get("local_timestamp")
        if isinstance(ts, int | float) and isinstance(local, int | float):
            offset = round((local - ts) / 900.0) * 900
            if abs(offset) <= 14 * 3600:
                collected.offsets.append(offset)
    for values in messages.get("sport", [])[:1]:
        collected.sport = (_text(values.get("sport")), _text(values.get("sub_sport")))
    for values in messages.get("session", []):
        session = dict(values)
        for name in ("start_time", "timestamp"):
            if isinstance(session.get(name), int | float):
                session[name] = session[name] - FIT_EPOCH_S  # fitfast gives Unix times
        collected.sessions.append(session)
    return collected


def _build(
    collected: _Collected,
    messages: dict[str, list[dict[Any, Any]]],
    columns: dict[str, np.ndarray],
) -> ParsedFile | None:
    records = messages.get("record", [])
    n_records = len(records)
    if any(map(contains, records, repeat(_COMPRESSED))):  # C-level loop over the records
        return None  # fitfast does not expand compressed speed/distance; fitdecode does
    lengths = {len(v) for v in columns.values()}
    if n_records and lengths != {n_records}:
        return None  # the two decodes disagree
    arrays = {name: np.asarray(values, dtype=float) for name, values in columns.items()}
    # fitfast derives enhanced_* from the 16-bit field with a rounding error of one
    # unit (8.149 m/s becomes 8.148): where the plain field is there, it is exact.
    for plain, enhanced in (("speed", "enhanced_speed"), ("altitude", "enhanced_altitude")):
        if plain in arrays and enhanced in arrays:
            arrays[enhanced] = np.where(np.isfinite(arrays[plain]), arrays[plain], arrays[enhanced])
    if "timestamp" in arrays:
        arrays["timestamp"] = arrays["timestamp"] - FIT_EPOCH_S
    samples = _samples_from_columns(arrays, n_records) if n_records else {}
    if collected.sessions and n_records:
        total = collected.sessions[-1].get("total_distance")
        dist = arrays.get("distance", np.empty(0))
        if isinstance(total, int | float) and np.isfinite(dist).any():
            gap = abs(float(np.nanmax(dist)) - float(total))
            if gap > max(_DISTANCE_SLACK_M, _DISTANCE_SLACK_SHARE * float(total)):
                return None
    if not collected.sessions and not n_records:
        return None  # let fitdecode word the error
    activities = collected.activities(samples)
    if not activities:
        return None  # fitdecode words the error
    return ParsedFile("fit", "activity", collected.file_type, activities, [])


def _first_record_is_plain(data: bytes) -> bool:
    """True when fitdecode reads the first record's timestamp as one number.

    fitfast silently takes the first element of an array-valued field; the
    fitdecode path refuses array timestamps with a reason. fitdecode reads
    lazily, so this costs the definitions and one record.
    """
    try:
        with fit_reader(data) as reader:
            for frame in reader:
                if (
                    frame.frame_type == fitdecode.FIT_FRAME_DATA
                    and frame.global_mesg_num == _MESG_RECORD
                ):
                    for field in frame.fields:
                        if field.name == "timestamp":
                            return not isinstance(field.value, list | tuple)
                    return True
    except Exception:
        return False
    return True


def _product_named(values: dict[Any, Any]) -> dict[str, Any]:
    """file_id values as fitdecode names them: ``garmin_product`` resolved by manufacturer."""
    out = {k: values.get(k) for k in ("type", "manufacturer")}
    product = values.get("product")
    maker = values.get("manufacturer")
    if maker in ("garmin", "dynastream", "dynastream_oem", "tacx"):
        out["garmin_product"] = FIELD_TYPES["garmin_product"].enum.get(product, product)
    elif maker != "favero_electronics":
        out["product"] = product
    return out
