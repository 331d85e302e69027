"""Build the training conflict set from PolNeAR train (issue 15).

Labels are written by reading each article whole, with the guideline in
``docs/conflict-guideline.md``, into *raw* files under ``data/conflicts_train/raw/``
(one JSON object a line, spans given as exact text, not offsets)::

    {"id": "<PolNeAR id>", "pass": 1, "annotator": "L3", "conflict_free": false,
     "conflicts": [{"claim": "exact text", "evidence": ["exact text", ...],
                    "relation": "denies", "note": "why", "doubtful": false}]}

A span that occurs more than once in the article is written as
``{"text": "...", "n": 2}`` (the 2nd occurrence, counting from 1).

Commands::

    python scripts/conflicts_train.py select            # the article sample (deterministic)
    python scripts/conflicts_train.py batches OUTDIR K [--sample 2|3|4|5 | --second-pass 2|4]  # split a sample into K reading batches
    python scripts/conflicts_train.py check RAW...      # validate raw files, one line per problem
    python scripts/conflicts_train.py build             # raw -> lib/sourcecheck/data/conflicts_train*.jsonl
    python scripts/conflicts_train.py agreement         # pair-level F1 between the two independent passes
"""
from __future__ import annotations

import functools
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))
from sourcecheck.evaluation import polnear_dir  # noqa: E402  (also finds shared/ from a CI clone in a scratch folder)

POLNEAR = (polnear_dir() or ROOT.parent / "shared" / "data" / "polnear") / "train.jsonl"
RAW = ROOT / "data" / "conflicts_train" / "raw"
OUT_PASS1 = ROOT / "lib" / "sourcecheck" / "data" / "conflicts_train.jsonl"
OUT_PASS2 = ROOT / "lib" / "sourcecheck" / "data" / "conflicts_train_second_pass.jsonl"
RELATIONS = ("contradicts", "denies", "disputes", "not_confirmed", "unverified", "shifts", "numeric_mismatch")
PER_PUBLISHER = 29
DOUBLE = 40
SEED = 15
EXTRA_PER_PUBLISHER = 15  # a second sample (2026-12-04), drawn from the articles the first one left
THIRD_PER_PUBLISHER = 20  # a third (2026-12-04), from the articles neither took
EXTRA_DOUBLE = 21         # of which this many are labelled twice
FOURTH_PER_PUBLISHER = 20  # a fourth (2026-12-07), from the articles none of the three took
FOURTH_DOUBLE = 21        # of which this many are labelled twice
FIFTH_PER_PUBLISHER = 20  # a fifth (2026-12-07), from the rest; the 112 articles left serve the judge's score map


@functools.lru_cache(maxsize=1)
def articles() -> dict[str, dict]:
    """PolNeAR train by id, read once (every sample is drawn from it); callers only read it."""
    with open(POLNEAR, encoding="utf-8") as f:
        return {a["id"]: a for a in map(json.loads, f)}


def select() -> tuple[list[str], list[str]]:
    """29 articles per publisher (203), and 40 of them for a second, independent pass."""
    by_pub = defaultdict(list)
    for aid, a in sorted(articles().items()):
        by_pub[a["publisher"]].append(aid)
    rng = random.Random(SEED)
    chosen = []
    for pub in sorted(by_pub):
        chosen += sorted(rng.sample(by_pub[pub], PER_PUBLISHER))
    double = sorted(rng.sample(chosen, DOUBLE))
    return chosen, double


def _sample_rest(taken: set, per_publisher: int, seed: int) -> list[str]:
    by_pub = defaultdict(list)
    for aid, a in sorted(articles().items()):
        if aid not in taken:
            by_pub[a["publisher"]].append(aid)
    rng = random.Random(seed)
    return [aid for pub in sorted(by_pub) for aid in sorted(rng.sample(by_pub[pub], per_publisher))]


