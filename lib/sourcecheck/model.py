"""Plain data passed between the pipeline stages.

Every result carries character offsets into the *loaded* article text
(``Article.text``) and a stable id derived from the article content and span,
never from run order, so a verdict recorded today still attaches to the same
claim after a re-run.

Invariants fail loudly (``InvariantError``): a span's text equals
``text[start:end]``; a relation points at two existing claims.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from .errors import InvariantError


# --------------------------------------------------------------------------- spans
@dataclass(frozen=True)
class Span:
    """A stretch of the article text: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> "Span":
        return cls(start, end, text[start:end])

    def check(self, text: str, where: str = "span") -> None:
        if not (0 <= self.start <= self.end <= len(text)):
            raise InvariantError(f"{where}: offsets {self.start}:{self.end} outside text of length {len(text)}")
        if text[self.start:self.end] != self.text:
            raise InvariantError(
                f"{where}: text {self.text!r} != article text {text[self.start:self.end]!r} at {self.start}:{self.end}"
            )

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


def shorten(text: str, n: int) -> str:
    """``text`` on one line, at most ``n`` characters: cut at a word, with an ellipsis, never mid-word."""
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    cut = text[:n - 1]
    if " " in cut and text[n - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-") + "…"


def spans_text(spans: Iterable[Span], sep: str = " … ") -> str:
    """Join discontinuous spans for display."""
    return sep.join(s.text for s in spans)


def normalise_for_id(text: str) -> str:
    """Case, quote and whitespace-insensitive form used to derive stable ids."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\"'“”‘’«»`]", "", text)
    return re.sub(r"\W+", " ", text).strip()


def stable_id(prefix: str, *parts: str, length: int = 12) -> str:
    """Short, stable id from content (never from run order)."""
    h = hashlib.sha1("\x1f".join(normalise_for_id(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}-{h[:length]}"


def dedupe_ids(ids: list[str]) -> list[str]:
    """Make ids unique by suffixing repeats (``x``, ``x-2``, ``x-3``) in text order."""
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        n = seen.get(i, 0) + 1
        seen[i] = n
        out.append(i if n == 1 else f"{i}-{n}")
    return out


# --------------------------------------------------------------------------- article
@dataclass
class Article:
    """A loaded article. ``text`` is exactly what the user is shown; all offsets refer to it."""

    text: str
    path: str
    slug: str
    title: Optional[str] = None
    outlet: Optional[str] = None
    url: Optional[str] = None
    published: Optional[str] = None  # ISO date (YYYY-MM-DD) or None
    language: str = "en"
    author: Optional[str] = None
    paragraphs: list[Span] = field(default_factory=list)
    dropped_lines: list[str] = field(default_factory=list)  # web leftovers removed on load
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""
    source_format: str = "txt"
    #: For an article fetched from its web address: the snapshot's provenance (``source.json``:
    #: requested and final address, HTTP status, fetch time, sha256 of the bytes...); else None.
    fetched: Optional[dict] = None

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["word_count"] = self.word_count
        return d


# --------------------------------------------------------------------------- attributions
ATTRIBUTION_KINDS = ("statement", "document", "belief")
QUOTE_TYPES = ("direct", "indirect", "mixed")


@dataclass
class Attribution:
    """Who (source) said (cue) what (content), found by ``sourcecheck.attribution``.

    ``source`` may be empty (an attribution with no named source); ``cue`` and
    ``content`` are never empty. Spans in each role are sorted and may be
    discontinuous (``"A," he said, "B."`` has two content spans).
    """

    id: str
    source: list[Span]
    cue: list[Span]
    content: list[Span]
    quote_type: str = "indirect"  # direct | indirect | mixed
    kind: str = "statement"  # statement | document | belief
    sentence: Optional[Span] = None  # the (first) sentence the attribution sits in
    confidence: float = 1.0

    @property
    def source_text(self) -> str:
        return spans_text(self.source, " ")

    @property
    def cue_text(self) -> str:
        return spans_text(self.cue, " ")

    @property
    def content_text(self) -> str:
        return spans_text(self.content)

    @property
    def start(self) -> int:
        return min(s.start for s in self.source + self.cue + self.content)

    @property
    def end(self) -> int:
        return max(s.end for s in self.source + self.cue + self.content)

    def check(self, text: str) -> None:
        if not self.cue or not self.content:
            raise InvariantError(f"attribution {self.id}: cue and content must not be empty")
        for role in ("source", "cue", "content"):
            for s in getattr(self, role):
                s.check(text, f"attribution {self.id} {role}")
        if self.sentence:
            self.sentence.check(text, f"attribution {self.id} sentence")

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "source": [s.to_dict() for s in self.source],
            "cue": [s.to_dict() for s in self.cue],
            "content": [s.to_dict() for s in self.content],
            "quote_type": self.quote_type,
            "kind": self.kind,
            "sentence": self.sentence.to_dict() if self.sentence else None,
            "confidence": self.confidence,
        }


def attribution_id(text: str, content: list[Span], source: list[Span]) -> str:
    """Stable attribution id from its content and source words (not offsets, so light edits elsewhere keep it)."""
    return stable_id("a", spans_text(content, " "), spans_text(source, " "))


# --------------------------------------------------------------------------- speakers & channels
SPEAKER_TYPES = (
    "person",
    "government_body",
    "organisation",
    "news_outlet",
    "social_platform",
    "document",
    "anonymous",
    "unresolved",
)


@dataclass
class Speaker:
    """A normalised entity behind one or more source spans."""

    id: str
    name: str  # "Dmitry Peskov", "Wall Street Journal", "Western officials and analysts"
    type: str = "unresolved"  # one of SPEAKER_TYPES
    role: Optional[str] = None  # "spokesman"
    affiliation: Optional[str] = None  # "Kremlin"
    aliases: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["mentions"] = [m.to_dict() for m in self.mentions]
        return d


@dataclass
class Channel:
    """The medium a statement came through, when the article names it."""

    kind: str  # social_post | statement | speech | media_appearance | news_report | interview | document | other
    label: str  # "post on Truth Social"
    platform: Optional[str] = None  # "Truth Social"
    publisher: Optional[str] = None  # "State Department", "Wall Street Journal"
    span: Optional[Span] = None

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["span"] = self.span.to_dict() if self.span else None
        return d


# --------------------------------------------------------------------------- claims
@dataclass
class Claim:
    """A checkable proposition: an attribution's content, or an unattributed assertion.

    ``attribution_id`` is None for the article's own (unattributed) assertions.
    """

    id: str
    text: str  # display text (content spans joined)
    spans: list[Span]
    attribution_id: Optional[str] = None
    speaker_id: Optional[str] = None
    speaker: Optional[str] = None
    speaker_type: Optional[str] = None
    role: Optional[str] = None
    affiliation: Optional[str] = None
    channel: Optional[Channel] = None
    cue: Optional[str] = None
    quote_type: Optional[str] = None  # direct | indirect | mixed | None (unattributed)
    kind: Optional[str] = None  # statement | document | belief | assertion
    sentence: Optional[Span] = None
    group: Optional[str] = None  # claim-group id filled by crosscheck

    @property
    def attributed(self) -> bool:
        return self.attribution_id is not None

    @property
    def start(self) -> int:
        return self.spans[0].start

    def check(self, text: str) -> None:
        for s in self.spans:
            s.check(text, f"claim {self.id}")

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "spans": [s.to_dict() for s in self.spans],
            "attribution_id": self.attribution_id,
            "speaker_id": self.speaker_id,
            "speaker": self.speaker,
            "speaker_type": self.speaker_type,
            "role": self.role,
            "affiliation": self.affiliation,
            "channel": self.channel.to_dict() if self.channel else None,
            "cue": self.cue,
            "quote_type": self.quote_type,
            "kind": self.kind,
            "sentence": self.sentence.to_dict() if self.sentence else None,
            "group": self.group,
        }


# --------------------------------------------------------------------------- relations & flags
RELATION_TYPES = (
    "supports",
    "corroborates_in_part",
    "contradicts",
    "denies",
    "disputes",
    "not_confirmed",
    "unverified",
    "shifts",
    "numeric_mismatch",
    "qualifies",
    "misquoted",
    "misattributed",
    "unrelated",
)


@dataclass
class Relation:
    """How one claim (``evidence``) bears on another (``claim``)."""

    id: str
    claim_id: str
    evidence_claim_id: Optional[str]  # None when the evidence is a primary document / article passage
    relation: str  # one of RELATION_TYPES
    reason: str  # readable by a journalist
    evidence: list[Span] = field(default_factory=list)
    confidence: float = 0.5
    method: str = "rules"

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["evidence"] = [e.to_dict() for e in self.evidence]
        return d


@dataclass
class Flag:
    """A claim that stands on contested ground, with why and the evidence."""

    id: str
    claim_id: str
    relation: str
    reason: str
    severity: int  # higher = more serious (sort descending)
    confidence: float
    claim_span: Optional[Span] = None
    speaker: Optional[str] = None
    channel: Optional[str] = None
    countering_speaker: Optional[str] = None
    evidence: list[Span] = field(default_factory=list)
    relation_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["claim_span"] = self.claim_span.to_dict() if self.claim_span else None
        d["evidence"] = [e.to_dict() for e in self.evidence]
        return d


#: What the tables and the highlighted article call a claim's speaker when there is none to name.
UNRESOLVED = "unresolved"
NO_SOURCE = "no source named"


# --------------------------------------------------------------------------- the whole analysis
@dataclass
class Analysis:
    """Everything the pipeline found in one article; the notebook and report show exactly this."""

    article: Article
    attributions: list[Attribution] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)  # later stages (quote checks, timeline) add here
    version: str = ""

    def validate(self) -> "Analysis":
        text = self.article.text
        for p in self.article.paragraphs:
            p.check(text, "paragraph")
        for a in self.attributions:
            a.check(text)
        ids = {c.id for c in self.claims}
        if len(ids) != len(self.claims):
            raise InvariantError("claim ids are not unique")
        for c in self.claims:
            c.check(text)
        for r in self.relations:
            if r.claim_id not in ids or (r.evidence_claim_id is not None and r.evidence_claim_id not in ids):
                raise InvariantError(f"relation {r.id} points at a claim that does not exist")
            for e in r.evidence:
                e.check(text, f"relation {r.id} evidence")
        for f in self.flags:
            if f.claim_id not in ids:
                raise InvariantError(f"flag {f.id} points at a claim that does not exist")
        return self

    def extraction_confidence(self) -> dict[str, float]:
        """Attribution id -> the extractor's confidence in it (what a claim's
        ``attribution_id`` points at; the article's own assertions have none)."""
        return {a.id: a.confidence for a in self.attributions}

    def speaker_label(self, claim: Claim) -> Optional[str]:
        """Who a reader is told said an attributed claim: the resolved speaker; ``NO_SOURCE`` when the
        article names nobody ("is expected to", "reportedly"); ``UNRESOLVED`` when it names a source the
        resolver could not tie to anyone ("he" with no one before it). None for the article's own assertions."""
        if not claim.attributed:
            return None
        if claim.speaker:
            return claim.speaker
        att = next((a for a in self.attributions if a.id == claim.attribution_id), None)
        return NO_SOURCE if att is not None and not att.source else UNRESOLVED

    def claim(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(claim_id)

    def to_dict(self) -> dict:
        def conv(v):
            if hasattr(v, "to_dict"):
                return v.to_dict()
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            return v

        return {
            "schema": "sourcecheck.analysis/1",
            "version": self.version,
            "article": self.article.to_dict(),
            "attributions": [a.to_dict() for a in self.attributions],
            "speakers": [s.to_dict() for s in self.speakers],
            "claims": [c.to_dict() for c in self.claims],
            "relations": [r.to_dict() for r in self.relations],
            "flags": [f.to_dict() for f in self.flags],
            **{k: conv(v) for k, v in self.extras.items()},
        }
