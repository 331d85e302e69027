"""Quote fidelity: direct quotes checked word by word against primary documents.

For every direct or mixed claim, the words inside quotation marks (within the
claim's spans) are aligned to the best passage in the documents of the claim's
speaker, and failing that in all documents (``sourcecheck.documents``).

Finding the passage and judging the words is ``sourcecheck.fidelity``: one
rapidfuzz scan of each document (``bench/bench_quotes.py``: 50 quotes against 100
pages in about 0.2 s), then a word-level diff whose changed stretches are judged.
A fuzzy score alone cannot judge fidelity -- a dropped "not" still scores above
95 -- so a changed, dropped or added negation, number, name or modal verb is
always material; other content words are material; function words only, or a
word's grammatical form only, are not. Omissions marked with an ellipsis and
[bracketed] editorial insertions are declared edits, not errors.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from . import constants
from .documents import DocumentSet, default_documents_dir, load_documents, speaker_matches
from .fidelity import (  # noqa: F401 - FIDELITY_CLASSES and DiffOp are part of this module's API
    BRACKET, FIDELITY_CLASSES, WORD, DiffOp, DocumentText, Match, compare, norm, passage_words, quote_words, stem,
    align,
)
from .model import Analysis, Claim, Flag, Span, stable_id

FLAG_ID_PREFIX = "fq-"

_QUOTE_MARK = re.compile(r"''|[\"“”«»„]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘'(\[]?[A-Z0-9])|\n+")


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
        if WORD.search(text, a, b):
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
                for sp in claim.spans if WORD.search(sp.text)]
    return []


# =========================================================================== one quote
def _check_quote(text: str, claim: Claim, k: int, seg: _Segment, speaker_docs: list[DocumentText],
                 other_docs: list[DocumentText]) -> QuoteCheck:
    from rapidfuzz import fuzz

    qtext = text[seg.start:seg.end]
    q = quote_words(qtext)
    for t in q:
        t.start += seg.start
        t.end += seg.start
    base = dict(
        id=stable_id("q", claim.id, qtext) + (f"-{k}" if k else ""), claim_id=claim.id, quote_index=k,
        quote_type=claim.quote_type or "", speaker=claim.speaker, quote_text=qtext,
        quote_start=seg.start, quote_end=seg.end,
    )
    notes = [seg.note] if seg.note else []

    def found(m: Optional[Match]) -> bool:
        if m is None or m.score < constants.QUOTE_FOUND_MIN_SCORE:
            return False
        words = {t.norm for t in m.index.words(m.start, m.end)}
        share = sum(t.norm in words for t in q if not t.bracket) / max(1, sum(not t.bracket for t in q))
        return share >= constants.QUOTE_MIN_TOKEN_SHARE

    def best(docs: list[DocumentText]) -> Optional[Match]:
        ms = [m for m in (align(q, d) for d in docs) if m is not None]
        return max(ms, key=lambda m: m.score) if ms else None

    m_s = best(speaker_docs)
    m_o = best(other_docs)
    misattributed = False
    if found(m_s):
        m = m_s
        if found(m_o) and m_o.score >= m_s.score + constants.QUOTE_OTHER_SPEAKER_MARGIN:
            cls_o = compare(q, passage_words(m_o, q))[1]
            cls_s = compare(q, passage_words(m_s, q))[1]
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

    ops, cls, kept_d = compare(q, passage_words(m, q))
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
    return " ".join(w for w in (norm(x) for x in WORD.findall(s))
                    if w not in constants.FUNCTION_WORDS and (w.isdigit() or (len(w) > 2 and w not in constants.NUMBER_WORDS)))


def _context(text: str, claim: Claim, docs: list[DocumentText]) -> Optional[QuoteCheck]:
    """The closest sentence in the speaker's documents: rapidfuzz token_set_ratio over content words,
    among sentences sharing enough of the claim's content words (``constants.CONTEXT_MIN_SHARED``)."""
    from rapidfuzz import fuzz

    claim_words = {stem(w) for w in _content_words(claim.text).split()}
    need = min(constants.CONTEXT_MIN_SHARED, max(1, len(claim_words) // 3))
    claim_content = _content_words(claim.text)
    best = None
    for d in docs:
        others = d.other_turns
        for a, b in _sentences(d.doc.text):
            if any(x <= a < y for x, y, _ in others):
                continue  # an interviewer's question is not the speaker's words
            sent = d.doc.text[a:b]
            shared = claim_words & {stem(w) for w in _content_words(sent).split()}
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
        if len(WORD.findall(BRACKET.sub(" ", check.quote_text))) < constants.QUOTE_MIN_MISATTRIBUTION_TOKENS:
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


def _twin_claim(analysis: Analysis, claim: Claim, seg: _Segment, indexes: list[DocumentText], document_id) -> Optional[Claim]:
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
    indexes = [DocumentText(d) for d in docset]
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
