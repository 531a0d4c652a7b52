"""The ``runaudit`` command line: a thin shell over the library.

Each command parses its options, makes one library call and prints. Data goes
to stdout; warnings and the ingest summary go to stderr. Errors a user can
cause become one line (``Error: ...``) and exit code 1; a run where some
files were unreadable still exits 0 unless ``--strict`` is given.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd

from . import __version__
from .audit import Audit, audit_ingest
from .errors import RunauditError
from .exercises import format_catalog
from .ingest import Ingest, ingest
from .render import findings_table, to_csv, to_json, to_table
from .sources import Limits
from .thresholds import Thresholds, load_thresholds

F = TypeVar("F", bound=Callable[..., Any])


def ingest_options(func: F) -> F:
    """Options shared by every command that reads an export."""
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path()),
        click.option(
            "--tz", "tz", metavar="ZONE", help="IANA time zone for weeks, e.g. Europe/Berlin."
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(1, 256),
            help="Parser processes (default: all cores).",
        ),
        click.option(
            "--cache-dir", type=click.Path(file_okay=False), help="Parsed-file cache folder."
        ),
        click.option("--no-cache", is_flag=True, help="Parse everything; read and write no cache."),
        click.option("--strict", is_flag=True, help="Exit with status 3 if any file was skipped."),
        click.option("--quiet", "-q", is_flag=True, help="No ingest summary on stderr."),
        click.option(
            "--max-file-mb",
            type=click.FloatRange(min=0.001),
            help="Largest activity file (default 256).",
        ),
        click.option(
            "--max-member-mb",
            type=click.FloatRange(min=0.001),
            help="Largest zip member (default 2048).",
        ),
        click.option(
            "--max-total-gb",
            type=click.FloatRange(min=0.001),
            help="Most data read from one zip (default 20).",
        ),
        click.option(
            "--max-zip-members",
            type=click.IntRange(min=1),
            help="Most members in one zip (default 200000).",
        ),
        click.option(
            "--max-zip-depth",
            type=click.IntRange(min=1, max=32),
            help="Deepest nesting of zips in zips (default 4).",
        ),
        click.option(
            "--file-timeout",
            type=click.FloatRange(min=0.1),
            help="Seconds one file may take to parse (default 120).",
        ),
        click.option(
            "--max-zip-ratio",
            type=click.FloatRange(min=1),
            help="Highest compression ratio (default 200).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _limits(opts: dict[str, Any]) -> Limits:
    base = Limits()
    mib = 2**20
    return Limits(
        max_file_bytes=int(opts["max_file_mb"] * mib)
        if opts.get("max_file_mb")
        else base.max_file_bytes,
        max_member_bytes=int(opts["max_member_mb"] * mib)
        if opts.get("max_member_mb")
        else base.max_member_bytes,
        max_total_bytes=int(opts["max_total_gb"] * 2**30)
        if opts.get("max_total_gb")
        else base.max_total_bytes,
        max_zip_members=opts.get("max_zip_members") or base.max_zip_members,
        max_ratio=opts.get("max_zip_ratio") or base.max_ratio,
        max_seconds_per_file=opts.get("file_timeout") or base.max_seconds_per_file,
        max_zip_depth=opts.get("max_zip_depth") or base.max_zip_depth,
    )


class _Progress:
    """A tqdm bar on stderr when it is a terminal; nothing on pipes."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < 20:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", desc="Reading", file=sys.stderr, leave=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_ingest(opts: dict[str, Any]) -> Ingest:
    """Ingest the paths of a command, print the summary, apply ``--strict``."""
    progress = _Progress(not opts.get("quiet"))
    try:
        result = ingest(
            opts["paths"],
            tz=opts.get("tz"),
            jobs=opts.get("jobs"),
            cache_dir=opts.get("cache_dir"),
            use_cache=not opts.get("no_cache"),
            limits=_limits(opts),
            progress=progress,
        )
    finally:
        progress.close()
    if not opts.get("quiet"):
        for line in result.summary_lines():
            click.echo(line, err=True)
    if result.activities.empty:
        raise click.ClickException(
            f"no runs found in {', '.join(opts['paths'])} "
            f"({sum(result.counts().values())} files looked at)."
        )
    return result


