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
   from word, lemma, part of speech, dependency and quotation features, plus
   parse rules for cues it misses (a speech verb with a clausal complement,
   a clause-initial ``In a CNN poll, ...``).
3. For each cue, a second CRF tags source and content tokens in a window (the
   cue's sentence, widened to whole quotations and past a closing colon),
   from each token's place in the parse relative to the cue (subject of the cue
   verb, its complement, the subject of the verb it is coordinated with...);
   a source it leaves out is taken from the parse (the cue's subject, the
   object of ``according to``, the subject of ``In describing X, Cuban said``,
   a name the parser hung on an interrupting phrase: ``Trump, speaking later, did not mention``).
4. A ranker (a maximum-entropy classifier, also python-crfsuite) decides which
   candidates are attributions, from the cue tagger's confidence, the cue word
   and its place in the parse, what the role tagger found (a named source? a
   quotation? how long a content?) and the competition (a more confident cue
   claiming the same content). Candidates include tokens the cue tagger labels
   "not a cue" but does not rule out, so the ranker can recover them.
5. Spans are built on character offsets of the unchanged text; quote type and
   kind (statement / document / belief) are derived from them.

The taggers and the ranker are trained on PolNeAR train by ``scripts/train_attribution.py``;
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
RANK_MODEL = DATA_DIR / "attribution-rank.crfsuite"

_QUOTE_RE = re.compile(r"''|``|[\"“”«»„]")
_WORD_RE = re.compile(r"\w+")
_WS = frozenset(" \t\r\n\u00a0\u2009\u202f\u2007\u3000\ufeff")
_OPEN_CONTEXT = frozenset("([{—–-/:;")
_EDGE_PUNCT = frozenset(",;:")
# dependency labels of a cue's children worth a feature of their own
_CONTENT_DEPS = frozenset(("ccomp", "xcomp", "dobj", "parataxis"))
#: words whose form is a role-tagger feature (content words are left out: they overfit)
_FUNCTION_WORDS = frozenset(
    """a an the this that these those he she it they we i you his her its their our my your him them us me
    who whom which what whose when where why how and or but nor so yet if as than because while although
    of in on at by for with from to into about over under after before during since through against
    is are was were be been being has have had do does did will would shall should can could may might must
    not no n't 's ' '' " “ ” ‘ ’ , . : ; ! ? - — – ( ) [ ]
    said says say told according statement interview report reported added""".split()
)
#: nouns whose "in" phrase attributes the clause it modifies ("In a CNN poll, ...", "in Forbes' words")
_PP_CUE_NOUNS = frozenset(("poll", "polls", "survey", "study", "words"))
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
    para_at = 0  # where the open quotation's current paragraph begins
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
        if open_at is not None and "\n" in text[para_at:s]:
            # a paragraph break since the quotation opened (or last continued)
            line_start = text.rfind("\n", 0, s) + 1
            starts_para = all(ch in _WS for ch in text[line_start:s])
            if direction == "open" and starts_para:
                para_at = s  # continuation of a multi-paragraph quotation
                continue
            regions.append((open_at, para_end(para_at)))
            open_at = None
        if direction == "open":
            if open_at is not None:  # unbalanced: end the previous one before this mark
                end = s
                while end > open_at and text[end - 1] in _WS:
                    end -= 1
                regions.append((open_at, end))
            open_at = para_at = s
        elif open_at is not None:
            regions.append((open_at, e))
            open_at = None
    if open_at is not None:
        regions.append((open_at, para_end(para_at)))
    return [(s, e) for s, e in regions if e > s]


# --------------------------------------------------------------------------- the parse, as plain arrays
class _Parse:
    """Per-token attributes of a spaCy Doc read once into lists (spaCy Token access is slow)."""

    __slots__ = ("doc", "text", "n", "lower", "lemma", "pos", "tag", "dep", "head", "ent", "punct", "space",
                 "idx", "end", "kids", "sent_start", "sent_end", "sents", "qid", "regions")

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


