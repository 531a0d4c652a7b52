"""The lean FIT reader decodes exactly what fitdecode's own reader decodes."""

from __future__ import annotations

import fitdecode
import numpy as np
import pytest

from runaudit.reading.parsers.fit import _InMemoryFitReader, _lean_reader_ok

from .conftest import realdata_manifest

FIT_FILES = [e["path"] for e in realdata_manifest() if e["format"] == "fit"] or ["(absent)"]


def _frames(cls, data):
    out = []
    try:
        with cls(
            data,
            processor=None,
            check_crc=fitdecode.CrcCheck.DISABLED,
            error_handling=fitdecode.ErrorHandling.IGNORE,
        ) as reader:
            for frame in reader:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA:
                    out.append((frame.name, [(f.name, f.value) for f in frame.fields]))
    except Exception as err:
        out.append(("error", type(err).__name__))
    return out


def test_lean_reader_is_usable_with_this_fitdecode():
    assert _lean_reader_ok()


@pytest.mark.parametrize("path", FIT_FILES)
def test_lean_reader_matches_fitdecode(realdata, path):
    data = (realdata / path).read_bytes()
    assert _frames(_InMemoryFitReader, data) == _frames(fitdecode.FitReader, data)


# --- the optional compiled decoder (runaudit[fast]) against fitdecode --------------------

from runaudit.errors import ParseError  # noqa: E402
from runaudit.reading.parsers import fit, fit_compiled  # noqa: E402

_needs_fast = pytest.mark.skipif(
    not fit_compiled.available(),
    reason="the compiled FIT decoder (fitfast, the runaudit[fast] extra) is not installed",
)


def _fitdecode_result(data):
    problems, truncated, checked = fit.check_structure(data)
    return fit.parse_fit_with_fitdecode(checked, problems, truncated), problems or truncated


def _assert_same_activities(fast, slow):
    assert (fast.format, fast.kind, fast.file_type) == (slow.format, slow.kind, slow.file_type)
    assert len(fast.activities) == len(slow.activities)
    for a, b in zip(fast.activities, slow.activities, strict=True):
        for name in (
            "sport",
            "sub_sport",
            "utc_offset_s",
            "device",
            "date_known",
        ):
            assert getattr(a, name) == getattr(b, name), name
        for name in (
            "start_utc",
            "distance_m",
            "timer_time_s",
            "elapsed_time_s",
            "ascent_m",
            "descent_m",
        ):
            assert getattr(a, name) == pytest.approx(getattr(b, name), abs=1e-6), name
        assert set(a.samples) == set(b.samples)
        for name, values in b.samples.items():
            np.testing.assert_allclose(
                a.samples[name], values, rtol=1e-9, atol=1e-6, equal_nan=True, err_msg=name
            )


@_needs_fast
@pytest.mark.parametrize("path", FIT_FILES)
def test_compiled_fit_matches_fitdecode(realdata, path):
    data = (realdata / path).read_bytes()
    try:
        slow, damaged = _fitdecode_result(data)
    except ParseError:
        slow, damaged = None, True
    fast = fit_compiled.parse_fit_compiled(data)
    if fast is None:
        pytest.skip("the compiled decoder declines this file (fitdecode reads it)")
    assert not damaged, "a damaged file must go to fitdecode"
    if path.endswith("null_compressed_speed_dist.fit"):
        # Its records define a compressed_speed_distance field left invalid:
        # fitdecode expands that into an invalid distance for every record,
        # fitfast keeps the recorded distance. The one known difference.
        assert np.isnan(slow.activities[0].samples["distance_m"]).all()
        distance = fast.activities[0].samples["distance_m"]
        assert np.nanmax(distance) == pytest.approx(fast.activities[0].distance_m, abs=50.0)
        for a in (*fast.activities, *slow.activities):
            a.samples["distance_m"] = np.zeros_like(a.samples["distance_m"])
    _assert_same_activities(fast, slow)


@_needs_fast
def test_compiled_fit_reads_most_clean_real_files(realdata):
    clean = taken = 0
    for path in FIT_FILES:
        data = (realdata / path).read_bytes()
        problems, truncated, _ = fit.check_structure(data)
        if problems or truncated:
            continue
        clean += 1
        taken += fit_compiled.parse_fit_compiled(data) is not None
    assert clean and taken >= clean * 0.6, (taken, clean)


@_needs_fast
def test_compiled_fit_matches_fitdecode_on_generated():
    from datetime import UTC, datetime

    from runaudit_demo import synth

    run = synth.make_run(
        datetime(2024, 5, 4, 7, tzinfo=UTC), 8.0, climb_m=60.0, alt_noise_m=0.5, seed=2
    )
    data = synth.fit_bytes(run)
    fast = fit_compiled.parse_fit_compiled(data)
    assert fast is not None
    _assert_same_activities(fast, _fitdecode_result(data)[0])
    assert fast.activities[0].distance_m == pytest.approx(8000.0, abs=0.01)


def test_damaged_fit_never_takes_the_compiled_path():
    from datetime import UTC, datetime

    from runaudit_demo import synth

    data = bytearray(synth.fit_bytes(synth.make_run(datetime(2024, 5, 4, tzinfo=UTC), 2.0)))
    data[-1] ^= 0xFF  # bad CRC
    parsed = fit.parse_fit(bytes(data))
    assert any("bad CRC" in p for p in parsed.problems)
    truncated = fit.parse_fit(bytes(data[: len(data) // 2]))
    assert any("truncated" in p for p in truncated.problems)
