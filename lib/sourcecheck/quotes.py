"""Quote fidelity: direct quotes checked word by word against primary documents.

For every direct or mixed claim, the words inside quotation marks (within the
claim's spans) are aligned to the best passage in the documents of the claim's
speaker, and failing that in all documents (``sourcecheck.documents``).

Finding the passage: rapidfuzz's ``partial_ratio_alignment`` scans the document's
text, prepared once (lower case, punctuation as spaces, same length as the
original so offsets carry over); only the matched neighbourhood is split into
words (``bench/bench_quotes.py``: 50 quotes against 100 pages in about 0.2 s).
A fuzzy score alone cannot judge fidelity -- a dropped "not" still scores above
95 -- so the passage and the quote are then diffed word by word (rapidfuzz
``Indel`` opcodes over word lists) and every changed stretch is examined: a
changed, dropped or added negation, number, name or modal verb is always material; other content words are material; a
change in function words only, or in a word's grammatical form only, is not.
Omissions marked with an ellipsis and [bracketed] editorial insertions are
declared edits, not errors.

Classes (``QuoteCheck.fidelity``, exported as ``class``)::

    exact          the same characters (punctuation at the quote's edges aside)
    cosmetic       only case, curly/straight quotes, punctuation or whitespace differ
    marked edits   only omissions marked "..." or [bracketed] insertions (plus cosmetic)
    words changed  at least one word replaced
    words omitted  words missing with no ellipsis
    words added    words in the quote that the document does not have
    not found      no passage close enough in any document
    other speaker  found, but in another speaker's document (possible misattribution)
    context only   an indirect claim: the closest passage, shown without a verdict

A materially altered quote adds a ``misquoted`` flag; a quote found only in
another speaker's document adds a ``misattributed`` flag.
"""
from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from . import constants
from .documents import DocumentSet, PrimaryDocument, default_documents_dir, load_documents
from .model import Analysis, Claim, Flag, Span, stable_id

FIDELITY_CLASSES = (
    "exact", "cosmetic", "marked edits", "words changed", "words omitted", "words added",
    "not found", "other speaker", "context only",
)
FLAG_ID_PREFIX = "fq-"

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.U)
_QUOTE_MARK = re.compile(r"''|[\"“”«»„]")
_ELLIPSIS = re.compile(r"…|\.\s?\.\s?\.")
_BRACKET = re.compile(r"\[[^\]\n]*\]")
_NON_WORD = re.compile(r"[^\w']|(?<!\w)'|'(?!\w)")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘'(\[]?[A-Z0-9])|\n+")


# =========================================================================== data
@dataclass
class DiffOp:
    """One stretch of the word-level diff. ``quote``/``document`` hold raw text (either may be empty)."""

    op: str  # equal | cosmetic | changed | omitted | added | ellipsis | bracket
    quote: str = ""
    document: str = ""
    material: bool = False
    kind: str = ""  # negation | number | name | modal | content | function | inflection | case | punctuation ...
    reason: str = ""

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class QuoteCheck:
    """The check of one quoted stretch of a claim (a claim with two quoted stretches has two checks)."""

    id: str
    claim_id: str
    quote_index: int
    quote_type: str
    speaker: Optional[str]
    quote_text: str
    quote_start: int  # offsets of the quoted words in the article text
    quote_end: int
    fidelity: str  # one of FIDELITY_CLASSES (exported as "class")
    score: float = 0.0  # rapidfuzz similarity of quote and passage, 0-100
    word_share: float = 0.0  # share of the quote's words found in the passage
    material: bool = False
    document_id: Optional[str] = None
    document_path: Optional[str] = None
    document_title: Optional[str] = None
    document_speaker: Optional[str] = None
    document_channel: Optional[str] = None
    document_date: Optional[str] = None
    passage_text: str = ""
    passage_start: Optional[int] = None  # offsets in the document text
    passage_end: Optional[int] = None
    ops: list[DiffOp] = field(default_factory=list)
    changes: list[DiffOp] = field(default_factory=list)  # the non-equal ops, with reasons
    note: str = ""

    @property
    def quote_span(self) -> Span:
        return Span(self.quote_start, self.quote_end, self.quote_text)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["class"] = d.pop("fidelity")
        return d


# =========================================================================== words
@dataclass
class _Tok:
    norm: str
    raw: str
    start: int
    end: int
    sep: str = ""  # raw text up to the next word
    bracket: bool = False
    ellipsis_before: bool = False
    initial: bool = False  # first word of a sentence (capital letter says nothing)


def _norm(word: str) -> str:
    return unicodedata.normalize("NFKC", word).lower().replace("’", "'")


def _tokens(text: str, offset: int = 0) -> list[_Tok]:
    """Words of ``text`` with offsets (+ ``offset``), the raw text after each, and sentence-initial marks."""
    toks = [_Tok(_norm(m.group()), m.group(), m.start() + offset, m.end() + offset) for m in _WORD.finditer(text)]
    prev = 0
    for i, t in enumerate(toks):
        nxt = toks[i + 1].start - offset if i + 1 < len(toks) else len(text)
        t.sep = text[t.end - offset:nxt]
        t.initial = i == 0 or bool(re.search(r"[.!?:]\W*$|\n", text[prev:t.start - offset]))
        prev = t.end - offset
    return toks


