"""Score cross-source flags against the annotated conflict set (``sourcecheck evaluate-flags``).

The gold set (default: the shipped ``sourcecheck/data/conflicts_dev.jsonl``, built
from PolNeAR dev articles by hand; guideline in ``docs/conflict-guideline.md``)
has one article a line::

    {"id": "...", "publisher": "...", "text": "...", "conflict_free": false,
     "conflicts": [{"claim": {"start", "end", "text"}, "evidence": [{...}], "relation": "contradicts", "note": "..."}]}

Claims come from one of two sources (``claims``):

* ``gold``: PolNeAR's gold attributions for the article (looked up by id in
  ``dev.jsonl``; speaker = the source text, unresolved pronouns included) plus one
  unattributed assertion per sentence with no attribution: measures the
  cross-checking alone.
* ``pipeline``: the full pipeline (extractor, speakers, claims): measures what a
  user gets.

A predicted flag matches a gold conflict when its claim overlaps the gold claim
span (for *shifts*, either of the two statements); each gold item and each flag
is used once. ``strict`` also requires the same relation; ``any`` counts any
conflict relation. Per relation: precision over flags of that relation,
recall over gold items of that relation (strict). Every flag on a
conflict-free article is a false conflict flag (reported per article).
"""
from __future__ import annotations

import json
import sys
import time

import numpy as np
from collections import Counter
from pathlib import Path
from typing import Optional

from ..errors import EvaluationError
from . import polnear_dir, read_jsonl_numbered

DEFAULT_GOLD = Path(__file__).resolve().parent.parent / "data" / "conflicts_dev.jsonl"
RELATIONS = ("contradicts", "denies", "disputes", "not_confirmed", "unverified", "shifts", "numeric_mismatch")


def polnear_dev_path() -> Optional[Path]:
    """PolNeAR ``dev.jsonl`` (see ``sourcecheck.evaluation.polnear_dir``), or ``None``."""
    d = polnear_dir()
    return d / "dev.jsonl" if d else None


def read_gold(path=None) -> list[dict]:
    p = Path(path) if path else DEFAULT_GOLD
    numbered = read_jsonl_numbered(p, ("text", "conflicts"), "conflict set", "a JSONL file in the conflicts_dev.jsonl format")
    seen = set()
    for n, row in numbered:
        if row.get("id") in seen:
            raise EvaluationError(f"{p}: line {n}: article {row.get('id')!r} appears twice")
        seen.add(row.get("id"))
        if row.get("conflict_free") and row["conflicts"]:
            raise EvaluationError(f"{p}: line {n}: marked conflict_free but lists {len(row['conflicts'])} conflicts")
        for k, c in enumerate(row["conflicts"], 1):
            if c.get("relation") not in RELATIONS:
                raise EvaluationError(f"{p}: line {n}: conflict {k}: relation {c.get('relation')!r} is not one of {', '.join(RELATIONS)}")
            if not c.get("evidence"):
                raise EvaluationError(f"{p}: line {n}: conflict {k}: no evidence passage")
            for sp in [c["claim"], *c["evidence"]]:
                if row["text"][sp["start"]:sp["end"]] != sp["text"]:
                    raise EvaluationError(f"{p}: line {n}: span {sp['start']}:{sp['end']} does not match the text")
    return [row for _, row in numbered]


# --------------------------------------------------------------------------- claims for an article
def gold_claims(text: str, attributions: list[dict], doc) -> list:
    """PolNeAR gold attributions -> ``model.Claim`` (speaker = source text) + unattributed sentences."""
    from ..model import Claim, Span, dedupe_ids, spans_text, stable_id

    claims = []
    covered = []
    for a in attributions:
        content = [Span.of(text, s, e) for s, e in a["content"]]
        source = " ".join(text[s:e] for s, e in a.get("source", [])) or None
        cue = " ".join(text[s:e] for s, e in a.get("cue", []))
        sent = next((Span.of(text, s.start_char, s.end_char) for s in doc.sents if s.start_char <= content[0].start < s.end_char), None)
        claims.append(Claim(stable_id("c", spans_text(content, " "), source or ""), spans_text(content), content, a.get("id", "A"),
                            speaker=source, cue=cue, kind="statement", sentence=sent,
                            quote_type="direct" if any(q in spans_text(content) for q in "“\"") else "indirect"))
        covered += [(s, e) for role in ("source", "cue", "content") for s, e in a.get(role, [])]
    for s in doc.sents:
        if any(a < s.end_char and b > s.start_char for a, b in covered) or len(s.text.split()) < 4:
            continue
        sp = Span.of(text, s.start_char, s.end_char)
        claims.append(Claim(stable_id("c", sp.text, ""), sp.text, [sp], None, kind="assertion", sentence=sp))
    ids = dedupe_ids([c.id for c in claims])
    for c, i in zip(claims, ids):
        c.id = i
    return claims


