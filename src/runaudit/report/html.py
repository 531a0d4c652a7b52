"""Render an :class:`~runaudit.audit.Audit` as one self-contained HTML page.

Images are embedded as base64 PNG, styles are inline, nothing is loaded from
the network: the page opens offline and can be mailed as a single file.
Pure function of its inputs (no file I/O).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd

from runaudit.advice.exercises import Exercise, load_catalog
from runaudit.advice.plan import finding_exercises
from runaudit.intake.account import DIFF_PCT, SERVICE_NAMES, MetadataAccount, format_pct
from runaudit.rules.findings import SEVERITIES, Finding, severity_counts
from runaudit.rules.messages import format_date, format_distance
from runaudit.units import km_to

if TYPE_CHECKING:
    from runaudit.audit import Audit

#: Sections of the report, in page order: (anchor, heading).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("load", "Weekly distance and load"),
    ("descent", "Descent and downhill running"),
    ("cadence", "Cadence"),
    ("long-runs", "Long runs"),
    ("plan", "Plan for the coming week"),
    ("findings", "Findings"),
    ("ingest", "What was read"),
    ("safety", "Red flags and advice"),
)
#: Figure shown in each chart section.
SECTION_FIGURES: dict[str, tuple[str, ...]] = {
    "load": ("weekly_distance",),
    "descent": ("descent",),
    "cadence": ("cadence", "cadence_distribution"),
    "long-runs": ("long_runs",),
}
FIGURE_ALT: dict[str, str] = {
    "weekly_distance": (
        "Weekly distance bars with the acute:chronic ratio lines (distance and running time),"
        " its 0.8–1.3 band and the diary's weekly knee pain"
    ),
    "descent": "Weekly descent in metres with downhill distance",
    "cadence": "Weekly running cadence with the 160 spm line and the 165–180 spm target band",
    "cadence_distribution": "Distribution of the cadence of each run",
    "long_runs": "Each run's distance with the longest run of the previous 30 days",
}
_SEVERITY_CLASS = {"info": "sev-info", "warning": "sev-warning", "alert": "sev-alert"}

_CSS = """
:root { --ink:#1d232b; --muted:#5b6573; --line:#d9dee5; --bg:#f6f7f9; --card:#fff;
  --info:#0072B2; --warning:#B36B00; --alert:#C0392B; --ok:#007A5E; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  color:var(--ink); background:var(--bg); }
main { max-width: 1060px; margin: 0 auto; padding: 24px 20px 60px; }
header.top { border-bottom: 1px solid var(--line); margin-bottom: 8px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 10px; padding-top: 8px;
  border-top: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 6px; }
.sub { color: var(--muted); margin: 0 0 16px; }
nav { font-size: .9rem; margin: 10px 0 0; }
nav a { margin-right: 14px; color: var(--info); text-decoration: none; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 14px; }
.tile .k { color: var(--muted); font-size: .85rem; }
.tile .v { font-size: 1.35rem; font-weight: 650; }
.tile .v.small { font-size: 1rem; line-height: 1.6; }
.status { background: var(--card); border-left: 6px solid var(--ok); border-radius: 6px;
  padding: 12px 16px; margin: 16px 0; }
.status.sev-warning { border-color: var(--warning); }
.status.sev-alert { border-color: var(--alert); }
.status.sev-info { border-color: var(--info); }
figure { margin: 10px 0 18px; background: var(--card); border: 1px solid var(--line);
  border-radius: 8px; padding: 8px; }
figure img { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .88rem; padding: 4px 6px 0; }
.finding { background: var(--card); border: 1px solid var(--line);
  border-left: 6px solid var(--info);
  border-radius: 8px; padding: 14px 16px; margin: 14px 0; }
.finding.sev-warning { border-left-color: var(--warning); }
.finding.sev-alert { border-left-color: var(--alert); }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; letter-spacing: .04em;
  text-transform: uppercase; padding: 1px 8px; border-radius: 10px; color: #fff;
  background: var(--info);
  margin-right: 8px; vertical-align: 2px; }
