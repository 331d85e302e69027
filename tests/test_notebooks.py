"""Every notebook: committed clean, thin, parameterised, and executed for real with papermill."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, SEED, images

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURES = Path(__file__).parent / "fixtures"


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for c in code_cells(nb):
        assert c.outputs == [] and c.execution_count is None, f"{path.name}: strip outputs before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_only_parameters_cell_with_plain_values(path):
    nb = nbformat.read(path, as_version=4)
    cells = code_cells(nb)
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is cells[0]
    for node in ast.parse(tagged[0].source).body:
        assert isinstance(node, ast.Assign), "parameters cell holds assignments only"
        assert isinstance(node.value, ast.Constant), "parameters are plain values"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_are_thin(path):
    nb = nbformat.read(path, as_version=4)
    for c in code_cells(nb):
        tree = ast.parse(c.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)), f"{path.name}: logic belongs in the package"
        assert len(c.source.splitlines()) <= 15, f"{path.name}: cell too long"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_readme_documents_notebook_and_its_parameters(path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"notebooks/{path.name}" in readme
    nb = nbformat.read(path, as_version=4)
    params = [n.targets[0].id for n in ast.parse(code_cells(nb)[0].source).body]
    for name in params:
        assert f"`{name}`" in readme, f"parameter {name} of {path.name} is not documented in the README"


def test_seed_notebook_executed_and_report_shows_results(seed_run):
    assert seed_run["proc"].returncode == 0, seed_run["proc"].stderr[-3000:]
    out = seed_run["out"]
    nb = nbformat.read(out / "verify_article.ipynb", as_version=4)
    assert all(c.get("execution_count") for c in code_cells(nb)), "every cell ran"
    errors = [o for c in code_cells(nb) for o in c.outputs if o.output_type == "error"]
    assert not errors
    html = (out / "report.html").read_text(encoding="utf-8")
    analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    speakers = {c["speaker"] for c in analysis["claims"] if c["attribution_id"]}
    assert "Dmitry Peskov" in speakers
    assert any("Wall Street Journal" in (s or "") for s in speakers)
    for needle in ("Dmitry Peskov", "Wall Street Journal", 'class="sc-article"', "sc-attr", "data:image/svg+xml"):
        assert needle in html, needle
    # every chart the notebook draws reaches the report, as SVG (the relation matrix's once did not)
    chart_cells = [c for c in code_cells(nb) if "_chart(" in c.source]
    assert len(chart_cells) >= 4
    for cell in chart_cells:
        assert any("image/svg+xml" in o.get("data", {}) for o in cell.outputs), cell.source
    assert html.count('src="data:image/svg+xml;base64,') == len(chart_cells)
    # each chart says in words what it shows (alt text), with the numbers a reader would read off it
    alts = [a for a, src in images(html) if src.startswith("data:image/svg+xml")]
    assert len(alts) == len(chart_cells)
    assert all(len(a) > 40 and "No description" not in a for a in alts), alts
    per_source = next(a for a in alts if a.startswith("Claims per source"))
    assert re.search(r"Dmitry Peskov \d+", per_source), per_source
    # no code in the report, and nothing fetched from the network
    assert "open_analysis" not in html and "import " not in re.sub(r"<style.*?</style>", "", html, flags=re.S)
    assert not re.search(r"<script[^>]+src=\"https?://", html)
    assert not re.search(r"<link[^>]+href=\"https?://", html)


def test_broken_notebook_is_caught_and_leaves_no_report(tmp_path):
    from sourcecheck.errors import NotebookRunError
    from sourcecheck.runner import run_article

    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("<html>stale report from an earlier run</html>", encoding="utf-8")
    with pytest.raises(NotebookRunError, match="deliberately broken"):
        run_article(SEED, out_dir=out, notebook=FIXTURES / "broken.ipynb", quiet=True, verdicts_db=tmp_path / "v.sqlite")
    assert not (out / "report.html").exists()
    assert "deliberately broken" in (out / "FAILED.txt").read_text(encoding="utf-8")
    executed = nbformat.read(out / "verify_article.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in code_cells(executed) for o in c.outputs)


def test_a_kernel_that_dies_at_start_is_retried_once(tmp_path, monkeypatch):
    """Parallel batch workers can lose a kernel at start-up (two kernels racing for a port):
    the run starts it once more and says so; a kernel that keeps dying fails the article."""
    import papermill as pm

    from sourcecheck import runner
    from sourcecheck.errors import NotebookRunError

    real = pm.execute_notebook
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(pm, "execute_notebook", flaky)
    res = runner.run_article(SEED, out_dir=tmp_path / "out", quiet=True, verdicts_db=tmp_path / "v.sqlite")
    assert len(calls) == 2 and Path(res.report_path).is_file()
    assert any("kernel failed" in w and "ran it again" in w for w in res.warnings), res.warnings

    def dead(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("Kernel died before replying to kernel_info")

    calls.clear()
    monkeypatch.setattr(pm, "execute_notebook", dead)
    with pytest.raises(NotebookRunError, match="Kernel died"):
        runner.run_article(SEED, out_dir=tmp_path / "out2", quiet=True, verdicts_db=tmp_path / "v.sqlite")
    assert len(calls) == runner.KERNEL_ATTEMPTS
    assert "Kernel died" in (tmp_path / "out2" / "FAILED.txt").read_text(encoding="utf-8")
