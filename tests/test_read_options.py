"""One options object, the parse backends behind one interface, and sport-first reading."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runaudit import ReadOptions, ingest, load_export
from runaudit.reading.backends import Job, make_backend
from runaudit.reading.backends.local import InProcess, ProcessPool
from runaudit.reading.backends.work import parse_file_bytes
from runaudit.reading.cache import Cache, CachedFile
from runaudit.reading.parsers import PARSER_VERSION, parse_bytes
from runaudit.reading.sources import Limits, discover
from runaudit.reading.summary import summarize
from runaudit_demo.synth import fit_bytes, make_run, write_fit, write_gpx

T0 = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    for i in range(3):
        run = make_run(T0 + timedelta(days=i), 5 + i, interval_s=5.0, seed=i)
        write_fit(run, folder / f"run{i}.fit")
    ride = make_run(T0 + timedelta(days=4), 30.0, pace_s_per_km=120, sport="cycling", seed=7)
    write_fit(ride, folder / "ride.fit")
    walk = make_run(T0 + timedelta(days=5), 3.0, pace_s_per_km=700, sport="walking", seed=8)
    write_gpx(walk, folder / "walk.gpx", activity_type="walking")
    return folder


def test_options_build_folds_old_keywords_and_refuses_unknown_ones() -> None:
    base = ReadOptions(tz="Europe/Berlin", jobs=2)
    opts = ReadOptions.build(base, jobs=1, use_cache=False, limits=None)
    assert (opts.tz, opts.jobs, opts.use_cache, opts.limits) == (
        "Europe/Berlin",
        1,
        False,
        Limits(),
    )
    assert ReadOptions.build(None) == ReadOptions() and ReadOptions().n_jobs >= 1
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*jbos"):
        ReadOptions.build(None, jbos=2)
    with pytest.raises(AttributeError):
        opts.jobs = 3  # type: ignore[misc]  # frozen


def test_options_object_and_old_keywords_give_the_same_audit(export: Path) -> None:
    old = load_export(export, jobs=1, use_cache=False, tz="Europe/Berlin")
    new = load_export(export, ReadOptions(jobs=1, use_cache=False, tz="Europe/Berlin"))
    pd.testing.assert_frame_equal(old.weekly, new.weekly)
    assert old.ingest.counts() == new.ingest.counts()
    with pytest.raises(TypeError):
        ingest([export], ReadOptions(jobs=1), cache=False)


def test_make_backend_picks_by_jobs_and_client() -> None:
    limits = Limits()
    assert isinstance(make_backend(jobs=1, limits=limits, cache_root=None), InProcess)
    assert isinstance(make_backend(jobs=2, limits=limits, cache_root=None), ProcessPool)


@pytest.mark.parametrize("jobs", [1, 2])
def test_both_local_backends_yield_one_outcome_per_job(export: Path, jobs: int) -> None:
    found = discover([export], Limits())
    jobs_in = [
        Job(i, s, f"h{i}", (export / Path(s.path).name).read_bytes())
        for i, s in enumerate(found.sources)
    ]
    backend = make_backend(jobs=jobs, limits=Limits(), cache_root=None)
    try:
        done = sorted(backend.parse(iter(jobs_in)), key=lambda p: p.job.index)
    finally:
        backend.close(kill=False)
    assert [p.job.index for p in done] == list(range(len(jobs_in)))
    assert all(p.keep and p.entry.kind == "activity" for p in done)
    assert backend.salvage() == []


def test_failed_entry() -> None:
    entry = CachedFile.failed("gpx", "empty file")
    assert entry == CachedFile("gpx", "error", None, (), "empty file", ())


def test_another_sports_fit_file_is_summarised_from_its_session_alone() -> None:
    ride = make_run(T0, 30.0, pace_s_per_km=120, sport="cycling", seed=7)
    data = fit_bytes(ride)
    entry, parsed = parse_file_bytes(data, "fit")
    (summary,) = entry.summaries
    assert parsed is not None and parsed.activities[0].samples == {}  # no record columns
    assert (summary.sport, summary.n_samples, summary.cadence_bins) == ("cycling", 0, ())
    full = summarize(parse_bytes(data).activities[0])  # the whole file, as before
    assert summary.distance_km == full.distance_km == pytest.approx(30.0, abs=0.05)
    assert summary.elapsed_time_s == full.elapsed_time_s
    assert summary.start_utc == full.start_utc == T0.timestamp()
    assert summary.utc_offset_s == full.utc_offset_s
    assert math.isnan(summary.heart_rate_bpm) and math.isnan(summary.run_cadence_spm)
    run_entry, run_parsed = parse_file_bytes(fit_bytes(make_run(T0, 5.0, seed=1)), "fit")
    assert run_parsed is not None and run_parsed.activities[0].samples["time_s"].size > 100
    assert run_entry.summaries[0].cadence_bins  # a run keeps everything


def test_other_sports_are_bucketed_as_before_and_their_samples_read_on_demand(
    export: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    result = ingest([export], cache_dir=cache_dir, jobs=1)
    buckets = {Path(e.source).name: (e.bucket, e.reason) for e in result.ledger}
    assert buckets["ride.fit"] == ("other_sport", "cycling")
    assert buckets["walk.gpx"] == ("other_sport", "walking")
    assert len(result.activities) == 3
    samples = Path(cache_dir) / f"v{PARSER_VERSION}" / "samples"
    assert len(list(samples.rglob("*.parquet"))) == 3  # the runs' samples only
    ride_id = next(a for a, (src, _) in result.origins.items() if src.name.endswith("ride.fit"))
    frame = result.samples(ride_id)  # not cached: the file is read again, in full
    assert len(frame) > 100 and np.isfinite(frame["heart_rate_bpm"]).any()
    assert Cache(cache_dir).index_path.exists()
