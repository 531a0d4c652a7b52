"""Cohorts: audit every athlete of a roster folder and stack the results.

:func:`load_roster` reads a folder holding one sub-folder or export zip per
athlete and returns a frozen :class:`Roster`: each athlete's
:class:`~runaudit.audit.Audit` plus cohort frames with an ``athlete`` column.
With a ``distributed.Client`` all athletes' files are parsed in one pass over
the cluster (:mod:`runaudit.reading.backends.cluster`).

An athlete's folder may hold an ``athlete.toml`` (:func:`read_athlete_toml`)::

    time_zone = "America/Denver"          # their weeks, instead of --tz
    run_types = ["road", "trail", "track"] # surfaces that count (here: no treadmill)
    [thresholds]
    low_cadence_spm = 155

:func:`monday_rows` gives the coach's Monday: one typed row per athlete (last
run, this week's cap, an eight-week sparkline, pain and its trend, open
findings, unread files), most in need of attention now first.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from runaudit.advice.plan import OPEN_WEEKS
from runaudit.audit import Audit, audit_ingest, findings_frame
from runaudit.errors import ConfigError, InputError, RunauditError
from runaudit.intake.pipeline import build_ingest, read_all
from runaudit.intake.timezones import zone
from runaudit.reading.cache import Cache
from runaudit.reading.options import ReadOptions
from runaudit.reading.records import read_metadata
from runaudit.reading.sources import discover, split_suffix
from runaudit.rules.findings import SEVERITIES, Finding
from runaudit.thresholds import Thresholds
from runaudit.training.pain import find_diary, weekly_pain

#: The file of an athlete's own settings in their roster folder.
ATHLETE_FILE = "athlete.toml"


@dataclass(frozen=True)
class AthleteConfig:
    """One athlete's ``athlete.toml``.

    Attributes
    ----------
    time_zone : str or None
        IANA zone of their weeks (wins over the roster's ``--tz``).
    thresholds : dict
        Threshold overrides, applied over the roster's thresholds.
    run_types : tuple of str
        Activity types of the athlete's export that are runs, as ``--run-type``
        declares them (``"Hardloop"``) for a language runaudit has no names for.
    source : str
        The file read ("" when there is none).
    """

    time_zone: str | None = None
    thresholds: dict[str, Any] = field(default_factory=dict)
    run_types: tuple[str, ...] = ()
    source: str = ""


def parse_athlete_toml(text: str, source: str = "athlete.toml") -> AthleteConfig:
    """Parse and validate an ``athlete.toml`` (pure).

    Raises
    ------
    ConfigError
        For TOML that does not parse, unknown keys, an unknown time zone, unknown
        thresholds or values, or run types that are not surfaces.
    """
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: not valid TOML ({err}).") from err
    unknown = sorted(set(data) - {"time_zone", "thresholds", "run_types"})
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) {', '.join(unknown)}; known: time_zone, run_types,"
            " [thresholds]."
        )
    tz = data.get("time_zone")
    if tz is not None:
        if not isinstance(tz, str):
            raise ConfigError(f"{source}: time_zone must be a string like 'Europe/Berlin'.")
        try:
            zone(tz)
        except InputError as err:
            raise ConfigError(f"{source}: {err}") from err
    table = data.get("thresholds", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [thresholds] must be a table.")
    try:
        Thresholds().replace(**table)
    except ConfigError as err:
        raise ConfigError(f"{source}: {err}") from err
    types = data.get("run_types", [])
    if not isinstance(types, list) or not all(isinstance(x, str) and x.strip() for x in types):
        raise ConfigError(
            f"{source}: run_types must be a list of activity type names, as the export"
            ' writes them (run_types = ["Hardloop"]).'
        )
    return AthleteConfig(tz, dict(table), tuple(t.strip() for t in types), source)


def read_athlete_toml(folder: str | os.PathLike[str]) -> AthleteConfig:
    """The ``athlete.toml`` of an athlete's folder (an empty config without one)."""
    path = Path(folder) / ATHLETE_FILE
    if not Path(folder).is_dir() or not path.is_file():
        return AthleteConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the athlete file ({err}).") from err
    return parse_athlete_toml(text, str(path))


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
    options: ReadOptions | None = None,
    *,
    thresholds: Thresholds | None = None,
    units: str = "km",
    as_of: date | None = None,
    **keywords: Any,
) -> Roster:
    """Audit every athlete (sub-folder or zip) of ``folder``.

    Parameters
    ----------
    folder : path-like
        One sub-folder or export zip per athlete.
    options : ReadOptions, optional
        How to read (:class:`~runaudit.reading.options.ReadOptions`); with a Dask
        ``client`` all athletes' files are parsed in one pass over the cluster,
        and ``progress(done, total)`` counts the files of that one pass.
    thresholds, units
        As for :func:`runaudit.load_export`.
    as_of : datetime.date, optional
        The day of the audits (default today).
    **keywords
        The fields of :class:`ReadOptions` one by one, as before the options object.

    An athlete's ``athlete.toml`` sets their time zone (over ``tz``), their
    thresholds (over ``thresholds``) and the activity types of their export that
    are runs (beside ``run_types``); a bad one puts the athlete in ``errors``.

    Returns
    -------
    Roster

    Raises
    ------
    InputError
        When ``folder`` holds no athlete.
    """
    opts = ReadOptions.build(options, **keywords)
    limits = opts.limits
    cache = Cache(opts.cache_dir) if opts.use_cache else None
    inputs = athlete_inputs(folder)
    found = {}
    errors: dict[str, str] = {}
    configs: dict[str, AthleteConfig] = {}
    for name, path in inputs:
        try:
            configs[name] = read_athlete_toml(path)
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
        jobs=opts.n_jobs,
        progress=opts.progress,
        client=opts.client,
    )
    audits: dict[str, Audit] = {}
    start = 0
    for name, disc in found.items():
        mine = outcomes[start : start + len(disc.sources)]
        start += len(disc.sources)
        config = configs[name]
        try:  # each athlete succeeds or fails alone: a bad diary or row is their line
            result = build_ingest(
                disc,
                mine,
                read_metadata([paths_of[name]], limits=limits),
                tz=config.time_zone or opts.tz,
                cache=cache,
                limits=limits,
                run_types=(*opts.run_types, *config.run_types),
            )
            mine_t = (thresholds or Thresholds()).replace(**config.thresholds)
            diary = find_diary([paths_of[name]], follow_symlinks=limits.follow_symlinks)
            audits[name] = audit_ingest(result, mine_t, units=units, pain=diary, as_of=as_of)
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


