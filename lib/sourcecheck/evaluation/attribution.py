"""Score attribution extraction against PolNeAR-format gold (``sourcecheck evaluate``).

Gold and predictions share one JSONL shape, one article a line::

    {"id": "...", "publisher": "nyt", "text": "...",
     "attributions": [{"source": [[s, e]], "cue": [[s, e]], "content": [[s, e], ...]}]}

Metrics, per role (source, cue, content) and overall, micro-averaged over articles:

* **exact**: predicted and gold attributions are aligned one-to-one by maximum
  content-token overlap (Hungarian matching); a role counts when its spans are
  equal after trimming whitespace, quote and punctuation characters at the edges
  and merging across punctuation-only gaps (a cue that is only ``:`` is kept).
  Per role, only attributions with a non-empty role are counted; ``overall``
  counts an aligned pair when all three roles are equal (an empty source equals
  an empty source).
* **token**: tokens are ``\\w+|[^\\w\\s]`` over the article text; per article and
  role, the set of tokens inside predicted spans is compared with the set inside
  gold spans (precision = shared / predicted, recall = shared / gold).
  ``overall`` sums the three roles.
* **relaxed** (the journalist's view): one-to-one matching where the content
  token sets have overlap coefficient >= 0.5 and Jaccard >= 0.3, and the source
  spans share at least one token (when gold has no source, the prediction must
  have none); ``relaxed_nosource`` drops the source condition.

Each headline score comes with a 95% interval from resampling the articles
(``bootstrap_intervals``): on 84 dev articles a score is only known to within a
couple of points, and the interval says how many.

Speed: words (whitespace-separated) per second of parse + extraction, next to the
bare parse words per second of the same texts in the same run, and their ratio.

``score_file`` scores a predictions file instead of running the extractor (``sourcecheck
evaluate GOLD --score PRED``): another system's output in the same JSONL shape, or
ours saved with ``--predictions``. Both files are checked before scoring: every
span must lie inside its article's text and every gold article needs a prediction.
``--baseline PRED`` compares with another predictions file on the same articles
(``paired_differences``): is a change, or another system, really better?
"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import EvaluationError
from ..spans import best_pairs, contents_match, normalise_spans, token_set, tokenize
from . import read_jsonl_numbered

ROLES = ("source", "cue", "content")
#: Article resamples behind the 95% intervals ``evaluate`` reports (fixed seed: same file, same interval).
BOOTSTRAP_SAMPLES = 1000
#: The headline scores that get an interval: (label, metric kind, role).
INTERVAL_METRICS = (
    ("relaxed F1", "relaxed", "overall"),
    ("relaxed F1 without source", "relaxed_nosource", "overall"),
    ("cue exact F1", "exact", "cue"),
    ("content token F1", "token", "content"),
    ("source token F1", "token", "source"),
)
_GOLD_FORMAT = "PolNeAR-format JSONL, e.g. dev.jsonl"
_SHOWN_PROBLEMS = 5


# --------------------------------------------------------------------------- reading
def read_jsonl(path, limit: Optional[int] = None) -> list[dict]:
    """Read a PolNeAR-format gold JSONL file, checked before any work starts: every
    article needs its ``text`` and a list of attributions whose spans lie inside it.
    Raises ``EvaluationError`` naming the file, line, article and span at fault."""
    numbered = read_jsonl_numbered(path, ("attributions",), "gold file", _GOLD_FORMAT, limit)
    problems = []
    for n, row in numbered:
        if not isinstance(row.get("text"), str):
            problems.append(f"line {n} (article {row.get('id')!r}) has no 'text'; gold must carry the article text")
            continue
        problems += [f"line {n} (article {row.get('id')!r}): {p}" for p in span_problems(row["attributions"], row["text"])]
    _raise_problems(path, problems, "fix the file; offsets are character offsets into the article's text, end exclusive")
    if not numbered:
        raise EvaluationError(f"{Path(path)}: gold file has no articles (pass {_GOLD_FORMAT})")
    return [row for _, row in numbered]


def read_predictions(path, gold: list[dict]) -> tuple[list[list[dict]], list]:
    """Predictions for each gold article (matched by ``id``) from a JSONL file in the gold
    shape, checked against the gold texts; also the predicted ids that are not in gold.

    Every gold article needs a prediction line (an article with nothing found is a line
    with ``"attributions": []``): a missing one is an error, not a silent zero."""
    gold_ids = [row.get("id") for row in gold]
    dup = sorted(str(i) for i, k in Counter(map(str, gold_ids)).items() if k > 1)
    if dup:
        raise EvaluationError(f"gold articles share an id ({', '.join(dup[:_SHOWN_PROBLEMS])}); predictions are matched by id")
    numbered = read_jsonl_numbered(path, ("id", "attributions"), "predictions file", "JSONL in the gold shape, as written by --predictions")
    by_id: dict = {}
    problems = []
    for n, row in numbered:
        if not isinstance(row["id"], (str, int)):
            problems.append(f"line {n}: id {row['id']!r} is not a string")
            continue
        if row["id"] in by_id:
            problems.append(f"line {n}: article {row['id']!r} appears twice")
        by_id[row["id"]] = (n, row["attributions"])
    texts = {row.get("id"): row["text"] for row in gold}
    for i, (n, attrs) in by_id.items():
        if i in texts:
            problems += [f"line {n} (article {i!r}): {p}" for p in span_problems(attrs, texts[i])]
    missing = [str(i) for i in gold_ids if i not in by_id]
    if missing:
        problems.append(
            f"no prediction for {len(missing)} of the {len(gold_ids)} gold articles ({', '.join(missing[:_SHOWN_PROBLEMS])}"
            f"{', ...' if len(missing) > _SHOWN_PROBLEMS else ''}); write a line with \"attributions\": [] for an article with none"
        )
    _raise_problems(path, problems, "predictions use the gold file's ids and character offsets into its texts")
    extra = [i for i in by_id if i not in texts]
    return [by_id[i][1] for i in gold_ids], extra


def span_problems(attributions, text: str) -> list[str]:
    """What is wrong with a list of attributions in the JSONL shape, for ``text``: each must be
    an object whose roles are lists of ``[start, end]`` character offsets inside the text."""
    if not isinstance(attributions, list):
        return ["'attributions' is not a list"]
    out = []
    for k, a in enumerate(attributions, 1):
        name = f"attribution {k}" + (f" ({a['id']})" if isinstance(a, dict) and "id" in a else "")
        if not isinstance(a, dict):
            out.append(f"{name} is not an object with source, cue and content")
            continue
        for r in ROLES:
            spans = a.get(r, [])
            if not isinstance(spans, list):
                out.append(f"{name}: {r} is not a list of [start, end] spans")
                continue
            for sp in spans:
                ok = isinstance(sp, (list, tuple)) and len(sp) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in sp)
                if not ok:
                    out.append(f"{name}: {r} span {sp!r} is not a pair of integer offsets")
                elif sp[0] > sp[1]:
                    out.append(f"{name}: {r} span {list(sp)} ends before it starts")
                elif sp[0] < 0 or sp[1] > len(text):
                    out.append(f"{name}: {r} span {list(sp)} lies outside the text ({len(text)} characters)")
    return out


def _raise_problems(path, problems: list[str], hint: str) -> None:
    if not problems:
        return
    shown = "; ".join(problems[:_SHOWN_PROBLEMS])
    more = f"; and {len(problems) - _SHOWN_PROBLEMS} more" if len(problems) > _SHOWN_PROBLEMS else ""
    raise EvaluationError(f"{Path(path)}: {len(problems)} problem{'s' * (len(problems) != 1)}: {shown}{more} ({hint})")


def _prf(tp: float, n_pred: float, n_gold: float, tp_gold: Optional[float] = None) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = (tp if tp_gold is None else tp_gold) / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


# --------------------------------------------------------------------------- per-article counts
def score_article(text: str, gold: list[dict], pred: list[dict]) -> dict:
    """Raw counts for one article (sum them over articles, then ``summarise``)."""
    tokens = tokenize(text)
    starts = [t[0] for t in tokens]
    G = [{r: token_set(a.get(r, []), tokens, starts) for r in ROLES} for a in gold]
    P = [{r: token_set(a.get(r, []), tokens, starts) for r in ROLES} for a in pred]
    c: dict = defaultdict(float)
    c["n_gold"], c["n_pred"] = len(gold), len(pred)

    # token overlap (sets per article and role)
    for r in ROLES:
        g = frozenset().union(*(x[r] for x in G)) if G else frozenset()
        p = frozenset().union(*(x[r] for x in P)) if P else frozenset()
        c[f"tok_{r}_tp"] += len(g & p)
        c[f"tok_{r}_gold"] += len(g)
        c[f"tok_{r}_pred"] += len(p)

    # exact: align by content-token overlap
    w = np.zeros((len(P), len(G)))
    for i, p in enumerate(P):
        for j, g in enumerate(G):
            w[i, j] = len(p["content"] & g["content"])
    norm = lambda a, r: normalise_spans(a.get(r, []), text, keep_colon=(r == "cue"))  # noqa: E731
    for r in ROLES:
        c[f"ex_{r}_gold"] += sum(1 for a in gold if norm(a, r))
        c[f"ex_{r}_pred"] += sum(1 for a in pred if norm(a, r))
    for i, j in best_pairs(w):
        same = {r: norm(pred[i], r) == norm(gold[j], r) for r in ROLES}
        for r in ROLES:
            if same[r] and norm(gold[j], r):
                c[f"ex_{r}_tp"] += 1
        if all(same.values()):
            c["ex_overall_tp"] += 1

    # relaxed
    for name, need_source in (("rel", True), ("relns", False)):
        w = np.zeros((len(P), len(G)))
        for i, p in enumerate(P):
            for j, g in enumerate(G):
                a, b = p["content"], g["content"]
                if not contents_match(a, b):
                    continue
                inter = len(a & b)
                if need_source:
                    if not g["source"]:
                        if p["source"]:
                            continue
                    elif not (p["source"] & g["source"]):
                        continue
                w[i, j] = 1.0 + inter / len(a | b)
        c[f"{name}_tp"] += len(best_pairs(w))
    return dict(c)


def summarise(c: dict) -> dict:
    """Turn summed counts into P/R/F1 tables."""
    out = {"exact": {}, "token": {}, "relaxed": {}, "relaxed_nosource": {}}
    for r in ROLES:
        out["exact"][r] = _prf(c.get(f"ex_{r}_tp", 0), c.get(f"ex_{r}_pred", 0), c.get(f"ex_{r}_gold", 0))
        out["token"][r] = _prf(c.get(f"tok_{r}_tp", 0), c.get(f"tok_{r}_pred", 0), c.get(f"tok_{r}_gold", 0))
    out["exact"]["overall"] = _prf(c.get("ex_overall_tp", 0), c.get("n_pred", 0), c.get("n_gold", 0))
    out["token"]["overall"] = _prf(
        sum(c.get(f"tok_{r}_tp", 0) for r in ROLES),
        sum(c.get(f"tok_{r}_pred", 0) for r in ROLES),
        sum(c.get(f"tok_{r}_gold", 0) for r in ROLES),
    )
    out["relaxed"]["overall"] = _prf(c.get("rel_tp", 0), c.get("n_pred", 0), c.get("n_gold", 0))
    out["relaxed_nosource"]["overall"] = _prf(c.get("relns_tp", 0), c.get("n_pred", 0), c.get("n_gold", 0))
    return out


def _add(total: dict, part: dict) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0) + v


# --------------------------------------------------------------------------- running the extractor
def spans_to_lists(attributions) -> list[dict]:
    """``model.Attribution`` objects -> the gold JSONL shape."""
    return [
        {
            "source": [[s.start, s.end] for s in a.source],
            "cue": [[s.start, s.end] for s in a.cue],
            "content": [[s.start, s.end] for s in a.content],
        }
        for a in attributions
    ]


def evaluate(
    gold_path,
    split_by: Optional[str] = None,
    predictions_path=None,
    limit: Optional[int] = None,
    nlp=None,
    progress: bool = False,
    baseline_path=None,
) -> dict:
    """Run the extractor on every gold article and score it; returns a JSON-able dict.

    ``predictions_path`` receives the extractor's output in the gold shape (score it
    again, or with another scorer, via ``score_file``). ``baseline_path``: a predictions
    file to compare with, article by article (``paired_differences``)."""
    from ..attribution import extract_attributions
    from ..nlp import load_pipeline

    rows = read_jsonl(gold_path, limit)
    baseline = _read_baseline(baseline_path, rows)  # a bad baseline file fails now, not after the run
    nlp = nlp or load_pipeline()
    if rows:  # loads the models before timing starts; the first article, so every lookup of texts knows it
        extract_attributions(nlp(rows[0]["text"]))
    words = 0
    t_parse = t_extract = 0.0
    preds = []
    out_fh = open(predictions_path, "w", encoding="utf-8") if predictions_path else None
    try:
        for n, row in enumerate(rows, 1):
            text = row["text"]
            t0 = time.perf_counter()
            if len(text) >= nlp.max_length:
                nlp.max_length = len(text) + 1
            doc = nlp(text)
            t1 = time.perf_counter()
            attrs = extract_attributions(doc)
            t2 = time.perf_counter()
            t_parse += t1 - t0
            t_extract += t2 - t1
            words += len(text.split())
            preds.append(spans_to_lists(attrs))
            if out_fh:
                out_fh.write(json.dumps({"id": row.get("id"), "attributions": preds[-1]}, ensure_ascii=False) + "\n")
            if progress and n % 10 == 0:
                print(f"  {n}/{len(rows)} articles", file=sys.stderr, flush=True)
    finally:
        if out_fh:
            out_fh.close()
    result = _result(gold_path, rows, preds, split_by, baseline)
    result["speed"] = {
        "words_per_second": round(words / (t_parse + t_extract), 1) if words else 0.0,
        "parse_words_per_second": round(words / t_parse, 1) if words else 0.0,
        "ratio": round(t_parse / (t_parse + t_extract), 3) if words else 0.0,
        "extract_seconds": round(t_extract, 3),
        "parse_seconds": round(t_parse, 3),
    }
    return result


def score_file(gold_path, predictions_path, split_by: Optional[str] = None, limit: Optional[int] = None, baseline_path=None) -> dict:
    """Score a predictions file (the gold JSONL shape, matched by ``id``) without running the
    extractor: another system's output, or one of ours saved with ``--predictions``."""
    rows = read_jsonl(gold_path, limit)
    preds, extra = read_predictions(predictions_path, rows)
    result = _result(gold_path, rows, preds, split_by, _read_baseline(baseline_path, rows))
    result["predictions"] = str(predictions_path)
    result["ignored_predictions"] = extra
    return result


