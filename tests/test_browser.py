"""Browser tests in headless Debian Chromium (Playwright for Python, no browser download).

- The report: the highlighted article, the tables and the charts are visible, no
  console errors, nothing fetched from the network, no script from the article
  runs; a screenshot and a printed PDF are saved under ``test-artifacts/``.
- The review panel end to end in a real JupyterLab on localhost: open the notebook,
  run it, record a verdict by clicking, find it in the SQLite file, re-run in a
  fresh kernel and see it shown.

Chromium comes from ``apt-get install chromium`` (``make browser``); without it these
tests skip, saying so.
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, SEED
from sourcecheck.review import VerdictStore, review_queue

from sample_analysis import write_sample_report

pytestmark = pytest.mark.browser


# --------------------------------------------------------------------------- the report
@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    return write_sample_report(tmp_path_factory.mktemp("browser-hostile"), "hostile", {0: "false", 1: "verified"})


def _check_report_page(page, path: Path, artifacts_dir: Path, name: str, min_marks: int, min_tables: int, min_charts: int):
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    article = page.locator(".sc-article")
    assert article.is_visible()
    marks = page.locator(".sc-article mark.sc-attr")
    assert marks.count() >= min_marks
    assert marks.first.is_visible()
    assert page.locator(".sc-header h1").is_visible()
    tables = page.locator("table.dataframe")
    assert tables.count() >= min_tables
    for i in range(tables.count()):
        assert tables.nth(i).is_visible(), f"table {i} hidden"
    charts = page.locator("img[src^='data:image/svg+xml']")
    assert charts.count() >= min_charts
    for i in range(charts.count()):
        assert charts.nth(i).is_visible()
        assert charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 100"), f"chart {i} did not render"
    page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)
    # printed on A4 (718 CSS px between 12 mm margins): every table and chart fits, text stays readable
    page.set_viewport_size({"width": 718, "height": 1000})
    page.emulate_media(media="print")
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('table.dataframe, img, .sc-article, .sc-header')]"
        ".filter(el => el.getBoundingClientRect().right > 720).map(el => el.tagName + '.' + el.className)"
    )
    assert overflow == [], f"cut off on paper: {overflow}"
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.sc-article')).fontSize)") >= 13  # ~10pt
    assert page.evaluate(
        "Math.min(...[...document.querySelectorAll('table.dataframe')].map(t => parseFloat(getComputedStyle(t).fontSize)))"
    ) >= 9  # px, ~7pt
    pdf = page.pdf(path=str(artifacts_dir / f"{name}.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    page.emulate_media(media="screen")
    assert page.console_errors == []
    assert page.external_requests == []


def test_report_with_hostile_article_renders_as_text(page, hostile_report, artifacts_dir):
    _check_report_page(page, hostile_report, artifacts_dir, "report-hostile", min_marks=4, min_tables=3, min_charts=1)
    assert page.evaluate("window.__pwned") is None  # no script from the article ran
    assert page.evaluate("document.scripts.length") == 0
    assert page.locator("iframe").count() == 0
    assert page.locator("img[onerror], img[src='x']").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    text = page.locator(".sc-article").inner_text()
    assert "<script>window.__pwned = 1; console.error('pwned')</script> is fine" in text
    assert '<img src=x onerror="window.__pwned = 2">' in text
    assert '<a href="javascript:alert(1)">click</a>' in text
    assert "<script>window.__pwned = 4</script> Title" in page.locator(".sc-header h1").inner_text()
    assert page.title() == "sourcecheck — <script>window.__pwned = 4</script> Title"


@pytest.mark.slow
def test_real_run_on_a_hostile_article_runs_no_script(page, hostile_run, artifacts_dir):
    """The whole notebook (every table, chart and the verdicts) on an article full of markup."""
    report = Path(hostile_run["result"].report_path)
    _check_report_page(page, report, artifacts_dir, "report-hostile-run", min_marks=4, min_tables=3, min_charts=1)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.scripts.length") == 0
    assert page.locator("iframe").count() == 0
    assert page.locator("img[onerror], img[src='x']").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    text = page.locator("body").inner_text()
    for shown in ("<script>window.__pwned = 1; console.error('pwned')</script>", '<img src=x onerror="window.__pwned = 2">',
                  '<a href="javascript:alert(1)">a link</a>', "</td></tr></table><b>bold</b>",
                  "checked <script>window.__pwned = 7</script> the minutes", "Desk <b>Editor</b>",
                  "Statement by <script>window.__pwned = 8</script> the council's lawyer"):
        assert shown in text, shown
    # the primary document's markup went through the quote diff as text too
    assert page.locator(".sc-quote-check").filter(has_text="Maria Lopez").first.is_visible()


def test_seed_report_in_browser(page, seed_run, artifacts_dir):
    proc = seed_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = seed_run["out"] / "report.html"
    _check_report_page(page, report, artifacts_dir, "report-seed", min_marks=10, min_tables=4, min_charts=2)
    text = page.locator("body").inner_text()
    for needle in ("Wall Street Journal", "Peskov", "Verdicts"):
        assert needle in text, needle
    assert page.locator(".sc-article mark.sc-flagged").count() >= 1


# --------------------------------------------------------------------------- JupyterLab end to end
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyter_lab(tmp_path):
    """A JupyterLab server on 127.0.0.1 rooted in a temp folder, isolated config, always stopped."""
    root = tmp_path / "lab"
    root.mkdir()
    home = tmp_path / "jupyter-home"
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    env.pop("SOURCECHECK_HEADLESS", None)
    log = (tmp_path / "jupyter.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("JupyterLab did not start:\n" + (tmp_path / "jupyter.log").read_text()[-3000:])
            time.sleep(0.3)
        yield {"root": root, "url": base, "token": token, "log": tmp_path / "jupyter.log"}
    finally:
        # stop the server we started, and its kernels (its own process group), nothing else
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(10)
        log.close()


def _notebook_for_lab(root: Path, params: dict) -> Path:
    """The real verify_article notebook with the run's parameters injected as papermill does."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(load_notebook_node(str(ROOT / "notebooks" / "verify_article.ipynb")), params)
    path = root / "verify_article.ipynb"
    nbformat.write(nb, path)
    return path


