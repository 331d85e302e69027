"""scripts/train_pronouns.py: the conditional logit learns which candidate mentions are right."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np

from sourcecheck.speakers import PRONOUN_FEATURES

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_pronouns.py"


def _script():
    spec = importlib.util.spec_from_file_location("train_pronouns", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _items(rng, n, right_feature):
    """Pronouns with 3-5 candidates each; the right one is the candidate that has ``right_feature``."""
    col = PRONOUN_FEATURES.index(right_feature)
    items = []
    for k in range(n):
        m = int(rng.integers(3, 6))
        X = rng.integers(0, 2, (m, len(PRONOUN_FEATURES))).astype(float)
        X[:, col] = 0.0
        right = int(rng.integers(0, m))
        X[right, col] = 1.0
        X[:, PRONOUN_FEATURES.index("sentence")] = rng.integers(0, 4, m)
        mask = np.zeros(m, dtype=bool)
        mask[right] = True
        items.append((f"a{k % 20}", X, mask, np.zeros(m)))
    return items


def test_the_fit_learns_what_makes_a_candidate_right_and_beats_recency_alone():
    tp = _script()
    rng = np.random.default_rng(3)
    train, test = _items(rng, 200, "in_quote"), _items(rng, 100, "in_quote")
    w = tp.fit(train, 1.0)
    assert w[PRONOUN_FEATURES.index("in_quote")] > 1.0  # the feature that decides gets the weight
    recency = np.zeros(len(PRONOUN_FEATURES))
    recency[PRONOUN_FEATURES.index("sentence")] = -1.0
    assert tp.accuracy(test, w) > 0.9 > tp.accuracy(test, recency) + 0.3
    only = tp.fit(train, 1.0, np.array([float(n == "sentence") for n in PRONOUN_FEATURES]))
    assert np.count_nonzero(only) <= 1  # features left out of a set keep weight zero


def test_dev_labels_are_refused_for_training(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--split", str(tmp_path / "dev.jsonl"), "--handcheck", "x.tsv"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0 and "dev labels are for reporting only" in proc.stderr
