"""The article as the extractor reads it: quotation regions and a spaCy parse as plain arrays.

``find_quotes`` pairs quotation marks on the characters of the text; ``Parse`` reads a
Doc's tokens once into lists (spaCy Token access is slow) and carries the span tagger's
probabilities (``taggers.read_doc`` fills them); ``anchor`` and ``cue_window`` give a cue's
syntactic head and the tokens the role tagger sees around it.
"""
from __future__ import annotations

import bisect
import re
from typing import Optional

from .. import constants as C

_QUOTE_RE = re.compile(r"''|``|[\"“”«»„]")


WHITESPACE = frozenset(" \t\r\n\u00a0\u2009\u202f\u2007\u3000\ufeff")


_OPEN_CONTEXT = frozenset("([{—–-/:;")


CONTENT_DEPS = frozenset(("ccomp", "xcomp", "dobj", "parataxis"))


KID_DEPS = frozenset(
    "nsubj nsubjpass ccomp xcomp dobj prep agent advcl parataxis attr acomp mark dative punct conj neg aux auxpass".split()
)


def find_quotes(text: str) -> list[tuple[int, int]]:
    """Quoted regions ``(start, end)`` (quote marks included), paired on characters.

    Curly marks keep their direction; straight ``"`` and ``''`` get it from the
    characters around them. A quotation still open at a paragraph end continues
    when the next paragraph opens with a quotation mark (the print convention),
    otherwise it ends with its paragraph. A stray closing mark is ignored.
    """
    regions: list[tuple[int, int]] = []
    open_at: Optional[int] = None
    para_at = 0  # where the open quotation's current paragraph begins
    n = len(text)

    def para_end(pos: int) -> int:
        """End of the paragraph containing ``pos`` (trailing whitespace excluded)."""
        e = text.find("\n", pos)
        e = n if e < 0 else e
        while e > pos and text[e - 1] in WHITESPACE:
            e -= 1
        return e

    for m in _QUOTE_RE.finditer(text):
        s, e = m.span()
        mark = m.group()
        prev = text[s - 1] if s > 0 else " "
        nxt = text[e] if e < n else " "
        if mark in C.QUOTE_OPENERS or mark == "``":
            direction = "open"
        elif mark in C.QUOTE_CLOSERS:
            direction = "close"
        else:
            prev_open = prev in WHITESPACE or prev in _OPEN_CONTEXT or s == 0
            next_open = nxt not in WHITESPACE and nxt not in ".,;:!?)]}"
            if prev_open and next_open:
                direction = "open"
            elif not prev_open:
                direction = "close"
            else:  # whitespace on both sides: decide from the state
                direction = "close" if open_at is not None else "open"
        if open_at is not None and "\n" in text[para_at:s]:
            # a paragraph break since the quotation opened (or last continued)
            line_start = text.rfind("\n", 0, s) + 1
            starts_para = all(ch in WHITESPACE for ch in text[line_start:s])
            if direction == "open" and starts_para:
                para_at = s  # continuation of a multi-paragraph quotation
                continue
            regions.append((open_at, para_end(para_at)))
            open_at = None
        if direction == "open":
            if open_at is not None:  # unbalanced: end the previous one before this mark
                end = s
                while end > open_at and text[end - 1] in WHITESPACE:
                    end -= 1
                regions.append((open_at, end))
            open_at = para_at = s
        elif open_at is not None:
            regions.append((open_at, e))
            open_at = None
    if open_at is not None:
        regions.append((open_at, para_end(para_at)))
    return [(s, e) for s, e in regions if e > s]