def _read_baseline(path, rows: list[dict]) -> Optional[dict]:
    """A baseline predictions file, read and checked once: ``{"predictions", "attributions", "ignored"}``."""
    if path is None:
        return None
    preds, extra = read_predictions(path, rows)
    return {"predictions": str(path), "attributions": preds, "ignored": extra}


def _result(gold_path, rows: list[dict], preds: list[list[dict]], split_by: Optional[str], baseline: Optional[dict] = None) -> dict:
    per_article = [score_article(row["text"], row["attributions"], pred) for row, pred in zip(rows, preds)]
    totals = _total(per_article)
    groups: dict[str, dict] = defaultdict(dict)
    if split_by:
        for row, counts in zip(rows, per_article):
            _add(groups[str(row.get(split_by))], counts)
    result = {
        "gold": str(gold_path),
        "articles": len(rows),
        "words": sum(len(row["text"].split()) for row in rows),
        "attributions_gold": int(totals.get("n_gold", 0)),
        "attributions_pred": int(totals.get("n_pred", 0)),
        "metrics": summarise(totals),
        "intervals": bootstrap_intervals(per_article) if per_article else {},
    }
    if baseline is not None:
        per_base = [score_article(row["text"], row["attributions"], pred) for row, pred in zip(rows, baseline["attributions"])]
        result["baseline"] = {
            "predictions": baseline["predictions"],
            "metrics": summarise(_total(per_base)),
            "differences": paired_differences(per_article, per_base),
            "ignored_predictions": baseline["ignored"],
        }
    if split_by:
        result["split_by"] = split_by
        result["groups"] = {k: {"attributions_gold": int(v.get("n_gold", 0)), "metrics": summarise(v)} for k, v in sorted(groups.items())}
    return result


