"""Judges: decide how an evidence passage bears on a linked claim (and describe both for them).

This module holds the lexicon (``data/crosscheck_lexicon.yaml``), the helpers that
turn sentences and claims into what a judge reads (content keys with synonyms
and opposites, negation, figures, holders and camps, idf-weighted links), and
the judges themselves. ``sourcecheck.crosscheck`` runs the search for pairs.

``sourcecheck.crosscheck`` finds the (claim, passage) pairs worth judging and
describes each as a :class:`Pair` (cues found in the passage, negation,
antonyms, figures, hedges, who speaks). A judge turns a pair into a
:class:`Verdict` (relation, confidence, readable reason) or ``None``.

* :class:`RulesJudge` (the default, ``judge=None`` or ``"rules"``): offline, CPU
  only, no download. Reads the lexicon in ``data/crosscheck_lexicon.yaml``.
* :class:`NLIJudge` (``judge="<local path or model name>"``): a natural-language
  inference model loaded with ``transformers`` (imported only then; torch is
  not a project dependency). The model scores *passage entails / contradicts
  claim*; the rules still name the kind of conflict (denies, disputes...).
  ``judge="PATH"`` adds the model to the rules (a pair the rules leave open
  can still be judged by the model); ``judge="replace:PATH"`` lets the model
  alone decide whether a pair conflicts or agrees (cue-only relations such as
  *unverified* and *not confirmed* still come from the passage's words).

Thresholds live in ``sourcecheck.constants`` (section "crosscheck").
"""
from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import constants as C
from .errors import ModelNotInstalledError, SourcecheckError
from .model import Claim, Span

DATA_DIR = Path(__file__).parent / "data"

#: Order in which cue classes are read (the first that fits names the relation).
CUE_ORDER = ("unverified", "not_confirmed", "denies", "disputes", "contradicts", "corroborates")


# --------------------------------------------------------------------------- lexicon
@dataclass(frozen=True)
class Lexicon:
    canon: dict  # lemma -> canonical lemma of its synonym group
    antonyms: frozenset  # frozenset({a, b}) of canonical lemmas (facts)
    position_antonyms: frozenset  # frozenset({a, b}) (positions: accept / reject)
    negations: frozenset
    stopwords: frozenset
    cues: dict  # relation -> compiled regex
    hedges: re.Pattern
    shift_markers: re.Pattern
    anaphors: re.Pattern
    position_verbs: frozenset
    camps: dict  # term (lowercase) -> camp name
    document_sources: frozenset = frozenset()
    past_markers: Optional[re.Pattern] = None
    titles: frozenset = frozenset()

    def key(self, lemma: str) -> str:
        lemma = lemma.lower()
        return self.canon.get(lemma, lemma)


def _alternation(patterns) -> re.Pattern:
    return re.compile("|".join(rf"(?:\b{p}\b)" if not p.startswith("^") else f"(?:{p})" for p in patterns), re.I)


@functools.lru_cache(maxsize=2)
def load_lexicon(path: Optional[str] = None) -> Lexicon:
    """Read (once) the crosscheck lexicon; ``path`` defaults to the shipped file."""
    import yaml

    p = Path(path) if path else DATA_DIR / C.CROSSCHECK_LEXICON
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourcecheckError(f"{p}: crosscheck lexicon cannot be read ({exc}); reinstall the package or fix the file") from exc
    canon: dict = {}
    for group in raw.get("synonyms", []):
        head = str(group[0]).lower()
        for w in group:
            canon.setdefault(str(w).lower(), head)
    key = lambda w: canon.get(str(w).lower(), str(w).lower())  # noqa: E731
    camps = {}
    for name, terms in (raw.get("camps") or {}).items():
        for t in terms:
            camps[str(t).lower()] = str(name)
    return Lexicon(
        canon=canon,
        antonyms=frozenset(frozenset((key(a), key(b))) for a, b in raw.get("antonyms", [])),
        position_antonyms=frozenset(frozenset((key(a), key(b))) for a, b in raw.get("position_antonyms", [])),
        negations=frozenset(str(w).lower() for w in raw.get("negations", [])),
        stopwords=frozenset(str(w).lower() for w in raw.get("link_stopwords", [])),
        cues={rel: _alternation(pats) for rel, pats in (raw.get("cues") or {}).items()},
        hedges=_alternation(raw.get("hedges", [])),
        shift_markers=_alternation(raw.get("shift_markers", [])),
        anaphors=re.compile("|".join(f"(?:{p})" for p in raw.get("anaphors", [])), re.I),
        position_verbs=frozenset(key(w) for w in raw.get("position_verbs", [])),
        camps=camps,
        document_sources=frozenset(str(w).lower() for w in raw.get("document_sources", [])),
        titles=frozenset(str(w).lower() for w in raw.get("titles", [])),
        past_markers=_alternation(raw.get("past_markers", [])) if raw.get("past_markers") else None,
    )


