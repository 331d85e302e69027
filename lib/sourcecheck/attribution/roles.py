"""The role encoder: given one cue, which words are its source and its content.

The span tagger (``taggers``) reads the article once and says which words lie inside *some*
source or content; it cannot say which cue they belong to. The role encoder reads a window
around one cue with that cue marked (token type 1 on its wordpieces, 0 elsewhere: BERT's
segment embedding, which all-MiniLM-L6-v2 keeps) and gives every wordpiece two
probabilities: inside this cue's source, inside this cue's content. It runs after the ranker,
once per attribution kept; its content replaces the role CRF's, and its source fills one the CRF
left empty (``attribution.with_roles`` says when each side wins).

Decoding: a wordpiece is in a role at ``THRESHOLD``, and so are its neighbours down to
``EXTEND`` (a word the model is less sure of does not split a quotation in two); runs parted
only by whitespace or a comma join, and spans cover whole words. A source is one span (9 of
PolNeAR train's 19,832 attributions have two), so its runs come back as alternatives, the
most probable first. On held-out train (train[740:]) against plain 0.5 runs: content token F1
.910 -> .914, relaxed F1 without the source condition .827 -> .835 (paired +.003 to +.030 against
the role CRF alone, where plain runs gave -.006 to +.022).

The window is the cue's wordpieces with ``BEFORE`` wordpieces before and ``AFTER`` after
(clipped at the article's edges): in PolNeAR train that holds the whole source and content of
97.6% of attributions. ``cue_window`` builds it and ``scripts/train_roles.py`` trains on the
same windows, with the gold cue marked.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple, Optional, Sequence

import numpy as np

from ..errors import EncoderError

ROLES_DIR = Path(__file__).resolve().parent.parent / "data" / "attribution_roles"
ROLES_REBUILD = "rebuild it with `make roles` (training environment: `make train-env`)"
LABELS = ("source", "content")
BEFORE = 48   # wordpieces of context before the cue
AFTER = 80    # and after it
#: Windows per onnxruntime call: one. The int8 model quantizes its activations with one scale
#: per call, so a cue read in a batch with others came out a little different from the same
#: cue read alone ("Mayor Jane Smith said ...": source probability .23 alone, .38 beside two
#: other cues); one at a time the answer depends on the window only, and is faster too (no
#: padding: 20 dev articles' gold cues in 3.8-4.1 s against 4.3-4.4 s at 8 a call, 2 threads).
ROLES_BATCH = 1
#: A wordpiece belongs to the role when its probability is at least this,
THRESHOLD = 0.5
#: and so does one next to such a run down to this (a word in the middle of a quotation
#: the model is less sure of does not split it in two).
EXTEND = 0.3


class Reading(NamedTuple):
    """The role encoder's reading of one cue, in character offsets."""
    sources: list      # alternatives, one (start, end) span each, the most probable first
    content: list      # (start, end) spans
    window: tuple      # (start, end) of the text the window read
    sure: float        # mean probability of the content's wordpieces (0 without content)


def cue_mask(offsets: np.ndarray, cue: Sequence[tuple[int, int]]) -> np.ndarray:
    """Boolean per wordpiece: overlaps one of the cue's character spans."""
    m = np.zeros(len(offsets), dtype=bool)
    if not len(offsets):
        return m
    for s, e in cue:
        m |= (offsets[:, 0] < e) & (offsets[:, 1] > s)
    return m


def cue_window(n: int, mask: np.ndarray) -> Optional[tuple[int, int]]:
    """Wordpiece range [a, b) of the window around the marked cue; None when no wordpiece is marked."""
    hit = np.flatnonzero(mask)
    if not len(hit):
        return None
    return max(0, int(hit[0]) - BEFORE), min(n, int(hit[-1]) + 1 + AFTER)


def sequence(ids: Sequence[int], mask: np.ndarray, a: int, b: int, cls: int, sep: int) -> tuple[list[int], list[int]]:
    """Model input for the window [a, b): ids with [CLS]/[SEP], token types (1 on the cue)."""
    return [cls, *ids[a:b], sep], [0, *mask[a:b].astype(int).tolist(), 0]


def _word_edges(text: str, s: int, e: int) -> tuple[int, int]:
    """Widen [s, e) to whole words (a wordpiece can be part of one)."""
    while s > 0 and text[s - 1].isalnum() and text[s].isalnum():
        s -= 1
    while e < len(text) and text[e - 1].isalnum() and text[e].isalnum():
        e += 1
    return s, e


