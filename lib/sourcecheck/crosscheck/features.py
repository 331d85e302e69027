"""Features of a (claim, passage) pair, as the judge reads them.

Both sides together: the similarity of their sentence embeddings and how it ranks
among the article's passages (and among the claims, for the passage), the embedding
interaction (the element-wise product and difference, reduced by a projection fitted
on train), who speaks on each side and whom the claim is about, cue and negation
words, numbers, distance, and the same speaker or not.
"""
from __future__ import annotations

import numpy as np

from .candidates import ArticleView
from .cues import CUE_CLASSES, LISTS, conflict_cues

SPEAKER_TYPES = ("person", "government_body", "organisation", "news_outlet", "social_platform", "document", "anonymous", "unresolved")
KINDS = ("sentence", "clause", "own", "document")

NAMES: tuple[str, ...] = (
    "sim", "sim_rank", "sim_rank_log", "sim_z", "sim_minus_best_other_claim", "claim_rank_for_passage",
    "distance", "abs_distance_log", "after", "same_paragraph", "adjacent",
    *(f"kind_{k}" for k in KINDS),
    *(f"p_cue_{c}" for c in CUE_CLASSES), *(f"p_{k}" for k in LISTS),
    *(f"c_cue_{c}" for c in CUE_CLASSES), *(f"c_{k}" for k in LISTS),
    "p_negated", "c_negated", "negation_flip",
    "p_numbers", "c_numbers", "both_numbers", "numbers_differ", "shared_numbers",
    "p_attributed", "c_attributed", "same_speaker", "p_speaker_is_subject", "p_names_claim_speaker",
    "p_names_claim_subject", "p_is_document_source",
    *(f"c_type_{t}" for t in SPEAKER_TYPES), *(f"p_type_{t}" for t in SPEAKER_TYPES),
    "shared_words", "word_jaccard", "shared_entities", "p_words", "c_words", "sentences_log",
    "p_other_claims", "claim_is_belief", "claim_is_document",
    "claim_rank_before_passage", "claims_between", "p_conflict_cues", "conflict_cue_and_top3",
)


