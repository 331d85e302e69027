"""Train the attribution models (cue CRF, role CRF, candidate ranker) on PolNeAR train.

    .venv/bin/python scripts/train_attribution.py ../shared/data/polnear/train.jsonl

writes ``lib/sourcecheck/data/attribution-cue.crfsuite``,
``attribution-role.crfsuite`` and ``attribution-rank.crfsuite``.

The ranker learns which cue candidates make a real attribution. Its training
examples must come from taggers that did not see the article, so the script
also trains a cue and a role tagger on each half of train (articles split by
parity) and builds the ranker's examples for each half with the taggers of the
other half. Deterministic for a given spaCy model and data (L-BFGS, fixed
iterations). Never train or tune on dev: dev is for reporting.

The CRFs and the ranker read the span tagger's probabilities (``scripts/train_tagger.py``),
which must come from tagger models that did not see the article either: give
``--tagger-probs OUT.npz`` (``train_tagger.py --merge``, the out-of-fold probabilities for
every article of the file), or ``--no-tagger`` to train without them (for comparison).

``--docbin`` reuses a spaCy DocBin of the same texts (in file order) to skip
parsing; ``--limit`` trains on the first N articles (quick experiments);
``--only rank`` keeps the shipped cue and role models and retrains the ranker.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pycrfsuite

from sourcecheck.attribution import taggers as attribution_taggers
from sourcecheck.attribution import CUE_MODEL, RANK_MODEL, ROLE_MODEL, ranker_examples, training_sequences
from sourcecheck.nlp import load_pipeline

PARAMS = {
    "cue": {"c1": 0.05, "c2": 0.5, "max_iterations": 150, "feature.possible_transitions": True},
    "role": {"c1": 0.1, "c2": 0.5, "max_iterations": 200, "feature.possible_transitions": True},
    "rank": {"c1": 0.0, "c2": 1.0, "max_iterations": 300},
}
FOLDS = 2


def tagger_lookup(path: str, rows: list[dict]):
    """``attribution.taggers.tagger_source`` over a ``train_tagger.py`` probabilities file: the
    article's text -> (wordpiece offsets, probabilities); an article the file lacks is an error."""
    z = np.load(path)
    by_text = {}
    for i, art_id in zip(z["index"].tolist(), z["ids"].tolist()):
        if i < len(rows):
            if rows[i]["id"] != art_id:
                sys.exit(f"{path}: article {i} is {art_id!r} there but {rows[i]['id']!r} in the train file (rebuild it)")
            by_text[rows[i]["text"]] = (z[f"off_{i}"], z[f"p_{i}"])

    def source(text: str):
        got = by_text.get(text)
        if got is None:
            sys.exit(f"{path}: no span-tagger probabilities for the article starting {text[:60]!r} "
                     f"(make it with scripts/train_tagger.py --merge)")
        return got

    return source


def _trainer(kind: str) -> pycrfsuite.Trainer:
    tr = pycrfsuite.Trainer(verbose=False)
    tr.select("lbfgs", "crf1d")
    tr.set_params(PARAMS[kind])
    return tr


def _train(tr: pycrfsuite.Trainer, path: Path, what: str) -> None:
    t0 = time.time()
    tr.train(str(path))
    print(f"{what}: trained in {time.time() - t0:.0f}s -> {path} ({path.stat().st_size / 1e6:.1f} MB)", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train", help="PolNeAR-format train.jsonl")
    ap.add_argument("--docbin", help="spaCy DocBin of the same texts (optional cache)")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--out-dir", default=str(CUE_MODEL.parent))
    ap.add_argument("--only", choices=["rank"], help="retrain only the ranker, with the shipped taggers' features")
    tg = ap.add_mutually_exclusive_group(required=True)
    tg.add_argument("--tagger-probs", help="out-of-fold span-tagger probabilities for the file's articles (.npz)")
    tg.add_argument("--no-tagger", action="store_true", help="train without the span tagger's features")
    args = ap.parse_args(argv)

    rows = [json.loads(line) for line in open(args.train, encoding="utf-8") if line.strip()]
    attribution_taggers.tagger_source = tagger_lookup(args.tagger_probs, rows) if args.tagger_probs else (lambda text: None)
    if args.limit:
        rows = rows[: args.limit]
    nlp = load_pipeline()
    t0 = time.time()
    if args.docbin:
        from spacy.tokens import DocBin

        docs = list(DocBin().from_disk(args.docbin).get_docs(nlp.vocab))[: len(rows)]
    else:
        docs = list(nlp.pipe((r["text"] for r in rows), batch_size=16))
    for r, d in zip(rows, docs):
        if d.text != r["text"]:
            sys.exit(f"{args.docbin}: DocBin texts do not match {args.train} (rebuild it, or omit --docbin)")
    print(f"{len(docs)} articles parsed in {time.time() - t0:.0f}s", flush=True)
    out = Path(args.out_dir)
    fold_of = [i % FOLDS for i in range(len(rows))]

    # taggers: one on all of train (shipped) and one per fold on the other folds (for the ranker)
    t0 = time.time()
    full = {k: _trainer(k) for k in ("cue", "role")} if args.only != "rank" else {}
    held = [{k: _trainer(k) for k in ("cue", "role")} for _ in range(FOLDS)]
    for i, (r, d) in enumerate(zip(rows, docs)):
        cue_seqs, role_seqs = training_sequences(d, r["attributions"])
        targets = [full] + [held[f] for f in range(FOLDS) if f != fold_of[i]]
        for t in targets:
            if not t:
                continue
            for x, y in cue_seqs:
                t["cue"].append(x, y)
            for x, y in role_seqs:
                t["role"].append(x, y)
    print(f"tagger features built in {time.time() - t0:.0f}s", flush=True)
    for k, path in (("cue", CUE_MODEL), ("role", ROLE_MODEL)):
        if full:
            _train(full[k], out / path.name, k)

    with tempfile.TemporaryDirectory(prefix="sourcecheck-train-") as tmp:
        taggers = []
        for f in range(FOLDS):
            pair = {}
            for k in ("cue", "role"):
                path = Path(tmp) / f"{k}-without-fold{f}.crfsuite"
                _train(held[f][k], path, f"{k} tagger without fold {f}")
                tg = pycrfsuite.Tagger()
                tg.open(str(path))
                pair[k] = tg
            taggers.append(pair)
        t0 = time.time()
        ranker = _trainer("rank")
        labels: Counter = Counter()
        for i, (r, d) in enumerate(zip(rows, docs)):
            tg = taggers[fold_of[i]]
            for feats, label in ranker_examples(d, r["attributions"], tg["cue"], tg["role"]):
                ranker.append([feats], [label])
                labels[label] += 1
        print(f"ranker examples built in {time.time() - t0:.0f}s: {labels['Y']} right, {labels['N']} wrong", flush=True)
        _train(ranker, out / RANK_MODEL.name, "rank")
    return 0


if __name__ == "__main__":
    sys.exit(main())