def _quote_tokens(text: str) -> list[_Tok]:
    """Words of a quote, marking [bracketed] words and words right after an ellipsis."""
    toks = _tokens(text)
    brackets = [(m.start(), m.end()) for m in _BRACKET.finditer(text)]
    ellipses = [m.end() for m in _ELLIPSIS.finditer(text)]
    for t in toks:
        t.bracket = any(a <= t.start < b for a, b in brackets)
    for e in ellipses:
        nxt = next((t for t in toks if t.start >= e), None)
        if nxt is not None:
            nxt.ellipsis_before = True
    for t in toks:  # editorial marks are ops of their own, not punctuation differences
        t.sep = _strip_marks(t.sep)
    return toks


def _strip_marks(sep: str) -> str:
    """The text between two words without ellipses and square brackets."""
    if "[" in sep or "]" in sep or _ELLIPSIS.search(sep):
        return re.sub(r"\s*(?:…|\.\s?\.\s?\.)\s*", " ", sep.replace("[", "").replace("]", ""))
    return sep


def _is_negation(n: str) -> bool:
    return n in constants.NEGATION_WORDS or n.endswith("n't")


def _is_number(n: str) -> bool:
    return any(ch.isdigit() for ch in n) or n in constants.NUMBER_WORDS


def _is_modal(n: str) -> bool:
    return n in constants.MODAL_WORDS


def _is_name(t: _Tok) -> bool:
    raw = t.raw
    if not raw[:1].isupper() or t.norm in ("i", "i'm", "i've", "i'll", "i'd"):
        return False
    if raw.isupper() and len(raw) > 5:  # shouting (all caps): case says nothing
        return False
    return not t.initial or (raw.isupper() and len(raw) > 1)


def _stem(n: str) -> str:
    """A crude stem for lining words up ("hopes", "hoped", "hoping" -> "hop"); never used to judge."""
    if n.endswith("'s"):
        n = n[:-2]
    if n.endswith("ies") and len(n) > 4:
        n = n[:-3] + "y"
    elif n.endswith("s") and not n.endswith("ss") and len(n) > 3:
        n = n[:-1]
    for suf in ("ing", "ed"):
        if n.endswith(suf) and len(n) - len(suf) >= 3:
            n = n[: -len(suf)]
            break
    return n[:-1] if n.endswith("e") and len(n) > 3 else n


# =========================================================================== quotes in the article
@dataclass
class _Segment:
    start: int
    end: int
    note: str = ""


def quoted_segments(text: str) -> list[_Segment]:
    """Stretches of ``text`` inside double quotation marks (curly, straight, ``''`` or guillemets).

    Quotes are paired within a paragraph (one per line). A quotation left open at the end of a
    paragraph ends there (the next paragraph's own opening mark continues it, as usual in copy);
    the segment carries a note so the journalist sees the unclosed mark.
    """
    out: list[_Segment] = []
    pos = 0
    for line in text.split("\n"):
        open_at: Optional[int] = None
        open_straight = nested = False
        for m in _QUOTE_MARK.finditer(line):
            mark, i = m.group(), m.start()
            before = line[i - 1] if i else " "
            after = line[m.end()] if m.end() < len(line) else " "
            if open_at is None:
                if mark in "”»" and not before.isspace() and after.isspace():
                    continue  # stray closing mark
                open_at, open_straight, nested = m.end(), mark in ('"', "''"), False
            elif mark in "“«„" and before.isspace():
                if open_straight:  # a curly quotation inside a straight one: nested, not the end
                    nested = True
                    continue
                # a new opening mark while one is open: close the open one before it
                out.append(_Segment(pos + open_at, pos + i, "quotation mark not closed before the next one opens"))
                open_at = m.end()
            elif nested and mark in "”»":
                nested = False
            else:
                out.append(_Segment(pos + open_at, pos + i))
                open_at = None
        if open_at is not None and line[open_at:].strip():
            out.append(_Segment(pos + open_at, pos + len(line), "quotation left open at the end of the paragraph; checked up to there"))
        pos += len(line) + 1
    cleaned = []
    for s in out:
        a, b = s.start, s.end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if _WORD.search(text, a, b):
            cleaned.append(_Segment(a, b, s.note))
    return cleaned


def claim_quotes(text: str, claim: Claim, segments: Optional[list[_Segment]] = None) -> list[_Segment]:
    """The quoted stretches that overlap the claim's spans (the claim text itself when it has no marks)."""
    segments = quoted_segments(text) if segments is None else segments
    hits = [s for s in segments if any(s.start < sp.end and sp.start < s.end for sp in claim.spans)]
    if hits:
        return hits
    if claim.quote_type == "direct" and claim.spans:
        return [_Segment(sp.start, sp.end, "no quotation marks found around the claim; its text was checked as the quote")
                for sp in claim.spans if _WORD.search(sp.text)]
    return []


# =========================================================================== speakers
def _name_tokens(name: str) -> list[str]:
    s = unicodedata.normalize("NFKC", name).lower().replace("’", "'")
    s = re.sub(r"\b([a-z])\.(?=[a-z]\.)", r"\1", s).replace(".", "")  # U.S. -> us
    s = re.sub(r"'s\b", "", s)
    words = re.findall(r"[\w-]+", s)
    return [w for w in words if w not in constants.SPEAKER_TITLES] or words  # "The Minister" stays a name


def speaker_matches(claim_speaker: Optional[str], doc: PrimaryDocument) -> bool:
    """Does the claim's speaker name one of the document's speaker names (fuzzy on names and surnames)?"""
    from rapidfuzz import fuzz

    if not claim_speaker:
        return False
    a = _name_tokens(claim_speaker)
    if not a:
        return False
    for name in doc.names:
        b = _name_tokens(name)
        if not b:
            continue
        if a == b or (len(a[-1]) >= 3 and a[-1] == b[-1] and (len(a) == 1 or len(b) == 1 or a[0][0] == b[0][0])):
            return True
        if min(len(a), len(b)) >= 2 and fuzz.token_set_ratio(" ".join(a), " ".join(b)) >= constants.SPEAKER_MATCH_MIN_SCORE:
            return True
    return False


