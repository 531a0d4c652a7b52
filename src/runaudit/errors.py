"""Exceptions raised by runaudit.

Every error a user can cause is a :class:`RunauditError`; the command line turns
it into one clear line. Third-party errors are wrapped with ``raise ... from err``.
"""

from __future__ import annotations

import signal


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
        The :class:`~runaudit.reading.sources.Limits` field that was exceeded, such
        as ``"max_file_bytes"``; None for a fixed limit no option raises.
    """

    def __init__(self, message: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit

    def __reduce__(self) -> tuple[type[LimitError], tuple[str, str | None]]:
        # keep ``limit`` when the error crosses a process boundary (pickle)
        return type(self), (str(self), self.limit)


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal: Ctrl-C (SIGINT) or SIGTERM.

    A :class:`KeyboardInterrupt`, so code that cleans up after Ctrl-C cleans up
    after SIGTERM too. :func:`runaudit.intake.pipeline.read_all` raises it with its
    counts once it has stopped its workers and written the cache index.

    Parameters
    ----------
    signum : int
        The signal (``signal.SIGINT`` or ``signal.SIGTERM``).
    done, total : int or None
        Files read so far (parsed, cached or refused) and files to read; None
        when the interrupt came outside the read stage.
    kept : int or None
        Files parsed in this run and kept in the cache; None without a cache.
    """

    def __init__(
        self,
        signum: int = signal.SIGINT,
        done: int | None = None,
        total: int | None = None,
        kept: int | None = None,
    ) -> None:
        super().__init__(signum, done, total, kept)
        self.signum, self.done, self.total, self.kept = signum, done, total, kept

    def __str__(self) -> str:
        text = f"Interrupted by {signal.Signals(self.signum).name}"
        if self.done is None or self.total is None:
            return text + "."
        text += f" after reading {self.done} of {self.total} files"
        if self.kept is None:
            return text + " (no cache: nothing kept)."
        return (
            text + f"; the {self.kept} parsed in this run are kept in the cache,"
            " so the next run parses only the rest."
        )