def _run_all(page, restart: bool = False) -> None:
    command = "notebook:restart-run-all" if restart else "notebook:run-all-cells"
    # fire and forget: the command's promise settles only after the dialog / the whole run
    page.evaluate(f"() => {{ window.jupyterapp.commands.execute('{command}'); }}")
    if restart:
        page.locator(".jp-Dialog button.jp-mod-accept").click()


def _raise_cell_error(page) -> None:
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").filter(
        has_text=re.compile("Error|Traceback")
    )
    if errors.count():
        pytest.fail("a notebook cell failed in JupyterLab:\n" + errors.first.inner_text()[-3000:])


def _wait_for(page, selector: str, timeout_s: float, **filt):
    """Wait for a visible element, failing early (with the traceback) if a cell errors."""
    loc = page.locator(selector)
    if filt:
        loc = loc.filter(**filt)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if loc.count() and loc.first.is_visible():
            return loc.first
        _raise_cell_error(page)
        page.wait_for_timeout(500)
    pytest.fail(f"{selector} did not appear within {timeout_s:.0f}s")


def _stepper(page, artifacts_dir):
    """Progress on stderr (seen with -s) and a screenshot when the test fails, for diagnosis."""
    t0 = time.monotonic()

    def step(msg):
        print(f"[e2e {time.monotonic() - t0:5.1f}s] {msg}", file=sys.stderr, flush=True)
        page.screenshot(path=str(artifacts_dir / "jupyterlab-last-step.png"))

    return step


@pytest.mark.slow
def test_review_panel_end_to_end_in_jupyterlab(page, jupyter_lab, tmp_path, artifacts_dir):
    db = tmp_path / "verdicts.sqlite"
    nb_path = _notebook_for_lab(
        jupyter_lab["root"],
        {"article_path": str(SEED), "output_dir": str(tmp_path / "out"), "verdicts_db": str(db), "interactive": True},
    )
    page.set_default_timeout(60_000)
    step = _stepper(page, artifacts_dir)
    step("open")
    page.goto(f"{jupyter_lab['url']}/lab/tree/{nb_path.name}?token={jupyter_lab['token']}")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=90_000)
    _wait_for(page, ".jp-Notebook .jp-Cell", 60)
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=90_000,
    )

    # run it: the review panel appears, flagged claims first
    step("run all")
    _run_all(page)
    panel = _wait_for(page, ".sc-review", 180)
    panel.scroll_into_view_if_needed()
    assert "No verdict recorded yet" in page.locator(".sc-recorded").first.inner_text()

    # record a verdict by clicking
    step("click")
    page.locator(".sc-verdict button").filter(has_text=re.compile(r"^\s*False\s*$")).first.click()
    page.locator(".sc-note textarea").first.fill("clicked in a browser")
    page.locator(".sc-reviewer input").first.fill("E2E Reviewer")
    page.locator("button.sc-save").first.click()
    _wait_for(page, ".sc-status", 30, has_text="Saved")
    page.screenshot(path=str(artifacts_dir / "jupyterlab-review-saved.png"))

    # ... and find it in the SQLite file
    rows = VerdictStore(db).all()
    assert [(r.verdict, r.reviewer, r.note) for r in rows] == [("false", "E2E Reviewer", "clicked in a browser")]
    from sourcecheck.pipeline import analyze

    first = review_queue(analyze(SEED))[0].claim
    assert rows[0].claim_id == first.id and rows[0].claim_text == first.text

    # re-run in a fresh kernel: the verdict is shown again, read from the store
    step("re-run")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs'); }")
    page.wait_for_function("document.querySelectorAll('.sc-review').length === 0", timeout=30_000)
    _run_all(page, restart=True)
    shown = _wait_for(page, ".sc-recorded-verdict", 180)
    assert shown.inner_text().strip() == "False"
    recorded = page.locator(".sc-recorded").first.inner_text()
    assert "E2E Reviewer" in recorded and "clicked in a browser" in recorded
    assert "1 with a verdict" in page.locator(".sc-review").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "jupyterlab-review-rerun.png"))
    assert len(VerdictStore(db).all()) == 1  # showing never writes
