"""The lean FIT reader decodes exactly what fitdecode's own reader decodes."""

from __future__ import annotations

import fitdecode
import pytest

from runaudit.parsers.fit import _InMemoryFitReader, _lean_reader_ok

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
