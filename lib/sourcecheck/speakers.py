"""Speakers, cited sources and channels: who is behind each attribution, and through what.

Rules over the spaCy parse and entity mentions of the article (no coreference
model can be installed offline):

* **names**: PERSON mentions are clustered by surname and first name
  ("Putin" joins "Russian President Vladimir Putin"); titles and descriptors
  around a name are split off into role and affiliation ("Kremlin spokesman
  Dmitry Peskov" -> role "spokesman", affiliation "Kremlin").
* **pronouns** ("he said") go to the best person candidate in the preceding
  sentences: recent subjects and recent speakers first, gender when it is known
  from a title; "it"/"they" go to recent organisations and groups; "I"/"we"
  inside a quotation go to the quoted speaker; "who" to the noun its clause
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

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import constants as C
from .errors import SourcecheckError
from .model import Analysis, Article, Attribution, Channel, Span, Speaker, dedupe_ids, stable_id

ENTITY_TYPES = ("news_outlet", "social_platform", "government_body", "organisation")
ENTITIES_FILE = Path(__file__).parent / "data" / "entities.yaml"
_PERSON_DEPS = ("nsubj", "nsubjpass")
_HONORIFICS = ("mr", "mrs", "ms", "miss", "dr")
_HEADLINE_VERBS = {"says", "said", "tells", "told", "writes", "wrote", "calls", "warns", "slams", "claims"}
_MALE_ROLES = {"spokesman", "congressman", "chairman", "businessman", "mr", "king", "prince", "husband", "father", "son"}
_FEMALE_ROLES = {"spokeswoman", "congresswoman", "chairwoman", "businesswoman", "mrs", "ms", "miss", "queen",
                 "princess", "wife", "mother", "daughter", "dame", "lady"}


class EntitiesFileError(SourcecheckError):
    """A user entities file (outlets, platforms, bodies) cannot be used."""

    def __init__(self, path, problem: str, hint: str = "see the header of sourcecheck/data/entities.yaml for the schema"):
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}" + (f" ({hint})" if hint else ""))


# =========================================================================== registry
@dataclass(frozen=True)
class Entity:
    """A known outlet, platform, government body or organisation."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    country: Optional[str] = None


def _key(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).replace("’", "'").strip().lower()
    t = re.sub(r"'s$", "", t)
    t = re.sub(r"^the\s+", "", t)
    return re.sub(r"[\s.]+", " ", t).strip()


class Registry:
    """Known entities with their aliases; ``lookup`` a phrase, ``find`` mentions in a text."""

    def __init__(self, entities: list[Entity]):
        self.entities = list(entities)
        self._by_key: dict[str, Entity] = {}
        forms: dict[str, Entity] = {}
        for e in self.entities:
            for a in (e.name, *e.aliases):
                self._by_key.setdefault(_key(a), e)
                forms.setdefault(re.sub(r"^[Tt]he\s+", "", a) if _key(a) != _key(e.name) or not a.startswith("The ") else a, e)
                forms.setdefault(a, e)
        self._forms = forms
        alts = sorted(forms, key=len, reverse=True)
        self._re = re.compile(r"(?<![\w.])(" + "|".join(_form_pattern(a) for a in alts) + r")(?![\w])") if alts else None

    def lookup(self, text: str) -> Optional[Entity]:
        return self._by_key.get(_key(text))

    def find(self, text: str) -> list[tuple[int, int, Entity]]:
        """Case-sensitive whole-word mentions of any name or alias in ``text``."""
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            e = self.lookup(m.group(1))
            if e is not None:
                out.append((m.start(1), m.end(1), e))
        return out

    def __len__(self) -> int:
        return len(self.entities)


def _form_pattern(alias: str) -> str:
    p = re.escape(alias).replace(r"\ ", r"\s+").replace("'", "['’]")
    return "[Tt]" + p[1:] if alias.startswith("The ") else p


