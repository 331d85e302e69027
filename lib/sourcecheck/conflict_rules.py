"""Conflict rules that need more than one sentence's words (used by ``sourcecheck.crosscheck``).

* :func:`nested_claims`: a claim reported *inside* another source's claim
  ("He started this silliness years ago by saying President Obama is not an
  American citizen", said by Butterfield, holds Trump's claim; "Trump said that
  Clinton once described the deal as the gold standard" holds Clinton's). The
  inner claim gets its own holder (a pronoun resolves to the nearest person
  named before it who is not the outer speaker) so that a rebuttal or a later
  position of that holder can be found for it.
* :func:`_positions`: sentence-level positions ("Russia rejected an immediate
  ceasefire"), compared for shifts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .judges import _PRONOUNS, Lexicon, _camps, _content_keys, _Info, _name_key, _negated, _title_aliases, _title_camps, _Unit, plain
from .model import Claim, Span

#: Speech verbs that open a nested claim ("by saying X", "once described X as Y").
_NESTED_VERBS = frozenset("say claim describe call insist allege assert tweet write suggest charge contend argue declare".split())


def nested_claims(doc, text: str, claims: list[Claim]) -> list[tuple[Claim, str]]:
    """(inner claim, outer claim id) for every claim another source's claim reports (see module docstring)."""
    out = []
    ids = {}  # a holder named like a resolved speaker is that speaker ("Clinton" -> the id of "Hillary Clinton")
    for c in claims:
        if c.speaker_id and _name_key(c.speaker):
            ids.setdefault(_name_key(c.speaker), c.speaker_id)
    for c in claims:
        if not c.attributed or not c.speaker:
            continue
        outer = _name_key(c.speaker)
        for sp in c.spans:
            cs = doc.char_span(sp.start, sp.end, alignment_mode="expand")
            for t in (cs or []):
                if not (sp.start <= t.idx < sp.end) or t.pos_ != "VERB" or t.lemma_.lower() not in _NESTED_VERBS:
                    continue
                deps = {k.dep_ for k in t.children} | {k.dep_ + ":" + k.lower_ for k in t.children}
                if not (deps & {"ccomp", "xcomp", "oprd"} or {"dobj", "prep:as"} <= deps):
                    continue  # a reported proposition ("saying X", "called X Y", "described X as Y"), not "called Machado"
                subj, head = None, t
                for _ in range(3):  # "by saying X": the subject of the verb the gerund hangs from
                    subj = next((k for k in head.children if k.dep_ in ("nsubj", "nsubjpass")), None)
                    if subj is not None or head.head is head:
                        break
                    head = head.head
                holder = _holder(doc, subj, outer)
                if holder is None or _name_key(holder) == outer:
                    continue
                left = [k for k in t.children if k.i < t.i and k.dep_ in ("nsubj", "advmod", "neg")] + [t]
                start = max(sp.start, min(k.left_edge.idx for k in left))
                end = min(sp.end, max(w.idx + len(w.text) for w in t.subtree))
                while end > start and not text[end - 1].isalnum():
                    end -= 1
                if end - start < 15:
                    continue
                inner = Span.of(text, start, end)
                out.append((Claim(c.id + "~" + str(start), inner.text, [inner], c.attribution_id, speaker=holder, speaker_id=ids.get(_name_key(holder)),
                                  cue=t.text, kind="statement", sentence=c.sentence), c.id))
    return out


_INTRO_WORDS = frozenset("say tell write tweet post statement remark comment claim declare quote add assert insist".split())
_OPEN_QUOTE = ("“", '"')


def introduced_quotes(doc, text: str, claims: list[Claim], units: list[_Unit]) -> list[tuple[Claim, str]]:
    """(quote claim, outer claim id) for a direct quote the article's own sentence introduces with a colon
    ("... how the website rated this statement by Trump on June 11: “If you look at ...”"): the quote is the
    last person named in the introducing sentence's claim, not the article's assertion."""
    out = []
    for c in claims:
        if c.attributed:
            continue
        cs, ce = c.spans[0].start, c.spans[-1].end
        for u in units:
            if not (cs <= u.start < ce) or not u.text.rstrip().endswith(":") or u.i + 1 >= len(units):
                continue
            v = units[u.i + 1]
            if v.start >= ce or not v.text.lstrip().startswith(_OPEN_QUOTE):
                continue
            if not any(t.lemma_.lower() in _INTRO_WORDS for t in u.tokens):
                continue
            people = [e for e in doc.ents if u.start <= e.start_char < u.end and (e.label_ == "PERSON" or (
                e.label_ == "ORG" and e.root.dep_ == "pobj" and e.root.head.lower_ in ("by", "from")))]  # "statement by Trump"
            if not people:
                continue
            last = v
            while not last.text.rstrip().endswith(("”", '"', "”.", '".')) and last.i + 1 < len(units) and last.i - v.i < 3:
                last = units[last.i + 1]
            inner = Span.of(text, v.start, min(last.end, ce))
            out.append((Claim(c.id + "~" + str(v.start), inner.text, [inner], "introduced-quote", speaker=people[-1].text,
                              cue=":", kind="statement", quote_type="direct", sentence=c.sentence), c.id))
    return out


