"""Judges: decide how an evidence passage bears on a linked claim.

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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import constants as C
from .errors import ModelNotInstalledError, SourcecheckError

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
    antonym: Optional[tuple] = None  # (claim word, passage word) of opposite meaning (facts)
    position_flip: Optional[tuple] = None  # (claim word, passage word): accept / reject
    numbers: Optional[tuple] = None  # (claim figure, passage figure) for the same quantity
    contrast: bool = False  # "but", "however", "though" in the passage
    same_holder: bool = False  # the passage states the claim's speaker's own (later) position
    later: bool = False  # the passage comes after the claim in the text
    shift_marker: Optional[str] = None
    hedge: Optional[str] = None  # hedge in the passage ("in theory", "but only if")
    claim_hedge: Optional[str] = None
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
        if pair.numbers and pair.link >= C.CROSSCHECK_NUMERIC_LINK:
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
        if pair.negation_flip and pair.passage_is_subject and pair.link >= C.CROSSCHECK_LINK_POLAR and not pair.own_sentence:
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
        if pair.link < C.CROSSCHECK_SHIFT_LINK or not pair.later:
            return None
        moved = pair.position_flip or pair.antonym or pair.negation_flip
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
