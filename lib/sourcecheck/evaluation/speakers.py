"""Score speaker resolution against PolNeAR-format gold (``sourcecheck evaluate-speakers``).

PolNeAR annotates source *spans*, not entities, so the gold entity behind each
gold source span is derived from the text, by rules that do not use the
resolver under test:

* **named** source (the span contains a PERSON, ORG, GPE or NORP entity or an
  entry of the shipped registry): the gold entity is that name - the one at the
  span's syntactic head, else the one in apposition, else the first. Persons
  are compared by surname (and by first name when both sides have one);
  organisations by normalised name or registry alias.
* **pronoun** source:
  - "I", "we" ... : the named gold source of the gold attribution whose content
    contains the pronoun (the quotation it sits in);
  - "who", "which": the name in the noun phrase the relative clause hangs on;
  - "he", "she", "they", "it": the nearest *preceding gold source span that is
    named* (a person for he/she, not a person for it) within the previous 10
    sentences, skipping a person whose first name is listed with the other
    gender (``constants.FEMALE_FIRST_NAMES`` / ``MALE_FIRST_NAMES``); when no
    named source precedes, the nearest preceding PERSON mention (NER). This is a proxy: the annotated sources form the chain of who is
    speaking, and a pronoun source usually continues it. It is wrong when the
    pronoun refers to someone who has not been a source yet.
* **nominal** source ("the governor", "the campaign"): the nearest preceding
  named gold source whose span contained the same role noun, else - for a
  person role - the nearest preceding named person source (same proxy limits).
* **anonymous** source ("officials", "a senior aide", "many"): correct when the
  resolver types it anonymous. **document** source ("a report", "the poll"):
  correct when typed document (or resolved to the author it names).
* A gold source whose entity cannot be determined this way (no compatible
  antecedent) is counted as *undetermined* and left out of the accuracy.

Two runs per article, both on the same parse:

1. **gold spans**: the resolver gets the gold attributions (converted to
   ``model.Attribution``); accuracy = correct / determined gold sources.
2. **found attributions**: the resolver gets the extractor's attributions;
   each prediction is matched one-to-one to a gold attribution with the
   relaxed criteria of ``evaluation.attribution`` (content overlap >= 0.5 and
   Jaccard >= 0.3, sources sharing a token); accuracy = correct speakers among
   matched pairs whose gold entity is determined.

Numbers are micro-averaged over attributions, reported overall and per source
category (named, pronoun, nominal, anonymous, document).

The proxy for pronoun and nominal sources follows the chain of annotated
speakers and so flatters a resolver that does the same; it was checked by hand
on 100 dev pronoun/nominal sources (``speakers_handcheck_dev.tsv`` beside this
module: the passage read, the verdict). On the 65 judged without having guided
any fix, 78% were resolved to the right entity, against about 83% by the proxy.

Also reported, for the unattributed-assertion list (``claims.unattributed_assertions``
over the found attributions): how many sentences it lists, and how many of
those touch a gold attribution's cue or content, i.e. rest on a source after
all (a missed attribution, not the reporter's own claim).
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional

import numpy as np

from .. import constants as C
from ..model import Attribution, Span
from ..spans import RELAXED_MIN_JACCARD, RELAXED_MIN_OVERLAP, best_pairs
from .attribution import read_jsonl

CATEGORIES = ("named", "pronoun", "nominal", "anonymous", "document")
PRONOUN_WINDOW_SENTENCES = 10
_ALL_PRONOUNS = (C.PRONOUNS_PERSON_MALE | C.PRONOUNS_PERSON_FEMALE | C.PRONOUNS_PLURAL | C.PRONOUNS_NEUTER
                 | C.PRONOUNS_FIRST | C.PRONOUNS_SECOND | C.PRONOUNS_RELATIVE)


# --------------------------------------------------------------------------- gold entities
def gold_attributions(row: dict) -> list[Attribution]:
    """A gold record's attributions as ``model.Attribution`` (ids ``g1``, ``g2`` ... in file order)."""
    text = row["text"]
    out = []
    for n, a in enumerate(row["attributions"], 1):
        spans = {r: [Span.of(text, int(s), int(e)) for s, e in a.get(r, [])] for r in ("source", "cue", "content")}
        quoted = any(ch in text[s.start:s.end] for s in spans["content"] for ch in "\"“”") or "''" in a.get("content_text", "")
        out.append(Attribution(id=f"g{n}", quote_type="direct" if quoted else "indirect", **spans))
    return out


