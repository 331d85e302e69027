"""Hand-built analyses for the review, report and export tests (no spaCy, no pipeline).

``build_analysis(text, claims, flags)`` finds each claim's text in the article,
derives ids the way the pipeline does (from content and speaker, not offsets),
and returns a validated ``Analysis``.
"""
from __future__ import annotations

import hashlib

from sourcecheck.article import _paragraphs
from sourcecheck.model import Analysis, Article, Attribution, Channel, Claim, Flag, Relation, Span, Speaker, stable_id

SEED_LIKE = (
    "President Trump said in a post on Truth Social that Russian troops have surrounded thousands of Ukrainian "
    "soldiers in Kursk.\n"
    "The Wall Street Journal reported that soldiers and analysts have not noted a complete encirclement.\n"
    "Kremlin spokesman Dmitry Peskov said Russia would not accept an immediate ceasefire.\n"
    "Officials said the talks would continue next week.\n"
)

HOSTILE = (
    'The mayor said "<script>window.__pwned = 1; console.error(\'pwned\')</script> is fine" at the meeting.\n'
    'A spokesman said the photo <img src=x onerror="window.__pwned = 2"> was real.\n'
    'Critics said <iframe src="javascript:window.__pwned=3"></iframe> and <a href="javascript:alert(1)">click</a> '
    "were added later.\n"
    "The council said </td></tr></table><b>bold</b> & 'quotes' \"everywhere\" was its position.\n"
)


def _find(text: str, needle: str) -> Span:
    i = text.find(needle)
    assert i >= 0, f"{needle!r} not in text"
    return Span.of(text, i, i + len(needle))


def build_analysis(text: str, claims: list[dict], *, slug: str = "sample", flags: list[dict] = (), relations: list[dict] = (),
                   title: str | None = "A sample article", outlet: str | None = "The Sample Times",
                   published: str | None = "2025-03-14", url: str | None = None) -> Analysis:
    """claims: dicts with ``text`` (found in the article), ``speaker``, optional ``source``, ``cue``, ``channel``.

    flags: dicts with ``claim`` (index), ``relation``, ``reason``, ``evidence`` (index of the evidence claim).
    """
    article = Article(
        text=text, path=f"<{slug}>", slug=slug, title=title, outlet=outlet, published=published, url=url,
        paragraphs=_paragraphs(text), sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    out_claims, attrs, speakers = [], [], {}
    for spec in claims:
        content = _find(text, spec["text"])
        speaker = spec.get("speaker")
        attr_id = None
        if speaker:
            src = _find(text, spec.get("source", speaker))
            cue = _find(text, spec.get("cue", "said"))
            attr_id = stable_id("a", content.text, src.text)
            attrs.append(Attribution(id=attr_id, source=[src], cue=[cue], content=[content]))
            sp = speakers.setdefault(speaker, Speaker(id=stable_id("s", speaker), name=speaker, type=spec.get("type", "person")))
            sp.mentions.append(src)
        ch = spec.get("channel")
        out_claims.append(
            Claim(
                id=stable_id("c", content.text, speaker or ""),
                text=content.text,
                spans=[content],
                attribution_id=attr_id,
                speaker_id=speakers[speaker].id if speaker else None,
                speaker=speaker,
                speaker_type=spec.get("type", "person") if speaker else None,
                channel=Channel(kind="social_post", label=ch) if ch else None,
                cue=spec.get("cue", "said") if speaker else None,
                quote_type="indirect" if speaker else None,
                kind="statement" if speaker else "assertion",
            )
        )
    rels, out_flags = [], []
    for i, f in enumerate(flags):
        c = out_claims[f["claim"]]
        ev = out_claims[f["evidence"]] if f.get("evidence") is not None else None
        rid = stable_id("r", c.id, ev.id if ev else "", f["relation"])
        rels.append(Relation(id=rid, claim_id=c.id, evidence_claim_id=ev.id if ev else None, relation=f["relation"],
                             reason=f["reason"], evidence=list(ev.spans) if ev else []))
        out_flags.append(
            Flag(id=stable_id("f", c.id, f["relation"]), claim_id=c.id, relation=f["relation"], reason=f["reason"],
                 severity=f.get("severity", 3), confidence=0.8, claim_span=c.spans[0], speaker=c.speaker,
                 channel=c.channel.label if c.channel else None, countering_speaker=ev.speaker if ev else None,
                 evidence=list(ev.spans) if ev else [], relation_ids=[rid])
        )
    for r in relations:
        c, ev = out_claims[r["claim"]], out_claims[r["evidence"]]
        rels.append(Relation(id=stable_id("r", c.id, ev.id, r["relation"]), claim_id=c.id, evidence_claim_id=ev.id,
                             relation=r["relation"], reason=r.get("reason", ""), evidence=list(ev.spans)))
    return Analysis(article=article, attributions=attrs, speakers=list(speakers.values()), claims=out_claims,
                    relations=rels, flags=out_flags, version="test").validate()


def seed_like(text: str = SEED_LIKE, slug: str = "seed-like", *, prefix: str = "", edits: dict | None = None) -> Analysis:
    """The seed-like article; ``prefix`` is put before the text, ``edits`` (old -> new) applied to text and claims."""
    edits = edits or {}
    for old, new in edits.items():
        text = text.replace(old, new)
    claims = [
            {"text": "Russian troops have surrounded thousands of Ukrainian soldiers in Kursk", "speaker": "Donald Trump",
             "source": "President Trump", "channel": "post on Truth Social"},
            {"text": "soldiers and analysts have not noted a complete encirclement", "speaker": "Wall Street Journal",
             "source": "The Wall Street Journal", "cue": "reported", "type": "news_outlet"},
            {"text": "Russia would not accept an immediate ceasefire", "speaker": "Dmitry Peskov",
             "source": "Kremlin spokesman Dmitry Peskov"},
            {"text": "the talks would continue next week", "speaker": "officials", "source": "Officials", "type": "anonymous"},
    ]
    for spec in claims:
        for old, new in edits.items():
            spec["text"] = spec["text"].replace(old, new)
    return build_analysis(
        prefix + text,
        claims,
        slug=slug,
        flags=[{"claim": 0, "relation": "not_confirmed", "reason": "The Journal's sources saw no complete encirclement.",
                "evidence": 1, "severity": 4}],
        relations=[{"claim": 1, "evidence": 0, "relation": "qualifies", "reason": "same front, different account"}],
    )


def hostile() -> Analysis:
    return build_analysis(
        HOSTILE,
        [
            {"text": "<script>window.__pwned = 1; console.error('pwned')</script> is fine", "speaker": "<b>The mayor</b>",
             "source": "The mayor", "channel": "<script>alert('channel')</script>"},
            {"text": 'the photo <img src=x onerror="window.__pwned = 2"> was real', "speaker": "A spokesman",
             "source": "A spokesman"},
            {"text": '<iframe src="javascript:window.__pwned=3"></iframe> and <a href="javascript:alert(1)">click</a> '
                     "were added later", "speaker": "Critics", "source": "Critics", "type": "anonymous"},
            {"text": "</td></tr></table><b>bold</b> & 'quotes' \"everywhere\" was its position", "speaker": "The council",
             "source": "The council", "type": "government_body"},
        ],
        slug="hostile",
        title="<script>window.__pwned = 4</script> Title",
        outlet='<img src=x onerror="window.__pwned=5">',
        flags=[{"claim": 0, "relation": "contradicts", "reason": "<script>window.__pwned=6</script> reason",
                "evidence": 1, "severity": 5}],
    )
