"""Cohorts: audit every athlete of a roster folder and stack the results.

:func:`load_roster` reads a folder holding one sub-folder or export zip per
athlete and returns a frozen :class:`Roster`: each athlete's
:class:`~runaudit.audit.Audit` plus cohort frames with an ``athlete`` column.
With a ``distributed.Client`` all athletes' files are parsed in one pass over
the cluster (:mod:`runaudit.reading.backends.cluster`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from runaudit.audit import Audit, audit_ingest, findings_frame
from runaudit.errors import InputError, RunauditError
from runaudit.intake.pipeline import ProgressFn, build_ingest, default_jobs, read_all
from runaudit.reading.cache import Cache
from runaudit.reading.records import read_metadata
from runaudit.reading.sources import Limits, discover, split_suffix
from runaudit.thresholds import Thresholds
from runaudit.training.pain import find_diary


def athlete_inputs(folder: str | os.PathLike[str]) -> list[tuple[str, Path]]:
    """The athletes under ``folder``: each sub-folder and each ``.zip``, sorted by name.

    Raises
    ------
    InputError
        When ``folder`` is not a folder or holds no athlete.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: --roster needs a folder with one sub-folder or zip per athlete.")
    entries = [
        p
        for p in sorted(root.iterdir())
        if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".zip")
    ]
    folders = {p.name for p in entries if p.is_dir()}
    # a zip is named by its stem, unless a folder has that name (``ana/`` and ``ana.zip``)
    found = [(p.stem if p.is_file() and p.stem not in folders else p.name, p) for p in entries]
    if not found:
        raise InputError(f"{root}: no athlete sub-folders or zips found for --roster.")
    return found


def athlete_error(err: Exception) -> str:
    """One line for an athlete whose export could not be audited.

    A :class:`RunauditError` is already a sentence; anything else (a bug met by
    one athlete's data) is named by its type, its text cut to 200 characters.
    """
    if isinstance(err, RunauditError):
        return str(err)
    text = " ".join(str(err).split())
    text = text if len(text) <= 200 else text[:200] + "…"
    return (
        f"could not be audited ({type(err).__name__}: {text})"
        if text
        else (f"could not be audited ({type(err).__name__})")
    )


def loose_activity_files(folder: str | os.PathLike[str]) -> list[str]:
    """Names of activity files lying directly in ``folder`` (not in an athlete's sub-folder)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir() if p.is_file() and split_suffix(p.name)[0] != "unknown"
    )


@dataclass(frozen=True)
class Roster:
    """A cohort's audits.

    Attributes
    ----------
    audits : dict
        Athlete name → :class:`~runaudit.audit.Audit` (also for an athlete whose
        files held no run: its activities table is empty).
    errors : dict
        Athlete name → why their input could not be read or audited (an
        unreadable export, a diary with the wrong headers, a row that broke the
        audit); the other athletes are audited all the same.
    weekly, findings, ledger : pandas.DataFrame
        The per-athlete weekly tables, findings frames and ledgers stacked, with
        a leading ``athlete`` column.
    paths : dict
        Athlete name → their sub-folder or zip, in the folder's (sorted) order.
    """

    audits: dict[str, Audit]
    errors: dict[str, str]
    weekly: pd.DataFrame
    findings: pd.DataFrame
    ledger: pd.DataFrame
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        """Files skipped over all athletes (what ``--strict`` counts)."""
        return sum(a.ingest.counts()["skipped"] for a in self.audits.values())

    def to_parquet(self, directory: str | os.PathLike[str]) -> Path:
        """Write ``weekly/``, ``findings/`` and ``ledger/`` as Parquet datasets
        partitioned by athlete (``athlete=<name>/`` folders) under ``directory``.

        ``pandas.read_parquet(directory / "weekly")`` and
        ``dask.dataframe.read_parquet`` read them back.
        """
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        for name in ("weekly", "findings", "ledger"):
            frame = getattr(self, name)
            if frame.empty:
                continue
            if "evidence" in frame.columns:  # dicts of varying keys: keep them as JSON text
                frame = frame.assign(evidence=frame["evidence"].map(_json))
            frame.to_parquet(root / name, partition_cols=["athlete"], index=False)
        return root


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _stack(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    parts = [f.assign(athlete=name) for name, f in frames.items()]
    if not parts:
        return pd.DataFrame(columns=["athlete"])
    out = pd.concat(parts, ignore_index=True)
    return out[["athlete", *[c for c in out.columns if c != "athlete"]]]


def load_roster(
    folder: str | os.PathLike[str],
    *,
    client: Any = None,
    thresholds: Thresholds | None = None,
    tz: str | None = None,
    jobs: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    limits: Limits | None = None,
    units: str = "km",
    progress: ProgressFn | None = None,
) -> Roster:
    """Audit every athlete (sub-folder or zip) of ``folder``.

    Parameters
    ----------
    folder : path-like
        One sub-folder or export zip per athlete.
    client : distributed.Client, optional
        Parse all athletes' files in one pass over this Dask cluster.
    thresholds, tz, jobs, cache_dir, use_cache, limits, units
        As for :func:`runaudit.load_export`.
    progress : callable, optional
        ``progress(done, total)`` after each file of the one pass over all athletes.

    Returns
    -------
    Roster

    Raises
    ------
    InputError
        When ``folder`` holds no athlete.
    """
    limits = limits or Limits()
    cache = Cache(cache_dir) if use_cache else None
    inputs = athlete_inputs(folder)
    found = {}
    errors: dict[str, str] = {}
    for name, path in inputs:
        try:
            found[name] = discover([path], limits)
        except Exception as err:  # one athlete's unreadable export must not sink the others
            errors[name] = athlete_error(err)
    paths_of = dict(inputs)
    # One read_all over every athlete's files: one pass over the cluster or pool.
    sources = [s for d in found.values() for s in d.sources]
    outcomes = read_all(
        sources,
        limits=limits,
        cache=cache,
        jobs=jobs or default_jobs(),
        progress=progress,
        client=client,
    )
    audits: dict[str, Audit] = {}
    start = 0
    for name, disc in found.items():
        mine = outcomes[start : start + len(disc.sources)]
        start += len(disc.sources)
        try:  # each athlete succeeds or fails alone: a bad diary or row is their line
            result = build_ingest(
                disc,
                mine,
                read_metadata([paths_of[name]], limits=limits),
                tz=tz,
                cache=cache,
                limits=limits,
            )
            diary = find_diary([paths_of[name]], follow_symlinks=limits.follow_symlinks)
            audits[name] = audit_ingest(result, thresholds, units=units, pain=diary)
        except Exception as err:
            errors[name] = athlete_error(err)
    return Roster(
        audits=audits,
        errors=errors,
        weekly=_stack({n: a.weekly for n, a in audits.items()}),
        findings=_stack({n: findings_frame(a.findings) for n, a in audits.items()}),
        ledger=_stack({n: a.ingest.ledger_frame() for n, a in audits.items()}),
        paths=paths_of,
    )