def _read_entities(path: Path, user: bool) -> list[Entity]:
    import yaml

    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EntitiesFileError(path, "entities file not found", "check the path given as entities_path / --entities") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EntitiesFileError(path, f"entities file cannot be read as UTF-8 text ({exc})") from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise EntitiesFileError(path, f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise EntitiesFileError(path, "expected a mapping with an 'entities:' list at the top")
    out = []
    for n, item in enumerate(data["entities"], 1):
        where = f"entry {n}"
        if not isinstance(item, dict):
            raise EntitiesFileError(path, f"{where} must be a mapping with name and type")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise EntitiesFileError(path, f"{where} has no 'name' (a non-empty string)")
        where = f"entry {n} ({name!r})"
        typ = item.get("type")
        if typ not in ENTITY_TYPES:
            raise EntitiesFileError(path, f"{where}: type {typ!r} is not one of {', '.join(ENTITY_TYPES)}")
        aliases = item.get("aliases", []) or []
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise EntitiesFileError(path, f"{where}: 'aliases' must be a list of names")
        unknown = set(item) - {"name", "type", "aliases", "country", "note"}
        if unknown:
            raise EntitiesFileError(path, f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        country = item.get("country")
        out.append(Entity(name.strip(), typ, tuple(a.strip() for a in aliases), str(country) if country else None))
    return out


def load_registry(extra_path: Optional[str | Path] = None) -> Registry:
    """The shipped ``data/entities.yaml`` plus, optionally, a user file of the same schema (user entries win).

    Cached per file and modification time, so a batch run reads and compiles the list once.
    """
    files = [ENTITIES_FILE] + ([Path(extra_path)] if extra_path else [])
    stamps = tuple((str(f), f.stat().st_mtime_ns if f.is_file() else None) for f in files)
    return _registry(stamps)


@functools.lru_cache(maxsize=8)
def _registry(stamps: tuple) -> Registry:
    entities = {e.name: e for e in _read_entities(Path(stamps[0][0]), user=False)}
    for path, _ in stamps[1:]:
        for e in _read_entities(Path(path), user=True):
            entities[e.name] = e
    return Registry(list(entities.values()))


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
    method: str = "unresolved"  # name | surname | pronoun | nominal | registry | entity | anonymous | document | unresolved
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


# =========================================================================== persons in the article
@dataclass
class _Cluster:
    forms: Counter = field(default_factory=Counter)
    first: str = ""
    last: str = ""
    mentions: list = field(default_factory=list)  # (token index of root, start_char, end_char)
    roles: list = field(default_factory=list)  # (token index, role, affiliation)
    gender: Optional[str] = None

    @property
    def name(self) -> str:
        multi = [f for f in self.forms if len(f.split()) > 1]
        pool = multi or list(self.forms)
        return max(pool, key=lambda f: (self.forms[f], -self._first_seen(f))) if pool else self.last

    def _first_seen(self, form: str) -> int:
        return 0


def _honorific(doc, i: int) -> str:
    """The honorific just before a name ("Mrs." in "Mrs. Clinton"), lowercased without the dot, or ""."""
    if i > 0 and doc[i - 1].text.lower().rstrip(".") in _HONORIFICS:
        return doc[i - 1].text.lower().rstrip(".")
    return ""


def _clean_name(toks) -> tuple[list, list]:
    """Split an entity's tokens into (title tokens, name tokens)."""
    titles, names = [], []
    for t in toks:
        low = t.text.lower().rstrip(".")
        if t.dep_ == "case" or t.text in ("'s", "’s", "'", "’") or t.is_punct and t.text not in ("-", "."):
            continue
        if not names and low in C.NAME_TITLES:
            titles.append(t)
        elif low in ("jr", "sr", "ii", "iii", "iv") and names:
            continue
        else:
            names.append(t)
    while len(names) > 1 and names[-1].lower_ in _HEADLINE_VERBS:
        names.pop()  # headline casing: "Obama Says ..."
    return titles, names


class _Persons:
    """PERSON mentions clustered into people, with the roles they were introduced with."""

    def __init__(self, ctx: "_Context"):
        self.ctx = ctx
        doc = ctx.doc
        self.clusters: list[_Cluster] = []
        self.at_token: dict[int, int] = {}
        raw = []
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            titles, names = _clean_name(list(ent))
            if not names or not any(t.text[:1].isupper() for t in names):
                continue
            raw.append((ent, titles, names))
        full = [r for r in raw if len(r[2]) > 1]
        single = [r for r in raw if len(r[2]) == 1]
        by_fl: dict[tuple, int] = {}
        for ent, titles, names in full:
            f, l = names[0].text.lower(), names[-1].text.lower()
            idx = by_fl.get((f, l))
            if idx is None:
                idx = by_fl[(f, l)] = len(self.clusters)
                self.clusters.append(_Cluster(first=f, last=l))
            self._add(idx, ent, titles, names)
        for ent, titles, names in single:
            hon = {t.text.lower().rstrip(".") for t in titles} | {_honorific(doc, names[0].i)}
            gender = "m" if hon & _MALE_ROLES else "f" if hon & _FEMALE_ROLES else None
            idx = self._match_single(names[0].text.lower(), ent.start, gender)
            if idx is None:
                idx = len(self.clusters)
                self.clusters.append(_Cluster(last=names[0].text.lower()))
            self._add(idx, ent, titles, names)
        # surnames the recogniser missed or mislabelled ("Trump" as ORG)
        surnames = {}
        for i, c in enumerate(self.clusters):
            surnames.setdefault(c.last, i)
        for t in doc:
            if t.i in self.at_token or t.pos_ not in ("PROPN", "NOUN") or not t.is_title or t.text.lower() not in surnames:
                continue
            if t.ent_type_ in ("PERSON",):
                continue
            if t.i in ctx.reg_tokens or (t.ent_type_ in ("GPE", "LOC", "FAC") and t.ent_iob_ != "B"):
                continue
            nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
            if nxt is not None and nxt.pos_ == "PROPN" and nxt.ent_type_ == "PERSON":
                continue
            idx = self._match_single(t.text.lower(), t.i)
            if idx is not None:
                self._add(idx, doc[t.i:t.i + 1], [], [t])
        nouns = C.ANONYMOUS_NOUNS | C.ORG_NOUNS | C.DOCUMENT_NOUNS | set(C.ROLE_NOUNS) | C.NAME_TITLES
        for t in doc:
            if (t.i in self.at_token or t.pos_ != "PROPN" or t.dep_ not in _PERSON_DEPS or not t.is_title
                    or not t.is_alpha or t.ent_type_ not in ("", "PERSON") or t.i in ctx.reg_tokens
                    or t.lower_ in nouns or any(c.dep_ == "compound" for c in t.children)):
                continue
            idx = self._match_single(t.lower_, t.i)
            if idx is None:
                idx = len(self.clusters)
                self.clusters.append(_Cluster(last=t.lower_))
            self._add(idx, doc[t.i:t.i + 1], [], [t])
        for c in self.clusters:
            c.mentions.sort()
            c.roles.sort(key=lambda r: r[0])
            first = c.first or (c.last if all(len(f.split()) == 1 for f in c.forms) else "")
            if c.gender is None and first:
                c.gender = "f" if first in C.FEMALE_FIRST_NAMES else "m" if first in C.MALE_FIRST_NAMES else None

    def _match_single(self, word: str, pos: int, gender: Optional[str] = None) -> Optional[int]:
        cands = [i for i, c in enumerate(self.clusters) if c.last == word]
        if gender and len(cands) > 1:  # "Mrs. Clinton" is not Bill Clinton
            cands = [i for i in cands if self._gender(i) in (None, gender)] or cands
        if not cands:
            cands = [i for i, c in enumerate(self.clusters) if c.first == word and c.first]
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0]

        def last_before(i):
            before = [m[0] for m in self.clusters[i].mentions if m[0] < pos and len(self.clusters[i].forms) and m[3] > 1]
            return max(before) if before else -1

        return max(cands, key=lambda i: (last_before(i), len(self.clusters[i].mentions)))

    def _add(self, idx: int, span, titles, names) -> None:
        c = self.clusters[idx]
        form = " ".join(t.text for t in names)
        c.forms[form] += 1
        root = names[-1]
        c.mentions.append((root.i, names[0].idx, root.idx + len(root.text), len(names)))
        for t in range(span.start, span.end):
            self.at_token[t] = idx
        role, aff = self.ctx.descriptor(names[0].i, root.i, titles)
        if role or aff:
            c.roles.append((root.i, role, aff))
        words = {t.text.lower().rstrip(".") for t in titles} | set((role or "").lower().split())
        words.add(_honorific(self.ctx.doc, names[0].i))
        if c.gender is None:
            if words & _MALE_ROLES:
                c.gender = "m"
            elif words & _FEMALE_ROLES:
                c.gender = "f"

    def _gender(self, idx: int) -> Optional[str]:
        c = self.clusters[idx]
        if c.gender:
            return c.gender
        return "f" if c.first in C.FEMALE_FIRST_NAMES else "m" if c.first in C.MALE_FIRST_NAMES else None

    def role_of(self, idx: int, before: Optional[int] = None) -> tuple[Optional[str], Optional[str]]:
        roles = [r for r in self.clusters[idx].roles if before is None or r[0] <= before] or self.clusters[idx].roles
        role = next((r[1] for r in roles if r[1]), None)
        aff = next((r[2] for r in roles if r[2]), None)
        return role, aff


# =========================================================================== the article context
class _Context:
    def __init__(self, doc, registry: Registry):
        self.doc, self.text, self.registry = doc, doc.text, registry
        self.sents = list(doc.sents)
        self.sent_of = [0] * len(doc)
        for n, s in enumerate(self.sents):
            for i in range(s.start, s.end):
                self.sent_of[i] = n
        self.reg_tokens: dict[int, tuple[int, int, Entity]] = {}
        self.reg_found = registry.find(self.text)
        for s, e, ent in self.reg_found:
            sp = doc.char_span(s, e, alignment_mode="expand")
            if sp is not None:
                for t in sp:
                    self.reg_tokens[t.i] = (sp.start, sp.end, ent)
        self.persons = _Persons(self)

    # ------------------------------------------------------------------ descriptors
    def descriptor(self, name_start: int, root_i: int, titles) -> tuple[Optional[str], Optional[str]]:
        """Role and affiliation around a name: "Kremlin spokesman [Dmitry Peskov]", "[X], an adviser to Y"."""
        doc = self.doc
        root = doc[root_i]
        toks = list(titles)
        for t in doc[max(root.left_edge.i, 0):name_start]:
            if t.dep_ == "det" or t.is_punct or t.is_space or t.ent_type_ in ("DATE", "TIME", "CARDINAL", "ORDINAL"):
                continue
            toks.append(t)
        if root.dep_ == "appos" and root.head.i < name_start:
            head = root.head
            toks += [t for t in head.subtree if t.i < name_start and t.i not in range(root.left_edge.i, root.i + 1)]
        for ch in root.children:
            if ch.dep_ == "appos" and ch.i > root_i and ch.ent_type_ != "PERSON":
                toks += [t for t in ch.subtree if t.dep_ != "relcl" and not any(a.dep_ == "relcl" for a in t.ancestors if a.i > ch.i)]
            elif ch.dep_ == "prep" and ch.lower_ in ("of", "for", "from", "at") and ch.i > root_i:
                toks += list(ch.subtree)
        return self.split_descriptor(toks)

    def split_descriptor(self, toks) -> tuple[Optional[str], Optional[str]]:
        role_t, aff = [], []
        prev_aff = False
        for t in sorted(set(toks), key=lambda t: t.i):
            low = t.lower_
            if t.is_punct or t.is_space or t.dep_ in ("det", "case", "cc") or t.pos_ in ("ADP", "DET", "PRON", "SCONJ", "AUX", "VERB"):
                prev_aff = prev_aff and t.dep_ == "case"
                continue
            is_aff = (t.i in self.reg_tokens or t.ent_type_ in ("ORG", "GPE", "NORP", "PERSON", "FAC", "LOC")
                      or (prev_aff and low in C.ORG_NOUNS))
            if t.i in self.persons_tokens() and t.ent_type_ != "PERSON":
                is_aff = True
            if is_aff:
                aff.append(t)
            elif t.is_alpha or "-" in t.text:
                role_t.append(t)
            prev_aff = is_aff
        role = " ".join(w for w in (_role_word(t) for t in role_t) if w) or None
        return role, self._aff_text(aff)

    def persons_tokens(self) -> dict:
        return getattr(self, "persons", None).at_token if getattr(self, "persons", None) else {}

    def _aff_text(self, toks) -> Optional[str]:
        if not toks:
            return None
        runs, cur = [], [toks[0]]
        for t in toks[1:]:
            if t.i == cur[-1].i + 1 or (t.i == cur[-1].i + 2 and self.doc[t.i - 1].dep_ == "case"):
                cur.append(t)
            else:
                runs.append(cur)
                cur = [t]
        runs.append(cur)
        out = []
        for run in runs:
            text = self.text[run[0].idx: run[-1].idx + len(run[-1].text)]
            text = re.sub(r"['’]s\b", "", text).strip()
            ent = self.registry.lookup(text)
            out.append(ent.name if ent else text)
        return ", ".join(dict.fromkeys(out))


def _role_word(t) -> str:
    w = t.text
    low = w.lower().rstrip(".")
    if low in C.TITLE_ROLES:
        return C.TITLE_ROLES[low] or ""
    return w.lower() if w[:1].isupper() and w[1:].islower() or w.islower() else w


def _tokens_in(doc, spans: list[Span]) -> list:
    out = []
    for sp in spans:
        cs = doc.char_span(sp.start, sp.end, alignment_mode="expand")
        if cs is not None:
            out.extend(t for t in cs if not t.is_space)
    return sorted({t.i: t for t in out}.values(), key=lambda t: t.i)


def _root_of(toks):
    ids = {t.i for t in toks}
    roots = [t for t in toks if t.head.i not in ids or t.head.i == t.i]
    for r in list(roots):  # "by several people", "in media reports": the object of the preposition
        if r.pos_ == "ADP":
            roots.extend(c for c in r.children if c.dep_ == "pobj" and c.i in ids)
    for tags in (("NOUN", "PROPN", "PRON"), ("NUM", "ADJ", "DET")):
        hit = [t for t in roots if t.pos_ in tags]
        if hit:
            return hit[0]
    return (roots or toks)[0]


def _np_tokens(root, within: Optional[set] = None) -> list:
    """The noun phrase of ``root`` without relative clauses, dates and (optionally) tokens outside ``within``."""
    drop = set()
    for t in root.subtree:
        if t.i != root.i and (t.dep_ in ("relcl", "acl", "advcl", "parataxis") or (t.dep_ == "prep" and any(
                c.ent_type_ in ("DATE", "TIME") for c in t.children))) or (t.dep_ == "appos" and t.head.i == root.i):
            drop.update(x.i for x in t.subtree)
    toks = [t for t in root.subtree if t.i not in drop and (within is None or t.i in within)]
    while toks and (toks[0].dep_ in ("det", "predet") or toks[0].is_punct or toks[0].is_space or toks[0].lower_ in ("and", "but")):
        toks = toks[1:]
    while toks and (toks[-1].is_punct or toks[-1].is_space or toks[-1].dep_ in ("cc", "case", "prep")):
        toks = toks[:-1]
    return toks or [root]


def _np_text(doc, toks, max_words: int = 10) -> str:
    toks = toks[: max_words * 2]
    text = doc.text[toks[0].idx: toks[-1].idx + len(toks[-1].text)]
    words = text.split()
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def _aff_match(a: str, b: str) -> bool:
    a, b = _key(a), _key(b)
    return bool(a and b) and (a in b or b in a or a[:5] == b[:5] and len(a) >= 5 and len(b) >= 5)


class _Resolver:
    """Resolves attribution sources in text order, remembering who spoke where (for pronouns)."""

    def __init__(self, ctx: _Context, attributions: list[Attribution]):
        self.ctx, self.doc = ctx, ctx.doc
        self.atts = attributions
        self.history: list[tuple[int, _Found]] = []  # (source root token, found)
        self.memo: dict[str, Optional[_Found]] = {}
        self.busy: set[str] = set()
        self.contents = sorted((sp.start, sp.end) for a in attributions for sp in a.content)

    # ------------------------------------------------------------------ entry
    def resolve(self, att: Attribution) -> Optional[_Found]:
        if att.id in self.memo:
            return self.memo[att.id]
        if att.id in self.busy:
            return None
        self.busy.add(att.id)
        toks = _tokens_in(self.doc, att.source)
        found = self.resolve_np(_root_of(toks), toks, att) if toks else None
        self.busy.discard(att.id)
        self.memo[att.id] = found
        if found is not None and found.resolved:
            self.history.append((_root_of(toks).i, found))
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
            return self.resolve_np(ante, _np_tokens(ante), att)
        if root.pos_ in ("PRON", "DET") and low not in C.PRONOUNS_FIRST | C.PRONOUNS_SECOND | C.PRONOUNS_PERSON_MALE \
                | C.PRONOUNS_PERSON_FEMALE | C.PRONOUNS_PLURAL | C.PRONOUNS_NEUTER:  # "those", "some", "anyone"
            name = _np_text(doc, _np_tokens(root, within))
            return _Found(f"a:{_key(name)}", name, "anonymous", "anonymous", plural=True)
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
        heads = [t for t in p_toks if not any(a.dep_ in ("prep", "relcl", "acl", "poss") for a in t.ancestors if a.i in within)
                 and (t.dep_ not in ("compound", "poss", "nmod", "amod") or t.head.i in persons.at_token)]
        if heads and lemma not in C.ORG_NOUNS and lemma not in C.DOCUMENT_NOUNS and lemma not in C.CHANNEL_NOUNS:
            return self.person(persons.at_token[heads[0].i], heads[0])
        # "Mr. King": an honorific makes a name even where the recogniser saw a common noun
        if root.is_title and any(c.lower_.rstrip(".") in _HONORIFICS for c in root.lefts):
            idx = persons._match_single(root.lower_, root.i)
            if idx is not None:
                return self.person(idx, root)
            return _Found(f"n:{root.lower_}", root.text, "person", "name")
        # the registry (outlets, platforms, bodies)
        if root.i in ctx.reg_tokens:
            return self.entity(ctx.reg_tokens[root.i][2])
        lemma = root.lemma_.lower()
        mods = [t for t in _np_tokens(root, within) if t.i != root.i]
        reg = next((ctx.reg_tokens[t.i][2] for t in mods if t.i in ctx.reg_tokens), None)
        poss_person = next((persons.at_token[t.i] for t in mods if t.i in persons.at_token), None)
        name = _np_text(doc, _np_tokens(root, within))
        # a statement noun with its author: "the comments by Kremlin spokesperson Dmitry Peskov", "Trump's remarks"
        if lemma in C.CHANNEL_NOUNS or lemma in C.DOCUMENT_NOUNS:
            agent = self.agent(root, within)
            if agent is not None:
                f = self.resolve_np(agent, _np_tokens(agent, within), att)
                if f.resolved and f.type != "document":
                    return f
        # documents ("a joint statement", "reports", "a Quinnipiac poll")
        if lemma in C.DOCUMENT_NOUNS or low in C.DOCUMENT_NOUNS:
            if reg is not None and reg.type == "news_outlet":
                return self.entity(reg)
            aff = reg.name if reg else (persons.clusters[poss_person].name if poss_person is not None else None)
            return _Found(f"d:{_key(name)}", name, "document", "document", affiliation=aff)
        # role nouns: "the adviser", "Kremlin spokesman", "a Pentagon spokesman"
        role_key = C.ROLE_NOUNS.get(lemma) or C.ROLE_NOUNS.get(low)
        plural = root.tag_ in ("NNS", "NNPS")
        if role_key and not plural:
            role, aff = ctx.split_descriptor(_np_tokens(root, within))
            det = next((t.lower_ for t in root.children if t.dep_ in ("det", "poss", "nummod")), "")
            indefinite = det in ("a", "an", "one", "another", "some", "any")
            if not indefinite:
                hit = self.nominal(root, role_key, mods, within)
                if hit is not None:
                    return hit
            if reg is not None:
                return self.entity(reg, role=role, method="registry")
            if indefinite or poss_person is not None or det in ("his", "her", "their", "its"):
                return _Found(f"a:{_key(name)}", name, "anonymous", "anonymous", role=role, affiliation=aff)
            hit = self.salient(root)
            if hit is not None:  # "the billionaire businessman": the most talked-about person of the passage
                return _Found(hit.key, hit.name, hit.type, "nominal-salient", role=hit.role, affiliation=hit.affiliation)
            return _Found(f"u:{_key(name)}", name, "unresolved", "unresolved", resolved=False, role=role, affiliation=aff)
        # organisations by common noun: "the Clinton campaign", "the Russian government"
        if lemma in C.ORG_NOUNS and not plural:
            if reg is not None and not mods[-1:] == []:
                pass
            if mods and (reg is not None or poss_person is not None or any(t.ent_type_ in ("ORG", "GPE", "NORP", "PERSON") for t in mods)):
                typ = "government_body" if lemma in C.GOVERNMENT_ORG_NOUNS else "organisation"
                if poss_person is not None:
                    name = f"{persons.clusters[poss_person].name.split()[-1]} {root.text.lower()}"
                return _Found(f"o:{_key(name)}", name, typ, "entity")
            det = next((t.lower_ for t in root.children if t.dep_ in ("det", "poss")), "")
            if not det:  # "Police said": an unnamed institution
                return _Found(f"a:{_key(name)}", name, "anonymous", "anonymous", plural=True)
            hit = self.recent(lambda f: f.type in ("organisation", "government_body"), root, window=C.ANTECEDENT_WINDOW_SENTENCES)
            if hit is not None:
                return _Found(hit.key, hit.name, hit.type, "nominal", role=hit.role, affiliation=hit.affiliation)
            poss = next((t for t in root.children if t.dep_ == "poss" and t.lower_ in ("his", "her")), None)
            if poss is not None:  # "her campaign": whose campaign the pronoun says
                owner = self.pronoun_person(poss, "m" if poss.lower_ == "his" else "f")
                if owner is not None and owner.type == "person":
                    oname = f"{owner.name.split()[-1]} {lemma}"
                    return _Found(f"o:{_key(oname)}", oname, "organisation", "pronoun")
            if lemma in ("campaign", "team", "camp", "staff") and det == "the":
                hit = self.salient(root)
                if hit is not None:  # "the campaign": the campaign of the person speaking in the preceding sentences
                    oname = f"{hit.name.split()[-1]} {lemma}"
                    return _Found(f"o:{_key(oname)}", oname, "organisation", "nominal-salient")
            return _Found(f"u:{_key(name)}", name, "unresolved", "unresolved", resolved=False)
        # entities from the recogniser
        ent_label = root.ent_type_
        if ent_label in ("ORG", "GPE", "FAC", "LOC") or (ent_label == "NORP" and root.pos_ == "PROPN"):
            ent = next((e for e in doc.ents if e.start <= root.i < e.end), None)
            etext = re.sub(r"^(?i:the)\s+", "", ent.text) if ent is not None else root.text
            etext = re.sub(r"['’]s?$", "", etext).strip()
            if ent_label == "NORP":
                return _Found(f"a:{_key(etext)}", etext, "anonymous", "anonymous", plural=True)
            typ = "government_body" if ent_label == "GPE" else "organisation"
            conj = [c for c in root.conjuncts if c.ent_type_ in ("ORG", "GPE") or c.i in ctx.reg_tokens]
            if conj:
                etext = _np_text(doc, _np_tokens(root, within))
                return _Found(f"e:{_key(etext)}", etext, typ, "entity", plural=True)
            return _Found(f"e:{_key(etext)}", etext, typ, "entity", plural=ent_label == "GPE")
        # anonymous sources and groups: "officials", "a senior aide", "52 percent of voters"
        det = next((t.lower_ for t in root.children if t.dep_ == "det"), "")
        if (low in C.ANONYMOUS_NOUNS or lemma in C.ANONYMOUS_NOUNS or plural and root.pos_ == "NOUN"
                or root.like_num or root.pos_ == "NUM" or det in ("a", "an", "another", "some", "many", "several")):
            role, aff = ctx.split_descriptor(_np_tokens(root, within))
            return _Found(f"a:{_key(name)}", name, "anonymous", "anonymous", affiliation=aff, plural=plural)
        # a capitalised name the recogniser missed
        if root.is_title and root.is_alpha and not root.is_stop and (root.pos_ == "PROPN" or root.i != root.sent.start):
            return _Found(f"n:{_key(name)}", name, "person", "name")
        if root.pos_ == "NOUN":  # "the left", "state law": an unnamed source, named by its own words
            return _Found(f"a:{_key(name)}", name, "anonymous", "anonymous", plural=plural)
        return _Found(f"u:{_key(name)}", name, "unresolved", "unresolved", resolved=False)

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
        best, best_pos = None, -1
        for idx, c in enumerate(ctx.persons.clusters):
            for pos, role, aff in c.roles:
                if pos >= root.i or not role:
                    continue
                words = role.lower().replace("-", " ").split()
                keys = {C.ROLE_NOUNS.get(w) for w in words} | {C.ROLE_NOUNS.get(role.lower())}
                if role_key not in keys:
                    continue
                if affs and not any(_aff_match(a, aff or "") or _aff_match(a, c.name) for a in affs):
                    continue
                last = max(m[0] for m in c.mentions if m[0] < root.i)
                if ctx.sent_of[root.i] - ctx.sent_of[last] > C.NOMINAL_WINDOW_SENTENCES:
                    continue
                if last > best_pos:
                    best, best_pos = idx, last
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

    def pronoun_person(self, pron, gender: str) -> Optional[_Found]:
        """Best person antecedent: recent sentences, main-clause subjects, recent speakers, outside quotations."""
        ctx, doc, W = self.ctx, self.doc, C.PRONOUN_WEIGHTS
        s = ctx.sent_of[pron.i]
        recent_speakers: dict[str, int] = {}
        for pos, f in reversed([h for h in self.history if h[0] < pron.i]):
            if f.type == "person" and f.key not in recent_speakers and s - ctx.sent_of[pos] <= C.ANTECEDENT_WINDOW_SENTENCES:
                recent_speakers[f.key] = len(recent_speakers)
        spoke: dict[int, list] = {}
        for pos, f in self.history:
            if f.key.startswith("p:"):
                spoke.setdefault(int(f.key[2:]), []).append((pos,))
        # definite role nouns as subjects ("The adviser further stated ...") count as mentions of their person
        first_sent = ctx.sents[max(0, s - C.ANTECEDENT_WINDOW_SENTENCES)].start
        for t in doc[first_sent:pron.i]:
            key = C.ROLE_NOUNS.get(t.lemma_.lower())
            if (key and t.pos_ == "NOUN" and t.tag_ == "NN" and t.dep_ in _PERSON_DEPS and t.i not in ctx.persons.at_token
                    and any(c.lower_ == "the" for c in t.children)):
                hit = self.nominal(t, key, [c for c in t.children if c.dep_ in ("compound", "amod")], set())
                if hit is not None:
                    spoke.setdefault(int(hit.key[2:]), []).append((t.i,))
        own = self._content_of(pron.idx)
        best, best_score, best_tok = None, None, None
        for idx, c in enumerate(ctx.persons.clusters):
            if c.gender and c.gender != gender:
                continue
            for m in c.mentions + spoke.get(idx, []):
                ti = m[0]
                if ti >= pron.i:
                    continue
                d = s - ctx.sent_of[ti]
                if d > C.ANTECEDENT_WINDOW_SENTENCES:
                    continue
                t = doc[ti]
                head = t.head if t.dep_ in ("appos", "compound") and t.head.i != t.i else t
                score = -W["sentence"] * d
                if head.dep_ in _PERSON_DEPS or (head.dep_ == "pobj" and head.head.lower_ == "by"):
                    verb = head.head
                    main = verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.dep_ == "ROOT")
                    score += W["subject_main"] if main else W["subject"]
                if t.dep_ == "poss":
                    score += W["possessive"]
                rank = recent_speakers.get(f"p:{idx}")
                if rank is not None:
                    score += W["last_speaker"] if rank == 0 else W["recent_speaker"]
                if self._content_of(t.idx) not in (None, own):
                    score += W["in_quote"]
                sent = ctx.sents[ctx.sent_of[ti]]
                score += ti / 1e6 if d == 0 else -(ti - sent.start) / 1e4
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
        return _Found(f"u:{pron.lower_}", pron.text, "unresolved", "unresolved", resolved=False)


