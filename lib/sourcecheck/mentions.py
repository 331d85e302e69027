"""Who an article mentions: people clustered by name, with the roles they were introduced with.

Used by ``sourcecheck.speakers``. PERSON mentions are clustered by surname and first
name ("Putin" joins "Russian President Vladimir Putin"; "Mrs. Clinton" is not Bill
Clinton); the descriptor around a name is split into role and affiliation ("Kremlin
spokesman Dmitry Peskov" -> "spokesman", "Kremlin"). Also the small noun-phrase
helpers the resolver and the channel finder share.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from . import constants as C
from .model import Span
from .registry import Entity, Registry, norm_key

PERSON_DEPS = ("nsubj", "nsubjpass")
HONORIFICS = ("mr", "mrs", "ms", "miss", "dr")
_HEADLINE_VERBS = {"says", "said", "tells", "told", "writes", "wrote", "calls", "warns", "slams", "claims"}
MALE_ROLES = {"spokesman", "congressman", "chairman", "businessman", "mr", "king", "prince", "husband", "father", "son"}
FEMALE_ROLES = {"spokeswoman", "congresswoman", "chairwoman", "businesswoman", "mrs", "ms", "miss", "queen",
                "princess", "wife", "mother", "daughter", "dame", "lady"}


# =========================================================================== persons in the article
@dataclass
class Cluster:
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


def honorific(doc, i: int) -> str:
    """The honorific just before a name ("Mrs." in "Mrs. Clinton"), lowercased without the dot, or ""."""
    if i > 0 and doc[i - 1].text.lower().rstrip(".") in HONORIFICS:
        return doc[i - 1].text.lower().rstrip(".")
    return ""


def clean_name(toks) -> tuple[list, list]:
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


class Persons:
    """PERSON mentions clustered into people, with the roles they were introduced with."""

    def __init__(self, ctx: "Context"):
        self.ctx = ctx
        doc = ctx.doc
        self.clusters: list[Cluster] = []
        self.at_token: dict[int, int] = {}
        raw = []
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            titles, names = clean_name(list(ent))
            if not names or not any(t.text[:1].isupper() for t in names):
                continue
            raw.append((ent, titles, names, name_form(names).lower().split()))
        full = [r for r in raw if len(r[3]) > 1]  # words, not tokens: "Lopez-Cantera" is one surname
        single = [r for r in raw if len(r[3]) == 1]
        by_fl: dict[tuple, int] = {}
        for ent, titles, names, words in full:
            f, l = words[0], words[-1]
            idx = by_fl.get((f, l))
            if idx is None:
                idx = by_fl[(f, l)] = len(self.clusters)
                self.clusters.append(Cluster(first=f, last=l))
            self._add(idx, ent, titles, names)
        for ent, titles, names, words in single:
            hon = {t.text.lower().rstrip(".") for t in titles} | {honorific(doc, names[0].i)}
            gender = "m" if hon & MALE_ROLES else "f" if hon & FEMALE_ROLES else None
            idx = self._match_single(words[0], ent.start, gender)
            if idx is None:
                idx = len(self.clusters)
                self.clusters.append(Cluster(last=words[0]))
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
            if (t.i in self.at_token or t.pos_ != "PROPN" or t.dep_ not in PERSON_DEPS or not t.is_title
                    or not t.is_alpha or t.ent_type_ not in ("", "PERSON") or t.i in ctx.reg_tokens
                    or t.lower_ in nouns or any(c.dep_ == "compound" for c in t.children)):
                continue
            idx = self._match_single(t.lower_, t.i)
            if idx is None:
                idx = len(self.clusters)
                self.clusters.append(Cluster(last=t.lower_))
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
        form = name_form(names)
        c.forms[form] += 1
        root = names[-1]
        c.mentions.append((root.i, names[0].idx, root.idx + len(root.text), len(form.split())))
        for t in range(span.start, span.end):
            self.at_token[t] = idx
        role, aff = self.ctx.descriptor(names[0].i, root.i, titles)
        if role or aff:
            c.roles.append((root.i, role, aff))
        words = {t.text.lower().rstrip(".") for t in titles} | set((role or "").lower().split())
        words.add(honorific(self.ctx.doc, names[0].i))
        if c.gender is None:
            if words & MALE_ROLES:
                c.gender = "m"
            elif words & FEMALE_ROLES:
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
class Context:
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
        self.persons = Persons(self)

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


def tokens_in(doc, spans: list[Span]) -> list:
    out = []
    for sp in spans:
        cs = doc.char_span(sp.start, sp.end, alignment_mode="expand")
        if cs is not None:
            out.extend(t for t in cs if not t.is_space)
    return sorted({t.i: t for t in out}.values(), key=lambda t: t.i)


def root_of(toks):
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


def np_tokens(root, within: Optional[set] = None) -> list:
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


def name_form(names) -> str:
    """A name as the article spells it: "Carlos Lopez-Cantera", not "Carlos Lopez - Cantera"
    (tokens that touch stay joined; a title dropped from between them leaves one space)."""
    out = ""
    for k, t in enumerate(names):
        if k and (names[k - 1].i + 1 != t.i or names[k - 1].whitespace_):
            out += " "
        out += t.text
    return " ".join(out.split())


def np_text(doc, toks, max_words: int = 10) -> str:
    toks = toks[: max_words * 2]
    text = doc.text[toks[0].idx: toks[-1].idx + len(toks[-1].text)]
    words = text.split()
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def aff_match(a: str, b: str) -> bool:
    a, b = norm_key(a), norm_key(b)
    return bool(a and b) and (a in b or b in a or a[:5] == b[:5] and len(a) >= 5 and len(b) >= 5)
