"""Passages, claims described for comparison, and the candidate (claim, passage) pairs a judge sees.

Every claim is compared with every passage of the article: its sentences (split at
line breaks too), the clauses of long sentences and the rest of the claim's own
sentence. ``build_view`` also takes primary documents' sentences (``documents``), but
the pipeline does not pass them yet: no training pair has one, so the judge has never
learned what a document passage is worth (quote checks still use the documents). Comparison is by the encoder's sentence embeddings
(:mod:`sourcecheck.encoder`), not only shared words. Candidates are broad on
purpose (similarity alone finds the countering passage first for one conflict in
seven): the best-scoring passages per claim, and also every nearby passage with a
rebuttal, denial or non-confirmation cue, the rest of the claim's own sentence,
passages that name the claim's speaker or subject, the same speaker later on, and
passages that point back ("this", "the claim"). Which of them conflict is the
judge's decision (:mod:`sourcecheck.crosscheck.model`), not a similarity
threshold's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .. import constants as C
from ..model import Claim, Span
from .cues import Cues, conflict_cues, load_cues

_CLAUSE_SPLIT = re.compile(r";|\s[—–]\s|,\s(?=(?:but|while|although|though|whereas|yet)\b)|:\s(?=[“\"'‘A-Z])")
_ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]+")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s?(?:percent|%|million|billion|trillion|thousand))?")


@dataclass
class Passage:
    """A stretch of text that may bear on a claim: a sentence, a clause, the rest of a claim's sentence, a document line."""
    index: int
    span: Span                      # offsets into the article (documents: into their own text)
    sentence: int                   # index of the article sentence it belongs to (-1: a primary document)
    paragraph: int
    kind: str = "sentence"          # sentence | clause | own | document
    document: Optional[str] = None  # the document's name, for kind == "document"
    speaker: Optional[str] = None   # whose words these are (the attribution it overlaps), None = the article's own
    speaker_id: Optional[str] = None
    speaker_type: Optional[str] = None
    speaker_words: frozenset = frozenset()
    claim_ids: tuple = ()           # claims whose content overlaps the passage
    owner: Optional[str] = None     # for kind == "own": the claim whose sentence this is the rest of
    cues: dict = field(default_factory=dict)
    negated: bool = False
    numbers: frozenset = frozenset()
    words: frozenset = frozenset()
    entities: frozenset = frozenset()

    @property
    def text(self) -> str:
        return self.span.text


@dataclass
class ClaimView:
    claim: Claim
    index: int
    sentence: int
    paragraph: int
    text: str
    speaker_words: frozenset
    subject_words: frozenset       # who/what the claim is about (entities in it)
    words: frozenset
    numbers: frozenset
    negated: bool
    cues: dict


@dataclass
class ArticleView:
    """Everything the cross-check knows about one article, computed once."""
    text: str
    passages: list[Passage]
    claims: list[ClaimView]
    sims: np.ndarray               # (claims, passages) cosine similarity of sentence embeddings
    claim_emb: np.ndarray          # (claims, 384) unit-length sentence embeddings
    passage_emb: np.ndarray        # (passages, 384)
    n_sentences: int
    cues: Cues


def _words(tokens) -> frozenset:
    return frozenset(t.lemma_.lower() for t in tokens if t.is_alpha and not t.is_stop and len(t.text) > 2)


def _name_words(*names) -> frozenset:
    out = set()
    for n in names:
        for w in _WORD.findall(n or ""):
            w = w.lower().replace("’s", "").replace("'s", "")
            if len(w) > 2 and w not in {"the", "and", "spokesman", "spokeswoman", "spokesperson", "president", "said"}:
                out.add(w)
    return frozenset(out)


def _numbers(text: str) -> frozenset:
    return frozenset(re.sub(r"[,\s]", "", m.group(0)).lower() for m in _NUMBER.finditer(text)
                     if not re.fullmatch(r"(?:19|20)\d\d", m.group(0)))  # years are dates, not figures