# --------------------------------------------------------------------------- features
def _cue_features(P: _Parse, start: int, end: int) -> list[list[str]]:
    lower, lemma, pos, dep, qid = P.lower, P.lemma, P.pos, P.dep, P.qid
    has_quote = int(any(qid[i] >= 0 for i in range(start, end)))
    feats = []
    for i in range(start, end):
        lem, p, d = lemma[i], pos[i], dep[i]
        h = P.head[i]
        f = [
            "w=" + lower[i],
            "l=" + lem,
            "p=" + p,
            "t=" + P.tag[i],
            "d=" + d,
            "dp=" + d + "|" + p,
            "hl=" + lemma[h],
            "hp=" + pos[h],
            "hd=" + dep[h],
            "q=%d" % (qid[i] >= 0),
        ]
        if lem in C.REPORTING_VERBS:
            f.append("rv")
            f.append("rvd=" + d)
        if lem in C.BELIEF_CUES:
            f.append("bv")
        for kd in {dep[c] for c in P.kids[i]} & _KID_DEPS:
            f.append("k=" + kd)
            f.append("lk=" + lem + "|" + kd)
        if P.ent[i]:
            f.append("e=" + P.ent[i])
        if p in ("VERB", "AUX", "NOUN"):
            subj = P.subject(i)
            if subj is not None:
                st = P.ent[subj] or pos[subj]
                f.append("sj=" + st)
                f.append("lsj=" + lem + "|" + st)
                if pos[subj] == "PRON":
                    f.append("sjw=" + lower[subj])
            else:
                f.append("lsj=" + lem + "|none")
            f.append("lsq=%s|%d" % (lem, has_quote))
        for off in (-2, -1, 1, 2):
            j = i + off
            if start <= j < end:
                f.append("%dw=%s" % (off, lower[j]))
                f.append("%dp=%s" % (off, pos[j]))
                if off in (-1, 1):
                    f.append("%dd=%s" % (off, dep[j]))
                    f.append("%dll=%s|%s" % (off, lem, lemma[j]))
                    f.append("%dq=%d" % (off, qid[j] >= 0))
            else:
                f.append("%dBOS" % off if off < 0 else "%dEOS" % off)
        if lower[i] == ":":
            rest = P.text[P.end[i]: P.end[i] + 6].lstrip()
            if rest[:1] in "\"“'`":
                f.append("colon_quote")
        feats.append(f)
    return feats


def _anchor(P: _Parse, cue: list[int]) -> int:
    """The cue's syntactic head: the cue token whose head lies outside the cue (a verb if possible)."""
    ids = set(cue)
    heads = [i for i in cue if P.head[i] not in ids or P.head[i] == i]
    if not heads:
        return cue[0]
    for i in heads:
        if P.pos[i] in ("VERB", "AUX"):
            return i
    return heads[0]


def _window(P: _Parse, a: int) -> tuple[int, int]:
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
    if start > 0 and words <= 10 and not any(P.dep[c] in _CONTENT_DEPS for c in P.kids[a]):
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


def _fallback_content(P: _Parse, a: int, cue_ids: set, start: int, end: int) -> list[int]:
    """Content tokens from the parse alone, when the role tagger finds none.

    The cue verb's clausal complement or object; otherwise the quotation nearest the cue.
    """
    for c in P.kids[a]:
        if P.dep[c] in _CONTENT_DEPS:
            return [i for i in P.subtree(c) if start <= i < end and i not in cue_ids]
    best, dist = -1, None
    for i in range(start, end):
        if P.qid[i] >= 0:
            d = abs(i - a)
            if dist is None or d < dist:
                best, dist = P.qid[i], d
    if best >= 0:
        return [i for i in range(start, end) if P.qid[i] == best]
    return []