_PLAIN = str.maketrans({"’": "'", "‘": "'", "`": "'", "\u00a0": " ", "\u2009": " ", "\u202f": " "})


#: A cue right after a negator is not that cue ("not necessarily wrong", "didn't deny", "no one disputes").
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n't|\bnever|\bno one|\bnobody|\bwithout)\s+(?:\w+\s+){0,1}$", re.I)


def plain(text: str) -> str:
    """Curly apostrophes and odd spaces made plain, same length (offsets stay valid)."""
    return text.translate(_PLAIN)


def find_cues(text: str, lex: Lexicon) -> dict[str, list[re.Match]]:
    """Cue matches in ``text`` by cue class (only classes with a match)."""
    out = {}
    text = plain(text)
    for rel, rx in lex.cues.items():
        ms = [m for m in rx.finditer(text) if not _NEGATED_BEFORE.search(text[max(0, m.start() - 30):m.start()])]
        if ms:
            out[rel] = ms
    return out


# --------------------------------------------------------------------------- describing claims and passages (for crosscheck)
_PRONOUNS = frozenset("he she they it i we you his her their its him them this that who".split())
_TITLES = frozenset(
    "president mr. mrs. ms. dr. sen. rep. gov. senator governor secretary spokesman spokeswoman spokesperson "
    "adviser advisor chief director minister prime former the a an of and for".split()
)
_NUM = re.compile(r"^\$?\d[\d,]*(?:\.\d+)?$")
_NEGATIVE_CUE = re.compile(r"\b(?:den(?:y|ies|ied|ying)|disput\w*|refut\w*|doubt\w*)\b", re.I)

@dataclass
class _Unit:
    """One sentence: a possible evidence passage."""

    i: int
    start: int
    end: int
    para: int
    text: str
    tokens: list = field(default_factory=list)


@dataclass
class _Info:
    """What the checker knows about one claim."""

    claim: Claim
    unit: int
    keys: list  # per sentence of the claim: key -> lemma as written (content words and cue)
    neg: bool
    holder: Optional[str]  # whose position it is (speaker, or the subject of an assertion's position verb)
    key: Optional[str]  # normalised holder for same-speaker tests
    camps: frozenset
    hedge: Optional[str]
    numbers: list
    polar: set  # position words (accept / reject axis members) in the claim and its cue
    core: Optional[tuple] = None  # (start, end) of an assertion's reported clause ("claimed <X>, but...")
    last_unit: int = -1  # the sentence where the claim ends (a quote may run over several)
    claim_tokens: list = field(default_factory=list)

    @property
    def spans(self) -> list:
        return [Span(self.core[0], self.core[1], "")] if self.core else self.claim.spans


