"""sourcecheck.batch: discovery, slugs, up-to-date skips, failure isolation, index, Dask.

Most tests inject ``fake_job`` (a stand-in for ``runner.run_article`` that
loads the article for real but writes tiny outputs instead of running the
notebook), so they exercise the orchestration in real worker processes without
papermill. ``test_end_to_end_cli`` runs the real notebook on two small articles
and one bad one.
"""
from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest

from sourcecheck import batch
from sourcecheck.article import load_article
from sourcecheck.errors import NotebookRunError, SourcecheckError

GOOD = (
    "The mayor said the bridge would open on Monday.\n"
    "“We are ready,” a city spokesman told reporters on Friday.\n"
)


# --------------------------------------------------------------------------- the injected job
def fake_job(article_path, out_dir, published=None, verdicts_db=None, quiet=True):
    """Load the article for real; CRASH fails like a notebook, DIE kills the worker process."""
    article = load_article(article_path, published=published)
    if "CRASH" in article.text:
        raise NotebookRunError(f"{article_path}: notebook failed in cell 3: ValueError: boom")
    if "DIE" in article.text:
        os._exit(3)
    out = Path(out_dir)
    (out / "report.html").write_text(f"<html>{len(article.text)}</html>", encoding="utf-8")
    (out / "claims.csv").write_text(
        "claim_id,speaker,speaker_type,content\n" f"c-1,The mayor,person,{article.slug}\n", encoding="utf-8"
    )
    analysis = {
        "article": {"title": article.title, "published": article.published, "slug": article.slug, "path": str(article_path)},
        "claims": [{"id": "c-1", "attribution_id": "a-1"}, {"id": "c-2", "attribution_id": None}],
        "speakers": [{"id": "s-1"}],
        "flags": [{"relation": "contradicts"}, {"relation": "contradicts"}, {"relation": "not_confirmed"}],
    }
    (out / "analysis.json").write_text(json.dumps(analysis), encoding="utf-8")
    return None


def run(inputs, out, **kw):
    kw.setdefault("workers", 2)
    return batch.run_batch([str(i) for i in inputs], out, job_fn=fake_job, progress=False, **kw)


@pytest.fixture(autouse=True)
def stable_code(monkeypatch):
    """Other work edits the package while tests run: pin the code fingerprint (tested on its own below)."""
    monkeypatch.setattr(batch, "code_fingerprint", lambda: {"version": "test", "package_sha256": "p", "notebook_sha256": "n"})


@pytest.fixture
def corpus(tmp_path):
    src = tmp_path / "in put"  # a space in the folder name
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    (src / "a" / "x.txt").write_text(GOOD, encoding="utf-8")
    (src / "b" / "x.txt").write_text(GOOD + "Another line.\n", encoding="utf-8")
    (src / "Café Zürich – 2016.txt").write_text(GOOD, encoding="utf-8")
    (src / "titled.md").write_text("---\ntitle: '<script>alert(1)</script> & co'\n---\n" + GOOD, encoding="utf-8")
    return src


# --------------------------------------------------------------------------- discovery and slugs
def test_discover_files_folders_globs_and_problems(corpus, tmp_path):
    (corpus / "x.meta.json").write_text("{}", encoding="utf-8")  # sidecar, not an article
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")  # unsupported suffix inside a folder: ignored
    (corpus / ".hidden").mkdir()
    (corpus / ".hidden" / "h.txt").write_text(GOOD, encoding="utf-8")
    (corpus / "x.sources").mkdir()
    (corpus / "x.sources" / "doc.txt").write_text(GOOD, encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    articles, problems, warns = batch.discover(
        [corpus, str(corpus / "a" / "*.txt"), tmp_path / "missing.txt", str(tmp_path / "nomatch-*.txt"), empty]
    )
    names = sorted(p.relative_to(corpus).as_posix() for p in articles)
    assert names == ["Café Zürich – 2016.txt", "a/x.txt", "b/x.txt", "titled.md"]  # a/x.txt once, not twice
    assert [p[0] for p in problems] == [str(tmp_path / "missing.txt"), str(tmp_path / "nomatch-*.txt")]
    assert "file not found" in problems[0][1] and "matched no article files" in problems[1][1]
    assert len(warns) == 1 and str(empty) in warns[0] and "no article files" in warns[0]


def test_discover_skips_the_output_folder(corpus):
    out = corpus / "outputs"
    (out / "x").mkdir(parents=True)
    (out / "x" / "claims.json").write_text("{}", encoding="utf-8")
    articles, _, _ = batch.discover([corpus], exclude=out)
    assert not [p for p in articles if "outputs" in p.parts]


@pytest.mark.parametrize(
    "names",
    [
        ["a/x.txt", "b/x.txt"],
        ["a/x.txt", "b/x.txt", "a-x.txt"],  # the parent-prefixed slug collides with a plain one
        ["one/../etc/passwd.txt", "..txt", "....md", "статья.txt", "新闻.txt", "CON.txt", "x y/Z Z.TXT"],
    ],
)
def test_slugs_unique_and_safe(tmp_path, names):
    paths = [(tmp_path / n).resolve() for n in names]
    slugs = batch.assign_slugs(paths)
    assert len(set(slugs.values())) == len(paths)
    for s in slugs.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s), s
        assert len(s) <= 80