def _complete_quotes(P: _Parse, a: int, con: list[int], taken: set, start: int, end: int) -> list[int]:
    """Make quotations whole: a quotation mostly in the content joins entirely, and the second
    half of a quote interrupted by its cue (``"A," he said, "B."``) joins the first."""
    if not con:
        return con
    qid, regions = P.qid, P.regions
    in_con = set(con)
    counts: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for i in range(start, end):
        q = qid[i]
        if q >= 0:
            sizes[q] = sizes.get(q, 0) + 1
            if i in in_con:
                counts[q] = counts.get(q, 0) + 1
    def beside_cue(q: int) -> bool:
        """Only source, cue, punctuation and the cue's adverbials between quotation ``q`` and the cue."""
        lo, hi = regions[q]
        gap = [i for i in range(start, end) if (hi <= P.idx[i] < P.idx[a]) or (P.end[a] <= P.idx[i] and P.end[i] <= lo)]
        return len(gap) <= 12 and all(
            i in taken or P.punct[i] or P.space[i] or (P.head[i] == a and P.dep[i] in ("npadvmod", "advmod", "prep", "pobj"))
            for i in gap
        )

    add = {q for q, k in counts.items() if k >= 0.5 * sizes[q] or beside_cue(q)}
    if add:
        last = max(regions[q][1] for q in add)
        for q in sorted(sizes):
            if regions[q][0] < last or q in add:
                continue
            gap = [i for i in range(start, end) if last <= P.idx[i] < regions[q][0]]
            if len(gap) <= 12 and a in gap and all(
                i in taken or P.punct[i] or P.space[i]
                or (P.head[i] == a and P.dep[i] in ("npadvmod", "advmod", "prep", "pobj"))
                for i in gap
            ):
                add.add(q)
            break
    if not add:
        return con
    return sorted(in_con | {i for i in range(start, end) if qid[i] in add and i not in taken})


def _not_a_statement(P: _Parse, a: int, src: list[int], con: list[int]) -> bool:
    """Negative rules: a rhetorical question ("Who could have predicted this?") and a quoted
    word used as a term (no source, content only a short quotation)."""
    if src and all(P.lower[i] in ("who", "what", "whoever") for i in src):
        if P.text[P.idx[P.sent_start[a]]: P.end[P.sent_end[a] - 1]].rstrip().endswith("?"):
            return True
    qs = {P.qid[i] for i in con}
    if con and len(qs) == 1 and -1 not in qs:
        words = [P.doc[i].text for i in con if not (P.punct[i] or P.space[i])]
        if not src and len(words) <= 3:
            return True
        # a title of a work: a short quotation in Title Case ("published ''The Road Ahead''")
        long_words = [w for w in words if len(w) > 3 and w.isalpha()]
        if (
            len(words) <= 8
            and long_words
            and all(w[0].isupper() for w in long_words)
            and not all(w.isupper() for w in long_words)
            and not P.text[P.regions[next(iter(qs))][0]: P.regions[next(iter(qs))][1]].rstrip("”\"'").endswith((".", "!", "?", ","))
        ):
            return True
    return False


def _bucket(d: int) -> str:
    return "1" if d <= 1 else "2" if d == 2 else "5" if d <= 5 else "10" if d <= 10 else "20" if d <= 20 else "far"


def _role_features(P: _Parse, a: int, cue_ids: set, start: int, end: int) -> list[list[str]]:
    head, dep, lower = P.head, P.dep, P.lower
    up = {a: 0}
    x, k = a, 0
    while head[x] != x and k < 40:
        x = head[x]
        k += 1
        up.setdefault(x, k)
    alem, adep = P.lemma[a], dep[a]
    has_subj = int(any(dep[c] in ("nsubj", "nsubjpass") for c in P.kids[a]))
    aq = P.qid[a]
    asent = P.sent_start[a]
    feats = []
    for i in range(start, end):
        if i in cue_ids:
            rel = rel2 = "CUE"
        else:
            child, grand, y, steps = -1, -1, i, 0
            while y not in up and head[y] != y and steps < 60:
                grand, child, y = child, y, head[y]
                steps += 1
            if y in up:
                d = up[y]
                if child < 0:
                    lab = "self"
                elif dep[child] in ("prep", "agent"):
                    lab = dep[child] + "_" + lower[child]
                else:
                    lab = dep[child]
                rel = ("A_" if d == 0 else "U%d_" % min(d, 3)) + lab
                rel2 = rel + ">" + (dep[grand] if grand >= 0 else "head")
            else:
                rel = "X"
                rel2 = "X"
        side = "L" if i < a else "R"
        q = P.qid[i]
        p = P.pos[i]
        f = [
            "rel=" + rel,
            "rs=" + rel + side,
            "rp=" + rel + "|" + p,
            "ra=" + rel + "|" + alem,
            "p=" + p,
            "d=" + dep[i],
            "s=" + side,
            "q=%d" % (q >= 0),
            "ad=" + adep,
            "al=" + alem,
            "hs=%d" % has_subj,
            "ss=%d" % (P.sent_start[i] == asent),
            "r2=" + rel2,
            "dist=" + side + _bucket(abs(i - a)),
        ]
        if lower[i] in _FUNCTION_WORDS or P.punct[i]:
            f.append("w=" + lower[i])
        if q >= 0:
            f.append("qs=" + side)
            if q == aq:
                f.append("sameq")
        if P.ent[i]:
            f.append("e=" + P.ent[i])
        if P.punct[i]:
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


