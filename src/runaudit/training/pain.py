"""The knee-pain diary: read it, check it, and give each week its pain.

A diary is a CSV with a ``date`` column (ISO ``YYYY-MM-DD``) and a ``pain``
column (a score from 0, no pain, to 10, the worst imaginable), optionally
``time`` (``HH:MM``), ``side`` and ``note``; a day may have any number of
entries. The parse is a pure function over text (:func:`parse_diary`) or a
DataFrame (:func:`diary_from_frame`); :func:`read_diary` is the thin file
reader around it. Every row passes one validation step (:func:`check_row`): the
date must be ISO (``2026-03-02``; ``02/03/2026`` is refused, never guessed as
day or month first) and within the years the activity files accept (1980 to
2099, :data:`runaudit.reading.parsers.track.EARLIEST_S`/``LATEST_S``), the
score a finite number from 0 to 10. A row that fails is left out and named in
one line with its line number.

An entry far from every run (a typo'd year: ``2099-01-05`` in a 2026 diary) is
valid but outlying: :func:`within_weeks` leaves out the entries more than
``Thresholds.pain_gap_weeks`` weeks before the first or after the last week
with a run, and names each, so the weekly table and the plan's week stay with
the runs.

Examples
--------
>>> diary = parse_diary("date,pain\\n2026-03-02,3\\n2026-03-02,6\\n2026-03-04,x\\n")
>>> diary.entries["pain"].tolist(), diary.problems
([3.0, 6.0], ("line 4: pain 'x' is not a number from 0 to 10; row skipped.",))
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
import re
import stat
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from runaudit.errors import InputError
from runaudit.reading.parsers.track import EARLIEST_S, LATEST_S

__all__ = [
    "DIARY_FILE",
    "PAIN_COLUMNS",
    "PainDiary",
    "append_entry",
    "check_row",
    "diary_from_frame",
    "find_diary",
    "latest_pain",
    "parse_diary",
    "read_diary",
    "weekly_pain",
    "with_weekly_pain",
    "within_weeks",
]

#: File name picked up by itself from an export folder or an athlete's roster folder.
DIARY_FILE = "pain.csv"
#: Weekly columns added from the diary.
PAIN_COLUMNS: tuple[str, ...] = ("pain_max", "pain_mean")
#: Columns of :attr:`PainDiary.entries`.
ENTRY_COLUMNS: tuple[str, ...] = ("date", "time", "pain", "side", "note", "line")
#: Largest diary read [bytes]; a year of ten entries a day is well under 1 MB.
MAX_DIARY_BYTES = 16 * 2**20
#: The years a diary date may fall in: the bounds the activity files use.
FIRST_YEAR = datetime.fromtimestamp(EARLIEST_S, UTC).year  # 1980
LAST_YEAR = datetime.fromtimestamp(LATEST_S, UTC).year - 1  # 2099
#: An ISO date, optionally followed by an ISO time (``2026-03-02``, ``2026-03-02T07:30``).
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", re.ASCII)


@dataclass(frozen=True)
class PainDiary:
    """The kept entries of a pain diary and what was wrong with the rest.

    Attributes
    ----------
    entries : pandas.DataFrame
        Columns :data:`ENTRY_COLUMNS`: ``date`` (datetime64, midnight), ``time``
        (str, may be empty), ``pain`` [score 0–10, float], ``side``, ``note``
        (str), ``line`` (line number in the file; row number + 1 for frames).
        Sorted by date and time.
    problems : tuple of str
        One line per skipped row, naming its line number.
    source : str
        The file (or ``"<DataFrame>"``).
    """

    entries: pd.DataFrame
    problems: tuple[str, ...] = ()
    source: str = "<DataFrame>"

    @property
    def ledger_reason(self) -> str:
        """The line the ledger shows for the diary."""
        n = len(self.entries)
        text = f"pain diary, {n} entr{'y' if n == 1 else 'ies'}"
        if self.problems:
            text += (
                f" ({len(self.problems)} bad row{'s' if len(self.problems) != 1 else ''} skipped)"
            )
        return text


def _empty_entries() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.Series(dtype="datetime64[ns]"),
            "time": pd.Series(dtype="object"),
            "pain": pd.Series(dtype="float64"),
            "side": pd.Series(dtype="object"),
            "note": pd.Series(dtype="object"),
            "line": pd.Series(dtype="int64"),
        }
    )


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def check_row(date_text: str, pain_text: str) -> tuple[date, float] | str:
    """The validation step every diary row passes.

    Parameters
    ----------
    date_text : str
        ``YYYY-MM-DD``, optionally followed by ``T`` or a space and a time (ignored).
    pain_text : str
        A score [0–10]; a decimal comma is accepted.

    Returns
    -------
    (datetime.date, float) or str
        The day and the score, or why the row is refused (one phrase naming the value).

    Examples
    --------
    >>> check_row("2026-03-02", "4,5")
    (datetime.date(2026, 3, 2), 4.5)
    >>> check_row("02/03/2026", "4")
    "date '02/03/2026' is not an ISO date (YYYY-MM-DD)"
    >>> check_row("2026-03-02", "inf")
    "pain 'inf' is not a number from 0 to 10"
    """
    shown = date_text if len(date_text) <= 40 else date_text[:40] + "…"
    match = _ISO_DATE.fullmatch(date_text)
    if match is None:
        return f"date {shown!r} is not an ISO date (YYYY-MM-DD)"
    year, month, day_of_month = (int(g) for g in match.groups())
    try:
        day = date(year, month, day_of_month)
    except ValueError:
        return f"date {shown!r} is not a day of the calendar"
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return f"date {shown!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}"
    try:
        pain = float(pain_text.replace(",", "."))
    except ValueError:
        pain = math.nan
    if not (0.0 <= pain <= 10.0):  # also NaN; inf is above 10
        score = pain_text if len(pain_text) <= 40 else pain_text[:40] + "…"
        return f"pain {score!r} is not a number from 0 to 10"
    return day, pain


def _rows_to_diary(
    rows: list[tuple[int, dict[str, object]]], columns: list[str], source: str
) -> PainDiary:
    names = {c.strip().lower(): c for c in columns}
    missing = [c for c in ("date", "pain") if c not in names]
    if missing:
        # The header's own text is not echoed: the file may not be a diary at all.
        raise InputError(
            f"{source}: a pain diary needs the column(s) {', '.join(missing)} in its"
            f" first line, which has {len(columns)} column(s) and no {missing[0]!r}."
        )
    problems: list[str] = []
    kept: list[dict[str, object]] = []
    for line, row in rows:
        date_text = _cell(row.get(names["date"]))
        pain_text = _cell(row.get(names["pain"]))
        if not date_text and not pain_text:
            continue  # a blank line
        checked = check_row(date_text, pain_text)
        if isinstance(checked, str):
            problems.append(f"line {line}: {checked}; row skipped.")
            continue
        day, pain = checked
        kept.append(
            {
                "date": pd.Timestamp(day),
                "time": _cell(row.get(names["time"])) if "time" in names else "",
                "pain": pain,
                "side": _cell(row.get(names["side"])) if "side" in names else "",
                "note": _cell(row.get(names["note"])) if "note" in names else "",
                "line": line,
            }
        )
    if kept:
        entries = pd.DataFrame(kept, columns=list(ENTRY_COLUMNS))
        entries["date"] = pd.to_datetime(entries["date"]).astype("datetime64[ns]")
        entries = entries.sort_values(["date", "time", "line"], kind="stable").reset_index(
            drop=True
        )
    else:
        entries = _empty_entries()
    return PainDiary(entries, tuple(problems), source)


def parse_diary(text: str, source: str = "<text>") -> PainDiary:
    """Parse a pain diary's CSV text (pure).

    Parameters
    ----------
    text : str
        CSV with a header row naming ``date`` and ``pain`` (any case), optionally
        ``time``, ``side``, ``note``. A leading byte-order mark is ignored.
    source : str
        Name used in messages.

    Returns
    -------
    PainDiary

    Raises
    ------
    InputError
        When the header lacks ``date`` or ``pain``.
    """
    # newline="": a lone carriage return ends a line, as the csv module expects
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows: list[tuple[int, dict[str, object]]] = []
    try:
        columns = list(reader.fieldnames or [])
        for row in reader:
            rows.append((reader.line_num, dict(row)))
    except csv.Error as err:
        raise InputError(f"{source}: not a readable CSV ({err}).") from err
    return _rows_to_diary(rows, columns, source)


def diary_from_frame(frame: pd.DataFrame, source: str = "<DataFrame>") -> PainDiary:
    """A diary from a DataFrame with ``date`` and ``pain`` columns (row *i* is line *i* + 2)."""
    columns = [str(c) for c in frame.columns]
    rows = [
        (i + 2, {str(k): v for k, v in rec.items()})
        for i, rec in enumerate(frame.to_dict("records"))
    ]
    return _rows_to_diary(rows, columns, source)


def read_diary(path: str | os.PathLike[str]) -> PainDiary:
    """Read a pain diary file.

    Raises
    ------
    InputError
        When the file does not exist, cannot be read, is too large, is not
        UTF-8 text, or lacks the ``date``/``pain`` columns.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise IsADirectoryError
        if not stat.S_ISREG(p.stat().st_mode):  # a FIFO or device would block or never end
            raise InputError(f"{p}: is not a regular file, so not a pain diary CSV.")
        with open(p, "rb") as handle:
            data = handle.read(MAX_DIARY_BYTES + 1)
    except FileNotFoundError as err:
        raise InputError(f"{p}: no such pain diary file.") from err
    except IsADirectoryError as err:
        raise InputError(f"{p}: is a folder, not a pain diary CSV.") from err
    except OSError as err:
        raise InputError(f"{p}: cannot read the pain diary ({err.strerror}).") from err
    if len(data) > MAX_DIARY_BYTES:
        raise InputError(
            f"{p}: the pain diary is larger than the {MAX_DIARY_BYTES // 2**20} MB a diary may be."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{p}: the pain diary is not UTF-8 text.") from err
    return parse_diary(text, str(p))


#: Header of a diary :func:`append_entry` creates.
NEW_DIARY_COLUMNS: tuple[str, ...] = ("date", "pain", "side", "note")
_DAY_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def append_entry(
    path: str | os.PathLike[str],
    score: str | float,
    *,
    day: str | date | None = None,
    side: str = "",
    note: str = "",
) -> str:
    """Append one validated entry to the diary at ``path`` (created with a header if absent).

    The row goes through the same checks as a diary being read; a date must be
    ISO ``YYYY-MM-DD`` (default today). The new row follows the file's own header.

    Returns
    -------
    str
        The row as written (without the newline).

    Raises
    ------
    InputError
        For a score outside 0–10 or not a number, a date that is not
        ``YYYY-MM-DD``, or a file that is not a readable diary.
    """
    p = Path(path)
    day_text = day.isoformat() if isinstance(day, date) else (day or date.today().isoformat())
    if not _DAY_ONLY.match(day_text.strip()):
        raise InputError(f"{p}: date {day_text!r} is not a YYYY-MM-DD date.")
    row: dict[str, object] = {
        "date": day_text.strip(),
        "pain": str(score).strip(),
        "side": side,
        "note": note,
    }
    columns = list(NEW_DIARY_COLUMNS)
    existing = ""
    if p.exists():
        read_diary(p)  # raises InputError unless it is a readable diary
        existing = p.read_text(encoding="utf-8")
        columns = next(csv.reader(io.StringIO(existing.lstrip("\ufeff"))), columns) or columns
    checked = _rows_to_diary([(1, row)], columns, str(p))
    if checked.problems:
        problem = checked.problems[0].split(": ", 1)[1].replace("; row skipped.", ".")
        raise InputError(f"{p}: {problem}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not existing:
        writer.writerow(columns)
    values = [row.get(c.strip().lower(), "") for c in columns]
    writer.writerow(values)
    text = out.getvalue()
    if existing and not existing.endswith("\n"):
        text = "\n" + text
    try:
        with p.open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as err:
        raise InputError(f"{p}: cannot write the pain diary ({err.strerror}).") from err
    return text.strip().splitlines()[-1]


def find_diary(
    paths: list[str | os.PathLike[str]], *, follow_symlinks: bool = False
) -> Path | None:
    """The ``pain.csv`` in the first folder of ``paths`` that has one, else None.

    A ``pain.csv`` that is a symbolic link leading out of its folder is not
    taken unless ``follow_symlinks`` (discovery names it as a refused link).
    """
    for path in paths:
        folder = Path(path)
        candidate = folder / DIARY_FILE
        if not (folder.is_dir() and candidate.is_file()):
            continue
        if candidate.is_symlink() and not follow_symlinks:
            top = folder.resolve()
            if top not in candidate.resolve().parents:
                continue
        return candidate
    return None


def weekly_pain(entries: pd.DataFrame) -> pd.DataFrame:
    """Highest and mean score of each Monday-start week with an entry.

    Parameters
    ----------
    entries : pandas.DataFrame
        ``date`` and ``pain`` columns (as :attr:`PainDiary.entries`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``week_start`` (Monday), float columns ``pain_max`` and
        ``pain_mean`` [score 0–10]; only weeks with at least one entry.
    """
    if entries.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="float64") for c in PAIN_COLUMNS},
            index=pd.DatetimeIndex([], name="week_start"),
        )
    day = pd.to_datetime(entries["date"]).dt.normalize()
    week = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    grouped = entries["pain"].astype(float).groupby(week.rename("week_start"))
    return pd.DataFrame({"pain_max": grouped.max(), "pain_mean": grouped.mean()})