# =========================================================================== finding the passage
class _DocIndex:
    """A document prepared once per check run: its text lower-cased with every non-word character
    turned into a space. The prepared text has the same length as the document, so an offset in one
    is an offset in the other; only a matched passage's neighbourhood is ever split into words."""

    def __init__(self, doc: PrimaryDocument):
        self.doc = doc
        self.flat = _flatten(doc.text)
        self._turns: Optional[list[tuple[int, int, str]]] = None

    @property
    def other_turns(self) -> list[tuple[int, int, str]]:
        if self._turns is None:
            self._turns = _other_turns(self.doc)
        return self._turns

    def words(self, start: int, end: int) -> list[_Tok]:
        """Words of the document overlapping [start, end), with sentence-initial marks from their context."""
        text = self.doc.text
        a = max(0, start)
        while a > 0 and not text[a - 1].isspace():
            a -= 1
        ctx = max(0, a - 40)
        toks = [t for t in _tokens(text[ctx:min(len(text), end + 40)], offset=ctx) if t.end > a and t.start < end]
        if toks and toks[0].start > 0:  # its first word's context lies before the slice it was cut from
            toks[0].initial = bool(re.search(r"[.!?:]\W*$|\n", text[max(0, toks[0].start - 40):toks[0].start]))
        return toks


def _flatten(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # a few characters lower-case to two ("İ"): keep those as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return _NON_WORD.sub(" ", low.replace("’", "'"))


@dataclass
class _Match:
    index: _DocIndex
    score: float
    start: int  # character range in the document
    end: int

    @property
    def doc(self) -> PrimaryDocument:
        return self.index.doc


def _align(q: list[_Tok], idx: _DocIndex, lo: int = 0, hi: Optional[int] = None) -> Optional[_Match]:
    """The best passage for the quote words in one document (rapidfuzz over the prepared text), or None.

    A quote with ellipses is also aligned piece by piece, in order (the words an ellipsis stands for
    can be many, and rapidfuzz's window is only as long as the quote); the better alignment wins.
    """
    from rapidfuzz import fuzz

    flat = idx.flat if hi is None and lo == 0 else idx.flat[lo:hi]
    if not q or not flat.strip():
        return None
    qs = [t.norm for t in q if not t.bracket]
    if not qs:
        return None
    if len(qs) < constants.QUOTE_MIN_FUZZY_TOKENS:  # too short for fuzzy matching: exact word run only
        m = re.search(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in qs) + r"(?!\w)", flat)
        return _Match(idx, 100.0, lo + m.start(), lo + m.end()) if m else None
    al = fuzz.partial_ratio_alignment(" ".join(t.norm for t in q), flat)
    best = None if al is None or al.dest_end <= al.dest_start else _Match(idx, al.score, lo + al.dest_start, lo + al.dest_end)
    cuts = [i for i, t in enumerate(q) if t.ellipsis_before and i > 0]
    if cuts and hi is None and lo == 0:
        pieces = [q[a:b] for a, b in zip([0] + cuts, cuts + [len(q)])]
        found, pos = [], 0
        for piece in pieces:
            m = _align(piece, idx, pos, pos + constants.QUOTE_ELLIPSIS_MAX_GAP if found else None)
            if m is None:
                break
            found.append((m, sum(not t.bracket for t in piece)))
            pos = m.end
        if len(found) == len(pieces):
            score = sum(m.score * n for m, n in found) / max(1, sum(n for _, n in found))
            if best is None or score > best.score:
                best = _Match(idx, score, found[0][0].start, found[-1][0].end)
    return best


# =========================================================================== the diff
def _diff(q: list[_Tok], d: list[_Tok]) -> list[tuple[str, list[_Tok], list[_Tok]]]:
    """Word-level diff (LCS via rapidfuzz Indel), adjacent insert/delete merged into changes."""
    from rapidfuzz.distance import Indel

    ops = []
    qkeys = [f"\x00[{i}]" if t.bracket else _stem(t.norm) for i, t in enumerate(q)]  # brackets never match
    for op in Indel.opcodes(qkeys, [_stem(t.norm) for t in d]):
        qs, ds = q[op.src_start:op.src_end], d[op.dest_start:op.dest_end]
        tag = {"equal": "equal", "delete": "added", "insert": "omitted", "replace": "changed"}[op.tag]
        if ops and tag != "equal" and ops[-1][0] != "equal":
            _, pq, pd = ops.pop()
            qs, ds = pq + qs, pd + ds
            tag = "changed" if qs and ds else ("added" if qs else "omitted")
        ops.append((tag, qs, ds))
    return ops


def _words(toks: list[_Tok], last_sep: bool = True) -> str:
    if not toks:
        return ""
    return "".join(t.raw + t.sep for t in toks[:-1]) + toks[-1].raw + (toks[-1].sep if last_sep else "")


