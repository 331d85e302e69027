"""Speakers, cited sources and channels: who is behind each attribution, and through what.

Rules over the spaCy parse and entity mentions of the article (no coreference
model can be installed offline):

* **names**: PERSON mentions are clustered by surname and first name
  ("Putin" joins "Russian President Vladimir Putin"); titles and descriptors
  around a name are split off into role and affiliation ("Kremlin spokesman
  Dmitry Peskov" -> role "spokesman", affiliation "Kremlin").
* **pronouns** ("he said") go to the best person candidate in the preceding
  sentences, scored by a small model learned from hand-labelled train antecedents
  (``data/pronoun_model.json``, ``scripts/train_pronouns.py``): nearer sentences,
  main-clause subjects and the last speaker first, mentions inside another quotation
  last, gender when it is known from a title or a first name; "it"/"they" go to recent organisations and groups; "I"/"we"
  inside a quotation go to the quoted speaker, and in an interview printed as a
  transcript ("Q: … A: …") "I"/"we" in an answer and "you" in a question go to the
  interviewee (the person named most before the first question); "who" to the noun its clause
  hangs on.
* **nominals** ("the adviser", "the Russian president") go to the most recent
  person introduced with that role (and that affiliation, when given).
* **registry**: outlets, platforms, government bodies and organisations come
  from ``data/entities.yaml`` plus an optional user file (``load_registry``).
* **anonymous** sources ("officials", "a senior aide") and **documents**
  ("a joint statement", "reports") are typed as such.
* **channels** ("in a Friday post on Truth Social", "in a speech", "according to
  the Wall Street Journal") come from channel nouns attached to the cue.

Nothing is guessed silently: a source that no rule resolves keeps its own words
as the speaker name, with type "unresolved" and ``resolved=False``.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import constants as C
from .channels import find_channel
from .mentions import HONORIFICS, PERSON_DEPS, Context, aff_match, np_text, np_tokens, root_of, tokens_in
from .model import Analysis, Article, Attribution, Channel, Span, Speaker, dedupe_ids, stable_id
from .registry import ENTITIES_FILE, ENTITY_TYPES, EntitiesFileError, Entity, Registry, load_registry, norm_key

__all__ = ["EntitiesFileError", "Entity", "Registry", "load_registry", "SpeakerAssignment", "SpeakerResolution",
           "resolve_speakers", "sources_frame", "matrix_frame", "speaker_type_chart", "ENTITIES_FILE", "ENTITY_TYPES"]


# =========================================================================== the pronoun model
#: Weights that score a he/she's candidate antecedents (``scripts/train_pronouns.py`` writes it).
PRONOUN_MODEL_FILE = Path(__file__).parent / "data" / "pronoun_model.json"
#: Environment variable naming another pronoun model file (to compare models with ``evaluate-speakers``).
PRONOUN_MODEL_ENV = "SOURCECHECK_PRONOUN_MODEL"
PRONOUN_FEATURES = ("sentence", "same_sentence", "subject_main", "subject", "possessive", "last_speaker",
                    "recent_speaker", "in_quote", "later_in_same_sentence", "later_in_earlier_sentence",
                    "mentions", "gender_known", "not_a_name", "recency_rank")


@dataclass(frozen=True)
class PronounModel:
    """A linear score over :data:`PRONOUN_FEATURES`; the highest-scoring mention is the antecedent."""

    weights: dict
    path: str = ""

    def score(self, features: dict) -> float:
        return sum(w * features[k] for k, w in self.weights.items())

    @classmethod
    def load(cls, path) -> "PronounModel":
        from .errors import EncoderError

        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise EncoderError(f"{path}: cannot read the pronoun model ({exc.strerror})") from exc
        except ValueError as exc:
            raise EncoderError(f"{path}: the pronoun model is not valid JSON ({exc})") from exc
        w = data.get("weights") if isinstance(data, dict) else None
        if not isinstance(w, dict) or not w:
            raise EncoderError(f"{path}: the pronoun model has no \"weights\" object")
        unknown = sorted(set(w) - set(PRONOUN_FEATURES))
        if unknown:
            raise EncoderError(f"{path}: the pronoun model weighs unknown features: {', '.join(unknown)}")
        bad = [k for k, v in w.items() if not isinstance(v, (int, float)) or isinstance(v, bool)]
        if bad:
            raise EncoderError(f"{path}: the pronoun model's weights for {', '.join(bad)} are not numbers")
        return cls({k: float(v) for k, v in w.items()}, str(path))


_PRONOUN_MODELS: dict[str, PronounModel] = {}


def pronoun_model() -> PronounModel:
    """The shipped pronoun model, or the file ``$SOURCECHECK_PRONOUN_MODEL`` names (read once per path)."""
    path = os.environ.get(PRONOUN_MODEL_ENV) or str(PRONOUN_MODEL_FILE)
    if path not in _PRONOUN_MODELS:
        _PRONOUN_MODELS[path] = PronounModel.load(path)
    return _PRONOUN_MODELS[path]


# =========================================================================== results
@dataclass
class SpeakerAssignment:
    """How one attribution's source was resolved."""

    attribution_id: str
    speaker_id: Optional[str]
    role: Optional[str] = None
    affiliation: Optional[str] = None
    channel: Optional[Channel] = None
    resolved: bool = False
    #: name | surname | pronoun | nominal | nominal-salient (a descriptive nominal given to the most-mentioned
    #: person of the passage) | interview ("I" answering, "you" asked, in a transcript) | registry | entity |
    #: anonymous | document | unresolved
    method: str = "unresolved"
    source_text: str = ""


