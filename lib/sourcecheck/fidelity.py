"""Word-level fidelity of one quote to one document: finding the passage, diffing, classifying.

``sourcecheck.quotes`` runs this for every quote of an article; this module knows nothing of
claims or flags. Finding the passage: rapidfuzz's ``partial_ratio_alignment`` scans the
document's text, prepared once (lower case, punctuation as spaces, same length as the original
so offsets carry over); only the matched neighbourhood is split into words. A quote with
ellipses is also aligned piece by piece. The passage and the quote are then diffed word by word
(rapidfuzz ``Indel`` opcodes over word lists, front to back and back to front, the tighter
kept), and every changed stretch is judged: a changed, dropped or added negation, number, name
or modal verb is always material; other content words are material; function words only, or a
word's grammatical form only, are not. Ellipses and [brackets] are declared edits.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from . import constants
from .documents import PrimaryDocument, other_turns

FIDELITY_CLASSES = (
    "exact", "cosmetic", "marked edits", "words changed", "words omitted", "words added",
    "not found", "other speaker", "context only",
)
WORD = re.compile(r"\w+(?:['’]\w+)*", re.U)
ELLIPSIS = re.compile(r"…|\.\s?\.\s?\.")
BRACKET = re.compile(r"\[[^\]\n]*\]")
NON_WORD = re.compile(r"[^\w']|(?<!\w)'|'(?!\w)")


# =========================================================================== diff ops
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


# =========================================================================== words
@dataclass
class Word:
    norm: str
    raw: str
    start: int
    end: int
    sep: str = ""  # raw text up to the next word
    bracket: bool = False
    ellipsis_before: bool = False
    initial: bool = False  # first word of a sentence (capital letter says nothing)


def norm(word: str) -> str:
    return unicodedata.normalize("NFKC", word).lower().replace("’", "'")


def words_of(text: str, offset: int = 0) -> list[Word]:
    """Words of ``text`` with offsets (+ ``offset``), the raw text after each, and sentence-initial marks."""
    toks = [Word(norm(m.group()), m.group(), m.start() + offset, m.end() + offset) for m in WORD.finditer(text)]
    prev = 0
    for i, t in enumerate(toks):
        nxt = toks[i + 1].start - offset if i + 1 < len(toks) else len(text)
        t.sep = text[t.end - offset:nxt]
        t.initial = i == 0 or bool(re.search(r"[.!?:]\W*$|\n", text[prev:t.start - offset]))
        prev = t.end - offset
    return toks


def quote_words(text: str) -> list[Word]:
    """Words of a quote, marking [bracketed] words and words right after an ellipsis."""
    toks = words_of(text)
    brackets = [(m.start(), m.end()) for m in BRACKET.finditer(text)]
    ellipses = [m.end() for m in ELLIPSIS.finditer(text)]
    for t in toks:
        t.bracket = any(a <= t.start < b for a, b in brackets)
    for e in ellipses:
        nxt = next((t for t in toks if t.start >= e), None)
        if nxt is not None:
            nxt.ellipsis_before = True
    for t in toks:  # editorial marks are ops of their own, not punctuation differences
        t.sep = strip_marks(t.sep)
    return toks


def strip_marks(sep: str) -> str:
    """The text between two words without ellipses and square brackets."""
    if "[" in sep or "]" in sep or ELLIPSIS.search(sep):
        return re.sub(r"\s*(?:…|\.\s?\.\s?\.)\s*", " ", sep.replace("[", "").replace("]", ""))
    return sep


def is_negation(n: str) -> bool:
    return n in constants.NEGATION_WORDS or n.endswith("n't")


def is_number(n: str) -> bool:
    return any(ch.isdigit() for ch in n) or n in constants.NUMBER_WORDS


def is_modal(n: str) -> bool:
    return n in constants.MODAL_WORDS


def is_name(t: Word) -> bool:
    raw = t.raw
    if not raw[:1].isupper() or t.norm in ("i", "i'm", "i've", "i'll", "i'd"):
        return False
    if raw.isupper() and len(raw) > 5:  # shouting (all caps): case says nothing
        return False
    return not t.initial or (raw.isupper() and len(raw) > 1)


def stem(n: str) -> str:
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


# =========================================================================== finding the passage
class DocumentText:
    """A document prepared once per check run: its text lower-cased with every non-word character
    turned into a space. The prepared text has the same length as the document, so an offset in one
    is an offset in the other; only a matched passage's neighbourhood is ever split into words."""

    def __init__(self, doc: PrimaryDocument):
        self.doc = doc
        self.flat = flatten(doc.text)
        self._turns: Optional[list[tuple[int, int, str]]] = None

    @property
    def other_turns(self) -> list[tuple[int, int, str]]:
        if self._turns is None:
            self._turns = other_turns(self.doc)
        return self._turns

    def words(self, start: int, end: int) -> list[Word]:
        """Words of the document overlapping [start, end), with sentence-initial marks from their context."""
        text = self.doc.text
        a = max(0, start)
        while a > 0 and not text[a - 1].isspace():
            a -= 1
        ctx = max(0, a - 40)
        toks = [t for t in words_of(text[ctx:min(len(text), end + 40)], offset=ctx) if t.end > a and t.start < end]
        if toks and toks[0].start > 0:  # its first word's context lies before the slice it was cut from
            toks[0].initial = bool(re.search(r"[.!?:]\W*$|\n", text[max(0, toks[0].start - 40):toks[0].start]))
        return toks


