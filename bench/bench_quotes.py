"""Benchmark: align 50 quotes against a generated 100-page document.

Prints the time of ``sourcecheck.quotes.check_quotes`` (end to end: loading the
document, indexing its words, finding each passage with candidate windows plus
rapidfuzz, and the word-level diff) next to a floor measured in the same run: a
plain rapidfuzz scan (``fuzz.partial_ratio_alignment`` of each quote against
the whole normalised document), the obvious way to do it without an index. Also
prints how many quotes each located at the right place.

    .venv/bin/python bench/bench_quotes.py [--pages 100] [--quotes 50] [--seed 1]

Offline, no data files: the document is generated from a fixed vocabulary.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz

from sourcecheck import quotes
from sourcecheck.article import article_from_text
from sourcecheck.model import Analysis, Claim, Span

WORDS_PER_PAGE = 500
VOCAB = (
    "the of and to in a is that for on was with he it as at by this had not are but from or have an they which one "
    "you were her all she there would their we him been has when who will more no if out so said what up its about "
    "into than them can only other new some could time these two may then do first any my now such like our over "
    "man me even most made after also did many before must through back years where much your way well down should "
    "because each just those people how too little state good very make world still own see men work long get here "
    "between both life being under never day same another know while last might us great old year off come since "
    "against go came right used take three ceasefire troops border minister talks president government forces "
    "military region peace agreement security statement officials week ministry sanctions negotiations delegation "
    "proposal conditions support position reported according spokesman analysts attack villages supply lines front "
    "Kursk Russia Ukraine Washington Moscow Kyiv Putin Trump Zelensky NATO Europe"
).split()


def make_document(rng: random.Random, pages: int) -> str:
    sentences, n = [], 0
    while n < pages * WORDS_PER_PAGE:
        k = rng.randint(8, 30)
        ws = [rng.choice(VOCAB) for _ in range(k)]
        sentences.append(" ".join(ws).capitalize() + rng.choice([".", ".", ".", "?", "!"]))
        n += k
    paras = [" ".join(sentences[i:i + 6]) for i in range(0, len(sentences), 6)]
    return "\n\n".join(paras)


def alter(rng: random.Random, words: list[str]) -> tuple[list[str], str]:
    """Quote the passage faithfully or with one typical edit."""
    kind = rng.choice(["exact", "exact", "case", "drop", "replace", "negation", "ellipsis"])
    w = list(words)
    i = rng.randrange(1, len(w) - 1)
    if kind == "case":
        w = [x.upper() for x in w]
    elif kind == "drop":
        del w[i]
    elif kind == "replace":
        w[i] = rng.choice(["enormous", "terrible", "several", "Brussels"])
    elif kind == "negation":
        w.insert(i, "not")
    elif kind == "ellipsis":
        del w[i:i + 3]
        w.insert(i, "…")
    return w, kind


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--quotes", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    doc = make_document(rng, args.pages)
    doc_words = [(m.start(), m.end()) for m in re.finditer(r"\S+", doc)]
    picks, article_parts, kinds = [], [], []
    for _ in range(args.quotes):
        n = rng.randint(8, 40)
        i = rng.randrange(0, len(doc_words) - n)
        start, end = doc_words[i][0], doc_words[i + n - 1][1]
        words = re.findall(r"[\w']+", doc[start:end])
        qwords, kind = alter(rng, words)
        picks.append((start, end))
        kinds.append(kind)
        article_parts.append(f"The minister said “{' '.join(qwords)}” on Tuesday.")
    text = "\n".join(article_parts)
    claims, pos = [], 0
    for k, part in enumerate(article_parts):
        a = text.index("“", pos) + 1
        b = text.index("”", a)
        claims.append(Claim(id=f"c{k}", text=text[a:b], spans=[Span.of(text, a, b)], attribution_id=f"a{k}",
                            speaker="The Minister", quote_type="direct"))
        pos = b

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "minister.json").write_text(json.dumps({"speaker": "The Minister", "text": doc}), encoding="utf-8")
        from sourcecheck.documents import load_documents

        loaded = load_documents(folder).documents[0].text  # offsets refer to the loaded text
        assert loaded == doc.strip()

        # --- sourcecheck.quotes.check_quotes, end to end (best of 3)
        times = []
        for _ in range(3):
            an = Analysis(article=article_from_text(text), claims=claims)
            t0 = time.perf_counter()
            checks = quotes.check_quotes(an, folder)
            times.append(time.perf_counter() - t0)
        ours = min(times)

    def hit(s, e, ps, pe):  # located: the passage overlaps the true place
        return ps is not None and ps < pe and s < pe and ps < e

    ours_ok = sum(hit(s, e, c.passage_start, c.passage_end) for (s, e), c in zip(picks, checks))
    classes = statistics.multimode([c.fidelity for c in checks])

    # --- floor: plain rapidfuzz scan of the whole document per quote
    norm_doc = doc.lower()
    t0 = time.perf_counter()
    base_ok = 0
    for (s, e), c in zip(picks, claims):
        al = fuzz.partial_ratio_alignment(c.text.lower(), norm_doc)
        base_ok += hit(s, e, al.dest_start, al.dest_end)
    base = time.perf_counter() - t0

    by_kind: dict[str, list[str]] = {}
    for k, c in zip(kinds, checks):
        by_kind.setdefault(k, []).append(c.fidelity)
    print(f"document: {args.pages} pages, {len(doc.split()):,} words, {len(doc):,} characters; quotes: {len(claims)} "
          f"(8-40 words; edits: {dict(sorted((k, kinds.count(k)) for k in set(kinds)))})")
    print(f"check_quotes (load + index + align + diff), best of 3: {ours:.3f} s  ({ours / len(claims) * 1000:.1f} ms/quote); "
          f"located {ours_ok}/{len(claims)}")
    print(f"floor: plain rapidfuzz partial_ratio_alignment scan of the whole document: {base:.3f} s  "
          f"({base / len(claims) * 1000:.1f} ms/quote); located {base_ok}/{len(claims)}")
    print(f"ratio check_quotes / floor: {ours / base:.2f}  (the full check, with loading and word-level diffs, "
          f"costs {ours / base:.1f}x a bare rapidfuzz scan)")
    print("classes by edit: " + "; ".join(f"{k}: {dict((x, v.count(x)) for x in set(v))}" for k, v in sorted(by_kind.items())))
    print(f"most common class: {classes}")


if __name__ == "__main__":
    main()
