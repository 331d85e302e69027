"""Attributions: who (source) said (cue) what (content).

Scope follows PolNeAR: direct, indirect and mixed quotes, "according to X",
colon and dash attributions, statements of documents and polls, beliefs and
intentions, quotes interrupted by their cue, multi-sentence and open quotes,
coordinated statements sharing a source, and attributions with no named source.

How it works (one spaCy parse, one span-tagger pass over the article, one
role-encoder pass per attribution kept):

1. ``find_quotes`` pairs quotation marks on the *characters* of the text
   (curly, straight and NYT-style ``''``), with context rules for direction and
   for a quotation left open at a paragraph end; spaCy's quote tags are not used
   (it tags the apostrophe in ``Democrats’`` as a quote).
2. A linear-chain CRF (python-crfsuite) tags cue tokens sentence by sentence,
   from word, lemma, part of speech, dependency and quotation features, plus
   parse rules for cues it misses (a speech verb with a clausal complement,
   a clause-initial ``In a CNN poll, ...``).
3. For each cue, a second CRF tags source and content tokens in a window (the
   cue's sentence, widened to whole quotations and past a closing colon),
   from each token's place in the parse relative to the cue (subject of the cue
   verb, its complement, the subject of the verb it is coordinated with...);
   a source it leaves out is taken from the parse (the cue's subject, the
   object of ``according to``, the subject of ``In describing X, Cuban said``,
   a name the parser hung on an interrupting phrase: ``Trump, speaking later, did not mention``).
   Both CRFs also read the span tagger: all-MiniLM-L6-v2 fine-tuned on PolNeAR
   train (``scripts/train_tagger.py``, run in onnxruntime) gives every token a
   probability of lying inside a cue, a source and a content, from the words in
   context; the CRFs see them in tenths, next to the parse.
4. A ranker (a maximum-entropy classifier, also python-crfsuite) decides which
   candidates are attributions, from the cue tagger's confidence, the span
   tagger's mean probabilities over the candidate's cue, source and content, the cue word
   and its place in the parse, what the role tagger found (a named source? a
   quotation? how long a content?) and the competition (a more confident cue
   claiming the same content). Candidates include tokens the cue tagger labels
   "not a cue" but does not rule out, so the ranker can recover them.
5. The role encoder (``roles``) reads a window around each attribution kept, with its cue
   marked, and gives that cue's source and content from the words in context; its content
   replaces the role CRF's and its source fills one the CRF left empty (``with_roles`` says
   when the CRF's reading stays). The span tagger sees which words are *a* source or
   content; the encoder, told the cue, which are *this* cue's. Then no content runs on into
   another statement (``cut_nested``) and a quotation
   that runs on into the next sentence joins the statement before (``continued_quotes``).
6. Spans are built on character offsets of the unchanged text; quote type and
   kind (statement / document / belief) are derived from them.

The span tagger is trained by ``scripts/train_tagger.py``, the CRFs and the ranker on
its out-of-fold probabilities by ``scripts/train_attribution.py`` (``make tagger``), the
role encoder by ``scripts/train_roles.py`` (``make roles``), all on PolNeAR train; the
model files live in ``sourcecheck/data/``.

Layout: ``parse`` (quotations, the parse as arrays), ``taggers`` (the two CRFs and the
span tagger), ``rules`` (the parse's fallbacks and line-shape rules), ``candidates``
(one cue to one attribution's fields), ``ranker`` (which candidates are attributions),
``roles`` (the role encoder); this module runs them in order.
"""
from __future__ import annotations

import re
from typing import Optional

from .. import constants as C
from ..model import Attribution, Span, attribution_id, dedupe_ids
from ..spans import token_set, tokenize
from . import roles
from .candidates import build_fields
from .parse import Parse, anchor, find_quotes, tokens_in
from .ranker import RANK_MODEL, candidate_features, rank, ranker_examples
from .rules import colon_lines, dash_attributions
from .taggers import CUE_MODEL, ROLE_MODEL, TAGGER_DIR, load_crf, read_doc, span_tagger, training_sequences

__all__ = [
    "CUE_MODEL", "RANK_MODEL", "ROLE_MODEL", "TAGGER_DIR", "cut_nested", "extract_attributions", "extract_from_text",
    "find_quotes", "load_models", "one_per_statement", "ranker_examples", "release_models", "span_tagger",
    "training_sequences",
]