def _span_tokens(doc, spans):
    toks = {}
    for sp in spans:
        cs = doc.char_span(sp.start, sp.end, alignment_mode="expand")
        if cs is not None:
            toks.update({t.i: t for t in cs if not t.is_space and not t.is_punct})
    return [toks[i] for i in sorted(toks)]


def _head(toks):
    ids = {t.i for t in toks}
    roots = [t for t in toks if t.head.i not in ids or t.head.i == t.i]
    return roots[0] if roots else toks[0]


def _name_key(doc, toks, registry) -> Optional[tuple]:
    """(kind, key) of the name in a span: ("person", (first, last)) or ("org", normalised name)."""
    from ..mentions import clean_name as _clean_name
    from ..registry import norm_key as _key

    ids = {t.i for t in toks}
    root = _head(toks)
    reg_hit = None
    for s, e, ent in registry.find(doc.text):
        if s <= root.idx < e:
            reg_hit = ent
            break
    ents = [e for e in doc.ents if e.start in ids or (e.end - 1) in ids]
    ents = [e for e in ents if e.label_ in ("PERSON", "ORG", "GPE", "NORP")]
    if not ents and reg_hit is None and root.is_title and any(c.lower_.rstrip(".") in ("mr", "mrs", "ms", "miss", "dr")
                                                             for c in root.lefts):
        return ("person", ("", root.lower_))  # "Mr. King"
    if not ents and reg_hit is None:
        nouns = C.ANONYMOUS_NOUNS | C.ORG_NOUNS | C.DOCUMENT_NOUNS | set(C.ROLE_NOUNS)
        if (root.pos_ in ("PROPN", "NOUN") and root.is_title and root.is_alpha and root.lower_ not in nouns
                and root.lemma_.lower() not in nouns and not root.is_stop):
            return ("person", ("", root.lower_.replace("’", "'")))  # a capitalised name the recogniser missed
        return None

    def rank(e):
        if e.start <= root.i < e.end:
            return 0
        if e.root.dep_ == "appos" or any(a.dep_ == "appos" for a in e.root.ancestors if a.i in ids):
            return 1
        if e.root.dep_ == "poss":
            return 3
        return 2

    ents = [e for e in ents if rank(e) <= 1]  # a possessor ("Trump's wife") or a modifier is not the source
    if not ents and reg_hit is None:
        return None
    ents.sort(key=lambda e: (rank(e), e.start))
    if reg_hit is not None and (not ents or rank(ents[0]) > 0 or ents[0].label_ != "PERSON"):
        return ("org", _key(reg_hit.name))
    if not ents:
        return ("org", _key(reg_hit.name))
    e = ents[0]
    if e.label_ == "PERSON":
        _, names = _clean_name(list(e))
        if not names:
            return None
        norm = lambda t: t.text.lower().replace("’", "'")  # noqa: E731
        return ("person", (norm(names[0]) if len(names) > 1 else "", norm(names[-1])))
    return ("org", _key(re.sub(r"['’]s?$", "", e.text)))