def _finish(opts: dict[str, Any], result: Ingest) -> None:
    skipped = result.counts()["skipped"]
    if opts.get("strict") and skipped:
        click.echo(f"Error: --strict: {skipped} file(s) were skipped.", err=True)
        sys.exit(3)


def handle_errors(func: F) -> F:
    """Turn library errors into ``Error: ...`` and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RunauditError as err:
            raise click.ClickException(str(err)) from err

    return wrapper  # type: ignore[return-value]


def analysis_options(func: F) -> F:
    """Threshold options: a TOML file and single overrides."""
    func = click.option(
        "--set",
        "threshold_overrides",
        multiple=True,
        metavar="NAME=VALUE",
        help=(
            "Override one threshold, e.g. --set acwr_warning=1.25 (repeatable). Names: "
            + ", ".join(f.name for f in dataclasses.fields(Thresholds))
            + "."
        ),
    )(func)
    func = click.option(
        "--config",
        type=click.Path(dir_okay=False),
        help="TOML file with a [thresholds] table.",
    )(func)
    return func


def thresholds_from(opts: dict[str, Any]) -> Thresholds:
    """Thresholds from ``--config`` then ``--set`` options."""
    overrides: dict[str, Any] = {}
    for item in opts.get("threshold_overrides") or ():
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE.", param_hint="--set")
        try:
            overrides[name.strip()] = float(value)
        except ValueError as err:
            raise click.BadParameter(
                f"{item!r}: {value!r} is not a number.", param_hint="--set"
            ) from err
    return load_thresholds(opts.get("config"), **overrides)


def run_audit(opts: dict[str, Any], units: str = "km") -> Audit:
    """Thresholds first (bad options fail before any reading), then ingest and analyse."""
    thresholds = thresholds_from(opts)
    return audit_ingest(run_ingest(opts), thresholds, units=units)


FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table for people; csv/json print only data on stdout.",
)
UNITS = click.option(
    "--units",
    type=click.Choice(["km", "mi"]),
    default="km",
    show_default=True,
    help="Distance unit of what people read (machine-readable outputs keep _km columns).",
)


def _emit(table: Any, fmt: str, units: str) -> None:
    if fmt == "csv":
        click.echo(to_csv(table), nl=False)
    elif fmt == "json":
        click.echo(to_json(table))
    else:
        click.echo(to_table(table, units))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="runaudit")
def cli() -> None:
    """Audit a runner's Garmin/Strava export for the training patterns linked to
    runner's knee, and recommend the exercises that match them."""


@cli.command()
@ingest_options
@analysis_options
@FORMAT
@UNITS
@handle_errors
def weekly(fmt: str, units: str, **opts: Any) -> None:
    """Print the weekly table: distance, descent, cadence and load ratio per week.

    PATHS are activity files (.fit/.gpx/.tcx, optionally .gz), folders, or export zips.
    The load ratio uses the chronic_weeks threshold (--config/--set; default 4).
    """
    audit = run_audit(opts, units)
    _emit(audit.weekly, fmt, units)
    _finish(opts, audit.ingest)


@cli.command()
@ingest_options
@FORMAT
@UNITS
@handle_errors
def activities(fmt: str, units: str, **opts: Any) -> None:
    """Print one row per kept run with its distance, times, elevation and cadence.

    PATHS are activity files (.fit/.gpx/.tcx, optionally .gz), folders, or export zips.
    """
    result = run_ingest(opts)
    _emit(result.activities, fmt, units)
    _finish(opts, result)


@cli.command()
@ingest_options
@analysis_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people; json prints only data on stdout.",
)
@UNITS
@handle_errors
def findings(fmt: str, units: str, **opts: Any) -> None:
    """Print the flagged training patterns, each with its numbers and exercises.

    PATHS are activity files (.fit/.gpx/.tcx, optionally .gz), folders, or export zips.
    """
    audit = run_audit(opts, units)
    if fmt == "json":
        click.echo(json.dumps([f.to_dict() for f in audit.findings], indent=2, ensure_ascii=False))
    else:
        click.echo(findings_table(audit.findings))
    _finish(opts, audit.ingest)


@cli.command()
@click.argument("rule", required=False)
@handle_errors
def exercises(rule: str | None) -> None:
    """Print the exercise catalog, or the exercises for one RULE.

    RULE is one of ramp_up, missing_deload, downhill_volume, low_cadence,
    long_run_spike, hip_control.
    """
    try:
        click.echo(format_catalog(rule))
    except KeyError as err:
        raise click.ClickException(str(err.args[0]) if err.args else str(err)) from err


