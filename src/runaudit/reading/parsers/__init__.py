"""Parsers: bytes of one file in, :class:`~runaudit.reading.models.ParsedFile` out.

The format is sniffed from the content (a FIT header, a ``<gpx>`` or
``<TrainingCenterDatabase>`` root), so renamed files are read correctly; the
name only breaks ties. Every parser raises :class:`~runaudit.errors.ParseError`
with a one-line reason for a file it cannot use.

The readers (and lxml, gpxpy, fitdecode, fitfast behind them) are imported on
the first parse, so a run whose files are all cached never loads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runaudit.errors import ParseError

if TYPE_CHECKING:
    from runaudit.reading.models import ParsedFile

#: Bumped whenever parsing or per-activity metrics change: cached results made
#: by another version are ignored.
#: 6: sport first (other sports summarised lightly, their samples not cached);
#: 7: TCX creator names, indoor devices, GPX track-name sports.
PARSER_VERSION = "7"


def sniff_format(data: bytes) -> str:
    """Return ``"fit"``, ``"gpx"``, ``"tcx"`` or ``"unknown"`` from the first bytes.

    >>> sniff_format(b"\\x0e\\x10\\x00\\x00\\x00\\x00\\x00\\x00.FIT\\x00\\x00")
    'fit'
    >>> sniff_format(b'  <?xml version="1.0"?><gpx version="1.1">')
    'gpx'
    """
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    from runaudit.reading.parsers.xmlsafe import xml_encoding

    head = data[:4096]
    encoding = xml_encoding(head)
    if encoding.startswith(("utf-16", "utf-32")):  # with or without a byte-order mark
        head = head.decode(encoding, errors="replace").encode("utf-8", "replace")
    lowered = head.lower()
    if b"<trainingcenterdatabase" in lowered:
        return "tcx"
    if b"<gpx" in lowered:
        return "gpx"
    return "unknown"


_MISSING = {
    "fit": "no FIT header",
    "gpx": "no <gpx> element",
    "tcx": "no <TrainingCenterDatabase> element",
}


def parse_bytes(data: bytes, expected: str = "unknown", *, sport_first: bool = False) -> ParsedFile:
    """Parse one file's bytes.

    Parameters
    ----------
    data : bytes
        The decompressed file content.
    expected : str
        Format guessed from the file name, used in the error message when the
        content is not what the name says.
    sport_first : bool
        Read the sport first and, for an activity of a stated sport other than
        running (:func:`~runaudit.reading.sports.is_other_sport`), only its
        start, duration and distance: its samples may be left out or hold
        time, position and distance only. Runs, and files naming no sport,
        are read in full either way.

    Returns
    -------
    ParsedFile

    Raises
    ------
    ParseError
        With a one-line reason when the file cannot be used.
    """
    if not data.strip():
        raise ParseError("empty file")
    if not data.strip(b"\x00 \t\r\n"):
        raise ParseError("empty file (only zero bytes: the device never wrote it)")
    fmt = sniff_format(data)
    from runaudit.reading.parsers import gpx, tcx

    if fmt == "fit":
        return _indoors(parse_fit_bytes(data, sport_first=sport_first))
    if fmt == "gpx":
        return _indoors(gpx.parse_gpx(data, sport_first=sport_first))
    if fmt == "tcx":
        return _indoors(tcx.parse_tcx(data, sport_first=sport_first))
    if expected in _MISSING:
        raise ParseError(f"not a {expected.upper()} file ({_MISSING[expected]})")
    raise ParseError("unsupported format (not FIT, GPX or TCX)")


def _indoors(parsed: ParsedFile) -> ParsedFile:
    """Runs written by an indoor machine or app (Peloton, Zwift...) get its sub-sport."""
    from runaudit.reading.sports import refine_sub_sport

    for activity in parsed.activities:
        activity.sub_sport = refine_sub_sport(activity.sport, activity.sub_sport, activity.device)
    return parsed


def parse_fit_bytes(data: bytes, *, sport_first: bool = False) -> ParsedFile:
    """FIT bytes to a :class:`ParsedFile`: the compiled decoder for clean files, else fitdecode.

    ``sport_first``: as for :func:`parse_bytes`.

    Raises
    ------
    ParseError
        When nothing usable can be read.
    """
    from runaudit.reading.parsers import fit, fit_compiled

    if fit_compiled.plain_single_file(data):
        # fitfast checks the file's CRC itself: a clean decode needs no CRC pass in Python
        compiled = fit_compiled.parse_fit_compiled(data, sport_first=sport_first)
        if compiled is not None:
            return compiled
    # Damaged, chained or doubtful files: sizes and CRCs checked here, fitdecode decodes.
    problems, truncated, checked = fit.check_structure(data)
    return fit.parse_fit_with_fitdecode(checked, problems, truncated)


__all__ = ["PARSER_VERSION", "parse_bytes", "parse_fit_bytes", "sniff_format"]