@dataclass
class SpeakerResolution:
    speakers: list[Speaker] = field(default_factory=list)
    by_attribution: dict[str, SpeakerAssignment] = field(default_factory=dict)

    def speaker(self, speaker_id: Optional[str]) -> Optional[Speaker]:
        for s in self.speakers:
            if s.id == speaker_id:
                return s
        return None


@dataclass
class _Found:
    """One resolved source (internal)."""

    key: str
    name: str
    type: str
    method: str
    resolved: bool = True
    role: Optional[str] = None
    affiliation: Optional[str] = None
    plural: bool = False


_QUESTION = re.compile(r"(?:Q|Question)(?:\s*[:\-–—]\s*|(?=[A-Z]))")  # "Q: ...", "Question — ...", "QWhy ...?"
_ANSWER = re.compile(r"(?:A|Answer)\s*[:\-–—]\s*")


def interview_turns(text: str) -> list[tuple[int, int, str]]:
    """The question and answer turns of an interview printed as a transcript, as (start, end, "q" | "a") character
    ranges: a turn runs from a paragraph that opens "Q:" or "A:" to the next one. Empty unless the text has at
    least two of each (one "A: ..." paragraph is more likely a list than a transcript)."""
    marks = []
    for m in re.finditer(r"(?:^|\n)[ \t]*(\S)", text):
        at = m.start(1)
        if _QUESTION.match(text, at):
            marks.append((at, "q"))
        elif _ANSWER.match(text, at):
            marks.append((at, "a"))
    if min(sum(1 for _, k in marks if k == w) for w in "qa") < 2:
        return []
    return [(at, marks[n + 1][0] if n + 1 < len(marks) else len(text), k) for n, (at, k) in enumerate(marks)]


