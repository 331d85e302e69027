"""Measure quote-fidelity classification on real sentences with known edits (PolNeAR).

Each quotation of 8-60 words in a PolNeAR article is treated as a primary document
passage (the article text is the document) and quoted back with one controlled
edit; the edit fixes the expected class and whether it is material:

    none            exact
    upper           cosmetic (case)
    no-punctuation  cosmetic (punctuation)        [only quotations with inner punctuation]
    drop-function   words omitted, not material   [a function word from the middle]
    drop-content    words omitted, material       [a content word from the middle]
    drop-negation   words omitted, material       [only quotations with "not"/"n't"/"never"]
    number          words changed, material       [only quotations with a digit]
    name            words changed, material       [a capitalised word mid-sentence -> "Smith"]
    ellipsis        marked edits                  [three middle words -> "…"]

    .venv/bin/python bench/eval_quote_fidelity.py [--split dev] [--limit 400]

Train was used while developing the rules; report dev.
"""
from __future__ import annotations

import argparse
import collections
import json
import random
import re
import tempfile
import time
from pathlib import Path

from sourcecheck import constants, quotes
from sourcecheck.article import article_from_text
from sourcecheck.evaluation import polnear_dir
from sourcecheck.model import Analysis, Claim, Span

DATA = polnear_dir() or Path(__file__).resolve().parents[2] / "shared" / "data" / "polnear"
WORD = re.compile(r"\w+(?:['’]\w+)*")
EXPECTED = {
    "none": ("exact", False), "upper": ("cosmetic", False), "no-punctuation": ("cosmetic", False),
    "drop-function": ("words omitted", False), "drop-content": ("words omitted", True),
    "drop-negation": ("words omitted", True), "number": ("words changed", True), "name": ("words changed", True),
    "ellipsis": ("marked edits", False),
}


def edits(q: str, rng: random.Random) -> dict[str, str]:
    words = list(WORD.finditer(q))
    mid = words[2:-2]
    out = {"none": q, "upper": q.upper()}
    if re.search(r"\w[,;:]\s", q):
        out["no-punctuation"] = re.sub(r"(?<=\w)[,;:](?=\s)", "", q)
    fw = [m for m in mid if m.group().lower() in constants.FUNCTION_WORDS and m.group().lower() not in ("i",)]
    cw = [m for m in mid if m.group().lower() not in constants.FUNCTION_WORDS and len(m.group()) > 3
          and not m.group()[0].isupper() and not any(ch.isdigit() for ch in m.group())
          and m.group().lower() not in constants.NEGATION_WORDS | constants.MODAL_WORDS | constants.NUMBER_WORDS]

    def drop(m):
        return (q[:m.start()] + q[m.end():]).replace("  ", " ")

    if fw:
        out["drop-function"] = drop(rng.choice(fw))
    if cw:
        out["drop-content"] = drop(rng.choice(cw))
    neg = [m for m in mid if m.group().lower() in ("not", "never")]
    if neg:
        out["drop-negation"] = drop(neg[0])
    num = re.search(r"\d+", q[words[1].start():]) if len(words) > 1 else None
    if num:
        a = words[1].start() + num.start()
        out["number"] = q[:a] + str(int(num.group()) + 1) + q[a + len(num.group()):]
    names = [m for m in mid if m.group()[0].isupper() and not m.group().isupper() and m.group() != "I"
             and not re.search(r"[.!?]\W*$", q[:m.start()])]
    if names:
        m = rng.choice(names)
        out["name"] = q[:m.start()] + "Smith" + q[m.end():]
    if len(mid) >= 5:
        i = rng.randrange(0, len(mid) - 3)
        out["ellipsis"] = q[:mid[i].start()].rstrip() + " … " + q[mid[i + 2].end():].lstrip()
    return out


def evaluate(split: str = "dev", limit: int = 400, seed: int = 3) -> dict:
    """Counts per edit: total, right class, right materiality; confusions; seconds spent in check_quotes."""
    rng = random.Random(seed)
    total = collections.Counter()
    right_class = collections.Counter()
    right_material = collections.Counter()
    confusions = collections.Counter()
    n_quotes, t_check = 0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for line in (DATA / f"{split}.jsonl").open(encoding="utf-8"):
            if n_quotes >= limit:
                break
            art = json.loads(line)
            text = art["text"]
            segs = [text[s.start:s.end] for s in quotes.quoted_segments(text) if not s.note]
            segs = [q for q in segs if 8 <= len(WORD.findall(q)) <= 60][: max(0, limit - n_quotes)]
            if not segs:
                continue
            folder = Path(tmp) / art["id"]
            folder.mkdir()
            (folder / "doc.json").write_text(json.dumps({"speaker": "Pat Example", "text": text}), encoding="utf-8")
            parts, kinds = [], []
            for q in segs:
                for kind, edited in edits(q, rng).items():
                    parts.append(f"Pat Example said “{edited}”")
                    kinds.append(kind)
            article = "\n".join(parts)
            claims, pos = [], 0
            for k, part in enumerate(parts):
                a = article.index(part, pos) + len("Pat Example said “")
                b = a + len(part) - len("Pat Example said “") - 1
                claims.append(Claim(id=f"c{k}", text=article[a:b], spans=[Span.of(article, a, b)], attribution_id=f"a{k}",
                                    speaker="Pat Example", quote_type="direct"))
                pos = b
            an = Analysis(article=article_from_text(article), claims=claims)
            t0 = time.perf_counter()
            checks = quotes.check_quotes(an, folder)
            t_check += time.perf_counter() - t0
            got = {c.claim_id: c for c in checks}
            for k, kind in enumerate(kinds):
                c = got.get(f"c{k}")
                exp_class, exp_mat = EXPECTED[kind]
                total[kind] += 1
                cls = c.fidelity if c else "(none)"
                right_class[kind] += cls == exp_class
                right_material[kind] += bool(c and c.material) == exp_mat
                if cls != exp_class:
                    confusions[(kind, cls)] += 1
            n_quotes += len(segs)
    n = sum(total.values())
    return {
        "quotations": n_quotes, "edited": n, "seconds": t_check, "total": total, "right_class": right_class,
        "right_material": right_material, "confusions": confusions,
        "class_accuracy": sum(right_class.values()) / max(1, n),
        "material_accuracy": sum(right_material.values()) / max(1, n),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev")
    ap.add_argument("--limit", type=int, default=400, help="quotations to use")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    r = evaluate(args.split, args.limit, args.seed)
    total, right_class, right_material = r["total"], r["right_class"], r["right_material"]
    print(f"PolNeAR {args.split}: {r['quotations']} quotations (8-60 words), {r['edited']} edited quotes, "
          f"checked in {r['seconds']:.1f} s")
    print(f"{'edit':16s} {'n':>5s} {'class right':>12s} {'material right':>15s}")
    for kind in EXPECTED:
        if total[kind]:
            print(f"{kind:16s} {total[kind]:5d} {right_class[kind] / total[kind]:12.1%} {right_material[kind] / total[kind]:15.1%}")
    print(f"{'all':16s} {r['edited']:5d} {r['class_accuracy']:12.1%} {r['material_accuracy']:15.1%}")
    print("most common confusions:", r["confusions"].most_common(8))


if __name__ == "__main__":
    main()
