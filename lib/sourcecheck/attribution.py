"""Attributions: who (source) said (cue) what (content).

Scope follows PolNeAR: direct, indirect and mixed quotes, "according to X",
colon and dash attributions, statements of documents and polls, beliefs and
intentions, quotes interrupted by their cue, multi-sentence and open quotes,
coordinated statements sharing a source, and attributions with no named source.

How it works (one spaCy parse, no extra passes):

1. ``find_quotes`` pairs quotation marks on the *characters* of the text
   (curly, straight and NYT-style ``''``), with context rules for direction and
   for a quotation left open at a paragraph end; spaCy's quote tags are not used
   (it tags the apostrophe in ``Democrats’`` as a quote).
2. A linear-chain CRF (python-crfsuite) tags cue tokens sentence by sentence,
   from word, lemma, part of speech, dependency and quotation features.
3. For each cue, a second CRF tags source and content tokens in a window (the
   cue's sentence, widened to whole quotations and past a closing colon),
   from each token's place in the parse relative to the cue (subject of the cue
   verb, its complement, the subject of the verb it is coordinated with...).
4. Spans are built on character offsets of the unchanged text; quote type and
   kind (statement / document / belief) are derived from them.

Both taggers are trained on PolNeAR train by ``scripts/train_attribution.py``;
the model files live in ``sourcecheck/data/``.
"""
from __future__ import annotations

import bisect
import functools
import re
from pathlib import Path
from typing import Iterable, Optional

from . import constants as C
from .errors import ModelNotInstalledError
from .model import Attribution, Span, attribution_id, dedupe_ids

DATA_DIR = Path(__file__).parent / "data"
CUE_MODEL = DATA_DIR / "attribution-cue.crfsuite"
ROLE_MODEL = DATA_DIR / "attribution-role.crfsuite"

_QUOTE_RE = re.compile(r"''|``|[\"“”«»„]")
_WS = frozenset(" \t\r\n\u00a0\u2009\u202f\u2007\u3000\ufeff")
_OPEN_CONTEXT = frozenset("([{—–-/:;")
# dependency labels of a cue's children worth a feature of their own
_CONTENT_DEPS = frozenset(("ccomp", "xcomp", "dobj", "parataxis"))
_KID_DEPS = frozenset(
    "nsubj nsubjpass ccomp xcomp dobj prep agent advcl parataxis attr acomp mark dative punct conj neg aux auxpass".split()
)


# --------------------------------------------------------------------------- quotations
def find_quotes(text: str) -> list[tuple[int, int]]:
    """Quoted regions ``(start, end)`` (quote marks included), paired on characters.

    Curly marks keep their direction; straight ``"`` and ``''`` get it from the
    characters around them. A quotation still open at a paragraph end continues
    when the next paragraph opens with a quotation mark (the print convention),
    otherwise it ends with its paragraph. A stray closing mark is ignored.
    """
    regions: list[tuple[int, int]] = []
    open_at: Optional[int] = None
    n = len(text)

    def para_end(pos: int) -> int:
        """End of the paragraph containing ``pos`` (trailing whitespace excluded)."""
        e = text.find("\n", pos)
        e = n if e < 0 else e
        while e > pos and text[e - 1] in _WS:
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
            prev_open = prev in _WS or prev in _OPEN_CONTEXT or s == 0
            next_open = nxt not in _WS and nxt not in ".,;:!?)]}"
            if prev_open and next_open:
                direction = "open"
            elif not prev_open:
                direction = "close"
            else:  # whitespace on both sides: decide from the state
                direction = "close" if open_at is not None else "open"
        if open_at is not None and "\n" in text[open_at:s]:
            # a paragraph break since the quotation opened
            line_start = text.rfind("\n", 0, s) + 1
            starts_para = all(ch in _WS for ch in text[line_start:s])
            if direction == "open" and starts_para:
                continue  # continuation of a multi-paragraph quotation
            regions.append((open_at, para_end(open_at)))
            open_at = None
        if direction == "open":
            if open_at is not None:  # unbalanced: end the previous one before this mark
                end = s
                while end > open_at and text[end - 1] in _WS:
                    end -= 1
                regions.append((open_at, end))
            open_at = s
        elif open_at is not None:
            regions.append((open_at, e))
            open_at = None
    if open_at is not None:
        regions.append((open_at, para_end(open_at)))
    return [(s, e) for s, e in regions if e > s]


