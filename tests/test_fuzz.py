"""Fuzzing the ingest (issue 6): mutated FIT/GPX/TCX never escape, hang or get lost.

Two layers:

* a Hypothesis property test (shrinks a failure to a minimal mutation list);
* the deterministic bounded fuzz run of :mod:`tests.fuzz_ingest`: 10,000
  mutated inputs through ``parse_file_bytes`` with a per-input time limit,
  then a few hundred mutants and damaged zips end to end through
  ``ingest``. Its count line is printed even without ``-s``.

``RUNAUDIT_FUZZ_N`` raises (or lowers) the number of inputs, e.g. for a
nightly run: ``RUNAUDIT_FUZZ_N=200000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import struct
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runaudit.errors import ParseError
from runaudit.intake.pipeline import parse_file_bytes
from runaudit.reading.parsers import sniff_format
from runaudit.reading.parsers.xmlsafe import decode_xml
from runaudit.reading.sources.gzipguard import gunzip
from tests.fuzz_ingest import (
    MUTATORS,
    TIME_LIMIT_S,
    UNCLASSIFIED,
    check_entry,
    fix_fit,
    fuzz,
    fuzz_end_to_end,
    fuzz_zips,
    seeds,
    summary_line,
    time_limit,
)

FUZZ_N = int(os.environ.get("RUNAUDIT_FUZZ_N", "10000"))
FUZZ_SEED = 20261121

HYPOTHESIS = settings(
    max_examples=200,
    deadline=timedelta(seconds=TIME_LIMIT_S),
    derandomize=True,  # the same examples on every CI run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------- hypothesis

_position = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
_operation = st.one_of(
    st.tuples(st.just("flip"), _position, st.integers(0, 7)),
    st.tuples(st.just("set"), _position, st.integers(0, 255)),
    st.tuples(st.just("truncate"), _position),
    st.tuples(st.just("insert"), _position, st.binary(min_size=1, max_size=64)),
    st.tuples(
        st.just("insert"),
        _position,
        st.sampled_from([b"<", b"&x;", b"<!DOCTYPE a>", b"]]>", b"\x00", b"\xff", b"<trkpt>"]),
    ),
    st.tuples(st.just("delete"), _position, st.integers(1, 256)),
    st.tuples(st.just("duplicate"), _position, st.integers(1, 256), _position),
    st.tuples(st.just("size"), st.sampled_from([0, 1, 2**29, 2**31, 2**32 - 1])),
    st.tuples(st.just("fix")),
)


def _apply(data: bytes, ops: list[tuple]) -> bytes:
    """Apply Hypothesis-drawn mutations; positions are fractions of the current length."""
    out = bytearray(data)
    for op in ops:
        at = min(int(op[1] * len(out)), max(len(out) - 1, 0)) if len(op) > 1 else 0
        kind = op[0]
        if kind in ("flip", "set") and out:
            out[at] = out[at] ^ (1 << op[2]) if kind == "flip" else op[2]
        elif kind == "truncate":
            del out[int(op[1] * len(out)) :]
        elif kind == "insert":
            out[at:at] = op[2]
        elif kind == "delete":
            del out[at : at + op[2]]
        elif kind == "duplicate":
            to = int(op[3] * len(out))
            out[to:to] = out[at : at + op[2]]
        elif kind == "size" and len(out) >= 8:
            struct.pack_into("<I", out, 4, op[1])
        elif kind == "fix":
            out = bytearray(fix_fit(bytes(out)))
    return bytes(out)


@HYPOTHESIS
@given(seed=st.sampled_from(seeds()), ops=st.lists(_operation, min_size=1, max_size=6))
def test_mutated_files_always_end_in_one_outcome(seed, ops):
    data = _apply(seed.data, ops)
    with time_limit(TIME_LIMIT_S):
        entry, parsed = parse_file_bytes(data, seed.fmt)
    assert check_entry(entry) is None, entry
    assert (parsed is None) == (entry.kind == "error")
    if seed.fmt != "fit":  # FIT: see test_fuzzed_fit_errors_are_all_named below
        assert not (entry.error or "").startswith(UNCLASSIFIED), entry.error


@HYPOTHESIS
@given(data=st.binary(max_size=2048))
def test_sniffing_and_xml_decoding_accept_any_bytes(data):
    assert sniff_format(data) in ("fit", "gpx", "tcx", "unknown")
    assert isinstance(decode_xml(data), str)
    entry, _ = parse_file_bytes(data, "unknown")
    assert check_entry(entry) is None


@HYPOTHESIS
@given(data=st.binary(max_size=512))
def test_gunzip_raises_only_parse_errors(data):
    try:
        out = gunzip(b"\x1f\x8b" + data, 2**20)
    except ParseError:
        return
    assert len(out) <= 2**20


# --------------------------------------------------------------------------- the bounded run


def test_fuzz_run_has_no_escapes_no_losses_no_hangs(capsys):
    stats = fuzz(FUZZ_N, seed=FUZZ_SEED)
    with capsys.disabled():
        print(f"\n{summary_line(stats)}")
    assert stats["inputs"] == FUZZ_N
    assert stats["escaped"] == 0, stats["failures"]
    assert stats["lost"] == 0, stats["failures"]
    assert stats["timeouts"] == 0, stats["failures"]
    # every mutator ran, and every kind of outcome happened
    if FUZZ_N >= 1000:
        assert set(stats["mutators"]) == set(MUTATORS)
    assert set(stats["kinds"]) == {"activity", "not_activity", "error"}
    # every error has a named reason, whatever the format
    assert stats["unclassified_by_format"].get("gpx", 0) == 0, stats["unclassified_reasons"]
    assert stats["unclassified_by_format"].get("tcx", 0) == 0, stats["unclassified_reasons"]
    assert stats["unclassified_by_format"].get("fit", 0) == 0, stats["unclassified_reasons"]


def test_fuzzed_fit_errors_are_all_named():
    stats = fuzz(2000, seed=FUZZ_SEED + 1)
    assert stats["unclassified_by_format"].get("fit", 0) == 0, stats["unclassified_reasons"]


def test_fuzzed_files_end_to_end_each_land_in_one_bucket(tmp_path, capsys):
    stats = fuzz_end_to_end(300, seed=FUZZ_SEED, folder=tmp_path / "files")
    zips = fuzz_zips(60, seed=FUZZ_SEED, folder=tmp_path / "zips")
    with capsys.disabled():
        print(
            f"\nfuzz end-to-end: {stats['files']} files -> {stats['ledger']} ledger entries"
            f" {dict(stats['buckets'])}; {zips['zips']} damaged zips ->"
            f" {zips['ledger']} entries {dict(zips['buckets'])}"
        )
    assert stats["ledger"] == stats["files"]
    assert stats["bad_buckets"] == 0
    assert zips["bad_buckets"] == 0
    assert zips["silent_zips"] == 0


# --------------------------------------------------------------------------- records and diary

#: Inputs per reader in the default run; the ci-marked test below runs 10,000 each.
RECORDS_SAMPLE_N = int(os.environ.get("RUNAUDIT_FUZZ_RECORDS_N", "500"))


def _records_fuzz(n: int, capsys) -> None:
    from tests.fuzz_records import MUTATORS, READERS, fuzz_reader

    for kind in READERS:
        stats = fuzz_reader(kind, n, seed=FUZZ_SEED)
        with capsys.disabled():
            print(
                f"\n{kind}: {stats['inputs']} inputs, {stats['refused']} refused whole,"
                f" {stats['escaped']} escaped, {stats['seconds']:.1f} s"
            )
        assert stats["inputs"] == n
        assert stats["escaped"] == 0, stats["failures"]
        if n >= 500:
            assert set(stats["mutators"]) == set(MUTATORS)


def test_record_and_diary_readers_let_no_exception_escape(capsys):
    _records_fuzz(RECORDS_SAMPLE_N, capsys)


@pytest.mark.ci
@pytest.mark.skipif(
    os.environ.get("RUNAUDIT_FULL_FUZZ") != "1",
    reason="the 10,000-input run takes about a minute: set RUNAUDIT_FULL_FUZZ=1 (.ci/run does)",
)
def test_record_and_diary_readers_10000_inputs_each(capsys):
    _records_fuzz(10_000, capsys)