def _units(doc, text: str) -> list[_Unit]:
    """Sentences, also split at line breaks (spaCy sometimes runs a sentence across paragraphs)."""
    out = []
    for s in doc.sents:
        pieces, st = [], s.start_char
        for m in re.finditer(r"\n+", text[s.start_char:s.end_char]):
            pieces.append((st, s.start_char + m.start()))
            st = s.start_char + m.end()
        pieces.append((st, s.end_char))
        for a, b in pieces:
            while b > a and text[b - 1].isspace():
                b -= 1
            if b - a < 2:
                continue
            toks = [t for t in s if a <= t.idx < b]
            if toks:
                out.append(_Unit(len(out), a, b, text.count("\n", 0, a), text[a:b], toks))
    return out


def _axis(lex: Lexicon, key: str) -> str:
    """Opposites share one linking key ("accept|reject"): a rejection and an acceptance are about the same thing."""
    for pair in sorted(lex.position_antonyms, key=sorted) + sorted(lex.antonyms, key=sorted):
        if key in pair:
            return "|".join(sorted(pair))
    return key


def _content_keys(tokens, lex: Lexicon) -> dict:
    keys = {}
    for t in tokens:
        if t.is_punct or t.is_space or (t.is_stop and t.lower_ not in lex.negations) or t.pos_ not in ("NOUN", "PROPN", "VERB", "ADJ", "NUM"):
            continue
        lemma = (t.lemma_ if t.pos_ != "PROPN" else t.text).lower().strip("'’\".")
        if not lemma or lemma in lex.stopwords or len(lemma) < 2:
            continue
        if t.pos_ in ("PROPN", "ADJ") and lemma in lex.camps:  # "Ukrainian" and "Ukraine" are one key
            lemma = lex.camps[lemma]
        keys.setdefault(_axis(lex, lex.key(lemma)), lex.key(lemma))
    return keys


def _negated(tokens, lex: Lexicon) -> bool:
    """A clause-level negation ("not", "never", "neither"), ignoring "not only" and "no longer"-style idioms."""
    for j, t in enumerate(tokens):
        if t.lower_ in lex.negations or t.dep_ == "neg":
            nxt = tokens[j + 1].lower_ if j + 1 < len(tokens) else ""
            if nxt in ("only", "just", "merely", "least", "longer", "doubt", "matter") or t.lower_ == "no" and nxt in ("one", "longer"):
                continue
            return True
    return False


def _copula_subject(t, lex: Lexicon) -> set:
    """The quantity a figure is the value of ("the unemployment rate for blacks ... was 18.7 percent" -> rate, unemployment)."""
    node = t
    while node.dep_ in ("nummod", "quantmod", "compound", "nmod") and node.head is not node:
        node = node.head
    if node.dep_ not in ("attr", "acomp") or node.head.lemma_ != "be":
        return set()
    subj = next((k for k in node.head.children if k.dep_ == "nsubj" and k.pos_ == "NOUN"), None)
    if subj is None:
        return set()
    return {lex.key(w.lemma_.lower()) for w in [subj, *subj.children] if w.pos_ == "NOUN" and w.dep_ in ("nsubj", "compound")}


def _numbers(tokens, lex: Lexicon) -> list:
    out = []
    for j, t in enumerate(tokens):
        raw = t.text.replace(",", "")
        if not (_NUM.match(t.text) and (t.like_num or t.pos_ == "NUM")):
            continue
        try:
            value = float(raw.lstrip("$"))
        except ValueError:
            continue
        nxt = tokens[j + 1].lower_ if j + 1 < len(tokens) else ""
        unit = "percent" if nxt in ("percent", "%", "per") else ("money" if t.text.startswith("$") or (j and tokens[j - 1].text == "$") else "count")
        if unit == "count" and 1900 <= value <= 2100 and "," not in t.text:
            continue  # a year
        window = tokens[max(0, j - 6): j + 5]
        qty = {lex.key(w.lemma_.lower()) for w in window if w.pos_ == "NOUN" and w.lower_ not in ("percent", "%")}
        qty |= _copula_subject(t, lex)
        groups = frozenset(lex.camps.get(w.lower_, w.lower_) for w in window if w.ent_type_ in ("NORP", "GPE") or w.lower_ in lex.camps)
        if qty:
            out.append((value, unit, frozenset(qty), t.text + (" percent" if unit == "percent" else ""), groups))
    return out


