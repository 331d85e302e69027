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

Speed: words (whitespace-separated) per second of parse + extraction, next to the
bare parse words per second of the same texts in the same run, and their ratio.
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Optional

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..errors import EvaluationError
from . import read_jsonl_rows

ROLES = ("source", "cue", "content")
TOKEN_RE = re.compile(r"\w+|[^\w\s]")
#: Characters trimmed from span edges (and allowed in a mergeable gap) for exact matching.
EDGE_CHARS = set(" \t\r\n\u00a0\u2009\u202f\"'`“”‘’«».,;:!?()[]{}-–—…")
RELAXED_MIN_OVERLAP = 0.5
RELAXED_MIN_JACCARD = 0.3


# --------------------------------------------------------------------------- reading
def read_jsonl(path, limit: Optional[int] = None) -> list[dict]:
    """Read a PolNeAR-format JSONL file (gold or predictions)."""
    return read_jsonl_rows(path, ("attributions",), "gold file", "PolNeAR-format JSONL, e.g. dev.jsonl", limit)


# --------------------------------------------------------------------------- span helpers
def tokenize(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in TOKEN_RE.finditer(text)]


def token_set(spans: Iterable, tokens: list[tuple[int, int]], starts: list[int]) -> frozenset:
    """Indices of tokens overlapping any of ``spans`` (``starts`` = token starts, sorted)."""
    import bisect

    out = set()
    for s, e in spans:
        i = max(bisect.bisect_right(starts, s) - 1, 0)
        while i < len(tokens) and tokens[i][0] < e:
            if tokens[i][1] > s:
                out.add(i)
            i += 1
    return frozenset(out)


def normalise_spans(spans: Iterable, text: str, keep_colon: bool = False) -> tuple:
    """Trim edge punctuation/whitespace and merge across punctuation-only gaps (for exact matching)."""
    trimmed = []
    for s, e in sorted((int(a), int(b)) for a, b in spans):
        s0, e0 = s, e
        while s < e and text[s] in EDGE_CHARS:
            s += 1
        while e > s and text[e - 1] in EDGE_CHARS:
            e -= 1
        if s < e:
            trimmed.append([s, e])
        elif keep_colon and ":" in text[s0:e0]:
            c = s0 + text[s0:e0].index(":")
            trimmed.append([c, c + 1])
    merged: list[list[int]] = []
    for s, e in trimmed:
        if merged and (s <= merged[-1][1] or all(ch in EDGE_CHARS for ch in text[merged[-1][1]:s])):
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple(tuple(x) for x in merged)


def contents_match(a: frozenset, b: frozenset) -> bool:
    """The relaxed score's content condition on two token sets: overlap coefficient >= 0.5
    and Jaccard >= 0.3."""
    inter = len(a & b)
    return bool(inter) and inter / min(len(a), len(b)) >= RELAXED_MIN_OVERLAP and inter / len(a | b) >= RELAXED_MIN_JACCARD


def _prf(tp: float, n_pred: float, n_gold: float, tp_gold: Optional[float] = None) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = (tp if tp_gold is None else tp_gold) / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


def _match(weights: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs maximising total weight; pairs with weight <= 0 are dropped."""
    if weights.size == 0:
        return []
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if weights[r, c] > 0]


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
    for i, j in _match(w):
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
        c[f"{name}_tp"] += len(_match(w))
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
) -> dict:
    """Run the extractor on every gold article and score it; returns a JSON-able dict."""
    from ..attribution import extract_attributions
    from ..nlp import load_pipeline

    rows = read_jsonl(gold_path, limit)
    nlp = nlp or load_pipeline()
    totals: dict = {}
    groups: dict[str, dict] = defaultdict(dict)
    extract_attributions(nlp("Warm-up: the officials said it would load the models."))  # not timed
    words = 0
    t_parse = t_extract = 0.0
    out_fh = open(predictions_path, "w", encoding="utf-8") if predictions_path else None
    try:
        for n, row in enumerate(rows, 1):
            text = row.get("text")
            if not isinstance(text, str):
                raise EvaluationError(f"{gold_path}: article {row.get('id')!r} has no 'text'; gold must carry the article text")
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
            pred = spans_to_lists(attrs)
            counts = score_article(text, row["attributions"], pred)
            _add(totals, counts)
            if split_by:
                _add(groups[str(row.get(split_by))], counts)
            if out_fh:
                out_fh.write(json.dumps({"id": row.get("id"), "attributions": pred}, ensure_ascii=False) + "\n")
            if progress and n % 10 == 0:
                print(f"  {n}/{len(rows)} articles", file=sys.stderr, flush=True)
    finally:
        if out_fh:
            out_fh.close()
    result = {
        "gold": str(gold_path),
        "articles": len(rows),
        "words": words,
        "attributions_gold": int(totals.get("n_gold", 0)),
        "attributions_pred": int(totals.get("n_pred", 0)),
        "metrics": summarise(totals),
        "speed": {
            "words_per_second": round(words / (t_parse + t_extract), 1) if words else 0.0,
            "parse_words_per_second": round(words / t_parse, 1) if words else 0.0,
            "ratio": round(t_parse / (t_parse + t_extract), 3) if words else 0.0,
            "extract_seconds": round(t_extract, 3),
            "parse_seconds": round(t_parse, 3),
        },
    }
    if split_by:
        result["split_by"] = split_by
        result["groups"] = {k: {"attributions_gold": int(v.get("n_gold", 0)), "metrics": summarise(v)} for k, v in sorted(groups.items())}
    return result


# --------------------------------------------------------------------------- display
def format_table(metrics: dict) -> str:
    lines = [f"{'metric':<18}{'role':<9}{'P':>7}{'R':>7}{'F1':>7}"]
    for kind in ("exact", "token", "relaxed", "relaxed_nosource"):
        for role, v in metrics[kind].items():
            lines.append(f"{kind:<18}{role:<9}{v['p']:>7.3f}{v['r']:>7.3f}{v['f1']:>7.3f}")
    return "\n".join(lines)


def format_report(result: dict) -> str:
    sp = result["speed"]
    parts = [
        f"{result['gold']}: {result['articles']} articles, {result['words']} words, "
        f"{result['attributions_gold']} gold / {result['attributions_pred']} predicted attributions",
        format_table(result["metrics"]),
        f"speed: {sp['words_per_second']:.0f} words/s (bare parse {sp['parse_words_per_second']:.0f} words/s, ratio {sp['ratio']:.2f})",
    ]
    for name, g in result.get("groups", {}).items():
        m = g["metrics"]
        parts.append(
            f"{result['split_by']}={name}: {g['attributions_gold']} gold; relaxed F1 {m['relaxed']['overall']['f1']:.3f}, "
            f"content token F1 {m['token']['content']['f1']:.3f}, source token F1 {m['token']['source']['f1']:.3f}, "
            f"cue exact F1 {m['exact']['cue']['f1']:.3f}"
        )
    return "\n\n".join(parts)


def run_cli(args) -> int:
    """Entry point for ``sourcecheck evaluate`` (args: gold, split_by, json, predictions, limit)."""
    result = evaluate(
        args.gold,
        split_by=getattr(args, "split_by", None),
        predictions_path=getattr(args, "predictions", None),
        limit=getattr(args, "limit", None),
        progress=True,
    )
    print(format_report(result))
    out = getattr(args, "json", None)
    if out:
        Path(out).write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"\nwrote {out}")
    return 0
