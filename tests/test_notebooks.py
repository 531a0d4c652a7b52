"""Run every notebook in ``notebooks/`` top to bottom and check what it shows.

The notebooks are stored without outputs. Each one is executed here in a fresh
kernel of the interpreter running the tests (so it imports this checkout's
runaudit), with matplotlib's non-interactive Agg backend, from the
``notebooks/`` folder as a user would open it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import runaudit

nbformat = pytest.importorskip(
    "nbformat", reason="install the test extras: pip install -e '.[test]'"
)
nbclient = pytest.importorskip(
    "nbclient", reason="install the test extras: pip install -e '.[test]'"
)
kernelspec = pytest.importorskip(
    "jupyter_client.kernelspec", reason="install the test extras: pip install -e '.[test]'"
)

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
#: Text each notebook's outputs must contain (notebooks not listed: no errors only).
EXPECTED: dict[str, tuple[str, ...]] = {
    "01_explore_export.ipynb": (
        "77 runs",  # the ingest summary
        "ramp_up",  # the findings
        "downhill_volume",
        "Forward step-down",  # the recommendations
        "raw sample differences",  # raw vs smoothed descent of the mountain race
    ),
    "02_tune_thresholds.ipynb": (
        "ewma_acwr",  # the methods table
        "ramp_up findings",  # the acwr_warning sweep
        "low_cadence findings",  # the low_cadence sweep
        "[thresholds]",  # the TOML file
        "same as analyze(): True",  # the command line agrees with the notebook
        "8 rules swept",  # one sweep per rule
    ),
}
#: Name of the kernelspec registered for this interpreter when ``python3`` is not it.
FALLBACK_KERNEL = "runaudit-tests"


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def runs_this_interpreter(argv: list[str]) -> bool:
    """Whether a kernelspec's command starts this very interpreter.

    jupyter_client replaces a bare ``python``/``python3``/``python3.X`` with
    ``sys.executable``; anything else must be this interpreter's path (not
    resolved: a venv's python is a symlink to the base interpreter).
    """
    if not argv:
        return False
    major, minor = sys.version_info[:2]
    if argv[0] in {"python", f"python{major}", f"python{major}.{minor}"}:
        return True
    return os.path.abspath(argv[0]) == os.path.abspath(sys.executable)


@pytest.fixture
def kernel_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel of this interpreter: ``python3`` when it is one, else a temporary spec.

    A fresh venv with ipykernel has a ``python3`` spec that runs ``python``
    (this interpreter). A user-wide ``python3`` spec of another Python, or no
    spec at all, gets a spec for ``sys.executable`` in a temporary folder put
    first on ``JUPYTER_PATH``; nothing is installed.
    """
    try:
        spec = kernelspec.KernelSpecManager().get_kernel_spec("python3")
    except kernelspec.NoSuchKernel:
        spec = None
    if spec is not None and runs_this_interpreter(spec.argv):
        return "python3"
    from ipykernel.kernelspec import write_kernel_spec

    folder = tmp_path / "jupyter"
    write_kernel_spec(
        path=folder / "kernels" / FALLBACK_KERNEL,
        overrides={"display_name": f"Python {sys.version_info[0]} (runaudit tests)"},
    )
    monkeypatch.setenv(
        "JUPYTER_PATH", os.pathsep.join([str(folder), os.environ.get("JUPYTER_PATH", "")])
    )
    return FALLBACK_KERNEL


def output_text(nb: nbformat.NotebookNode) -> str:
    """Every stream and plain-text result of the executed notebook, joined."""
    parts: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif "data" in out:
                parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


def test_notebooks_are_present() -> None:
    names = {path.name for path in notebook_paths()}
    assert set(EXPECTED) <= names, f"missing notebooks: {sorted(set(EXPECTED) - names)}"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_notebook_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {index} of {path.name} has stored outputs"
            assert cell.execution_count is None, f"cell {index} of {path.name} has a count"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.name)
def test_notebook_runs(path: Path, kernel_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # The kernel imports the same runaudit as the tests, installed or not.
    src = str(Path(runaudit.__file__).resolve().parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    errors = [
        out
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    text = output_text(nb)
    missing = [s for s in EXPECTED.get(path.name, ()) if s not in text]
    assert not missing, f"{path.name}: outputs lack {missing}"
