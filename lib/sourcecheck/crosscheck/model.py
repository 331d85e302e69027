"""The learned judge: which candidate pairs conflict, how (the relation), and how sure.

Trained on the PolNeAR train conflict set by ``sourcecheck.crosscheck.train``
(``python -m sourcecheck.crosscheck.train``, scikit-learn) and shipped as one ONNX graph
(``scripts/export_judge.py``), so a run never imports scikit-learn:

* a **detector** (gradient-boosted trees over the pair features of
  :mod:`sourcecheck.crosscheck.features` and an 8-dimensional projection of the
  embedding interaction) gives each pair a conflict score;
* a **typer** (multinomial logistic regression over the pair features) names the
  relation of a conflicting pair;
* a **cross-encoder** (:mod:`sourcecheck.crosscheck.reranker`, fine-tuned from the
  same base model) reads claim and passage together for the ``rerank_k`` pairs the
  detector ranks highest in the article (at most ``per_claim`` of one claim's, when the
  card says so); a logistic regression over both scores gives those pairs their final
  score (the others cannot flag);
* a flag's **confidence** is the share of flags with its score that matched a
  labelled conflict out of fold (isotonic, train cross-validation).

The decision threshold was chosen by cross-validation on train (folds by article) and
is stored in the model card ``data/crosscheck_judge.json`` with the scores it gave,
the sha256 of ``data/crosscheck_judge.onnx`` and the export's check against
scikit-learn; a changed or missing file is a named error, never a silent fallback.

``judge=`` (notebook parameter, ``--judge``) is pluggable: a path to another judge
file (trained on a newsroom's own labels): the ``.joblib`` the training script writes
(loaded with scikit-learn, which must be the version it was made with) or its ONNX
export; or any object with ``score(view, pairs) -> (probabilities, relations)``.
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
JUDGE_FILE = DATA / "crosscheck_judge.onnx"
META_KEY = "sourcecheck_judge"
REBUILD = "rebuild it with `make judge` (python -m sourcecheck.crosscheck.train, then scripts/export_judge.py)"


class LearnedJudge:
    """Detector + typer + flag-confidence calibrator, with the threshold chosen by cross-validation.

    ``models`` computes the two learned parts, ``predict(X, XI) -> (conflict probabilities,
    relations)`` (:class:`OnnxModels` for the shipped judge, :class:`SklearnModels` for a
    ``.joblib`` straight from the training script); ``meta`` holds the rest.
    """

    def __init__(self, models, meta: dict, card: Optional[dict] = None, name: str = "learned"):
        self.models = models
        self.relations = tuple(meta["relations"])
        self.threshold = float(meta["threshold"])
        cal = meta.get("flag_calibrator")
        self.calibration = None if cal is None else (np.asarray(cal["x"], float), np.asarray(cal["y"], float))
        self.card = card or {}
        self.name = name
        rr = meta.get("reranker") or {}
        self.rerank_k = int(rr.get("k", 0))
        self.rerank_per_claim = int(rr.get("per_claim", 0))
        self.rerank_coef = np.asarray(rr.get("coef", [0.0, 0.0]), dtype=float)
        self.rerank_intercept = float(rr.get("intercept", 0.0))
        self.rerank_scale = rr.get("scale")  # quantile maps: final models' scores -> the out-of-fold scale (train.score_scales)
        self._reranker = None
        if tuple(meta["features"]) != NAMES:
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
        prob, rel = self.models.predict(X, XI)
        rel = rel or [self.relations[0]] * len(pairs)
        if self.rerank_k:
            from .reranker import pair_texts

            self.load()
            top = top_pairs(prob, self.rerank_k, [p[0] for p in pairs], self.rerank_per_claim)
            left, right = pair_texts(view, [pairs[k] for k in top])
            prob = combine(prob, top, self._reranker.score(left, right), self.rerank_coef, self.rerank_intercept,
                           self.rerank_scale)
        return prob, rel

    def load(self) -> None:
        """Load the cross-encoder it re-reads pairs with now rather than at the first ``score``."""
        if self.rerank_k and self._reranker is None:
            from .reranker import get_reranker

            self._reranker = self._load_reranker(get_reranker)

    def _load_reranker(self, get):
        from .reranker import RERANKER_DIR

        want = (self.card.get("reranker") or {}).get("model_manifest_sha256")
        got = file_sha256(RERANKER_DIR / "manifest.json") if (RERANKER_DIR / "manifest.json").is_file() else None
        if want and got and want != got:
            raise EncoderError(f"{RERANKER_DIR / 'manifest.json'}: the cross-encoder is not the one judge {self.name} "
                               f"was trained with; {REBUILD}")
        return get()

    def flag_confidence(self, score: float) -> float:
        """Share of flags with this judge score that matched a labelled conflict out of fold (train)."""
        if self.calibration is None:
            return float(score)
        return float(np.interp(score, *self.calibration))  # isotonic breakpoints, clipped at both ends


def top_pairs(prob: np.ndarray, k: int, claims=None, per_claim: int = 0) -> np.ndarray:
    """Indices of the pairs the cross-encoder reads: the k highest detector scores (ties: the earlier pair); with
    ``per_claim``, at most that many pairs of any one claim (``claims``: each pair's claim), so the k go to the
    claims the detector finds most suspect rather than to one claim's many passages."""
    order = np.argsort(-np.asarray(prob), kind="stable")
    if not per_claim:
        return order[:k]
    taken: dict = {}
    out = []
    for j in order:
        c = claims[j]
        if taken.get(c, 0) < per_claim:
            taken[c] = taken.get(c, 0) + 1
            out.append(j)
            if len(out) == k:
                break
    return np.asarray(out, dtype=int)


def logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def combine(prob: np.ndarray, top: np.ndarray, ce: np.ndarray, coef, intercept: float,
            scale: Optional[dict] = None) -> np.ndarray:
    """Final scores: the combiner's probability for the re-read pairs, 0 for the rest (they cannot flag).

    ``scale`` (the judge's, from ``train.score_scales``) first maps the final models' two logits onto the
    out-of-fold scale the combiner was fitted on; out-of-fold scores themselves need none."""
    out = np.zeros(len(prob))
    if len(top):
        first, second = logit(np.asarray(prob)[top]), np.asarray(ce, dtype=float)
        if scale:
            first = np.interp(first, *scale["detector_logit"])
            second = np.interp(second, *scale["cross_encoder_logit"])
        z = intercept + coef[0] * first + coef[1] * second
        out[top] = 1 / (1 + np.exp(-z))
    return out


class OnnxModels:
    """The shipped judge's detector and typer: one ONNX graph (``scripts/export_judge.py``), run by onnxruntime."""

    def __init__(self, path: Path):
        from ..encoder import onnx_session

        self.session = onnx_session(path, 1, REBUILD)
        self.outputs = {o.name for o in self.session.get_outputs()}

    def meta(self, path: Path) -> dict:
        raw = self.session.get_modelmeta().custom_metadata_map.get(META_KEY)
        try:
            return json.loads(raw)
        except (TypeError, ValueError) as exc:
            raise EncoderError(f"{path}: not a sourcecheck judge (no valid {META_KEY!r} metadata); {REBUILD}") from exc

    def predict(self, X: np.ndarray, XI: np.ndarray) -> tuple[np.ndarray, list[str]]:
        feed = {"pair_inputs": np.asarray(XI, dtype=np.float32)}
        if "relation" not in self.outputs:
            return self.session.run(["conflict_probabilities"], feed)[0][:, 1].astype(float), []
        feed["pair_features"] = np.asarray(X, dtype=np.float32)
        prob, rel = self.session.run(["conflict_probabilities", "relation"], feed)
        return prob[:, 1].astype(float), [str(r) for r in rel]


class SklearnModels:
    """A judge straight from the training script (``.joblib``): needs scikit-learn at run time."""

    def __init__(self, bundle: dict):
        self.detector, self.typer = bundle["detector"], bundle["typer"]

    def predict(self, X: np.ndarray, XI: np.ndarray) -> tuple[np.ndarray, list[str]]:
        rel = [str(r) for r in self.typer.predict(X)] if self.typer is not None else []
        return self.detector.predict_proba(XI)[:, 1], rel


def _read_card(path: Path) -> dict:
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
    return card


def load_judge(path: Optional[Path] = None) -> LearnedJudge:
    """A judge file and its card (``.json`` beside it): ``.onnx`` (shipped, exported) or ``.joblib`` (from training)."""
    path = Path(path or JUDGE_FILE)
    card = _read_card(path)
    if path.suffix != ".joblib":
        models = OnnxModels(path)
        return LearnedJudge(models, models.meta(path), card, name=path.stem)
    import joblib
    import sklearn

    if card.get("sklearn") != sklearn.__version__:
        raise EncoderError(f"{path}: made with scikit-learn {card.get('sklearn')}, this install has {sklearn.__version__}; {REBUILD}")
    try:
        bundle = joblib.load(path)
    except Exception as exc:  # unpickling raises many types
        raise EncoderError(f"{path}: cannot load the cross-check judge ({exc}); {REBUILD}") from exc
    cal = bundle.get("flag_calibrator")
    meta = {**bundle, "flag_calibrator": cal and {"x": cal.X_thresholds_, "y": cal.y_thresholds_}}
    return LearnedJudge(SklearnModels(bundle), meta, card, name=path.stem)


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
        raise SourcecheckError(f"judge {spec!r}: no such judge file (give a .onnx made by scripts/export_judge.py or "
                               "a .joblib made by `python -m sourcecheck.crosscheck.train`, or leave empty for the "
                               "shipped judge)")
    return _cached(str(p.resolve()))