def _holder(doc, subj, outer: Optional[str]) -> Optional[str]:
    """A nested claim's holder: a named subject, or for a pronoun the nearest person named before it (not the outer speaker)."""
    if subj is None:
        return None
    if subj.lower_ not in _PRONOUNS:
        if subj.pos_ == "PROPN" or subj.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
            return " ".join(w.text for w in subj.subtree if not w.is_punct and w.dep_ not in ("relcl", "appos"))
        return None
    if subj.lower_ not in ("he", "she"):
        return None
    for ent in reversed([e for e in doc.ents if e.label_ == "PERSON" and e.end <= subj.i and subj.i - e.end < 80]):
        if _name_key(ent.text) != outer:
            return ent.text
    return None


@dataclass
class _Position:
    """A stance a holder takes in one sentence: "Russia rejected an immediate ceasefire"."""

    unit: int
    holder: str
    key: Optional[str]
    camps: frozenset
    keys: dict
    polar: set
    neg: bool
    hedge: Optional[str]
    marker: Optional[str]
    claim: Optional[_Info]


def _clause(t) -> list:
    """A verb's own clause: its subtree without coordinated verbs (they are positions of their own)."""
    skip = set()
    for k in t.children:
        if k.dep_ == "conj" and k.pos_ in ("VERB", "AUX"):
            skip |= {w.i for w in k.subtree}
    return [w for w in t.subtree if w.i not in skip]


def _resolve_subject(t, unit: _Unit, lex: Lexicon, infos_here: list) -> Optional[str]:
    subj = next((k for k in t.children if k.dep_ in ("nsubj", "nsubjpass")), None)
    head = t
    while subj is None and head.dep_ == "conj" and head.head is not head:
        head = head.head
        subj = next((k for k in head.children if k.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None:
        return None
    if subj.lower_ not in _PRONOUNS:
        if subj.pos_ == "PROPN" or subj.ent_type_ in ("GPE", "ORG", "NORP", "PERSON") or subj.lower_ in lex.titles:
            return " ".join(w.text for w in subj.subtree if w.dep_ not in ("relcl", "punct", "appos") and not w.is_punct)
        return None
    cands = [w for w in unit.tokens if w.i < subj.i and (w.ent_type_ in ("PERSON", "GPE", "NORP") and w.ent_iob_ == "B" or w.lower_ in lex.titles)]
    if cands:  # the nearest person, country or title before the pronoun in the same sentence
        w = cands[-1]
        if w.lower_ in lex.titles:
            return " ".join(x.text for x in sorted([*(k for k in w.lefts if k.dep_ in ("amod", "compound", "det")), w], key=lambda x: x.i))
        ent = next((e for e in w.doc.ents if e.start == w.i), None)
        return ent.text if ent is not None else w.text
    containing = [x for x in infos_here if x.key and any(s.start <= t.idx < s.end for s in x.claim.spans)]
    if containing and containing[0].claim.speaker:
        return containing[0].claim.speaker
    return None


def _positions(units: list[_Unit], infos: list[_Info], doc, lex: Lexicon) -> list[_Position]:
    aliases = _title_aliases(doc, lex)
    out = []
    for u in units:
        here = [x for x in infos if x.unit == u.i]
        for t in u.tokens:
            if t.pos_ not in ("VERB", "AUX") or lex.key(t.lemma_.lower()) not in lex.position_verbs:
                continue
            holder = _resolve_subject(t, u, lex, here)
            if not holder:
                continue
            clause = _clause(t)
            keys = _content_keys(clause, lex)
            polar = {lex.key(w.lemma_.lower()) for w in clause} & {k for pair in lex.position_antonyms for k in pair}
            if not polar:
                continue
            key = _name_key(holder)
            if key in lex.titles:
                named = [a for a in aliases if a[1] == key]
                before = [a for a in named if a[0] < u.start]
                key = (before[-1] if before else named[0])[2] if named else key
            camps = _camps(holder, lex) | _title_camps(doc, key, lex)
            nxt = units[u.i + 1].text if u.i + 1 < len(units) else ""
            hedge = lex.hedges.search(plain(u.text)) or (lex.hedges.search(plain(nxt)) if re.match(r"\s*(?:But|Yet)\b", nxt) else None)
            marker = lex.shift_markers.search(plain(u.text))
            anchor = sorted(here, key=lambda x: (not x.claim.attributed, not any(s.start <= t.idx < s.end for s in x.claim.spans)))
            out.append(_Position(u.i, holder, key, camps, keys, polar, _negated(clause, lex),
                                 hedge.group(0) if hedge else None, marker.group(0) if marker else None, anchor[0] if anchor else None))
    return out