def flatten(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):  # a few characters lower-case to two ("İ"): keep those as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return NON_WORD.sub(" ", low.replace("’", "'"))


@dataclass
class Match:
    index: DocumentText
    score: float
    start: int  # character range in the document
    end: int

    @property
    def doc(self) -> PrimaryDocument:
        return self.index.doc


def align(q: list[Word], idx: DocumentText, lo: int = 0, hi: Optional[int] = None) -> Optional[Match]:
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
        return Match(idx, 100.0, lo + m.start(), lo + m.end()) if m else None
    al = fuzz.partial_ratio_alignment(" ".join(t.norm for t in q), flat)
    best = None if al is None or al.dest_end <= al.dest_start else Match(idx, al.score, lo + al.dest_start, lo + al.dest_end)
    cuts = [i for i, t in enumerate(q) if t.ellipsis_before and i > 0]
    if cuts and hi is None and lo == 0:
        pieces = [q[a:b] for a, b in zip([0] + cuts, cuts + [len(q)])]
        found, pos = [], 0
        for piece in pieces:
            m = align(piece, idx, pos, pos + constants.QUOTE_ELLIPSIS_MAX_GAP if found else None)
            if m is None:
                break
            found.append((m, sum(not t.bracket for t in piece)))
            pos = m.end
        if len(found) == len(pieces):
            score = sum(m.score * n for m, n in found) / max(1, sum(n for _, n in found))
            if best is None or score > best.score:
                best = Match(idx, score, found[0][0].start, found[-1][0].end)
    return best


# =========================================================================== the diff
def diff_words(q: list[Word], d: list[Word]) -> list[tuple[str, list[Word], list[Word]]]:
    """Word-level diff (LCS via rapidfuzz Indel), adjacent insert/delete merged into changes."""
    from rapidfuzz.distance import Indel

    ops = []
    qkeys = [f"\x00[{i}]" if t.bracket else stem(t.norm) for i, t in enumerate(q)]  # brackets never match
    for op in Indel.opcodes(qkeys, [stem(t.norm) for t in d]):
        qs, ds = q[op.src_start:op.src_end], d[op.dest_start:op.dest_end]
        tag = {"equal": "equal", "delete": "added", "insert": "omitted", "replace": "changed"}[op.tag]
        if ops and tag != "equal" and ops[-1][0] != "equal":
            _, pq, pd = ops.pop()
            qs, ds = pq + qs, pd + ds
            tag = "changed" if qs and ds else ("added" if qs else "omitted")
        ops.append((tag, qs, ds))
    return ops


def joined(toks: list[Word], last_sep: bool = True) -> str:
    if not toks:
        return ""
    return "".join(t.raw + t.sep for t in toks[:-1]) + toks[-1].raw + (toks[-1].sep if last_sep else "")


def judge(tag: str, qs: list[Word], ds: list[Word]) -> DiffOp:
    """Is one changed stretch material? Negation, number, name and modal changes always are."""
    quote, document = joined(qs, False), joined(ds, False)
    qn, dn = [t.norm for t in qs], [t.norm for t in ds]
    what = {"changed": f'the document says "{document}", the quote "{quote}"',
            "omitted": f'the quote leaves out "{document}" with no ellipsis',
            "added": f'the quote adds "{quote}", which the document does not have'}[tag]
    checks = (
        ("negation", is_negation, "a negation"),
        ("number", is_number, "a number or quantity"),
        ("modal", is_modal, "a modal verb"),
    )
    for kind, test, label in checks:
        if Counter(n for n in qn if test(n)) != Counter(n for n in dn if test(n)):
            return DiffOp(tag, quote, document, True, kind, f"{label} changed: {what}")
    names = {t.norm for t in qs + ds if is_name(t)}  # a name on either side counts on both (case may be lost)
    if Counter(n for n in qn if n in names) != Counter(n for n in dn if n in names):
        return DiffOp(tag, quote, document, True, "name", f"a name changed: {what}")
    if tag == "changed" and len(qn) == len(dn) and all(stem(a) == stem(b) for a, b in zip(qn, dn)):
        return DiffOp(tag, quote, document, False, "inflection", f"grammatical form only: {what}")
    content = [n for n in qn + dn if n not in constants.FUNCTION_WORDS]
    if content:
        return DiffOp(tag, quote, document, True, "content", f"wording changed: {what}")
    return DiffOp(tag, quote, document, False, "function", f"function words only: {what}")