def pair_features(view: ArticleView, pairs: list[tuple[int, int, str]]) -> np.ndarray:
    """One row of ``NAMES`` per (claim index, passage index, why) pair."""
    X = np.zeros((len(pairs), len(NAMES)), dtype=np.float32)
    if not pairs:
        return X
    col = {n: i for i, n in enumerate(NAMES)}
    sims = view.sims
    # ranks of each passage per claim and of each claim per passage
    order = np.argsort(-sims, axis=1)
    rank = np.empty_like(order)
    rows = np.arange(sims.shape[0])[:, None]
    rank[rows, order] = np.arange(sims.shape[1])[None, :] + 1
    crank = np.argsort(np.argsort(-sims, axis=0), axis=0) + 1
    mean, std = sims.mean(1, keepdims=True), sims.std(1, keepdims=True) + 1e-6
    best_two = np.sort(sims, axis=0)[-2:] if sims.shape[0] > 1 else np.vstack([sims, sims])
    claim_sent = np.array([v.sentence for v in view.claims])
    for r, (ci, pi, _why) in enumerate(pairs):
        v, p = view.claims[ci], view.passages[pi]
        c = v.claim
        f = X[r]
        s = sims[ci, pi]
        other = best_two[-1, pi] if best_two[-1, pi] != s else best_two[-2, pi]
        f[col["sim"]] = s
        f[col["sim_rank"]] = rank[ci, pi]
        f[col["sim_rank_log"]] = np.log1p(rank[ci, pi])
        f[col["sim_z"]] = (s - mean[ci, 0]) / std[ci, 0]
        f[col["sim_minus_best_other_claim"]] = s - other
        f[col["claim_rank_for_passage"]] = crank[ci, pi]
        if p.sentence >= 0:
            d = p.sentence - v.sentence
            f[col["distance"]] = d
            f[col["abs_distance_log"]] = np.log1p(abs(d))
            f[col["after"]] = float(d > 0 or (d == 0 and p.span.start >= c.spans[-1].end))
            f[col["same_paragraph"]] = float(p.paragraph == v.paragraph)
            f[col["adjacent"]] = float(abs(d) == 1)
        else:
            f[col["distance"]] = 99
            f[col["abs_distance_log"]] = np.log1p(99)
        f[col[f"kind_{p.kind}"]] = 1
        for k in CUE_CLASSES:
            f[col[f"p_cue_{k}"]] = p.cues.get(f"cue_{k}", 0)
            f[col[f"c_cue_{k}"]] = v.cues.get(f"cue_{k}", 0)
        for k in LISTS:
            f[col[f"p_{k}"]] = p.cues.get(k, 0)
            f[col[f"c_{k}"]] = v.cues.get(k, 0)
        f[col["p_negated"]] = p.negated
        f[col["c_negated"]] = v.negated
        f[col["negation_flip"]] = p.negated != v.negated
        f[col["p_numbers"]] = len(p.numbers)
        f[col["c_numbers"]] = len(v.numbers)
        both = bool(p.numbers and v.numbers)
        f[col["both_numbers"]] = both
        f[col["numbers_differ"]] = both and not (p.numbers & v.numbers)
        f[col["shared_numbers"]] = len(p.numbers & v.numbers)
        f[col["p_attributed"]] = p.speaker is not None
        f[col["c_attributed"]] = c.attribution_id is not None
        same = bool(p.speaker_id and p.speaker_id == c.speaker_id) or bool(p.speaker_words and p.speaker_words == v.speaker_words)
        f[col["same_speaker"]] = same
        f[col["p_speaker_is_subject"]] = bool(p.speaker_words & v.subject_words) and not same
        f[col["p_names_claim_speaker"]] = bool(v.speaker_words & (p.words | p.entities))
        f[col["p_names_claim_subject"]] = bool(v.subject_words & p.entities)
        f[col["p_is_document_source"]] = p.kind == "document" or bool(p.speaker and set(p.speaker.lower().split()) & view.cues.document_sources)
        if c.speaker_type in SPEAKER_TYPES:
            f[col[f"c_type_{c.speaker_type}"]] = 1
        if p.speaker_type in SPEAKER_TYPES:
            f[col[f"p_type_{p.speaker_type}"]] = 1
        shared = p.words & v.words
        f[col["shared_words"]] = len(shared)
        f[col["word_jaccard"]] = len(shared) / max(1, len(p.words | v.words))
        f[col["shared_entities"]] = len(p.entities & v.subject_words)
        f[col["p_words"]] = len(p.words)
        f[col["c_words"]] = len(v.words)
        f[col["sentences_log"]] = np.log1p(view.n_sentences)
        f[col["p_other_claims"]] = len([x for x in p.claim_ids if x != c.id])
        f[col["claim_is_belief"]] = c.kind == "belief"
        f[col["claim_is_document"]] = c.kind == "document"
        # a rebuttal answers the claim before it that it is most about
        if p.sentence >= 0:
            before = claim_sent <= p.sentence
            f[col["claim_rank_before_passage"]] = 1 + int(((sims[:, pi] > s) & before).sum()) if before[ci] else 99
            lo, hi = sorted((v.sentence, p.sentence))
            f[col["claims_between"]] = int(((claim_sent > lo) & (claim_sent < hi)).sum())
        else:
            f[col["claim_rank_before_passage"]] = crank[ci, pi]
        cc = conflict_cues(p.cues)
        f[col["p_conflict_cues"]] = cc
        f[col["conflict_cue_and_top3"]] = float(cc > 0 and rank[ci, pi] <= 3)
    return X


def interaction(view: ArticleView, pairs, claim_emb: np.ndarray, passage_emb: np.ndarray) -> np.ndarray:
    """Element-wise product and absolute difference of the two embeddings (2 x 384 columns)."""
    if not pairs:
        return np.zeros((0, 2 * claim_emb.shape[1]), dtype=np.float32)
    ci = np.array([p[0] for p in pairs])
    pi = np.array([p[1] for p in pairs])
    a, b = claim_emb[ci], passage_emb[pi]
    return np.hstack([a * b, np.abs(a - b)]).astype(np.float32)
