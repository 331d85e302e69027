"""One cue to one candidate attribution: source and content tokens, then character spans.

``build_candidate`` runs the role CRF in the cue's window and fills what it leaves out
from the parse; ``build_fields`` turns token lists into the ``Attribution`` fields (spans
on the unchanged text, quote type, kind, sentence).
"""
from __future__ import annotations

import bisect
import re
from typing import Optional

from .. import constants as C
from ..model import Span
from .parse import Parse, WHITESPACE, anchor, cue_window
from .rules import complete_quotes, fallback_content, fallback_source, not_a_statement, sourceless
from .taggers import role_features

_WORD_RE = re.compile(r"\w+")


_EDGE_PUNCT = frozenset(",;:")


def _spans_from_tokens(P: Parse, idxs: list[int]) -> list[tuple[int, int]]:
    """Character spans for runs of consecutive token indices (whitespace tokens bridge)."""
    out: list[tuple[int, int]] = []
    prev = None
    for i in idxs:
        if P.space[i]:
            continue
        if out and prev is not None and all(P.space[j] for j in range(prev + 1, i)):
            out[-1] = (out[-1][0], P.end[i])
        else:
            out.append((P.idx[i], P.end[i]))
        prev = i
    return out


def _trim(text: str, s: int, e: int, punct: bool = False) -> tuple[int, int]:
    """Strip whitespace from the span's edges; with ``punct``, also the commas, semicolons
    and colons a span of the clause around it picks up (", President Trump's team is...")."""
    edge = WHITESPACE | _EDGE_PUNCT if punct else WHITESPACE
    while s < e and text[s] in edge:
        s += 1
    while e > s and text[e - 1] in edge:
        e -= 1
    return s, e


def _quote_type(content: list[tuple[int, int]], regions: list[tuple[int, int]], text: str) -> str:
    """direct (all content words quoted), mixed (some) or indirect (none)."""
    total = quoted = 0
    for s, e in content:
        for m in _WORD_RE.finditer(text, s, e):
            total += 1
            k = bisect.bisect_right(regions, (m.start(), len(text) + 1)) - 1
            if k >= 0 and regions[k][0] <= m.start() < regions[k][1]:
                quoted += 1
    if not total or not quoted:
        return "indirect"
    return "direct" if quoted == total else "mixed"


def _kind(P: Parse, a: int, src: list[int]) -> str:
    if P.lemma[a] in C.BELIEF_CUES:
        return "belief"
    ids = set(src)
    for i in src:
        if (P.head[i] not in ids or P.head[i] == i) and P.lemma[i] in C.DOCUMENT_SOURCES:
            return "document"
    return "statement"


def build_candidate(P: Parse, cue: list[int], role_tagger) -> Optional[tuple[dict, int, list[int], list[int]]]:
    """Source and content for one cue: ``(attribution fields, anchor, source tokens, content tokens)``,
    or ``None`` when the cue has no usable content or is not a statement."""
    a = anchor(P, cue)
    cue_ids = set(cue)
    start, end = cue_window(P, a)
    labels = role_tagger.tag(role_features(P, a, cue_ids, start, end))
    src = [start + k for k, lab in enumerate(labels) if lab == "S" and start + k not in cue_ids]
    con = [start + k for k, lab in enumerate(labels) if lab == "C" and start + k not in cue_ids]
    if not con:
        con = fallback_content(P, a, cue_ids, start, end)
    if not src:
        subj = P.subject(a)
        # a passive subject is what was said or asked, not who said it; "it seems" has no source;
        # "others defending the law": the noun a participle describes is its source
        if (
            subj is not None
            and (P.dep[subj] == "nsubj" or (P.dep[a] == "acl" and P.tag[a] == "VBG" and subj == P.head[a]))
            and not (P.lower[subj] == "it" and P.lemma[a] in ("seem", "appear", "be", "look"))
            and subj not in cue_ids
            and start <= subj < end
        ):
            src = [i for i in P.subtree(subj) if start <= i < end and i not in cue_ids]
    if not src:
        src = fallback_source(P, a, cue, cue_ids, start, end)
    if src and sourceless(P, a):
        src = []
    con = [i for i in complete_quotes(P, a, con, set(src) | cue_ids, start, end) if i not in src]
    if not con or not_a_statement(P, a, src, con):
        return None
    # a noun phrase as cue with nobody behind it ("became a rallying cry") is description, not
    # attribution; an adverb cue ("reportedly") needs no named source
    if not src and not any(P.pos[i] in ("VERB", "AUX", "ADP", "ADV", "PUNCT") for i in cue):
        return None
    fields = build_fields(P, a, src, cue, con, punct=True)
    return None if fields is None else (fields, a, src, con)


def build_fields(P: Parse, a: int, src: list[int], cue: list[int], con: list[int], punct: bool) -> Optional[dict]:
    """An attribution's spans (trimmed; with ``punct``, the content also loses clause commas at
    its edges), quote type, kind and sentence, from its tokens; ``None`` without content or cue."""
    text = P.text
    content = [(s, e) for s, e in (_trim(text, s, e, punct=punct) for s, e in _spans_from_tokens(P, con)) if e > s]
    source = [(s, e) for s, e in (_trim(text, s, e) for s, e in _spans_from_tokens(P, src)) if e > s]
    cs, ce = _trim(text, P.idx[cue[0]], P.end[cue[-1]])
    if not content or ce <= cs:
        return None
    ss, se = _trim(text, P.idx[P.sent_start[a]], P.end[P.sent_end[a] - 1])
    return dict(
        source=[Span.of(text, s, e) for s, e in source],
        cue=[Span.of(text, cs, ce)],
        content=[Span.of(text, s, e) for s, e in content],
        quote_type=_quote_type(content, P.regions, text),
        kind=_kind(P, a, src),
        sentence=Span.of(text, ss, se) if se > ss else None,
    )
