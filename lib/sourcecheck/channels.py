"""Channels: the medium a statement came through, when the article names it.

"in a Friday post on Truth Social" (social post, platform Truth Social), "in a joint
statement released by the State Department" (statement, publisher State
Department), "in a speech", "during an appearance on Russian media", "told CNN"
(interview), "according to the Wall Street Journal" (news report). A channel noun
counts when it hangs on the cue or the source in the parse, outside the content.
"""
from __future__ import annotations

from typing import Optional

from . import constants as C
from .mentions import Context, np_text, np_tokens, root_of, tokens_in
from .model import Attribution, Channel, Span


def find_channel(ctx: Context, att: Attribution, found=None) -> Optional[Channel]:
    """The medium of a statement when the article names it ("in a post on Truth Social", "in a speech")."""
    doc, text = ctx.doc, ctx.text
    cue = tokens_in(doc, att.cue)
    if not cue:
        return None
    cue_ids = {t.i for t in cue}
    content_ids = {t.i for t in tokens_in(doc, att.content)}
    source_ids = {t.i for t in tokens_in(doc, att.source)}
    anchors = cue_ids | source_ids
    sent = cue[0].sent
    triggers = []
    for t in sent:
        if t.i in content_ids or t.i in source_ids or (t.i in cue_ids and t.pos_ not in ("NOUN", "PROPN")):
            continue
        kind = C.CHANNEL_NOUNS.get(t.lemma_.lower()) if t.pos_ in ("NOUN", "PROPN") else None
        reg = ctx.reg_tokens.get(t.i)
        if kind is None and not (reg and reg[2].type == "social_platform" and t.i == reg[1] - 1):
            continue
        path_ok = False
        for a in t.ancestors:
            if a.i in content_ids:
                break
            if a.i in anchors:
                path_ok = True
                break
            if a.dep_ == "relcl":  # "analysts who examine online videos": a relative clause describes the source
                break
        if path_ok:
            triggers.append((t, kind or "social_post"))
    # dative outlets: "told CNN", "told the Wall Street Journal"
    for t in cue:
        for ch in t.children:
            if ch.dep_ not in ("dative", "dobj", "npadvmod") or ch.i in content_ids or ch.i < t.i:
                continue
            outlets = [ctx.reg_tokens[x.i][2] for x in ch.subtree if x.i in ctx.reg_tokens
                       and ctx.reg_tokens[x.i][2].type == "news_outlet" and x.i not in content_ids]
            if outlets:  # "told CNN", "told the state news agency TASS"
                e = outlets[0]
                return Channel("interview", f"interview with {e.name}", publisher=e.name,
                               span=_span(text, doc[ch.left_edge.i:ch.right_edge.i + 1]))
    trig_ids = {t.i for t, _ in triggers}
    triggers = [(t, k) for t, k in triggers if not any(a.i in trig_ids for a in t.ancestors)]
    if triggers:
        t, kind = triggers[0]
        phrase = [x for x in t.subtree if x.i not in content_ids]
        label_toks = list(phrase)
        while label_toks and (label_toks[0].dep_ in ("det", "poss", "predet") or label_toks[0].ent_type_ in ("DATE", "TIME")
                              or label_toks[0].is_punct):
            label_toks = label_toks[1:]
        while label_toks and (label_toks[-1].is_punct or label_toks[-1].is_space):
            label_toks = label_toks[:-1]
        label_toks = label_toks or [t]
        start_tok = t.head if t.head.dep_ == "prep" and t.dep_ == "pobj" and t.head.i < t.i and t.head.i not in content_ids else phrase[0]
        span = _span(text, doc[start_tok.i:label_toks[-1].i + 1])
        label = text[label_toks[0].idx: label_toks[-1].idx + len(label_toks[-1].text)]
        if t.i in ctx.reg_tokens and kind == "social_post" and C.CHANNEL_NOUNS.get(t.lemma_.lower()) is None:
            label = f"post on {label}"  # "wrote on X": the platform alone names the channel
        platform = publisher = None
        for x in phrase:
            r = ctx.reg_tokens.get(x.i)
            if r is None:
                continue
            if r[2].type == "social_platform":
                platform = platform or r[2].name
            elif x.head.lower_ == "by" or any(a.lower_ == "by" for a in x.ancestors if a.i > t.i) or r[2].type == "news_outlet":
                publisher = publisher or r[2].name
        if publisher is None:
            by = [x for x in phrase if x.dep_ == "pobj" and x.head.lower_ == "by" and x.ent_type_ in ("ORG", "GPE")]
            if by:
                publisher = np_text(doc, np_tokens(by[0]))
        if platform and kind not in ("social_post", "media_appearance", "interview"):
            kind = "social_post"
        return Channel(kind, label, platform=platform, publisher=publisher, span=span)
    for t in cue:
        spec = C.CUE_CHANNELS.get(t.lemma_.lower())
        if spec:
            return Channel(spec[0], t.text, platform=spec[1], span=_span(text, doc[t.i:t.i + 1]))
    if found is not None and found.type == "news_outlet":
        src = att.source[0] if att.source else None
        lead = text[att.cue[0].start: src.end] if src and att.cue[0].end <= src.start and att.cue_text.lower().startswith("according") else None
        label = lead or f"{found.name} report"
        span = Span.of(text, att.cue[0].start, src.end) if lead else None
        return Channel("news_report", label, publisher=found.name, span=span)
    if found is not None and found.type == "document" and att.source:
        toks = tokens_in(doc, att.source)
        kind = C.CHANNEL_NOUNS.get(root_of(toks).lemma_.lower()) if toks else None
        if kind:
            return Channel(kind if kind != "news_report" else "document", found.name, publisher=found.affiliation,
                           span=Span.of(text, att.source[0].start, att.source[-1].end))
    return None


def _span(text: str, sp) -> Optional[Span]:
    if sp is None or len(sp) == 0:
        return None
    return Span.of(text, sp.start_char, sp.end_char)