class _Resolver:
    """Resolves attribution sources in text order, remembering who spoke where (for pronouns)."""

    def __init__(self, ctx: Context, attributions: list[Attribution], on_pronoun=None):
        self.ctx, self.doc = ctx, ctx.doc
        self.on_pronoun = on_pronoun
        self.atts = attributions
        self.history: list[tuple[int, _Found]] = []  # (source root token, found)
        self.memo: dict[str, Optional[_Found]] = {}
        self.busy: set[str] = set()
        self.contents = sorted((sp.start, sp.end) for a in attributions for sp in a.content)
        self.turns = interview_turns(ctx.text)
        self.interviewee = self._interviewee() if self.turns else None

    def _interviewee(self) -> Optional[int]:
        """In a transcript, the person cluster named most before the first question (the headline and the
        introduction: "Q&A with Vice President Joe Biden"); ties go to the first named. None if nobody is."""
        first_q = self.turns[0][0]
        counts = [(sum(1 for m in c.mentions if m[1] < first_q), -min(m[1] for m in c.mentions), idx)
                  for idx, c in enumerate(self.ctx.persons.clusters) if c.mentions]
        best = max(counts, default=None)
        return best[2] if best and best[0] > 0 else None

    def turn_at(self, pos: int) -> Optional[str]:
        return next((k for a, b, k in self.turns if a <= pos < b), None)

    # ------------------------------------------------------------------ entry
    def resolve(self, att: Attribution) -> Optional[_Found]:
        if att.id in self.memo:
            return self.memo[att.id]
        if att.id in self.busy:
            return None
        self.busy.add(att.id)
        toks = tokens_in(self.doc, att.source)
        found = self.resolve_np(root_of(toks), toks, att) if toks else None
        self.busy.discard(att.id)
        self.memo[att.id] = found
        if found is not None and found.resolved:
            self.history.append((root_of(toks).i, found))
        return found

    # ------------------------------------------------------------------ one noun phrase
    def resolve_np(self, root, toks, att) -> _Found:
        ctx, doc = self.ctx, self.doc
        within = {t.i for t in toks}
        low = root.lower_
        persons = ctx.persons
        # pronouns
        if low in C.PRONOUNS_RELATIVE and root.head.dep_ in ("relcl", "acl") and root.head.head.i != root.i:
            ante = root.head.head
            return self.resolve_np(ante, np_tokens(ante), att)
        if root.pos_ in ("PRON", "DET") and low not in C.PRONOUNS_FIRST | C.PRONOUNS_SECOND | C.PRONOUNS_PERSON_MALE \
                | C.PRONOUNS_PERSON_FEMALE | C.PRONOUNS_PLURAL | C.PRONOUNS_NEUTER:  # "those", "some", "anyone"
            name = np_text(doc, np_tokens(root, within))
            return _Found(f"a:{norm_key(name)}", name, "anonymous", "anonymous", plural=True)
        if root.pos_ == "PRON" or low in C.PRONOUNS_PERSON_MALE | C.PRONOUNS_PERSON_FEMALE | C.PRONOUNS_PLURAL | C.PRONOUNS_NEUTER:
            return self.pronoun(root, att)
        # a person named in the span
        p_toks = [t for t in toks if t.i in persons.at_token and t.dep_ not in ("poss",)]
        if root.i in persons.at_token:
            return self.person(persons.at_token[root.i], root)
        appos = [t for t in p_toks if t.dep_ == "appos" or any(a.dep_ == "appos" for a in t.ancestors if a.i in within)]
        if appos:
            return self.person(persons.at_token[appos[0].i], appos[0])
        lemma = root.lemma_.lower()
        name_roots = [t for t in p_toks if t.head.i not in persons.at_token or persons.at_token[t.head.i] != persons.at_token[t.i]]
        heads = [t for t in name_roots if not any(a.dep_ in ("prep", "relcl", "acl", "poss") for a in t.ancestors if a.i in within)
                 and t.dep_ not in ("compound", "poss", "nmod", "amod")]
        if heads and lemma not in C.ORG_NOUNS and lemma not in C.DOCUMENT_NOUNS and lemma not in C.CHANNEL_NOUNS:
            return self.person(persons.at_token[heads[0].i], heads[0])
        # "Mr. King": an honorific makes a name even where the recogniser saw a common noun
        if root.is_title and any(c.lower_.rstrip(".") in HONORIFICS for c in root.lefts):
            idx = persons._match_single(root.lower_, root.i)
            if idx is not None:
                return self.person(idx, root)
            return _Found(f"n:{root.lower_}", root.text, "person", "name")
        # the registry (outlets, platforms, bodies)
        if root.i in ctx.reg_tokens:
            return self.entity(ctx.reg_tokens[root.i][2])
        lemma = root.lemma_.lower()
        mods = [t for t in np_tokens(root, within) if t.i != root.i]
        reg = next((ctx.reg_tokens[t.i][2] for t in mods if t.i in ctx.reg_tokens), None)
        poss_person = next((persons.at_token[t.i] for t in mods if t.i in persons.at_token), None)
        name = np_text(doc, np_tokens(root, within))
        # a statement noun with its author: "the comments by Kremlin spokesperson Dmitry Peskov", "Trump's remarks"
        if lemma in C.CHANNEL_NOUNS or lemma in C.DOCUMENT_NOUNS:
            agent = self.agent(root, within)
            if agent is not None:
                f = self.resolve_np(agent, np_tokens(agent, within), att)
                if f.resolved and f.type != "document":
                    return f
        # documents ("a joint statement", "reports", "a Quinnipiac poll")
        if lemma in C.DOCUMENT_NOUNS or low in C.DOCUMENT_NOUNS:
            if reg is not None and reg.type == "news_outlet":
                return self.entity(reg)
            aff = reg.name if reg else (persons.clusters[poss_person].name if poss_person is not None else None)
            return _Found(f"d:{norm_key(name)}", name, "document", "document", affiliation=aff)
        # role nouns: "the adviser", "Kremlin spokesman", "a Pentagon spokesman"
        role_key = C.ROLE_NOUNS.get(lemma) or C.ROLE_NOUNS.get(low)
        plural = root.tag_ in ("NNS", "NNPS")
        if role_key and not plural:
            role, aff = ctx.split_descriptor(np_tokens(root, within))
            det = next((t.lower_ for t in root.children if t.dep_ in ("det", "poss", "nummod")), "")
            indefinite = det in ("a", "an", "one", "another", "some", "any")
            if not indefinite:
                hit = self.nominal(root, role_key, mods, within)
                if hit is not None:
                    return hit
            if reg is not None:
                return self.entity(reg, role=role, method="registry")
            if indefinite or poss_person is not None or det in ("his", "her", "their", "its"):
                return _Found(f"a:{norm_key(name)}", name, "anonymous", "anonymous", role=role, affiliation=aff)
            hit = self.salient(root)
            if hit is not None:  # "the billionaire businessman": the most talked-about person of the passage
                return _Found(hit.key, hit.name, hit.type, "nominal-salient", role=hit.role, affiliation=hit.affiliation)
            return _Found(f"u:{norm_key(name)}", name, "unresolved", "unresolved", resolved=False, role=role, affiliation=aff)
        # organisations by common noun: "the Clinton campaign", "the Russian government"
        if lemma in C.ORG_NOUNS and not plural:
            if reg is not None and not mods[-1:] == []:
                pass
            if mods and (reg is not None or poss_person is not None or any(t.ent_type_ in ("ORG", "GPE", "NORP", "PERSON") for t in mods)):
                typ = "government_body" if lemma in C.GOVERNMENT_ORG_NOUNS else "organisation"
                if poss_person is not None:
                    name = f"{persons.clusters[poss_person].name.split()[-1]} {root.text.lower()}"
                return _Found(f"o:{norm_key(name)}", name, typ, "entity")
            det = next((t.lower_ for t in root.children if t.dep_ in ("det", "poss")), "")
            if not det or det in ("a", "an", "one", "another", "some"):  # "Police said", "an outside group"
                return _Found(f"a:{norm_key(name)}", name, "anonymous", "anonymous", plural=True)
            hit = self.recent(lambda f: f.type in ("organisation", "government_body"), root, window=C.ANTECEDENT_WINDOW_SENTENCES)
            if hit is not None:
                return _Found(hit.key, hit.name, hit.type, "nominal", role=hit.role, affiliation=hit.affiliation)
            poss = next((t for t in root.children if t.dep_ == "poss" and t.lower_ in ("his", "her")), None)
            if poss is not None:  # "her campaign": whose campaign the pronoun says
                owner = self.pronoun_person(poss, "m" if poss.lower_ == "his" else "f")
                if owner is not None and owner.type == "person":
                    oname = f"{owner.name.split()[-1]} {lemma}"
                    return _Found(f"o:{norm_key(oname)}", oname, "organisation", "pronoun")
            if lemma in ("campaign", "team", "camp", "staff") and det == "the":
                hit = self.salient(root)
                if hit is not None:  # "the campaign": the campaign of the person speaking in the preceding sentences
                    oname = f"{hit.name.split()[-1]} {lemma}"
                    return _Found(f"o:{norm_key(oname)}", oname, "organisation", "nominal-salient")
            return _Found(f"u:{norm_key(name)}", name, "unresolved", "unresolved", resolved=False)
        # entities from the recogniser
        ent_label = root.ent_type_
        if ent_label in ("ORG", "GPE", "FAC", "LOC") or (ent_label == "NORP" and root.pos_ == "PROPN"):
            ent = next((e for e in doc.ents if e.start <= root.i < e.end), None)
            etext = re.sub(r"^(?i:the)\s+", "", ent.text) if ent is not None else root.text
            etext = re.sub(r"['’]s?$", "", etext).strip()
            if ent_label == "NORP":
                return _Found(f"a:{norm_key(etext)}", etext, "anonymous", "anonymous", plural=True)
            typ = "government_body" if ent_label == "GPE" else "organisation"
            conj = [c for c in root.conjuncts if c.ent_type_ in ("ORG", "GPE") or c.i in ctx.reg_tokens]
            if conj:
                etext = np_text(doc, np_tokens(root, within))
                return _Found(f"e:{norm_key(etext)}", etext, typ, "entity", plural=True)
            return _Found(f"e:{norm_key(etext)}", etext, typ, "entity", plural=ent_label == "GPE")
        # anonymous sources and groups: "officials", "a senior aide", "52 percent of voters"
        det = next((t.lower_ for t in root.children if t.dep_ == "det"), "")
        if (low in C.ANONYMOUS_NOUNS or lemma in C.ANONYMOUS_NOUNS or plural and root.pos_ == "NOUN"
                or root.like_num or root.pos_ == "NUM" or det in ("a", "an", "another", "some", "many", "several")):
            role, aff = ctx.split_descriptor(np_tokens(root, within))
            return _Found(f"a:{norm_key(name)}", name, "anonymous", "anonymous", affiliation=aff, plural=plural)
        # a capitalised name the recogniser missed
        if root.is_title and root.is_alpha and not root.is_stop and (root.pos_ == "PROPN" or root.i != root.sent.start):
            return _Found(f"n:{norm_key(name)}", name, "person", "name")
        if root.pos_ == "NOUN":  # "the left", "state law": an unnamed source, named by its own words
            return _Found(f"a:{norm_key(name)}", name, "anonymous", "anonymous", plural=plural)
        return _Found(f"u:{norm_key(name)}", name, "unresolved", "unresolved", resolved=False)

    def agent(self, root, within):
        """The author of a statement noun: possessor, or object of by/from/of."""
        for ch in root.children:
            if ch.dep_ == "poss" and ch.i in within:
                return ch
        for ch in root.children:
            if ch.dep_ == "prep" and ch.lower_ in ("by", "from", "of") and ch.i in within:
                pobj = next((x for x in ch.children if x.dep_ == "pobj"), None)
                if pobj is not None and (pobj.pos_ in ("PROPN", "PRON") or pobj.ent_type_ or pobj.i in self.ctx.reg_tokens):
                    return pobj
        return None

    # ------------------------------------------------------------------ builders
    def person(self, idx: int, tok) -> _Found:
        c = self.ctx.persons.clusters[idx]
        mention = next((m for m in c.mentions if m[1] <= tok.idx < m[2] or m[0] == tok.i), None)
        method = "name" if mention is not None and mention[3] > 1 else "surname"
        role, aff = next(((r[1], r[2]) for r in c.roles if r[0] == (mention[0] if mention else -1)), (None, None))
        if not role and not aff:
            role, aff = self.ctx.persons.role_of(idx, tok.i)
        return _Found(f"p:{idx}", c.name, "person", method, role=role, affiliation=aff)

    def entity(self, e: Entity, role: Optional[str] = None, method: str = "registry") -> _Found:
        return _Found(f"r:{e.name}", e.name, e.type, method, role=role, plural=e.type == "government_body" and False)

    # ------------------------------------------------------------------ nominals
    def nominal(self, root, role_key: str, mods, within) -> Optional[_Found]:
        ctx = self.ctx
        affs = []
        for t in mods:
            if t.i in ctx.reg_tokens:
                affs.append(ctx.reg_tokens[t.i][2].name)
            elif t.ent_type_ in ("ORG", "GPE", "NORP", "PERSON") or t.i in ctx.persons.at_token:
                affs.append(t.text)
        best, best_pos, best_matched = None, -1, False
        for idx, c in enumerate(ctx.persons.clusters):
            for pos, role, aff in c.roles:
                if pos >= root.i or not role:
                    continue
                words = role.lower().replace("-", " ").split()
                keys = {C.ROLE_NOUNS.get(w) for w in words} | {C.ROLE_NOUNS.get(role.lower())}
                if role_key not in keys:
                    continue
                # "the Russian president": the affiliation must agree when both are known
                matched = not affs or any(aff_match(a, aff or "") or aff_match(a, c.name) for a in affs)
                if not matched and aff:
                    continue
                last = max(m[0] for m in c.mentions if m[0] < root.i)
                if ctx.sent_of[root.i] - ctx.sent_of[last] > C.NOMINAL_WINDOW_SENTENCES:
                    continue
                if (matched, last) > (best_matched, best_pos):
                    best, best_pos, best_matched = idx, last, matched
        if best is None:
            return None
        f = self.person(best, self.doc[best_pos])
        f.method = "nominal"
        return f

    # ------------------------------------------------------------------ pronouns
    def pronoun(self, pron, att) -> _Found:
        low = pron.lower_
        if low in C.PRONOUNS_FIRST:
            return self.first_person(pron, att)
        if low in C.PRONOUNS_SECOND and self.interviewee is not None and self.turn_at(pron.idx) == "q":
            return self.transcript_person()  # "Q: You've been talking about ..." asks the interviewee
        if low in C.PRONOUNS_PERSON_MALE or low in C.PRONOUNS_PERSON_FEMALE:
            hit = self.pronoun_person(pron, "m" if low in C.PRONOUNS_PERSON_MALE else "f")
        elif low in C.PRONOUNS_NEUTER:
            hit = self.recent(lambda f: f.type in ("organisation", "government_body", "news_outlet", "document", "social_platform"), pron)
        elif low in C.PRONOUNS_PLURAL:
            hit = self.recent(lambda f: f.plural or f.type in ("organisation", "government_body", "anonymous"), pron)
        else:
            hit = None
        if hit is None:
            return _Found(f"u:{low}", pron.text, "unresolved", "unresolved", resolved=False)
        return _Found(hit.key, hit.name, hit.type, "pronoun", role=hit.role, affiliation=hit.affiliation, plural=hit.plural)

    def salient(self, tok) -> Optional[_Found]:
        """The person mentioned most in the preceding passage (ties: most recently), for descriptive nominals."""
        ctx = self.ctx
        s = ctx.sent_of[tok.i]
        best, best_key = None, None
        for idx, c in enumerate(ctx.persons.clusters):
            ms = [m[0] for m in c.mentions if m[0] < tok.i and s - ctx.sent_of[m[0]] <= C.NOMINAL_WINDOW_SENTENCES]
            spoke = sum(1 for pos, f in self.history if f.key == f"p:{idx}" and pos < tok.i
                        and s - ctx.sent_of[pos] <= C.NOMINAL_WINDOW_SENTENCES)
            if not ms:
                continue
            key = (len(ms) + spoke, max(ms))
            if best_key is None or key > best_key:
                best, best_key = idx, key
        if best is None:
            return None
        return self.person(best, self.doc[best_key[1]])

    def recent(self, ok, tok, window: int = C.ANTECEDENT_WINDOW_SENTENCES) -> Optional[_Found]:
        s = self.ctx.sent_of[tok.i]
        for pos, f in reversed(self.history):
            if pos < tok.i and s - self.ctx.sent_of[pos] <= window and ok(f):
                return f
        return None

    def _content_of(self, char: int) -> Optional[tuple[int, int]]:
        for st, en in self.contents:
            if st <= char < en:
                return (st, en)
        return None

    def pronoun_candidates(self, pron, gender: str) -> list[tuple[int, object, dict]]:
        """Every earlier mention a he/she could refer to, as (person cluster, token, features).

        Mentions are the person's name mentions, earlier sources already resolved to them, and definite
        role-noun subjects ("The adviser further stated ...") within ``ANTECEDENT_WINDOW_SENTENCES``;
        people of the other gender are left out.
        """
        ctx, doc = self.ctx, self.doc
        s = ctx.sent_of[pron.i]
        recent_speakers: dict[str, int] = {}
        for pos, f in reversed([h for h in self.history if h[0] < pron.i]):
            if f.type == "person" and f.key not in recent_speakers and s - ctx.sent_of[pos] <= C.ANTECEDENT_WINDOW_SENTENCES:
                recent_speakers[f.key] = len(recent_speakers)
        spoke: dict[int, list] = {}
        for pos, f in self.history:  # earlier sources resolved to a person ("he said" before this one)
            if f.key.startswith("p:"):
                spoke.setdefault(int(f.key[2:]), []).append((pos,))
        first_sent = ctx.sents[max(0, s - C.ANTECEDENT_WINDOW_SENTENCES)].start
        for t in doc[first_sent:pron.i]:
            key = C.ROLE_NOUNS.get(t.lemma_.lower())
            if (key and t.pos_ == "NOUN" and t.tag_ == "NN" and t.dep_ in PERSON_DEPS and t.i not in ctx.persons.at_token
                    and any(c.lower_ == "the" for c in t.children)):
                hit = self.nominal(t, key, [c for c in t.children if c.dep_ in ("compound", "amod")], set())
                if hit is not None:
                    spoke.setdefault(int(hit.key[2:]), []).append((t.i,))
        own = self._content_of(pron.idx)
        raw = []
        for idx, c in enumerate(ctx.persons.clusters):
            if c.gender and c.gender != gender:
                continue
            names = {m[0] for m in c.mentions}
            ms = [m for m in c.mentions + spoke.get(idx, [])
                  if m[0] < pron.i and s - ctx.sent_of[m[0]] <= C.ANTECEDENT_WINDOW_SENTENCES]
            for m in ms:
                ti = m[0]
                d = s - ctx.sent_of[ti]
                t = doc[ti]
                head = t.head if t.dep_ in ("appos", "compound") and t.head.i != t.i else t
                subject = head.dep_ in PERSON_DEPS or (head.dep_ == "pobj" and head.head.lower_ == "by")
                verb = head.head
                main = subject and (verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.dep_ == "ROOT"))
                rank = recent_speakers.get(f"p:{idx}")
                sent = ctx.sents[ctx.sent_of[ti]]
                where = (ti - sent.start) / max(1, len(sent))
                raw.append((idx, t, {
                    "sentence": float(d), "same_sentence": float(d == 0),
                    "subject_main": float(main), "subject": float(subject and not main),
                    "possessive": float(t.dep_ == "poss"),
                    "last_speaker": float(rank == 0), "recent_speaker": float(rank is not None and rank > 0),
                    "in_quote": float(self._content_of(t.idx) not in (None, own)),
                    "later_in_same_sentence": where if d == 0 else 0.0,
                    "later_in_earlier_sentence": where if d > 0 else 0.0,
                    "mentions": float(len(names & {x[0] for x in ms})) ** 0.5, "gender_known": float(c.gender == gender),
                    "not_a_name": float(ti not in names),
                }))
        last = {}
        for idx, t, _ in raw:
            last[idx] = max(last.get(idx, -1), t.i)
        order = {idx: r for r, idx in enumerate(sorted(last, key=lambda i: -last[i]))}
        for idx, _, f in raw:
            f["recency_rank"] = float(min(order[idx], 5))
        return raw

    def pronoun_person(self, pron, gender: str) -> Optional[_Found]:
        """Best person antecedent under the pronoun model (``data/pronoun_model.json``): recent sentences,
        main-clause subjects, recent speakers, outside quotations, ..."""
        model = pronoun_model()
        cands = self.pronoun_candidates(pron, gender)
        if self.on_pronoun is not None:
            self.on_pronoun(pron, [(self.ctx.persons.clusters[idx], t, f) for idx, t, f in cands])
        best, best_score, best_tok = None, None, None
        for idx, t, f in cands:
            # fixed tie-breaks below any weight: later in the pronoun's sentence, earlier in an earlier one
            score = model.score(f) + (t.i / 1e6 if f["same_sentence"] else -f["later_in_earlier_sentence"] / 1e4)
            if best_score is None or score > best_score:
                best, best_score, best_tok = idx, score, t
        if best is None:
            return self.recent(lambda f: f.type == "person", pron)
        return self.person(best, best_tok)

    def first_person(self, pron, att) -> _Found:
        pos = pron.idx
        for other in self.atts:
            if other.id == att.id:
                continue
            if any(c.start <= pos < c.end for c in other.content):
                f = self.resolve(other)
                if f is not None and f.resolved:
                    return _Found(f.key, f.name, f.type, "pronoun", role=f.role, affiliation=f.affiliation, plural=f.plural)
        if self.interviewee is not None and self.turn_at(pron.idx) == "a":
            return self.transcript_person()  # "A: ... I think" is the interviewee answering
        return _Found(f"u:{pron.lower_}", pron.text, "unresolved", "unresolved", resolved=False)

    def transcript_person(self) -> _Found:
        idx = self.interviewee
        f = self.person(idx, self.doc[self.ctx.persons.clusters[idx].mentions[0][0]])
        f.method = "interview"
        return f


