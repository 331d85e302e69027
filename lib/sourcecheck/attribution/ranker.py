"""The ranker: which cue candidates are attributions.

A maximum-entropy classifier (python-crfsuite) over ``rank_features``: the cue tagger's
confidence, the span tagger's mean probabilities over the candidate's cue, source and
content, the cue word and its place in the parse, what the role tagger found, and the
competition (``candidate_features``). ``ranker_examples`` labels candidates of a gold
article for training.
"""
from __future__ import annotations

from typing import Iterable, Optional

from .. import constants as C
from ..spans import contents_match, token_set, tokenize
from .parse import KID_DEPS, Parse, bucket
from .rules import rule_cue
from .taggers import DATA_DIR, find_cues, mean_prob, read_doc
from .candidates import build_candidate

RANK_MODEL = DATA_DIR / "attribution-rank.crfsuite"


def _rank_features(P: Parse, cue: list[int], a: int, src: list[int], con: list[int], prob: float, origin: str) -> dict:
    """What the ranker knows of a candidate attribution: the cue tagger's confidence, the cue
    word and its place in the parse, and what the role tagger found around it."""
    lem, pos, dep = P.lemma[a], P.pos[a], P.dep[a]
    words = [i for i in con if not (P.punct[i] or P.space[i])]
    quoted = sum(1 for i in words if P.qid[i] >= 0)
    src_head = next((i for i in src if P.head[i] not in src or P.head[i] == i), None)
    st = (P.ent[src_head] or P.pos[src_head]) if src_head is not None else "none"
    decile = min(int(prob * 10), 9)
    side = "L" if con and con[-1] < cue[0] else "R" if con and con[0] > cue[-1] else "M"
    f = {
        "bias": 1.0,
        "prob": prob,
        "o=" + origin: 1.0,
        "dec=%d" % decile: 1.0,
        "od=%s|%d" % (origin, decile): 1.0,
        "l=" + lem: 1.0,
        "ld=%s|%d" % (lem, decile >= 5): 1.0,
        "p=" + pos: 1.0,
        "d=" + dep: 1.0,
        "pd=" + pos + "|" + dep: 1.0,
        "ncue=" + bucket(len(cue)): 1.0,
        "st=" + st: 1.0,
        "lst=" + lem + "|" + st: 1.0,
        "ncon=" + bucket(len(words)): 1.0,
        "q=" + ("all" if words and quoted == len(words) else "some" if quoted else "none"): 1.0,
        "side=" + side: 1.0,
        "aq=%d" % (P.qid[a] >= 0): 1.0,
        "nsrc=" + bucket(len(src)): 1.0,
    }
    if P.enc is not None:
        for name, toks, k in (("ecue", cue, 0), ("esrc", src, 1), ("econ", words, 2)):
            m = mean_prob(P, toks, k)
            f[name] = m
            f["%s=%d" % (name, min(int(m * 5), 4))] = 1.0
        taken = set(con) | set(cue)
        outside = [i for i in range(P.sent_start[a], P.sent_end[a]) if i not in taken]
        f["eout=%d" % min(int(mean_prob(P, outside, 2) * 5), 4)] = 1.0
    rule = rule_cue(P, a)
    if rule:
        f["rule=" + rule] = 1.0
    if lem in C.REPORTING_VERBS:
        f["rv"] = 1.0
    if lem in C.BELIEF_CUES:
        f["bv"] = 1.0
    for c in P.kids[a]:
        if P.dep[c] in KID_DEPS:
            f["k=" + P.dep[c]] = 1.0
    for i in con:
        if P.head[i] == a or P.head[i] in cue:
            f["cd=" + P.dep[i]] = 1.0
    if P.text[P.idx[P.sent_start[a]]: P.end[P.sent_end[a] - 1]].rstrip().endswith("?"):
        f["question"] = 1.0
    return f


def candidate_features(P: Parse, cue_tagger, role_tagger, threshold: float, floor: Optional[float]) -> list[tuple[dict, dict]]:
    """``(attribution fields, ranker features)`` for every cue candidate with a content.

    Besides each candidate's own features, the ranker sees its competition: how many
    candidates share its sentence, and whether a more confident one claims the same content.
    """
    built = []
    for cue, prob, origin in find_cues(P, cue_tagger, threshold, floor):
        b = build_candidate(P, cue, role_tagger)
        if b is not None:
            fields, a, src, con = b
            built.append((fields, _rank_features(P, cue, a, src, con, prob, origin), a, set(con), prob))
    per_sent: dict[int, int] = {}
    for _, _, a, _, _ in built:
        per_sent[P.sent_start[a]] = per_sent.get(P.sent_start[a], 0) + 1
    out = []
    for k, (fields, feats, a, con, prob) in enumerate(built):
        feats["nsent=" + bucket(per_sent[P.sent_start[a]])] = 1.0
        rivals = [p for j, (_, _, _, c2, p) in enumerate(built) if j != k and len(con & c2) >= 0.5 * min(len(con), len(c2))]
        if rivals:
            feats["rival=" + ("stronger" if max(rivals) > prob else "weaker")] = 1.0
        out.append((fields, feats))
    return out


def rank(ranker, feats: dict) -> float:
    """The ranker's probability that a candidate is an attribution (the ranker must know ``"Y"``)."""
    ranker.set([feats])
    ranker.tag()
    return ranker.marginal("Y", 0)


def ranker_examples(doc, attributions: Iterable[dict], cue_tagger, role_tagger) -> list[tuple[dict, str]]:
    """(ranker features, ``"Y"``/``"N"``) for every candidate in one gold article.

    A candidate is right (``Y``) when its cue overlaps a gold cue and its content
    matches that attribution's content as the relaxed score counts it
    (``spans.contents_match`` on the scorer's tokens). The taggers
    must not have seen this article: ``scripts/train_attribution.py`` trains them on
    the other folds.
    """

    P = read_doc(doc)
    tokens = tokenize(P.text)
    starts = [t[0] for t in tokens]
    gold = [(token_set(g["cue"], tokens, starts), token_set(g["content"], tokens, starts)) for g in attributions]
    gold = [(cue, con) for cue, con in gold if cue and con]
    out = []
    for fields, feats in candidate_features(P, cue_tagger, role_tagger, C.CUE_THRESHOLD, C.CUE_CANDIDATE_FLOOR):
        cue = token_set([(sp.start, sp.end) for sp in fields["cue"]], tokens, starts)
        con = token_set([(sp.start, sp.end) for sp in fields["content"]], tokens, starts)
        ok = any(cue & gc and contents_match(con, gn) for gc, gn in gold)
        out.append((feats, "Y" if ok else "N"))
    return out
