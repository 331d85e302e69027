"""The models that label tokens: the cue CRF, the role CRF and the encoder span tagger.

The CRFs (python-crfsuite) read the parse (``cue_features``, ``role_features``) and the
span tagger's probabilities: all-MiniLM-L6-v2 fine-tuned on PolNeAR train
(``scripts/train_tagger.py``), run in onnxruntime, gives every wordpiece a probability of
lying inside a cue, a source and a content; ``span_probabilities`` turns them into tenths
(``BINS``) per spaCy token. ``training_sequences`` builds the CRFs' training data with the same code.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np

from .. import constants as C
from ..encoder import pool_to_tokens
from ..errors import EncoderError, ModelNotInstalledError
from .parse import CONTENT_DEPS, KID_DEPS, Parse, anchor, bucket, cue_window, tokens_in
from .rules import rule_cue

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CUE_MODEL = DATA_DIR / "attribution-cue.crfsuite"
ROLE_MODEL = DATA_DIR / "attribution-role.crfsuite"
TAGGER_DIR = DATA_DIR / "attribution_tagger"

#: Windows per onnxruntime call. A long article is dozens of 256-wordpiece windows, and 32
#: at once grew the session's memory arena by hundreds of MB in a batch worker; at 4 the
#: speed is the same.
TAGGER_BATCH = 4
#: The CRFs read each of the tagger's probabilities cut into this many equal bins (tenths). On
#: held-out train[740:] tenths against fifths: cue exact F1 .705 -> .716, source token .782 -> .787,
#: relaxed .755 -> .759 (none clear of zero alone); twentieths gained nothing more.
BINS = 10
TAGGER_REBUILD = "rebuild it with `make tagger` (training environment: `make train-env`)"

#: Where the span tagger's probabilities come from: None runs the shipped model; training
#: and held-out scoring set a function ``text -> (wordpiece offsets (n, 2), probabilities
#: (n, 3))`` over probabilities computed out of fold, or one returning None (no tagger).
tagger_source: Optional[Callable[[str], Optional[tuple]]] = None

#: words whose form is a role-tagger feature (content words are left out: they overfit)
_FUNCTION_WORDS = frozenset(
    """a an the this that these those he she it they we i you his her its their our my your him them us me
    who whom which what whose when where why how and or but nor so yet if as than because while although
    of in on at by for with from to into about over under after before during since through against
    is are was were be been being has have had do does did will would shall should can could may might must
    not no n't 's ' '' " “ ” ‘ ’ , . : ; ! ? - — – ( ) [ ]
    said says say told according statement interview report reported added""".split()
)


@functools.lru_cache(maxsize=1)
def span_tagger():
    """The shipped span tagger (an :class:`~sourcecheck.encoder.Encoder` over its own ONNX
    model, three logits per wordpiece), files checked once per process."""
    from ..encoder import REBUILD, Encoder, verify_files

    manifest = verify_files(TAGGER_DIR, "attribution span tagger", TAGGER_REBUILD)
    try:
        tagger = Encoder(TAGGER_DIR / "model.onnx", TAGGER_DIR / "tokenizer.json", verify=False)
    except EncoderError as exc:  # the encoder's message names the encoder's rebuild command
        raise EncoderError(str(exc).replace(REBUILD, TAGGER_REBUILD)) from exc
    tagger.manifest = manifest
    tagger.hidden = len(manifest.get("labels", ("cue", "source", "content")))
    tagger.batch = TAGGER_BATCH
    return tagger


def read_doc(doc) -> Parse:
    """The parse with the span tagger's probabilities, as every extraction and training step reads it."""
    P = Parse(doc)
    P.enc = span_probabilities(P)
    return P