#: Blocks of the text sparkline, lowest to highest.
SPARK_BLOCKS = "▁▂▃▅▇"
#: Weeks the roster's sparkline shows.
SPARK_WEEKS = 8
#: A pain score this many days old or newer is "now" for the roster's order [days].
PAIN_NOW_DAYS = 14


def sparkline(values: Sequence[float]) -> str:
    """One block per value, scaled to the largest (▁ for zero or nothing).

    >>> sparkline([0, 10, 20, 40])
    '▁▂▃▇'
    """
    top = max((v for v in values if math.isfinite(v)), default=0.0)
    if top <= 0:
        return SPARK_BLOCKS[0] * len(values)
    last = len(SPARK_BLOCKS) - 1
    return "".join(
        SPARK_BLOCKS[min(last, math.ceil(v / top * last))] if math.isfinite(v) and v > 0 else "▁"
        for v in values
    )


@dataclass(frozen=True)
class AthleteMonday:
    """One athlete's row of the coach's Monday.

    Attributes
    ----------
    name : str
    last_run : datetime.date or None
        Local date of the latest run up to ``as_of``.
    days_since_run : int or None
        Days from it to ``as_of``.
    cap_km : float
        Most distance for the coming week, from the plan [km].
    weeks_km : tuple of float
        Distance of the last :data:`SPARK_WEEKS` complete weeks up to ``as_of``, oldest
        first [km].
    sparkline : str
        ``weeks_km`` as text blocks (▁▂▃▅▇).
    pain : float or None
        Latest diary score [0–10], on ``pain_date``.
    pain_date : datetime.date or None
    pain_trend : str
        ``"rising"``, ``"falling"``, ``"steady"`` (the last two diary weeks' highest
        score) or ``""``.
    open_findings : tuple of Finding
        Findings of the :data:`~runaudit.advice.plan.OPEN_WEEKS` weeks before ``as_of``,
        most severe first: an old alert is not open.
    unread_files : int
        Files that look like runs but could not be read or dated.
    pain_now : bool
        The latest score is above the athlete's ``pain_warning`` and at most
        :data:`PAIN_NOW_DAYS` days old.
    error : str or None
        Why the athlete has no audit (unreadable input, bad athlete.toml, no runs).
    """

    name: str
    last_run: date | None
    days_since_run: int | None
    cap_km: float
    weeks_km: tuple[float, ...]
    sparkline: str
    pain: float | None
    pain_date: date | None
    pain_trend: str
    open_findings: tuple[Finding, ...]
    unread_files: int
    pain_now: bool = False
    error: str | None = None

    @property
    def worst(self) -> str | None:
        """The worst severity among the open findings."""
        return max((f.severity for f in self.open_findings), key=SEVERITIES.index, default=None)

    @property
    def attention(self) -> tuple[int, int, int, int]:
        """Sort key, highest first: worst open severity, recent pain above warning,
        number of open findings, then the fresher data."""
        rank = SEVERITIES.index(self.worst) if self.worst else -1
        pain = int(self.pain_now)
        if self.error is not None:
            rank = -2
        fresh = -(self.days_since_run if self.days_since_run is not None else 10**6)
        return (rank, pain, len(self.open_findings), fresh)

    def to_dict(self) -> dict[str, Any]:
        """The row as ``roster.csv`` holds it (dates ISO, findings as ``rule:severity:week``)."""
        return {
            "athlete": self.name,
            "last_run": self.last_run.isoformat() if self.last_run else "",
            "days_since_run": self.days_since_run,
            "cap_km": self.cap_km,
            "sparkline": self.sparkline,
            "weeks_km": " ".join(f"{v:.1f}" for v in self.weeks_km),
            "pain": self.pain,
            "pain_date": self.pain_date.isoformat() if self.pain_date else "",
            "pain_trend": self.pain_trend,
            "open_findings": " ".join(
                f"{f.rule}:{f.severity}:{f.week_start.isoformat()}" for f in self.open_findings
            ),
            "unread_files": self.unread_files,
            "pain_now": self.pain_now,
            "error": self.error or "",
        }


