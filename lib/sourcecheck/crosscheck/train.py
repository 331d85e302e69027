"""Train the cross-check judge on the PolNeAR train conflict set; cross-validate it; write the shipped files.

    python -m sourcecheck.crosscheck.train [--gold data/conflicts_train.jsonl] [--folds 5] [--out DIR]

1. Every article of the conflict set goes through the full pipeline (parse, attribution,
   speakers, claims), then :mod:`.candidates` and :mod:`.features`: the same pairs a
   user's run sees. A pair is a conflict when its claim overlaps a labelled claim and its
   passage overlaps that item's evidence (a shift counts from either side). Pairs that
   touch an item the annotator marked doubtful are left out of training.
2. Folds by article (GroupKFold): on the out-of-fold scores the decision threshold is
   the one whose *flags* score best (F1 of flags against labelled conflicts, as
   ``evaluate-flags`` scores them) among those that keep to at most ``MAX_FALSE_FLAGS``
   false flags per conflict-free article, the product's target: a desk that sees a
   false flag in every clean article stops reading them. The card keeps the whole scan. A
   flag's shown confidence is the share of out-of-fold flags with its score that
   matched a labelled conflict (isotonic).
3. The cross-encoder (``scripts/train_reranker.py``, training environment) is trained on
   each article's 80 pairs the detector ranks highest out of fold (``--rerank-pairs``
   writes them, with every pair the per-claim selections below can pick) and scores them out
   of fold in the same folds (``--reranker-oof``). How many pairs it re-reads (``rerank_k``,
   at most ``RERANK_K_MAX`` so the cross-check stays within its speed target; the larger ones
   are scanned for the record), how many of one claim's it may take (``per_claim``, 0: no
   limit; flags are per claim, so k pairs spread over claims can find more) and the threshold on the
   combined score are chosen together, by the same flag F1; the combiner (a logistic regression over the detector's
   logit and the cross-encoder's) is itself fitted out of fold for that choice.
4. The final models are fitted on all articles; their scores of the re-read pairs are mapped
   onto the out-of-fold scale (``score_scales``: the fold models and the final ones both
   score the PolNeAR train articles outside the conflict set, which none of them saw; step 1
   writes those articles' pairs, ``--scale-pairs``, for the fold cross-encoders to score), and
   everything is written with a card that holds the threshold, the cross-validation scores,
   the check of the map, the data's hash and the library versions.

Nothing here runs at import or in a user's run; the shipped judge is only loaded.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..encoder import file_sha256
from ..errors import EvaluationError
from ..evaluation.flags import format_report, match, overlaps, read_gold, score_flags
from .candidates import build_view, candidates
from .flags import decide
from .reranker import RERANKER_DIR
from .model import DATA, LearnedJudge, combine, logit, top_pairs
from .features import NAMES

DEFAULT_TRAIN = DATA / "conflicts_train.jsonl"
PCA_DIMS = 8
SEED = 15
RERANK_POOL = 80                 # pairs per article the cross-encoder is trained on
RERANK_K = (10, 20, 30, 50, 80)  # how many it may re-read at run time (chosen by cross-validation) ...
RERANK_K_MAX = 50                # ... among those within the speed target: 1 s of cross-checking per 1,000
                                 # words on 2 cores (10 dev articles, two interleaved rounds, ONNX judge:
                                 # k=20 0.31-0.34 s, 30 0.33-0.38, 50 0.37-0.43)
RERANK_PER_CLAIM = (0, 1, 2)     # at most this many of one claim's pairs among the k (0: no limit), chosen with k
TRAINED_JUDGE = Path("outputs") / ".cache" / "crosscheck_judge.joblib"  # scripts/export_judge.py ships it as ONNX
CHECK_PAIRS = 6000               # pairs saved for the export check: every conflicting one, a fixed sample of the rest
MAX_FALSE_FLAGS = 0.2            # per conflict-free article: the target the threshold must keep (out of fold)
SYNTHETIC_PAIRS = 2000           # written rebuttal pairs of each kind for the cross-encoder (crosscheck.synthetic)


@dataclass
class Prepared:
    row: dict          # the conflict-set line
    view: object
    pairs: list
    X: np.ndarray      # pair features
    XI: np.ndarray     # pair features + embedding interaction
    y: np.ndarray      # 1 conflict, 0 not, -1 left out (doubtful)
    rel: list          # gold relation of conflicting pairs, "" otherwise


def label_pairs(view, pairs, row) -> tuple[np.ndarray, list]:
    y = np.zeros(len(pairs), dtype=np.int8)
    rel = [""] * len(pairs)
    for k, (ci, pi, _) in enumerate(pairs):
        c, p = view.claims[ci].claim, view.passages[pi]
        if p.kind == "document":
            continue
        for g in row["conflicts"]:
            sides = [(g["claim"], g["evidence"])]
            if g["relation"] == "shifts":
                sides += [(e, [g["claim"]]) for e in g["evidence"]]
            hit = any(any(overlaps(cl, s.start, s.end) for s in c.spans) and
                      any(overlaps(e, p.span.start, p.span.end) for e in evs) for cl, evs in sides)
            if hit:
                if g.get("doubtful"):
                    if y[k] == 0:
                        y[k] = -1
                else:
                    y[k], rel[k] = 1, g["relation"]
                    break
    return y, rel


def prepare(rows: list[dict], nlp=None, encoder=None, progress=True) -> list[Prepared]:
    from ..article import article_from_text
    from ..encoder import get_encoder
    from ..nlp import load_pipeline
    from ..pipeline import claim_stages

    nlp = nlp or load_pipeline()
    encoder = encoder or get_encoder()
    out = []
    t0 = time.perf_counter()
    for n, row in enumerate(rows, 1):
        article = article_from_text(row["text"], slug=row["id"])
        doc, _, _, claims = claim_stages(article, nlp=nlp)
        view = build_view(article.text, doc, claims, encoder)
        pairs = candidates(view)
        X, XI = LearnedJudge.inputs(view, pairs)
        y, rel = label_pairs(view, pairs, row)
        out.append(Prepared(row, view, pairs, X, XI, y, rel))
        if progress and n % 20 == 0:
            print(f"  prepared {n}/{len(rows)} articles ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    return out


def _cached(rows: list[dict], key: bytes, name: str, cache_dir: Path | None, **kw) -> list[Prepared]:
    code = b"".join((Path(__file__).parent / m).read_bytes() for m in ("candidates.py", "features.py", "cues.py"))
    cache = (cache_dir or Path("outputs") / ".cache") / f"{name}-{hashlib.sha256(key + code).hexdigest()[:16]}.pkl"
    if cache.is_file():
        with open(cache, "rb") as f:
            return pickle.load(f)
    data = prepare(rows, **kw)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache, "wb") as f:
        pickle.dump(data, f)
    return data


def prepare_cached(path: Path, cache_dir: Path | None = None, **kw) -> list[Prepared]:
    return _cached(read_gold(path), Path(path).read_bytes(), "crosscheck", cache_dir, **kw)


def unlabelled_rows(seen: set) -> list[dict] | None:
    """Every PolNeAR train article outside the conflict set (ids in ``seen``), as conflict-set lines with no
    conflicts, in a fixed shuffled order (train.jsonl is sorted by publisher, and article u goes to fold
    ``u % folds``); None if PolNeAR train is missing."""
    from ..evaluation import polnear_dir
    from ..evaluation.attribution import read_jsonl

    root = polnear_dir()
    if root is None or not (root / "train.jsonl").is_file():
        return None
    rows = [{**r, "conflicts": []} for r in read_jsonl(root / "train.jsonl") if r.get("id") not in seen]
    np.random.default_rng(SEED).shuffle(rows)
    return rows


def prepare_unlabelled(data: list[Prepared], cache_dir: Path | None = None, **kw) -> list[Prepared] | None:
    """:func:`prepare` on :func:`unlabelled_rows` (cached like the conflict set); None without PolNeAR train."""
    rows = unlabelled_rows({d.row["id"] for d in data})
    if rows is None:
        print("PolNeAR train.jsonl not found: the final models' scores are not rescaled", file=sys.stderr)
        return None
    key = json.dumps([[r["id"], hashlib.sha256(r["text"].encode()).hexdigest()] for r in rows]).encode()
    print(f"{len(rows)} PolNeAR train articles outside the conflict set, for the score map", file=sys.stderr)
    return _cached(rows, key, "crosscheck-unlabelled", cache_dir, **kw)


def _detector():
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline

    n = len(NAMES)
    return Pipeline([
        ("cols", ColumnTransformer([("features", "passthrough", list(range(n))),
                                    ("interaction", PCA(PCA_DIMS, random_state=SEED), list(range(n, n + 768)))])),
        ("trees", HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=7, min_samples_leaf=40,
                                                 l2_regularization=1.0, class_weight="balanced", random_state=SEED)),
    ])


def _typer():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000, class_weight="balanced"))


def _stack(data, idx, what):
    return np.vstack([getattr(data[i], what) for i in idx]) if idx else None


def fit(data: list[Prepared], idx: list[int]):
    XI = _stack(data, idx, "XI")
    X = _stack(data, idx, "X")
    y = np.concatenate([data[i].y for i in idx])
    rel = [r for i in idx for r in data[i].rel]
    use = y >= 0
    det = _detector().fit(XI[use], y[use])
    pos = y == 1
    labels = sorted({rel[k] for k in np.flatnonzero(pos)})
    typer = _typer().fit(X[pos], [rel[k] for k in np.flatnonzero(pos)]) if len(labels) > 1 else None
    return det, typer, labels


def _relations(typer, labels, X):
    if typer is None:
        return [labels[0] if labels else "contradicts"] * len(X)
    return [str(r) for r in typer.predict(X)] if len(X) else []


def _score(model, d: Prepared):
    det, typer, labels = model
    return (det.predict_proba(d.XI)[:, 1] if len(d.pairs) else np.zeros(0)), _relations(typer, labels, d.X)


def cross_validate(data: list[Prepared], folds: int = 5, progress=True, extra: list[Prepared] = ()):
    """Out-of-fold raw scores and relations for every pair of every article (folds by article), and the same for
    the ``extra`` articles (which no model trains on), article u scored by fold ``u % folds``'s models (as the
    cross-encoder's fold models score them: ``scale_rows``): ``raw, rels, (extra raw, extra rels)``."""
    from sklearn.model_selection import GroupKFold

    groups = np.arange(len(data))
    raw = [None] * len(data)
    rels = [None] * len(data)
    xraw = [None] * len(extra)
    xrels = [None] * len(extra)
    for f, (tr, te) in enumerate(GroupKFold(n_splits=folds).split(groups, groups=groups)):
        model = fit(data, list(tr))
        for i in te:
            raw[i], rels[i] = _score(model, data[i])
        for u in range(f, len(xraw), folds):
            xraw[u], xrels[u] = _score(model, extra[u])
        if progress:
            print(f"  fold {f + 1}/{folds} done", file=sys.stderr, flush=True)
    return raw, rels, (xraw, xrels)