def cosmetic_kinds(qt: Word, dt: Word, last: bool) -> list[str]:
    kinds = []
    if qt.raw != dt.raw:
        kinds.append("case" if qt.raw.lower() == dt.raw.lower() else "quote marks")
    if not last:
        qsep, dsep = qt.sep, strip_marks(dt.sep)  # quote seps lost their editorial marks already
        if qsep != dsep:
            fold = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
            if qsep.translate(fold) == dsep.translate(fold):
                kinds.append("quote marks")
            elif qsep.split() == dsep.split() or "".join(qsep.split()) == "".join(dsep.split()):
                kinds.append("whitespace")
            else:
                kinds.append("punctuation")
    return kinds


def trimmed(ops: list, n: int) -> tuple[list, int, int]:
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


def tightest(q: list[Word], d: list[Word]) -> tuple[list, int, int]:
    """Of the diffs made front to back and back to front, the one with the tighter passage.

    An LCS diff pairs a repeated word ("I", "the") with its first copy; diffing the reversed
    lists pairs it with the last. At the passage's start the last copy is the right one.
    """
    fwd = trimmed(diff_words(q, d), len(d))
    rev_ops = [(tag, qs[::-1], ds[::-1]) for tag, qs, ds in reversed(diff_words(q[::-1], d[::-1]))]
    rev = trimmed(rev_ops, len(d))

    def cost(x):
        ops, lo, hi = x
        return (hi - lo, sum(tag != "equal" for tag, _, _ in ops))

    return min((fwd, rev), key=cost)


def compare(q: list[Word], d: list[Word]) -> tuple[list[DiffOp], str, list[Word]]:
    """Diff ops, the fidelity class and the passage words (trimmed to the quote's extent)."""
    ops, lo, hi = tightest(q, d)
    out: list[DiffOp] = []
    n_q = sum(len(x[1]) for x in ops)
    seen_q = 0
    for tag, qs, ds in ops:
        if tag == "equal":
            run: list[Word] = []
            for j, (a, b) in enumerate(zip(qs, ds)):
                if a.norm != b.norm:  # same stem, different form ("hopes" for "hope")
                    if run:
                        out.append(DiffOp("equal", joined(run), joined(run)))
                        run = []
                    out.append(judge("changed", [a], [b]))
                    continue
                kinds = cosmetic_kinds(a, b, seen_q + j + 1 == n_q)
                if kinds:
                    if run:
                        out.append(DiffOp("equal", joined(run), joined(run)))
                        run = []
                    out.append(DiffOp("cosmetic", a.raw + a.sep, b.raw + b.sep, False, ", ".join(dict.fromkeys(kinds)),
                                      "cosmetic only: " + ", ".join(dict.fromkeys(kinds))))
                else:
                    run.append(a)
            if run:
                out.append(DiffOp("equal", joined(run), joined(run)))
        elif tag == "omitted" and qs == [] and seen_q < len(q) and q[seen_q].ellipsis_before:
            out.append(DiffOp("ellipsis", "…", joined(ds, False), False, "ellipsis", "omission marked with an ellipsis"))
        elif qs and all(t.bracket for t in qs) and [t.norm for t in qs] == [t.norm for t in ds]:
            out.append(DiffOp("equal", joined(qs), joined(ds)))  # the document has the same bracketed words
        elif qs and all(t.bracket for t in qs):
            out.append(DiffOp("bracket", "[" + joined(qs, False) + "]", joined(ds, False), False, "bracket",
                              f'editorial insertion in brackets stands for "{joined(ds, False)}"' if ds
                              else "editorial insertion in brackets"))
        else:
            out.append(judge(tag, qs, ds))
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


def passage_words(m: Match, q: list[Word]) -> list[Word]:
    """The matched words, widened on a side only when the quote's words run past it there.

    rapidfuzz's window is only as long as the quote, so a quote with words left out would lose its
    last words; widening only where needed keeps the diff from pairing an edge word with a copy of it
    further away. The diff then trims passage words outside the quote.
    """
    d = m.index.words(m.start, m.end)
    ops = diff_words(q, d)
    if not ops:
        return d
    pad = (len(q) // 4 + 2) * 12  # characters: about n/4 + 2 words
    left = m.start - pad if ops[0][0] in ("added", "changed") else m.start
    right = m.end + pad if ops[-1][0] in ("added", "changed") else m.end
    return d if (left, right) == (m.start, m.end) else m.index.words(left, right)