def _spans_from_tokens(P: _Parse, idxs: list[int]) -> list[tuple[int, int]]:
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
    edge = _WS | _EDGE_PUNCT if punct else _WS
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


def _kind(P: _Parse, a: int, src: list[int]) -> str:
    if P.lemma[a] in C.BELIEF_CUES:
        return "belief"
    ids = set(src)
    for i in src:
        if (P.head[i] not in ids or P.head[i] == i) and P.lemma[i] in C.DOCUMENT_SOURCES:
            return "document"
    return "statement"


# --------------------------------------------------------------------------- extraction
def _find_cues(P: _Parse, tagger, threshold: float, floor: Optional[float] = None) -> list[tuple[list[int], float, str]]:
    """Cue token runs, sentence by sentence: ``(tokens, mean label probability, origin)``.

    ``origin`` is ``"crf"`` for the tagger's own (Viterbi) runs, ``"recall"`` for a
    verb it labelled "not a cue" but gave some probability, ``"low"`` for runs of
    tokens whose cue probability is at least ``floor`` (candidates for the ranker),
    and ``"rule"`` for the parse rules.
    """
    cues: list[tuple[list[int], float, str]] = []
    known = set(tagger.labels())

    def marginal(lab: str, k: int) -> float:  # a model trained on one-word cues only has no "I"
        return tagger.marginal(lab, k) if lab in known else 0.0

    for s, e in P.sents:
        labels = tagger.tag(_cue_features(P, s, e))
        origin = ["crf"] * len(labels)
        # a verb the tagger leaves out but gives some probability, with a subject and an object or clause
        for k, lab in enumerate(labels):
            i = s + k
            if (
                lab == "O"
                and P.pos[i] == "VERB"
                and P.qid[i] < 0
                and any(P.dep[c] in _CONTENT_DEPS for c in P.kids[i])
                and P.subject(i) is not None
                and marginal("B", k) >= C.CUE_RECALL_PROBABILITY
            ):
                labels[k] = "B"
                origin[k] = "recall"
        if floor is not None:
            # tokens the tagger leaves out (or keeps with little confidence) but does not rule out
            for k, lab in enumerate(labels):
                if P.space[s + k]:
                    continue
                pb, pi = marginal("B", k), marginal("I", k)
                if (lab == "O" or marginal(lab, k) < threshold) and pb + pi >= floor:
                    labels[k] = "B" if pb >= pi or k == 0 or origin[k - 1] != "low" else "I"
                    origin[k] = "low"
        cur: list[int] = []
        probs: list[float] = []
        org = "crf"

        def close():
            if cur:
                cues.append((cur, sum(probs) / len(probs), org))

        for k, lab in enumerate(labels):
            if origin[k] == "low":
                pr = marginal("B", k) + marginal("I", k)
            else:
                pr = marginal(lab, k) if lab != "O" else 0.0
            if lab == "O" or (pr < threshold and origin[k] != "low") or P.space[s + k]:
                close()
                cur, probs = [], []
            elif lab == "B" or not cur or (origin[k] == "low") != (org == "low"):
                close()
                cur, probs, org = [s + k], [pr], origin[k]
            else:
                cur.append(s + k)
                probs.append(pr)
        close()
    # high-precision parse rules the tagger sometimes misses
    taken = {i for cue, _, _ in cues for i in cue}
    for i in range(P.n):
        if i not in taken and _rule_cue(P, i) == "verb":
            cues.append(([i], 0.5, "rule"))
    taken = {i for cue, _, _ in cues for i in cue}
    for i in range(P.n):
        if i not in taken and P.head[i] not in taken and _rule_cue(P, i) == "poll":
            cues.append(([i], 0.5, "rule"))
    cues.sort()
    return cues


