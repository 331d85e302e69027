"""Cross-source checking: link claims about the same proposition, judge how each source bears on them, flag.

    check_claims(article, doc, claims, judge=None) -> (relations, flags)   # sets claim.group
    flags_frame(analysis) / relation_matrix(analysis) / matrix_chart(analysis)

The method (every threshold in ``sourcecheck.constants``, section "crosscheck";
every word list in ``data/crosscheck_lexicon.yaml``; measured on the PolNeAR dev
conflict set with ``sourcecheck evaluate-flags``, guideline in
``docs/conflict-guideline.md``):

1. **Passages.** Every sentence (split at line breaks too) is a possible
   evidence passage. A claim's own sentence counts for the part outside the
   claim, and only through a cue that follows the claim ("..., but offered no
   proof") or points ahead at it ("contrary to his claim that", "Video shows X,
   but Y said...").
2. **Linking by meaning, not only shared words.** Claim (per sentence of the
   claim) and passage become sets of content lemmas; synonym groups map to one
   key (surround = encircle = encirclement; troop = force = soldier), opposites
   to one axis (accept / reject), demonyms to their country (Ukrainian =
   Ukraine). Keys weigh their idf over the article's sentences; the link is the
   weighted cosine plus ``CROSSCHECK_RARE_BONUS`` per shared word no other
   sentence uses, plus small same-paragraph bonuses, minus
   ``CROSSCHECK_BEFORE_PENALTY`` for a claim after its passage. A passage links
   when it reaches ``CROSSCHECK_LINK_MIN`` with ``CROSSCHECK_MIN_SHARED`` shared
   keys, or when the words its cue governs ("too early to tell whether <the
   explosion was caused by a bomb>") reach ``CROSSCHECK_SCOPE_LINK``. A passage
   that points back ("reject this", "that comment", "the president's claims",
   "He had no proof of it", a sentence opening with "But"/"However") links to
   the best claim among the last ``CROSSCHECK_ANAPHOR_WINDOW`` sentences,
   following a quoted phrase ("root causes") back to the claim that said it.
   An anaphor naming the claim's holder ("Trump's claim") prefers that holder's
   claim; a rebuttal cue in the very next sentence (one-sentence paragraphs)
   gets ``CROSSCHECK_ADJACENT_BONUS``. Each passage answers one claim.
   **Nested claims** (``sourcecheck.conflict_rules``): a claim reported inside
   another source's claim ("He started this years ago by saying X", said by
   Butterfield) and a quote the article introduces with a colon ("this
   statement by Trump: “...”") are checked as their holder's own claims; their
   flags sit on the outer claim with the inner span and holder.
3. **Judging** (``sourcecheck.judges``; default: rules, offline). The passage's
   cues decide: *unverified* (no evidence offered), *not confirmed* (not seen,
   verified or determined), then denial/dispute/correction cues, named by who
   speaks: the claim's subject *denies*, a third party *disputes*, the article's
   own voice or a record (video, data, study) *contradicts*. Different figures
   for the same quantity (same noun or copula subject, same group, linked at
   ``CROSSCHECK_NUMERIC_LINK``, or a passage that names the claim: "less than
   one-third of Trump's claim") are a *numeric mismatch*. Opposite wording
   (antonyms) counts with a contrast word and a shared person or place; a plain
   negation only when the claim's own subject says it. A record that merely
   reports what it shows, a cue right after a negator ("not necessarily
   wrong"), a rebuttal of a rebuttal of the same kind (allies), and two
   parties' different *positions* (Ukraine accepts, Russia rejects) are no
   conflict.
4. **Shifts.** Sentence-level positions (a holder + accept / reject / support /
   oppose) and claims of one holder (the same speaker, or a country with its
   officials: "Russia" / "Putin") whose later position is opposite, negated or
   hedged ("in theory", "but only if", "more open", "probably not") are a
   *shift*, never agreement; so is an earlier statement the article frames as
   past ("once described") against the holder's "now says" within
   ``CROSSCHECK_PAST_WINDOW`` sentences (link ``CROSSCHECK_SHIFT_PAST_LINK``).
5. **Groups and flags.** Claims joined by any relation share a stable group id
   (hash of the member claim ids). Every conflict relation flags its claim (one
   flag per claim and relation, evidence merged, severity ``FLAG_SEVERITY``);
   passages just before a conflict's evidence that back part of the claim are
   *corroborates in part* and named in the flag's reason.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Optional

from . import constants as C
from .judges import Lexicon, Pair, Verdict, find_cues, load_lexicon, make_judge, plain
from .judges import (  # describing claims and passages
    _PRONOUNS, _TITLES, _Info, _Unit, _bisect, _camps, _claim_infos, _content_keys, _idf, _link, _name_key,
    _negated, _numbers, _units,
)
from .conflict_rules import _positions, introduced_quotes, nested_claims
from .model import Claim, Flag, Relation, Span, stable_id

CONFLICTS = frozenset(C.FLAG_SEVERITY)
_CONTRAST = re.compile(r"\b(?:but|however|though|although|yet|whereas|despite|instead|nevertheless)\b", re.I)
_QUOTED = re.compile(r"[“\"']{1,2}([^“”\"']{4,80}?)[”\"']{1,2}")
_ASSERTION_SPEAKER = "the article"
_REBUTTALS = frozenset({"denies", "disputes", "unverified", "not_confirmed"})
_ANSWER_CUES = _REBUTTALS | {"contradicts"}
#: A claim reported inside the sentence that answers it: "..., contradicting Tulsa police's earlier claim that X".
_EMBEDDED = re.compile(
    r"\b(?P<cue>contradict\w*|contrary to|disput\w*|den(?:y|ies|ied|ying)|refut\w*|challeng\w*)\s+"
    r"(?P<who>(?:[\w'.-]+\s+){0,6}?)(?:earlier |previous |initial |original |own )?"
    r"(?P<noun>claims?|assertions?|statements?|account|contention|suggestion|allegations?)\s+that\s+"
    r"(?P<what>[^;]+?)(?=[,;.]['\"”]*\s|[,;.]?['\"”]*$)", re.I)
#: A passage naming the claim it answers ("less than one-third of Trump's claim"): its different figure answers it.
_CLAIM_REF = re.compile(r"\b(?:\w+['’]s|(?:his|her|their|the|that|this)) (?:claim|figure|number|estimate|assertion|statement)\b", re.I)
_CLAIM_OWNER = re.compile(r"\b([A-Z][\w-]+)'s (?:claims?|assertions?|statements?|figures?|numbers?|comments?|remarks?)\b")
_TARGET_ANSWERS = re.compile(r"\b(?:dismiss|reject|den(?:y|ies|ied)|rebuff|brush(?:ed|es)? (?:off|aside)|shrug(?:ged)? off)\w*\s+"
                             r"(?:the|that|this|these|those|such)\s+(?:criticisms?|attacks?|accusations?|charges?)\b", re.I)
_CUE_SUBJECT = "\0cue-subject"  # a passage speaker known only as the subject of its cue verb (no claim of its own)


# --------------------------------------------------------------------------- the checker
def check_claims(article, doc, claims: list[Claim], judge=None) -> tuple[list[Relation], list[Flag]]:
    """Relations between claims from different sources, and flags on contested claims; sets ``claim.group``."""
    if not claims or doc is None:
        return [], []
    lex = load_lexicon()
    judge = make_judge(judge)
    text = article.text
    units = _units(doc, text)
    if not units:
        return [], []
    idf = _idf(units, lex)
    nested = nested_claims(doc, text, claims) + introduced_quotes(doc, text, claims, units)
    outer_of = {inner.id: outer for inner, outer in nested}
    infos = _claim_infos(claims + [inner for inner, _ in nested], units, doc, lex)
    unit_keys = [_content_keys(u.tokens, lex) for u in units]
    unit_cues = [find_cues(u.text, lex) for u in units]
    relations: list[Relation] = []
    seen: set = set()

    def add(info: _Info, verdict, ev_spans: list[Span], ev_claim: Optional[_Info], speaker: Optional[str]):
        rid = stable_id("r", info.claim.id, verdict.relation, *(f"{s.start}:{s.end}" for s in ev_spans))
        if rid in seen:
            return
        seen.add(rid)
        ev_id = ev_claim.claim.id if ev_claim is not None and ev_claim.claim.id != _CUE_SUBJECT else None
        r = Relation(rid, info.claim.id, ev_id, verdict.relation, verdict.reason,
                     ev_spans, round(float(verdict.confidence), 3), getattr(verdict, "method", "rules"))
        r._speaker = speaker  # for flags; not serialised
        relations.append(r)

    # passages: every sentence judged against the best-linked claim(s)
    own_cues: dict = {}
    embedded = [_EMBEDDED.search(plain(u.text)) is not None for u in units]  # handled by their own pass below
    pools = defaultdict(list)  # attributed claims overlapping each sentence
    for x in infos:
        if x.claim.attributed:
            for i in range(x.unit, max(x.unit, x.last_unit) + 1):
                pools[i].append(x)
    for u in units:
        if embedded[u.i]:
            continue  # "X, contradicting the police's earlier claim that Y" answers Y (own pass below), no other claim
        cues_here = {k: v for k, v in unit_cues[u.i].items() if k != "corroborates"}
        anaphoric = bool(lex.anaphors.search(plain(u.text)))
        owner = _CLAIM_OWNER.search(plain(u.text)) if anaphoric else None  # "Trump's claim": the claim Trump holds
        first_cue = min((m.start() for ms in cues_here.values() for m in ms), default=None)
        scope_toks = [t for t in u.tokens if t.idx - u.start >= first_cue] if first_cue is not None else []
        scope_keys = _content_keys(scope_toks, lex) if first_cue is not None else None
        scope_anaphoric = any(t.lower_ in ("it", "this", "that", "so", "them", "these", "those") and t.pos_ == "PRON" for t in scope_toks)
        best = []
        for info in infos:
            dist = u.i - info.unit
            if abs(dist) > C.CROSSCHECK_MAX_DISTANCE or not info.holder or sum(len(k) for k in info.keys) < 2:
                continue  # too far, nobody's claim, or too short to check ("Sanders")
            ev = _passage_span(text, u, info.spans)
            if ev is None:
                continue
            if info.claim.id not in own_cues:
                own_cues[info.claim.id] = set(find_cues(" ".join(text[sp.start:sp.end] for sp in info.spans), lex))
            if _REBUTTALS & set(cues_here) & own_cues[info.claim.id]:
                continue  # a rebuttal does not rebut a rebuttal of the same kind: they are allies
            own = _own_sentence_cue(cues_here, u, info.spans) if dist == 0 else 0
            if dist == 0 and (not own or embedded[u.i]):
                continue  # the rest of the claim's own sentence counts only when it carries a cue bearing on the claim
            spk, spk_info = _passage_speaker(infos, u, ev, info, cues_here, own_sentence=dist == 0, pool=pools[u.i])
            if spk_info is not None and _same_speaker(spk_info, info):
                if "unverified" not in cues_here:
                    continue  # the speaker's own words: shifts are found below
                spk, spk_info = None, None  # "He offered no proof": the article's voice
            score, shared = _link(info.keys, unit_keys[u.i], idf)
            if dist == 0:
                tier = 2
                after = [m.start() + u.start for ms in cues_here.values() for m in ms if m.start() + u.start >= info.spans[-1].end]
                order = 1e6 if own == 2 else (-(min(after) - info.spans[-1].end) if after else -1e6)  # the claim the cue is about
            elif anaphoric and 0 < u.i - info.last_unit <= C.CROSSCHECK_ANAPHOR_WINDOW:
                tier = 1
                order = score + C.CROSSCHECK_ANAPHOR_ADJACENT_BONUS * (u.i - info.last_unit == 1)
                order += 1.0 * bool(owner and _name_key(info.holder) == owner.group(1).lower())
                score += C.CROSSCHECK_ADJACENT_BONUS
            else:
                tier = 0
                if scope_keys:
                    sc2, sh2 = _link(info.keys, scope_keys, idf)
                    if sc2 >= C.CROSSCHECK_SCOPE_LINK and sc2 > score:
                        score, shared = sc2, sh2 + ("(scope)",)
                if len(shared) < C.CROSSCHECK_MIN_SHARED:
                    continue
                if scope_keys is not None and set(cues_here) <= {"not_confirmed", "unverified"} and not scope_anaphoric:
                    if not any(k in scope_keys for part in info.keys for k in part):
                        continue  # "no sign that <something else>": the cue is about another matter
                score += C.CROSSCHECK_SAME_PARAGRAPH_BONUS * (units[info.unit].para == u.para)
                if u.i - info.last_unit == 1 and units[info.unit].para != u.para and set(cues_here) & _ANSWER_CUES:
                    score += C.CROSSCHECK_ADJACENT_BONUS  # a rebuttal in the next sentence (one-sentence paragraphs)
                score -= C.CROSSCHECK_BEFORE_PENALTY * (dist < 0)
                if score < C.CROSSCHECK_LINK_MIN:
                    continue
            best.append((tier, order if tier else score, -abs(dist), info, ev, spk, spk_info, shared, score))
        if not best:
            continue
        best.sort(key=lambda x: (x[0], x[1]), reverse=True)  # own sentence, then anaphor, then link
        top = best[0]
        chosen = [top]
        for tier, _, _, info, ev, spk, spk_info, shared, score in chosen:
            target, phrase = _follow_quote(info, infos, units) if tier == 1 else (info, None)
            pair = _pair(lex, target, u, ev, score, shared, tier == 1, spk, spk_info, unit_keys[u.i], text, units)
            pair.own_sentence = tier == 2
            verdict = judge.judge(pair)
            if verdict is not None:
                if phrase:
                    verdict.reason = verdict.reason.rstrip(".") + f", answering “{phrase}”."
                add(target, verdict, [ev], spk_info, spk)

    # claims reported inside the sentence that answers them ("..., contradicting the police's earlier claim that X")
    for u in units:
        m = _EMBEDDED.search(plain(u.text))
        if m is None:
            continue
        ws, we = u.start + m.start("what"), u.start + m.end("what")
        anchors = [x for x in infos if any(s.start < we and s.end > ws for s in x.claim.spans)] or \
                  [x for x in infos if any(s.start < u.end and s.end > u.start for s in x.claim.spans)]
        if not anchors:
            continue
        anchor = sorted(anchors, key=lambda x: (not x.claim.attributed, x.claim.start))[0]
        cue = m.group("cue").lower()
        rel = "contradicts" if cue.startswith("contra") else "denies" if cue.startswith("den") else "disputes"
        es, ee = u.start, u.start + m.start("cue")
        if ee - es < 12:
            es, ee = we, u.end
        while ee > es and not text[ee - 1].isalnum():
            ee -= 1
        while es < ee and not text[es].isalnum():
            es += 1
        if ee - es < 12:
            continue
        ev = Span.of(text, es, ee)
        spk, spk_info = _passage_speaker(infos, u, ev, anchor, {}, own_sentence=False, pool=pools[u.i])
        claimant = re.sub(r"['’]s?$", "", m.group("who").strip()) or None
        if claimant and claimant.lower() in _PRONOUNS | {"the", "a", "an"}:
            claimant = anchor.claim.speaker if anchor.claim.speaker and anchor.claim.speaker.lower() not in _PRONOUNS else None
        what = " ".join(m.group("what").split())
        verdict = Verdict(rel, C.CROSSCHECK_CONFIDENCE["cue"] * 0.9,
                          f"{ {'contradicts': 'Contradicted', 'denies': 'Denied', 'disputes': 'Disputed'}[rel]} in the same sentence: "
                          f"{spk or 'the article'} answers {claimant + chr(8217) + 's' if claimant else 'the'} claim that “{what[:90]}” "
                          f"(“{m.group('cue')}”).")
        n = len(relations)
        add(anchor, verdict, [ev], spk_info if spk_info is not anchor else None, spk)
        if len(relations) > n:
            relations[-1]._claim_span = Span.of(text, u.start + m.start("who") if claimant else u.start + m.start("noun"), we)
            relations[-1]._claimant = claimant

    # shifts: two statements of one holder whose positions differ
    for a in infos:
        for b in infos:
            if b.claim.start <= a.claim.start or b.claim.id == a.claim.id or not _same_holder(a, b, lex):
                continue
            score, shared = max((_link(a.keys, bk, idf) for bk in b.keys), key=lambda x: x[0])
            pair = _pair(lex, a, units[b.unit], b.claim.spans[0], score, shared, False, b.holder, b, None, text, units)
            pair.same_holder, pair.later = True, True
            pair.passage_text = text[units[b.unit].start:units[b.unit].end]
            pair.hedge = b.hedge
            if lex.past_markers is not None and 0 < b.unit - a.last_unit <= C.CROSSCHECK_PAST_WINDOW:
                past, now = _search(lex.past_markers, a.claim.text), _search(lex.shift_markers, pair.passage_text)
                if past and now:  # "Clinton once described X as..." / "Clinton now says she opposes the deal"
                    pair.claim_past, pair.shift_marker = past, pair.shift_marker or now
            verdict = judge.judge(pair)
            if verdict is not None and verdict.relation == "shifts":
                add(a, verdict, list(b.claim.spans), b, b.holder)

    # shifts between sentence-level positions ("Russia rejected..." / "Putin later indicated he was more open...")
    positions = _positions(units, infos, doc, lex)
    for i, pa in enumerate(positions):
        if pa.claim is None:
            continue
        for pb in positions[i + 1:]:
            if pb.unit == pa.unit or not _same_holder(pa, pb, lex):
                continue
            score, shared = _link(pa.keys, pb.keys, idf)
            ev = Span.of(text, units[pb.unit].start, units[pb.unit].end)
            flip = next(((x, y) for x in pa.polar for y in pb.polar if frozenset((x, y)) in lex.position_antonyms), None)
            pair = Pair(claim_text=units[pa.unit].text, passage_text=ev.text, link=round(score, 3), shared=shared,
                        negation_flip=pa.neg != pb.neg, position_flip=flip, same_holder=True, later=True,
                        shift_marker=pb.marker, hedge=pb.hedge, claim_hedge=pa.hedge, passage_speaker=pb.holder,
                        passage_attributed=True)
            verdict = judge.judge(pair)
            if verdict is not None and verdict.relation == "shifts":
                add(pa.claim, verdict, [ev], pb.claim, pb.holder)
                relations[-1]._claim_span = Span.of(text, units[pa.unit].start, units[pa.unit].end) if relations and relations[-1].claim_id == pa.claim.claim.id else None

    # partial corroboration: passages just before a conflict's evidence that back part of the claim
    by_id = {x.claim.id: x for x in infos}
    for r in [r for r in relations if r.relation in CONFLICTS and r.relation != "shifts"]:
        info, ev0 = by_id.get(r.claim_id), r.evidence[0] if r.evidence else None
        if info is None or ev0 is None:
            continue
        ue = _bisect([u.start for u in units], ev0.start)
        for v in units[max(0, ue - 2): ue]:
            if v.i <= info.unit or any(k in unit_cues[v.i] for k in ("denies", "disputes", "not_confirmed", "unverified")):
                continue
            score, shared = _link(info.keys, unit_keys[v.i], idf)
            if len(shared) < 3 or score < C.CROSSCHECK_PARTIAL_LINK:
                continue
            ev = Span.of(text, v.start, v.end)
            spk, spk_info = _passage_speaker(infos, v, ev, info, {}, own_sentence=False)
            if spk_info is not None and _same_speaker(spk_info, info):
                continue
            add(info, Verdict("corroborates_in_part", C.CROSSCHECK_CONFIDENCE["support"],
                              f"Corroborated in part by {spk or 'the article'}: it reports part of it (shared: "
                              f"{', '.join(shared[:5])}) next to the passage that contests it."), [ev], spk_info, spk)

    relations = _partial_corroboration(_lift_nested(relations, outer_of, {x.claim.id: x.claim for x in infos}))
    _set_groups(claims, relations)
    return relations, _flags(relations, {c.id: c for c in claims}, text)


def _search(pattern, s: str) -> Optional[str]:
    m = pattern.search(plain(s))
    return m.group(0) if m else None


def _passage_span(text: str, u: _Unit, spans: list) -> Optional[Span]:
    """The passage, or for the claim's own sentence the longer part of it outside the claim."""
    inside = [s for s in spans if s.start < u.end and s.end > u.start]
    if not inside:
        return Span.of(text, u.start, u.end)
    before = (u.start, min(s.start for s in inside))
    after = (max(s.end for s in inside), u.end)
    s, e = max((before, after), key=lambda x: x[1] - x[0])
    while s < e and not text[s].isalnum() and text[s] not in "“\"'":
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e - s < 12:
        return None
    return Span.of(text, s, e)