def _judge(tag: str, qs: list[_Tok], ds: list[_Tok]) -> DiffOp:
    """Is one changed stretch material? Negation, number, name and modal changes always are."""
    quote, document = _words(qs, False), _words(ds, False)
    qn, dn = [t.norm for t in qs], [t.norm for t in ds]
    what = {"changed": f'the document says "{document}", the quote "{quote}"',
            "omitted": f'the quote leaves out "{document}" with no ellipsis',
            "added": f'the quote adds "{quote}", which the document does not have'}[tag]
    checks = (
        ("negation", _is_negation, "a negation"),
        ("number", _is_number, "a number or quantity"),
        ("modal", _is_modal, "a modal verb"),
    )
    for kind, test, label in checks:
        if Counter(n for n in qn if test(n)) != Counter(n for n in dn if test(n)):
            return DiffOp(tag, quote, document, True, kind, f"{label} changed: {what}")
    names = {t.norm for t in qs + ds if _is_name(t)}  # a name on either side counts on both (case may be lost)
    if Counter(n for n in qn if n in names) != Counter(n for n in dn if n in names):
        return DiffOp(tag, quote, document, True, "name", f"a name changed: {what}")
    if tag == "changed" and len(qn) == len(dn) and all(_stem(a) == _stem(b) for a, b in zip(qn, dn)):
        return DiffOp(tag, quote, document, False, "inflection", f"grammatical form only: {what}")
    content = [n for n in qn + dn if n not in constants.FUNCTION_WORDS]
    if content:
        return DiffOp(tag, quote, document, True, "content", f"wording changed: {what}")
    return DiffOp(tag, quote, document, False, "function", f"function words only: {what}")


def _cosmetic(qt: _Tok, dt: _Tok, last: bool) -> list[str]:
    kinds = []
    if qt.raw != dt.raw:
        kinds.append("case" if qt.raw.lower() == dt.raw.lower() else "quote marks")
    if not last:
        qsep, dsep = qt.sep, _strip_marks(dt.sep)  # quote seps lost their editorial marks already
        if qsep != dsep:
            fold = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
            if qsep.translate(fold) == dsep.translate(fold):
                kinds.append("quote marks")
            elif qsep.split() == dsep.split() or "".join(qsep.split()) == "".join(dsep.split()):
                kinds.append("whitespace")
            else:
                kinds.append("punctuation")
    return kinds


def _trimmed(ops: list, n: int) -> tuple[list, int, int]:
    """Drop passage words before the quote's first word and after its last (not omissions); edge
    [bracketed] insertions stand for nothing in the passage."""
    ops = list(ops)
    lo, hi = 0, n
    while ops and ops[0][0] == "omitted":
        lo += len(ops.pop(0)[2])
    while ops and ops[-1][0] == "omitted":
        hi -= len(ops.pop()[2])
    for i in (0, -1):
        if (ops and ops[i][1] and all(t.bracket for t in ops[i][1]) and ops[i][2]
                and [t.norm for t in ops[i][1]] != [t.norm for t in ops[i][2]]):
            tag, qs, ds = ops[i]
            ops[i] = ("added", qs, [])
            if i == 0:
                lo += len(ds)
            else:
                hi -= len(ds)
    return ops, lo, max(lo, hi)


def _tightest(q: list[_Tok], d: list[_Tok]) -> tuple[list, int, int]:
    """Of the diffs made front to back and back to front, the one with the tighter passage.

    An LCS diff pairs a repeated word ("I", "the") with its first copy; diffing the reversed
    lists pairs it with the last. At the passage's start the last copy is the right one.
    """
    fwd = _trimmed(_diff(q, d), len(d))
    rev_ops = [(tag, qs[::-1], ds[::-1]) for tag, qs, ds in reversed(_diff(q[::-1], d[::-1]))]
    rev = _trimmed(rev_ops, len(d))

    def cost(x):
        ops, lo, hi = x
        return (hi - lo, sum(tag != "equal" for tag, _, _ in ops))

    return min((fwd, rev), key=cost)


def _compare(q: list[_Tok], d: list[_Tok]) -> tuple[list[DiffOp], str, list[_Tok]]:
    """Diff ops, the fidelity class and the passage words (trimmed to the quote's extent)."""
    ops, lo, hi = _tightest(q, d)
    out: list[DiffOp] = []
    n_q = sum(len(x[1]) for x in ops)
    seen_q = 0
    for tag, qs, ds in ops:
        if tag == "equal":
            run: list[_Tok] = []
            for j, (a, b) in enumerate(zip(qs, ds)):
                if a.norm != b.norm:  # same stem, different form ("hopes" for "hope")
                    if run:
                        out.append(DiffOp("equal", _words(run), _words(run)))
                        run = []
                    out.append(_judge("changed", [a], [b]))
                    continue
                kinds = _cosmetic(a, b, seen_q + j + 1 == n_q)
                if kinds:
                    if run:
                        out.append(DiffOp("equal", _words(run), _words(run)))
                        run = []
                    out.append(DiffOp("cosmetic", a.raw + a.sep, b.raw + b.sep, False, ", ".join(dict.fromkeys(kinds)),
                                      "cosmetic only: " + ", ".join(dict.fromkeys(kinds))))
                else:
                    run.append(a)
            if run:
                out.append(DiffOp("equal", _words(run), _words(run)))
        elif tag == "omitted" and qs == [] and seen_q < len(q) and q[seen_q].ellipsis_before:
            out.append(DiffOp("ellipsis", "…", _words(ds, False), False, "ellipsis", "omission marked with an ellipsis"))
        elif qs and all(t.bracket for t in qs) and [t.norm for t in qs] == [t.norm for t in ds]:
            out.append(DiffOp("equal", _words(qs), _words(ds)))  # the document has the same bracketed words
        elif qs and all(t.bracket for t in qs):
            out.append(DiffOp("bracket", "[" + _words(qs, False) + "]", _words(ds, False), False, "bracket",
                              f'editorial insertion in brackets stands for "{_words(ds, False)}"' if ds
                              else "editorial insertion in brackets"))
        else:
            out.append(_judge(tag, qs, ds))
        seen_q += len(qs)
    tags = {o.op for o in out}
    if "changed" in tags:
        cls = "words changed"
    elif "omitted" in tags:
        cls = "words omitted"
    elif "added" in tags:
        cls = "words added"
    elif tags & {"ellipsis", "bracket"}:
        cls = "marked edits"
    elif "cosmetic" in tags:
        cls = "cosmetic"
    else:
        cls = "exact"
    return out, cls, d[lo:hi]