def with_weekly_pain(weekly: pd.DataFrame, entries: pd.DataFrame | None) -> pd.DataFrame:
    """The weekly table with ``pain_max`` and ``pain_mean`` appended (NaN without entries).

    Entries before the table's first week are not added as rows;
    :func:`runaudit.audit.audit_ingest` extends the table through the diary's last
    week, so pain after the runner stopped running still has its weeks.
    """
    out = weekly.copy()
    if entries is None or entries.empty or weekly.empty:
        for col in PAIN_COLUMNS:
            out[col] = pd.Series(float("nan"), index=out.index, dtype="float64")
        return out
    pain = weekly_pain(entries)
    starts = pd.DatetimeIndex(pd.to_datetime(out["week_start"]))
    for col in PAIN_COLUMNS:
        out[col] = pain[col].reindex(starts).to_numpy(dtype="float64")
    return out


def latest_pain(entries: pd.DataFrame | None) -> tuple[pd.Timestamp, float] | None:
    """Date and score of the most recent diary entry (the last of that day), or None."""
    if entries is None or entries.empty:
        return None
    last = entries.iloc[-1]
    return pd.Timestamp(last["date"]), float(last["pain"])


def within_weeks(diary: PainDiary, weeks: pd.Series, gap_weeks: int) -> PainDiary:
    """The diary without the entries far from every run, each of them named.

    Parameters
    ----------
    diary : PainDiary
    weeks : pandas.Series
        The ``week_start`` [Monday, local] of the runs that count.
    gap_weeks : int
        Entries more than this many weeks before the first or after the last
        week with a run are left out [weeks] (``Thresholds.pain_gap_weeks``).

    Returns
    -------
    PainDiary
        ``diary`` itself when nothing is left out (or there is no run), else a
        copy whose ``problems`` name each outlying entry by its line.
    """
    entries = diary.entries
    starts = pd.to_datetime(weeks).dropna()
    if entries.empty or starts.empty:
        return diary
    first = starts.min() - pd.Timedelta(weeks=gap_weeks)
    last = starts.max() + pd.Timedelta(weeks=gap_weeks + 1)  # to the end of that week
    day = pd.to_datetime(entries["date"])
    inside = (day >= first) & (day < last)
    if inside.all():
        return diary
    problems = [
        f"line {line}: {when:%Y-%m-%d} is more than {gap_weeks} weeks from every run"
        f" ({starts.min():%Y-%m-%d} to {starts.max() + pd.Timedelta(days=6):%Y-%m-%d});"
        " entry not counted."
        for line, when in zip(entries.loc[~inside, "line"], day[~inside], strict=True)
    ]
    kept = entries[inside].reset_index(drop=True)
    return dataclasses.replace(diary, entries=kept, problems=(*diary.problems, *problems))