def _negated(tokens, cues: Cues) -> bool:
    return any(t.lower_ in cues.negations or t.dep_ == "neg" for t in tokens)


def _sentences(doc, text: str) -> list[tuple[int, int]]:
    out = []
    for s in doc.sents:
        a = s.start_char
        for part in re.split(r"(\n+)", text[s.start_char:s.end_char]):
            b = a + len(part)
            if part.strip() and not part.startswith("\n"):
                lead = len(part) - len(part.lstrip())
                out.append((a + lead, a + len(part.rstrip())))
            a = b
    return out


def build_view(text: str, doc, claims: list[Claim], encoder, documents: Optional[dict] = None) -> ArticleView:
    cues = load_cues()
    sents = _sentences(doc, text)
    para_of, p, last = [], 0, 0
    for a, _ in sents:
        if "\n" in text[last:a]:
            p += 1
        para_of.append(p)
        last = a
    starts = [a for a, _ in sents]

    def sent_of(pos: int) -> int:
        return max(0, int(np.searchsorted(starts, pos, side="right")) - 1)

    passages: list[Passage] = []

    def add(a, b, si, kind, owner=None, document=None, doc_text=None):
        src = doc_text if doc_text is not None else text
        passages.append(Passage(len(passages), Span.of(src, a, b), si, para_of[si] if si >= 0 else -1, kind,
                                document=document, owner=owner))

    for si, (a, b) in enumerate(sents):
        add(a, b, si, "sentence")
        if len(text[a:b].split()) >= C.CROSSCHECK_CLAUSE_WORDS:
            cuts = [a] + [a + m.end() for m in _CLAUSE_SPLIT.finditer(text[a:b])] + [b]
            parts = [(x, y) for x, y in zip(cuts, cuts[1:]) if len(text[x:y].split()) >= 4]
            if len(parts) > 1:
                for x, y in parts:
                    x += len(text[x:y]) - len(text[x:y].lstrip())
                    add(x, y - (len(text[x:y]) - len(text[x:y].rstrip())), si, "clause")
    # the rest of each claim's own sentence ("..., a claim he denied"; "..., but offered no proof")
    for c in claims:
        si = sent_of(c.spans[0].start)
        a, b = sents[si] if sents else (0, 0)
        rest = [(x, y) for x, y in _gaps(a, b, c.spans) if len(text[x:y].split()) >= 3]
        for x, y in rest:
            x += len(text[x:y]) - len(text[x:y].lstrip())
            y -= len(text[x:y]) - len(text[x:y].rstrip())
            if y > x:
                add(x, y, si, "own", owner=c.id)
    for name, dtext in (documents or {}).items():
        for s in re.split(r"(?<=[.!?])\s+|\n+", dtext):
            if len(s.split()) >= 4:
                i = dtext.find(s)
                add(i, i + len(s), -1, "document", document=name, doc_text=dtext)

    # the rest of a claim's sentence is mostly its source and cue: only a conflict cue makes it evidence,
    # so the others are never candidates and are not embedded
    for p in passages:
        p.cues = cues.count(p.text)
    passages = [p for p in passages if p.kind != "own" or conflict_cues(p.cues, pointing_back=True)]
    for i, p in enumerate(passages):
        p.index = i
    # who speaks in each passage: the attribution whose content it overlaps most
    for ps in passages:
        if ps.kind == "document":
            ps.speaker, ps.speaker_type = ps.document, "document"
            ps.speaker_words = _name_words(ps.document)
        else:
            best, best_n, ids = None, 0, []
            for c in claims:
                n = sum(max(0, min(ps.span.end, s.end) - max(ps.span.start, s.start)) for s in c.spans)
                if n > 0:
                    ids.append(c.id)
                    if c.attribution_id is not None and n > best_n:
                        best, best_n = c, n
            ps.claim_ids = tuple(ids)
            if best is not None:
                ps.speaker, ps.speaker_id, ps.speaker_type = best.speaker, best.speaker_id, best.speaker_type
                ps.speaker_words = _name_words(best.speaker, best.affiliation)
        span_doc = doc.char_span(ps.span.start, ps.span.end, alignment_mode="expand") if ps.kind != "document" else None
        toks = list(span_doc) if span_doc is not None else []
        ps.negated = _negated(toks, cues) if toks else any(w in cues.negations for w in ps.text.lower().split())
        ps.numbers = _numbers(ps.text)
        ps.words = _words(toks) if toks else frozenset(w.lower() for w in _WORD.findall(ps.text))
        ps.entities = frozenset(w for e in (span_doc.ents if span_doc is not None else ()) if e.label_ in _ENTITY_LABELS
                                for w in _name_words(e.text))

    views = []
    for i, c in enumerate(claims):
        si = sent_of(c.spans[0].start)
        toks = [t for s in c.spans for t in (doc.char_span(s.start, s.end, alignment_mode="expand") or [])]
        ents = frozenset(w for s in c.spans for e in (doc.char_span(s.start, s.end, alignment_mode="expand") or doc[0:0]).ents
                         if e.label_ in _ENTITY_LABELS for w in _name_words(e.text))
        views.append(ClaimView(c, i, si, para_of[si] if para_of else 0, c.text, _name_words(c.speaker, c.affiliation),
                               ents, _words(toks), _numbers(c.text), _negated(toks, cues), cues.count(c.text)))
    emb = encoder.embed([p.text for p in passages] + [v.text for v in views])
    pe, ce = emb[:len(passages)], emb[len(passages):]
    return ArticleView(text, passages, views, ce @ pe.T, ce, pe, len(sents), cues)


