"""Small helpers for the English of messages (no dependencies)."""

from __future__ import annotations


def plural(n: int, noun: str) -> str:
    """``"1 file"``, ``"2 files"``.

    >>> plural(1, "run file"), plural(3, "duplicate")
    ('1 run file', '3 duplicates')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