def _name_key(name: Optional[str]) -> Optional[str]:
    if not name:
        return None
    name = re.split(r",|\(|\bof\b|\bwho\b|\bwhose\b|—|–", name)[0]
    name = " ".join(re.findall(r"[A-Za-z][\w'’.-]*", name))
    words = [w.strip(".,'’\"").lower() for w in re.split(r"\s+", name) if w.strip(".,'’\"")]
    words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
    words = [w for w in words if w not in _TITLES]
    if not words or all(w in _PRONOUNS for w in words):
        return None
    return words[-1]


def _camps(text: str, lex: Lexicon) -> frozenset:
    low = " " + re.sub(r"[^\w.\s-]", " ", text.lower()) + " "
    return frozenset(camp for term, camp in lex.camps.items() if f" {term} " in low)


def _title_camps(doc, surname: Optional[str], lex: Lexicon) -> frozenset:
    """Camps named in the titles in front of a person's name anywhere in the text ("Russian President Vladimir Putin")."""
    if not surname:
        return frozenset()
    found = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON" and ent[-1].lower_ == surname:
            before = doc[max(0, ent.start - 4): ent.start].text
            found |= _camps(before, lex)
    return frozenset(found)


_REPORTING = frozenset("claim allege say accuse insist assert tweet write suggest charge contend argue maintain".split())


def _position_holder(unit: _Unit, lex: Lexicon):
    """Who holds an unattributed sentence's position, and the tokens of that position.

    "Russia rejected an immediate ceasefire" -> ("Russia", the whole clause);
    "Trump also claimed Clinton had helped X, but offered no proof" -> ("Trump", "Clinton had helped X").
    """
    for t in unit.tokens:
        lemma = lex.key(t.lemma_.lower())
        if t.pos_ != "VERB" or t.dep_ not in ("ROOT", "conj") or lemma not in lex.position_verbs | _REPORTING:
            continue
        subj = next((k for k in t.children if k.dep_ in ("nsubj", "nsubjpass")
                     and (k.pos_ == "PROPN" or k.ent_type_ in ("GPE", "ORG", "NORP", "PERSON"))), None)
        if subj is None:
            continue
        core = None
        if lemma in _REPORTING:
            comp = next((k for k in t.children if k.dep_ in ("ccomp", "xcomp")), None)
            if comp is None:
                continue
            core = sorted(comp.subtree, key=lambda w: w.i)
        return " ".join(w.text for w in subj.subtree), core
    return None, None


def _title_aliases(doc, lex: Lexicon) -> list[tuple[int, str, str]]:
    """(position, title word, surname) for "Mayor Bill de Blasio", "Russian President Vladimir Putin"."""
    out = []
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) >= 2:
            for t in doc[max(0, ent.start - 3): ent.start + 1]:
                if t.lower_ in lex.titles:
                    out.append((ent.start_char, t.lower_, ent[-1].lower_))
    return out