def _token_quote_ids(doc, regions: list[tuple[int, int]]) -> list[int]:
    """For each token, the index of the quoted region it lies in (-1 if none)."""
    out = [-1] * len(doc)
    starts = [r[0] for r in regions]
    for tok in doc:
        k = bisect.bisect_right(starts, tok.idx) - 1
        if k >= 0 and tok.idx < regions[k][1]:
            out[tok.i] = k
    return out


# --------------------------------------------------------------------------- features
def _cue_features(sent, qids: list[int], text: str) -> list[list[str]]:
    toks = list(sent)
    base = []
    for t in toks:
        lem = t.lemma_.lower()
        base.append((t.lower_, lem, t.pos_, t.dep_))
    feats = []
    n = len(toks)
    has_quote = int(any(qids[t.i] >= 0 for t in toks))
    for k, t in enumerate(toks):
        lower, lem, pos, dep = base[k]
        h = t.head
        kids = {c.dep_ for c in t.children} & _KID_DEPS
        f = [
            "w=" + lower,
            "l=" + lem,
            "p=" + pos,
            "t=" + t.tag_,
            "d=" + dep,
            "dp=" + dep + "|" + pos,
            "hl=" + h.lemma_.lower(),
            "hp=" + h.pos_,
            "hd=" + h.dep_,
            "q=%d" % (qids[t.i] >= 0),
        ]
        if lem in C.REPORTING_VERBS:
            f.append("rv")
            f.append("rvd=" + dep)
        if lem in C.BELIEF_CUES:
            f.append("bv")
        for kd in kids:
            f.append("k=" + kd)
            f.append("lk=" + lem + "|" + kd)
        if t.ent_type_:
            f.append("e=" + t.ent_type_)
        if pos in ("VERB", "AUX", "NOUN"):
            subj = _subject(t)
            if subj is not None:
                st = subj.ent_type_ or subj.pos_
                f.append("sj=" + st)
                f.append("lsj=" + lem + "|" + st)
                if subj.pos_ == "PRON":
                    f.append("sjw=" + subj.lower_)
            else:
                f.append("lsj=" + lem + "|none")
            f.append("lsq=%s|%d" % (lem, has_quote))
        for off in (-2, -1, 1, 2):
            j = k + off
            if 0 <= j < n:
                o = base[j]
                f.append("%dw=%s" % (off, o[0]))
                f.append("%dp=%s" % (off, o[2]))
                if off in (-1, 1):
                    f.append("%dd=%s" % (off, o[3]))
                    f.append("%dq=%d" % (off, qids[toks[j].i] >= 0))
            else:
                f.append("%dBOS" % off if off < 0 else "%dEOS" % off)
        if lower == ":":
            rest = text[t.idx + 1: t.idx + 6].lstrip()
            if rest[:1] in "\"“'`":
                f.append("colon_quote")
        feats.append(f)
    return feats


def _subject(tok):
    """The subject of ``tok``, or of the verb it is coordinated with / subordinate to (a few steps up)."""
    x = tok
    for _ in range(3):
        for c in x.children:
            if c.dep_ in ("nsubj", "nsubjpass", "csubj"):
                return c
        if x.dep_ in ("conj", "xcomp", "advcl", "acl", "relcl") and x.head.i != x.i:
            if x.dep_ in ("acl", "relcl"):
                return x.head
            x = x.head
        else:
            return None
    return None


def _anchor(cue_toks: list) -> object:
    """The cue's syntactic head: the cue token whose head lies outside the cue (a verb if possible)."""
    ids = {t.i for t in cue_toks}
    heads = [t for t in cue_toks if t.head.i not in ids or t.head.i == t.i]
    if not heads:
        return cue_toks[0]
    for t in heads:
        if t.pos_ in ("VERB", "AUX"):
            return t
    return heads[0]