#: The samples after the first, in order, each drawn from the articles no earlier sample took:
#: sample number -> (articles per publisher, seed).
LATER_SAMPLES = {2: (EXTRA_PER_PUBLISHER, SEED + 2), 3: (THIRD_PER_PUBLISHER, SEED + 4),
                 4: (FOURTH_PER_PUBLISHER, SEED + 6), 5: (FIFTH_PER_PUBLISHER, SEED + 8)}


@functools.lru_cache(maxsize=1)
def _later_samples() -> dict[int, list[str]]:
    taken, out = set(select()[0]), {}
    for k, (per_publisher, seed) in LATER_SAMPLES.items():
        out[k] = _sample_rest(taken, per_publisher, seed)
        taken |= set(out[k])
    return out


def sample(k: int) -> list[str]:
    """The articles of sample ``k`` (2 to 5): 15, 20, 20 and 20 per publisher, none in an earlier sample."""
    return list(_later_samples()[k])


def select_extra() -> list[str]:
    """Every article after the first sample (the second to fifth samples)."""
    return [aid for k in LATER_SAMPLES for aid in sample(k)]


def _double(ids: list[str], n: int, seed: int) -> list[str]:
    arts, by_pub = articles(), defaultdict(list)
    for aid in ids:
        by_pub[arts[aid]["publisher"]].append(aid)
    rng = random.Random(seed)
    return sorted(aid for pub in sorted(by_pub) for aid in rng.sample(by_pub[pub], n // len(by_pub)))


def select_extra_double() -> list[str]:
    """The second sample's articles that a second reader labels too (3 per publisher)."""
    return _double(sample(2), EXTRA_DOUBLE, SEED + 3)


def select_fourth_double() -> list[str]:
    """The fourth sample's articles that a second reader labels too (3 per publisher)."""
    return _double(sample(4), FOURTH_DOUBLE, SEED + 7)


def _locate(text: str, span, what: str) -> tuple[int, int] | str:
    if isinstance(span, dict):
        s, n = span.get("text"), span.get("n", 1)
    else:
        s, n = span, 1
    if not isinstance(s, str) or not s.strip():
        return f"{what}: empty or not a string"
    hits, i = [], text.find(s)
    while i >= 0:
        hits.append(i)
        i = text.find(s, i + 1)
    if not hits:
        return f"{what}: not found in the article text: {s[:70]!r}"
    if len(hits) > 1 and not isinstance(span, dict):
        return f"{what}: occurs {len(hits)} times; write {{\"text\": ..., \"n\": k}} or a longer span: {s[:70]!r}"
    if not isinstance(n, int) or not 1 <= n <= len(hits):
        return f"{what}: occurrence n={n} but the text occurs {len(hits)} times: {s[:70]!r}"
    return hits[n - 1], hits[n - 1] + len(s)


def convert(row: dict, arts: dict) -> tuple[dict | None, list[str]]:
    errors = []
    aid = row.get("id")
    if aid not in arts:
        return None, [f"unknown article id {aid!r}"]
    text = arts[aid]["text"]
    items = row.get("conflicts")
    if not isinstance(items, list):
        return None, [f"{aid}: 'conflicts' must be a list"]
    if row.get("conflict_free") and items:
        errors.append(f"{aid}: conflict_free is true but conflicts are listed")
    if not row.get("conflict_free") and not items:
        errors.append(f"{aid}: no conflicts listed: set conflict_free true")
    out = []
    for k, c in enumerate(items, 1):
        rel = c.get("relation")
        if rel not in RELATIONS:
            errors.append(f"{aid}: item {k}: relation {rel!r} is not one of {', '.join(RELATIONS)}")
        claim = _locate(text, c.get("claim"), f"{aid}: item {k}: claim")
        ev = c.get("evidence")
        if not isinstance(ev, list) or not ev:
            errors.append(f"{aid}: item {k}: evidence must be a non-empty list")
            ev = []
        evs = [_locate(text, e, f"{aid}: item {k}: evidence {j}") for j, e in enumerate(ev, 1)]
        bad = [x for x in [claim, *evs] if isinstance(x, str)]
        if bad:
            errors += bad
            continue
        out.append({"claim": {"start": claim[0], "end": claim[1], "text": text[claim[0]:claim[1]]},
                    "evidence": [{"start": s, "end": e, "text": text[s:e]} for s, e in evs],
                    "relation": rel, "note": c.get("note", ""), "doubtful": bool(c.get("doubtful", False))})
    a = arts[aid]
    return {"id": aid, "publisher": a["publisher"], "annotator": row.get("annotator", ""),
            "conflict_free": not out, "conflicts": out, "text": text}, errors


def read_raw(paths) -> list[tuple[str, int, dict]]:
    rows = []
    for p in paths:
        for n, line in enumerate(Path(p).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append((str(p), n, json.loads(line)))
            except json.JSONDecodeError as e:
                rows.append((str(p), n, {"_error": f"not JSON: {e}"}))
    return rows


def check(paths) -> int:
    arts, problems = articles(), 0
    for p, n, row in read_raw(paths):
        if "_error" in row:
            print(f"{p}:{n}: {row['_error']}")
            problems += 1
            continue
        _, errs = convert(row, arts)
        for e in errs:
            print(f"{p}:{n}: {e}")
        problems += len(errs)
    print(f"{problems} problem(s)")
    return 1 if problems else 0


def build() -> int:
    arts = articles()
    chosen, double = select()
    chosen, double = chosen + select_extra(), double + select_extra_double() + select_fourth_double()
    passes: dict[int, dict[str, dict]] = {1: {}, 2: {}}
    problems = 0
    for p, n, row in read_raw(sorted(RAW.glob("*.jsonl"))):
        conv, errs = convert(row, arts) if "_error" not in row else (None, [row["_error"]])
        for e in errs:
            print(f"{p}:{n}: {e}", file=sys.stderr)
        problems += len(errs)
        if conv is None:
            continue
        ps = int(row.get("pass", 1))
        if conv["id"] in passes[ps]:
            print(f"{p}:{n}: {conv['id']} labelled twice in pass {ps}", file=sys.stderr)
            problems += 1
        passes[ps][conv["id"]] = conv
    missing = [a for a in chosen if a not in passes[1]]
    missing2 = [a for a in double if a not in passes[2]]
    print(f"pass 1: {len(passes[1])} articles ({len(missing)} of the sample missing); "
          f"pass 2: {len(passes[2])} ({len(missing2)} missing)")
    for out, ps in ((OUT_PASS1, 1), (OUT_PASS2, 2)):
        with open(out, "w", encoding="utf-8") as f:
            for aid in sorted(passes[ps]):
                f.write(json.dumps(passes[ps][aid], ensure_ascii=False) + "\n")
        print(f"wrote {out.relative_to(ROOT)}")
    return 1 if problems else 0


def batches(outdir: str, k: int, extra: str = "") -> None:
    """Reading batches: pass-1 articles split K ways; each pass-2 article goes to a different reader.

    ``extra``: a later sample's articles instead, split K ways, pass 1 only (``--sample 2`` to
    ``5``), or the second or fourth sample's articles labelled twice (``--second-pass 2|4``), pass 2.
    """
    arts = articles()
    if extra.startswith("second-pass"):
        chosen, double = [], {"second-pass 2": select_extra_double, "second-pass 4": select_fourth_double}[extra]()
    elif extra:
        chosen, double = sample(int(extra.split()[1])), []
    else:
        chosen, double = select()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED + 1)
    order = chosen[:]
    rng.shuffle(order)
    first = {aid: i % k for i, aid in enumerate(order)}
    jobs = defaultdict(list)
    for aid in order:
        jobs[first[aid]].append((aid, 1))
    for j, aid in enumerate(double):
        jobs[(first[aid] + 1 + j % (k - 1)) % k if aid in first else j % k].append((aid, 2))
    for b in range(k):
        with open(out / f"batch_{b}.txt", "w", encoding="utf-8") as f:
            for aid, ps in jobs[b]:
                a = arts[aid]
                f.write(f"===== ARTICLE id={aid} pass={ps} publisher={a['publisher']} =====\n{a['text']}\n\n")
        print(out / f"batch_{b}.txt", len(jobs[b]), "articles", sum(1 for _, p in jobs[b] if p == 2), "second-pass")


def _ov(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _same_item(x: dict, y: dict) -> bool:
    """Two labels of one conflict: claims overlap and some evidence overlaps (a shift may be labelled from either side)."""
    if _ov(x["claim"], y["claim"]) and any(_ov(e, f) for e in x["evidence"] for f in y["evidence"]):
        return True
    return any(_ov(x["claim"], f) for f in y["evidence"]) and any(_ov(e, y["claim"]) for e in x["evidence"])


def agreement(include_doubtful: bool = True, ids=None) -> dict:
    """Pair-level F1 between pass 1 and pass 2 on the articles labelled twice (or those of them in ``ids``),
    and relation agreement on matched pairs."""
    one = {r["id"]: r for r in map(json.loads, OUT_PASS1.read_text(encoding="utf-8").splitlines())}
    two = {r["id"]: r for r in map(json.loads, OUT_PASS2.read_text(encoding="utf-8").splitlines())}
    both = set(one) & set(two)
    if ids is not None:
        both &= set(ids)
    both = sorted(both)
    n1 = n2 = m = same_rel = free_agree = 0
    for aid in both:
        a = [c for c in one[aid]["conflicts"] if include_doubtful or not c["doubtful"]]
        b = [c for c in two[aid]["conflicts"] if include_doubtful or not c["doubtful"]]
        n1, n2 = n1 + len(a), n2 + len(b)
        used = set()
        for x in a:
            for j, y in enumerate(b):
                if j not in used and _same_item(x, y):
                    used.add(j)
                    m += 1
                    same_rel += x["relation"] == y["relation"]
                    break
        free_agree += (not a) == (not b)
    f1 = 2 * m / (n1 + n2) if n1 + n2 else 1.0
    return {"articles": len(both), "items_pass1": n1, "items_pass2": n2, "matched": m,
            "pair_f1": round(f1, 3), "same_relation_of_matched": round(same_rel / m, 3) if m else None,
            "conflict_free_agreement": round(free_agree / len(both), 3) if both else None,
            "doubtful_included": include_doubtful}


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "select":
        c, d = select()
        print("\n".join(c + select_extra()))
        print(f"# {len(c)} articles, {len(d)} double; then " + ", ".join(f"{len(sample(k))} in sample {k}" for k in LATER_SAMPLES)
              + f"; {len(select_extra_double())} of sample 2 and {len(select_fourth_double())} of sample 4 double",
              file=sys.stderr)
    elif cmd == "batches":
        which = " ".join(sys.argv[4:6]).lstrip("-")
        if which not in ("", *(f"sample {k}" for k in LATER_SAMPLES), "second-pass 2", "second-pass 4"):
            sys.exit(f"batches: unknown option {' '.join(sys.argv[4:])!r}; use --sample 2 to 5, or --second-pass 2 or 4")
        batches(sys.argv[2], int(sys.argv[3]), extra=which)
    elif cmd == "check":
        sys.exit(check(sys.argv[2:]))
    elif cmd == "build":
        sys.exit(build())
    elif cmd == "agreement":
        for name, ids in (("first sample", select()[1]), ("second sample", select_extra_double()),
                          ("fourth sample", select_fourth_double()), ("all", None)):
            for doubtful in (True, False):
                print(name, json.dumps(agreement(doubtful, ids)))
    else:
        print(__doc__)
        sys.exit(2)