def _claim_infos(claims: list[Claim], units: list[_Unit], doc, lex: Lexicon) -> list[_Info]:
    starts = [u.start for u in units]
    infos, last_key, last_camps = [], None, frozenset()
    aliases = _title_aliases(doc, lex)
    for c in sorted(claims, key=lambda c: c.start):
        ui = max(0, _bisect(starts, c.start))
        toks = []
        for s in c.spans:  # tokens starting inside the claim's spans
            cs = doc.char_span(s.start, s.end, alignment_mode="expand") if s.end > s.start else None
            toks.extend(t for t in (cs or []) if s.start <= t.idx < s.end)
        holder, core = (c.speaker, None) if c.attributed else _position_holder(units[ui], lex)
        if core:
            toks = core
        cue_words = set((c.cue or "").lower().split())
        cue_toks = [t for t in units[ui].tokens if t.lower_ in cue_words] if cue_words else []
        parts = defaultdict(list)
        for t in toks:
            parts[t.sent.start].append(t)
        keys = [_content_keys(p + cue_toks, lex) for p in parts.values()] or [{}]
        polar = {lex.key(t.lemma_.lower()) for t in toks + cue_toks}
        sent_text = units[ui].text
        hedge = lex.hedges.search(plain(sent_text)) or lex.hedges.search(plain(c.text))
        key = c.speaker_id or _name_key(holder)
        if key in lex.titles and not c.speaker_id:  # "the mayor" -> the mayor named last before (or anywhere)
            named = [a for a in aliases if a[1] == key]
            before = [a for a in named if a[0] < c.start]
            key = (before[-1] if before else named[0])[2] if named else key
        camps = _camps(" ".join(x for x in (holder, c.role, c.affiliation) if x), lex) | _title_camps(doc, _name_key(holder), lex)
        if holder and key is None and c.attributed:  # a pronoun: the nearest speaker named before it
            key, camps = last_key, last_camps
        if key:
            last_key, last_camps = key, camps
        core_span = (core[0].idx, core[-1].idx + len(core[-1].text)) if core else None
        neg = _negated(toks, lex) != bool(_NEGATIVE_CUE.search(c.cue or ""))  # "denied that X" states not-X
        infos.append(_Info(c, ui, keys, neg, holder, key, camps, hedge.group(0) if hedge else None,
                           _numbers(toks, lex), polar, core_span, max(ui, _bisect(starts, c.spans[-1].end - 1)), toks))
    return infos


def _bisect(starts, pos):
    import bisect

    return bisect.bisect_right(starts, pos) - 1


# --------------------------------------------------------------------------- linking
def _idf(units: list[_Unit], lex: Lexicon) -> dict:
    df = defaultdict(int)
    for u in units:
        for k in _content_keys(u.tokens, lex):
            df[k] += 1
    n = max(len(units), 1)
    out = {k: math.log(1 + n / d) for k, d in df.items()}
    out["\0df"] = dict(df)  # document frequencies, for the rare-word bonus
    return out


def _link(parts, b: dict, idf: dict) -> tuple[float, tuple]:
    """Best link of any sentence of the claim with the passage."""
    if isinstance(parts, dict):
        parts = [parts]
    return max((_link1(a, b, idf) for a in parts), key=lambda x: x[0], default=(0.0, ()))


def _link1(a: dict, b: dict, idf: dict) -> tuple[float, tuple]:
    shared = tuple(k for k in a if k in b)
    if not shared:
        return 0.0, ()
    w = lambda ks: sum(idf.get(k, 2.0) ** C.CROSSCHECK_IDF_POWER for k in ks)  # noqa: E731
    rare = sum(1 for k in shared if idf.get("\0df", {}).get(k, 99) <= 2 and not k[:1].isdigit())
    return w(shared) / math.sqrt(w(a) * w(b)) + C.CROSSCHECK_RARE_BONUS * rare, tuple(a[k] for k in shared)


# --------------------------------------------------------------------------- what a judge sees
@dataclass
class Pair:
    """A claim and a passage that may bear on it, described for a judge."""

    claim_text: str
    passage_text: str
    cues: dict = field(default_factory=dict)  # cue class -> list of matched strings (in the passage, outside the claim)
    link: float = 0.0
    shared: tuple = ()  # shared content words (display)
    anaphor: bool = False  # the passage points back at the claim ("reject this", "of it")
    negation_flip: bool = False  # one side negated, the other not
    passage_negated: bool = False  # the passage is the negated side ("neither she nor her campaign helped")
    antonym: Optional[tuple] = None  # (claim word, passage word) of opposite meaning (facts)
    position_flip: Optional[tuple] = None  # (claim word, passage word): accept / reject
    numbers: Optional[tuple] = None  # (claim figure, passage figure) for the same quantity
    contrast: bool = False  # "but", "however", "though" in the passage
    same_holder: bool = False  # the passage states the claim's speaker's own (later) position
    later: bool = False  # the passage comes after the claim in the text
    shift_marker: Optional[str] = None
    hedge: Optional[str] = None  # hedge in the passage ("in theory", "but only if")
    claim_hedge: Optional[str] = None
    claim_ref: bool = False  # the passage points back at the claim by name ("less than one-third of Trump's claim")
    claim_past: Optional[str] = None  # the claim is framed as an earlier position ("once described"), see past_markers
    passage_speaker: Optional[str] = None
    passage_attributed: bool = False
    passage_is_subject: bool = False  # the passage's speaker is who the claim is about
    passage_is_document: bool = False  # the passage's source is a record (video, data, a study), not a person
    shared_entity: bool = False  # claim and passage name the same person, group or place
    own_sentence: bool = False  # the passage is the rest of the claim's own sentence (only cues count there)


