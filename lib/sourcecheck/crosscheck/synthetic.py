"""Written pairs that teach the cross-encoder what an explicit rebuttal looks like.

The train conflict set's conflicts mostly carry no cue word (a rival's counter-claim, a
fact the article states), so the cross-encoder fine-tuned on it alone scores the plainest
rebuttals low: "The company denied that it hid any losses." after "the company hid its
losses from investors" gets a negative logit. These pairs come from real statements of
PolNeAR train articles *outside* the conflict set (their gold attributions: source and
content), set in a few patterns of how news writes a denial, a dispute or a
non-confirmation, each with its counterpart that is not a conflict:

* conflict: another source denies, disputes or cannot confirm *this* statement (its words,
  cut to a part of them), or denies "<the claim's speaker>'s claim";
* not a conflict: the same rebuttal about another article's statement or another
  speaker, or another source agreeing with or repeating this statement.

So what the pattern alone says is balanced; what makes a conflict is that the rebuttal is
about the claim. They only add to the labelled pairs in training (``--synthetic-pairs`` of
``python -m sourcecheck.crosscheck.train --rerank-pairs``, then ``--synthetic`` of
``scripts/train_reranker.py``); no threshold is chosen on them and no score is measured
on them.

Measured on 2026-12-07 on the 448-article conflict set, and **not in** ``make judge``: 400
of them an epoch raised the cross-encoder's out-of-fold pair AUC in all five folds
(.689/.782/.772/.883/.759 against .687/.772/.761/.870/.743, same folds and seeds), but the
flags it leads to did not move (train CV flag F1 .182 against .181 for the same recipe
without them), and the two-sentence textbook rebuttals still fall under the threshold (1 of
12 flagged) (README, "How the judge decides"). Not measured since the set grew to 728
articles, which left 112 train articles outside it to write the pairs from.
"""
from __future__ import annotations

import random
import re

#: Patterns: ``{s}`` the rebutting source, ``{x}`` (part of) a statement, ``{who}`` a statement's speaker.
REBUT_STATEMENT = (
    ("denies", "{s} denied that {x}."),
    ("denies", "{s} has denied that {x}."),
    ("denies", "{s} flatly denied claims that {x}."),
    ("denies", "{s} said it was not true that {x}."),
    ("disputes", "{s} disputed that {x}."),
    ("disputes", "{s} rejected the idea that {x}."),
    ("disputes", "{s} pushed back on the notion that {x}."),
    ("disputes", "{s} called the suggestion that {x} misleading."),
    ("not_confirmed", "{s} could not confirm that {x}."),
    ("not_confirmed", "{s} said it had seen no evidence that {x}."),
    ("not_confirmed", "There is no sign that {x}, {s} said."),
    ("unverified", "{who} offered no evidence that {x}."),
    ("unverified", "{who} provided no proof that {x}."),
)
REBUT_SPEAKER = (
    ("denies", "{s} denied {who}'s claim."),
    ("disputes", "{s} disputed {who}'s account."),
    ("disputes", "{s} rejected {who}'s characterization as false."),
    ("denies", "“That is simply not true,” {s} said of {who}'s remarks."),
)
AGREE = (
    "{s} agreed that {x}.",
    "{s} confirmed that {x}.",
    "{s} also said that {x}.",
    "{s} has long argued that {x}.",
    "{s} echoed the view that {x}.",
    "{s} said on Tuesday that {x}.",
    "{s} noted that {x}.",
)
_PRONOUNS = {"he", "she", "they", "it", "i", "we", "you", "who", "which", "that", "this", "one", "some", "others", "many"}
_QUESTION = re.compile(r"(?i)^(?:whether|if|how|what|why|when|where|who|which)\b")
_DANGLING = {"a", "an", "the", "to", "of", "in", "for", "and", "or", "but", "that", "with", "on", "at", "by", "from",
             "as", "his", "her", "their", "its", "is", "was", "be", "would", "will", "not", "than", "about", "into"}
_QUOTES = re.compile(r"[“”‘\"]|''")


def _source_ok(s: str) -> bool:
    words = s.split()
    return 1 <= len(words) <= 6 and s.lower() not in _PRONOUNS and s[:1].isalpha() and "\n" not in s