# =========================================================================== channels
def _channel(ctx: _Context, att: Attribution, found: Optional[_Found]) -> Optional[Channel]:
    """The medium of a statement when the article names it ("in a post on Truth Social", "in a speech")."""
    doc, text = ctx.doc, ctx.text
    cue = _tokens_in(doc, att.cue)
    if not cue:
        return None
    cue_ids = {t.i for t in cue}
    content_ids = {t.i for t in _tokens_in(doc, att.content)}
    source_ids = {t.i for t in _tokens_in(doc, att.source)}
    anchors = cue_ids | source_ids
    sent = cue[0].sent
    triggers = []
    for t in sent:
        if t.i in content_ids or t.i in cue_ids or t.i in source_ids:
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
        if path_ok:
            triggers.append((t, kind or "social_post"))
    # dative outlets: "told CNN", "told the Wall Street Journal"
    for t in cue:
        for ch in t.children:
            if ch.dep_ in ("dative", "dobj") and ch.i in ctx.reg_tokens and ctx.reg_tokens[ch.i][2].type == "news_outlet":
                e = ctx.reg_tokens[ch.i][2]
                return Channel("interview", f"interview with {e.name}", publisher=e.name, span=_span(text, doc[ch.left_edge.i:ch.i + 1]))
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
                publisher = _np_text(doc, _np_tokens(by[0]))
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
        toks = _tokens_in(doc, att.source)
        kind = C.CHANNEL_NOUNS.get(_root_of(toks).lemma_.lower()) if toks else None
        if kind:
            return Channel(kind if kind != "news_report" else "document", found.name, publisher=found.affiliation,
                           span=Span.of(text, att.source[0].start, att.source[-1].end))
    return None