def _own_sentence_cue(cues: dict, u: _Unit, spans: list) -> int:
    """How a cue in the claim's own sentence bears on the claim: 0 not at all, 1 it follows the claim
    ("..., but offered no proof"), 2 it points ahead at the claim ("contrary to his claim that...",
    "contradicting the police's earlier claim that...", "Video shows X, but Shelby said Y")."""
    end = max(s.end for s in spans)
    start = min(s.start for s in spans)
    text = u.text
    best = 0
    for ms in cues.values():
        for m in ms:
            pos = m.start() + u.start
            if pos >= end:
                best = max(best, 1)
            elif pos < start:
                between = text[m.end():start - u.start].lower()
                if m.group(0).lower() == "contrary to" or re.search(
                        r"\b(?:claim|claims|assertion|allegation|statement|contention|account)\b|(?:,|;)\s*(?:but|though|although|while|yet)\b", between):
                    best = 2
    return best


def _passage_speaker(infos: list[_Info], u: _Unit, ev: Span, target: _Info, cues: dict, own_sentence: bool = False,
                     pool: Optional[list] = None):
    """Who speaks in the passage: the claim whose content or sentence holds the passage's cue.

    ``pool``: the attributed claims overlapping the passage's sentence (a speed-up; default: all claims).
    """
    pos = [m.start() + u.start for ms in cues.values() for m in ms if ev.start <= m.start() + u.start < ev.end] or [ev.start]
    here = pool if pool is not None else [x for x in infos if x.claim.attributed]
    inside = [x for x in here if x is not target and any(s.start <= p < s.end for p in pos for s in x.claim.spans)]
    around = [] if own_sentence else [x for x in here if x is not target and x.unit == u.i]
    for pool in (inside, around):
        for x in pool:
            name = x.claim.speaker or "an unnamed source"
            outlet = None if x.claim.channel else _report_before(infos, x.unit, target)
            return (f"{name} (via {outlet.claim.speaker} report)" if outlet else name), x
    # "Mr. Obama dismissed the criticism": the subject of the cue verb speaks
    for p in pos:
        tok = next((t for t in u.tokens if t.idx <= p < t.idx + len(t.text) + 1), None)
        for t in ([tok] if tok is not None else []):
            head = t if t.pos_ in ("VERB", "AUX") else t.head
            subj = next((k for k in head.children if k.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None and (subj.pos_ == "PROPN" or subj.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")):
                name = " ".join(w.text for w in subj.subtree if not w.is_punct and w.dep_ not in ("relcl", "appos"))
                return name, _Info(Claim(_CUE_SUBJECT, name, [ev]), u.i, [{}], False, name, _name_key(name),
                                   frozenset(), None, [], set())
    # an unattributed passage right after "..., according to the Wall Street Journal" carries that report on
    x = _report_before(infos, u.i, target)
    if x is not None:
        return f"{x.claim.speaker} (same report)", x
    return None, None


def _report_before(infos: list[_Info], unit: int, target: _Info) -> Optional[_Info]:
    """The news report the passage in sentence ``unit`` carries on, if any: a claim made
    "according to" an outlet (or by one) in the two sentences before it. Soldiers and analysts
    quoted right after "..., according to the Wall Street Journal" speak through that report."""
    for x in sorted(infos, key=lambda x: -x.claim.start):
        if x.unit < unit - 2 or x.unit >= unit or x is target:
            continue
        if x.claim.attributed and ("according to" in (x.claim.cue or "").lower() or x.claim.speaker_type == "news_outlet"):
            return x
    return None


def _follow_quote(info: _Info, infos: list[_Info], units: list[_Unit]) -> tuple[_Info, Optional[str]]:
    """An anaphor's target that only echoes an earlier quoted phrase ("root causes") -> the claim that said it.

    The target sentence quotes a phrase; the earliest earlier sentence using the phrase is where it was said;
    the claim there (or, when that sentence carries none, the claim just before it: a quote continued in the
    next sentence) is the one the passage answers.
    """
    own = units[info.unit].text
    for m in _QUOTED.finditer(plain(own)):
        phrase = m.group(1).strip().lower()
        if len(phrase.split()) < 2:
            continue
        for u in units[: info.unit]:
            if phrase in u.text.lower():
                def over(v):
                    return [x for x in infos if x.claim.attributed and x is not info
                            and any(sp.start < v.end and sp.end > v.start for sp in x.claim.spans)]
                here = over(u) or (over(units[u.i - 1]) if u.i else [])
                if here:
                    return max(here, key=lambda x: x.claim.start), m.group(1).strip()
    return info, None


def _pair(lex, info: _Info, u: _Unit, ev: Span, score, shared, anaphor, spk, spk_info, pkeys, text, units) -> Pair:
    ptoks = [t for t in u.tokens if ev.start <= t.idx < ev.end]
    ptext = ev.text
    cues = {k: [m.group(0) for m in v] for k, v in find_cues(ptext, lex).items()}
    pneg = _negated(ptoks, lex)
    antonym = position_flip = None
    pwords = {lex.key(t.lemma_.lower()) for t in ptoks}
    for a in info.polar:
        for b in pwords:
            if frozenset((a, b)) in lex.antonyms:
                antonym = (a, b)
            elif frozenset((a, b)) in lex.position_antonyms:
                position_flip = (a, b)
    numbers = None
    claim_ref = bool(anaphor and _CLAIM_REF.search(plain(ptext)))
    if info.numbers:
        pn = _numbers(ptoks, lex)
        contrastive = _CONTRAST.search(ptext) or any(k in cues for k in ("contradicts", "disputes")) or (
            u.i > 0 and _CONTRAST.search(units[u.i - 1].text)) or claim_ref
        for cv, cu, cq, ct, cg in info.numbers:
            same = [(pv, pt) for pv, pu, pq, pt, pg in pn if pu == cu and cq & pq and not (cg and pg and not cg & pg)]
            if contrastive and same and not any(abs(pv - cv) <= C.CROSSCHECK_NUMERIC_TOLERANCE * max(abs(cv), 1) for pv, _ in same):
                numbers = (ct, same[0][1])
                break
    subject = False
    if spk_info is not None:
        head = re.split(r",|\(|\bwho\b|\bwhose\b|—|–", spk or "")[0]  # the name, not its appositive
        names = {w.lower() for w in re.findall(r"[A-Z][\w’'-]+", head)} - _TITLES - {"the", "a"}
        ctext = info.claim.text.lower()
        subject = any(re.search(rf"\b{re.escape(n)}\b", ctext) for n in names if len(n) > 2)
    if re.search(r"\b(?:disput\w*|den\w*|reject\w*|dismiss\w*)\s+(?:the\s+(?:idea|notion|claim|suggestion|report|allegation)s?\s+)?that\s+(?:she|he|they|i|we)\b", ptext, re.I):
        subject = True
    if spk_info is not None and _TARGET_ANSWERS.search(plain(ptext)):
        subject = True  # "Mr. Obama dismissed the criticism": who answers *the criticism* is its target
    hedge = lex.hedges.search(plain(ptext))
    marker = lex.shift_markers.search(plain(ptext))
    ctoks = [t for v in units[info.unit: info.last_unit + 1] for t in v.tokens]  # the claim's sentence(s): "arguing that Trump ..."
    ents = lambda toks: {lex.camps.get(t.lower_, t.lower_) for t in toks if t.pos_ == "PROPN" or t.ent_type_ in ("PERSON", "ORG", "GPE")}  # noqa: E731
    shared_entity = bool(ents(ctoks) & ents(ptoks)) or any(t.lower_ in ("he", "she", "they", "it") for t in ptoks[:3])
    document = bool(spk) and any(w in lex.document_sources for w in re.findall(r"[a-z]+", spk.lower())[-3:])
    return Pair(
        claim_text=info.claim.text, passage_text=ptext, cues=cues, link=round(score, 3), shared=shared, anaphor=anaphor,
        negation_flip=pneg != info.neg, passage_negated=pneg, antonym=antonym, position_flip=position_flip, numbers=numbers,
        contrast=bool(_CONTRAST.search(ptext)), later=ev.start > info.claim.start,
        shift_marker=marker.group(0) if marker else None, hedge=hedge.group(0) if hedge else None,
        claim_hedge=info.hedge, passage_speaker=spk, passage_attributed=spk_info is not None, passage_is_subject=subject and not document,
        claim_ref=claim_ref,
        passage_is_document=document, shared_entity=shared_entity,
    )


def _same_speaker(a: _Info, b: _Info) -> bool:
    """One speaker, by resolved id or by surname ("Vladimir Putin" / "Putin")."""
    if a.key and a.key == b.key:
        return True
    na, nb = _name_key(a.holder), _name_key(b.holder)
    return bool(na) and na == nb


def _same_holder(a, b, lex: Lexicon) -> bool:
    if not a.key or not b.key:
        return False
    if a.key == b.key:
        return True
    # a country or its seat of government, and one of its officials ("Russia" / "the Kremlin" / "Putin")
    for x, y in ((a, b), (b, a)):
        own = _camps(x.holder or "", lex)
        if own and len((x.holder or "").split()) <= 3 and own & y.camps and x.key in " ".join(lex.camps).split():
            return True
    return False


# --------------------------------------------------------------------------- groups and flags
def _lift_nested(relations: list[Relation], outer_of: dict, by_id: dict) -> list[Relation]:
    """Relations of a nested claim belong to the claim that reports it; the flag keeps the inner span and holder."""
    out = []
    for r in relations:
        if r.claim_id in outer_of:
            inner = by_id[r.claim_id]
            if getattr(r, "_claim_span", None) is None:
                r._claim_span = Span(inner.spans[0].start, inner.spans[-1].end, inner.text)
            r._claimant = inner.speaker
            r.claim_id = outer_of[r.claim_id]
        if r.evidence_claim_id in outer_of:
            r.evidence_claim_id = outer_of[r.evidence_claim_id]
        if r.evidence_claim_id == r.claim_id:
            if r.relation not in CONFLICTS:
                continue  # an outer claim agreeing with what it reports
            r.evidence_claim_id = None
        out.append(r)
    return out


def _partial_corroboration(relations: list[Relation]) -> list[Relation]:
    contested = {r.claim_id for r in relations if r.relation in CONFLICTS}
    for r in relations:
        if r.relation == "supports" and r.claim_id in contested:
            r.relation = "corroborates_in_part"
            r.reason = r.reason.rstrip(".") + ", though other sources contest the claim: it corroborates it only in part."
    return relations


def _set_groups(claims: list[Claim], relations: list[Relation]) -> None:
    parent: dict = {}

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for r in relations:
        parent.setdefault(r.claim_id, r.claim_id)
        if r.evidence_claim_id:
            parent.setdefault(r.evidence_claim_id, r.evidence_claim_id)
            parent[find(r.evidence_claim_id)] = find(r.claim_id)
    members = defaultdict(list)
    for cid in parent:
        members[find(cid)].append(cid)
    gid = {}
    for root, ids in members.items():
        g = stable_id("g", *sorted(ids))
        for cid in ids:
            gid[cid] = g
    for c in claims:
        if c.id in gid:
            c.group = gid[c.id]


def _flags(relations: list[Relation], claims: dict, text: str) -> list[Flag]:
    by = defaultdict(list)
    for r in relations:
        if r.relation in CONFLICTS:
            by[(r.claim_id, r.relation)].append(r)
    support = defaultdict(list)
    for r in relations:
        if r.relation == "corroborates_in_part":
            support[r.claim_id].append(r)
    flags = []
    for (cid, rel), rs in by.items():
        c = claims[cid]
        rs.sort(key=lambda r: -r.confidence)
        counter = [getattr(r, "_speaker", None) or _ASSERTION_SPEAKER for r in rs]
        reason = " ".join(dict.fromkeys(r.reason for r in rs))
        if support.get(cid):
            reason += " Partly corroborated: " + "; ".join(f"“{s.evidence[0].text[:90]}”" for s in support[cid] if s.evidence) + "."
        span = next((r._claim_span for r in rs if getattr(r, "_claim_span", None)), None) or Span.of(text, c.spans[0].start, c.spans[-1].end)
        flags.append(Flag(
            id=stable_id("f", cid, rel), claim_id=cid, relation=rel, reason=reason, severity=C.FLAG_SEVERITY[rel],
            confidence=rs[0].confidence, claim_span=span,
            speaker=next((r._claimant for r in rs if getattr(r, "_claimant", None)), None) or c.speaker or _ASSERTION_SPEAKER,
            channel=c.channel.label if c.channel else None, countering_speaker="; ".join(dict.fromkeys(counter)),
            evidence=[e for r in rs for e in r.evidence], relation_ids=[r.id for r in rs],
        ))
    flags.sort(key=lambda f: (-f.severity, -f.confidence, f.claim_span.start if f.claim_span else 0))
    return flags


# --------------------------------------------------------------------------- tables and chart
#: Colours of the relation matrix chart (colour-blind-safe where it matters: conflict = warm, support = blue).
RELATION_COLOURS = {
    "source": "#bbbbbb",
    "supports": "#4c72b0",
    "corroborates_in_part": "#8fb3de",
    "qualifies": "#c7c7e2",
    "shifts": "#e5ae38",
    "not_confirmed": "#f2c45a",
    "unverified": "#f0d58c",
    "disputes": "#dd8452",
    "numeric_mismatch": "#c44e52",
    "denies": "#b2403f",
    "contradicts": "#8c1c13",
}


def _rank(value: str) -> int:
    if value in C.FLAG_SEVERITY:
        return 10 + C.FLAG_SEVERITY[value]
    return {"source": 5, "qualifies": 3, "corroborates_in_part": 2, "supports": 1}.get(value, 0)


def flags_frame(analysis):
    """The flags as a table of plain values, most serious first (severity, then confidence, then position)."""
    import pandas as pd

    cols = ["flagged claim", "speaker", "channel", "relation", "countering source", "evidence", "reason",
            "confidence", "severity", "claim start", "claim end", "claim id", "flag id"]
    rows = []
    for f in analysis.flags:
        try:
            claim = analysis.claim(f.claim_id)
        except KeyError:
            claim = None
        span = f.claim_span or (claim.spans[0] if claim else None)
        rows.append({
            "flagged claim": " ".join((span.text if span else (claim.text if claim else "")).split()),
            "speaker": f.speaker or (claim.speaker if claim else None) or _ASSERTION_SPEAKER,
            "channel": f.channel or (claim.channel.label if claim and claim.channel else ""),
            "relation": f.relation.replace("_", " "),
            "countering source": f.countering_speaker or "",
            "evidence": " … ".join(" ".join(e.text.split()) for e in f.evidence),
            "reason": f.reason,
            "confidence": round(float(f.confidence), 2),
            "severity": int(f.severity),
            "claim start": span.start if span else None,
            "claim end": span.end if span else None,
            "claim id": f.claim_id,
            "flag id": f.id,
        })
    df = pd.DataFrame(rows, columns=cols)
    if len(df):
        df = df.sort_values(["severity", "confidence", "claim start"], ascending=[False, False, True], kind="stable").reset_index(drop=True)
    return df


def _source_names(analysis) -> dict:
    names = {}
    for s in analysis.speakers:
        names[s.id] = s.name if s.name not in names.values() else f"{s.name} ({s.type})"
    for c in analysis.claims:
        if c.speaker_id and c.speaker_id not in names and c.speaker:
            names[c.speaker_id] = c.speaker
    return names


def relation_matrix(analysis):
    """Claims-by-source matrix: one row per claim group, one column per source.

    A cell holds "source" where that source made a claim of the group, else the
    most serious relation of that source's passages to the group ("contradicts",
    "not_confirmed", "supports"...). Evidence that is the article's own
    (unattributed) text goes in the column "(article)". Rows are the groups
    that have a relation; the ``claim`` column shows the group's first claim.
    """
    import pandas as pd

    names = _source_names(analysis)
    claims = {c.id: c for c in analysis.claims}
    row_of = {c.id: (c.group or c.id) for c in analysis.claims}
    cells: dict = defaultdict(dict)
    label: dict = {}
    for r in analysis.relations:
        if r.claim_id not in claims:
            continue
        row = row_of[r.claim_id]
        ev = claims.get(r.evidence_claim_id) if r.evidence_claim_id else None
        col = names.get(ev.speaker_id, ev.speaker) if ev is not None and (ev.speaker_id or ev.speaker) else "(article)"
        if ev is not None and not ev.attributed:
            col = "(article)"
        value = r.relation
        if _rank(value) > _rank(cells[row].get(col, "")):
            cells[row][col] = value
    for c in sorted(analysis.claims, key=lambda c: c.start):
        row = row_of[c.id]
        if row not in cells:
            continue
        label.setdefault(row, " ".join(c.text.split())[:80])
        if c.speaker_id in names or c.speaker:
            col = names.get(c.speaker_id, c.speaker)
            if _rank("source") > _rank(cells[row].get(col, "")):
                cells[row][col] = "source"
    columns = []
    for row in cells.values():
        for col in row:
            if col not in columns:
                columns.append(col)
    if "(article)" in columns:
        columns.remove("(article)")
        columns.append("(article)")
    order = sorted(cells, key=lambda g: min((c.start for c in analysis.claims if row_of[c.id] == g), default=0))
    df = pd.DataFrame([{"claim": label.get(g, g), **{col: cells[g].get(col, "") for col in columns}} for g in order],
                      index=pd.Index(order, name="group"), columns=["claim", *columns])
    return df


def matrix_chart(analysis, max_rows: int = 25, max_cols: int = 14):
    """The relation matrix drawn as a grid (matplotlib Figure): rows = claim groups, columns = sources."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    df = relation_matrix(analysis)
    values = df.drop(columns=["claim"]).iloc[:max_rows, :max_cols]
    fig = Figure(figsize=(max(6.0, 1.0 + 0.7 * max(len(values.columns), 1)), max(2.5, 0.9 + 0.42 * max(len(values), 1))))
    ax = fig.subplots()
    if values.empty:
        ax.text(0.5, 0.5, "No linked claims in this article", ha="center", va="center")
        ax.set_axis_off()
        return fig
    import numpy as np

    kinds = [k for k in RELATION_COLOURS if (values == k).to_numpy().any()]
    rgba = np.ones((len(values), len(values.columns), 4))
    from matplotlib.colors import to_rgba

    for i in range(len(values)):
        for j in range(len(values.columns)):
            v = values.iat[i, j]
            if v:
                rgba[i, j] = to_rgba(RELATION_COLOURS.get(v, "#999999"))
    ax.imshow(rgba, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(values.columns)))
    ax.set_xticklabels([str(c)[:24] for c in values.columns], rotation=40, ha="right", fontsize=8)
    claims = df["claim"].iloc[: len(values)]
    ax.set_yticks(range(len(values)))
    ax.set_yticklabels([(t[:45] + "…") if len(t) > 45 else t for t in claims], fontsize=8)
    ax.set_xticks(np.arange(-0.5, len(values.columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(values)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.set_title("How each source bears on each claim group")
    ax.legend(handles=[Patch(color=RELATION_COLOURS[k], label=k.replace("_", " ")) for k in kinds],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