def fold_of(n: int, folds: int) -> np.ndarray:
    """The fold each article is tested in (the split ``cross_validate`` and the cross-encoder use)."""
    from sklearn.model_selection import GroupKFold

    groups = np.arange(n)
    out = np.zeros(n, dtype=int)
    for f, (_, te) in enumerate(GroupKFold(n_splits=folds).split(groups, groups=groups)):
        out[te] = f
    return out


def _claims_of(d: Prepared) -> list[int]:
    return [p[0] for p in d.pairs]


def rerank_rows(data: list[Prepared], raw) -> list[dict]:
    """The cross-encoder's training pairs: each article's top RERANK_POOL out of fold, every pair the scanned
    per-claim selections within the speed budget can pick, and the conflicting pairs."""
    from .reranker import pair_texts

    rows = []
    for a, (d, r) in enumerate(zip(data, raw)):
        top = set(top_pairs(r, RERANK_POOL).tolist()) | set(_selectable(d, r))
        keep = sorted(top | set(np.flatnonzero(d.y == 1).tolist()))
        left, right = pair_texts(d.view, [d.pairs[k] for k in keep])
        rows += [{"a": a, "k": int(k), "claim": c, "passage": p, "y": int(d.y[k]), "s1": float(r[k]), "topk": k in top}
                 for k, c, p in zip(keep, left, right)]
    return rows


