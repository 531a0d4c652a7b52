"""Parsers: bytes of one file in, :class:`~runaudit.reading.models.ParsedFile` out.

The format is sniffed from the content (a FIT header, a ``<gpx>`` or
``<TrainingCenterDatabase>`` root), so renamed files are read correctly; the
name only breaks ties. Every parser raises :class:`~runaudit.errors.ParseError`
with a one-line reason for a file it cannot use.
"""

from __future__ import annotations

from runaudit.errors import ParseError
from runaudit.reading.models import ParsedFile
from runaudit.reading.parsers import fit, fit_compiled, gpx, tcx
from runaudit.reading.parsers.xmlsafe import xml_encoding
from runaudit.reading.sports import refine_sub_sport

#: Bumped whenever parsing or per-activity metrics change: cached results made
#: by another version are ignored.
PARSER_VERSION = "6"  # 6: TCX creator names, indoor devices, GPX track-name sports


def sniff_format(data: bytes) -> str:
    """Return ``"fit"``, ``"gpx"``, ``"tcx"`` or ``"unknown"`` from the first bytes.

    >>> sniff_format(b"\\x0e\\x10\\x00\\x00\\x00\\x00\\x00\\x00.FIT\\x00\\x00")
    'fit'
    >>> sniff_format(b'  <?xml version="1.0"?><gpx version="1.1">')
    'gpx'
    """
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
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


def parse_bytes(data: bytes, expected: str = "unknown") -> ParsedFile:
    """Parse one file's bytes.

    Parameters
    ----------
    data : bytes
        The decompressed file content.
    expected : str
        Format guessed from the file name, used in the error message when the
        content is not what the name says.

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
    if fmt == "fit":
        return _indoors(parse_fit_bytes(data))
    if fmt == "gpx":
        return _indoors(gpx.parse_gpx(data))
    if fmt == "tcx":
        return _indoors(tcx.parse_tcx(data))
    if expected in _MISSING:
        raise ParseError(f"not a {expected.upper()} file ({_MISSING[expected]})")
    raise ParseError("unsupported format (not FIT, GPX or TCX)")


def _indoors(parsed: ParsedFile) -> ParsedFile:
    """Runs written by an indoor machine or app (Peloton, Zwift...) get its sub-sport."""
    for activity in parsed.activities:
        activity.sub_sport = refine_sub_sport(activity.sport, activity.sub_sport, activity.device)
    return parsed


def parse_fit_bytes(data: bytes) -> ParsedFile:
    """FIT bytes to a :class:`ParsedFile`: the compiled decoder for clean files, else fitdecode.

    Raises
    ------
    ParseError
        When nothing usable can be read.
    """
    problems, truncated, checked = fit.check_structure(data)
    if not problems and not truncated:
        compiled = fit_compiled.parse_fit_compiled(checked)  # None without [fast] or on doubt
        if compiled is not None:
            return compiled
    return fit.parse_fit_with_fitdecode(checked, problems, truncated)


__all__ = ["PARSER_VERSION", "parse_bytes", "parse_fit_bytes", "sniff_format"]