def _window(doc, anchor, qids: list[int], regions: list[tuple[int, int]]) -> tuple[int, int]:
    """Token range the role tagger sees: the anchor's sentence, widened to whole quotations and past a colon."""
    sent = anchor.sent
    start, end = sent.start, sent.end
    cap = C.ATTRIBUTION_WINDOW_TOKENS
    # past a closing colon: the statement follows in the next sentence
    last = doc[end - 1]
    while end > start + 1 and last.is_space:
        last = doc[last.i - 1]
    if last.text == ":" and end < len(doc):
        end = doc[end].sent.end
    # a quotation just before a sentence like "Smith said last week." is its content
    if start > 0 and not any(c.dep_ in _CONTENT_DEPS for c in anchor.children):
        prev = doc[start - 1]
        while prev.i > 0 and prev.is_space:
            prev = doc[prev.i - 1]
        if qids[prev.i] >= 0:
            start = prev.i
    # whole quotations that touch the window
    qs = {qids[i] for i in range(start, end) if qids[i] >= 0}
    if qs:
        lo_char = min(regions[q][0] for q in qs)
        hi_char = max(regions[q][1] for q in qs)
        while start > 0 and doc[start - 1].idx + len(doc[start - 1]) > lo_char and start > anchor.i - cap:
            start -= 1
        while end < len(doc) and doc[end].idx < hi_char and end < anchor.i + cap:
            end += 1
    # quoted sentences that carry on the statement ("A," he said. "B.") with no cue of their own
    if any(qids[i] >= 0 for i in range(sent.start, sent.end)):
        for _ in range(C.ATTRIBUTION_FOLLOW_SENTENCES):
            if end >= len(doc) or end - anchor.i > cap:
                break
            j = end
            while j < len(doc) and doc[j].is_space:
                j += 1
            if j >= len(doc) or qids[j] < 0 or doc[j].idx != regions[qids[j]][0]:
                break
            nxt = doc[j].sent
            if any(t.lemma_ in C.REPORTING_VERBS and t.pos_ == "VERB" and qids[t.i] < 0 for t in nxt):
                break
            end = max(nxt.end, j + 1)
            hi_char = regions[qids[j]][1]
            while end < len(doc) and doc[end].idx < hi_char and end < anchor.i + cap:
                end += 1
    if end - start > 2 * cap:
        start = max(start, anchor.i - cap)
        end = min(end, anchor.i + cap)
    return start, end


def _fallback_content(doc, anchor, cue_ids: set, start: int, end: int, qids: list[int]) -> list[int]:
    """Content tokens from the parse alone, when the role tagger finds none.

    The cue verb's clausal complement or object; otherwise the quotation nearest the cue.
    """
    for c in anchor.children:
        if c.dep_ in _CONTENT_DEPS:
            return [t.i for t in c.subtree if start <= t.i < end and t.i not in cue_ids]
    best, dist = -1, None
    for i in range(start, end):
        if qids[i] >= 0:
            d = abs(i - anchor.i)
            if dist is None or d < dist:
                best, dist = qids[i], d
    if best >= 0:
        return [i for i in range(start, end) if qids[i] == best]
    return []


def _label(child) -> str:
    if child.dep_ in ("prep", "agent"):
        return child.dep_ + "_" + child.lower_
    return child.dep_


