"""Hand-labelled antecedents for pronoun and nominal sources: draw a sample, show a passage, check labels.

    python scripts/speakers_handcheck.py sample SPLIT.jsonl --n 200 --seed 5 --out FILE.tsv
    python scripts/speakers_handcheck.py show SPLIT.jsonl ARTICLE SOURCE_START
    python scripts/speakers_handcheck.py check FILE.tsv SPLIT.jsonl

The sample is every gold source in SPLIT whose head is a pronoun or a role noun (the
categories of ``sourcecheck.evaluation.speakers``), shuffled with ``random.Random(seed)``,
first ``n``. ``show`` prints the article with the source marked ``[[...]]`` for a labeller,
who reads it and fills two columns without seeing what the resolver says:

* ``kind``: person | org | anonymous (nobody the article names) | author (the writer's own
  "I"/"we") | unclear (a careful reader cannot tell);
* ``name``: for person and org, the fullest name the article gives ("Hillary Clinton",
  "the Trump campaign"), else empty.

``sourcecheck evaluate-speakers SPLIT.jsonl --handcheck FILE.tsv`` scores the resolver on
those labels. PolNeAR train labels are for developing the resolver; dev labels are only
for reporting it.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))

from sourcecheck.evaluation.attribution import read_jsonl as rows_of  # noqa: E402
from sourcecheck.evaluation.speakers import HANDCHECK_KINDS, gold_attributions, gold_entities, read_handcheck  # noqa: E402

COLUMNS = ["n", "article", "source_start", "source", "category", "kind", "name"]


def sample(args) -> int:
    from sourcecheck.nlp import load_pipeline
    from sourcecheck.speakers import load_registry

    nlp, registry = load_pipeline(), load_registry()
    rows = rows_of(args.split)
    docs = None
    if args.docbin:  # a cache of the same texts' parses (scripts/train_attribution.py --docbin)
        from spacy.tokens import DocBin

        docs = list(DocBin().from_disk(args.docbin).get_docs(nlp.vocab))
        if len(docs) < len(rows) or any(d.text != r["text"] for d, r in zip(docs, rows)):
            sys.exit(f"{args.docbin}: its texts do not match {args.split}")
    items = []
    for k, row in enumerate(rows):
        doc = docs[k] if docs else nlp(row["text"])
        gold = gold_attributions(row)
        truth = gold_entities(doc, gold, registry)
        for a in gold:
            if a.id in truth and truth[a.id][0] in ("pronoun", "nominal") and a.source:
                s = a.source[0]
                items.append((row["id"], s.start, row["text"][s.start:s.end], truth[a.id][0]))
    random.Random(args.seed).shuffle(items)
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        fh.write(f"# {Path(args.split).name}: pronoun/nominal gold sources in file order, shuffled with "
                 f"random.Random({args.seed}), first {args.n} of {len(items)}.\n")
        w.writerow(COLUMNS)
        for n, (art, start, src, cat) in enumerate(items[: args.n]):
            w.writerow([n, art, start, " ".join(src.split()), cat, "", ""])
    print(f"wrote {args.out}: {min(args.n, len(items))} of {len(items)} sources")
    return 0


def show(args) -> int:
    row = next((r for r in rows_of(args.split) if r["id"] == args.article), None)
    if row is None:
        sys.exit(f"{args.split}: no article {args.article!r}")
    text, start = row["text"], int(args.start)
    for a in row["attributions"]:
        for s, e in a.get("source", []):
            if s == start:
                cut = text.find("\n", e + 400)  # the rest of the paragraph after next: what a reader needs
                print(text[:s] + "[[" + text[s:e] + "]]" + text[e: cut if cut > 0 else len(text)])
                return 0
    sys.exit(f"{args.split}: article {args.article!r} has no gold source starting at {start}")


def check(args) -> int:
    labels = read_handcheck(args.file)  # raises naming the file and line on a bad row
    rows = {r["id"]: r for r in rows_of(args.split)}
    bad = [f"line {lab['line']}: no article {lab['article']!r}" for lab in labels if lab["article"] not in rows]
    if bad:
        sys.exit(f"{args.file}: " + "; ".join(bad))
    kinds = {k: sum(1 for lab in labels if lab["kind"] == k) for k in HANDCHECK_KINDS}
    print(f"{args.file}: {len(labels)} labelled sources: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("split")
    s.add_argument("--n", type=int, default=200)
    s.add_argument("--seed", type=int, default=5)
    s.add_argument("--out", required=True)
    s.add_argument("--docbin", help="spaCy DocBin of the same texts, in file order (skips parsing)")
    s.set_defaults(func=sample)
    v = sub.add_parser("show")
    v.add_argument("split")
    v.add_argument("article")
    v.add_argument("start")
    v.set_defaults(func=show)
    c = sub.add_parser("check")
    c.add_argument("file")
    c.add_argument("split")
    c.set_defaults(func=check)
    args = ap.parse_args(argv)
    from sourcecheck.errors import SourcecheckError

    try:
        return args.func(args)
    except SourcecheckError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    sys.exit(main())
