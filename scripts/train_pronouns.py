"""Learn the pronoun model (``lib/sourcecheck/data/pronoun_model.json``) from hand-labelled antecedents.

    python scripts/train_pronouns.py --split ../shared/data/polnear/train.jsonl \\
        --handcheck lib/sourcecheck/evaluation/speakers_handcheck_train.tsv [MORE.tsv ...] \\
        [--docbin outputs/.cache/train.spacy] [--folds 5] [--out lib/sourcecheck/data/pronoun_model.json]

Every labelled he/she whose label is a person becomes one choice among its candidate
mentions (``speakers.pronoun_candidates``: sentences back, subject of a main clause, recent
speaker, inside another quotation, ...); the mentions of the labelled person are right. A
conditional logit (softmax over one pronoun's candidates, L2 penalty) is fitted with scipy.
The feature set and the penalty are chosen by cross-validation over articles, and the printout compares the
learned weights with the hand-set ones on the same folds: accuracy is the share of labelled
pronouns whose top candidate is the labelled person (a pronoun whose person is not among
the candidates counts as wrong for both). Only PolNeAR train labels go in; dev labels are
for reporting (``sourcecheck evaluate-speakers ... --handcheck``).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))

from sourcecheck.article import article_from_text  # noqa: E402
from sourcecheck.evaluation.attribution import read_jsonl  # noqa: E402
from sourcecheck.evaluation.speakers import gold_attributions, handcheck_key, is_correct, read_handcheck  # noqa: E402
from sourcecheck.speakers import PRONOUN_FEATURES, PRONOUN_MODEL_FILE, load_registry, pronoun_model, resolve_speakers  # noqa: E402

PENALTIES = (0.01, 0.1, 1.0, 10.0)
#: Feature sets compared by cross-validation: the seven the hand-set weights used, and all of them.
FEATURE_SETS = {"base": ("sentence", "subject_main", "subject", "possessive", "last_speaker", "recent_speaker",
                         "in_quote"), "all": PRONOUN_FEATURES}


class _Candidate:
    """A person cluster seen as a speaker, for ``is_correct``."""

    type = "person"

    def __init__(self, cluster):
        self.name, self.aliases = cluster.name, list(cluster.forms)


def collect(split, handchecks, docbin=None):
    """One item per labelled he/she: (article, feature matrix, right-candidate mask, tie-break)."""
    from sourcecheck.nlp import load_pipeline

    labels = [lab for path in handchecks for lab in read_handcheck(path)]
    rows = read_jsonl(split)
    nlp, registry = load_pipeline(), load_registry()
    docs = {}
    if docbin:
        from spacy.tokens import DocBin

        parsed = list(DocBin().from_disk(docbin).get_docs(nlp.vocab))
        docs = {r["id"]: d for r, d in zip(rows, parsed) if d.text == r["text"]}
    by_id = {r["id"]: r for r in rows}
    missing = sorted({lab["article"] for lab in labels} - set(by_id))
    if missing:
        sys.exit(f"{split}: no articles {', '.join(missing[:5])} (named in the hand-check files)")
    by_article = defaultdict(list)
    for lab in labels:
        if lab["kind"] == "person":
            by_article[lab["article"]].append(lab)
    items, no_candidate = [], 0
    for k, (art, labs) in enumerate(sorted(by_article.items()), 1):
        row = by_id[art]
        doc = docs.get(art) or nlp(row["text"])
        seen = {}
        resolve_speakers(article_from_text(row["text"], slug=art), doc, gold_attributions(row), registry,
                         on_pronoun=lambda tok, cands: seen.__setitem__(tok.idx, cands))
        ends = {a.source[0].start: a.source[0].end for a in gold_attributions(row) if a.source}
        for lab in labs:
            st = lab["source_start"]
            hit = [i for i in seen if st <= i < ends.get(st, st + 1)]
            if not hit:
                continue  # not a he/she the model decides ("who", "they", a role noun)
            cands = seen[hit[0]]
            key = handcheck_key("person", lab["name"])
            right = np.array([is_correct(key, _Candidate(c)) for c, _, _ in cands], dtype=bool)
            if not right.any():
                no_candidate += 1
            X = np.array([[f[n] for n in PRONOUN_FEATURES] for _, _, f in cands], dtype=float).reshape(-1, len(PRONOUN_FEATURES))
            tie = np.array([t.i / 1e6 if f["same_sentence"] else -f["later_in_earlier_sentence"] / 1e4
                            for _, t, f in cands], dtype=float)
            items.append((art, X, right, tie))
        if k % 25 == 0:
            print(f"  {k}/{len(by_article)} articles", file=sys.stderr, flush=True)
    return items, no_candidate


def fit(items, penalty: float, use=None) -> np.ndarray:
    """Conditional-logit weights; ``use`` (a 0/1 vector) keeps the other features' weights at zero."""
    use = np.ones(len(PRONOUN_FEATURES)) if use is None else use
    usable = [(X * use, r) for _, X, r, _ in items if r.any() and len(r) > 1]

    def loss(w):
        total, grad = penalty * w @ w / 2, penalty * w
        for X, r in usable:
            z = X @ w
            z = z - z.max()
            p = np.exp(z)
            p /= p.sum()
            q = p * r
            pr = q.sum()
            total -= np.log(pr)
            grad = grad - (q / pr) @ X + p @ X
        return total, grad

    res = minimize(loss, np.zeros(len(PRONOUN_FEATURES)), jac=True, method="L-BFGS-B")
    return res.x * use