def span_probabilities(P: Parse) -> Optional[list[tuple[int, int, int]]]:
    """Per token, the span tagger's (cue, source, content) probabilities in ``BINS`` bins (0-9),
    each the mean over the token's wordpieces; None when ``tagger_source`` gives none."""
    if P.n == 0:
        return None
    if tagger_source is not None:
        got = tagger_source(P.text)
        if got is None:
            return None
        offsets, probs = np.asarray(got[0]), np.asarray(got[1], dtype=np.float32)
    else:
        tv = span_tagger().token_vectors(P.text)
        offsets, probs = tv.offsets, 1.0 / (1.0 + np.exp(-tv.vectors))
    means = pool_to_tokens(np.asarray(offsets).reshape(-1, 2), probs, P.idx, P.end)
    return [tuple(int(x) for x in row) for row in to_bins(means)]


def to_bins(probs: np.ndarray) -> np.ndarray:
    """Probabilities (any shape) as the bins the CRFs read: 0 to ``BINS - 1``."""
    return np.minimum((np.asarray(probs) * BINS).astype(np.int64), BINS - 1)


def mean_prob(P, toks, k: int) -> float:
    """Mean span-tagger bin (0-9) of label ``k`` over ``toks``, scaled to 0-1."""
    toks = [i for i in toks if not P.space[i]]
    if P.enc is None or not toks:
        return 0.0
    return sum(P.enc[i][k] for i in toks) / ((BINS - 1.0) * len(toks))


def _cue_features(P: Parse, start: int, end: int) -> list[list[str]]:
    lower, lemma, pos, dep, qid = P.lower, P.lemma, P.pos, P.dep, P.qid
    has_quote = int(any(qid[i] >= 0 for i in range(start, end)))
    feats = []
    for i in range(start, end):
        lem, p, d = lemma[i], pos[i], dep[i]
        h = P.head[i]
        f = [
            "w=" + lower[i],
            "l=" + lem,
            "p=" + p,
            "t=" + P.tag[i],
            "d=" + d,
            "dp=" + d + "|" + p,
            "hl=" + lemma[h],
            "hp=" + pos[h],
            "hd=" + dep[h],
            "q=%d" % (qid[i] >= 0),
        ]
        if lem in C.REPORTING_VERBS:
            f.append("rv")
            f.append("rvd=" + d)
        if lem in C.BELIEF_CUES:
            f.append("bv")
        for kd in {dep[c] for c in P.kids[i]} & KID_DEPS:
            f.append("k=" + kd)
            f.append("lk=" + lem + "|" + kd)
        if P.ent[i]:
            f.append("e=" + P.ent[i])
        if p in ("VERB", "AUX", "NOUN"):
            subj = P.subject(i)
            if subj is not None:
                st = P.ent[subj] or pos[subj]
                f.append("sj=" + st)
                f.append("lsj=" + lem + "|" + st)
                if pos[subj] == "PRON":
                    f.append("sjw=" + lower[subj])
            else:
                f.append("lsj=" + lem + "|none")
            f.append("lsq=%s|%d" % (lem, has_quote))
        for off in (-2, -1, 1, 2):
            j = i + off
            if start <= j < end:
                f.append("%dw=%s" % (off, lower[j]))
                f.append("%dp=%s" % (off, pos[j]))
                if off in (-1, 1):
                    f.append("%dd=%s" % (off, dep[j]))
                    f.append("%dll=%s|%s" % (off, lem, lemma[j]))
                    f.append("%dq=%d" % (off, qid[j] >= 0))
            else:
                f.append("%dBOS" % off if off < 0 else "%dEOS" % off)
        if P.enc is not None:
            ec, es, en = P.enc[i]
            f.append("ec=%d" % ec)
            f.append("esn=%d%d" % (es, en))
            f.append("ecp=%d|%s" % (ec, p))
            for off in (-1, 1):
                j = i + off
                if start <= j < end:
                    f.append("%dec=%d" % (off, P.enc[j][0]))
        if lower[i] == ":":
            rest = P.text[P.end[i]: P.end[i] + 6].lstrip()
            if rest[:1] in "\"“'`":
                f.append("colon_quote")
        feats.append(f)
    return feats


