"""Render the report's view model as one self-contained HTML page (Jinja2).

The page comes from ``report/templates/report.html.j2`` and its parts
(``{% include %}``), with autoescape on for every value, so no text from an
export (a shoe or file name) ever becomes markup. The CSS
(``report/static/report.css``) and the figures (base64 PNG) are embedded:
nothing is loaded from the network, the page opens offline and can be mailed
as a single file. Pure function of its inputs (no file I/O but reading the
package's own templates).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from runaudit.report.view import SECTIONS, ReportView

__all__ = ["SECTIONS", "environment", "render_html", "render_template", "stylesheet"]


@functools.cache
def environment() -> Environment:
    """The Jinja2 environment of the report's templates (autoescape on)."""
    return Environment(
        loader=PackageLoader("runaudit.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


@functools.cache
def stylesheet() -> str:
    """The report's CSS (``report/static/report.css``), embedded into each page."""
    return (resources.files("runaudit.report") / "static" / "report.css").read_text("utf-8")


def render_template(name: str, **context: Any) -> str:
    """Render one of the package's templates with the stylesheet as ``css``."""
    return environment().get_template(name).render(css=Markup(stylesheet()), **context)


def render_html(view: ReportView, images: Mapping[str, bytes]) -> str:
    """Return the report page as one HTML string.

    Parameters
    ----------
    view : ReportView
        From :func:`runaudit.report.view.build_view`.
    images : mapping of str to bytes
        PNG bytes by chart name (:attr:`ReportView.chart_names`).
    """
    encoded = {name: base64.b64encode(png).decode("ascii") for name, png in images.items()}
    return render_template("report.html.j2", view=view, images=encoded)