# =========================================================================== one quote
def _check_quote(text: str, claim: Claim, k: int, seg: _Segment, speaker_docs: list[_DocIndex],
                 other_docs: list[_DocIndex]) -> QuoteCheck:
    from rapidfuzz import fuzz

    qtext = text[seg.start:seg.end]
    q = _quote_tokens(qtext)
    for t in q:
        t.start += seg.start
        t.end += seg.start
    base = dict(
        id=stable_id("q", claim.id, qtext) + (f"-{k}" if k else ""), claim_id=claim.id, quote_index=k,
        quote_type=claim.quote_type or "", speaker=claim.speaker, quote_text=qtext,
        quote_start=seg.start, quote_end=seg.end,
    )
    notes = [seg.note] if seg.note else []

    def found(m: Optional[_Match]) -> bool:
        if m is None or m.score < constants.QUOTE_FOUND_MIN_SCORE:
            return False
        words = {t.norm for t in m.index.words(m.start, m.end)}
        share = sum(t.norm in words for t in q if not t.bracket) / max(1, sum(not t.bracket for t in q))
        return share >= constants.QUOTE_MIN_TOKEN_SHARE

    def best(docs: list[_DocIndex]) -> Optional[_Match]:
        ms = [m for m in (_align(q, d) for d in docs) if m is not None]
        return max(ms, key=lambda m: m.score) if ms else None

    m_s = best(speaker_docs)
    m_o = best(other_docs)
    misattributed = False
    if found(m_s):
        m = m_s
        if found(m_o) and m_o.score >= m_s.score + constants.QUOTE_OTHER_SPEAKER_MARGIN:
            cls_o = _compare(q, _passage(m_o, q))[1]
            cls_s = _compare(q, _passage(m_s, q))[1]
            if cls_o in ("exact", "cosmetic", "marked edits") and cls_s not in ("exact", "cosmetic", "marked edits"):
                m, misattributed = m_o, True
    elif found(m_o):
        m = m_o
        misattributed = bool(claim.speaker)
        if not claim.speaker:
            notes.append("speaker not resolved: searched all documents")
        elif not speaker_docs:
            notes.append(f"no document by {claim.speaker} was supplied")
    else:
        if not speaker_docs and claim.speaker:
            notes.append(f"no document by {claim.speaker} was supplied")
        elif not claim.speaker:
            notes.append("speaker not resolved: searched all documents")
        best_any = max([x for x in (m_s, m_o) if x is not None], key=lambda x: x.score, default=None)
        return QuoteCheck(**base, fidelity="not found", score=round(best_any.score, 1) if best_any else 0.0,
                          note="; ".join(notes))

    ops, cls, kept_d = _compare(q, _passage(m, q))
    if not kept_d:
        kept_d = m.index.words(m.start, m.end)
    pstart, pend = kept_d[0].start, kept_d[-1].end
    doc = m.doc
    words = {t.norm for t in kept_d}
    share = sum(t.norm in words for t in q if not t.bracket) / max(1, sum(not t.bracket for t in q))
    score = fuzz.ratio(" ".join(t.norm for t in q if not t.bracket), " ".join(t.norm for t in kept_d))
    changes = [o for o in ops if o.op not in ("equal",)]
    material = any(o.material for o in changes)
    turn = None
    if not misattributed and claim.speaker:
        turn = next((lab for x, y, lab in m.index.other_turns if x <= pstart < y), None)
    if turn is not None:
        misattributed = True
        notes.append(f"in the document these are the words of {turn!r}, not of {doc.speaker}: possible misattribution")
    elif misattributed:
        notes.append(
            f"found in a document by {doc.speaker or 'an unnamed speaker'}, not by {claim.speaker}: possible "
            f"misattribution (or that document quotes {claim.speaker}; check)"
        )
    if misattributed and sum(not t.bracket for t in q) < constants.QUOTE_MIN_MISATTRIBUTION_TOKENS:
        notes.append("too short to flag")
    fidelity = "other speaker" if misattributed else cls
    return QuoteCheck(
        **base, fidelity=fidelity, score=round(float(score), 1), word_share=round(share, 3), material=material,
        document_id=doc.id, document_path=doc.path, document_title=doc.title, document_speaker=doc.speaker,
        document_channel=doc.channel, document_date=doc.date, passage_text=doc.text[pstart:pend],
        passage_start=pstart, passage_end=pend, ops=ops, changes=changes, note="; ".join(notes),
    )


def _passage(m: _Match, q: list[_Tok]) -> list[_Tok]:
    """The matched words, widened on a side only when the quote's words run past it there.

    rapidfuzz's window is only as long as the quote, so a quote with words left out would lose its
    last words; widening only where needed keeps the diff from pairing an edge word with a copy of it
    further away. The diff then trims passage words outside the quote.
    """
    d = m.index.words(m.start, m.end)
    ops = _diff(q, d)
    if not ops:
        return d
    pad = (len(q) // 4 + 2) * 12  # characters: about n/4 + 2 words
    left = m.start - pad if ops[0][0] in ("added", "changed") else m.start
    right = m.end + pad if ops[-1][0] in ("added", "changed") else m.end
    return d if (left, right) == (m.start, m.end) else m.index.words(left, right)


# =========================================================================== indirect claims
def _sentences(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        if text[pos:m.start()].strip():
            out.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, len(text)))
    return out


