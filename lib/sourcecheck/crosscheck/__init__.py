"""Cross-source checking: which claims other passages of the article contradict, deny, dispute or fail to confirm.

    check_claims(article, doc, claims, judge=None) -> (relations, flags)   # sets claim.group
    flags_frame(analysis) / relation_matrix(analysis) / matrix_chart(analysis)

1. **Candidates** (:mod:`.candidates`): every claim against every passage (sentences,
   clauses of long sentences, the rest of the claim's own sentence),
   by sentence embeddings from :mod:`sourcecheck.encoder`; broad on purpose
   (primary documents can be passed as ``documents``; the pipeline does not yet).
2. **Features** (:mod:`.features`): both sides together (similarity and its ranks, the
   embedding interaction, speakers and subject, cues, negation, numbers, distance).
3. **Judge** (:mod:`.model`): a model trained on the PolNeAR train conflict set decides
   which pairs conflict and how, with a calibrated confidence; the threshold comes from
   cross-validation on train.
4. **Flags** (:mod:`.flags`): one per contested claim, with the passage, who says it, a
   reason written from the pair, the confidence and any partial corroboration.
"""
from __future__ import annotations

from typing import Optional

from ..model import Claim, Flag, Relation
from .candidates import build_view, candidates
from .flags import RELATION_COLOURS, decide, flags_frame, matrix_chart, relation_matrix, set_groups
from .model import make_judge

__all__ = ["check_claims", "flags_frame", "relation_matrix", "matrix_chart", "RELATION_COLOURS", "make_judge"]


def check_claims(article, doc, claims: list[Claim], judge=None, documents: Optional[dict] = None,
                 encoder=None, release_encoder: bool = False) -> tuple[list[Relation], list[Flag]]:
    """Relations between claims and the passages that bear on them, and flags on contested claims.

    ``release_encoder``: free the shared sentence encoder once the article is embedded, before the
    cross-encoder loads (a batch kernel runs one article, so it will not need it again).
    """
    if not claims or doc is None or not article.text.strip():
        return [], []
    from ..encoder import get_encoder

    judge = make_judge(judge)
    view = build_view(article.text, doc, claims, encoder or get_encoder(), documents)
    if release_encoder and encoder is None:
        import gc

        get_encoder.cache_clear()  # the embeddings are in the view; the cross-encoder loads next
        gc.collect()
    pairs = candidates(view)
    prob, rel = judge.score(view, pairs)
    relations, flags = decide(view, pairs, prob, rel, judge.threshold, getattr(judge, "flag_confidence", None))
    set_groups(claims, relations)
    return relations, flags
