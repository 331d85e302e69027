"""Train the attribution taggers (cue CRF and role CRF) on PolNeAR train.

    .venv/bin/python scripts/train_attribution.py ../shared/data/polnear/train.jsonl

writes ``lib/sourcecheck/data/attribution-cue.crfsuite`` and
``attribution-role.crfsuite``. Deterministic for a given spaCy model and data
(L-BFGS, fixed iterations). Never train or tune on dev: dev is for reporting.
``--docbin`` reuses a spaCy DocBin of the same texts (in file order) to skip
parsing; ``--limit`` trains on the first N articles (quick experiments).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pycrfsuite

from sourcecheck.attribution import CUE_MODEL, ROLE_MODEL, training_sequences
from sourcecheck.nlp import load_pipeline

PARAMS = {
    "cue": {"c1": 0.05, "c2": 0.5, "max_iterations": 150, "feature.possible_transitions": True},
    "role": {"c1": 0.1, "c2": 0.5, "max_iterations": 200, "feature.possible_transitions": True},
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train", help="PolNeAR-format train.jsonl")
    ap.add_argument("--docbin", help="spaCy DocBin of the same texts (optional cache)")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--out-dir", default=str(CUE_MODEL.parent))
    ap.add_argument("--only", choices=["cue", "role"])
    args = ap.parse_args(argv)

    rows = [json.loads(line) for line in open(args.train, encoding="utf-8") if line.strip()]
    if args.limit:
        rows = rows[: args.limit]
    nlp = load_pipeline()
    if args.docbin:
        from spacy.tokens import DocBin

        docs = list(DocBin().from_disk(args.docbin).get_docs(nlp.vocab))[: len(rows)]
    else:
        docs = list(nlp.pipe((r["text"] for r in rows), batch_size=16))
    for r, d in zip(rows, docs):
        if d.text != r["text"]:
            sys.exit(f"{args.docbin}: DocBin texts do not match {args.train} (rebuild it, or omit --docbin)")

    t0 = time.time()
    trainers = {k: pycrfsuite.Trainer(verbose=False) for k in ("cue", "role")}
    for k, tr in trainers.items():
        tr.select("lbfgs", "crf1d")
        tr.set_params(PARAMS[k])
    n_cue = n_role = 0
    for r, d in zip(rows, docs):
        cue_seqs, role_seqs = training_sequences(d, r["attributions"])
        if args.only != "role":
            for x, y in cue_seqs:
                trainers["cue"].append(x, y)
                n_cue += 1
        if args.only != "cue":
            for x, y in role_seqs:
                trainers["role"].append(x, y)
                n_role += 1
    print(f"features built in {time.time() - t0:.0f}s: {n_cue} cue sequences, {n_role} role sequences", flush=True)
    out = Path(args.out_dir)
    for k, path in (("cue", CUE_MODEL), ("role", ROLE_MODEL)):
        if args.only and args.only != k:
            continue
        t0 = time.time()
        trainers[k].train(str(out / path.name))
        print(f"{k}: trained in {time.time() - t0:.0f}s -> {out / path.name} ({(out / path.name).stat().st_size / 1e6:.1f} MB)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