def _gaps(a: int, b: int, spans: list[Span]):
    pos = a
    for s in sorted(spans, key=lambda s: s.start):
        if s.start > pos:
            yield pos, min(s.start, b)
        pos = max(pos, s.end)
    if pos < b:
        yield pos, b


def _inside_claim(v: ClaimView, p: Passage) -> bool:
    """The passage is (mostly) the claim itself: it cannot be evidence about it."""
    if p.kind == "own":
        return p.owner != v.claim.id
    if p.kind == "document":
        return False
    inside = sum(max(0, min(p.span.end, s.end) - max(p.span.start, s.start)) for s in v.claim.spans)
    return inside >= 0.5 * max(1, p.span.end - p.span.start)


def candidates(view: ArticleView) -> list[tuple[int, int, str]]:
    """(claim index, passage index, why it is a candidate) for every pair the judge should see."""
    out = []
    K, W = C.CROSSCHECK_TOP_K, C.CROSSCHECK_CUE_WINDOW
    for v in view.claims:
        sims = view.sims[v.index]
        allowed = [p for p in view.passages if not _inside_claim(v, p)]
        top = {p.index for p in sorted(allowed, key=lambda p: -sims[p.index])[:K]}
        for p in allowed:
            why = []
            d = p.sentence - v.sentence if p.sentence >= 0 else None
            if p.index in top:
                why.append("similar")
            if p.kind == "own":  # kept by build_view only when it carries a conflict cue
                why.append("own sentence")
            if p.kind == "document":
                why.append("document") if p.index in top else None
            if d is not None and abs(d) <= W and conflict_cues(p.cues, pointing_back=True):
                why.append("cue")
            if d is not None and 0 < d <= W and p.speaker_words & (v.subject_words | v.speaker_words):
                why.append("names speaker or subject")
            if d is not None and d > 0 and p.speaker_id and p.speaker_id == v.claim.speaker_id:
                why.append("same speaker later")
            if d is not None and 0 < d <= 3 and p.cues.get("anaphors"):
                why.append("points back")
            if why:
                out.append((v.index, p.index, ", ".join(why)))
    return out