# =========================================================================== the stage
def resolve_speakers(article: Article, doc, attributions: list[Attribution], registry: Optional[Registry] = None,
                     on_pronoun=None) -> SpeakerResolution:
    """Resolve every attribution's source to a speaker, and find its channel.

    ``on_pronoun(token, candidates)``, when given, sees every he/she the pronoun model decides, with its
    candidates as (person cluster, mention token, features): how ``scripts/train_pronouns.py`` learns.
    """
    registry = registry if registry is not None else load_registry()
    ctx = Context(doc, registry)
    resolver = _Resolver(ctx, attributions, on_pronoun)
    order = sorted(attributions, key=lambda a: (a.source[0].start if a.source else a.start, a.start))
    found_by: dict[str, Optional[_Found]] = {a.id: resolver.resolve(a) for a in order}

    # speakers in order of first mention; persons get their cluster's aliases
    first_pos: dict[str, int] = {}
    infos: dict[str, _Found] = {}
    mentions: dict[str, list[Span]] = {}
    for a in order:
        f = found_by[a.id]
        if f is None:
            continue
        pos = a.source[0].start
        first_pos.setdefault(f.key, pos)
        infos.setdefault(f.key, f)
        mentions.setdefault(f.key, []).extend(a.source)
    keys = sorted(infos, key=lambda k: first_pos[k])
    ids = dedupe_ids([stable_id("s", infos[k].type, infos[k].name) for k in keys])
    id_of = dict(zip(keys, ids))
    speakers = []
    for k in keys:
        f = infos[k]
        role, aff = f.role, f.affiliation
        aliases: list[str] = []
        spans = {(m.start, m.end): m for m in mentions[k]}
        if k.startswith("p:"):
            idx = int(k[2:])
            role, aff = ctx.persons.role_of(idx)
            aliases = sorted(set(ctx.persons.clusters[idx].forms) - {f.name})
            for m in ctx.persons.clusters[idx].mentions:
                spans.setdefault((m[1], m[2]), Span.of(ctx.text, m[1], m[2]))
        elif k.startswith("r:"):
            e = registry.lookup(f.name)
            aliases = list(e.aliases) if e else []
            for st, en, ent in ctx.reg_found:
                if ent.name == f.name:
                    spans.setdefault((st, en), Span.of(ctx.text, st, en))
        speakers.append(Speaker(id=id_of[k], name=f.name, type=f.type, role=role, affiliation=aff, aliases=aliases,
                                mentions=sorted(spans.values(), key=lambda s: (s.start, s.end))))
    by_att = {}
    for a in attributions:
        f = found_by[a.id]
        ch = find_channel(ctx, a, f)
        if f is None:
            by_att[a.id] = SpeakerAssignment(a.id, None, channel=ch, resolved=False, method="unresolved", source_text=a.source_text)
            continue
        spk = next(s for s in speakers if s.id == id_of[f.key])
        by_att[a.id] = SpeakerAssignment(
            a.id, spk.id, role=f.role or spk.role, affiliation=f.affiliation or spk.affiliation, channel=ch,
            resolved=f.resolved, method=f.method, source_text=a.source_text,
        )
    return SpeakerResolution(speakers=speakers, by_attribution=by_att)