def _content_words(s: str) -> str:
    """Words that carry the topic: no function words, no quantifiers ("more", "all"), none under 3 letters
    (digits kept)."""
    return " ".join(w for w in (_norm(x) for x in _WORD.findall(s))
                    if w not in constants.FUNCTION_WORDS and (w.isdigit() or (len(w) > 2 and w not in constants.NUMBER_WORDS)))


_TURN = re.compile(r"^[ \t]*(?:\*\*)?([A-Z][\w.'’ -]{0,40}?)(?:\*\*)?:[ \t]", re.M)


def _other_turns(doc: PrimaryDocument) -> list[tuple[int, int, str]]:
    """Stretches of a transcript spoken by someone else: (start, end, label) from a "NAME:" /
    "Question:" line start that does not name the document's speaker to the next turn label."""
    turns = [(m.start(), m.group(1).strip()) for m in _TURN.finditer(doc.text) if len(m.group(1).split()) <= 4]
    if not any(speaker_matches(label, doc) for _, label in turns):
        return []  # not a transcript with the speaker's own turns labelled: nothing to exclude
    out = []
    for i, (pos, label) in enumerate(turns):
        if not speaker_matches(label, doc):
            end = turns[i + 1][0] if i + 1 < len(turns) else len(doc.text)
            out.append((pos, end, label))
    return out