def extract_attributions(doc, threshold: Optional[float] = None) -> list[Attribution]:
    """Every attribution in a parsed article (``sourcecheck.nlp.parse(text)``), sorted by start.

    ``threshold`` is the least ranker probability an attribution needs (default
    ``constants.ATTRIBUTION_THRESHOLD``): lower finds more and is wrong more often. A cue
    the cue tagger is sure of (``constants.CUE_TRUSTED_PROBABILITY``) is kept whatever the
    ranker says. ``confidence`` is the ranker's probability; the two line-shape rules
    (``"..." — Name`` and ``Name: ...``) have no ranker behind them and carry 0.5.
    """
    text = doc.text
    if not text.strip() or len(doc) == 0:
        return []
    ranker = load_crf(str(RANK_MODEL))
    P = read_doc(doc)
    keep = C.ATTRIBUTION_THRESHOLD if threshold is None else threshold
    scorable = "Y" in ranker.labels()  # a ranker trained on data without a single attribution cannot say yes
    found = []
    for fields, feats in candidate_features(P, load_crf(str(CUE_MODEL)), load_crf(str(ROLE_MODEL)), C.CUE_THRESHOLD, C.CUE_CANDIDATE_FLOOR):
        score = rank(ranker, feats) if scorable else 0.0
        if score >= keep or (feats.get("o=crf") and feats["prob"] >= C.CUE_TRUSTED_PROBABILITY):
            found.append(dict(fields, confidence=round(score, 3)))
    found = one_per_statement(text, found)
    for src, cue, con in dash_attributions(P) + colon_lines(P):
        fields = build_fields(P, cue[0], src, cue, con, punct=False)
        same = [k for k, x in enumerate(found) if x["cue"][0].start <= P.idx[cue[0]] < x["cue"][0].end]
        if fields is None:
            continue
        if same:
            # the ranker kept this colon too, with a content cut at the sentence end: an
            # answer in a transcript runs to the next marker, as the line rule reads it
            x = found[same[0]]
            if x["cue"][0].text == ":" and _within(x["content"], fields["content"]):
                found[same[0]] = dict(fields, confidence=x["confidence"])
            continue
        found.append(dict(fields, confidence=0.5))
    if USE_ROLES:
        found = with_roles(P, found)
    found = cut_nested(text, found)
    found = continued_quotes(P, found)
    found.sort(key=lambda x: (min(s.start for s in x["source"] + x["cue"] + x["content"]), x["cue"][0].start))
    ids = dedupe_ids([attribution_id(text, x["content"], x["source"]) for x in found])
    return [Attribution(id=i, **x) for i, x in zip(ids, found)]


#: Off only to measure what the role encoder adds (``scripts/heldout_attribution.py --no-roles``).
USE_ROLES = True
#: The encoder's content replaces the CRF's only when its wordpieces' mean probability is at
#: least this: on a short text with little context ("He fears that the deal will collapse.") it
#: is unsure (.3-.5) and gives fragments ("deal"). On held-out train against no such floor:
#: relaxed F1 +.003 (-.002 to +.007), cue exact +.003; .6 did the same.
CONTENT_SURE = 0.7


def with_roles(P: Parse, found: list[dict]) -> list[dict]:
    """Each attribution's content as the role encoder reads it for its cue (``roles``), in place
    of the role CRF's, and a source where the CRF found none.

    * The CRF's content stays where the encoder finds none, or is unsure of it (``CONTENT_SURE``),
      and where the encoder's window does not reach (the start of a long quotation).
    * A content the encoder runs into another statement's words or cue goes back to the CRF's.
    * The CRF's source stays: the encoder's differed from it about as often right as wrong on
      held-out train, and now and then took a name from the next paragraph ("Carla Diaz said
      ... David Chen said ..."); preferring the encoder's cost .004 source token F1 (-.014 to
      +.021). Where the CRF has none, the encoder's most probable run is the source.

    On held-out train (train[740:], every model trained on train[:740]) against the role CRF
    alone: relaxed F1 .759 -> .776, content token F1 .904 -> .917, cue exact .716 -> .724,
    source token .787 -> .790 (``README``). Run after the ranker's choice and before
    ``cut_nested``, so that no content runs on into another statement.
    """
    if not found:
        return found
    got = roles.role_encoder().roles(P.text, [[(sp.start, sp.end) for sp in x["cue"]] for x in found])

    def toks(spans) -> list[int]:
        return tokens_in(P, [(sp.start, sp.end) for sp in spans])

    out = []
    for x, r in zip(found, got):
        cue = toks(x["cue"])
        con = [i for i in tokens_in(P, r.content) if i not in cue] if r and cue and r.sure >= CONTENT_SURE else []
        if not con:
            out.append(x)
            continue
        lo, hi = r.window
        con = sorted(set(con) | {i for i in toks(x["content"]) if (P.end[i] <= lo or P.idx[i] >= hi) and i not in cue})
        src = [i for i in toks(x["source"]) if i not in cue and i not in con]
        if not src:
            runs = [[i for i in tokens_in(P, [run]) if i not in cue and i not in con] for run in r.sources]
            src = next((run for run in runs if run), [])
        fields = build_fields(P, anchor(P, cue), src, cue, con, punct=True)
        out.append(x if fields is None else dict(fields, confidence=x["confidence"]))
    # a content the encoder runs into another statement's words or cue goes back to the CRF's reading
    contents = [set(toks(x["content"])) for x in out]
    taken = [contents[k] | set(toks(x["cue"])) for k, x in enumerate(out)]
    for k, (x, old) in enumerate(zip(out, found)):
        if x is not old and contents[k] & set().union(*(taken[j] for j in range(len(out)) if j != k)):
            out[k] = dict(x, content=old["content"], quote_type=old["quote_type"])
    return out