@dataclass
class Verdict:
    relation: str
    confidence: float
    reason: str
    method: str = "rules"


def _q(s: str) -> str:
    s = " ".join(s.split())
    return f"“{s[:80]}{'…' if len(s) > 80 else ''}”"


def _who(pair: Pair) -> str:
    return pair.passage_speaker or "the article"


def _conflict_kind(pair: Pair, cue_class: str) -> str:
    """Name a conflict by who pushes back: the subject (denies), a third party (disputes), the article (contradicts)."""
    if cue_class == "denies":
        return "denies"
    if pair.passage_is_subject:
        return "denies"
    return "disputes" if pair.passage_attributed and not pair.passage_is_document else "contradicts"


class RulesJudge:
    """The default judge: cues, negation, antonyms, figures, hedges and speakers; no model."""

    name = "rules"

    def judge(self, pair: Pair) -> Optional[Verdict]:
        K = C.CROSSCHECK_CONFIDENCE
        strength = min(1.0, 0.6 + pair.link)  # a better link makes any verdict more certain
        if pair.same_holder:
            return self._shift(pair, strength)
        cues = pair.cues
        if "unverified" in cues:
            return Verdict("unverified", K["cue"] * strength,
                           f"Unverified: according to {_who(pair)}, the claim came without evidence ({_q(cues['unverified'][0])}).")
        if "not_confirmed" in cues:
            return Verdict("not_confirmed", K["cue"] * strength,
                           f"Not confirmed: the passage from {_who(pair)} says it has not been seen, verified or established ({_q(cues['not_confirmed'][0])}).")
        for cls in ("denies", "disputes"):
            if cls in cues:
                kind = _conflict_kind(pair, cls)
                what = {"denies": "Denied by {} (who the claim is about)", "disputes": "Disputed by {}",
                        "contradicts": "Contradicted by {}"}[kind].format(_who(pair))
                return Verdict(kind, (K["anaphor"] if pair.anaphor else K["cue"]) * strength, f"{what} ({_q(cues[cls][0])}).")
        if pair.numbers and (pair.link >= C.CROSSCHECK_NUMERIC_LINK or (pair.claim_ref and pair.link >= C.CROSSCHECK_LINK_MIN)):
            a, b = pair.numbers
            return Verdict("numeric_mismatch", K["numeric"] * strength,
                           f"Numeric mismatch: the claim says {a}, {_who(pair)} says {b} for the same quantity.")
        opposite = (pair.negation_flip and C.CROSSCHECK_NEGATION_CONFLICTS) or pair.antonym is not None
        fact = "contradicts" in cues or ("records" in cues and (opposite or pair.contrast or pair.anaphor or pair.own_sentence))
        if "records" in cues and "contradicts" not in cues:
            cues = {**cues, "contradicts": cues["records"]}
        if pair.own_sentence and not fact:
            return None
        if fact and (opposite or pair.anaphor or pair.link >= C.CROSSCHECK_LINK_STRONG):
            kind = _conflict_kind(pair, "contradicts")
            why = f"opposite wording {pair.antonym[0]!r} / {pair.antonym[1]!r}" if pair.antonym else _q(cues["contradicts"][0])
            return Verdict(kind, K["cue"] * strength, f"{'Disputed' if kind == 'disputes' else 'Contradicted'} by {_who(pair)} ({why}).")
        if (pair.negation_flip and pair.passage_negated and pair.passage_is_subject and pair.link >= C.CROSSCHECK_LINK_POLAR
                and not pair.own_sentence):
            return Verdict("denies", K["polarity"] * strength, f"Denied by {_who(pair)} (who the claim is about), who says the opposite.")
        if opposite and pair.shared_entity and (pair.contrast or (pair.passage_is_subject and pair.link >= C.CROSSCHECK_LINK_POLAR)) and (
                pair.link >= C.CROSSCHECK_LINK_STRONG or (pair.anaphor and pair.antonym is not None)):
            kind = _conflict_kind(pair, "contradicts")
            why = f"{pair.antonym[0]!r} against {pair.antonym[1]!r}" if pair.antonym else "one says not"
            return Verdict(kind, K["polarity"] * strength, f"{'Disputed' if kind == 'disputes' else 'Contradicted'} by {_who(pair)}, who says the opposite ({why}).")
        if "corroborates" in cues and not opposite and not pair.position_flip and pair.link >= C.CROSSCHECK_LINK_MIN:
            return Verdict("supports", K["support"] * strength, f"Supported by {_who(pair)} ({_q(cues['corroborates'][0])}).")
        if (not opposite and not pair.position_flip and not pair.hedge and pair.link >= C.CROSSCHECK_SUPPORT_LINK
                and pair.passage_speaker is not None and len(pair.shared) >= 3):
            return Verdict("supports", K["support"] * strength * 0.8, f"Supported by {_who(pair)}, who says much the same (shared: {', '.join(pair.shared[:5])}).")
        if pair.hedge and not opposite and not pair.position_flip and pair.link >= C.CROSSCHECK_LINK_STRONG:
            return Verdict("qualifies", K["support"] * strength, f"Qualified by {_who(pair)} ({_q(pair.hedge)}): hedged or conditional, not plain agreement.")
        return None

    def _shift(self, pair: Pair, strength: float) -> Optional[Verdict]:
        framed = bool(pair.claim_past and pair.shift_marker)  # "once described X as ..." / "now says she opposes"
        if pair.link < (C.CROSSCHECK_SHIFT_PAST_LINK if framed else C.CROSSCHECK_SHIFT_LINK) or not pair.later:
            return None
        moved = pair.position_flip or pair.antonym or pair.negation_flip or framed
        hedged = pair.hedge and not pair.claim_hedge
        if not (moved or hedged) or not (pair.shift_marker or pair.hedge):
            return None
        parts = []
        if pair.position_flip:
            parts.append(f"from {pair.position_flip[0]!r} to {pair.position_flip[1]!r}")
        elif pair.antonym:
            parts.append(f"from {pair.antonym[0]!r} to {pair.antonym[1]!r}")
        elif pair.negation_flip:
            parts.append("one statement negates the other")
        if pair.hedge:
            parts.append(f"the later position is hedged or conditional ({_q(pair.hedge)}), not plain agreement")
        if pair.claim_past and not (pair.position_flip or pair.antonym or pair.negation_flip):
            parts.append(f"the article sets the earlier position ({_q(pair.claim_past)}) against the later one")
        if pair.shift_marker:
            parts.append(f"marked {_q(pair.shift_marker)}")
        return Verdict("shifts", C.CROSSCHECK_CONFIDENCE["shift"] * strength,
                       f"The same speaker's later position differs: {'; '.join(parts)}.")