def _rule_cue(P: _Parse, i: int) -> Optional[str]:
    """Which parse rule makes token ``i`` a cue, if any.

    ``"verb"``: a speech or belief verb with a subject and a clausal complement,
    outside quotation marks. ``"poll"``: "In a CNN poll, Clinton leads...": the
    preposition before the clause is the cue, the poll its source.
    """
    if P.qid[i] >= 0:
        return None
    if (
        P.pos[i] == "VERB"
        and P.lemma[i] in C.CUE_RULE_VERBS
        and any(P.dep[c] in ("ccomp", "xcomp") for c in P.kids[i])
        and P.subject(i) is not None
    ):
        return "verb"
    if (
        P.lower[i] == "in"
        and P.dep[i] == "prep"
        and i < P.head[i]
        and P.lemma[P.head[i]] not in C.REPORTING_VERBS
        and any(P.dep[c] == "pobj" and P.lemma[c] in _PP_CUE_NOUNS for c in P.kids[i])
    ):
        return "poll"
    return None


def _sourceless(P: _Parse, a: int) -> bool:
    """Cues whose grammatical subject is not a source in PolNeAR: a raising verb ("Hizbollah
    seems unlikely to...": the subject belongs to the content) and a bare participle of
    asking ("Asked about the vote, she said..."): the asker is not named)."""
    if P.lemma[a] in C.RAISING_CUES:
        return True
    return (
        P.lemma[a] in C.ASKING_CUES
        and P.tag[a] == "VBN"
        and P.dep[a] in ("advcl", "ROOT", "conj")
        and not any(P.dep[c] in ("nsubj", "nsubjpass", "aux", "auxpass", "agent") for c in P.kids[a])
    )


def _fallback_source(P: _Parse, a: int, cue: list[int], cue_ids: set, start: int, end: int) -> list[int]:
    """A source the role tagger left out, from two parse shapes it misses:
    ``according to X`` (the object of *to*) and a cue verb inside a prepositional
    phrase of the speaking verb (``In describing Trump, Cuban said``, ``followed up by
    asking``): the subject of that verb. Failing those, a name the parser hung elsewhere
    (``_misattached_subject``)."""
    for i in cue:
        if P.lower[i] == "to" and any(P.lower[j] == "according" for j in cue):
            for c in P.kids[i]:
                if P.dep[c] == "pobj" and c not in cue_ids:
                    return [k for k in P.subtree(c) if start <= k < end and k not in cue_ids]
    h = P.head[a]
    if P.dep[a] == "pcomp" and P.pos[h] == "ADP" and P.dep[h] == "prep" and P.head[h] != h:
        subj = P.subject(P.head[h])
        if subj is not None and P.dep[subj] == "nsubj" and subj not in cue_ids and start <= subj < end:
            return [k for k in P.subtree(subj) if start <= k < end and k not in cue_ids]
    return _misattached_subject(P, a, cue_ids, start)


_SUBJECT_PRONOUNS = frozenset(("he", "she", "they", "i", "we"))


def _misattached_subject(P: _Parse, a: int, cue_ids: set, start: int) -> list[int]:
    """The speaker of a finite cue verb the parser left without a subject because it hung
    the name elsewhere ("Trump, speaking later at a rally, did not mention...", "Speaking
    in Harlem, Clinton, without naming him, also accused..."): the first name or personal
    pronoun of the sentence before the verb that is not an object or a modifier."""
    finite = P.tag[a] in ("VBD", "VBZ", "VBP") or any(P.dep[c] == "aux" for c in P.kids[a])
    if P.pos[a] not in ("VERB", "AUX") or not finite or P.subject(a) is not None:
        return []
    for i in range(max(P.sent_start[a], start), a):
        if i in cue_ids or P.qid[i] >= 0 or P.dep[i] in ("pobj", "poss", "dobj", "compound"):
            continue
        if P.pos[i] == "PROPN" or (P.pos[i] == "PRON" and P.lower[i] in _SUBJECT_PRONOUNS):
            lo = i
            while lo - 1 >= start and P.dep[lo - 1] == "compound" and P.head[lo - 1] == i:
                lo -= 1
            return list(range(lo, i + 1))
    return []


def _name_like(P: _Parse, toks: list[int], max_len: int) -> bool:
    """A short stretch without a verb that names someone: a proper noun or a person,
    organisation, group or place entity (the signature of ``"..." — Name`` and ``Name: ...``)."""
    return (
        0 < len(toks) <= max_len
        and not any(P.pos[k] in ("VERB", "AUX") for k in toks)
        and any(P.pos[k] == "PROPN" or P.ent[k] in ("PERSON", "ORG", "NORP", "GPE") for k in toks)
    )


