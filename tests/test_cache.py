"""The parsed-file cache and parallel parsing (issue 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from runaudit import ingest, weekly_table
from runaudit.reading import cache as cache_mod
from runaudit.reading.cache import Cache, atomic_path
from runaudit_demo.synth import make_run, write_fit, write_gpx

T0 = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture
def export(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    for i in range(4):
        write_fit(
            make_run(T0 + timedelta(days=i), 5 + i, interval_s=5.0, seed=i), folder / f"{i}.fit"
        )
    write_gpx(make_run(T0 + timedelta(days=9), 6.0, interval_s=5.0), folder / "9.gpx")
    return folder


def test_second_run_parses_nothing_and_a_changed_file_is_parsed_again(export, tmp_path):
    cache_dir = tmp_path / "cache"
    first = ingest([export], cache_dir=cache_dir, jobs=1)
    assert (first.parsed, first.cached) == (5, 0)
    second = ingest([export], cache_dir=cache_dir, jobs=1)
    assert (second.parsed, second.cached) == (0, 5)
    pd.testing.assert_frame_equal(first.activities, second.activities)
    write_fit(make_run(T0 + timedelta(days=1), 11.0, interval_s=5.0), export / "1.fit")
    third = ingest([export], cache_dir=cache_dir, jobs=1)
    assert (third.parsed, third.cached) == (1, 4)
    assert 11.0 in third.activities["distance_km"].round(3).tolist()


def test_parser_version_change_misses_the_cache(export, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    ingest([export], cache_dir=cache_dir, jobs=1)
    monkeypatch.setattr(cache_mod, "PARSER_VERSION", "test-next")
    again = ingest([export], cache_dir=cache_dir, jobs=1)
    assert (again.parsed, again.cached) == (5, 0)


def test_unreadable_index_is_ignored_not_trusted(export, tmp_path):
    cache_dir = tmp_path / "cache"
    first = ingest([export], cache_dir=cache_dir, jobs=1)
    index = Cache(cache_dir).index_path
    index.write_bytes(b"PAR1 this is not parquet")
    again = ingest([export], cache_dir=cache_dir, jobs=1)
    assert again.parsed == 5
    pd.testing.assert_frame_equal(first.activities, again.activities)
    assert ingest([export], cache_dir=cache_dir, jobs=1).cached == 5  # rebuilt


def test_no_cache_writes_nothing(export, tmp_path):
    cache_dir = tmp_path / "cache"
    ingest([export], cache_dir=cache_dir, use_cache=False, jobs=1)
    assert not cache_dir.exists()


def test_samples_live_in_the_cache_for_notebooks(export, tmp_path):
    cache_dir = tmp_path / "cache"
    result = ingest([export], cache_dir=cache_dir, jobs=1)
    import hashlib

    digest = hashlib.sha256((export / "2.fit").read_bytes()).hexdigest()
    samples = Cache(cache_dir).load_samples(digest)
    assert samples is not None
    assert {"time_s", "distance_m", "cadence_spm", "altitude_m"} <= set(samples.columns)
    assert samples["distance_m"].max() == pytest.approx(7000, abs=1)
    assert len(result.activities) == 5


def test_interrupted_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_parallel_and_sequential_ingest_give_identical_tables():
    seq = ingest([SAMPLE], use_cache=False, jobs=1)
    par = ingest([SAMPLE], use_cache=False, jobs=2)
    pd.testing.assert_frame_equal(seq.activities, par.activities)
    pd.testing.assert_frame_equal(
        weekly_table(seq.activities, seq.cadence_hist),
        weekly_table(par.activities, par.cadence_hist),
    )
    assert seq.ledger == par.ledger


def test_ingest_gives_back_the_samples_of_a_run(export, tmp_path):
    for use_cache in (True, False):
        result = ingest([export], cache_dir=tmp_path / "c", use_cache=use_cache, jobs=1)
        row = result.activities.sort_values("distance_km").iloc[-1]
        samples = result.samples(row["activity_id"])
        assert samples["distance_m"].max() == pytest.approx(row["distance_km"] * 1000, abs=1)
        assert str(samples["time"].dt.tz) == "UTC"
    with pytest.raises(KeyError):
        result.samples("nope")


def test_summaries_round_trip_the_index_as_typed_records(export, tmp_path):
    """The index stores each ActivitySummary as a JSON dict of its fields and reads
    it back field for field (NaN included); an index row missing a field is not trusted."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from runaudit.reading.summary import ActivitySummary

    cache_dir = tmp_path / "cache"
    ingest([export], cache_dir=cache_dir, jobs=1)
    cache = Cache(cache_dir)
    rows = pq.read_table(cache.index_path).to_pylist()
    assert len(rows) == 5
    for row in rows:
        stored = json.loads(row["summaries"])
        entry = cache.get(row["hash"])
        assert entry is not None
        assert all(isinstance(s, ActivitySummary) for s in entry.summaries)
        assert json.dumps([s.to_dict() for s in entry.summaries]) == json.dumps(stored)
    gpx = next(e for r in rows if (e := cache.get(r["hash"])) and e.format == "gpx")
    assert gpx.summaries[0].distance_km == pytest.approx(6.0, abs=0.001)
    # A row whose summary lost a field (a foreign or damaged index): parse again.
    broken = [dict(r, summaries=json.dumps([{"sport": "running"}])) for r in rows]
    pq.write_table(pa.Table.from_pylist(broken), cache.index_path)
    again = ingest([export], cache_dir=cache_dir, jobs=1)
    assert (again.parsed, again.cached) == (5, 0)


def test_a_warm_run_reads_no_unchanged_file_and_sees_every_change(export, tmp_path, monkeypatch):
    """files.parquet: an unchanged file is looked up by identity, not read; rewriting it
    (same size or not) changes its change time, so it is read, hashed and parsed again."""
    import runaudit.intake.pipeline as pipeline

    monkeypatch.setattr(cache_mod, "RACY_S", 0.0)  # the files were written just now
    cache_dir = tmp_path / "cache"
    reads: list[str] = []
    real_read = pipeline.read_source

    def counting(source, limits=None):
        reads.append(Path(source.path).name)
        return real_read(source, limits)

    monkeypatch.setattr(pipeline, "read_source", counting)
    first = ingest([export], cache_dir=cache_dir, jobs=1)
    assert len(reads) == 5 and (cache_dir / f"v{cache_mod.PARSER_VERSION}/files.parquet").exists()
    reads.clear()
    second = ingest([export], cache_dir=cache_dir, jobs=1)
    assert reads == [] and (second.parsed, second.cached) == (0, 5)
    pd.testing.assert_frame_equal(first.activities, second.activities)
    data = bytearray((export / "2.fit").read_bytes())
    (export / "2.fit").write_bytes(bytes(data))  # same bytes, new ctime: read, found cached
    write_fit(make_run(T0 + timedelta(days=1), 11.0, interval_s=5.0), export / "1.fit")
    third = ingest([export], cache_dir=cache_dir, jobs=1)
    assert sorted(reads) == ["1.fit", "2.fit"] and (third.parsed, third.cached) == (1, 4)
    assert 11.0 in third.activities["distance_km"].round(1).tolist()


def test_a_file_changed_just_now_is_always_read(export, tmp_path):
    cache_dir = tmp_path / "cache"
    ingest([export], cache_dir=cache_dir, jobs=1)
    from runaudit.reading.sources import Limits, discover

    source = discover([export / "0.fit"], Limits()).sources[0]
    assert cache_mod.file_key(source, Limits()) is None  # written under RACY_S seconds ago
    assert not Cache(cache_dir).hash_of("no such key")