def accuracy(items, w) -> float:
    if not items:
        return float("nan")
    ok = sum(bool(len(r)) and bool(r[int(np.argmax(X @ w + tie))]) for _, X, r, tie in items)
    return ok / len(items)


def folds_of(items, k: int):
    arts = sorted({a for a, *_ in items})
    rng = np.random.default_rng(16)
    order = rng.permutation(len(arts))
    fold = {arts[j]: n % k for n, j in enumerate(order)}
    return [([x for x in items if fold[x[0]] != f], [x for x in items if fold[x[0]] == f]) for f in range(k)]


def cv(items, k, weights_of):
    """Pooled accuracy over the held-out folds."""
    right = n = 0
    for tr, te in folds_of(items, k):
        w = weights_of(tr)
        right += accuracy(te, w) * len(te)
        n += len(te)
    return right / n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", required=True, help="the PolNeAR split the labels come from (train)")
    ap.add_argument("--handcheck", nargs="+", required=True, help="hand-check TSVs of that split")
    ap.add_argument("--docbin", help="spaCy DocBin of the split's texts in file order (skips parsing)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--features", nargs="+", choices=PRONOUN_FEATURES,
                    help="fit only these (default: choose between FEATURE_SETS by cross-validation)")
    ap.add_argument("--out", default=str(PRONOUN_MODEL_FILE))
    args = ap.parse_args(argv)
    if "dev" in Path(args.split).name:
        sys.exit(f"{args.split}: dev labels are for reporting only; train the pronoun model on train")

    items, no_cand = collect(args.split, args.handcheck, args.docbin)
    n_art = len({a for a, *_ in items})
    print(f"{len(items)} labelled he/she in {n_art} articles ({no_cand} whose person is not among the candidates)")
    now = pronoun_model().weights  # what resolves pronouns today (the shipped file or $SOURCECHECK_PRONOUN_MODEL)
    now_w = np.array([now.get(n, 0.0) for n in PRONOUN_FEATURES])
    sets = {"given": tuple(args.features)} if args.features else FEATURE_SETS
    scores = {}
    for name, feats in sets.items():
        use = np.array([float(n in feats) for n in PRONOUN_FEATURES])
        for pen in PENALTIES:
            scores[(name, pen)] = cv(items, args.folds, lambda tr, pen=pen, use=use: fit(tr, pen, use))
            print(f"  {name} features, penalty {pen:g}: {args.folds}-fold accuracy {scores[(name, pen)]:.3f}")
    print(f"  today's weights: accuracy {accuracy(items, now_w):.3f} (nothing fitted)")
    # best accuracy; ties go to the smaller feature set, then the stronger penalty
    chosen, best = max(scores, key=lambda k: (round(scores[k], 6), -len(sets[k[0]]), k[1]))
    use = np.array([float(n in sets[chosen]) for n in PRONOUN_FEATURES])
    w = fit(items, best, use)
    print(f"chosen: {chosen} features, penalty {best:g}; fitted on all {len(items)}: in-sample accuracy "
          f"{accuracy(items, w):.3f}")
    model = {
        "name": "pronoun antecedents: conditional logit over candidate mentions (scripts/train_pronouns.py)",
        "trained_on": {"split": Path(args.split).name, "handcheck": [Path(p).name for p in args.handcheck],
                       "pronouns": len(items), "articles": n_art},
        "features": chosen, "penalty": best,
        "cv_accuracy": {f"{n} features, penalty {p:g}": round(v, 4) for (n, p), v in scores.items()},
        "accuracy_of_the_weights_before": round(accuracy(items, now_w), 4),
        "weights": {n: round(float(v), 4) for n, v in zip(PRONOUN_FEATURES, w) if use[PRONOUN_FEATURES.index(n)]},
    }
    Path(args.out).write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    for n, v in model["weights"].items():
        print(f"  {n:26s} {v:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