def _summary_screen(audit: Audit, index: Path, units: str) -> list[str]:
    """The one-screen summary printed after a report."""
    from .analyzers.messages import format_distance
    from .findings import severity_counts

    acts, weekly = audit.activities, audit.weekly
    first = weekly["week_start"].min().date().isoformat()
    last = (weekly["week_start"].max() + pd.Timedelta(days=6)).date().isoformat()
    counts = severity_counts(audit.findings)
    lines = [
        f"{first} to {last}: {len(acts)} runs, "
        f"{format_distance(float(acts['distance_km'].sum()), units)} over {len(weekly)} weeks.",
        f"Findings: {counts['alert']} alert, {counts['warning']} warning, {counts['info']} info.",
    ]
    urgent = sorted(
        (f for f in audit.findings if f.severity != "info"),
        key=lambda f: (f.week_start, f.severity_rank),
        reverse=True,
    )
    for f in urgent[:5]:
        lines.append(f"  [{f.severity}] {f.message}")
    if len(urgent) > 5:
        lines.append(f"  … and {len(urgent) - 5} more in the report.")
    lines.append(f"Report: {index}")
    return lines


@cli.command()
@ingest_options
@analysis_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="report",
    show_default=True,
    help="Folder to write the report into.",
)
@UNITS
@click.option("--pdf", is_flag=True, help="Also write report.pdf (one page per section).")
@click.option(
    "--roster",
    is_flag=True,
    help="PATH holds one sub-folder or zip per athlete: one report each plus a roster page.",
)
@click.option("--title", help="Heading of the report page (default: the input's name).")
@handle_errors
def report(
    out_dir: str, units: str, pdf: bool, roster: bool, title: str | None, **opts: Any
) -> None:
    """Write the HTML report, its PNG figures, weekly.csv, activities.csv, ingest.csv
    and findings.json to --out (and report.pdf with --pdf).

    PATHS are activity files (.fit/.gpx/.tcx, optionally .gz), folders, or export zips.
    """
    from .report.roster import write_roster
    from .report.writer import write_report

    thresholds = thresholds_from(opts)
    if roster:
        if len(opts["paths"]) != 1:
            raise click.UsageError("--roster takes exactly one folder of athletes.")

        from .report.roster import loose_activity_files

        loose = loose_activity_files(opts["paths"][0])
        if loose:
            click.echo(
                f"warning: {opts['paths'][0]} has {len(loose)} activity file(s) at its top level"
                f" (e.g. {loose[0]}); --roster reads one sub-folder or zip per athlete and"
                " ignores them. Leave out --roster for a single athlete's export.",
                err=True,
            )
        skipped = 0

        def audit_one(path: Path) -> Audit:
            nonlocal skipped
            if not opts.get("quiet"):
                click.echo(f"== {path.name}", err=True)
            one = dict(opts, paths=(str(path),))
            try:
                result = run_ingest(one)
            except click.ClickException as err:
                raise RunauditError(err.message) from err
            skipped += result.counts()["skipped"]
            return audit_ingest(result, thresholds, units=units)

        page, rows = write_roster(
            opts["paths"][0], out_dir, audit_fn=audit_one, units=units, pdf=pdf
        )
        for row in rows:
            worst = row.numbers["worst"] if row.numbers else None
            click.echo(
                f"{row.name}: {worst or ('no runs' if row.numbers is None else 'nothing open')}"
            )
        click.echo(f"Roster: {page}")
        if opts.get("strict") and skipped:
            click.echo(f"Error: --strict: {skipped} file(s) were skipped.", err=True)
            sys.exit(3)
        return
    result = run_ingest(opts)
    audit = audit_ingest(result, thresholds, units=units)
    name = title or Path(opts["paths"][0]).name or "runaudit report"
    files = write_report(audit, out_dir, title=name, units=units, pdf=pdf)
    for line in _summary_screen(audit, files.index, units):
        click.echo(line)
    if files.pdf is not None:
        click.echo(f"PDF: {files.pdf}")
    _finish(opts, result)


def main() -> None:
    """Entry point of the ``runaudit`` console script."""
    cli(prog_name="runaudit")