def _clause(doc) -> str | None:
    """The content as a clause that can follow "that" (its root has a subject and is not an infinitive or a
    participle), its first word lower-cased unless a name; None if it is not one."""
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if len(roots) != 1:
        return None
    root = roots[0]
    deps = {c.dep_ for c in root.children}
    if not deps & {"nsubj", "nsubjpass", "expl"} or root.tag_ in ("VBG", "VBN", "TO") or root.pos_ not in ("VERB", "AUX"):
        return None
    if any(c.dep_ == "aux" and c.tag_ == "TO" for c in root.children):
        return None
    text = doc.text
    return text if doc[0].tag_ in ("NNP", "NNPS") or doc[0].text == "I" else text[:1].lower() + text[1:]


def _named(source: str) -> bool:
    """A source a rebuttal can name ("Sanders's claim"): it ends in a capitalised word."""
    return source.split()[-1][:1].isupper()


def statements(rows: list[dict], nlp) -> list[dict]:
    """Usable (article id, source, content) of the gold attributions: one-span sources and contents, a named or
    described source (no pronoun), a content of 5 to 30 words that is not a quotation and reads as a clause
    (``nlp`` parses it)."""
    out = []
    for r in rows:
        text = r["text"]
        for a in r.get("attributions", []):
            if len(a.get("source") or []) != 1 or len(a.get("content") or []) != 1:
                continue
            s = " ".join(text[slice(*a["source"][0])].split())
            x = " ".join(text[slice(*a["content"][0])].split()).rstrip(" .,;:")
            x = re.sub(r"^that\s+", "", x)
            if _source_ok(s) and 5 <= len(x.split()) <= 30 and not _QUOTES.search(x) and not _QUESTION.match(x):
                out.append({"article": r["id"], "source": s, "content": x})
    kept = []
    for st, doc in zip(out, nlp.pipe([st["content"] for st in out], batch_size=64)):
        clause = _clause(doc)
        if clause:
            kept.append({**st, "content": clause})
    return kept


def _part(x: str, rng: random.Random) -> str:
    """The statement's first words, at least 60% of them (rebuttals restate, rarely in full), not ending on a
    comma or a function word ("to", "the")."""
    w = x.split()
    w = w[:max(5, int(len(w) * rng.uniform(0.6, 1.0)))]
    while len(w) > 3 and (w[-1].lower().strip(",;:") in _DANGLING or w[-1][-1] in ",;:-–—"):
        w.pop()
    return " ".join(w)


def synthetic_pairs(rows: list[dict], nlp, n: int, seed: int = 15) -> list[dict]:
    """``n`` conflicting and ``n`` non-conflicting written pairs (``claim``, ``passage``, ``y``, ``pattern``), the
    claim written as the cross-encoder reads a claim (``speaker: content``), from the gold statements of ``rows``."""
    rng = random.Random(seed)
    st = statements(rows, nlp)
    if len({x["article"] for x in st}) < 2:  # the other side of a pair comes from another article
        return []
    out = []

    def other(s):  # a statement of another article
        while True:
            o = rng.choice(st)
            if o["article"] != s["article"]:
                return o

    while len(out) < 2 * n:
        s = rng.choice(st)
        o = other(s)
        rebutter = other(s)["source"]
        claim = f"{s['source']}: {s['content']}"
        if rng.random() < 0.75:
            rel, pat = rng.choice(REBUT_STATEMENT)
            pos = pat.format(s=rebutter, who=s["source"], x=_part(s["content"], rng))
            neg = (pat.format(s=rebutter, who=o["source"], x=_part(o["content"], rng)) if rng.random() < 0.5
                   else rng.choice(AGREE).format(s=rebutter, x=_part(s["content"], rng)))
        else:
            rel, pat = rng.choice(REBUT_SPEAKER)
            if o["source"].lower() == s["source"].lower() or not (_named(s["source"]) and _named(o["source"])):
                continue
            pos = pat.format(s=rebutter, who=s["source"])
            neg = pat.format(s=rebutter, who=o["source"])
        pos, neg = pos[0].upper() + pos[1:], neg[0].upper() + neg[1:]
        out.append({"claim": claim, "passage": pos, "y": 1, "pattern": rel})
        out.append({"claim": claim, "passage": neg, "y": 0, "pattern": rel})
    return out