# =========================================================================== tables and chart
SOURCE_COLUMNS = ["speaker_id", "speaker", "type", "role", "affiliation", "claims", "direct_quote_share",
                  "first_mention_start", "first_mention", "channels"]


#: What a source span may trail that a reader should not see as part of the name: the comma of an
#: apposition ("Putin's policy adviser, Yuri Ushakov,") or the start of a relative clause ("analysts who").
_MENTION_TAIL = re.compile(r"(?:[\s,;:—–-]|\b(?:who|whom|whose|which|that)\b)+$", re.IGNORECASE)


def _mention_text(text: str) -> str:
    return _MENTION_TAIL.sub("", text) or text


def sources_frame(analysis: Analysis):
    """One row per cited source: type, role/affiliation, number of claims, share of claims quoted directly
    (direct or mixed quotation), first mention (offset and text) and the channels used."""
    import pandas as pd

    rows = []
    for s in analysis.speakers:
        claims = [c for c in analysis.claims if c.speaker_id == s.id]
        quoted = sum(1 for c in claims if c.quote_type in ("direct", "mixed"))
        channels = list(dict.fromkeys(c.channel.label for c in claims if c.channel is not None))
        first = min(s.mentions, key=lambda m: m.start) if s.mentions else None
        rows.append({
            "speaker_id": s.id, "speaker": s.name, "type": s.type, "role": s.role, "affiliation": s.affiliation,
            "claims": len(claims), "direct_quote_share": round(quoted / len(claims), 2) if claims else 0.0,
            "first_mention_start": first.start if first else None, "first_mention": _mention_text(first.text) if first else None,
            "channels": "; ".join(channels) or None,
        })
    df = pd.DataFrame(rows, columns=SOURCE_COLUMNS)
    return df.sort_values("first_mention_start", kind="stable").reset_index(drop=True)