def _role_features(doc, anchor, cue_ids: set, start: int, end: int, qids: list[int]) -> list[list[str]]:
    # ancestors of the anchor, with their distance
    up = {anchor.i: 0}
    x, k = anchor, 0
    while x.head.i != x.i and k < 40:
        x = x.head
        k += 1
        up.setdefault(x.i, k)
    alem = anchor.lemma_.lower()
    adep = anchor.dep_
    has_subj = any(c.dep_ in ("nsubj", "nsubjpass") for c in anchor.children)
    aq = qids[anchor.i]
    asent = anchor.sent.start
    feats = []
    for i in range(start, end):
        t = doc[i]
        if i in cue_ids:
            rel = "CUE"
        else:
            child, y, steps = None, t, 0
            while y.i not in up and y.head.i != y.i and steps < 60:
                child, y = y, y.head
                steps += 1
            if y.i in up:
                d = up[y.i]
                rel = ("A_" if d == 0 else "U%d_" % min(d, 3)) + (_label(child) if child is not None else "self")
            else:
                rel = "X"
        side = "L" if i < anchor.i else "R"
        q = qids[i]
        f = [
            "rel=" + rel,
            "rs=" + rel + side,
            "rp=" + rel + "|" + t.pos_,
            "ra=" + rel + "|" + alem,
            "p=" + t.pos_,
            "d=" + t.dep_,
            "w=" + t.lower_,
            "s=" + side,
            "q=%d" % (q >= 0),
            "ad=" + adep,
            "al=" + alem,
            "hs=%d" % has_subj,
            "ss=%d" % (t.sent.start == asent),
        ]
        if q >= 0:
            f.append("qs=" + side)
            if q == aq:
                f.append("sameq")
        if t.ent_type_:
            f.append("e=" + t.ent_type_)
        if t.is_punct:
            f.append("punct")
        feats.append(f)
    return feats


# --------------------------------------------------------------------------- models
@functools.lru_cache(maxsize=2)
def _tagger(path: str):
    import pycrfsuite

    if not Path(path).is_file():
        raise ModelNotInstalledError(
            f"{path}: attribution model file is missing; reinstall sourcecheck or run "
            f"`python scripts/train_attribution.py` to train it from PolNeAR train"
        )
    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    return tagger


def _spans_from_tokens(doc, idxs: list[int]) -> list[tuple[int, int]]:
    """Character spans for runs of consecutive token indices."""
    out: list[tuple[int, int]] = []
    prev = None
    for i in idxs:
        t = doc[i]
        if t.is_space:
            continue
        s, e = t.idx, t.idx + len(t.text)
        if out and prev is not None and i == prev + 1:
            out[-1] = (out[-1][0], e)
        elif out and prev is not None and all(doc[j].is_space for j in range(prev + 1, i)):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
        prev = i
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _WS:
        s += 1
    while e > s and text[e - 1] in _WS:
        e -= 1
    return s, e


def _quote_type(content: list[tuple[int, int]], regions: list[tuple[int, int]], text: str) -> str:
    total = quoted = 0
    for s, e in content:
        for ch_i in range(s, e):
            if text[ch_i].isalnum():
                total += 1
                for rs, re_ in regions:
                    if rs <= ch_i < re_:
                        quoted += 1
                        break
    if not total or not quoted:
        return "indirect"
    return "direct" if quoted >= 0.95 * total else "mixed"


def _kind(doc, anchor, source_idxs: list[int]) -> str:
    if anchor.lemma_.lower() in C.BELIEF_CUES:
        return "belief"
    heads = [doc[i] for i in source_idxs if doc[i].head.i not in source_idxs or doc[i].head.i == i]
    for h in heads:
        if h.lemma_.lower() in C.DOCUMENT_SOURCES:
            return "document"
    return "statement"