#: Candidates whose content tokens overlap at least this much (Jaccard) are one statement,
SAME_STATEMENT_JACCARD = 0.8
#: and so are two whose cues touch ("said Thursday") when this share of the shorter
#: content lies in the other.
SAME_CUE_OVERLAP = 0.8


def one_per_statement(text: str, found: list[dict]) -> list[dict]:
    """Keep one attribution per statement: of candidates with (nearly) the same content,
    the most confident. Two cues for one content are nearly always one cue read twice
    ("who said Thursday that...", once with the cue "Thursday", its content running on
    to the end of the sentence): in PolNeAR train 5 of 19,832 attributions share their
    content with another one's.

    Measured on held-out train articles (train[740:], models trained on the rest): the
    relaxed score's own content condition merged nested statements too ("X said that Y
    claimed Z") and cost .021 recall for .033 precision; Jaccard 0.8 gained .003 relaxed
    F1 (paired 95% interval -.000 to +.006); merging every content that holds another
    (unless a cue lies in the other's content) lost .007 (-.012 to -.001); touching cues
    on top of Jaccard 0.8 (the "said Thursday" case) gained .001 (-.001 to +.003) and
    .002 cue exact F1 (+.001 to +.003)."""
    if len(found) < 2:
        return found
    tokens = tokenize(text)
    starts = [t[0] for t in tokens]

    def toks(spans) -> frozenset:
        return token_set([(sp.start, sp.end) for sp in spans], tokens, starts)

    def touching(a: dict, b: dict) -> bool:
        return any(x.start <= y.end + 1 and y.start <= x.end + 1 for x in a["cue"] for y in b["cue"])

    kept: list[tuple[dict, frozenset]] = []
    for x in sorted(found, key=lambda x: -x["confidence"]):
        con = toks(x["content"])
        same = any(
            len(con & c) >= SAME_STATEMENT_JACCARD * len(con | c)
            or (touching(x, y) and len(con & c) >= SAME_CUE_OVERLAP * min(len(con), len(c)))
            for y, c in kept
        )
        if con and not same:
            kept.append((x, con))
    return [x for x, _ in kept]


#: What may be left at the end of a content cut before a nested statement: the comma or dash
#: before "who said", spaces, an opening quotation mark, a conjunction ("... and made comments about").
_CUT_TAIL = re.compile(r"(?:[\s,;:—–(“‘-]|\b(?:and|but|or|nor|while|when|as|by|though|although|because|if|after|before|since|including|whereas)\b)+$", re.IGNORECASE)