def _selectable(d: Prepared, r) -> list[int]:
    """Every pair the scanned per-claim selections within the speed budget can pick."""
    top = set()
    for m in RERANK_PER_CLAIM:
        top |= set(top_pairs(r, RERANK_K_MAX, _claims_of(d), m).tolist())
    return sorted(top)


def scale_rows(extra: list[Prepared], xraw, folds: int) -> list[dict]:
    """The unlabelled articles' pairs the fold cross-encoders score for :func:`score_scales`: article u's pairs that
    its fold detector's selections can pick, to be scored by fold ``u % folds``'s cross-encoder."""
    from .reranker import pair_texts

    rows = []
    for u, (d, r) in enumerate(zip(extra, xraw)):
        keep = _selectable(d, r)
        left, right = pair_texts(d.view, [d.pairs[k] for k in keep])
        rows += [{"u": u, "fold": u % folds, "k": int(k), "claim": c, "passage": p} for k, c, p in zip(keep, left, right)]
    return rows


def written_pairs(rows: list[dict] | None, n: int = SYNTHETIC_PAIRS) -> list[dict]:
    """:func:`synthetic.synthetic_pairs` from the gold statements of ``rows``, the PolNeAR train articles outside the
    conflict set (:func:`unlabelled_rows`: none of the articles the judge is cross-validated on); empty for None."""
    from ..nlp import load_pipeline
    from .synthetic import synthetic_pairs

    if rows is None:
        print("PolNeAR train.jsonl not found: no written pairs for the cross-encoder", file=sys.stderr)
        return []
    return synthetic_pairs(rows, load_pipeline(), n)


