"""Render the report's view model as a PDF (reportlab's platypus).

The same :class:`~runaudit.report.view.ReportView` as the HTML page, laid out for
paper: the first page is the plan for the coming week with each exercise's dose,
the data-freshness line and the top findings; then the charts, every finding,
what was read and the red flags. Texts from an export are escaped for
reportlab's paragraph markup, so a shoe named ``<b>x</b> & $5$`` prints as
written. The fonts are the DejaVu faces matplotlib ships (wide Unicode cover).
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from runaudit.report.view import SECTIONS, FindingCard, PlanView, ReportView
from runaudit.report.view import Table as TableView

__all__ = ["pdf_bytes", "pdf_story", "write_pdf"]

_SEVERITY_COLORS = {"info": "#0072B2", "warning": "#B36B00", "alert": "#C0392B"}
_MUTED = colors.HexColor("#5b6573")
_LINE = colors.HexColor("#d9dee5")
_WIDTH = A4[0] - 3.6 * cm  # text width between the margins [pt]


@functools.cache
def _fonts() -> tuple[str, str]:
    """Register DejaVu Sans (all four faces) from matplotlib's data; return the regular
    and bold names."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique")
    for face in faces:
        pdfmetrics.registerFont(TTFont(face, str(folder / f"{face}.ttf")))
    pdfmetrics.registerFontFamily(
        "DejaVuSans", normal=faces[0], bold=faces[1], italic=faces[2], boldItalic=faces[3]
    )
    return "DejaVuSans", "DejaVuSans-Bold"


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["BodyText"], fontName=regular, fontSize=9.5, leading=12.5, spaceAfter=4
    )
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName=bold, fontSize=18, leading=22, spaceAfter=2
        ),
        "sub": ParagraphStyle("sub", parent=body, textColor=_MUTED, fontSize=9),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=bold,
            fontSize=14,
            leading=18,
            spaceBefore=6,
            spaceAfter=6,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=bold,
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "body": body,
        "box": ParagraphStyle(
            "box",
            parent=body,
            backColor=colors.HexColor("#fff8e6"),
            borderColor=colors.HexColor("#f0d48a"),
            borderWidth=0.6,
            borderPadding=5,
            spaceBefore=4,
            spaceAfter=10,
        ),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "caption": ParagraphStyle(
            "caption", parent=body, fontSize=8, leading=10, textColor=_MUTED, spaceAfter=10
        ),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=10, bulletIndent=0),
    }


def _p(text: str, style: str = "body", *, bold: str = "") -> Paragraph:
    """A paragraph of literal text (escaped), optionally led by a bold ``bold``."""
    lead = f"<b>{escape(bold)}</b> " if bold else ""
    return Paragraph(lead + escape(text), _styles()[style])


def _table(view: TableView, widths: Sequence[float] | None = None) -> Table:
    """A table of literal text with a grey header; marked cells bold and flagged."""
    small = _styles()["small"]
    head = [Paragraph(f"<b>{escape(h)}</b>", small) for h in view.head]
    rows: list[list[Any]] = [head]
    for r, row in enumerate(view.rows):
        cells = []
        for c, cell in enumerate(row):
            text = escape(cell)
            if (r, c) in view.marked:
                text = f"<b>{text} DIFFERS</b>"
            cells.append(Paragraph(text, small))
        rows.append(cells)
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, _LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _finding(card: FindingCard, *, evidence: bool = True) -> Flowable:
    colour = _SEVERITY_COLORS.get(card.severity, "#0072B2")
    parts: list[Flowable] = [
        Paragraph(
            f'<font color="{colour}"><b>{escape(card.severity.upper())}</b></font> '
            f"<b>{escape(card.title)}</b> · week of {escape(card.week_label)}",
            _styles()["body"],
        ),
        _p(card.message),
    ]
    if evidence and card.evidence:
        parts.append(_p(" · ".join(f"{i.label}: {i.value}" for i in card.evidence), "small"))
    if evidence and card.strength:
        refs = f" ({'; '.join(card.references)})" if card.references else ""
        parts.append(
            _p(
                f"What the threshold rests on ({card.strength}): {card.strength_summary}{refs}",
                "small",
            )
        )
    if evidence and card.exercises:
        parts.append(_p(f"Exercises for it in the plan: {', '.join(card.exercises)}.", "small"))
    parts.append(Spacer(1, 6))
    return KeepTogether(parts)


def _plan(plan: PlanView) -> list[Flowable]:
    """The plan's text and its day-by-day table (the exercises are :func:`_exercises`)."""
    out: list[Flowable] = [_p(plan.cap, bold=f"{plan.heading}.")]
    for line in (plan.pain, plan.scale_back):
        if line:
            out.append(_p(line))
    if plan.days:
        out.append(
            _table(
                TableView(
                    ("day", "run", "strength", "notes"),
                    tuple(
                        (d.date, d.run or "rest", ", ".join(d.strength), d.notes) for d in plan.days
                    ),
                ),
                [0.18 * _WIDTH, 0.12 * _WIDTH, 0.4 * _WIDTH, 0.3 * _WIDTH],
            )
        )
    out += [_p(note, "small") for note in plan.notes]
    return out


