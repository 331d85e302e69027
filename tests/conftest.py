"""Shared fixtures: the spaCy pipeline, and one real `sourcecheck run` of the seed article per session."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "ukraine-ceasefire.txt"


@pytest.fixture(scope="session")
def nlp():
    from sourcecheck.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


def images(html: str) -> list[tuple[str, str]]:
    """(alt, src) of every <img> in ``html``, parsed (nbconvert may quote attributes either way)."""
    from html.parser import HTMLParser

    found = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                attrs = dict(attrs)
                found.append((attrs.get("alt") or "", attrs.get("src") or ""))

    Images().feed(html)
    return found


def assert_damaged_model_is_named(tmp_path, monkeypatch, module, folder_attr: str, loader, rebuild: str) -> None:
    """A shipped model folder (``module.<folder_attr>``, loaded by the cached ``loader``) copied,
    then its model.onnx damaged and then deleted: each time the load raises ``EncoderError``
    naming the file, and the rebuild command or that the file is missing."""
    import shutil

    from sourcecheck.errors import EncoderError

    folder = tmp_path / getattr(module, folder_attr).name
    shutil.copytree(getattr(module, folder_attr), folder)
    monkeypatch.setattr(module, folder_attr, folder)
    loader.cache_clear()
    try:
        with open(folder / "model.onnx", "r+b") as f:
            f.seek(1000)
            f.write(b"\0" * 16)
        with pytest.raises(EncoderError) as err:
            loader()
        assert "model.onnx" in str(err.value) and rebuild in str(err.value)
        (folder / "model.onnx").unlink()
        with pytest.raises(EncoderError) as err:
            loader()
        assert "model.onnx" in str(err.value) and "missing" in str(err.value)
    finally:
        loader.cache_clear()


def run_cli(*args, cwd=None, env=None, timeout=600):
    """Run the installed CLI (``python -m sourcecheck``) as a user would."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "sourcecheck", *map(str, args)],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory):
    """`sourcecheck run` on the seed article into a temp folder (papermill + nbconvert, for real)."""
    work = tmp_path_factory.mktemp("seed-run")
    out = work / "ukraine-ceasefire"
    proc = run_cli("run", SEED, "--out", out, "--verdicts-db", work / "verdicts.sqlite", "--quiet", cwd=work)
    return {"proc": proc, "out": out, "work": work}


# ----------------------------------------------------------------------------- browser (review / report tests)
#: Debian's chromium, driven by Playwright for Python (never `playwright install`).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"  # screenshots; git-ignored


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium is not installed ({CHROMIUM}); `make browser` installs it with apt-get")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True, timeout=60_000)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors, page errors and every request leaving the machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.console_errors, pg.external_requests = [], []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(f"page error: {e}"))

    def _route(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:", "http://127.0.0.1", "ws://127.0.0.1", "http://localhost")):
            return route.continue_()
        pg.external_requests.append(url)
        return route.abort()

    context.route("**/*", _route)
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory):
    """`run_article` (papermill + nbconvert, for real) on an article full of markup (and a primary
    document full of markup in ``hostile-article.sources/``), after recording a verdict on its first
    claim and one on a claim that is not in the article (an orphan)."""
    from sourcecheck.model import Claim, Span
    from sourcecheck.pipeline import analyze
    from sourcecheck.review import VerdictStore, review_queue
    from sourcecheck.runner import run_article

    work = tmp_path_factory.mktemp("hostile-run")
    article = ROOT / "tests" / "fixtures" / "hostile-article.json"
    analysis = analyze(article)
    store = VerdictStore(work / "verdicts.sqlite")
    first = review_queue(analysis)[0].claim
    store.record(analysis.article, first, "false", reviewer="Desk <b>Editor</b>",
                 note="checked <script>window.__pwned = 7</script> the minutes")
    gone = Claim(id="c-000000000000", text="a sentence <i>cut</i> from the article", spans=[Span(0, 0, "")])
    store.record(analysis.article, gone, "verified", reviewer="ana")
    result = run_article(article, out_dir=work / "out", verdicts_db=store.path, quiet=True)
    return {"result": result, "out": work / "out", "store": store, "first": first, "analysis": analysis}