def matrix_frame(analysis: Analysis):
    """Claims-by-source matrix: one row per claim group (``claim.group``) or claim id, one column per source.

    A cell is "source" where that source made the claim, empty otherwise; the
    cross-checking stage writes relations ("supports", "contradicts", ...) into
    the empty cells. Unattributed assertions are rows with no "source" cell.
    """
    import pandas as pd

    names = {}
    for s in analysis.speakers:
        label = s.name if s.name not in names.values() else f"{s.name} ({s.type})"
        names[s.id] = label
    rows: dict[str, dict] = {}
    for c in analysis.claims:
        key = c.group or c.id
        row = rows.setdefault(key, {n: "" for n in names.values()})
        if c.speaker_id in names:
            row[names[c.speaker_id]] = "source"
    df = pd.DataFrame.from_dict(rows, orient="index", columns=list(names.values()))
    df.index.name = "claim"
    return df


def speaker_type_chart(analysis: Analysis):
    """Bar chart (matplotlib Figure, made with ``charts.subplots`` so a notebook shows it) of claims per speaker type;
    the article's unattributed assertions get their own bar."""
    from .charts import describe, nothing_to_show, subplots

    counts: Counter = Counter()
    for c in analysis.claims:
        counts[(c.speaker_type or "unresolved") if c.attributed else "unattributed (reporter)"] += 1
    labels = sorted(counts, key=lambda k: (-counts[k], k))
    fig, ax = subplots(figsize=(6, 0.4 * max(len(labels), 1) + 1.2))
    if not labels:
        nothing_to_show(fig, ax, "Claims per speaker type", "No claims found")
        return fig
    describe(fig, "Claims per speaker type (bar chart)", [f"{k.replace('_', ' ')} {counts[k]}" for k in labels])
    ax.barh([k.replace("_", " ") if k != "unattributed (reporter)" else k for k in labels],
            [counts[k] for k in labels], color="#4c72b0")
    ax.invert_yaxis()
    ax.set_xlabel("claims")
    ax.set_title("Claims per speaker type")
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig
