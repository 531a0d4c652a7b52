"""File names: the format a name suggests, and names made safe to print."""

from __future__ import annotations

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")


def printable(text: str) -> str:
    r"""Return ``text`` with non-printable characters escaped, safe for a terminal.

    >>> printable("run\x1b[2J.fit")
    'run\\x1b[2J.fit'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def split_suffix(name: str) -> tuple[str, bool]:
    """Return ``(format, gz)`` guessed from a file name, case-insensitively.

    >>> split_suffix("Morning_Run.FIT.gz")
    ('fit', True)
    >>> split_suffix("notes.txt")
    ('unknown', False)
    """
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    for suffix in ACTIVITY_SUFFIXES:
        if lower.endswith(suffix):
            return suffix[1:], gz
    return "unknown", gz