def role_features(P: Parse, a: int, cue_ids: set, start: int, end: int) -> list[list[str]]:
    head, dep, lower = P.head, P.dep, P.lower
    up = {a: 0}
    x, k = a, 0
    while head[x] != x and k < 40:
        x = head[x]
        k += 1
        up.setdefault(x, k)
    alem, adep = P.lemma[a], dep[a]
    has_subj = int(any(dep[c] in ("nsubj", "nsubjpass") for c in P.kids[a]))
    aq = P.qid[a]
    asent = P.sent_start[a]
    feats = []
    for i in range(start, end):
        if i in cue_ids:
            rel = rel2 = "CUE"
        else:
            child, grand, y, steps = -1, -1, i, 0
            while y not in up and head[y] != y and steps < 60:
                grand, child, y = child, y, head[y]
                steps += 1
            if y in up:
                d = up[y]
                if child < 0:
                    lab = "self"
                elif dep[child] in ("prep", "agent"):
                    lab = dep[child] + "_" + lower[child]
                else:
                    lab = dep[child]
                rel = ("A_" if d == 0 else "U%d_" % min(d, 3)) + lab
                rel2 = rel + ">" + (dep[grand] if grand >= 0 else "head")
            else:
                rel = "X"
                rel2 = "X"
        side = "L" if i < a else "R"
        q = P.qid[i]
        p = P.pos[i]
        f = [
            "rel=" + rel,
            "rs=" + rel + side,
            "rp=" + rel + "|" + p,
            "ra=" + rel + "|" + alem,
            "p=" + p,
            "d=" + dep[i],
            "s=" + side,
            "q=%d" % (q >= 0),
            "ad=" + adep,
            "al=" + alem,
            "hs=%d" % has_subj,
            "ss=%d" % (P.sent_start[i] == asent),
            "r2=" + rel2,
            "dist=" + side + bucket(abs(i - a)),
        ]
        if lower[i] in _FUNCTION_WORDS or P.punct[i]:
            f.append("w=" + lower[i])
        if q >= 0:
            f.append("qs=" + side)
            if q == aq:
                f.append("sameq")
        if P.ent[i]:
            f.append("e=" + P.ent[i])
        if P.punct[i]:
            f.append("punct")
        if P.enc is not None:
            ec, es, en = P.enc[i]
            f.append("ec=%d" % ec)
            f.append("es=%d" % es)
            f.append("en=%d" % en)
            f.append("esn=%d%d" % (es, en))
            f.append("res=%s|%d%d" % (rel, es >= 0.6 * BINS, en >= 0.6 * BINS))  # p >= .6
        feats.append(f)
    return feats


@functools.lru_cache(maxsize=8)  # three models, and the scripts point at others
def load_crf(path: str):
    import pycrfsuite

    if not Path(path).is_file():
        raise ModelNotInstalledError(
            f"{path}: attribution model file is missing; reinstall sourcecheck or run "
            f"`make tagger` to train it from PolNeAR train (scripts/train_attribution.py, after the span tagger)"
        )
    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    return tagger