# --------------------------------------------------------------------------- extraction
def extract_attributions(doc, cue_threshold: Optional[float] = None) -> list[Attribution]:
    """Every attribution in a parsed article (``sourcecheck.nlp.parse(text)``), sorted by start."""
    text = doc.text
    if not text.strip() or len(doc) == 0:
        return []
    cue_tagger = _tagger(str(CUE_MODEL))
    role_tagger = _tagger(str(ROLE_MODEL))
    regions = find_quotes(text)
    qids = _token_quote_ids(doc, regions)

    threshold = C.CUE_THRESHOLD if cue_threshold is None else cue_threshold
    cues: list[list] = []
    for sent in doc.sents:
        toks = list(sent)
        cue_tagger.set(_cue_features(sent, qids, text))
        cur: list = []
        for k, t in enumerate(toks):
            pb, pi = cue_tagger.marginal("B", k), cue_tagger.marginal("I", k)
            if pb + pi < threshold:
                if cur:
                    cues.append(cur)
                cur = []
            elif pb >= pi or not cur:
                if cur:
                    cues.append(cur)
                cur = [t]
            else:
                cur.append(t)
        if cur:
            cues.append(cur)

    found = []
    for cue_toks in cues:
        cue_toks = [t for t in cue_toks if not t.is_space]
        if not cue_toks:
            continue
        anchor = _anchor(cue_toks)
        cue_ids = {t.i for t in cue_toks}
        start, end = _window(doc, anchor, qids, regions)
        feats = _role_features(doc, anchor, cue_ids, start, end, qids)
        labels = role_tagger.tag(feats)
        src = [start + k for k, lab in enumerate(labels) if lab == "S" and start + k not in cue_ids]
        if not src:
            subj = _subject(anchor)
            if subj is not None and subj.i not in cue_ids and start <= subj.i < end:
                src = [t.i for t in subj.subtree if start <= t.i < end and t.i not in cue_ids]
        con = [start + k for k, lab in enumerate(labels) if lab == "C" and start + k not in cue_ids]
        if not con:
            con = _fallback_content(doc, anchor, cue_ids, start, end, qids)
        content = [_trim(text, s, e) for s, e in _spans_from_tokens(doc, con)]
        content = [(s, e) for s, e in content if e > s]
        if not content:
            continue
        source = [_trim(text, s, e) for s, e in _spans_from_tokens(doc, src)]
        source = [(s, e) for s, e in source if e > s]
        cs, ce = _trim(text, cue_toks[0].idx, cue_toks[-1].idx + len(cue_toks[-1].text))
        if ce <= cs:
            continue
        sent = anchor.sent
        ss, se = _trim(text, sent.start_char, sent.end_char)
        found.append(
            dict(
                source=[Span.of(text, s, e) for s, e in source],
                cue=[Span.of(text, cs, ce)],
                content=[Span.of(text, s, e) for s, e in content],
                quote_type=_quote_type(content, regions, text),
                kind=_kind(doc, anchor, src),
                sentence=Span.of(text, ss, se) if se > ss else None,
            )
        )
    found.sort(key=lambda a: min(s.start for s in a["source"] + a["cue"] + a["content"]))
    ids = dedupe_ids([attribution_id(text, a["content"], a["source"]) for a in found])
    return [Attribution(id=i, **a) for i, a in zip(ids, found)]


def extract_from_text(text: str, nlp=None) -> list[Attribution]:
    """Parse ``text`` with the shared pipeline and extract its attributions."""
    from .nlp import parse

    return extract_attributions(parse(text, nlp))


# --------------------------------------------------------------------------- training data
def training_sequences(doc, attributions: Iterable[dict]):
    """(cue sequences, role sequences) of (features, labels) for one gold article.

    Used by ``scripts/train_attribution.py``; kept here so training and
    extraction compute features with the same code.
    """
    text = doc.text
    regions = find_quotes(text)
    qids = _token_quote_ids(doc, regions)
    attributions = list(attributions)
    cue_label = [""] * len(doc)
    starts = [t.idx for t in doc]

    def toks_in(spans) -> list[int]:
        out = []
        for s, e in spans:
            i = max(bisect.bisect_right(starts, s) - 1, 0)
            while i < len(doc) and doc[i].idx < e:
                t = doc[i]
                if t.idx + len(t.text) > s and not t.is_space:
                    out.append(i)
                i += 1
        return out

    role_seqs = []
    for a in attributions:
        cue_idx = toks_in(a["cue"])
        if not cue_idx:
            continue
        for k, i in enumerate(cue_idx):
            if not cue_label[i]:
                cue_label[i] = "B" if k == 0 else "I"
        anchor = _anchor([doc[i] for i in cue_idx])
        start, end = _window(doc, anchor, qids, regions)
        feats = _role_features(doc, anchor, set(cue_idx), start, end, qids)
        src, con = set(toks_in(a["source"])), set(toks_in(a["content"]))
        labels = ["S" if i in src else "C" if i in con else "O" for i in range(start, end)]
        role_seqs.append((feats, labels))
    cue_seqs = []
    for sent in doc.sents:
        labels = [cue_label[t.i] or "O" for t in sent]
        cue_seqs.append((_cue_features(sent, qids, text), labels))
    return cue_seqs, role_seqs