def _category(root) -> str:
    low, lemma = root.lower_, root.lemma_.lower()
    if low in _ALL_PRONOUNS:
        return "pronoun"
    if root.pos_ == "PRON" or root.pos_ == "DET":  # "those", "some", "anyone"
        return "anonymous"
    if lemma in C.DOCUMENT_NOUNS or lemma in C.CHANNEL_NOUNS:
        return "document"
    if lemma in C.ROLE_NOUNS and root.tag_ not in ("NNS", "NNPS") and not any(
            c.lower_ in ("a", "an", "one", "another") or c.dep_ == "poss" for c in root.children):
        return "nominal"
    if lemma in C.ORG_NOUNS and root.tag_ not in ("NNS", "NNPS") and any(
            c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an") for c in root.children):
        return "nominal"
    return "anonymous"


def gold_entities(doc, atts: list[Attribution], registry) -> dict[str, tuple]:
    """Gold attribution id -> (category, gold entity or None when undetermined). See the module docstring."""
    sent_of = {t.i: n for n, s in enumerate(doc.sents) for t in s}
    info = {}
    named: list[tuple[int, tuple, str]] = []  # (source head token, key, head lemma)
    for a in sorted(atts, key=lambda a: a.source[0].start if a.source else a.start):
        toks = _span_tokens(doc, a.source)
        if not toks:
            continue
        root = _head(toks)
        key = _name_key(doc, toks, registry)
        if key is not None:
            info[a.id] = ("named", key, root)
            named.append((root.i, key, root.lemma_.lower()))
            continue
        cat = _category(root)
        info[a.id] = (cat, None, root)
    out = {}
    for a in atts:
        if a.id not in info:
            continue
        cat, key, root = info[a.id]
        if cat == "pronoun":
            key = _pronoun_gold(doc, a, root, atts, info, named, sent_of, registry)
        elif cat == "nominal":
            prev = [n for n in named if n[0] < root.i and sent_of[root.i] - sent_of[n[0]] <= 40]
            same = [n for n in prev if n[2] == root.lemma_.lower()]
            person_role = root.lemma_.lower() in C.ROLE_NOUNS
            owner = next((c for c in root.children if c.dep_ in ("poss", "compound") and c.ent_type_ == "PERSON"), None)
            if owner is not None and not person_role:  # "Trump's campaign", "the Clinton camp"
                key = ("org", f"{owner.text.lower()} {root.lower_}")
            elif person_role:
                pool = same or [n for n in prev if n[1][0] == "person"]
                key = pool[-1][1] if pool else None
            else:  # "the group", "the campaign": no reliable proxy; only the same noun named before counts
                key = same[-1][1] if same else None
        elif cat in ("anonymous", "document"):
            key = (cat, None)
        out[a.id] = (cat, key)
    return out


def _pronoun_gold(doc, a, root, atts, info, named, sent_of, registry):
    low = root.lower_
    if low in C.PRONOUNS_FIRST:
        for other in atts:
            if other.id != a.id and any(c.start <= root.idx < c.end for c in other.content):
                o = info.get(other.id)
                if o and o[0] == "named":
                    return o[1]
        return None
    if low in C.PRONOUNS_RELATIVE:
        if root.head.dep_ in ("relcl", "acl"):
            ante = root.head.head
            return _name_key(doc, list(ante.subtree)[: max(1, ante.i - ante.left_edge.i + 1)], registry)
        return None
    want_person = low in C.PRONOUNS_PERSON_MALE | C.PRONOUNS_PERSON_FEMALE
    other = C.MALE_FIRST_NAMES if low in C.PRONOUNS_PERSON_FEMALE else C.FEMALE_FIRST_NAMES
    for pos, key, _ in reversed(named):
        if pos >= root.i or sent_of[root.i] - sent_of[pos] > PRONOUN_WINDOW_SENTENCES:
            continue
        if want_person and key[0] == "person" and key[1][0] not in other:
            return key
        if low in C.PRONOUNS_NEUTER and key[0] == "org":
            return key
        if low in C.PRONOUNS_PLURAL and key[0] == "org":
            return key
    if want_person:  # no named source before it: the nearest preceding PERSON mention (NER)
        for e in reversed([e for e in doc.ents if e.label_ == "PERSON" and e.end <= root.i]):
            if sent_of[root.i] - sent_of[e.start] > PRONOUN_WINDOW_SENTENCES:
                break
            return _name_key(doc, list(e), registry)
    return None


def is_correct(gold_key, speaker) -> bool:
    """Whether a resolved ``model.Speaker`` (or None) is the gold entity."""
    from ..registry import norm_key as _key

    if speaker is None:
        return False
    kind, val = gold_key
    if kind in ("anonymous", "document"):
        return speaker.type == kind or (kind == "document" and speaker.type not in ("unresolved", "anonymous"))
    if kind == "person":
        if speaker.type != "person":
            return False
        names = [speaker.name] + list(speaker.aliases)
        for n in names:
            parts = n.lower().replace("’", "'").split()
            if not parts:
                continue
            if parts[-1] == val[1] and (not val[0] or len(parts) == 1 or parts[0] == val[0]):
                return True
            if not val[0] and val[1] in parts:
                return True
        return False
    k = _key(speaker.name)
    cands = {k} | {_key(x) for x in speaker.aliases}
    return any(val == c or (val and c and (val in c or c in val)) for c in cands)


# --------------------------------------------------------------------------- hand-labelled antecedents
#: What a labeller says a pronoun or nominal source is (``scripts/speakers_handcheck.py``).
HANDCHECK_KINDS = ("person", "org", "anonymous", "author", "unclear")
HANDCHECK_COLUMNS = ("n", "article", "source_start", "source", "category", "kind", "name")


def read_handcheck(path) -> list[dict]:
    """The labelled rows of a hand-check TSV; a bad row raises ``EvaluationError`` naming the file and line."""
    from ..errors import EvaluationError

    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot read the hand-check file ({exc.strerror})") from exc
    out, header = [], None
    for no, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            missing = [c for c in HANDCHECK_COLUMNS if c not in header]
            if missing:
                raise EvaluationError(f"{path}: line {no}: the header lacks {', '.join(missing)}")
            continue
        row = dict(zip(header, cells + [""] * (len(header) - len(cells))))
        row["line"] = no
        kind, name = row["kind"].strip(), row["name"].strip()
        if kind not in HANDCHECK_KINDS:
            raise EvaluationError(f"{path}: line {no}: kind {kind!r} is not one of {', '.join(HANDCHECK_KINDS)}")
        if kind in ("person", "org") and not name:
            raise EvaluationError(f"{path}: line {no}: a {kind} needs its name")
        if not row["source_start"].strip().isdigit():
            raise EvaluationError(f"{path}: line {no}: source_start {row['source_start']!r} is not an offset")
        row.update(kind=kind, name=name, source_start=int(row["source_start"]))
        out.append(row)
    if header is None:
        raise EvaluationError(f"{path}: no header line")
    return out


def handcheck_key(kind: str, name: str) -> Optional[tuple]:
    """The labelled entity as a gold key :func:`is_correct` reads (None: nothing to score)."""
    from ..mentions import HONORIFICS
    from ..registry import norm_key as _key

    if kind == "person":
        parts = [w for w in re.sub(r"[,()]", " ", name).replace("’", "'").lower().split()
                 if w.rstrip(".") not in HONORIFICS and w.rstrip(".") not in C.NAME_TITLES
                 and w.rstrip(".") not in ("jr", "sr", "ii", "iii")]
        parts = [p for p in parts if len(p.rstrip(".")) > 1]  # middle initials
        if not parts:
            return None
        return ("person", (parts[0] if len(parts) > 1 else "", parts[-1]))
    if kind == "org":
        return ("org", _key(name))
    if kind == "anonymous":
        return ("anonymous", None)
    return None


def _org_words(name: str) -> set:
    """An organisation's name as a set of words, possessives and "the" dropped: "Hillary Clinton's campaign"
    -> {hillary, clinton, campaign}."""
    from ..registry import norm_key as _key

    return set(re.sub(r"'s\b", "", _key(name)).split()) - {"the", "of"}


def handcheck_correct(key: tuple, speaker) -> bool:
    """A labelled entity against the resolver's speaker; an anonymous source is right when no one is named for it.

    An organisation is right when all the words of the resolved name are in the label's or the other way round,
    sharing at least two ("Clinton campaign" for "Hillary Clinton's campaign", not "campaign" alone).
    """
    if key[0] == "anonymous":
        return speaker is None or speaker.type in ("anonymous", "unresolved", "document")
    if key[0] != "org":
        return is_correct(key, speaker)
    if speaker is None or speaker.type in ("person", "unresolved", "anonymous"):
        return False
    label = _org_words(key[1])
    for n in [speaker.name, *speaker.aliases]:
        got = _org_words(n)
        if (got <= label or label <= got) and (got == label or len(got & label) >= 2):  # not "campaign" alone
            return True
    return False


def evaluate_handcheck(gold_path, handcheck_path, nlp=None, resamples: int = 2000, docs: Optional[dict] = None) -> dict:
    """The resolver, given the gold attributions, scored on hand-labelled antecedents.

    Accuracy over labelled person/org/anonymous sources, overall and per category, with a
    95% interval from resampling articles; ``author`` and ``unclear`` rows are counted and left out.
    ``docs`` (article id -> parsed Doc of the same text) skips parsing those articles.
    """
    from ..article import article_from_text
    from ..errors import EvaluationError
    from ..nlp import load_pipeline
    from ..speakers import load_registry, resolve_speakers

    labels = read_handcheck(handcheck_path)
    rows = {r["id"]: r for r in read_jsonl(gold_path)}
    missing = sorted({lab["article"] for lab in labels} - set(rows))
    if missing:
        raise EvaluationError(f"{handcheck_path}: articles not in {gold_path}: {', '.join(missing[:5])}")
    nlp = nlp or load_pipeline()
    registry = load_registry()
    by_article = defaultdict(list)
    for lab in labels:
        by_article[lab["article"]].append(lab)
    scored, skipped, details = [], Counter(), []
    for art, labs in by_article.items():
        row = rows[art]
        gold = gold_attributions(row)
        doc = docs.get(art) if docs else None
        if doc is None or doc.text != row["text"]:
            doc = nlp(row["text"])
        res = resolve_speakers(article_from_text(row["text"], slug=art), doc, gold, registry)
        spk = {s.id: s for s in res.speakers}
        at = {a.source[0].start: a for a in gold if a.source}
        for lab in labs:
            a = at.get(lab["source_start"])
            if a is None:
                raise EvaluationError(f"{handcheck_path}: line {lab['line']}: article {art} has no gold source "
                                      f"starting at {lab['source_start']}")
            key = handcheck_key(lab["kind"], lab["name"])
            if key is None:
                skipped[lab["kind"]] += 1
                continue
            s = spk.get(res.by_attribution[a.id].speaker_id)
            ok = handcheck_correct(key, s)
            scored.append((lab["category"], ok, art))
            details.append({"line": lab["line"], "article": art, "source": lab["source"], "label": lab["name"] or lab["kind"],
                            "resolved": s.name if s else None, "type": s.type if s else None,
                            "method": res.by_attribution[a.id].method, "correct": ok})
    rng = np.random.default_rng(0)

    def acc(items) -> dict:
        if not items:
            return {"n": 0, "accuracy": None}
        arts = sorted({a for _, _, a in items})
        per = np.array([[sum(ok for _, ok, a2 in items if a2 == a), sum(1 for *_, a2 in items if a2 == a)] for a in arts])
        draws = per[rng.integers(0, len(per), (resamples, len(per)))].sum(axis=1)
        boots = draws[:, 0] / draws[:, 1]
        right, n = per.sum(axis=0)
        return {"n": int(n), "correct": int(right), "accuracy": round(float(right / n), 4),
                "interval": [round(float(np.quantile(boots, 0.025)), 4), round(float(np.quantile(boots, 0.975)), 4)]}

    cats = sorted({c for c, _, _ in scored})
    return {"gold": str(gold_path), "handcheck": str(handcheck_path), "overall": acc(scored),
            "by_category": {c: acc([x for x in scored if x[0] == c]) for c in cats},
            "left_out": dict(skipped), "sources": details}


def format_handcheck(result: dict) -> str:
    o = result["overall"]
    lines = [f"hand-labelled antecedents ({result['handcheck']}): {o.get('correct', 0)}/{o['n']} right"
             + (f" = {o['accuracy']:.0%} (95% {o['interval'][0]:.0%}–{o['interval'][1]:.0%})" if o["n"] else "")]
    for c, v in result["by_category"].items():
        lines.append(f"  {c:8s} {v.get('correct', 0)}/{v['n']} = {v['accuracy']:.0%}")
    if result["left_out"]:
        lines.append("  left out: " + ", ".join(f"{k} {v}" for k, v in sorted(result["left_out"].items())))
    return "\n".join(lines)


# --------------------------------------------------------------------------- matching predictions to gold
def _tokset(text, spans):
    out = set()
    for s in spans:
        for m in re.finditer(r"\w+", text[s.start:s.end]):
            out.add(s.start + m.start())
    return out


def match_found(text: str, gold: list[Attribution], pred: list[Attribution]) -> list[tuple[Attribution, Attribution]]:
    """One-to-one (pred, gold) pairs with the relaxed criteria of ``evaluation.attribution``."""
    G = [(_tokset(text, g.content), _tokset(text, g.source)) for g in gold]
    P = [(_tokset(text, p.content), _tokset(text, p.source)) for p in pred]
    w = np.zeros((len(P), len(G)))
    for i, (pc, ps) in enumerate(P):
        for j, (gc, gs) in enumerate(G):
            inter = len(pc & gc)
            if not inter or inter / min(len(pc), len(gc)) < RELAXED_MIN_OVERLAP or inter / len(pc | gc) < RELAXED_MIN_JACCARD:
                continue
            if gs and not (ps & gs):
                continue
            if not gs and ps:
                continue
            w[i, j] = 1.0 + inter / len(pc | gc)
    return [(pred[i], gold[j]) for i, j in best_pairs(w)]


# --------------------------------------------------------------------------- the run
def evaluate(gold_path, limit: Optional[int] = None, nlp=None, progress: bool = False, found: bool = True,
             examples: int = 0) -> dict:
    from ..article import article_from_text
    from ..nlp import load_pipeline
    from ..speakers import load_registry, resolve_speakers

    rows = read_jsonl(gold_path, limit)
    nlp = nlp or load_pipeline()
    registry = load_registry()
    counts = {"gold": defaultdict(Counter), "found": defaultdict(Counter)}
    methods = Counter()
    errors = []
    t_resolve = 0.0
    n_found_pairs = 0
    n_pred = 0
    unattributed = Counter()
    for n, row in enumerate(rows, 1):
        text = row["text"]
        if len(text) >= nlp.max_length:
            nlp.max_length = len(text) + 1
        doc = nlp(text)
        article = article_from_text(text, slug=str(row.get("id", n)))
        gold = gold_attributions(row)
        truth = gold_entities(doc, gold, registry)
        t0 = time.perf_counter()
        res = resolve_speakers(article, doc, gold, registry)
        t_resolve += time.perf_counter() - t0
        spk = {s.id: s for s in res.speakers}
        for a in gold:
            if a.id not in truth:
                continue
            cat, key = truth[a.id]
            asg = res.by_attribution[a.id]
            methods[asg.method] += 1
            _count(counts["gold"], cat, key, spk.get(asg.speaker_id), asg)
            if key is not None and not is_correct(key, spk.get(asg.speaker_id)) and len(errors) < examples:
                s = spk.get(asg.speaker_id)
                errors.append({"article": row.get("id"), "category": cat, "source": a.source_text, "gold": key,
                               "resolved": s.name if s else None, "type": s.type if s else None, "method": asg.method,
                               "context": text[max(0, a.source[0].start - 200): a.source[0].end + 40]})
        if found:
            from ..attribution import extract_attributions

            pred = extract_attributions(doc)
            n_pred += len(pred)
            pres = resolve_speakers(article, doc, pred, registry)
            pspk = {s.id: s for s in pres.speakers}
            from ..claims import unattributed_assertions

            gold_spans = [(sp.start, sp.end) for g in gold for sp in g.cue + g.content]
            for sp in unattributed_assertions(doc, pred):
                unattributed["listed"] += 1
                if any(s < sp.end and e > sp.start for s, e in gold_spans):
                    unattributed["overlap_gold_attribution"] += 1
            for p, g in match_found(text, gold, pred):
                n_found_pairs += 1
                if g.id not in truth:
                    continue
                cat, key = truth[g.id]
                asg = pres.by_attribution[p.id]
                _count(counts["found"], cat, key, pspk.get(asg.speaker_id), asg)
        if progress and n % 10 == 0:
            print(f"  {n}/{len(rows)} articles", file=sys.stderr, flush=True)
    result = {
        "gold": str(gold_path),
        "articles": len(rows),
        "gold_spans": _summary(counts["gold"]),
        "methods_on_gold_spans": dict(methods.most_common()),
        "resolve_seconds": round(t_resolve, 2),
    }
    if found:
        result["found_attributions"] = _summary(counts["found"])
        result["found_attributions"]["matched_pairs"] = n_found_pairs
        result["found_attributions"]["predicted"] = n_pred
        result["unattributed_assertions"] = {
            "listed": unattributed["listed"],
            "overlap_gold_attribution": unattributed["overlap_gold_attribution"],
            "share_attributed_in_gold": round(unattributed["overlap_gold_attribution"] / unattributed["listed"], 4)
            if unattributed["listed"] else None,
        }
    if examples:
        result["errors"] = errors
    return result


def _count(c, cat, key, speaker, asg) -> None:
    c[cat]["n"] += 1
    if key is None:
        c[cat]["undetermined"] += 1
        return
    c[cat]["determined"] += 1
    if is_correct(key, speaker):
        c[cat]["correct"] += 1
    if not asg.resolved:
        c[cat]["unresolved"] += 1


def _summary(c) -> dict:
    out = {}
    tot = Counter()
    for cat in CATEGORIES:
        v = c.get(cat, Counter())
        tot.update(v)
        out[cat] = _acc(v)
    out["overall"] = _acc(tot)
    pn = c.get("pronoun", Counter()) + c.get("nominal", Counter())
    out["pronoun_and_nominal"] = _acc(pn)
    return out


def _acc(v) -> dict:
    d = v.get("determined", 0)
    return {"accuracy": round(v.get("correct", 0) / d, 4) if d else None, "correct": v.get("correct", 0),
            "determined": d, "undetermined": v.get("undetermined", 0), "unresolved": v.get("unresolved", 0)}


def format_report(result: dict) -> str:
    lines = [f"{result['gold']}: {result['articles']} articles"]
    for run in ("gold_spans", "found_attributions"):
        if run not in result:
            continue
        r = result[run]
        head = f"{run}:" + (f" ({r['matched_pairs']} of {r['predicted']} predicted attributions matched to gold)" if run == "found_attributions" else "")
        lines.append(head)
        lines.append(f"  {'category':<22}{'accuracy':>9}{'correct':>9}{'scored':>8}{'undet.':>8}{'unresolved':>11}")
        for cat in (*CATEGORIES, "pronoun_and_nominal", "overall"):
            v = r[cat]
            acc = f"{v['accuracy']:.3f}" if v["accuracy"] is not None else "-"
            lines.append(f"  {cat:<22}{acc:>9}{v['correct']:>9}{v['determined']:>8}{v['undetermined']:>8}{v['unresolved']:>11}")
    ua = result.get("unattributed_assertions")
    if ua:
        lines.append(f"unattributed assertions listed (with found attributions): {ua['listed']}; "
                     f"{ua['overlap_gold_attribution']} of them ({ua['share_attributed_in_gold']}) touch a gold attribution")
    lines.append(f"resolution methods on gold spans: {result['methods_on_gold_spans']}")
    lines.append(f"resolution time: {result['resolve_seconds']} s (gold spans)")
    return "\n".join(lines)


def run_cli(args) -> int:
    """Entry point for ``sourcecheck evaluate-speakers`` (args: gold, json, limit, handcheck)."""
    if getattr(args, "handcheck", None):
        result = evaluate_handcheck(args.gold, args.handcheck)
        print(format_handcheck(result))
    else:
        result = evaluate(args.gold, limit=getattr(args, "limit", None), progress=True)
        print(format_report(result))
    out = getattr(args, "json", None)
    if out:
        Path(out).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        print(f"\nwrote {out}")
    return 0