# --------------------------------------------------------------------------- optional NLI model
class NLIJudge:
    """A natural-language-inference model (``transformers``) scoring passage -> claim.

    ``model`` is a local folder or a model name the user provides (loaded with
    ``AutoModelForSequenceClassification``; a name that is not in the local
    cache needs the network once). Labels are read from the model config's
    ``id2label`` (entailment / neutral / contradiction, any case).
    """

    def __init__(self, model: str, mode: str = "add", rules: Optional[RulesJudge] = None):
        if mode not in ("add", "replace"):
            raise ValueError(f"NLI judge mode must be 'add' or 'replace', not {mode!r}")
        self.model_name = str(model)
        self.mode = mode
        self.rules = rules or RulesJudge()
        self.name = f"nli:{Path(self.model_name).name or self.model_name}"
        self._tok, self._model, self._labels = _load_nli(self.model_name)
        self.calls = 0

    def probabilities(self, premise: str, hypothesis: str) -> dict[str, float]:
        import torch

        self.calls += 1
        enc = self._tok(premise, hypothesis, return_tensors="pt", truncation=True, max_length=256)
        with torch.no_grad():
            logits = self._model(**enc).logits[0]
        probs = torch.softmax(logits, dim=-1).tolist()
        return {self._labels.get(i, str(i)): float(p) for i, p in enumerate(probs)}

    def judge(self, pair: Pair) -> Optional[Verdict]:
        rules = self.rules.judge(pair)
        cue_only = rules is not None and rules.relation in ("unverified", "not_confirmed", "shifts", "numeric_mismatch")
        if self.mode == "add" and rules is not None:
            return rules
        if self.mode == "replace" and cue_only:
            return rules
        if self.calls >= C.NLI_MAX_PAIRS:
            return rules if self.mode == "add" else None
        p = self.probabilities(pair.passage_text, pair.claim_text)
        contra, entail = p.get("contradiction", 0.0), p.get("entailment", 0.0)
        if contra >= C.NLI_CONTRADICTION_MIN:
            kind = _conflict_kind(pair, "denies" if "denies" in pair.cues else "disputes")
            return Verdict(kind, contra, f"{_who(pair)} contradicts the claim (NLI contradiction {contra:.2f}).", self.name)
        if entail >= C.NLI_ENTAILMENT_MIN:
            rel = "qualifies" if pair.hedge else "supports"
            return Verdict(rel, entail, f"{_who(pair)} agrees with the claim (NLI entailment {entail:.2f}).", self.name)
        return None


