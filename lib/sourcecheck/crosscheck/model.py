"""The learned judge: which candidate pairs conflict, how (the relation), and how sure.

Two scikit-learn models, trained on the PolNeAR train conflict set by
``sourcecheck.crosscheck.train`` (``python -m sourcecheck.crosscheck.train``):

* a **detector** (gradient-boosted trees over the pair features of
  :mod:`sourcecheck.crosscheck.features` and an 8-dimensional projection of the
  embedding interaction) gives each pair a conflict score;
* a **typer** (multinomial logistic regression over the pair features) names the
  relation of a conflicting pair;
* a flag's **confidence** is the share of flags with its score that matched a
  labelled conflict out of fold (isotonic, train cross-validation).

The decision threshold was chosen by cross-validation on train (folds by article) and
is stored in the model card ``data/crosscheck_judge.json`` with the scores it gave,
the sha256 of ``data/crosscheck_judge.joblib`` and the scikit-learn version; a
changed or missing file is a named error, never a silent fallback.

``judge=`` (notebook parameter, ``--judge``) is pluggable: a path to another judge
file made by the training script (trained on a newsroom's own labels), or any object
with ``score(view, pairs) -> (probabilities, relations)``.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Optional

import numpy as np

from ..encoder import file_sha256
from ..errors import EncoderError, SourcecheckError
from .features import NAMES, interaction, pair_features

DATA = Path(__file__).resolve().parent.parent / "data"
JUDGE_FILE = DATA / "crosscheck_judge.joblib"
REBUILD = "rebuild it with `make judge` (python -m sourcecheck.crosscheck.train)"


class LearnedJudge:
    """Detector + typer + flag-confidence calibrator, with the threshold chosen by cross-validation."""

    def __init__(self, bundle: dict, card: Optional[dict] = None, name: str = "learned"):
        self.detector = bundle["detector"]
        self.typer = bundle["typer"]
        self.relations = tuple(bundle["relations"])
        self.threshold = float(bundle["threshold"])
        self.flag_calibrator = bundle.get("flag_calibrator")
        self.card = card or {}
        self.name = name
        if tuple(bundle["features"]) != NAMES:
            raise SourcecheckError(f"judge {name}: its features differ from this version's; {REBUILD}")

    @staticmethod
    def inputs(view, pairs) -> tuple[np.ndarray, np.ndarray]:
        X = pair_features(view, pairs)
        return X, np.hstack([X, interaction(view, pairs, view.claim_emb, view.passage_emb)])

    def score(self, view, pairs) -> tuple[np.ndarray, list[str]]:
        """The detector's conflict score and the relation, per pair."""
        if not pairs:
            return np.zeros(0), []
        X, XI = self.inputs(view, pairs)
        prob = self.detector.predict_proba(XI)[:, 1]
        rel = [str(r) for r in self.typer.predict(X)] if self.typer is not None else [self.relations[0]] * len(pairs)
        return prob, rel

    def flag_confidence(self, score: float) -> float:
        """Share of flags with this judge score that matched a labelled conflict out of fold (train)."""
        if self.flag_calibrator is None:
            return float(score)
        return float(self.flag_calibrator.predict([score])[0])


def load_judge(path: Optional[Path] = None) -> LearnedJudge:
    import joblib
    import sklearn

    path = Path(path or JUDGE_FILE)
    card_path = path.with_suffix(".json")
    for p in (path, card_path):
        if not p.is_file():
            raise EncoderError(f"{p}: cross-check judge file is missing; {REBUILD}")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise EncoderError(f"{card_path}: not a valid judge card ({exc}); {REBUILD}") from exc
    got = file_sha256(path)
    if got != card.get("sha256"):
        raise EncoderError(f"{path}: cross-check judge is corrupt or changed (sha256 {got[:12]}…, card says "
                           f"{str(card.get('sha256'))[:12]}…); {REBUILD}")
    if card.get("sklearn") != sklearn.__version__:
        raise EncoderError(f"{path}: made with scikit-learn {card.get('sklearn')}, this install has {sklearn.__version__}; {REBUILD}")
    try:
        bundle = joblib.load(path)
    except Exception as exc:  # unpickling raises many types
        raise EncoderError(f"{path}: cannot load the cross-check judge ({exc}); {REBUILD}") from exc
    return LearnedJudge(bundle, card, name=path.stem)


@functools.lru_cache(maxsize=4)
def _cached(path: str) -> LearnedJudge:
    return load_judge(Path(path))


def make_judge(spec=None):
    """``None``/``""``/``"default"`` -> the shipped judge; a path -> that judge file; an object with ``score`` -> itself."""
    if spec is None or (isinstance(spec, str) and spec.strip().lower() in ("", "default", "learned", "rules")):
        return _cached(str(JUDGE_FILE))
    if hasattr(spec, "score"):
        return spec
    p = Path(str(spec)).expanduser()
    if not p.is_file():
        raise SourcecheckError(f"judge {spec!r}: no such judge file (give a .joblib made by "
                               "`python -m sourcecheck.crosscheck.train`, or leave empty for the shipped judge)")
    return _cached(str(p.resolve()))