def test_slugs_keep_plain_names_when_unique(tmp_path):
    slugs = batch.assign_slugs([tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt", tmp_path / "Hello World.txt"])
    assert sorted(slugs.values()) == ["a-x", "b-x", "hello-world"]


def test_code_fingerprint_covers_package_and_notebook(monkeypatch):
    monkeypatch.undo()
    fp = batch.code_fingerprint()
    assert set(fp) == {"version", "package_sha256", "notebook_sha256"}
    assert re.fullmatch(r"[0-9a-f]{64}", fp["package_sha256"]) and re.fullmatch(r"[0-9a-f]{64}", fp["notebook_sha256"])


def test_code_change_means_rerun(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run([corpus / "a" / "x.txt"], out)
    monkeypatch.setattr(batch, "code_fingerprint", lambda: {"version": "test", "package_sha256": "p2", "notebook_sha256": "n"})
    assert len(run([corpus / "a" / "x.txt"], out).by_status("ok")) == 1


# --------------------------------------------------------------------------- runs with the fake job
def test_batch_isolates_failures_and_writes_index(corpus, tmp_path):
    bad = corpus / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "scan.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary")
    (bad / "crash.txt").write_text("The notebook will CRASH on this one, officials said.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run([corpus, tmp_path / "missing.txt"], out)

    status = {o.slug or o.article_path: o for o in result.outcomes}
    assert {k for k, o in status.items() if o.status == "ok"} == {"a-x", "b-x", "cafe-zurich-2016", "titled"}
    failed = {k: o.error for k, o in status.items() if o.status == "failed"}
    assert set(failed) == {"empty", "scan", "crash", str(tmp_path / "missing.txt")}
    assert "empty.txt: is empty" in failed["empty"]
    assert "PDF" in failed["scan"]
    assert "notebook failed" in failed["crash"]
    assert result.exit_code == 1
    for slug in ("empty", "scan", "crash"):
        assert not (out / slug / "report.html").exists()
        assert (out / slug / "FAILED.txt").is_file()
        assert json.loads((out / slug / "run.json").read_text())["status"] == "failed"
    assert json.loads((out / "a-x" / "run.json").read_text())["status"] == "ok"

    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count("<tr>") == 1 + len(result.outcomes)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert 'href="a-x/report.html"' in page and "crash/report.html" not in page
    assert "contradicts 2, not confirmed 1" in page
    assert "http://" not in page and "https://" not in page  # offline: nothing fetched
    with (out / "claims.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["batch_slug"] for r in rows) == ["a-x", "b-x", "cafe-zurich-2016", "titled"]
    assert list(rows[0])[:3] == ["batch_slug", "article_path", "claim_id"]
    summary = batch.format_summary(result)
    assert "FAILED   crash:" in summary and "4 ok, 0 up to date (skipped), 4 failed" in summary


def test_up_to_date_skip_force_and_changed_article(corpus, tmp_path):
    out = tmp_path / "out"
    first = run([corpus], out)
    assert first.exit_code == 0 and len(first.by_status("ok")) == 4
    again = run([corpus], out)
    assert len(again.by_status("skipped")) == 4
    assert 'href="a-x/report.html"' in (out / "index.html").read_text(encoding="utf-8")  # skipped rows keep links
    (corpus / "a" / "x.txt").write_text(GOOD + "Edited.\n", encoding="utf-8")
    (corpus / "titled.meta.json").write_text('{"outlet": "Example Times"}', encoding="utf-8")  # sidecar change
    changed = run([corpus], out)
    assert sorted(o.slug for o in changed.by_status("ok")) == ["a-x", "titled"]
    assert len(run([corpus], out, published="2016-11-01").by_status("ok")) == 4  # parameters changed
    assert len(run([corpus], out, published="2016-11-01", force=True).by_status("ok")) == 4


def test_failed_rerun_removes_previous_report(corpus, tmp_path):
    out = tmp_path / "out"
    assert run([corpus / "a" / "x.txt"], out).exit_code == 0
    assert (out / "x" / "report.html").is_file()
    (corpus / "a" / "x.txt").write_text("Now the notebook will CRASH, he said.\n", encoding="utf-8")
    result = run([corpus / "a" / "x.txt"], out)
    assert result.exit_code == 1
    assert not (out / "x" / "report.html").exists() and not (out / "x" / "claims.csv").exists()
    assert "CRASH" not in (out / "claims.csv").read_text(encoding="utf-8")


def test_dead_worker_only_fails_its_article(corpus, tmp_path):
    (corpus / "die.txt").write_text("This one will DIE in the worker, an aide said.\n", encoding="utf-8")
    result = run([corpus], tmp_path / "out")
    failed = result.by_status("failed")
    assert [o.slug for o in failed] == ["die"]
    assert "worker process died" in failed[0].error
    assert len(result.by_status("ok")) == 4


def test_only_bad_inputs_and_nothing_found(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourcecheckError, match="no article files found"):
        run([empty], tmp_path / "out")
    result = run([tmp_path / "nope.txt"], tmp_path / "out")
    assert result.exit_code == 1 and "file not found" in result.outcomes[0].error


def test_peak_memory_is_measured(corpus, tmp_path):
    result = run([corpus / "a" / "x.txt"], tmp_path / "out", workers=1)
    assert 5 < result.outcomes[0].peak_rss_mb < 600


def test_overview_frames(corpus, tmp_path):
    from sourcecheck import index_page

    out = tmp_path / "out"
    run([corpus], out)
    frame = index_page.batch_frame(out)
    assert list(frame["flag:contradicts"]) == [2, 2, 2, 2]
    claims = index_page.claims_frame(out)
    assert len(claims) == 4
    import matplotlib

    matplotlib.use("Agg")
    index_page.flags_per_article_chart(frame)
    index_page.top_sources_chart(claims)
    index_page.source_type_chart(claims)


# --------------------------------------------------------------------------- Dask
def test_dask_local_cluster(corpus, tmp_path):
    distributed = pytest.importorskip("distributed")
    (corpus / "crash.txt").write_text("The notebook will CRASH, officials said.\n", encoding="utf-8")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = run([corpus], tmp_path / "out", dask=cluster.scheduler_address)
    assert sorted(o.slug for o in result.by_status("ok")) == ["a-x", "b-x", "cafe-zurich-2016", "titled"]
    assert [o.slug for o in result.by_status("failed")] == ["crash"]
    assert (tmp_path / "out" / "index.html").is_file()


def test_dask_bad_address(corpus, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from sourcecheck import constants

    monkeypatch.setattr(constants, "BATCH_DASK_CONNECT_TIMEOUT_S", 2)
    with pytest.raises(SourcecheckError, match="cannot connect to the Dask scheduler"):
        batch.run_batch([corpus], tmp_path / "out", dask="tcp://127.0.0.1:9", job_fn=fake_job, progress=False)


# --------------------------------------------------------------------------- the real thing
@pytest.mark.slow
def test_end_to_end_cli(tmp_path, capsys):
    from sourcecheck.cli import main

    src = tmp_path / "articles with spaces"
    src.mkdir()
    seed = Path(__file__).resolve().parents[1] / "seeds" / "ukraine-ceasefire.txt"
    lines = [ln for ln in seed.read_text(encoding="utf-8").splitlines() if ln.strip()]
    (src / "short one.txt").write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    (src / "Zürich.md").write_text(
        "---\ntitle: Council vote\npublished: 2016-11-02\n---\n"
        "The council said the vote would take place on Tuesday.\n"
        "“We have the numbers,” the mayor told reporters, but opposition leaders said the count was wrong.\n",
        encoding="utf-8",
    )
    (src / "blank.txt").write_text("  \n\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["batch", str(src), "--workers", "2", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "FAILED   blank:" in captured.out and "contains only whitespace" in captured.out
    failures = {p.parent.name: p.read_text(encoding="utf-8") for p in out.glob("*/FAILED.txt")}
    assert "2 ok, 0 up to date (skipped), 1 failed" in captured.out, (captured.out, failures)
    for slug in ("short-one", "zurich"):
        assert (out / slug / "report.html").is_file(), captured
    assert not (out / "blank" / "report.html").exists()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Council vote" in page and 'href="zurich/report.html"' in page
    # second run: both up to date, nothing re-executed
    assert main(["batch", str(src), "--out", str(out)]) == 1
    assert "2 up to date (skipped)" in capsys.readouterr().out


@pytest.mark.slow
def test_batch_overview_notebook_runs(corpus, tmp_path):
    import nbformat
    import papermill as pm

    out = tmp_path / "out"
    (corpus / "crash.txt").write_text("The notebook will CRASH, officials said.\n", encoding="utf-8")
    run([corpus], out)
    nb_path = Path(__file__).resolve().parents[1] / "notebooks" / "batch_overview.ipynb"
    executed = tmp_path / "overview.ipynb"
    pm.execute_notebook(str(nb_path), str(executed), parameters={"batch_dir": str(out)}, kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum(1 for o in outputs if "image/svg+xml" in o.get("data", {})) == 3
    assert any("crash" in str(o.get("data", {}).get("text/plain", "")) for o in outputs)


@pytest.mark.browser
def test_index_page_sorts_offline_in_a_browser(corpus, tmp_path, page, artifacts_dir):
    (corpus / "longer.txt").write_text(GOOD * 3, encoding="utf-8")
    (corpus / "crash.txt").write_text("The notebook will CRASH, officials said.\n", encoding="utf-8")
    out = tmp_path / "out"
    run([corpus], out)
    page.goto((out / "index.html").as_uri())
    titles = lambda: page.locator("tbody tr td:first-child a, tbody tr td:first-child").all_inner_texts()  # noqa: E731
    page.click("th:has-text('Status')")
    first = page.locator("tbody tr").first.inner_text()
    assert "failed" in first
    page.click("th:has-text('Status')")
    assert "failed" in page.locator("tbody tr").last.inner_text()
    assert page.get_attribute("th:has-text('Status')", "aria-sort") == "descending"
    page.click("th:has-text('Article')")
    rows = [r.split("\n")[0] for r in page.locator("tbody tr").all_inner_texts()]
    assert rows == sorted(rows, key=str.lower)
    assert titles()
    assert page.locator("script:not([src])").count() == 1 and page.locator("script[src]").count() == 0
    assert page.console_errors == [] and page.external_requests == []
    assert page.locator("text=<script>alert(1)</script> & co").count() == 1  # shown as text, not run
    page.screenshot(path=str(artifacts_dir / "batch-index.png"), full_page=True)


def test_index_counts_recorded_verdicts(corpus, tmp_path):
    from sourcecheck.model import Claim, Span
    from sourcecheck.review import VerdictStore

    out = tmp_path / "out"
    out.mkdir()
    article = load_article(corpus / "a" / "x.txt")
    store = VerdictStore(out / "verdicts.sqlite")
    claim = Claim(id="c-1", text="x", spans=[Span(0, 1, article.text[0])])
    store.record(article, claim, "verified", reviewer="desk")
    store.record(article, Claim(id="c-2", text="y", spans=claim.spans), "disputed", reviewer="desk")
    store.record(article, Claim(id="c-9", text="gone", spans=claim.spans), "disputed", reviewer="desk")  # not in this run
    result = run([corpus / "a" / "x.txt"], out)
    assert result.outcomes[0].summary["verdicts"] == {"verified": 1, "disputed": 1}
    assert "disputed 1, verified 1" in (out / "index.html").read_text(encoding="utf-8")
