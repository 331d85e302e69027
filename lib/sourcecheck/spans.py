"""Tokens and span matching shared by the extractor's training and the attribution scorer.

The scorer (``evaluation.attribution``) and the ranker's training labels
(``attribution.ranker_examples``) must agree on what a token is and when two contents
match, so both take them from here; neither imports the other for it.
"""
from __future__ import annotations

import bisect
import re
from typing import Iterable

import numpy as np

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
#: Characters trimmed from span edges (and allowed in a mergeable gap) for exact matching.
EDGE_CHARS = set(" \t\r\n\u00a0\u2009\u202f\"'`“”‘’«».,;:!?()[]{}-–—…")
RELAXED_MIN_OVERLAP = 0.5
RELAXED_MIN_JACCARD = 0.3


def tokenize(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word and punctuation mark."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


def token_set(spans: Iterable, tokens: list[tuple[int, int]], starts: list[int]) -> frozenset:
    """Indices of tokens overlapping any of ``spans`` (``starts`` = token starts, sorted)."""
    out = set()
    for s, e in spans:
        i = max(bisect.bisect_right(starts, s) - 1, 0)
        while i < len(tokens) and tokens[i][0] < e:
            if tokens[i][1] > s:
                out.add(i)
            i += 1
    return frozenset(out)


def normalise_spans(spans: Iterable, text: str, keep_colon: bool = False) -> tuple:
    """Trim edge punctuation/whitespace and merge across punctuation-only gaps (for exact matching)."""
    trimmed = []
    for s, e in sorted((int(a), int(b)) for a, b in spans):
        s0, e0 = s, e
        while s < e and text[s] in EDGE_CHARS:
            s += 1
        while e > s and text[e - 1] in EDGE_CHARS:
            e -= 1
        if s < e:
            trimmed.append([s, e])
        elif keep_colon and ":" in text[s0:e0]:
            c = s0 + text[s0:e0].index(":")
            trimmed.append([c, c + 1])
    merged: list[list[int]] = []
    for s, e in trimmed:
        if merged and (s <= merged[-1][1] or all(ch in EDGE_CHARS for ch in text[merged[-1][1]:s])):
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple(tuple(x) for x in merged)


def contents_match(a: frozenset, b: frozenset) -> bool:
    """The relaxed score's content condition on two token sets: overlap coefficient >= 0.5
    and Jaccard >= 0.3."""
    inter = len(a & b)
    return bool(inter) and inter / min(len(a), len(b)) >= RELAXED_MIN_OVERLAP and inter / len(a | b) >= RELAXED_MIN_JACCARD


def best_pairs(weights: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs maximising total weight; pairs with weight <= 0 are dropped."""
    from scipy.optimize import linear_sum_assignment

    if weights.size == 0:
        return []
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if weights[r, c] > 0]