def _exercises(plan: PlanView) -> list[Flowable]:
    """The plan's exercises with their doses; the easier or harder version's text too
    when the plan asks for it (while pain is high the dose stays on the page)."""
    if not plan.exercises:
        return []
    versions = any(ex.version_label for ex in plan.exercises)
    head: tuple[str, ...] = ("exercise", "dose", "for")
    widths = [0.36 * _WIDTH, 0.34 * _WIDTH, 0.3 * _WIDTH]
    if versions:
        head += ("this week",)
        widths = [0.24 * _WIDTH, 0.22 * _WIDTH, 0.18 * _WIDTH, 0.36 * _WIDTH]
    rows = tuple(
        (ex.name, ex.short_dose, ex.rules)
        + ((f"{ex.version_label}: {ex.how}" if ex.version_label else "",) if versions else ())
        for ex in plan.exercises
    )
    return [_p("Exercises", "h2"), _table(TableView(head, rows), widths)]


def _chart(png: bytes, caption: str) -> list[Flowable]:
    """A chart scaled to the text width, and its caption."""
    image = Image(io.BytesIO(png))
    scale = _WIDTH / image.imageWidth
    image.drawWidth, image.drawHeight = _WIDTH, image.imageHeight * scale
    return [image, _p(caption, "caption")]


def pdf_story(view: ReportView, images: Mapping[str, bytes]) -> list[Flowable]:
    """The PDF's flowables: the first page (freshness, the week and its exercises with
    their doses, then the top findings), then each
    section of :data:`~runaudit.report.view.SECTIONS` but the summary and the plan."""
    story: list[Flowable] = [
        _p(view.title, "title"),
        _p(view.subtitle, "sub"),
        _p(view.freshness, "box"),
        _p("Plan for the coming week", "h1"),
        *_plan(view.plan),
    ]
    story += _exercises(view.plan)  # the week and its doses fill the first page
    if view.top_findings:
        story.append(_p(view.top_heading, "h2"))
        story += [_finding(card, evidence=False) for card in view.top_findings]
    headings = dict(SECTIONS)
    story.append(PageBreak())
    for anchor, charts in view.charts.items():
        lead: list[Flowable] = [_p(headings.get(anchor, anchor), "h1")]
        for chart in charts:
            if chart.no_data:
                block = [_p(chart.no_data)]
            elif chart.name in images:
                block = _chart(images[chart.name], chart.caption)
            else:
                continue
            story.append(KeepTogether(lead + block))  # the heading stays with its first chart
            lead = []
    story += [PageBreak(), _p("Findings", "h1")]
    story += [_finding(card) for card in view.findings] or [
        _p("Nothing in this history matches a risk pattern.")
    ]
    ing = view.ingest
    story += [PageBreak(), _p("What was read", "h1"), _p(ing.intro), _table(ing.counts)]
    if ing.not_counted.rows:
        story += [
            _p("Files not counted as runs", "h2"),
            _table(ing.not_counted, [0.14 * _WIDTH, 0.46 * _WIDTH, 0.4 * _WIDTH]),
        ]
    if ing.tz_note:
        story.append(_p(ing.tz_note, "small"))
    if ing.records:
        story.append(_p("The services' own records", "h2"))
        story += [_p(line, "bullet") for line in ing.records]
    if ing.service_weeks.rows:
        story += [
            _p("Each week as the services reported it", "h2"),
            _p(ing.service_verdict, "small"),
            _table(ing.service_weeks),
        ]
    if ing.shoes.rows:
        story += [_p("Shoes", "h2"), _table(ing.shoes)]
    s = view.safety
    story += [
        PageBreak(),
        _p("Red flags and advice", "h1"),
        _p(s.disclaimer, "box", bold="Not medical advice."),
        _p("See a clinician if", "h2"),
        *[_p(f"— {action}", "bullet", bold=sign) for sign, action in s.red_flags],
        _p("Load management", "h2"),
        *[
            _p(f"{text} ({sources})", "bullet", bold=f"{title}.")
            for title, text, sources in s.advice
        ],
        _p("Sources", "h2"),
        *[_p(source, "bullet") for source in s.sources],
    ]
    return story


def pdf_bytes(view: ReportView, images: Mapping[str, bytes]) -> bytes:
    """The PDF report as bytes (see :func:`pdf_story`)."""

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_fonts()[0], 7.5)
        canvas.setFillColor(_MUTED)
        canvas.drawString(
            1.8 * cm, 1.0 * cm, f"{view.title} · runaudit {view.generated} · not medical advice"
        )
        canvas.drawRightString(A4[0] - 1.8 * cm, 1.0 * cm, f"page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.6 * cm,
        bottomMargin=1.6 * cm,
        title=view.title,
        author="runaudit",
        creator="runaudit",
    )
    doc.build(pdf_story(view, images), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def write_pdf(view: ReportView, images: Mapping[str, bytes], path: str | os.PathLike[str]) -> Path:
    """Write the PDF report to ``path`` (:func:`~runaudit.report.writer.write_report`
    writes it inside its staging folder, so the report appears whole or not at all)."""
    target = Path(path)
    target.write_bytes(pdf_bytes(view, images))
    return target
