"""Exceptions raised by runaudit.

Every error a user can cause is a :class:`RunauditError`; the command line turns
it into one clear line. Third-party errors are wrapped with ``raise ... from err``.
"""

from __future__ import annotations


class RunauditError(Exception):
    """Base class of every error runaudit raises on purpose."""


class InputError(RunauditError):
    """A path or argument given by the user cannot be used (missing file, bad option)."""


class NoRunsError(InputError):
    """The inputs hold no run at all (nothing to tabulate or audit)."""


class ConfigError(RunauditError):
    """A configuration file or threshold value is invalid."""


class ParseError(RunauditError):
    """One input file cannot be used.

    The message is one sentence a person understands ("empty file",
    "not a FIT file", "GPX has no timestamps", ...); it ends up as the file's
    reason in the ingest summary.
    """


class LimitError(ParseError):
    """An input exceeds a safety limit (zip bomb, huge member, oversize file).

    Parameters
    ----------
    message : str
        What was refused. When a user can raise the limit, the message names
        it as ``Limits.<field>`` (for example ``"raise it with
        Limits.max_file_bytes"``); the command line shows its own option there.
    limit : str or None
        The :class:`~runaudit.sources.Limits` field that was exceeded, such
        as ``"max_file_bytes"``; None for a fixed limit no option raises.
    """

    def __init__(self, message: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit

    def __reduce__(self) -> tuple[type[LimitError], tuple[str, str | None]]:
        # keep ``limit`` when the error crosses a process boundary (pickle)
        return type(self), (str(self), self.limit)