.badge.sev-warning { background: var(--warning); }
.badge.sev-alert { background: var(--alert); }
.evidence { font-size: .85rem; color: var(--muted); margin: 6px 0 10px; }
.evidence span { display: inline-block; margin-right: 14px; }
details.ex { border-top: 1px solid var(--line); padding: 8px 0 2px; }
details.ex summary { cursor: pointer; font-weight: 600; }
details.ex .dose { color: var(--ink); font-weight: 400; }
details.ex ol { margin: 6px 0 6px 22px; padding: 0; }
details.ex p { margin: 4px 0; font-size: .92rem; }
.src { color: var(--muted); font-size: .82rem; }
table { border-collapse: collapse; width: 100%; background: var(--card); font-size: .9rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: #eef1f5; }
.counts td.n { text-align: right; font-variant-numeric: tabular-nums; }
.notice { background: #fff8e6; border: 1px solid #f0d48a; border-radius: 8px;
  padding: 12px 16px; }
.redflags li { margin: 4px 0; }
td.differs { color: var(--warning); }
footer { color: var(--muted); font-size: .82rem; margin-top: 40px; }
@media print { body { background: #fff; } details.ex { display: block;
  } figure { break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _img(name: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    alt = FIGURE_ALT.get(name, name.replace("_", " "))
    return (
        f'<figure id="fig-{_e(name)}"><img alt="{_e(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(alt)}.</figcaption></figure>"
    )


#: Evidence keys that are bookkeeping, not numbers a person needs.
_HIDDEN_EVIDENCE = {"activity_id"}
_UNIT_SUFFIXES = {"_km": "km", "_m": "m", "_spm": "spm", "_days": "days", "_s": "s"}


def evidence_label(key: str, units: str = "km") -> tuple[str, str]:
    """A readable label and unit for an evidence key.

    >>> evidence_label("previous_longest_km", "mi"), evidence_label("distance_km")
    (('previous longest', 'mi'), ('distance', 'km'))
    >>> evidence_label("acwr")
    ('acwr', '')
    """
    for suffix, unit in _UNIT_SUFFIXES.items():
        if key.endswith(suffix):
            return key[: -len(suffix)].replace("_", " "), (units if unit == "km" else unit)
    return key.replace("_", " "), ""


def _triggers(value: Any) -> str | None:
    """``[{"dimension": ..., "ratio": ...}, ...]`` (the knee-pain triggers) as short text."""
    if not (
        isinstance(value, list)
        and value
        and all(isinstance(t, Mapping) and "dimension" in t and "ratio" in t for t in value)
    ):
        return None
    return ", ".join(
        f"{evidence_label(str(t['dimension']))[0]} {float(t['ratio']):.2f}×" for t in value
    )


def _evidence(evidence: Mapping[str, Any], units: str) -> str:
    """The evidence numbers of a finding as labelled spans; lists and tables other than
    the knee-pain triggers stay in ``findings.json``."""
    parts = []
    for key, value in evidence.items():
        if isinstance(value, bool) or value is None or key in _HIDDEN_EVIDENCE:
            continue
        if isinstance(value, list | tuple | dict):
            text = _triggers(value)
            if text is not None:
                parts.append(f"<span>{_e(key.replace('_', ' '))}: <b>{_e(text)}</b></span>")
            continue
        label, unit = evidence_label(key, units)
        if label in evidence and label != key:  # "shoe" beside "shoe_km": say which is which
            label = f"{label} {'distance' if unit in ('km', 'mi') else key.rsplit('_', 1)[-1]}"
        shown: Any = value
        if key.endswith("_km") and isinstance(value, int | float):
            shown = round(km_to(float(value), units), 1)
        elif isinstance(value, float):
            shown = round(value, 2)
        suffix = f" {unit}" if unit else ""
        parts.append(f"<span>{_e(label)}: <b>{_e(shown)}{_e(suffix)}</b></span>")
    return f'<div class="evidence">{"".join(parts)}</div>' if parts else ""


def exercise_card(ex: Exercise, *, open_: bool = False) -> str:
    """One exercise as a collapsible card: name, dose, steps, progression, regression, source."""
    steps = "".join(f"<li>{_e(s)}</li>" for s in ex.steps)
    return (
        f'<details class="ex"{" open" if open_ else ""}><summary>{_e(ex.name)} '
        f'<span class="dose">— {_e(ex.dose_text)}</span></summary>'
        f"<p>{_e(ex.targets)}</p><ol>{steps}</ol>"
        f"<p><b>Make it harder:</b> {_e(ex.progression)}</p>"
        f"<p><b>Make it easier:</b> {_e(ex.regression)}</p>"
        f'<p class="src">Source: {_e("; ".join(ex.sources))}</p></details>'
    )


def _finding_block(finding: Finding, units: str, in_plan: Sequence[str] = ()) -> str:
    """One finding with its numbers and a link to the plan; ``in_plan`` are its exercises
    that made it into the plan (:func:`runaudit.advice.plan.finding_exercises`)."""
    catalog = load_catalog()
    names = [catalog.exercises[i].name for i in in_plan if i in catalog.exercises]
    cards = (
        f'<p class="src">Exercises ({_e(", ".join(names))}): in the '
        '<a href="#plan">plan for the coming week</a>, each listed once.</p>'
        if names
        else ""
    )
    sev = _SEVERITY_CLASS.get(finding.severity, "sev-info")
    title = finding.rule.replace("_", " ")
    return (
        f'<article class="finding {sev}" id="finding-{_e(finding.rule)}-'
        f'{finding.week_start.isoformat()}" data-rule="{_e(finding.rule)}" '
        f'data-week="{finding.week_start.isoformat()}">'
        f'<h3><span class="badge {sev}">{_e(finding.severity)}</span>{_e(title)} · week of '
        f"{_e(format_date(finding.week_start))}</h3><p>{_e(finding.message)}</p>"
        f"{_evidence(finding.evidence, units)}{cards}</article>"
    )


_VERSION_TEXT = {
    "easier": "Make it easier (pain is above 5)",
    "standard": "Dose",
    "harder": "Make it harder (pain has stayed low for two weeks)",
}


def _plan(audit: Audit, units: str) -> str:
    """The week from the Monday after the audit's date, day by day, and its exercises."""
    plan = audit.plan
    if plan.data_ends is None:
        return "<p>No runs yet.</p>"
    cap = format_distance(plan.cap_km, units)
    longest = format_distance(plan.long_run_cap_km, units)
    parts = [
        f"<p><b>Week of {_e(format_date(plan.week_start))}.</b> Run at most <b>{_e(cap)}</b>,"
        f" the longest run at most <b>{_e(longest)}</b>: {_e(plan.cap_reason)}.</p>"
    ]
    if plan.pain is not None and plan.pain_date is not None:
        parts.append(
            f'<p data-pain="{plan.pain:g}">Latest knee pain: <b>{plan.pain:g}/10</b> on '
            f"{_e(format_date(plan.pain_date))}.</p>"
        )
    catalog = load_catalog()
    rows = []
    for day in plan.days:
        run = format_distance(day.run_km, units) if day.run_km else "–"
        names = ", ".join(catalog.exercises[i].name for i in day.strength)
        rows.append(
            f'<tr data-date="{day.date.isoformat()}"><td>{_e(format_date(day.date))}</td>'
            f"<td>{_e(run)}{' (long)' if day.long_run else ''}</td><td>{_e(names or '–')}</td>"
            f"<td>{_e('; '.join(day.notes))}</td></tr>"
        )
    parts.append(
        "<table><tr><th>day</th><th>run</th><th>strength</th><th>notes</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    parts += [f"<p>{_e(n)}</p>" for n in plan.notes]
    if plan.findings:
        links = ", ".join(
            f'<a href="#finding-{_e(f.rule)}-{f.week_start.isoformat()}">'
            f"{_e(f.rule.replace('_', ' '))} ({_e(format_date(f.week_start))})</a>"
            for f in plan.findings
        )
        parts.append(f"<p>Answers the open findings: {links}.</p>")
    items = []
    for item in plan.exercises:
        ex = item.exercise
        rules = ", ".join(r.replace("_", " ") for r in item.rules)
        steps = "".join(f"<li>{_e(x)}</li>" for x in ex.steps)
        items.append(
            f'<details class="ex" data-exercise="{_e(ex.id)}"><summary>{_e(ex.name)} '
            f'<span class="dose">— for {_e(rules)}, {item.days_per_week}× this week</span>'
            f"</summary><p><b>{_e(_VERSION_TEXT[item.version])}:</b> {_e(item.how)}</p>"
            f"<p>{_e(ex.targets)}</p><ol>{steps}</ol>"
            + (f"<p><b>Dose:</b> {_e(ex.dose_text)}</p>" if item.version != "standard" else "")
            + f'<p class="src">Source: {_e("; ".join(ex.sources))}</p></details>'
        )
    parts.append("<h3>Exercises</h3>" + "".join(items))
    return "".join(parts)


def _period(weekly: pd.DataFrame) -> tuple[date | None, date | None]:
    if weekly.empty:
        return None, None
    first = weekly["week_start"].min().date()
    last = (weekly["week_start"].max() + pd.Timedelta(days=6)).date()
    return first, last


def _status(audit: Audit, units: str) -> str:
    weekly = audit.weekly
    if weekly.empty:
        return '<div class="status">No runs yet.</div>'
    last = weekly.iloc[-1]
    week = last["week_start"].date()
    current = [f for f in audit.findings if f.week_start == week]
    worst = max((f.severity for f in current), key=SEVERITIES.index, default=None)
    cls = _SEVERITY_CLASS.get(worst or "", "")
    acwr = last["acwr"]
    n = audit.thresholds.chronic_weeks
    ratio = (
        f"{acwr:.2f}× your previous {n}-week average"
        if pd.notna(acwr)
        else f"no running in the {n} weeks before to compare with"
    )
    cadence = (
        f"cadence {last['cadence_spm']:.0f} spm"
        if pd.notna(last["cadence_spm"])
        else "no cadence data"
    )
    runs = int(last["runs"])
    verdict = (
        f"{len(current)} finding{'s' if len(current) != 1 else ''} that week (worst: {worst})."
        if current
        else "Nothing flagged that week."
    )
    return (
        f'<div class="status {cls}"><b>Latest week in the data ({_e(format_date(week))}):</b> '
        f"{_e(format_distance(float(last['distance_km']), units))} in {runs} "
        f"run{'s' if runs != 1 else ''}, {_e(ratio)}, {_e(cadence)}. {_e(verdict)}</div>"
    )


def _summary(audit: Audit, units: str) -> str:
    first, last = _period(audit.weekly)
    counts = severity_counts(audit.findings)
    acts = audit.activities
    total = float(acts["distance_km"].sum()) if not acts.empty else 0.0
    tiles = [
        ("Period", f"{format_date(first)} – {format_date(last)}" if first and last else "–"),
        ("Weeks", str(len(audit.weekly))),
        ("Runs", str(len(acts))),
        ("Total distance", format_distance(total, units)),
        (
            "Findings",
            f"{counts['alert']} alert · {counts['warning']} warning · {counts['info']} info",
        ),
    ]
    html = "".join(
        f'<div class="tile"><div class="k">{_e(k)}</div>'
        f'<div class="v{" small" if len(v) > 16 else ""}">{_e(v)}</div></div>'
        for k, v in tiles
    )
    data = "".join(f'<p class="data-age">{_e(line)}</p>' for line in audit.data_lines())
    return f'<div class="tiles">{html}</div>{data}{_status(audit, units)}'


def _ingest(audit: Audit, units: str = "km") -> str:
    result = audit.ingest
    counts = result.counts()
    labels = {
        "run": "runs kept",
        "duplicate": "duplicates (counted once)",
        "other_sport": "other sports",
        "not_activity": "not activities (monitoring, settings…)",
        "skipped": "skipped",
    }
    rows = "".join(
        f'<tr><td>{_e(labels[b])}</td><td class="n">{counts[b]}</td></tr>' for b in labels
    )
    total = sum(counts.values())
    out = [
        f"<p>{total} file{'s' if total != 1 else ''} looked at; every one is in exactly"
        " one bucket below."
        + (
            f" {result.ignored} other file{'s' if result.ignored != 1 else ''} (JSON, CSV,"
            " photos…) passed over."
            if result.ignored
            else ""
        )
        + "</p>",
        f'<table class="counts"><tr><th>bucket</th><th>files</th></tr>{rows}</table>',
    ]
    listed = [e for e in result.ledger if e.bucket in ("skipped", "duplicate", "other_sport")]
    if listed:
        body = "".join(
            f"<tr><td>{_e(e.bucket.replace('_', ' '))}</td><td>{_e(e.source)}</td>"
            f"<td>{_e(e.reason)}</td></tr>"
            for e in listed
        )
        out.append(
            "<h3 style='margin-top:16px'>Files not counted as runs</h3>"
            f"<table><tr><th>bucket</th><th>file</th><th>reason</th></tr>{body}</table>"
        )
    if result.tz_note:
        out.append(f"<p class='src'>{_e(result.tz_note)}</p>")
    out.append(_service_records(audit, units))
    return "".join(out)


def _service_records(audit: Audit, units: str = "km") -> str:
    """The services' own records (activities.csv, Garmin summaries), their weekly totals
    beside runaudit's, and the shoes table. Every text from the export is escaped."""
    account = audit.ingest.metadata
    out = []
    if account.files:
        items = [account.summary_line(), *account.problems, *account.notes]
        out.append(
            "<h3 style='margin-top:16px'>The services' own records</h3><ul>"
            + "".join(f"<li>{_e(line)}</li>" for line in items)
            + "</ul>"
        )
    out.append(_service_weeks(account, units))
    shoes = audit.shoes
    if not shoes.empty:
        body = "".join(
            f"<tr><td>{_e(r['shoe'])}</td><td>{_e(r['first_run'])}</td>"
            f"<td>{_e(r['last_run'])}</td><td class='n'>{_e(r['runs'])}</td>"
            f"<td class='n'>{km_to(float(r['distance_km']), units):.1f}</td></tr>"
            for r in shoes.to_dict("records")
        )
        out.append(
            "<h3 style='margin-top:16px'>Shoes</h3><table class='counts' id='shoes'><tr>"
            "<th>shoe</th><th>first run</th><th>last run</th><th>runs</th>"
            f"<th>{_e(units)}</th></tr>{body}</table>"
        )
    return "".join(out)


def _service_weeks(account: MetadataAccount, units: str) -> str:
    """Each week's total as Strava / Garmin Connect reported it beside runaudit's; weeks
    more than :data:`~runaudit.intake.account.DIFF_PCT` apart are named and marked."""
    weeks = account.weeks_side_by_side()
    if weeks.empty:
        return ""
    services = [s for s in SERVICE_NAMES if f"{s}_km" in weeks.columns]

    def km(value: float) -> str:
        return f"{km_to(float(value), units):.1f}" if pd.notna(value) else "–"

    head = "".join(
        f"<th>{_e(SERVICE_NAMES[s])} ({_e(units)})</th><th>difference</th>" for s in services
    )
    rows = []
    named = []
    for r in weeks.to_dict("records"):
        week = format_date(r["week_start"].date())
        cells = []
        for s in services:
            pct = r[f"{s}_diff_pct"]
            differs = s in r["differs"]
            text = format_pct(float(pct))
            mark = " class='n differs'" if differs else " class='n'"
            cells.append(
                f"<td class='n'>{km(r[f'{s}_km'])}</td><td{mark}>"
                + (f"<b>{_e(text)}</b>" if differs else _e(text))
                + "</td>"
            )
            if differs:
                named.append(f"week of {week} ({SERVICE_NAMES[s]} {text})")
        rows.append(
            f"<tr data-week='{r['week_start']:%Y-%m-%d}'><td>{_e(week)}</td>"
            f"<td class='n'>{km(r['runaudit_km'])}</td>{''.join(cells)}</tr>"
        )
    verdict = (
        f"Weeks more than {DIFF_PCT:g} % apart: {'; '.join(named)}. A run the service does"
        " not list (a manual entry, a summary-only run) or a file it does not have explains"
        " most differences."
        if named
        else f"Every week is within {DIFF_PCT:g} % of the services' own totals."
    )
    return (
        "<h3 style='margin-top:16px'>Each week as the services reported it</h3>"
        f"<p>{_e(verdict)}</p><p class='src'>difference: runaudit's total against the"
        " service's, in % of the service's.</p>"
        "<table class='counts' id='service-weeks'><tr><th>week of</th>"
        f"<th>runaudit ({_e(units)})</th>{head}</tr>{''.join(rows)}</table>"
    )


def _safety() -> str:
    catalog = load_catalog()
    flags = "".join(
        f"<li><b>{_e(flag.sign)}</b> — {_e(flag.action)}</li>" for flag in catalog.red_flags
    )
    advice = "".join(
        f"<li><b>{_e(item.title)}.</b> {_e(item.text)} "
        f'<span class="src">({_e("; ".join(item.sources))})</span></li>'
        for item in catalog.advice
    )
    return (
        f'<div class="notice"><b>Not medical advice.</b> {_e(catalog.disclaimer)}</div>'
        f"<h3 style='margin-top:16px'>See a clinician if</h3><ul class='redflags'>{flags}</ul>"
        f"<h3>Load management</h3><ul>{advice}</ul>"
        "<h3>Hip and trunk strength, for any runner with knee pain</h3>"
        "<p>In the <a href='#plan'>plan for the coming week</a> (rule: hip control).</p>"
        + "<h3>Sources</h3><ul>"
        + "".join(f"<li>{_e(s.title)}</li>" for s in catalog.sources)
        + "</ul>"
    )


def render_html(
    audit: Audit,
    images: Mapping[str, bytes],
    *,
    title: str = "runaudit report",
    units: str = "km",
    generated: str = "",
) -> str:
    """Return the report page as one HTML string.

    Parameters
    ----------
    audit : Audit
    images : mapping of str to bytes
        PNG bytes by figure name (see :data:`SECTION_FIGURES`).
    title : str
        Page heading (usually the athlete or export name).
    units : {"km", "mi"}
        Distance unit of everything a person reads.
    generated : str
        Text for the footer (e.g. the generation date).
    """
    findings: Sequence[Finding] = sorted(
        audit.findings, key=lambda f: (f.week_start, f.severity_rank), reverse=True
    )
    body: dict[str, str] = {"summary": _summary(audit, units)}
    for section, names in SECTION_FIGURES.items():
        body[section] = "".join(_img(n, images[n]) for n in names if n in images) or (
            "<p>No data for this chart.</p>"
        )
    in_plan = finding_exercises(audit.plan, findings)
    blocks = [_finding_block(f, units, in_plan[f]) for f in findings]
    body["plan"] = _plan(audit, units)
    body["findings"] = (
        "".join(blocks)
        if findings
        else "<p>Nothing in this history matches a risk pattern. Keep building gradually.</p>"
    )
    body["ingest"] = _ingest(audit, units)
    body["safety"] = _safety()
    nav = "".join(f'<a href="#{a}">{_e(h)}</a>' for a, h in SECTIONS)
    sections = "".join(
        f'<section id="{a}"><h2>{_e(h)}</h2>{body[a]}</section>' for a, h in SECTIONS
    )
    first, last = _period(audit.weekly)
    period = f"{format_date(first)} – {format_date(last)}" if first and last else ""
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<header class='top'><h1>{_e(title)}</h1>"
        "<p class='sub'>Training audit for runner's knee risk"
        f"{' · ' + _e(period) if period else ''} · distances in {_e(units)}</p>"
        f"<nav>{nav}</nav></header>"
        f"{sections}<footer>Made by runaudit {_e(generated)}. Not medical advice.</footer>"
        "</main></body></html>\n"
    )