def _span(text: str, sp) -> Optional[Span]:
    if sp is None or len(sp) == 0:
        return None
    return Span.of(text, sp.start_char, sp.end_char)


# =========================================================================== the stage
def resolve_speakers(article: Article, doc, attributions: list[Attribution], registry: Optional[Registry] = None) -> SpeakerResolution:
    """Resolve every attribution's source to a speaker, and find its channel."""
    registry = registry if registry is not None else load_registry()
    ctx = _Context(doc, registry)
    resolver = _Resolver(ctx, attributions)
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
        ch = _channel(ctx, a, f)
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
            "first_mention_start": first.start if first else None, "first_mention": first.text if first else None,
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
    """Bar chart (matplotlib Figure) of claims per speaker type; unattributed assertions as their own bar."""
    from matplotlib.figure import Figure

    counts: Counter = Counter()
    for c in analysis.claims:
        counts[(c.speaker_type or "unresolved") if c.attributed else "unattributed (reporter)"] += 1
    fig = Figure(figsize=(6, 3))
    ax = fig.subplots()
    labels = sorted(counts, key=lambda k: (-counts[k], k))
    ax.barh([k.replace("_", " ") for k in labels], [counts[k] for k in labels], color="#4c72b0")
    ax.invert_yaxis()
    ax.set_xlabel("claims")
    ax.set_title("Claims per speaker type")
    fig.tight_layout()
    return fig