def bootstrap_intervals(per_article: list[dict], samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> dict:
    """95% percentile intervals of the headline scores (``INTERVAL_METRICS``) over
    ``samples`` resamples of the articles with replacement: how far a score could move
    on another set of articles like these. Deterministic for a given ``seed``."""
    draws = _resampled_scores([per_article], samples, seed)
    return {
        label: {"low": _pct(v[0], 2.5), "high": _pct(v[0], 97.5), "samples": samples}
        for label, v in draws.items()
    }


def paired_differences(per_article: list[dict], baseline: list[dict], samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> dict:
    """Headline scores minus a baseline's on the same articles, each with a paired 95%
    interval (both systems are scored on the same resampled articles, so the interval is
    much narrower than either score's own): ``{label: {"difference", "low", "high"}}``.
    An interval that excludes 0 is a difference these articles can tell apart."""
    if not per_article:
        return {}
    ours, theirs = summarise(_total(per_article)), summarise(_total(baseline))
    draws = _resampled_scores([per_article, baseline], samples, seed)
    out = {}
    for label, kind, role in INTERVAL_METRICS:
        d = [x - y for x, y in zip(*draws[label])]
        out[label] = {
            "difference": round(ours[kind][role]["f1"] - theirs[kind][role]["f1"], 4),
            "low": _pct(d, 2.5),
            "high": _pct(d, 97.5),
            "samples": samples,
        }
    return out


def _total(per_article: list[dict]) -> dict:
    total: dict = {}
    for c in per_article:
        _add(total, c)
    return total


def _pct(values, q: float) -> float:
    return round(float(np.percentile(values, q)), 4) if len(values) else 0.0


def _resampled_scores(systems: list[list[dict]], samples: int, seed: int) -> dict[str, list[list[float]]]:
    """For each ``INTERVAL_METRICS`` label, one list of resampled F1s per system; every
    resample draws the same articles for all systems (paired)."""
    draws: dict[str, list[list[float]]] = {label: [[] for _ in systems] for label, _, _ in INTERVAL_METRICS}
    n = len(systems[0])
    if not n:
        return draws
    keys = sorted(set().union(*(c for per in systems for c in per)))
    mats = [np.array([[c.get(k, 0.0) for k in keys] for c in per]) for per in systems]
    rng = np.random.default_rng(seed)
    for _ in range(samples):
        picked = rng.integers(0, n, n)
        for s, mat in enumerate(mats):
            m = summarise(dict(zip(keys, mat[picked].sum(axis=0))))
            for label, kind, role in INTERVAL_METRICS:
                draws[label][s].append(m[kind][role]["f1"])
    return draws


# --------------------------------------------------------------------------- display
def format_table(metrics: dict) -> str:
    lines = [f"{'metric':<18}{'role':<9}{'P':>7}{'R':>7}{'F1':>7}"]
    for kind in ("exact", "token", "relaxed", "relaxed_nosource"):
        for role, v in metrics[kind].items():
            lines.append(f"{kind:<18}{role:<9}{v['p']:>7.3f}{v['r']:>7.3f}{v['f1']:>7.3f}")
    return "\n".join(lines)


def format_report(result: dict) -> str:
    head = f"{result['gold']}: {result['articles']} articles, {result['words']} words, "
    head += f"{result['attributions_gold']} gold / {result['attributions_pred']} predicted attributions"
    if "predictions" in result:
        head += f" (from {result['predictions']})"
    parts = [head, format_table(result["metrics"])]
    if result.get("intervals"):
        m = result["metrics"]
        lines = [f"95% intervals over {next(iter(result['intervals'].values()))['samples']} resamples of the articles:"]
        for label, kind, role in INTERVAL_METRICS:
            iv = result["intervals"][label]
            lines.append(f"  {label:<27}{m[kind][role]['f1']:.3f}  ({iv['low']:.3f} to {iv['high']:.3f})")
        parts.append("\n".join(lines))
    base = result.get("baseline")
    if base and base["differences"]:
        lines = [f"compared with {base['predictions']} (same articles; paired 95% intervals of the difference):"]
        for label, kind, role in INTERVAL_METRICS:
            d = base["differences"][label]
            verdict = "better" if d["low"] > 0 else "worse" if d["high"] < 0 else "no clear difference"
            lines.append(
                f"  {label:<27}{base['metrics'][kind][role]['f1']:.3f} -> {result['metrics'][kind][role]['f1']:.3f}  "
                f"{d['difference']:+.3f} ({d['low']:+.3f} to {d['high']:+.3f}): {verdict}"
            )
        parts.append("\n".join(lines))
    sp = result.get("speed")
    if sp:
        parts.append(f"speed: {sp['words_per_second']:.0f} words/s (bare parse {sp['parse_words_per_second']:.0f} words/s, ratio {sp['ratio']:.2f})")
    extra = result.get("ignored_predictions")
    if extra:
        parts.append(f"ignored {len(extra)} predicted article(s) not in the gold file: {', '.join(map(str, extra[:5]))}{', ...' if len(extra) > 5 else ''}")
    for name, g in result.get("groups", {}).items():
        m = g["metrics"]
        parts.append(
            f"{result['split_by']}={name}: {g['attributions_gold']} gold; relaxed F1 {m['relaxed']['overall']['f1']:.3f}, "
            f"content token F1 {m['token']['content']['f1']:.3f}, source token F1 {m['token']['source']['f1']:.3f}, "
            f"cue exact F1 {m['exact']['cue']['f1']:.3f}"
        )
    return "\n\n".join(parts)


def run_cli(args) -> int:
    """Entry point for ``sourcecheck evaluate`` (args: gold, split_by, json, predictions, score, limit)."""
    if getattr(args, "score", None):
        result = score_file(
            args.gold, args.score, split_by=getattr(args, "split_by", None), limit=getattr(args, "limit", None),
            baseline_path=getattr(args, "baseline", None),
        )
    else:
        result = evaluate(
            args.gold,
            split_by=getattr(args, "split_by", None),
            predictions_path=getattr(args, "predictions", None),
            limit=getattr(args, "limit", None),
            progress=True,
            baseline_path=getattr(args, "baseline", None),
        )
    print(format_report(result))
    out = getattr(args, "json", None)
    if out:
        Path(out).write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"\nwrote {out}")
    return 0