@functools.lru_cache(maxsize=2)
def _load_nli(model: str):
    try:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
    except ImportError as exc:
        raise ModelNotInstalledError(
            f"judge {model!r} needs the optional packages transformers and torch (pip install transformers torch); "
            "or use the default judge (rules), which needs neither"
        ) from exc
    try:
        tok = AutoTokenizer.from_pretrained(model)
        net = AutoModelForSequenceClassification.from_pretrained(model)
    except (OSError, ValueError) as exc:
        raise ModelNotInstalledError(
            f"NLI model {model!r} cannot be loaded ({str(exc).splitlines()[0]}); give a local folder holding an "
            "NLI model (config, weights, tokenizer) or a model name already in the local cache"
        ) from exc
    net.eval()
    labels = {int(i): str(l).lower() for i, l in (net.config.id2label or {}).items()}
    if not {"entailment", "contradiction"} <= set(labels.values()):
        raise ModelNotInstalledError(
            f"NLI model {model!r} has labels {sorted(labels.values())}; an NLI model labels entailment, neutral and contradiction"
        )
    return tok, net, labels


def make_judge(spec=None):
    """``None``/``"rules"`` -> RulesJudge; ``"replace:PATH"`` -> NLI alone; other strings -> NLI added to rules."""
    if spec is None or (isinstance(spec, str) and spec.strip().lower() in ("", "rules", "default")):
        return RulesJudge()
    if hasattr(spec, "judge"):
        return spec
    spec = str(spec)
    if spec.startswith("replace:"):
        return NLIJudge(spec[len("replace:"):], mode="replace")
    if spec.startswith("add:"):
        spec = spec[len("add:"):]
    return NLIJudge(spec, mode="add")