def _combiner():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=1000)


def _rerank_inputs(d, r, ce: dict, a: int, k: int, per_claim: int = 0):
    top = top_pairs(r, k, _claims_of(d), per_claim)
    missing = [int(j) for j in top if f"{a}:{j}" not in ce]
    if missing:
        raise EvaluationError(f"cross-encoder scores lack pairs {missing[:5]} of article {a} ({d.row['id']}): "
                              "the scores file was made from other pairs or another conflict set; rerun `make judge`")
    c = np.array([ce[f"{a}:{j}"] for j in top])
    return top, np.column_stack([logit(r[top]), c]), d.y[top]


def reranked(data, raw, ce: dict, k: int, folds: int, per_claim: int = 0):
    """Out-of-fold combined scores when the cross-encoder re-reads each article's top k (at most ``per_claim`` of a
    claim's; combiner fitted out of fold)."""
    fold = fold_of(len(data), folds)
    inputs = [_rerank_inputs(d, r, ce, a, k, per_claim) for a, (d, r) in enumerate(zip(data, raw))]
    out = [None] * len(data)
    for f in range(folds):
        tr = [i for i in range(len(data)) if fold[i] != f]
        X = np.vstack([inputs[i][1] for i in tr])
        y = np.concatenate([inputs[i][2] for i in tr])
        m = _combiner().fit(X[y >= 0], y[y >= 0])
        for i in np.flatnonzero(fold == f):
            top, Xi, _ = inputs[i]
            out[i] = combine(raw[i], top, Xi[:, 1], m.coef_[0], float(m.intercept_[0]))
    X = np.vstack([x[1] for x in inputs])
    y = np.concatenate([x[2] for x in inputs])
    final = _combiner().fit(X[y >= 0], y[y >= 0])
    return out, {"k": k, "per_claim": per_claim, "coef": [float(v) for v in final.coef_[0]],
                 "intercept": float(final.intercept_[0])}


def flags_at(data, probs, rels, threshold):
    return [decide(d.view, d.pairs, p, r, threshold)[1] for d, p, r in zip(data, probs, rels)]


def choose_threshold(data, probs, rels, max_false_flags: float = MAX_FALSE_FLAGS):
    """The threshold whose out-of-fold flags have the best F1 among those with at most ``max_false_flags`` false
    flags per conflict-free article (the product's target; the fewest false flags if none is that low)."""
    table = []
    allp = np.concatenate([p for p in probs if len(p)])
    grid = sorted({float(x) for x in np.quantile(allp, 1 - np.geomspace(0.05, 0.0003, 24))})
    for t in grid:
        res = score_flags([d.row for d in data], flags_at(data, probs, rels, t), intervals=False)
        f1 = res["any_conflict"]["f1"]
        table.append((round(float(t), 5), res["any_conflict"]["p"], res["any_conflict"]["r"], f1,
                      res["false_flags_per_conflict_free_article"]))
    allowed = [row for row in table if row[4] <= max_false_flags]
    best = max(allowed, key=lambda row: row[3]) if allowed else min(table, key=lambda row: (row[4], -row[3]))
    return best[0], table


def _row(table, t):
    return next(row for row in table if row[0] == t)