def _dash_attributions(P: _Parse) -> list[tuple[list[int], list[int], list[int]]]:
    """``"..." — Name``: a quotation signed with a dash and a name ending its sentence.

    Returns (source, cue, content) token lists.
    """
    out = []
    for i in range(1, P.n - 1):
        if P.lower[i] not in ("—", "–", "--", "-"):
            continue
        j = i - 1
        while j > 0 and P.space[j]:
            j -= 1
        q = P.qid[j]
        if q < 0 or P.end[j] != P.regions[q][1]:
            continue
        e = P.sent_end[i]
        name = [k for k in range(i + 1, e) if not P.space[k]]
        while name and P.punct[name[-1]]:
            name.pop()
        if not _name_like(P, name, 10):
            continue
        content = [k for k in range(P.n) if P.qid[k] == q]
        if sum(1 for k in content if not (P.punct[k] or P.space[k])) < 3:
            continue  # a title or a term, not a statement
        out.append((name, [i], content))
    return out


def _candidate(P: _Parse, cue: list[int], role_tagger) -> Optional[tuple[dict, int, list[int], list[int]]]:
    """Source and content for one cue: ``(attribution fields, anchor, source tokens, content tokens)``,
    or ``None`` when the cue has no usable content or is not a statement."""
    a = _anchor(P, cue)
    cue_ids = set(cue)
    start, end = _window(P, a)
    labels = role_tagger.tag(_role_features(P, a, cue_ids, start, end))
    src = [start + k for k, lab in enumerate(labels) if lab == "S" and start + k not in cue_ids]
    con = [start + k for k, lab in enumerate(labels) if lab == "C" and start + k not in cue_ids]
    if not con:
        con = _fallback_content(P, a, cue_ids, start, end)
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
        src = _fallback_source(P, a, cue, cue_ids, start, end)
    if src and _sourceless(P, a):
        src = []
    con = [i for i in _complete_quotes(P, a, con, set(src) | cue_ids, start, end) if i not in src]
    if not con or _not_a_statement(P, a, src, con):
        return None
    # a noun phrase as cue with nobody behind it ("became a rallying cry") is description, not
    # attribution; an adverb cue ("reportedly") needs no named source
    if not src and not any(P.pos[i] in ("VERB", "AUX", "ADP", "ADV", "PUNCT") for i in cue):
        return None
    fields = _fields(P, a, src, cue, con, punct=True)
    return None if fields is None else (fields, a, src, con)


def _fields(P: _Parse, a: int, src: list[int], cue: list[int], con: list[int], punct: bool) -> Optional[dict]:
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


def _rank_features(P: _Parse, cue: list[int], a: int, src: list[int], con: list[int], prob: float, origin: str) -> dict:
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
        "ncue=" + _bucket(len(cue)): 1.0,
        "st=" + st: 1.0,
        "lst=" + lem + "|" + st: 1.0,
        "ncon=" + _bucket(len(words)): 1.0,
        "q=" + ("all" if words and quoted == len(words) else "some" if quoted else "none"): 1.0,
        "side=" + side: 1.0,
        "aq=%d" % (P.qid[a] >= 0): 1.0,
        "nsrc=" + _bucket(len(src)): 1.0,
    }
    rule = _rule_cue(P, a)
    if rule:
        f["rule=" + rule] = 1.0
    if lem in C.REPORTING_VERBS:
        f["rv"] = 1.0
    if lem in C.BELIEF_CUES:
        f["bv"] = 1.0
    for c in P.kids[a]:
        if P.dep[c] in _KID_DEPS:
            f["k=" + P.dep[c]] = 1.0
    for i in con:
        if P.head[i] == a or P.head[i] in cue:
            f["cd=" + P.dep[i]] = 1.0
    if P.text[P.idx[P.sent_start[a]]: P.end[P.sent_end[a] - 1]].rstrip().endswith("?"):
        f["question"] = 1.0
    return f