def find_cues(P: Parse, tagger, threshold: float, floor: Optional[float] = None) -> list[tuple[list[int], float, str]]:
    """Cue token runs, sentence by sentence: ``(tokens, mean label probability, origin)``.

    ``origin`` is ``"crf"`` for the tagger's own (Viterbi) runs, ``"recall"`` for a
    verb it labelled "not a cue" but gave some probability, ``"low"`` for runs of
    tokens whose cue probability is at least ``floor`` (candidates for the ranker),
    and ``"rule"`` for the parse rules.
    """
    cues: list[tuple[list[int], float, str]] = []
    known = set(tagger.labels())

    def marginal(lab: str, k: int) -> float:  # a model trained on one-word cues only has no "I"
        return tagger.marginal(lab, k) if lab in known else 0.0

    for s, e in P.sents:
        labels = tagger.tag(_cue_features(P, s, e))
        origin = ["crf"] * len(labels)
        # a verb the tagger leaves out but gives some probability, with a subject and an object or clause
        for k, lab in enumerate(labels):
            i = s + k
            if (
                lab == "O"
                and P.pos[i] == "VERB"
                and P.qid[i] < 0
                and any(P.dep[c] in CONTENT_DEPS for c in P.kids[i])
                and P.subject(i) is not None
                and marginal("B", k) >= C.CUE_RECALL_PROBABILITY
            ):
                labels[k] = "B"
                origin[k] = "recall"
        if floor is not None:
            # tokens the tagger leaves out (or keeps with little confidence) but does not rule out
            for k, lab in enumerate(labels):
                if P.space[s + k]:
                    continue
                pb, pi = marginal("B", k), marginal("I", k)
                if (lab == "O" or marginal(lab, k) < threshold) and pb + pi >= floor:
                    labels[k] = "B" if pb >= pi or k == 0 or origin[k - 1] != "low" else "I"
                    origin[k] = "low"
        cur: list[int] = []
        probs: list[float] = []
        org = "crf"

        def close():
            if cur:
                cues.append((cur, sum(probs) / len(probs), org))

        for k, lab in enumerate(labels):
            if origin[k] == "low":
                pr = marginal("B", k) + marginal("I", k)
            else:
                pr = marginal(lab, k) if lab != "O" else 0.0
            if lab == "O" or (pr < threshold and origin[k] != "low") or P.space[s + k]:
                close()
                cur, probs = [], []
            elif lab == "B" or not cur or (origin[k] == "low") != (org == "low"):
                close()
                cur, probs, org = [s + k], [pr], origin[k]
            else:
                cur.append(s + k)
                probs.append(pr)
        close()
    # high-precision parse rules the tagger sometimes misses
    taken = {i for cue, _, _ in cues for i in cue}
    for i in range(P.n):
        if i not in taken and rule_cue(P, i) == "verb":
            cues.append(([i], 0.5, "rule"))
    taken = {i for cue, _, _ in cues for i in cue}
    for i in range(P.n):
        if i not in taken and P.head[i] not in taken and rule_cue(P, i) == "poll":
            cues.append(([i], 0.5, "rule"))
    cues.sort()
    return cues


def _with_inner_spaces(P: Parse, spans) -> set[int]:
    """The tokens of the spans, with the space tokens between two of their words: spaCy makes a
    no-break space a token of its own ("Sen.\u00a0Sanders"), and labelled "O" it taught the role
    CRF to break a source or content there."""
    toks = tokens_in(P, spans)
    if not toks:
        return set()
    inner = {i for i in range(toks[0], toks[-1]) if P.space[i] and any(s <= P.idx[i] and P.end[i] <= e for s, e in spans)}
    return set(toks) | inner


def training_sequences(doc, attributions: Iterable[dict]):
    """(cue sequences, role sequences) of (features, labels) for one gold article.

    Used by ``scripts/train_attribution.py``; kept here so training and
    extraction compute features with the same code.
    """
    P = read_doc(doc)
    cue_label = [""] * P.n

    role_seqs = []
    for attr in attributions:
        cue = tokens_in(P, attr["cue"])
        if not cue:
            continue
        for k, i in enumerate(cue):
            if not cue_label[i]:
                cue_label[i] = "B" if k == 0 else "I"
        a = anchor(P, cue)
        start, end = cue_window(P, a)
        feats = role_features(P, a, set(cue), start, end)
        src, con = _with_inner_spaces(P, attr["source"]), _with_inner_spaces(P, attr["content"])
        labels = ["S" if i in src else "C" if i in con else "O" for i in range(start, end)]
        role_seqs.append((feats, labels))
    cue_seqs = [(_cue_features(P, s, e), [cue_label[i] or "O" for i in range(s, e)]) for s, e in P.sents]
    return cue_seqs, role_seqs