def flag_calibrator(data, flags):
    """Isotonic map from a flag's judge score to the share of such flags that match a labelled conflict (out of fold)."""
    from sklearn.isotonic import IsotonicRegression

    xs, ys = [], []
    for d, fl in zip(data, flags):
        gold = [g for g in d.row["conflicts"] if not g.get("doubtful")]
        hit = {fi for _, fi in match(gold, fl)[1]}
        for fi, f in enumerate(fl):
            xs.append(f.confidence)
            ys.append(1.0 if fi in hit else 0.0)
    cal = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0, increasing=True)
    return cal.fit(xs, ys) if len(set(ys)) > 1 else None


def evaluate_folds(data: list[Prepared], folds: int, reranker_oof: Path | None = None, raw=None, rels=None):
    """The threshold chosen out of fold, its scan, the out-of-fold flags at it, their scores, and the re-reading
    settings (``evaluate-flags --folds``). With the cross-encoder's out-of-fold scores, ``rerank_k`` and the
    threshold are chosen together; ``rerank`` is then ``{"k", "per_claim", "coef", "intercept", "scan"}``, else None."""
    if raw is None:
        raw, rels, _ = cross_validate(data, folds)
    rerank = None
    if reranker_oof is not None:
        ce = json.loads(Path(reranker_oof).read_text(encoding="utf-8"))
        best = None
        scan = []
        for k, m in [(k, 0) for k in RERANK_K] + [(k, m) for m in RERANK_PER_CLAIM[1:] for k in RERANK_K
                                                      if k <= RERANK_K_MAX]:
            probs, comb = reranked(data, raw, ce, k, folds, m)
            t, table = choose_threshold(data, probs, rels)
            f1 = _row(table, t)[3]
            scan.append({"k": k, "per_claim": m, "threshold": t, "f1": f1, "coef": comb["coef"]})
            too_slow = k > RERANK_K_MAX
            print(f"  re-reading the top {k}" + (f", at most {m} per claim" if m else "") + f": flag F1 {f1:.3f} at {t:.4f}"
                  + (" (over the speed budget: not chosen)" if too_slow else ""), file=sys.stderr, flush=True)
            if not too_slow and (best is None or f1 > best[0] + 1e-9):
                best = (f1, k, t, table, probs, comb)
        _, k, threshold, table, probs, rerank = best
        rerank["scan"] = scan
    else:
        probs = raw
        threshold, table = choose_threshold(data, raw, rels)
    flags = flags_at(data, probs, rels, threshold)
    res = score_flags([d.row for d in data], flags)
    what = ""
    if rerank:
        each = f" (at most {rerank['per_claim']} per claim)" if rerank["per_claim"] else ""
        what = f"re-reading the top {rerank['k']}{each} with the cross-encoder, "
    res.update(claims="pipeline", judge=f"learned, {what}{folds}-fold cross-validation (threshold {threshold:.4f})")
    return threshold, table, flags, res, rerank


def _quantile_map(fin, oof) -> list[list[float]]:
    qs = np.linspace(0, 1, 101)
    return [[float(v) for v in np.quantile(fin, qs)], [float(v) for v in np.quantile(oof, qs)]]


@dataclass
class _Scored:
    """One model set's scoring of one article: detector probabilities, the re-read pairs, their cross-encoder
    logits, every pair's relation."""
    prob: np.ndarray
    top: np.ndarray
    ce: np.ndarray
    rel: list

    def detector_logits(self) -> np.ndarray:
        return logit(self.prob[self.top])


def _fit_map(fold: list[_Scored], final: list[_Scored]) -> dict:
    cat = lambda parts, get: np.concatenate([get(p) for p in parts])  # noqa: E731
    return {"detector_logit": _quantile_map(cat(final, _Scored.detector_logits), cat(fold, _Scored.detector_logits)),
            "cross_encoder_logit": _quantile_map(cat(final, lambda p: p.ce), cat(fold, lambda p: p.ce))}