def _candidates(P: _Parse, cue_tagger, role_tagger, threshold: float, floor: Optional[float]) -> list[tuple[dict, dict]]:
    """``(attribution fields, ranker features)`` for every cue candidate with a content.

    Besides each candidate's own features, the ranker sees its competition: how many
    candidates share its sentence, and whether a more confident one claims the same content.
    """
    built = []
    for cue, prob, origin in _find_cues(P, cue_tagger, threshold, floor):
        b = _candidate(P, cue, role_tagger)
        if b is not None:
            fields, a, src, con = b
            built.append((fields, _rank_features(P, cue, a, src, con, prob, origin), a, set(con), prob))
    per_sent: dict[int, int] = {}
    for _, _, a, _, _ in built:
        per_sent[P.sent_start[a]] = per_sent.get(P.sent_start[a], 0) + 1
    out = []
    for k, (fields, feats, a, con, prob) in enumerate(built):
        feats["nsent=" + _bucket(per_sent[P.sent_start[a]])] = 1.0
        rivals = [p for j, (_, _, _, c2, p) in enumerate(built) if j != k and len(con & c2) >= 0.5 * min(len(con), len(c2))]
        if rivals:
            feats["rival=" + ("stronger" if max(rivals) > prob else "weaker")] = 1.0
        out.append((fields, feats))
    return out


def _rank(ranker, feats: dict) -> float:
    """The ranker's probability that a candidate is an attribution (the ranker must know ``"Y"``)."""
    ranker.set([feats])
    ranker.tag()
    return ranker.marginal("Y", 0)


def _interview_marker(P: _Parse, i: int) -> Optional[int]:
    """The ``Q`` or ``A`` token of a transcript marker whose colon is token ``i``, when the
    marker starts a line or follows a wide gap ("...right?  A: I'm still not..."), else None."""
    k = i - 1
    if k < 0 or P.text[P.idx[k]: P.end[k]] not in ("Q", "A"):
        return None
    j = k - 1
    while j >= 0 and P.space[j]:
        j -= 1
    gap = P.text[P.end[j] if j >= 0 else 0: P.idx[k]]
    return k if j < 0 or "\n" in gap or len(gap) >= 2 else None


def _colon_lines(P: _Parse) -> list[tuple[list[int], list[int], list[int]]]:
    """``Name: statement`` at the start of a line: headlines ("Carson: Clinton 'Not Fit To
    Serve'") and interview transcripts ("Q: ...", "A: ...", also run together on one line).
    The colon is the cue, the rest of the line up to the next transcript marker the content.
    Editorial labels ("Editor's note:", "Correction:") name no source, and a line with
    neither a verb nor a quotation ("Iowa: Tim Albrecht, Brad Anderson, ...") states
    nothing. Returns (source, cue, content) token lists.
    """
    text = P.text
    markers: dict[int, int] = {}  # colon token -> its Q/A token
    for i in range(1, P.n):
        if P.lower[i] == ":" and P.qid[i] < 0:
            k = _interview_marker(P, i)
            if k is not None:
                markers[i] = k
    out = []
    for i in range(1, P.n - 1):
        if P.lower[i] != ":" or P.qid[i] >= 0:
            continue
        line_start = text.rfind("\n", 0, P.idx[i]) + 1
        line_end = text.find("\n", P.end[i])
        line_end = len(text) if line_end < 0 else line_end
        if i in markers:
            name = [markers[i]]
        else:
            name = [k for k in range(i - 1, -1, -1) if P.idx[k] >= line_start][::-1]
            name = [k for k in name if not P.space[k]]
            if not _name_like(P, name, 8) or any(P.lemma[k] in C.EDITORIAL_LABELS for k in name):
                continue
        nxt = next((markers[m] for m in markers if m > i), P.n)  # markers are in text order
        content = [k for k in range(i + 1, nxt) if P.idx[k] < line_end and not P.space[k]]
        if sum(1 for k in content if not P.punct[k]) < 3:
            continue
        if not any(P.pos[k] in ("VERB", "AUX") or P.qid[k] >= 0 for k in content):
            continue  # neither a clause nor a quotation: a list or a label
        out.append((name, [i], content))
    return out