def cut_nested(text: str, found: list[dict]) -> list[dict]:
    """No content runs on into another attribution: it ends where the other statement begins.

    "The comments echoed those of the president, who said Thursday that he accepted ..." read
    with one content for "echoed" gives the first speaker the president's words, and a reader sees
    one statement twice; "said the tax was unfair, adding that ..." gives the first cue both
    statements. A content that holds another attribution's cue is cut before that attribution's
    source, when the source lies inside the content, or else before its cue, and loses the comma
    or conjunction left at its end. A content that is wholly another statement ("CNN reported the
    council said ...") is left whole: nothing would be left before the cut.

    PolNeAR annotates no statement inside another's content (no cue of train lies in another
    attribution's content). Measured with the shipped models on train articles (which they saw; a
    rule, not a model, is being judged): on train[501:700] relaxed F1 +.001 (paired 95% interval
    -.001 to +.004), without the source condition +.003 (+.001 to +.006), cue exact F1 -.004 (-.007
    to -.002: an aligned pair can change); on train[740:] +.003 (-.002 to +.007), +.005 (+.002 to
    +.009), -.003 (-.007 to -.001). Dropping the inner statement of a content that is wholly one,
    as PolNeAR does, was no better (cue exact -.007) and hides who said it; cutting only for inner
    statements the ranker is at least 60% sure of halved both the gains and the losses.
    """
    if len(found) < 2:
        return found
    cut: dict[int, int] = {}
    for i, x in enumerate(found):
        lo = min(sp.start for sp in x["content"])
        for j, y in enumerate(found):
            c = y["cue"][0].start
            if j == i or not any(sp.start <= c < sp.end for sp in x["content"]):
                continue
            inside = [sp.start for sp in y["source"] if lo <= sp.start < c]
            at = min(inside) if inside else c
            if len(_CUT_TAIL.sub("", text[lo:at]).split()) >= 2:
                cut[i] = min(cut.get(i, at), at)
    out = []
    for i, x in enumerate(found):
        if i in cut:
            at = cut[i]
            kept = [sp for sp in x["content"] if sp.end <= at]
            part = next((sp for sp in x["content"] if sp.start < at < sp.end), None)
            if part is not None:  # the span the cut falls in loses the comma or conjunction left at its end
                e = part.start + len(_CUT_TAIL.sub("", text[part.start:at]))
                if e > part.start:
                    kept.append(Span.of(text, part.start, e))
            x = dict(x, content=kept)
        out.append(x)
    return out


#: A sentence that opens a quotation, or opens with "But"/"And" and quotes further on.
_CONTINUATION = re.compile(r"(?:[“\"]|(?:But|And)\b[^“\"\n]*[“\"])")


def continued_quotes(P: Parse, found: list[dict]) -> list[dict]:
    """A quotation that runs on into the next sentence without a cue of its own belongs to the statement before.

    "“We agree with the proposals to stop the hostilities,” Putin said in a speech. But only if it
    leads “to long-term peace and eliminate the root causes of this crisis.”" The role tagger's window
    already reads on into quoted sentences (``parse.cue_window``); this takes what it leaves out. A
    sentence that no attribution touches becomes another part of the content of the attribution
    with a cue or content in the sentence before it (the last one there). In PolNeAR train, of the
    sentences that open a quotation (or open with "But"/"And" and quote) right after a sentence with
    a cue, and hold no cue themselves, 1,227 belong to the content of an attribution of the sentence
    before, 431 to another attribution's, 27 to none.
    """
    text = P.text
    sents = [(P.idx[s], P.end[e - 1]) for s, e in P.sents]
    out = list(found)
    for (pa, pb), (a, b) in zip(sents, sents[1:]):
        raw = text[a:b]
        body = raw.strip()
        if not body or not _CONTINUATION.match(body):
            continue
        if any(sp.start < b and a < sp.end for x in out for sp in x["source"] + x["cue"] + x["content"]):
            continue
        before = [k for k, x in enumerate(out) if any(pa <= sp.start < pb for sp in x["cue"] + x["content"])]
        if not before:
            continue
        k = max(before, key=lambda j: max(sp.end for sp in out[j]["cue"] + out[j]["content"] if sp.start < pb))
        start = a + len(raw) - len(raw.lstrip())
        out[k] = dict(out[k], content=out[k]["content"] + [Span.of(text, start, start + len(body))])
    return out


def _within(inner, outer) -> bool:
    """Every span of ``inner`` lies inside ``outer``'s extent, and ``outer`` is longer."""
    lo, hi = min(sp.start for sp in outer), max(sp.end for sp in outer)
    return all(lo <= sp.start and sp.end <= hi for sp in inner) and sum(sp.end - sp.start for sp in inner) < hi - lo


def load_models() -> None:
    """Load the span tagger, the CRFs and the role encoder now (else at the first extraction), e.g. while something else runs."""
    for model in (RANK_MODEL, CUE_MODEL, ROLE_MODEL):
        load_crf(str(model))
    span_tagger()
    roles.role_encoder()


def release_models() -> None:
    """Free the span tagger, the CRFs and the role encoder (they load again on the next extraction)."""
    import gc

    span_tagger.cache_clear()
    roles.role_encoder.cache_clear()
    load_crf.cache_clear()
    gc.collect()


def extract_from_text(text: str, nlp=None) -> list[Attribution]:
    """Parse ``text`` with the shared pipeline and extract its attributions."""
    from ..nlp import parse

    return extract_attributions(parse(text, nlp))