def score_scales(extra: list[Prepared], xscores, ce: dict, rerank: dict, final_model, threshold: float) -> dict:
    """Quantile maps from the final models' scores to the out-of-fold ones, for the pairs the cross-encoder re-reads.

    The combiner and the threshold were chosen on out-of-fold scores; the shipped detector and cross-encoder
    are trained on every article (a fifth more data and more steps) and score differently. Both models' scores
    of the re-read pairs are mapped by matching 101 quantiles between two scorings of the same articles, which
    no model saw (``extra``: PolNeAR train outside the conflict set): by the fold models (``xscores``, from
    ``cross_validate(extra=)``, and the fold cross-encoders' ``"u{article}:{pair}"`` scores in ``ce``), each
    article choosing its own re-read pairs, and by the final ones.

    ``check`` measures the map on articles it was not fitted on: fitted on the even articles, flags an article
    counted on the odd ones and the other way round, for the fold models (what the threshold was chosen for),
    the final models as they score and the final models mapped.
    """
    from .reranker import get_reranker, pair_texts

    k, m = rerank["k"], rerank.get("per_claim", 0)
    coef, intercept = rerank["coef"], rerank["intercept"]
    xraw, xrels = xscores
    rr = get_reranker()
    arts, fold, final = [], [], []  # articles with pairs, and their scoring by the fold models and the final ones
    t0 = time.perf_counter()
    for u, d in enumerate(extra):
        if not d.pairs:
            continue
        claims = _claims_of(d)
        top = top_pairs(xraw[u], k, claims, m)
        missing = [int(j) for j in top if f"u{u}:{j}" not in ce]
        if missing:
            raise EvaluationError(f"cross-encoder scores lack pairs {missing[:5]} of unlabelled article {u} ({d.row['id']}):"
                                  " the scores file was made without these --scale-pairs; rerun `make judge`")
        prob, rel = _score(final_model, d)
        ftop = top_pairs(prob, k, claims, m)
        arts.append(d)
        fold.append(_Scored(xraw[u], top, np.array([ce[f"u{u}:{j}"] for j in top]), xrels[u]))
        final.append(_Scored(prob, ftop, rr.score(*pair_texts(d.view, [d.pairs[j] for j in ftop])), rel))
        if (u + 1) % 50 == 0:
            print(f"  scored {u + 1}/{len(extra)} unlabelled articles ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)

    def flags(d: Prepared, sc: _Scored, scale=None) -> int:
        return len(decide(d.view, d.pairs, combine(sc.prob, sc.top, sc.ce, coef, intercept, scale), sc.rel, threshold)[1])

    count = {"fold_models": 0, "final": 0, "final_rescaled": 0}
    for half in (0, 1):
        fit_on = [i for i in range(len(arts)) if i % 2 != half]
        scale = _fit_map([fold[i] for i in fit_on], [final[i] for i in fit_on])
        for i in range(half, len(arts), 2):
            count["fold_models"] += flags(arts[i], fold[i])
            count["final"] += flags(arts[i], final[i])
            count["final_rescaled"] += flags(arts[i], final[i], scale)
    check = {"how": "map fitted on half of the articles (alternate), flags counted on the other half, both ways",
             "flags_per_article": {w: round(v / max(1, len(arts)), 3) for w, v in count.items()}}
    print("  flags an article on unlabelled articles the map was not fitted on: "
          + ", ".join(f"{w.replace('_', ' ')} {v}" for w, v in check["flags_per_article"].items()), file=sys.stderr)
    return {"articles": len(extra), "with_pairs": len(arts), "pairs": int(sum(len(f.top) for f in final)),
            **_fit_map(fold, final), "check": check}


def write_check_pairs(data: list[Prepared], path: Path, n: int = CHECK_PAIRS) -> None:
    """The model inputs of every conflicting pair and a fixed sample of the others, for the ONNX export's check."""
    y = np.concatenate([d.y for d in data])
    pos = np.flatnonzero(y == 1)
    rest = np.flatnonzero(y != 1)
    pick = np.random.default_rng(SEED).choice(rest, size=min(len(rest), max(0, n - len(pos))), replace=False)
    rows = np.sort(np.concatenate([pos, pick]))
    starts = np.cumsum([0] + [len(d.y) for d in data])
    art = np.searchsorted(starts, rows, side="right") - 1  # gather the rows, not a copy of all 185,000 (1.3 GB)
    np.savez_compressed(path, XI=np.vstack([data[a].XI[j - starts[a]] for a, j in zip(art, rows)]))


def _write_jsonl(path, rows: list[dict]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    print(f"wrote {len(rows)} pairs to {path}", file=sys.stderr)


def main(argv=None) -> int:
    import joblib
    import sklearn

    ap = argparse.ArgumentParser(description="train the cross-check judge on the train conflict set")
    ap.add_argument("--gold", default=str(DEFAULT_TRAIN))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", default=str(TRAINED_JUDGE),
                    help="judge file to write (its card goes beside it, .json; the pairs for the ONNX export's check, "
                         ".check.npz); scripts/export_judge.py turns it into the shipped ONNX judge")
    ap.add_argument("--rerank-pairs", metavar="FILE",
                    help="only write the cross-encoder's training pairs (for scripts/train_reranker.py) and stop")
    ap.add_argument("--scale-pairs", metavar="FILE",
                    help="with --rerank-pairs: also write the pairs of PolNeAR train articles outside the conflict set "
                         "that the fold cross-encoders score for the score map (scripts/train_reranker.py --scale-pairs)")
    ap.add_argument("--synthetic-pairs", metavar="FILE",
                    help="with --rerank-pairs: also write the written rebuttal pairs the cross-encoder learns from besides "
                         "the labelled ones (sourcecheck.crosscheck.synthetic; from PolNeAR train articles outside the "
                         "conflict set)")
    ap.add_argument("--reranker-oof", metavar="FILE",
                    help="the cross-encoder's out-of-fold scores (scripts/train_reranker.py --oof); without it the "
                         "judge does not use the cross-encoder")
    a = ap.parse_args(argv)
    data = prepare_cached(Path(a.gold))
    npos = int(sum((d.y == 1).sum() for d in data))
    print(f"{len(data)} articles, {sum(len(d.pairs) for d in data)} candidate pairs, {npos} conflicting", file=sys.stderr)
    extra = prepare_unlabelled(data) if (a.scale_pairs or a.reranker_oof) else None
    raw, rels, xscores = cross_validate(data, a.folds, extra=extra or ())
    if a.rerank_pairs:
        _write_jsonl(a.rerank_pairs, rerank_rows(data, raw))
        if a.scale_pairs and extra is not None:
            _write_jsonl(a.scale_pairs, scale_rows(extra, xscores[0], a.folds))
        if a.synthetic_pairs:  # the unlabelled articles read for the score map, else read now
            rows = [d.row for d in extra] if extra is not None else unlabelled_rows({d.row["id"] for d in data})
            _write_jsonl(a.synthetic_pairs, written_pairs(rows))
        return 0
    threshold, table, oof_flags, cv, rerank = evaluate_folds(data, a.folds, a.reranker_oof, raw, rels)
    cv["gold"] = str(a.gold)
    print(format_report(cv))
    fcal = flag_calibrator(data, oof_flags)
    det, typer, labels = fit(data, list(range(len(data))))
    if rerank and extra is not None:
        rerank["scale"] = score_scales(extra, xscores, json.loads(Path(a.reranker_oof).read_text(encoding="utf-8")),
                                       rerank, (det, typer, labels), threshold)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_check_pairs(data, out.with_suffix(".check.npz"))
    joblib.dump({"detector": det, "typer": typer, "relations": labels, "threshold": threshold,
                 "flag_calibrator": fcal, "features": list(NAMES),
                 "reranker": {k: v for k, v in (rerank or {}).items() if k != "scan"} or None}, out, compress=3)
    card = {
        "what": "cross-check judge: gradient-boosted detector (pair features + PCA-8 of the embedding interaction), "
                "logistic-regression relation typer, isotonic flag-confidence calibration on out-of-fold flags",
        "trained_on": {"file": str(Path(a.gold).name), "sha256": file_sha256(Path(a.gold)),
                       "articles": len(data), "pairs": int(sum(len(d.pairs) for d in data)), "conflicting_pairs": npos},
        "threshold": threshold, "threshold_scan": table, "folds": a.folds,
        "reranker": rerank and {**rerank, "model_manifest_sha256": file_sha256(RERANKER_DIR / "manifest.json")},
        "cross_validation": {k: cv[k] for k in ("strict", "any_conflict", "per_relation", "false_flags_per_conflict_free_article", "intervals")},
        "rebuild": "make judge  (python -m sourcecheck.crosscheck.train)",
        "sklearn": sklearn.__version__, "sha256": file_sha256(out),
    }
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out} (threshold {threshold})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    from sourcecheck.crosscheck.train import main as _main  # so pickled caches name this module, not __main__

    sys.exit(_main())
