"""The ``runaudit`` command line: a thin shell over the library.

Each command parses its options, makes one library call and prints. Data goes
to stdout; warnings and the ingest summary go to stderr. Errors a user can
cause become one line (``Error: ...``) and exit code 1; a run where some
files were unreadable still exits 0 unless ``--strict`` is given (exit 3).
Ctrl-C and SIGTERM end a run the same way: the files parsed so far stay in the
cache, one ``Interrupted by ...`` line goes to stderr and the exit code is 128
plus the signal number (130, 143).

Only click and light modules are imported at the top, so ``--version`` and
``--help`` start without pandas, the parsers or matplotlib; each command
imports what it runs.
"""

from __future__ import annotations

import dataclasses
import functools
import signal
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from runaudit import __version__
from runaudit.errors import Interrupted, RunauditError
from runaudit.thresholds import Thresholds, load_run_types, load_thresholds

if TYPE_CHECKING:
    from runaudit.audit import Audit
    from runaudit.intake.pipeline import Ingest
    from runaudit.reading.options import ReadOptions
    from runaudit.reading.sources import Limits
    from runaudit.training.pain import PainDiary

F = TypeVar("F", bound=Callable[..., Any])


class Finite(click.FloatRange):
    """A float option within ``[min, max]``; NaN is refused too (it compares with nothing)."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:  # NaN
            self.fail(f"{value!r} is not a number.", param, ctx)
        return number


def ingest_options(func: F) -> F:
    """Options shared by every command that reads an export."""
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path()),
        click.option(
            "--tz", "tz", metavar="ZONE", help="IANA time zone for weeks, e.g. Europe/Berlin."
        ),
        click.option(
            "--as-of",
            "as_of",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            help="Day the audit is made, YYYY-MM-DD (default today): later runs and pain"
            " entries are left out; the plan is the week from the Monday after it.",
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
            "--run-type",
            "run_types",
            metavar="NAME",
            multiple=True,
            help="An activity type of the export's records that is a run, for languages"
            " runaudit has no names for (repeatable; also run_types = [...] in --config).",
        ),
        click.option(
            "--max-file-mb",
            type=Finite(min=0.001, max=1e6),
            help="Largest activity file (default 256).",
        ),
        click.option(
            "--max-member-mb",
            type=Finite(min=0.001, max=1e6),
            help="Largest zip member (default 2048).",
        ),
        click.option(
            "--max-total-gb",
            type=Finite(min=0.001, max=1e6),
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
            type=Finite(min=0.1, max=86400),
            help="Seconds one file may take to parse (default 120).",
        ),
        click.option(
            "--max-zip-ratio",
            type=Finite(min=1, max=1e6),
            help="Highest compression ratio (default 200).",
        ),
        click.option(
            "--follow-symlinks",
            is_flag=True,
            help="Follow symbolic links that lead outside an input folder (default: name"
            " them and skip them), e.g. a coach's folder of links to each athlete's export.",
        ),
        click.option(  # cluster seam (issue 12)
            "--scheduler",
            metavar="ADDRESS",
            help="Parse on a Dask cluster: tcp://host:port or a scheduler JSON file"
            " (needs pip install 'runaudit[dask]'; paths must be readable from the workers).",
        ),
        click.option(
            "--timeout",
            "connect_timeout",
            type=Finite(min=0.1, max=3600),
            default=10.0,
            show_default=True,
            help="Seconds to wait for the --scheduler to answer; a closed port or a service"
            " that is not Dask fails after this long.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


#: The option that raises each field of :class:`~runaudit.reading.sources.Limits`.
LIMIT_FLAGS = {
    "max_file_bytes": "--max-file-mb",
    "max_member_bytes": "--max-member-mb",
    "max_total_bytes": "--max-total-gb",
    "max_zip_members": "--max-zip-members",
    "max_zip_depth": "--max-zip-depth",
    "max_seconds_per_file": "--file-timeout",
    "max_ratio": "--max-zip-ratio",
    "follow_symlinks": "--follow-symlinks",
}


def cli_message(text: str) -> str:
    """A library message as the command line says it: ``Limits.<field>`` becomes its option.

    >>> cli_message("over the 256 MiB limit (raise it with Limits.max_file_bytes)")
    'over the 256 MiB limit (raise it with --max-file-mb)'
    """
    if "Limits." not in text:
        return text
    for name, flag in LIMIT_FLAGS.items():
        text = text.replace(f"Limits.{name}", flag)
    return text


def _limits(opts: dict[str, Any]) -> Limits:
    from runaudit.reading.sources import Limits

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
        follow_symlinks=bool(opts.get("follow_symlinks")),
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


def _client(opts: dict[str, Any]) -> Any:
    """The Dask client of ``--scheduler`` (connected once per command, closed at its end)."""
    if not opts.get("scheduler"):
        return None
    if "_client" not in opts:
        import logging

        from runaudit.reading.backends.cluster import connect

        # a lost scheduler is reported as one Error: line, not distributed's log tracebacks
        logging.getLogger("distributed").setLevel(logging.CRITICAL)

        opts["_client"] = connect(opts["scheduler"], opts.get("connect_timeout") or 10.0)
        click.get_current_context().call_on_close(opts["_client"].close)
    return opts["_client"]


def _reading(opts: dict[str, Any], progress: _Progress) -> ReadOptions:
    """The reading options of a command, as :func:`runaudit.intake.pipeline.ingest` and
    :func:`runaudit.cohort.load_roster` take them (``--tz`` checked before any reading)."""
    from runaudit.reading.options import ReadOptions

    if opts.get("tz"):
        from runaudit.intake.timezones import zone

        zone(opts["tz"])
    return ReadOptions(
        tz=opts.get("tz"),
        jobs=opts.get("jobs"),
        cache_dir=opts.get("cache_dir"),
        use_cache=not opts.get("no_cache"),
        limits=_limits(opts),
        progress=progress,
        client=_client(opts),
        run_types=(*opts.get("run_types", ()), *load_run_types(opts.get("config"))),
    )


def read_export(
    opts: dict[str, Any], diary: PainDiary | None = None, thresholds: Thresholds | None = None
) -> Ingest:
    """Ingest a command's paths with a progress bar and print the ingest summary on stderr.

    A pain diary joins the ledger, its entries far from the runs named on stderr.
    Raises :class:`~runaudit.errors.NoRunsError` (after the summary) when no run was found.
    """
    from runaudit.audit import place_diary, require_runs
    from runaudit.intake.pipeline import ingest

    progress = _Progress(not opts.get("quiet"))
    try:
        result = ingest(opts["paths"], _reading(opts, progress))
    finally:
        progress.close()
    if diary is not None:
        known = len(diary.problems)  # printed by pain_from
        result, diary = place_diary(result, diary, thresholds)
        if not opts.get("quiet"):
            for problem in diary.problems[known:]:
                click.echo(f"warning: {diary.source}: {problem}", err=True)
    if not opts.get("quiet"):
        echo_ingest(result, diary)
    return require_runs(result, opts["paths"])


def echo_ingest(result: Ingest, diary: PainDiary | None) -> None:
    """The ingest summary on stderr, and the diary's line when there is one."""
    for line in result.summary_lines():
        click.echo(cli_message(line), err=True)
    if diary is not None:
        click.echo(f"{diary.source}: {diary.ledger_reason}", err=True)


