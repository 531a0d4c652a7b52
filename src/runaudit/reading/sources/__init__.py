"""Find the activity files behind the paths a user gives, and read them safely.

A path may be a file (``.fit``, ``.gpx``, ``.tcx``, each optionally ``.gz``,
any case), a folder (searched recursively) or a bulk-export ``.zip`` (Strava
or Garmin Connect, zips nested in zips included). Activity files inside zips
are read in memory, never extracted, under the size limits of :class:`Limits`;
a large compressed nested zip is buffered in an anonymous temporary file that
the operating system removes.

Nothing from a stranger's export is trusted. The package is split so that
the guards can be reviewed alone; neither guard imports discovery code:

* :mod:`.limits` -- :class:`Limits` and the bounded read;
* :mod:`.zipguard` -- zip directory counts, declared sizes and ratios, the
  shared budget of nested zips, nesting depth, zip-slip names, nested-zip
  windows and spools, encrypted or damaged members;
* :mod:`.gzipguard` -- gzip decompressed in small steps under the ratio guard;
* :mod:`.names` -- the format a file name suggests, names safe to print;
* :mod:`.discover` -- :func:`discover` walks files, folders and zips into
  :class:`Source` items;
* :mod:`.read` -- :func:`read_source` returns one source's bytes.

Each refusal a user can lift names the limit as ``Limits.<field>`` and
carries the field in :attr:`LimitError.limit <runaudit.errors.LimitError>`.
"""

from __future__ import annotations

from runaudit.reading.sources.discover import Discovery, Source, discover
from runaudit.reading.sources.limits import Limits
from runaudit.reading.sources.names import ACTIVITY_SUFFIXES, printable, split_suffix
from runaudit.reading.sources.read import read_source
from runaudit.reading.sources.zipguard import ZIP_SLIP_REASON

__all__ = [
    "ACTIVITY_SUFFIXES",
    "ZIP_SLIP_REASON",
    "Discovery",
    "Limits",
    "Source",
    "discover",
    "printable",
    "read_source",
    "split_suffix",
]