def _context(text: str, claim: Claim, docs: list[_DocIndex]) -> Optional[QuoteCheck]:
    """The closest sentence in the speaker's documents: rapidfuzz token_set_ratio over content words,
    among sentences sharing enough of the claim's content words (``constants.CONTEXT_MIN_SHARED``)."""
    from rapidfuzz import fuzz

    claim_words = {_stem(w) for w in _content_words(claim.text).split()}
    need = min(constants.CONTEXT_MIN_SHARED, max(1, len(claim_words) // 3))
    claim_content = _content_words(claim.text)
    best = None
    for d in docs:
        others = d.other_turns
        for a, b in _sentences(d.doc.text):
            if any(x <= a < y for x, y, _ in others):
                continue  # an interviewer's question is not the speaker's words
            sent = d.doc.text[a:b]
            shared = claim_words & {_stem(w) for w in _content_words(sent).split()}
            if len(shared) < need:
                continue
            score = fuzz.token_set_ratio(claim_content, _content_words(sent))
            key = (len(shared), score)
            if best is None or key > best[0]:
                best = (key, d, a, b)
    first, last = claim.spans[0], claim.spans[-1]
    base = dict(
        id=stable_id("q", claim.id, claim.text), claim_id=claim.id, quote_index=0, quote_type=claim.quote_type or "indirect",
        speaker=claim.speaker, quote_text=text[first.start:last.end], quote_start=first.start, quote_end=last.end,
        fidelity="context only",
    )
    if best is None:
        return QuoteCheck(**base, note="reported speech: no passage in the speaker's documents shares its key words")
    (_, score), d, a, b = best
    return QuoteCheck(
        **base, score=round(float(score), 1), document_id=d.doc.id, document_path=d.doc.path,
        document_title=d.doc.title, document_speaker=d.doc.speaker, document_channel=d.doc.channel,
        document_date=d.doc.date, passage_text=d.doc.text[a:b], passage_start=a, passage_end=b,
        note="reported speech: the closest passage in the speaker's documents, shown as context (no verdict)",
    )


# =========================================================================== the stage
def _flag(claim: Claim, check: QuoteCheck) -> Optional[Flag]:
    channel = claim.channel.label if claim.channel else None
    source = f'{check.document_title or check.document_id} ({check.document_speaker or "unnamed speaker"}'
    source += f", {check.document_date})" if check.document_date else ")"
    if check.fidelity == "other speaker":
        if len(_WORD.findall(_BRACKET.sub(" ", check.quote_text))) < constants.QUOTE_MIN_MISATTRIBUTION_TOKENS:
            return None  # a few common words in someone else's document prove nothing
        return Flag(
            id=stable_id("fq", claim.id, check.quote_text, "misattributed"), claim_id=claim.id, relation="misattributed",
            reason=(f'The quote "{check.quote_text}" is attributed to {claim.speaker}, but it was found in {source}: '
                    f'"{check.passage_text}" ({check.note}). Check who said it.'),
            severity=constants.SEVERITY_MISATTRIBUTED, confidence=0.6 if check.score >= 90 else 0.4,
            claim_span=check.quote_span, speaker=claim.speaker, channel=channel, countering_speaker=check.document_speaker,
        )
    if check.material and check.fidelity in ("words changed", "words omitted", "words added"):
        material = [o for o in check.changes if o.material]
        always = [o for o in material if o.kind in ("negation", "number", "name", "modal")]
        return Flag(
            id=stable_id("fq", claim.id, check.quote_text, "misquoted"), claim_id=claim.id, relation="misquoted",
            reason=(f'The quote differs materially from {source}: ' + "; ".join(o.reason for o in material)
                    + f'. Document passage: "{check.passage_text}".'),
            severity=constants.SEVERITY_MISQUOTE_ALWAYS_MATERIAL if always else constants.SEVERITY_MISQUOTE_MATERIAL,
            confidence=0.8 if always else 0.6, claim_span=check.quote_span, speaker=claim.speaker, channel=channel,
            countering_speaker=check.document_speaker,
        )
    return None


def _twin_claim(analysis: Analysis, claim: Claim, seg: _Segment, indexes: list[_DocIndex], document_id) -> Optional[Claim]:
    """Another claim over the same quoted words whose speaker is the found document's speaker."""
    doc = next((ix.doc for ix in indexes if ix.doc.id == document_id), None)
    if doc is None:
        return None
    for other in analysis.claims:
        if other is claim or other.quote_type not in ("direct", "mixed"):
            continue
        if any(sp.start < seg.end and seg.start < sp.end for sp in other.spans) and speaker_matches(other.speaker, doc):
            return other
    return None


def check_quotes(analysis: Analysis, documents_dir: Optional[str | Path] = None) -> list[QuoteCheck]:
    """Check every quote of ``analysis`` against the primary documents; results go to ``analysis.extras``.

    ``documents_dir`` defaults to ``<article stem>.sources/`` beside the article (none: no documents,
    no error). Adds ``misquoted`` / ``misattributed`` flags (re-running replaces them, never duplicates).
    """
    if documents_dir is None or str(documents_dir) == "":
        article_path = analysis.article.path
        folder = default_documents_dir(article_path) if not article_path.startswith("<") else None
    else:
        folder = Path(documents_dir)
    docset: DocumentSet = load_documents(folder)
    analysis.extras["documents"] = [d.to_dict() for d in docset]
    analysis.extras["documents_folder"] = docset.folder
    analysis.extras["documents_skipped"] = list(docset.skipped) + list(docset.warnings)
    analysis.flags = [f for f in analysis.flags if not f.id.startswith(FLAG_ID_PREFIX)]
    checks: list[QuoteCheck] = []
    if not len(docset):
        analysis.extras["quote_checks"] = checks
        return checks
    indexes = [_DocIndex(d) for d in docset]
    text = analysis.article.text
    segments = quoted_segments(text)
    for claim in analysis.claims:
        qt = claim.quote_type
        mine = [ix for ix in indexes if speaker_matches(claim.speaker, ix.doc)]
        others = [ix for ix in indexes if ix not in mine]
        if qt in ("direct", "mixed"):
            for k, seg in enumerate(claim_quotes(text, claim, segments)):
                check = _check_quote(text, claim, k, seg, mine, others)
                checks.append(check)
                if check.fidelity == "other speaker":
                    twin = _twin_claim(analysis, claim, seg, indexes, check.document_id)
                    if twin is not None:  # two claims hold these words; the other names the document's speaker
                        check.note += (f"; the same words are also attributed to {twin.speaker} (claim {twin.id}): "
                                       f"probably overlapping extractions, not flagged")
                        continue
                flag = _flag(claim, check)
                if flag is not None:
                    analysis.flags.append(flag)
        elif qt == "indirect" and mine:
            ctx = _context(text, claim, mine)
            if ctx is not None:
                checks.append(ctx)
    analysis.extras["quote_checks"] = checks
    return checks


# =========================================================================== display & export
_FRAME_COLUMNS = [
    "claim_id", "speaker", "quote_type", "quote", "class", "material", "score", "changes", "document",
    "document_speaker", "document_date", "passage", "note", "quote_start", "quote_end", "document_id",
    "passage_start", "passage_end",
]


def _as_check(c) -> QuoteCheck:
    if isinstance(c, QuoteCheck):
        return c
    d = dict(c)
    d["fidelity"] = d.pop("class", d.get("fidelity"))
    d["ops"] = [DiffOp(**o) if isinstance(o, dict) else o for o in d.get("ops", [])]
    d["changes"] = [DiffOp(**o) if isinstance(o, dict) else o for o in d.get("changes", [])]
    return QuoteCheck(**d)


#: The columns a reader needs (the notebook and report); exports keep every column.
READING_COLUMNS = ["speaker", "quote", "class", "material", "changes", "document", "passage", "note"]


def quote_checks_frame(analysis: Analysis, full: bool = True):
    """One row per checked quote (plain values), most serious first; ``full=False`` keeps READING_COLUMNS."""
    import pandas as pd

    rows = []
    order = {c: i for i, c in enumerate(("other speaker", "words changed", "words omitted", "words added",
                                          "not found", "marked edits", "cosmetic", "exact", "context only"))}
    for c in (_as_check(x) for x in analysis.extras.get("quote_checks", [])):
        rows.append({
            "claim_id": c.claim_id, "speaker": c.speaker or "", "quote_type": c.quote_type, "quote": c.quote_text,
            "class": c.fidelity, "material": bool(c.material), "score": float(c.score),
            "changes": "; ".join(o.reason for o in c.changes if o.reason),
            "document": c.document_title or c.document_id or "", "document_speaker": c.document_speaker or "",
            "document_date": c.document_date or "", "passage": c.passage_text, "note": c.note,
            "quote_start": c.quote_start, "quote_end": c.quote_end, "document_id": c.document_id or "",
            "passage_start": c.passage_start if c.passage_start is not None else -1,
            "passage_end": c.passage_end if c.passage_end is not None else -1,
            "_order": (not c.material, order.get(c.fidelity, 99), c.quote_start),
        })
    df = pd.DataFrame(rows, columns=_FRAME_COLUMNS + ["_order"])
    if len(df):
        df = df.sort_values("_order", kind="stable")
    df = df.drop(columns="_order").reset_index(drop=True)
    return df if full else df[READING_COLUMNS]


_DIFF_STYLE = {
    "del": "background:#fde2e2;color:#7f1d1d;text-decoration:line-through",
    "ins": "background:#dcfce7;color:#14532d;text-decoration:none",
    "material": "outline:2px solid #b91c1c;border-radius:2px",
    "cosmetic": "border-bottom:1px dotted #6b7280",
    "marked": "background:#eef2ff;color:#3730a3",
}


def diff_html(check, show_class: bool = True) -> str:
    """The word-level diff as HTML a journalist can read. All text is html-escaped.

    <del> = in the document but not in the quote; <ins> = in the quote but not in the document.
    Material changes are outlined and carry their reason as a tooltip.
    """
    c = _as_check(check)
    esc = lambda s: html.escape(s or "", quote=True)  # noqa: E731 - tiny local helper
    if c.fidelity == "not found":
        return f'<div class="sc-quote-diff sc-not-found">{esc(c.quote_text)} <em>(not found in the documents)</em></div>'
    if c.fidelity == "context only":
        return (f'<div class="sc-quote-diff sc-context"><em>closest passage (score {c.score:.0f}):</em> '
                f'{esc(c.passage_text)}</div>')
    parts = []
    for o in c.ops:
        title = f' title="{esc(o.reason)}"' if o.reason else ""
        mat = f' style="{_DIFF_STYLE["material"]}"' if o.material else ""
        if o.op == "equal":
            parts.append(esc(o.quote))
        elif o.op == "cosmetic":
            parts.append(f'<span class="sc-cosmetic" style="{_DIFF_STYLE["cosmetic"]}"{title}>{esc(o.quote)}</span>')
        elif o.op in ("ellipsis", "bracket"):
            parts.append(f'<span class="sc-marked" style="{_DIFF_STYLE["marked"]}"{title}>'
                         + (f'<del style="{_DIFF_STYLE["del"]}">{esc(o.document)}</del> ' if o.document else "")
                         + f'<ins style="{_DIFF_STYLE["ins"]}">{esc(o.quote)}</ins></span> ')
        else:
            inner = ""
            if o.document:
                inner += f'<del style="{_DIFF_STYLE["del"]}">{esc(o.document)}</del>'
            if o.quote:
                inner += (" " if inner else "") + f'<ins style="{_DIFF_STYLE["ins"]}">{esc(o.quote)}</ins>'
            parts.append(f'<span class="sc-change sc-{esc(o.op)}{" sc-material" if o.material else ""}"{mat}{title}>'
                         f'{inner}</span> ')
    head = f'<span class="sc-class">[{esc(c.fidelity)}]</span> ' if show_class else ""
    return f'<div class="sc-quote-diff">{head}{"".join(parts)}</div>'


_LEGEND = ('<span style="%s">struck red</span> = in the document, not in the quote; '
           '<span style="%s">green</span> = in the quote, not in the document; '
           '<span style="%s">outlined</span> = a material change (hover for the reason).')


def diffs_html(analysis: Analysis) -> str:
    """Every quote check as a readable block (speaker, class, document, diff, note); all text escaped."""
    esc = lambda s: html.escape("" if s is None else str(s), quote=True)  # noqa: E731 - tiny local helper
    checks = iter_checks(analysis)
    if not analysis.extras.get("documents"):
        folder = analysis.extras.get("documents_folder")
        return ("<p class=\"sc-quote-checks\"><em>No primary documents were supplied"
                + (f" (folder {esc(folder)} is empty)" if folder else
                   " (put them in a folder named &lt;article&gt;.sources/ beside the article, or set documents_dir)")
                + ".</em></p>")
    if not checks:
        return '<p class="sc-quote-checks"><em>No quotes to check.</em></p>'
    frame_order = {c: i for i, c in enumerate(("other speaker", "words changed", "words omitted", "words added", "not found",
                                                "marked edits", "cosmetic", "exact", "context only"))}
    checks = sorted(checks, key=lambda c: (not c.material, frame_order.get(c.fidelity, 99), c.quote_start))
    legend = _LEGEND % (_DIFF_STYLE["del"], _DIFF_STYLE["ins"], _DIFF_STYLE["material"])
    parts = [f'<div class="sc-quote-checks"><p class="sc-legend"><small>{legend}</small></p>']
    for c in checks:
        doc = c.document_title or c.document_id
        meta = [f"<b>{esc(c.speaker or 'speaker not resolved')}</b>", esc(c.fidelity)]
        if doc:
            meta.append(esc(doc) + (f" ({esc(c.document_date)})" if c.document_date else ""))
        if c.fidelity != "not found":
            meta.append(f"score {c.score:.0f}")
        parts.append('<div class="sc-quote-check" style="margin:0.6em 0;padding:0.3em 0.6em;border-left:3px solid '
                     + ("#b91c1c" if c.material or c.fidelity == "other speaker" else "#d1d5db") + '">'
                     + f'<div class="sc-quote-meta"><small>{" · ".join(meta)}</small></div>{diff_html(c, show_class=False)}'
                     + (f'<div class="sc-note"><small>{esc(c.note)}</small></div>' if c.note else "") + "</div>")
    parts.append("</div>")
    return "".join(parts)


def write_exports(analysis: Analysis, out_dir: str | Path) -> dict[str, Path]:
    """Write ``quote_checks.csv`` and ``timeline.csv`` into ``out_dir``; return their paths."""
    from .timeline import timeline_frame

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"quote_checks": out / "quote_checks.csv", "timeline": out / "timeline.csv"}
    quote_checks_frame(analysis).to_csv(paths["quote_checks"], index=False)
    timeline_frame(analysis).to_csv(paths["timeline"], index=False)
    return paths


def iter_checks(analysis: Analysis) -> Iterable[QuoteCheck]:
    """The analysis' quote checks as ``QuoteCheck`` objects (also after a JSON round trip)."""
    return [_as_check(c) for c in analysis.extras.get("quote_checks", [])]
