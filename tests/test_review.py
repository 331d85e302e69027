"""The verdict store and the review panel: nothing is lost, decisions come from the store."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sqlite3
import time

import pytest

from sourcecheck import constants
from sourcecheck.errors import ReviewStoreError
from sourcecheck.review import (
    VerdictStore,
    default_db_path,
    is_interactive,
    normalise_verdict,
    orphan_table,
    review_queue,
    show_review,
    verdict_table,
    verdicts_html,
)

from sample_analysis import SEED_LIKE, hostile, seed_like


@pytest.fixture
def store(tmp_path):
    return VerdictStore(tmp_path / "verdicts.sqlite")


@pytest.fixture
def analysis():
    return seed_like()


# --------------------------------------------------------------------------- verdict values
@pytest.mark.parametrize(
    "given, key",
    [
        ("verified", "verified"),
        ("Verified", "verified"),
        ("DISPUTED", "disputed"),
        ("unverified", "unverified"),
        ("misattributed", "misattributed"),
        ("false", "false"),
        ("needs follow-up", "needs_follow_up"),
        ("Needs follow-up", "needs_follow_up"),
        ("needs_follow_up", "needs_follow_up"),
        ("  verified ", "verified"),
    ],
)
def test_verdict_values_normalise(given, key):
    assert normalise_verdict(given) == key


@pytest.mark.parametrize("bad", ["", "true", "maybe", "verified!", None, "mostly false"])
def test_bad_verdict_values_are_refused_naming_the_store(store, analysis, bad):
    with pytest.raises(ReviewStoreError, match="verdicts.sqlite.*not a verdict"):
        store.record(analysis.article, analysis.claims[0], bad, reviewer="ana")
    assert store.count() == 0


def test_verdict_labels_live_in_constants():
    assert constants.VERDICTS == ("verified", "disputed", "unverified", "misattributed", "false", "needs_follow_up")


def test_reviewer_is_required(store, analysis):
    with pytest.raises(ReviewStoreError, match="reviewer"):
        store.record(analysis.article, analysis.claims[0], "verified", reviewer="  ")


# --------------------------------------------------------------------------- store basics
def test_record_latest_wins_and_history_is_kept(store, analysis):
    c0, c1 = analysis.claims[0], analysis.claims[1]
    store.record(analysis.article, c0, "unverified", reviewer="ana", note="first look")
    store.record(analysis.article, c1, "verified", reviewer="ben")
    last = store.record(analysis.article, c0, "false", reviewer="ana", note="called the ministry")
    latest = store.latest(analysis.article.slug)
    assert latest[c0.id].verdict == "false" and latest[c0.id].seq == last.seq
    assert latest[c1.id].verdict == "verified"
    assert [v.verdict for v in store.history(analysis.article.slug, c0.id)] == ["unverified", "false"]
    v = latest[c0.id]
    assert v.claim_text == c0.text and v.article_sha == analysis.article.sha256 and v.reviewer == "ana"
    assert v.created_at.endswith("+00:00") and v.label == "False"
    assert store.latest("another-article") == {}


def test_table_is_append_only(store, analysis):
    store.record(analysis.article, analysis.claims[0], "verified", reviewer="ana")
    con = sqlite3.connect(store.path)
    for stmt in ("UPDATE verdicts SET verdict = 'false'", "DELETE FROM verdicts"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(stmt)
    con.close()
    assert store.count() == 1


def test_wal_mode_and_schema(store):
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    cols = [r[1] for r in con.execute("PRAGMA table_info(verdicts)")]
    con.close()
    assert cols == ["seq", "article_slug", "article_sha", "claim_id", "claim_text", "verdict", "note", "reviewer", "created_at"]


def test_fresh_kernel_and_new_machine_see_the_verdicts(tmp_path, analysis):
    path = tmp_path / "a" / "verdicts.sqlite"
    VerdictStore(path).record(analysis.article, analysis.claims[2], "disputed", reviewer="ana")
    # a fresh kernel: a new store object on the same file
    assert VerdictStore(path).latest(analysis.article.slug)[analysis.claims[2].id].verdict == "disputed"
    # a new machine: only the .sqlite file is copied (the WAL was checkpointed when the last connection closed)
    assert not (path.parent / "verdicts.sqlite-wal").exists()
    other = tmp_path / "b" / "copy.sqlite"
    other.parent.mkdir()
    shutil.copy(path, other)
    assert VerdictStore(other).latest(analysis.article.slug)[analysis.claims[2].id].verdict == "disputed"


def test_bad_paths_raise_review_store_error_naming_the_file(tmp_path):
    (tmp_path / "folder.sqlite").mkdir()
    with pytest.raises(ReviewStoreError, match="folder.sqlite.*is a folder"):
        VerdictStore(tmp_path / "folder.sqlite")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ReviewStoreError, match="afile"):
        VerdictStore(tmp_path / "afile" / "verdicts.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_text("this is not a database, just text " * 200)
    with pytest.raises(ReviewStoreError, match="junk.sqlite"):
        VerdictStore(junk)


def test_a_lock_held_too_long_is_reported_and_nothing_is_written(tmp_path, analysis):
    store = VerdictStore(tmp_path / "verdicts.sqlite", timeout=0.2)
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another kernel in the middle of a write
    try:
        with pytest.raises(ReviewStoreError, match="verdicts.sqlite.*locked by another kernel"):
            store.record(analysis.article, analysis.claims[0], "verified", reviewer="ana")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.count() == 0
    store.record(analysis.article, analysis.claims[0], "verified", reviewer="ana")
    assert store.count() == 1


def test_default_path_is_under_outputs(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCECHECK_VERDICTS_DB", raising=False)
    (tmp_path / "outputs").mkdir()
    (tmp_path / "notebooks").mkdir()
    assert default_db_path(tmp_path / "notebooks") == tmp_path / "outputs" / "verdicts.sqlite"
    monkeypatch.setenv("SOURCECHECK_VERDICTS_DB", str(tmp_path / "x.sqlite"))
    assert default_db_path(tmp_path) == tmp_path / "x.sqlite"


# --------------------------------------------------------------------------- two kernels, a killed kernel
def _writer(path, slug_text, who, n, counter, barrier=None):
    from sample_analysis import seed_like as build

    a = build(slug_text)
    store = VerdictStore(path)
    if barrier is not None:
        barrier.wait(60)  # both "kernels" start writing at the same moment
    for i in range(n):
        store.record(a.article, a.claims[i % len(a.claims)], constants.VERDICTS[i % len(constants.VERDICTS)],
                     reviewer=who, note=f"{who} {i}")
        if counter is not None:  # one writer, one reader: no lock (a lock held when the writer is killed never frees)
            counter.value += 1


def test_two_kernels_write_at_once(tmp_path):
    path = tmp_path / "verdicts.sqlite"
    VerdictStore(path)
    ctx = multiprocessing.get_context("spawn")
    n = 100
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(str(path), SEED_LIKE, who, n, None, barrier)) for who in ("ana", "ben")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    rows = VerdictStore(path).all()
    assert len(rows) == 2 * n
    assert sorted(r.note for r in rows) == sorted(f"{w} {i}" for w in ("ana", "ben") for i in range(n))
    assert len({r.seq for r in rows}) == 2 * n
    # both started together (barrier); SQLite may let one writer run ahead while the other
    # waits on the lock. What matters: every row of both arrives, each kernel's in its own order.
    for who in ("ana", "ben"):  # each kernel's rows in its own order
        assert [r.note for r in rows if r.reviewer == who] == [f"{who} {i}" for i in range(n)]


def test_kernel_killed_mid_write_leaves_every_committed_row(tmp_path):
    path = tmp_path / "verdicts.sqlite"
    VerdictStore(path)
    ctx = multiprocessing.get_context("spawn")
    counter = ctx.RawValue("i", 0)
    p = ctx.Process(target=_writer, args=(str(path), SEED_LIKE, "ana", 1_000_000, counter))
    p.start()
    deadline = time.monotonic() + 60
    while counter.value < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(p.pid, signal.SIGKILL)
    p.join(10)
    assert p.exitcode == -signal.SIGKILL
    committed = counter.value
    assert committed >= 40
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    rows = VerdictStore(path).all()
    # every row the writer saw committed is there; at most one more (committed, killed before counting)
    assert committed <= len(rows) <= committed + 1
    assert [r.note for r in rows] == [f"ana {i}" for i in range(len(rows))]
    # and the store still takes writes
    a = seed_like()
    VerdictStore(path).record(a.article, a.claims[0], "verified", reviewer="ben")


# --------------------------------------------------------------------------- light edits and orphans
def test_light_edit_keeps_verdicts_and_lists_orphans(store):
    before = seed_like()
    for c, v in zip(before.claims, ("false", "verified", "disputed", "needs_follow_up")):
        store.record(before.article, c, v, reviewer="ana")
    after = seed_like(prefix="Updated at 10:00 with a new first line.\n",
                      edits={"the talks would continue next week": "the talks would resume on Monday"})
    assert after.article.sha256 != before.article.sha256
    # the first three claims moved (offsets changed) but kept their ids
    assert [c.id for c in after.claims[:3]] == [c.id for c in before.claims[:3]]
    assert after.claims[0].start != before.claims[0].start
    state = store.for_analysis(after)
    assert {cid: v.verdict for cid, v in state.latest.items()} == {
        before.claims[0].id: "false", before.claims[1].id: "verified", before.claims[2].id: "disputed"
    }
    assert [v.claim_text for v in state.orphans] == ["the talks would continue next week"]
    assert store.orphans(after)[0].verdict == "needs_follow_up"
    assert store.count() == 4  # nothing deleted
    table = orphan_table(state)
    assert list(table["claim_text"]) == ["the talks would continue next week"]
    # a verdict on the new claim does not resurrect or remove the orphan
    store.record(after.article, after.claims[3], "unverified", reviewer="ben")
    assert len(store.orphans(after)) == 1 and store.count() == 5


# --------------------------------------------------------------------------- queue, table, headless
def test_queue_puts_flagged_claims_first(analysis):
    q = review_queue(analysis)
    assert q[0].flagged and q[0].claim.text.startswith("Russian troops")
    assert [it.claim.start for it in q[1:]] == sorted(it.claim.start for it in q[1:])
    assert q[0].evidence_against[0][1].speaker == "Wall Street Journal"
    assert [it.claim.id for it in review_queue(analysis, flagged_only=True)] == [q[0].claim.id]


def test_verdict_table_escapes_article_text(store):
    a = hostile()
    for c in a.claims:
        store.record(a.article, c, "disputed", reviewer="<script>window.__pwned=9</script>", note="<img src=x onerror=1>")
    df = verdict_table(a, store.for_analysis(a))
    assert len(df) == 4 and df.iloc[0]["flagged"]
    assert list(df["number"]) == [1, 2, 3, 4]  # the numbers of the highlighted article, flagged (1) first
    html_out = df.to_html()
    assert "<script" not in html_out and "<img" not in html_out and "<iframe" not in html_out
    assert "&lt;script&gt;" in html_out


def test_headless_runs_never_build_a_panel(store, analysis, monkeypatch, capsys):
    assert is_interactive(False) is False
    assert is_interactive(True) is False  # not inside a Jupyter kernel
    monkeypatch.setenv("SOURCECHECK_HEADLESS", "1")
    assert is_interactive(True) is False
    store.record(analysis.article, analysis.claims[0], "false", reviewer="ana")
    state = show_review(analysis, store.path, interactive=True)
    assert state.latest[analysis.claims[0].id].verdict == "false"
    html = verdicts_html(analysis, state)
    assert "<td>ana</td>" in html and "<td>False</td>" in html


# --------------------------------------------------------------------------- the widget panel (no browser)
def test_panel_saves_to_the_store_and_reads_back(store, analysis):
    from sourcecheck.review_panel import ReviewPanel

    panel = ReviewPanel(analysis, store, reviewer="ana")
    assert panel.item.flagged  # flagged claim first
    assert "Wall Street Journal" in panel.claim_html.value and "not confirmed" in panel.claim_html.value
    panel.save_button.click()
    assert "Choose a verdict" in panel.status.value and store.count() == 0
    panel.verdict.value = "false"
    panel.note.value = "WSJ: no complete encirclement"
    panel.save_button.click()
    assert "Saved" in panel.status.value
    assert store.latest(analysis.article.slug)[analysis.claims[0].id].note == "WSJ: no complete encirclement"
    panel.next_button.click()
    assert panel.index == 1 and panel.verdict.value is None
    panel.reviewer.value = ""
    panel.verdict.value = "verified"
    panel.save_button.click()
    assert "Not saved" in panel.status.value and store.count() == 1
    # a fresh panel (re-run, fresh kernel) shows the recorded verdict, read from the store
    again = ReviewPanel(analysis, VerdictStore(store.path))
    assert again.verdict.value == "false"
    assert "Recorded verdict" in again.recorded.value and "False" in again.recorded.value
    assert "1 with a verdict" in again.summary.value
    assert "All verdicts on this article (1)" in again.table_html.value and "WSJ: no complete" in again.table_html.value
    bundle = again._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "WSJ: no complete" in bundle["text/html"]


def test_two_panels_on_one_store_see_each_others_verdicts(store, analysis):
    """Two reviewers (two kernels) on the same article: both saves are kept, the latest wins everywhere."""
    from sourcecheck.review_panel import ReviewPanel

    ana, ben = ReviewPanel(analysis, store, reviewer="ana"), ReviewPanel(analysis, VerdictStore(store.path), reviewer="ben")
    ana.verdict.value = "disputed"
    ana.save_button.click()
    ben.verdict.value = "false"  # ben had the claim open before ana saved
    ben.save_button.click()
    ana.go(ana.index)  # moving in the panel re-reads the store
    assert ana.verdict.value == "false" and "by ben" in ana.recorded.value
    assert "Disputed by ana" in ana.recorded.value  # the history keeps ana's verdict
    assert [v.reviewer for v in store.history(analysis.article.slug, ana.item.claim.id)] == ["ana", "ben"]


def test_panel_escapes_article_text(store):
    from sourcecheck.review_panel import ReviewPanel

    a = hostile()
    panel = ReviewPanel(a, store, reviewer="ana")
    for i in range(len(panel.items)):
        panel.go(i)
        store.record(a.article, panel.item.claim, "disputed", reviewer="<script>r()</script>", note="<img src=x>")
        panel.refresh()
        shown = panel.claim_html.value + panel.recorded.value + panel.summary.value + panel.table_html.value
        for bad in ("<script", "<img", "<iframe", "<a href", "</table><b>bold"):
            assert bad not in shown, (i, bad)


@pytest.mark.slow
def test_light_edit_of_the_seed_article_with_the_real_pipeline(tmp_path, nlp, seed_path):
    """The seed, then a copy with a line added on top and one claim reworded: verdicts follow the claims."""
    from sourcecheck.article import load_article
    from sourcecheck.pipeline import analyze_article

    before = analyze_article(load_article(seed_path), nlp=nlp)
    store = VerdictStore(tmp_path / "verdicts.sqlite")
    for c in before.claims:
        store.record(before.article, c, "unverified", reviewer="ana")
    target = next(c for c in before.claims if c.attributed and len(c.text.split()) > 6)
    words = target.spans[0].text.split()
    reworded = target.spans[0].text.replace(words[-1], words[-1] + " indeed", 1)
    text = seed_path.read_text(encoding="utf-8")
    assert text.count(target.spans[0].text) == 1
    edited = tmp_path / seed_path.name  # same file name -> same slug
    edited.write_text("Editor's note: this article has been updated.\n\n" + text.replace(target.spans[0].text, reworded),
                      encoding="utf-8")
    after = analyze_article(load_article(edited, published="2025-03-14"), nlp=nlp)
    assert after.article.slug == before.article.slug and after.article.sha256 != before.article.sha256

    ids_before, ids_after = {c.id for c in before.claims}, {c.id for c in after.claims}
    state = store.for_analysis(after)
    assert set(state.latest) == ids_before & ids_after
    assert {v.claim_id for v in state.orphans} == ids_before - ids_after
    assert target.id in {v.claim_id for v in state.orphans}
    assert len(ids_before & ids_after) >= 0.8 * len(ids_before)  # a light edit keeps most claims
    assert store.count() == len(before.claims)  # nothing deleted