def exit_if_strict(opts: dict[str, Any], skipped: int) -> None:
    """``--strict``: exit with status 3 when any file was skipped."""
    if opts.get("strict") and skipped:
        click.echo(f"Error: --strict: {skipped} file(s) were skipped.", err=True)
        sys.exit(3)


def handle_errors(func: F) -> F:
    """Turn library errors into ``Error: ...`` and exit code 1, and an interrupt
    (Ctrl-C, SIGTERM) into one ``Interrupted by ...`` line and exit code 128 + signal."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RunauditError as err:
            raise click.ClickException(cli_message(str(err))) from err
        except KeyboardInterrupt as err:
            stop = err if isinstance(err, Interrupted) else Interrupted()
            click.echo(str(stop), err=True)
            sys.exit(128 + stop.signum)

    return wrapper  # type: ignore[return-value]


def analysis_options(func: F) -> F:
    """Threshold options (a TOML file and single overrides) and the pain diary."""
    func = click.option(
        "--pain",
        "pain",
        type=click.Path(),
        help=(
            "Knee-pain diary CSV (date, pain 0-10; optional time, side, note)."
            " Default: pain.csv in the export folder, if there is one."
        ),
    )(func)
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


def pain_from(opts: dict[str, Any]) -> PainDiary | None:
    """The diary of ``--pain``, else ``pain.csv`` in an export folder; bad rows warned on stderr."""
    from runaudit.training.pain import find_diary, read_diary

    path = opts.get("pain") or find_diary(
        list(opts["paths"]), follow_symlinks=bool(opts.get("follow_symlinks"))
    )
    if path is None:
        return None
    diary = read_diary(path)
    if not opts.get("quiet"):
        for problem in diary.problems:
            click.echo(f"warning: {diary.source}: {problem}", err=True)
    return diary


def audit_export(opts: dict[str, Any], units: str = "km", *, data_lines: bool = True) -> Audit:
    """Thresholds and diary first (bad options fail before any reading), then ingest and analyse."""
    from runaudit.audit import audit_ingest

    thresholds = thresholds_from(opts)
    diary = pain_from(opts)
    audit = audit_ingest(
        read_export(opts, diary, thresholds),
        thresholds,
        units=units,
        pain=diary,
        as_of=as_of_from(opts),
    )
    if data_lines and not opts.get("quiet"):
        for line in audit.data_lines():
            click.echo(line, err=True)
    return audit


def as_of_from(opts: dict[str, Any]) -> date | None:
    """The ``--as-of`` day (None: today)."""
    value = opts.get("as_of")
    return value.date() if value is not None else None


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
    from runaudit.report.text import to_csv, to_json, to_table

    if fmt == "csv":
        click.echo(to_csv(table), nl=False)
    elif fmt == "json":
        click.echo(to_json(table))
    else:
        click.echo(to_table(table, units))


class RuleChoice(click.Choice):
    """The catalog's rule names, read from the rule records only when needed.

    The records live with the rules (pandas and all); ``runaudit --help`` must not
    load them, so the choices are looked up on first use.
    """

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from runaudit.rules.findings import CATALOG_RULES

        return tuple(CATALOG_RULES)

    @choices.setter
    def choices(self, value: Any) -> None:
        """Ignored: the choices come from the rule records."""


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
    audit = audit_export(opts, units)
    _emit(audit.weekly, fmt, units)
    exit_if_strict(opts, audit.ingest.counts()["skipped"])


@cli.command()
@ingest_options
@FORMAT
@UNITS
@handle_errors
def activities(fmt: str, units: str, **opts: Any) -> None:
    """Print one row per kept run with its distance, times, elevation and cadence.

    PATHS are activity files (.fit/.gpx/.tcx, optionally .gz), folders, or export zips.
    """
    result = read_export(opts)
    acts = result.activities
    as_of = as_of_from(opts)
    if as_of is not None:
        acts = acts[~(acts["start_local"].dt.date > as_of)]
    _emit(acts, fmt, units)
    exit_if_strict(opts, result.counts()["skipped"])


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
    from runaudit.report.text import findings_table
    from runaudit.rules.findings import findings_json

    audit = audit_export(opts, units)
    click.echo(findings_json(audit.findings) if fmt == "json" else findings_table(audit.findings))
    exit_if_strict(opts, audit.ingest.counts()["skipped"])


@cli.command()
@ingest_options
@analysis_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "ics"]),
    default="table",
    show_default=True,
    help="table for people; json prints only data; ics is a calendar file (one event per"
    " run and per strength day).",
)
@handle_errors
def plan(fmt: str, **opts: Any) -> None:
    """Print the plan for the seven days from the Monday after --as-of (default today):
    runs on your usual days within the week's cap, strength days, and notes.

    PATHS are activity files (.fit/.gpx/.tcx, optionally .gz), folders, or export zips.
    """
    import json

    audit = audit_export(opts, data_lines=fmt != "table")
    week = audit.plan
    if fmt == "json":
        click.echo(json.dumps(week.to_dict(), indent=2, ensure_ascii=False))
    elif fmt == "ics":
        click.echo(week.to_ics().decode("utf-8"), nl=False)
    else:  # for people: what the data can say first
        click.echo("\n".join([*audit.data_lines(), *week.lines()]))
    exit_if_strict(opts, audit.ingest.counts()["skipped"])


@cli.command("log-pain")
@click.argument("score")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Day of the pain (default today).")
@click.option("--note", default="", help="A few words (what hurt, when).")
@click.option("--side", default="", help="left, right or both.")
@click.option(
    "--diary",
    type=click.Path(dir_okay=False),
    default="pain.csv",
    show_default=True,
    help="The diary to append to, created with its header if absent. The report reads"
    " pain.csv from the export folder, so run this there or pass --diary EXPORT/pain.csv.",
)
@handle_errors
def log_pain(score: str, day: str | None, note: str, side: str, diary: str) -> None:
    """Append one knee-pain SCORE (0 = none, 10 = worst) to the pain diary."""
    from runaudit.training.pain import append_entry

    line = append_entry(diary, score, day=day, side=side, note=note)
    click.echo(f"{diary}: {line}")


@cli.command()
@click.argument("rule", required=False, type=RuleChoice())
@handle_errors
def exercises(rule: str | None) -> None:
    """Print the exercise catalog, or the exercises for one RULE."""
    from runaudit.advice.exercises import format_catalog

    click.echo(format_catalog(rule))


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
@click.option(
    "--weeks",
    type=click.IntRange(min=0),
    default=26,
    show_default=True,
    help="Latest weeks the weekly charts show (0: all); the whole history is one compact"
    " chart below.",
)
@handle_errors
def report(
    out_dir: str,
    units: str,
    pdf: bool,
    roster: bool,
    title: str | None,
    weeks: int,
    **opts: Any,
) -> None:
    """Write the HTML report, its PNG figures, weekly.csv, activities.csv, ingest.csv
    and findings.json to --out (and report.pdf with --pdf), completely or not at all.

    PATHS are activity files (.fit/.gpx/.tcx, optionally .gz), folders, or export zips.
    """
    if roster:
        _report_roster(out_dir, units, pdf, opts, weeks or None)
        return
    from runaudit.report.overview import overview
    from runaudit.report.writer import write_report

    audit = audit_export(opts, units)
    name = title or Path(opts["paths"][0]).name or "runaudit report"
    files = write_report(audit, out_dir, title=name, units=units, pdf=pdf, weeks=weeks or None)
    for line in [*overview(audit).lines(units), f"Report: {files.index}"]:
        click.echo(line)
    if files.pdf is not None:
        click.echo(f"PDF: {files.pdf}")
    exit_if_strict(opts, audit.ingest.counts()["skipped"])


def _report_roster(
    out_dir: str, units: str, pdf: bool, opts: dict[str, Any], weeks: int | None
) -> None:
    from runaudit.cohort import load_roster, loose_activity_files
    from runaudit.report.roster_page import write_roster

    if len(opts["paths"]) != 1:
        raise click.UsageError("--roster takes exactly one folder of athletes.")
    if opts.get("pain"):
        raise click.UsageError(
            "--pain reads one athlete's diary; with --roster put a pain.csv in each"
            " athlete's folder."
        )
    folder = opts["paths"][0]
    thresholds = thresholds_from(opts)
    loose = loose_activity_files(folder)
    if loose:
        click.echo(
            f"warning: {folder} has {len(loose)} activity file(s) at its top level"
            f" (e.g. {loose[0]}); --roster reads one sub-folder or zip per athlete and"
            " ignores them. Leave out --roster for a single athlete's export.",
            err=True,
        )
    progress = _Progress(not opts.get("quiet"))
    try:
        roster = load_roster(
            folder,
            _reading(opts, progress),
            thresholds=thresholds,
            units=units,
            as_of=as_of_from(opts),
        )
    finally:
        progress.close()
    if not opts.get("quiet"):
        for name, audit in roster.audits.items():
            click.echo(f"== {name}", err=True)
            diary = audit.pain
            if diary is not None:
                for problem in diary.problems:
                    click.echo(f"warning: {diary.source}: {problem}", err=True)
            echo_ingest(audit.ingest, diary)
        for name, error in roster.errors.items():
            click.echo(f"== {name}\nwarning: {cli_message(error)}", err=True)
    page, rows = write_roster(roster, out_dir, units=units, pdf=pdf, weeks=weeks)
    for row in rows:
        if row.failed and row.name not in roster.errors:  # its report could not be written
            click.echo(f"== {row.name}\nwarning: {cli_message(row.error or '')}", err=True)
    for row in rows:
        click.echo(f"{row.name}: {row.status}")
    click.echo(f"Roster: {page}")
    exit_if_strict(opts, roster.skipped)


def _terminate(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


def main() -> None:
    """Entry point of the ``runaudit`` console script (SIGTERM ends a run as Ctrl-C does)."""
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="runaudit")