def _pain_trend(entries: pd.DataFrame | None) -> str:
    if entries is None or entries.empty:
        return ""
    weeks = weekly_pain(entries)["pain_max"].sort_index()
    if len(weeks) < 2:
        return "steady"
    last, before = float(weeks.iloc[-1]), float(weeks.iloc[-2])
    return "rising" if last > before else "falling" if last < before else "steady"


def athlete_monday(name: str, audit: Audit) -> AthleteMonday:
    """The coach's Monday row of one audit, as of ``audit.as_of`` (pure)."""
    as_of = audit.as_of
    after = as_of + timedelta(days=1)
    last_full = after - timedelta(days=after.weekday() + 7)  # the last complete week's Monday
    weeks = [pd.Timestamp(last_full - timedelta(weeks=k)) for k in range(SPARK_WEEKS - 1, -1, -1)]
    km = (
        audit.weekly.set_index(pd.to_datetime(audit.weekly["week_start"]))["distance_km"]
        if not audit.weekly.empty
        else pd.Series(dtype="float64")
    )
    weeks_km = tuple(float(km.get(w, 0.0)) for w in weeks)
    since = as_of - timedelta(weeks=OPEN_WEEKS)
    open_now = tuple(
        sorted(
            (f for f in audit.findings if since < f.week_start <= as_of),
            key=lambda f: (f.severity_rank, f.week_start),
            reverse=True,
        )
    )
    entries = audit.pain.entries if audit.pain is not None else None
    latest = None if entries is None or entries.empty else entries.iloc[-1]
    error = None
    if audit.activities.empty:
        looked = sum(audit.ingest.counts().values())
        error = f"no runs found ({looked} files looked at)"
    return AthleteMonday(
        name=name,
        last_run=audit.data_ends,
        days_since_run=audit.days_since_data,
        cap_km=audit.plan.cap_km if error is None else 0.0,
        weeks_km=weeks_km,
        sparkline=sparkline(weeks_km),
        pain=float(latest["pain"]) if latest is not None else None,
        pain_date=pd.Timestamp(latest["date"]).date() if latest is not None else None,
        pain_trend=_pain_trend(entries),
        open_findings=open_now,
        unread_files=len(audit.unread),
        pain_now=latest is not None
        and float(latest["pain"]) > audit.thresholds.pain_warning
        and (as_of - pd.Timestamp(latest["date"]).date()).days <= PAIN_NOW_DAYS,
        error=error,
    )


def monday_rows(roster: Roster) -> list[AthleteMonday]:
    """One row per athlete, most in need of attention now first (see
    :attr:`AthleteMonday.attention`); athletes that could not be read last."""
    rows = [athlete_monday(name, audit) for name, audit in roster.audits.items()]
    rows += [
        AthleteMonday(name, None, None, 0.0, (), "", None, None, "", (), 0, error=error)
        for name, error in roster.errors.items()
    ]
    return sorted(rows, key=lambda r: r.attention, reverse=True)


def monday_frame(rows: Sequence[AthleteMonday]) -> pd.DataFrame:
    """The rows as a DataFrame (the columns of ``roster.csv``)."""
    columns = list(AthleteMonday("", None, None, 0.0, (), "", None, None, "", (), 0).to_dict())
    return pd.DataFrame([r.to_dict() for r in rows], columns=columns)
