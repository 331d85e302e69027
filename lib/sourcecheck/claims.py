"""Claims: every attributed statement, plus the article's own unattributed assertions.

* One claim per attribution: its content, with the speaker, role, affiliation
  and channel found by ``sourcecheck.speakers``, the cue, quote type and kind.
* The reporter's own factual assertions: sentences that no attribution touches
  and that carry checkable content (a number, a date, a named actor, an event),
  excluding questions, opinion (modal "should", first and second person,
  evaluative adverbs), bare quotations and web/wire boilerplate. Their
  ``attribution_id`` is None and their kind is "assertion".

Claim ids are ``stable_id("c", content text)`` (repeats suffixed in text order),
so a verdict keeps pointing at the same claim after a re-run.
"""
from __future__ import annotations

import re
from typing import Optional

from . import constants as C
from .model import Analysis, Article, Attribution, Claim, Span, dedupe_ids, stable_id

_QUOTE_CHARS = "\"“”«»"
_QUOTED = re.compile(r"[\"“«][^\"“”«»]*[\"”»]|''[^']*''")

CLAIM_COLUMNS = ["id", "speaker", "speaker_type", "role", "affiliation", "channel", "cue", "content", "quote_type",
                 "kind", "confidence", "start", "end"]


def build_claims(article: Article, doc, attributions: list[Attribution], resolution) -> list[Claim]:
    """Claims of one article, sorted by position, with stable unique ids."""
    text = article.text
    speakers = {s.id: s for s in resolution.speakers}
    rows: list[dict] = []
    for a in attributions:
        asg = resolution.by_attribution.get(a.id)
        spk = speakers.get(asg.speaker_id) if asg is not None else None
        rows.append(dict(
            text=a.content_text,
            spans=list(a.content),
            attribution_id=a.id,
            speaker_id=spk.id if spk else None,
            speaker=spk.name if spk else None,
            speaker_type=spk.type if spk else "unresolved",
            role=asg.role if asg else None,
            affiliation=asg.affiliation if asg else None,
            channel=asg.channel if asg else None,
            cue=a.cue_text,
            quote_type=a.quote_type,
            kind=a.kind,
            sentence=a.sentence,
        ))
    for sp in unattributed_assertions(doc, attributions):
        rows.append(dict(text=sp.text, spans=[sp], kind="assertion", sentence=sp))
    rows.sort(key=lambda r: (r["spans"][0].start, r["spans"][0].end))
    ids = dedupe_ids([stable_id("c", r["text"]) for r in rows])
    claims = [Claim(id=i, **r) for i, r in zip(ids, rows)]
    for c in claims:
        c.check(text)
    return claims


# --------------------------------------------------------------------------- unattributed assertions
def _trimmed(text: str, start: int, end: int) -> Optional[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span.of(text, start, end) if end > start else None


def unattributed_assertions(doc, attributions: list[Attribution]) -> list[Span]:
    """Sentences with checkable content that no attribution covers, opinion and boilerplate excluded."""
    from .attribution import find_quotes

    text = doc.text
    covered = sorted((s.start, s.end) for a in attributions for s in a.source + a.cue + a.content)
    quotes = find_quotes(text)  # a sentence inside a multi-sentence quotation is someone's words, not the reporter's
    out = []
    for sent in doc.sents:
        sp = _trimmed(text, sent.start_char, sent.end_char)
        if sp is None or any(s < sp.end and e > sp.start for s, e in covered):
            continue
        if any(qs <= sp.start and sp.end <= qe for qs, qe in quotes):
            continue
        if is_assertion(sent, sp.text):
            out.append(sp)
    return out


def is_assertion(sent, sent_text: str) -> bool:
    """True when a sentence states something checkable in the reporter's own voice."""
    words = [t for t in sent if t.is_alpha]
    if len(words) < C.MIN_ASSERTION_WORDS:
        return False
    low = sent_text.lower()
    if sent_text.rstrip(_QUOTE_CHARS + "'’ ").endswith("?") or any(p in low for p in C.BOILERPLATE_PHRASES):
        return False
    quoted = sum(len(m.group(0)) for m in _QUOTED.finditer(sent_text))
    if sent_text.lstrip()[:1] in _QUOTE_CHARS or quoted > C.MAX_QUOTED_SHARE * len(sent_text):
        return False
    if any(t.lower_ in C.OPINION_MARKERS for t in words):
        return False
    if not any(t.pos_ in ("VERB", "AUX") for t in sent):
        return False
    # a reporting verb with a subject is an attribution the extractor missed, not the reporter's own claim
    if any((t.lemma_.lower() in C.REPORTING_VERBS or t.lemma_.lower() in C.ATTITUDE_VERBS)
           and any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children) for t in sent if t.pos_ == "VERB"):
        return False
    return any(t.ent_type_ in C.CHECKABLE_ENTITY_LABELS for t in sent) or any(t.like_num for t in sent)


# --------------------------------------------------------------------------- tables
def _channel_text(ch) -> Optional[str]:
    if ch is None:
        return None
    extra = ch.platform or ch.publisher
    return f"{ch.label} ({ch.kind}{', ' + extra if extra and extra not in ch.label else ''})"


#: Order of the claims table: what people said first, then what documents and polls show,
#: then beliefs and intentions, then the article's own assertions.
KIND_ORDER = ("statement", "document", "belief", "assertion")


def claims_frame(analysis: Analysis):
    """All claims as a plain table (no HTML): statements first, then documents and polls, then
    beliefs and intentions, then unattributed assertions; in text order within each kind."""
    import pandas as pd

    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    confidence = analysis.extraction_confidence()
    rows = []
    for c in sorted(analysis.claims, key=lambda c: (rank.get(c.kind, len(rank)), c.spans[0].start)):
        rows.append({
            "id": c.id,
            "speaker": analysis.speaker_label(c),
            "speaker_type": (c.speaker_type or "unresolved") if c.attributed else None,
            "role": c.role,
            "affiliation": c.affiliation,
            "channel": _channel_text(c.channel),
            "cue": c.cue,
            "content": c.text,
            "quote_type": c.quote_type,
            "kind": c.kind,
            "confidence": confidence.get(c.attribution_id),
            "start": c.spans[0].start,
            "end": c.spans[-1].end,
        })
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def unattributed_frame(analysis: Analysis):
    """The article's own assertions (claims with no attribution): id, content, start, end."""
    import pandas as pd

    rows = [{"id": c.id, "content": c.text, "start": c.spans[0].start, "end": c.spans[-1].end}
            for c in analysis.claims if not c.attributed]
    return pd.DataFrame(rows, columns=["id", "content", "start", "end"])