def runs_to_spans(text: str, offsets: np.ndarray, on: np.ndarray) -> list[tuple[int, int]]:
    """Character spans of the runs of wordpieces that are ``on``; runs parted only by
    whitespace or commas/dashes the model left out join, every span covers whole words, and a
    span of punctuation alone (a lone quotation mark) is left out."""
    spans: list[tuple[int, int]] = []
    for i in np.flatnonzero(on):
        s, e = _word_edges(text, int(offsets[i, 0]), int(offsets[i, 1]))
        if spans and (s <= spans[-1][1] or not text[spans[-1][1]:s].strip(" \n\t\u00a0,—–-")):
            spans[-1] = (spans[-1][0], max(spans[-1][1], e))
        else:
            spans.append((s, e))
    return [(s, e) for s, e in spans if any(ch.isalnum() for ch in text[s:e])]


def extend(p: np.ndarray, high: float, low: float) -> np.ndarray:
    """Wordpieces at ``high`` or more, and those at ``low`` or more joined to them by such wordpieces."""
    on = p >= high
    weak = p >= low
    for i in range(1, len(p)):
        if weak[i] and on[i - 1]:
            on[i] = True
    for i in range(len(p) - 2, -1, -1):
        if weak[i] and on[i + 1]:
            on[i] = True
    return on


def runs_by_mass(p: np.ndarray, on: np.ndarray) -> list[tuple[int, int]]:
    """The runs [i, j) of ``on``, the one with the most probability in it first."""
    runs, i = [], 0
    while i < len(on):
        if on[i]:
            j = i
            while j < len(on) and on[j]:
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return sorted(runs, key=lambda r: -float(p[r[0]:r[1]].sum()))


class RoleEncoder:
    """The shipped role encoder over its ONNX model (an :class:`~sourcecheck.encoder.Encoder`
    given token types)."""

    def __init__(self, folder: Optional[Path] = None, threads: Optional[int] = None, verify: bool = True):
        from ..encoder import REBUILD, Encoder, verify_files

        folder = Path(folder or ROLES_DIR)
        self.manifest = verify_files(folder, "attribution role encoder", ROLES_REBUILD) if verify else {}
        try:
            self.encoder = Encoder(folder / "model.onnx", folder / "tokenizer.json", threads=threads, verify=False)
        except EncoderError as exc:
            raise EncoderError(str(exc).replace(REBUILD, ROLES_REBUILD)) from exc
        self.encoder.hidden = len(LABELS)
        self.encoder.batch = ROLES_BATCH

    def probabilities(self, text: str, cues: Sequence[Sequence[tuple[int, int]]]) -> list[Optional[tuple[np.ndarray, np.ndarray]]]:
        """For each cue (its character spans): the window's wordpiece offsets (m, 2) and
        (m, 2) probabilities (source, content); None for a cue with no wordpiece."""
        enc = self.encoder
        ids, offsets = enc.tokenize(text)
        seqs, types, where = [], [], []
        for k, cue in enumerate(cues):
            mask = cue_mask(offsets, cue)
            win = cue_window(len(ids), mask)
            if win is None:
                continue
            s, t = sequence(ids, mask, *win, enc.cls, enc.sep)
            seqs.append(s)
            types.append(t)
            where.append((k, win))
        out: list[Optional[tuple[np.ndarray, np.ndarray]]] = [None] * len(cues)
        for (k, (a, b)), logits in zip(where, enc._run(seqs, types)):
            out[k] = (offsets[a:b], 1.0 / (1.0 + np.exp(-logits[1:-1].astype(np.float32))))
        return out

    def roles(self, text: str, cues: Sequence[Sequence[tuple[int, int]]], threshold: float = THRESHOLD) -> list[Optional[Reading]]:
        """For each cue its :class:`Reading`; None for a cue with no wordpiece."""
        out = []
        for got in self.probabilities(text, cues):
            if got is None:
                out.append(None)
                continue
            off, p = got
            sources = [span for i, j in runs_by_mass(p[:, 0], extend(p[:, 0], threshold, EXTEND))
                       for span in runs_to_spans(text, off[i:j], np.ones(j - i, dtype=bool))[:1]]
            on = extend(p[:, 1], threshold, EXTEND)
            content = runs_to_spans(text, off, on)
            sure = float(p[on, 1].mean()) if on.any() else 0.0
            out.append(Reading(sources, content, (int(off[0, 0]), int(off[-1, 1])), sure))
        return out


@functools.lru_cache(maxsize=1)
def role_encoder() -> RoleEncoder:
    """The shipped role encoder, files checked once per process."""
    return RoleEncoder()