def extract_attributions(doc, threshold: Optional[float] = None) -> list[Attribution]:
    """Every attribution in a parsed article (``sourcecheck.nlp.parse(text)``), sorted by start.

    ``threshold`` is the least ranker probability an attribution needs (default
    ``constants.ATTRIBUTION_THRESHOLD``): lower finds more and is wrong more often. A cue
    the cue tagger is sure of (``constants.CUE_TRUSTED_PROBABILITY``) is kept whatever the
    ranker says. ``confidence`` is the ranker's probability; the two line-shape rules
    (``"..." — Name`` and ``Name: ...``) have no ranker behind them and carry 0.5.
    """
    text = doc.text
    if not text.strip() or len(doc) == 0:
        return []
    ranker = _tagger(str(RANK_MODEL))
    P = _Parse(doc)
    keep = C.ATTRIBUTION_THRESHOLD if threshold is None else threshold
    scorable = "Y" in ranker.labels()  # a ranker trained on data without a single attribution cannot say yes
    found = []
    for fields, feats in _candidates(P, _tagger(str(CUE_MODEL)), _tagger(str(ROLE_MODEL)), C.CUE_THRESHOLD, C.CUE_CANDIDATE_FLOOR):
        score = _rank(ranker, feats) if scorable else 0.0
        if score >= keep or (feats.get("o=crf") and feats["prob"] >= C.CUE_TRUSTED_PROBABILITY):
            found.append(dict(fields, confidence=round(score, 3)))
    for src, cue, con in _dash_attributions(P) + _colon_lines(P):
        if any(x["cue"][0].start <= P.idx[cue[0]] < x["cue"][0].end for x in found):
            continue
        fields = _fields(P, cue[0], src, cue, con, punct=False)
        if fields is not None:
            found.append(dict(fields, confidence=0.5))
    found.sort(key=lambda x: (min(s.start for s in x["source"] + x["cue"] + x["content"]), x["cue"][0].start))
    ids = dedupe_ids([attribution_id(text, x["content"], x["source"]) for x in found])
    return [Attribution(id=i, **x) for i, x in zip(ids, found)]


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
    P = _Parse(doc)
    cue_label = [""] * P.n

    def toks_in(spans) -> list[int]:
        out = []
        for s, e in spans:
            i = max(bisect.bisect_right(P.idx, s) - 1, 0)
            while i < P.n and P.idx[i] < e:
                if P.end[i] > s and not P.space[i]:
                    out.append(i)
                i += 1
        return out

    role_seqs = []
    for attr in attributions:
        cue = toks_in(attr["cue"])
        if not cue:
            continue
        for k, i in enumerate(cue):
            if not cue_label[i]:
                cue_label[i] = "B" if k == 0 else "I"
        a = _anchor(P, cue)
        start, end = _window(P, a)
        feats = _role_features(P, a, set(cue), start, end)
        src, con = set(toks_in(attr["source"])), set(toks_in(attr["content"]))
        labels = ["S" if i in src else "C" if i in con else "O" for i in range(start, end)]
        role_seqs.append((feats, labels))
    cue_seqs = [(_cue_features(P, s, e), [cue_label[i] or "O" for i in range(s, e)]) for s, e in P.sents]
    return cue_seqs, role_seqs


def ranker_examples(doc, attributions: Iterable[dict], cue_tagger, role_tagger) -> list[tuple[dict, str]]:
    """(ranker features, ``"Y"``/``"N"``) for every candidate in one gold article.

    A candidate is right (``Y``) when its cue overlaps a gold cue and its content
    matches that attribution's content as the relaxed score counts it
    (``evaluation.attribution.contents_match`` on the scorer's tokens). The taggers
    must not have seen this article: ``scripts/train_attribution.py`` trains them on
    the other folds.
    """
    from .evaluation.attribution import contents_match, token_set, tokenize

    P = _Parse(doc)
    tokens = tokenize(P.text)
    starts = [t[0] for t in tokens]
    gold = [(token_set(g["cue"], tokens, starts), token_set(g["content"], tokens, starts)) for g in attributions]
    gold = [(cue, con) for cue, con in gold if cue and con]
    out = []
    for fields, feats in _candidates(P, cue_tagger, role_tagger, C.CUE_THRESHOLD, C.CUE_CANDIDATE_FLOOR):
        cue = token_set([(sp.start, sp.end) for sp in fields["cue"]], tokens, starts)
        con = token_set([(sp.start, sp.end) for sp in fields["content"]], tokens, starts)
        ok = any(cue & gc and contents_match(con, gn) for gc, gn in gold)
        out.append((feats, "Y" if ok else "N"))
    return out