class Parse:
    """Per-token attributes of a spaCy Doc read once into lists (spaCy Token access is slow)."""

    __slots__ = ("doc", "text", "n", "lower", "lemma", "pos", "tag", "dep", "head", "ent", "punct", "space",
                 "idx", "end", "kids", "sent_start", "sent_end", "sents", "qid", "regions", "enc")

    def __init__(self, doc):
        self.doc = doc
        self.text = text = doc.text
        toks = list(doc)
        self.n = n = len(toks)
        self.lower = [t.lower_ for t in toks]
        self.lemma = [t.lemma_.lower() for t in toks]
        self.pos = [t.pos_ for t in toks]
        self.tag = [t.tag_ for t in toks]
        self.dep = [t.dep_ for t in toks]
        self.head = [t.head.i for t in toks]
        self.ent = [t.ent_type_ for t in toks]
        self.punct = [t.is_punct for t in toks]
        self.space = [t.is_space for t in toks]
        self.idx = [t.idx for t in toks]
        self.end = [t.idx + len(t.text) for t in toks]
        self.kids: list[list[int]] = [[] for _ in range(n)]
        for i, h in enumerate(self.head):
            if h != i:
                self.kids[h].append(i)
        self.sents = [(s.start, s.end) for s in doc.sents] if n else []
        self.sent_start = [0] * n
        self.sent_end = [0] * n
        for s, e in self.sents:
            for i in range(s, e):
                self.sent_start[i] = s
                self.sent_end[i] = e
        self.regions = find_quotes(text)
        self.qid = [-1] * n
        starts = [r[0] for r in self.regions]
        for i, x in enumerate(self.idx):
            k = bisect.bisect_right(starts, x) - 1
            if k >= 0 and x < self.regions[k][1]:
                self.qid[i] = k
        #: per token (cue, source, content) span-tagger bins (tenths), or None (``taggers.read_doc`` sets it)
        self.enc: Optional[list[tuple[int, int, int]]] = None

    def subtree(self, i: int) -> list[int]:
        out, stack = [], [i]
        while stack:
            x = stack.pop()
            out.append(x)
            stack.extend(self.kids[x])
        return sorted(out)

    def subject(self, i: int) -> Optional[int]:
        """The subject of token ``i``, or of the verb it is coordinated with / subordinate to (a few steps up)."""
        x = i
        for _ in range(3):
            for c in self.kids[x]:
                if self.dep[c] in ("nsubj", "nsubjpass", "csubj"):
                    return c
            d = self.dep[x]
            if d in ("acl", "relcl") and self.head[x] != x:
                return self.head[x]
            if d in ("conj", "xcomp", "advcl") and self.head[x] != x:
                x = self.head[x]
            else:
                return None
        return None


def tokens_in(P: Parse, spans) -> list[int]:
    """The parse's tokens overlapping any of the character spans ``(start, end)``, in order
    (whitespace tokens left out)."""
    out = set()
    for s, e in spans:
        i = max(bisect.bisect_right(P.idx, s) - 1, 0)
        while i < P.n and P.idx[i] < e:
            if P.end[i] > s and not P.space[i]:
                out.add(i)
            i += 1
    return sorted(out)


def anchor(P: Parse, cue: list[int]) -> int:
    """The cue's syntactic head: the cue token whose head lies outside the cue (a verb if possible)."""
    ids = set(cue)
    heads = [i for i in cue if P.head[i] not in ids or P.head[i] == i]
    if not heads:
        return cue[0]
    for i in heads:
        if P.pos[i] in ("VERB", "AUX"):
            return i
    return heads[0]


def cue_window(P: Parse, a: int) -> tuple[int, int]:
    """Token range the role tagger sees: the anchor's sentence, widened to whole quotations and past a colon."""
    qid, regions, n = P.qid, P.regions, P.n
    s0, e0 = P.sent_start[a], P.sent_end[a]
    start, end = s0, e0
    cap = C.ATTRIBUTION_WINDOW_TOKENS
    # past a closing colon: the statement follows in the next sentence
    last = end - 1
    while last > start and P.space[last]:
        last -= 1
    if P.lower[last] == ":" and end < n:
        end = P.sent_end[end]
    # a quotation just before a sentence like "Smith said last week." is its content
    words = sum(1 for i in range(s0, e0) if not (P.punct[i] or P.space[i]))
    if start > 0 and words <= 10 and not any(P.dep[c] in CONTENT_DEPS for c in P.kids[a]):
        prev = start - 1
        while prev > 0 and P.space[prev]:
            prev -= 1
        if qid[prev] >= 0:
            start = prev
    # whole quotations that touch the window
    qs = {qid[i] for i in range(start, end) if qid[i] >= 0}
    if qs:
        lo_char = min(regions[q][0] for q in qs)
        hi_char = max(regions[q][1] for q in qs)
        while start > 0 and P.end[start - 1] > lo_char and start > a - cap:
            start -= 1
        while end < n and P.idx[end] < hi_char and end < a + cap:
            end += 1
    # quoted sentences that carry on the statement ("A," he said. "B.") with no cue of their own
    if any(qid[i] >= 0 for i in range(s0, e0)):
        for _ in range(C.ATTRIBUTION_FOLLOW_SENTENCES):
            if end >= n or end - a > cap:
                break
            j = end
            while j < n and P.space[j]:
                j += 1
            if j >= n or qid[j] < 0 or P.idx[j] != regions[qid[j]][0]:
                break
            ns, ne = P.sent_start[j], P.sent_end[j]
            if any(P.lemma[t] in C.REPORTING_VERBS and P.pos[t] == "VERB" and qid[t] < 0 for t in range(ns, ne)):
                break
            end = max(ne, j + 1)
            hi_char = regions[qid[j]][1]
            while end < n and P.idx[end] < hi_char and end < a + cap:
                end += 1
    if end - start > 2 * cap:
        start = max(start, a - cap)
        end = min(end, a + cap)
    return start, end


def bucket(d: int) -> str:
    return "1" if d <= 1 else "2" if d == 2 else "5" if d <= 5 else "10" if d <= 10 else "20" if d <= 20 else "far"
