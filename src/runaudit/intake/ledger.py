"""The ledger types: where every input file ended up, and the result of an ingest.

Pure records with no pipeline logic: :class:`LedgerEntry` (one file, one
bucket), :class:`FileOutcome` (one file after reading and parsing) and
:class:`Ingest` (what :func:`runaudit.intake.pipeline.ingest` returns), built once
and never patched afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from runaudit.intake.account import MetadataAccount
from runaudit.reading.cache import Cache, CachedFile
from runaudit.reading.models import BUCKETS, with_time_column
from runaudit.reading.sources import Limits, Source, read_source
from runaudit.words import plural


@dataclass(frozen=True)
class LedgerEntry:
    """Where one input file ended up.

    Attributes
    ----------
    source : str
        The file (``export.zip!activities/1.fit.gz`` for zip members).
    bucket : str
        ``"run"``, ``"duplicate"``, ``"other_sport"``, ``"not_activity"`` or ``"skipped"``.
    reason : str
        One line a person understands.
    format : str
    activity_ids : tuple of str
        The runs this file contributed (empty unless bucket is ``"run"``).
    """

    source: str
    bucket: str
    reason: str
    format: str = "unknown"
    activity_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileOutcome:
    """One file after reading and parsing (compact: summaries, no samples).

    Attributes
    ----------
    source : Source
    content_hash : str or None
        SHA-256 of the file's bytes; None when the bytes could not be read.
    entry : CachedFile
        Its summaries, or the reason it could not be parsed.
    from_cache : bool
        True when the entry came from the cache instead of the parser.
    """

    source: Source
    content_hash: str | None
    entry: CachedFile
    from_cache: bool = False


@dataclass(frozen=True)
class Ingest:
    """The result of :func:`runaudit.intake.pipeline.ingest`.

    Attributes
    ----------
    activities : pandas.DataFrame
        One row per kept run (columns in :data:`runaudit.training.weekly.ACTIVITY_COLUMNS`).
    ledger : tuple of LedgerEntry
        Exactly one entry per input file.
    cadence_hist : dict
        activity_id → (cadence bins [spm], seconds [s]) of its running samples.
    ignored : int
        Files passed over quietly as not activity files (photos, JSON...).
    parsed, cached : int
        How many files were parsed this run and how many came from the cache.
    tz_note : str
        A note on runs whose UTC offset was borrowed or unknown ("" when none).
    origins : dict
        activity_id → (its file, the activity's index in that file), for :meth:`samples`.
    cache_dir : str or None
        The cache folder used, None when the cache was off.
    cache_problem : str or None
        Why the cache could not be written (a read-only or full folder), else None.
    limits : Limits
        The safety limits the files were read with.
    """

    activities: pd.DataFrame
    ledger: tuple[LedgerEntry, ...]
    cadence_hist: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = field(default_factory=dict)
    ignored: int = 0
    parsed: int = 0
    cached: int = 0
    tz_note: str = ""
    origins: dict[str, tuple[Source, int]] = field(default_factory=dict, repr=False)
    cache_dir: str | None = None
    limits: Limits = field(default_factory=Limits, repr=False)
    metadata: MetadataAccount = field(default_factory=MetadataAccount, repr=False)
    cache_problem: str | None = None

    def samples(self, activity_id: str) -> pd.DataFrame:
        """Per-sample data of one activity, from the cache or by reading its file again.

        Returns
        -------
        pandas.DataFrame
            ``time`` (UTC), ``time_s`` [s since epoch], ``lat_deg``, ``lon_deg``,
            ``altitude_m``, ``distance_m``, ``speed_mps``, ``cadence_spm``,
            ``heart_rate_bpm``.

        Raises
        ------
        KeyError
            For an activity_id this ingest did not see, or one that comes from the
            export's own records (a manual or summary-only run has no samples).
        ParseError
            When the file can no longer be read.
        """
        if activity_id not in self.origins:
            if activity_id in set(self.activities["activity_id"]):
                row = self.activities[self.activities["activity_id"] == activity_id].iloc[0]
                raise KeyError(
                    f"activity {activity_id!r} has no samples: it comes from the export's"
                    f" own records ({row.get('origin', 'a record')}, {row['source']}), not a file"
                )
            raise KeyError(f"unknown activity_id {activity_id!r}")
        source, index = self.origins[activity_id]
        data = read_source(source, self.limits)
        if self.cache_dir is not None:
            cached = Cache(self.cache_dir).load_samples(hashlib.sha256(data).hexdigest())
            if (
                cached is not None
                and "activity_index" in cached
                and ((cached["activity_index"] == index).any())
            ):  # another sport's samples are not cached: read again below
                frame = cached[cached["activity_index"] == index].drop(columns="activity_index")
                return with_time_column(frame.reset_index(drop=True))
        from runaudit.reading.parsers import parse_bytes  # the parsers only when needed

        parsed = parse_bytes(data, source.format)  # in full, whatever the sport
        return parsed.activities[index].samples_frame()

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {b}" for b, n in self.counts().items() if n)
        return f"<Ingest: {len(self.activities)} runs from {len(self.ledger)} files ({counts})>"

    def counts(self) -> dict[str, int]:
        """Number of files in each bucket, every bucket present."""
        out: dict[str, int] = dict.fromkeys(BUCKETS, 0)
        for entry in self.ledger:
            out[entry.bucket] += 1
        return out

    def summary_lines(self) -> list[str]:
        """The ingest summary as printed on stderr: a count line, then one line per
        skipped file and per duplicate with its reason."""
        c = self.counts()
        total = sum(c.values())
        runs = len(self.activities)
        head = (
            f"{plural(total, 'file')}: {plural(c['run'], 'run file')}"
            + (f" ({plural(runs, 'run')})" if runs != c["run"] else "")
            + f", {plural(c['duplicate'], 'duplicate')}, {plural(c['other_sport'], 'other sport')},"
            f" {plural(c['not_activity'], 'non-activity file')}, {c['skipped']} skipped"
        )
        if self.ignored:
            head += f" ({plural(self.ignored, 'other file')} such as .json/.csv passed over)"
        lines = [head]
        for entry in self.ledger:
            if entry.bucket in ("skipped", "duplicate"):
                lines.append(f"{entry.bucket}: {entry.source}: {entry.reason}")
        if self.tz_note:
            lines.append(self.tz_note)
        lines.extend(self.metadata.lines())
        if self.cache_problem:
            lines.append(f"warning: {self.cache_problem}")
        return lines

    def ledger_frame(self) -> pd.DataFrame:
        """The ledger as a DataFrame (source, bucket, reason, format, activity_ids).

        After the files, every service record row refused or set aside, with
        bucket ``"record"`` and its reason (``activities.csv line 12``).
        """
        return pd.DataFrame(
            [
                {
                    "source": e.source,
                    "bucket": e.bucket,
                    "reason": e.reason,
                    "format": e.format,
                    "activity_ids": ",".join(e.activity_ids),
                }
                for e in self.ledger
            ]
            + [
                {
                    "source": where,
                    "bucket": "record",
                    "reason": why,
                    "format": "",
                    "activity_ids": "",
                }
                for where, why in self.metadata.rows
            ],
            columns=["source", "bucket", "reason", "format", "activity_ids"],
        )