def _flags_for(row: dict, mode: str, polnear: dict, nlp, judge) -> list:
    from ..article import article_from_text
    from ..crosscheck import check_claims

    article = article_from_text(row["text"], slug=row["id"])
    if mode == "pipeline":
        from ..pipeline import analyze_article

        return [f for f in analyze_article(article, judge=judge, nlp=nlp).flags if f.relation in RELATIONS]
    if row["id"] not in polnear:
        raise EvaluationError(f"article {row['id']!r} is not in PolNeAR train/dev; set SOURCECHECK_POLNEAR_DIR or use claims='pipeline'")
    doc = nlp(row["text"])
    claims = gold_claims(row["text"], polnear[row["id"]]["attributions"], doc)
    return check_claims(article, doc, claims, judge=judge)[1]


# --------------------------------------------------------------------------- scoring
def overlaps(a: dict, start: int, end: int) -> bool:
    """A ``{start, end}`` span of the conflict set overlaps ``start:end``."""
    return a["start"] < end and start < a["end"]


def match(gold: list[dict], flags: list) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(strict pairs, any-conflict pairs) of (gold index, flag index), one-to-one, greedy in text order."""
    out = []
    for strict in (True, False):
        used_g, used_f, pairs = set(), set(), []
        for gi, g in enumerate(gold):
            for fi, f in enumerate(flags):
                if fi in used_f or (strict and f.relation != g["relation"]):
                    continue
                sp = f.claim_span
                spans = [g["claim"]] + (g["evidence"] if g["relation"] == "shifts" else [])
                if sp and any(overlaps(x, sp.start, sp.end) for x in spans):
                    pairs.append((gi, fi))
                    used_g.add(gi)
                    used_f.add(fi)
                    break
        out.append(pairs)
    return out[0], out[1]


def _prf(tp, pred, gold) -> dict:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0, "tp": tp, "pred": pred, "gold": gold}


def score_flags(rows: list[dict], flags_per_row: list[list], intervals: bool = True, seed: int = 0) -> dict:
    """Score flags against the conflict set; a flag that only matches an item marked doubtful counts neither way."""
    tp_s, tp_a = Counter(), 0
    pred_by, gold_by = Counter(), Counter()
    n_pred = n_gold = 0
    free_flags, free_articles, details, per_article = 0, 0, [], []
    for row, flags in zip(rows, flags_per_row):
        gold = [g for g in row["conflicts"] if not g.get("doubtful")]
        doubtful = [g for g in row["conflicts"] if g.get("doubtful")]
        strict, anyp = match(gold, flags)
        matched = {fi for _, fi in anyp}
        if doubtful:
            rest = [f for fi, f in enumerate(flags) if fi not in matched]
            _, soft = match(doubtful, rest)
            soft_ids = {id(rest[fi]) for _, fi in soft}
            flags = [f for f in flags if id(f) not in soft_ids]
            strict, anyp = match(gold, flags)
            matched = {fi for _, fi in anyp}
        n_pred += len(flags)
        n_gold += len(gold)
        tp_a += len(anyp)
        for f in flags:
            pred_by[f.relation] += 1
        for g in gold:
            gold_by[g["relation"]] += 1
        for gi, fi in strict:
            tp_s[gold[gi]["relation"]] += 1
        free = bool(row.get("conflict_free"))
        if free:
            free_articles += 1
            free_flags += len(flags)
        per_article.append((len(anyp), len(flags), len(gold), free, len(flags) if free else 0))
        details.append({
            "id": row["id"], "conflict_free": free, "gold": len(gold),
            "flags": len(flags), "strict_tp": len(strict), "any_tp": len(anyp),
            "missed": [f"{g['relation']}: {g['claim']['text'][:70]}" for gi, g in enumerate(gold) if gi not in {x for x, _ in anyp}],
            "false": [f"{f.relation}: {(f.claim_span.text if f.claim_span else '')[:70]}" for fi, f in enumerate(flags) if fi not in matched],
        })
    per = {rel: _prf(tp_s[rel], pred_by[rel], gold_by[rel]) for rel in RELATIONS if pred_by[rel] or gold_by[rel]}
    res = {
        "articles": len(rows),
        "conflict_free_articles": free_articles,
        "strict": _prf(sum(tp_s.values()), n_pred, n_gold),
        "any_conflict": _prf(tp_a, n_pred, n_gold),
        "per_relation": per,
        "false_flags_on_conflict_free": free_flags,
        "false_flags_per_conflict_free_article": round(free_flags / free_articles, 3) if free_articles else 0.0,
        "articles_detail": details,
    }
    if intervals and per_article:
        res["intervals"] = _intervals(np.array(per_article, dtype=float), seed)
    return res


def _intervals(a, seed: int, n: int = 1000) -> dict:
    """95% intervals of any-conflict precision, recall and false flags per conflict-free article (articles resampled)."""
    rng = np.random.default_rng(seed)
    out = {"p": [], "r": [], "false_per_free": []}
    for _ in range(n):
        s = a[rng.integers(0, len(a), len(a))]
        tp, pred, gold, free, ff = s.sum(0)
        out["p"].append(tp / pred if pred else 0.0)
        out["r"].append(tp / gold if gold else 0.0)
        out["false_per_free"].append(ff / free if free else 0.0)
    return {k: [round(float(np.percentile(v, 2.5)), 3), round(float(np.percentile(v, 97.5)), 3)] for k, v in out.items()}


def _polnear_rows(want: set) -> dict:
    d = polnear_dir()
    if d is None:
        raise EvaluationError("PolNeAR data not found for gold claims (set SOURCECHECK_POLNEAR_DIR, or use --claims pipeline)")
    out = {}
    for split in ("train.jsonl", "dev.jsonl"):
        p = d / split
        if p.is_file():
            for line in p.read_text(encoding="utf-8").splitlines():
                r = json.loads(line)
                if r["id"] in want:
                    out[r["id"]] = r
    return out


def evaluate(gold_path=None, claims: str = "gold", judge=None, nlp=None, progress: bool = False) -> dict:
    from ..nlp import load_pipeline

    rows = read_gold(gold_path)
    nlp = nlp or load_pipeline()
    polnear = _polnear_rows({r["id"] for r in rows}) if claims == "gold" else {}
    t0 = time.perf_counter()
    flags = []
    for n, row in enumerate(rows, 1):
        flags.append(_flags_for(row, claims, polnear, nlp, judge))
        if progress and n % 10 == 0:
            print(f"  {n}/{len(rows)} articles", file=sys.stderr, flush=True)
    res = score_flags(rows, flags)
    res.update(gold=str(gold_path or DEFAULT_GOLD), claims=claims, judge=str(judge or "learned"),
               seconds=round(time.perf_counter() - t0, 2))
    return res


def cross_validate(gold_path, folds: int, reranker_oof=None) -> dict:
    """``--folds K``: train the judge on K-1 parts of the conflict set, flag the held-out part, score all (pipeline claims).

    With ``reranker_oof`` (the cross-encoder's out-of-fold scores, ``scripts/train_reranker.py --oof``) the judge
    re-reads its top pairs with the cross-encoder, as the shipped one does."""
    from ..crosscheck import train

    t0 = time.perf_counter()
    res = train.evaluate_folds(train.prepare_cached(Path(gold_path)), folds, reranker_oof)[3]
    res.update(gold=str(gold_path), seconds=round(time.perf_counter() - t0, 2))
    return res


def format_report(res: dict) -> str:
    lines = [
        f"{res['gold']}: {res['articles']} articles ({res['conflict_free_articles']} conflict-free); claims: {res['claims']}; judge: {res['judge']}",
        f"{'relation':<18}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'pred':>6}{'gold':>6}",
    ]
    for name, v in list(res["per_relation"].items()) + [("ALL (strict)", res["strict"]), ("ALL (any conflict)", res["any_conflict"])]:
        lines.append(f"{name:<18}{v['p']:>7.3f}{v['r']:>7.3f}{v['f1']:>7.3f}{v['tp']:>5}{v['pred']:>6}{v['gold']:>6}")
    lines.append(f"false conflict flags on conflict-free articles: {res['false_flags_on_conflict_free']} "
                 f"({res['false_flags_per_conflict_free_article']:.2f} per article); {res.get('seconds', 0):.1f} s")
    iv = res.get("intervals")
    if iv:
        lines.append(f"95% intervals (articles resampled): any-conflict P {iv['p'][0]:.2f}-{iv['p'][1]:.2f}, "
                     f"R {iv['r'][0]:.2f}-{iv['r'][1]:.2f}, false flags per conflict-free article "
                     f"{iv['false_per_free'][0]:.2f}-{iv['false_per_free'][1]:.2f}")
    return "\n".join(lines)


def format_misses(res: dict) -> str:
    """Per article: the gold conflicts no flag found (MISS) and the flags that match no gold item (FALSE)."""
    lines = []
    for d in res["articles_detail"]:
        if d["missed"] or d["false"]:
            lines.append(f"{d['id']} ({'conflict-free' if d['conflict_free'] else str(d['gold']) + ' gold'}, {d['flags']} flags)")
            lines += [f"  MISS  {m}" for m in d["missed"]] + [f"  FALSE {f}" for f in d["false"]]
    return "\n".join(lines) or "no misses, no false flags"


def train_sample_rate(n: int = 40, seed: int = 0, judge=None, nlp=None, path=None) -> dict:
    """Flags per article on ``n`` random PolNeAR **train** articles (no conflict gold: a check that the rules
    do not fire everywhere). Claims from the gold attributions, as in ``claims='gold'``."""
    import random

    from ..article import article_from_text
    from ..crosscheck import check_claims
    from ..nlp import load_pipeline

    dev = polnear_dev_path()
    p = Path(path) if path else (dev.parent / "train.jsonl" if dev else None)
    if p is None or not p.is_file():
        raise EvaluationError("PolNeAR train.jsonl not found (set SOURCECHECK_POLNEAR_DIR)")
    rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = random.Random(seed).sample(rows, min(n, len(rows)))
    nlp = nlp or load_pipeline()
    per, shown = Counter(), []
    for r in rows:
        doc = nlp(r["text"])
        claims = gold_claims(r["text"], r["attributions"], doc)
        fl = check_claims(article_from_text(r["text"], slug=r["id"]), doc, claims, judge=judge)[1]
        for f in fl:
            per[f.relation] += 1
            shown.append(f"{r['id']}: {f.relation}: {(f.claim_span.text if f.claim_span else '')[:70]}")
    total = sum(per.values())
    return {"articles": len(rows), "seed": seed, "flags": total, "per_article": round(total / len(rows), 3),
            "per_relation": dict(per), "flags_detail": shown}


def run_cli(args) -> int:
    """Entry point for ``sourcecheck evaluate-flags`` (args: gold (optional), json; optional claims, judge,
    show_misses)."""
    if getattr(args, "folds", None):
        res = cross_validate(getattr(args, "gold", None) or (DEFAULT_GOLD.parent / "conflicts_train.jsonl"), args.folds,
                             getattr(args, "reranker_oof", None))
    else:
        res = evaluate(getattr(args, "gold", None), claims=getattr(args, "claims", None) or "gold",
                       judge=getattr(args, "judge", None), progress=True)
    print(format_report(res))
    if getattr(args, "show_misses", False):
        print("\n" + format_misses(res))
    out = getattr(args, "json", None)
    if out:
        Path(out).write_text(json.dumps(res, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":  # python -m sourcecheck.evaluation.flags [--show-misses] [--train-sample N] ...
    import argparse

    ap = argparse.ArgumentParser(description="score cross-source flags (as sourcecheck evaluate-flags), with misses")
    ap.add_argument("gold", nargs="?")
    ap.add_argument("--json")
    ap.add_argument("--claims", choices=["gold", "pipeline"], default="gold")
    ap.add_argument("--judge")
    ap.add_argument("--show-misses", action="store_true", help="list missed gold conflicts and false flags")
    ap.add_argument("--train-sample", type=int, metavar="N", help="instead: flags per article on N PolNeAR train articles")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.train_sample:
        out = train_sample_rate(a.train_sample, a.seed, judge=a.judge)
        print("\n".join(out.pop("flags_detail")))
        print(out)
    else:
        sys.exit(run_cli(a))
