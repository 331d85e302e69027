"""Export the cross-check judge that ``python -m sourcecheck.crosscheck.train`` wrote to ONNX, check it, write its card.

Runs in the training environment (``make train-env``: scikit-learn, skl2onnx, onnx,
onnxruntime); ``make judge`` calls it last::

    .venv-train/bin/python scripts/export_judge.py outputs/.cache/crosscheck_judge.joblib \\
        --check outputs/.cache/crosscheck_judge.check.npz --out lib/sourcecheck/data/crosscheck_judge.onnx

Why: at run time the scikit-learn judge cost about 1 s of a ~7 s seed run (importing
scikit-learn, unpickling the joblib), a seventh of the run; onnxruntime is loaded
for the encoder anyway, so the ONNX judge costs a session.

What it writes:

* ``crosscheck_judge.onnx``: one graph with two inputs, ``pair_inputs`` (pair features
  + embedding interaction, float32) -> ``conflict_probability`` (the detector: PCA of
  the interaction, gradient-boosted trees), and ``pair_features`` -> ``relation`` (the
  typer: scaler + logistic regression). The rest of the judge (threshold, relations,
  feature names, the cross-encoder combiner, the isotonic flag-confidence map as its
  breakpoints) is JSON in the model's metadata, key ``sourcecheck_judge``.
* ``crosscheck_judge.json``: the training card, plus the ONNX file's sha256 and
  the export check.

The check runs both on the pairs ``train`` saved beside the joblib (every conflicting
pair and a fixed sample of the rest). The ONNX graph computes in float32, scikit-learn in
float64, so a pair whose value sits within float32 rounding of a tree threshold can take
the other branch: the detector must agree within ``MAX_DIFF`` on every pair, the typer on
every relation and the calibrator to 1e-9, or nothing is written.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "lib" / "sourcecheck" / "data"
META_KEY = "sourcecheck_judge"
MAX_DIFF = 0.05        # a few trees' leaves: a pair within float32 rounding of a split takes the other branch ...
MAX_OFF_SHARE = 0.002  # ... and only a rare pair may (off = by more than 1e-4)
OPSET = {"": 17, "ai.onnx.ml": 3}


def _int_attributes():
    """skl2onnx 1.20 hands onnx numpy and bool node ids for scikit-learn 1.9's HistGradientBoosting trees;
    onnx 1.23's make_node wants plain ints. Cast them where skl2onnx builds its nodes."""
    import skl2onnx.common._container as container

    make_node = container.make_node

    def plain(v):
        if isinstance(v, (list, tuple)):
            return [int(x) if isinstance(x, (bool, np.bool_, np.integer)) else x for x in v]
        return v

    container.make_node = lambda *a, **kw: make_node(*a, **{k: plain(v) for k, v in kw.items()})


def convert(bundle: dict, n_inputs: int, n_features: int):
    import onnx
    from onnx import compose
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType

    _int_attributes()
    det = to_onnx(bundle["detector"], initial_types=[("pair_inputs", FloatTensorType([None, n_inputs]))],
                  target_opset=OPSET, options={"zipmap": False})
    det = _keep_output(det, "probabilities", "conflict_probabilities", "det_")
    model = det
    if bundle["typer"] is not None:
        typ = to_onnx(bundle["typer"], initial_types=[("pair_features", FloatTensorType([None, n_features]))],
                      target_opset=OPSET, options={"zipmap": False})
        typ = _keep_output(typ, "label", "relation", "typ_")
        model = compose.merge_models(det, typ, io_map=[])
    onnx.checker.check_model(model)
    return model


def _keep_output(model, old: str, new: str, prefix: str):
    """The model with only output ``old``, renamed ``new``, and every other name prefixed (so two can merge)."""
    from onnx import compose

    model = compose.add_prefix(model, prefix, rename_inputs=False)
    g = model.graph
    keep = [o for o in g.output if o.name == prefix + old]
    del g.output[:]
    g.output.extend(keep)
    for node in g.node:
        node.output[:] = [new if o == prefix + old else o for o in node.output]
    g.output[0].name = new
    return model


def metadata(bundle: dict) -> dict:
    cal = bundle.get("flag_calibrator")
    return {
        "relations": list(bundle["relations"]), "threshold": float(bundle["threshold"]),
        "features": list(bundle["features"]), "reranker": bundle.get("reranker"),
        "flag_calibrator": None if cal is None else {"x": [float(v) for v in cal.X_thresholds_],
                                                      "y": [float(v) for v in cal.y_thresholds_]},
    }


def check(bundle: dict, model_bytes: bytes, meta: dict, XI: np.ndarray, n_features: int) -> dict:
    import onnxruntime as ort

    sess = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    feed = {"pair_inputs": XI.astype(np.float32)}
    if "relation" in names:
        feed["pair_features"] = XI[:, :n_features].astype(np.float32)
    out = dict(zip(names, sess.run(None, feed)))
    want = bundle["detector"].predict_proba(XI)[:, 1]
    got = out["conflict_probabilities"][:, 1]
    diff = np.abs(want - got)
    res = {"pairs": int(len(XI)), "detector_max_abs_diff": float(diff.max()),
           "detector_pairs_off_by_over_1e-4": int((diff > 1e-4).sum())}
    if "relation" in out:
        res["relations_agree"] = float(np.mean(bundle["typer"].predict(XI[:, :n_features]) == out["relation"]))
    cal = bundle.get("flag_calibrator")
    if cal is not None:
        grid = np.linspace(-0.1, 1.1, 2401)
        c = meta["flag_calibrator"]
        res["calibrator_max_abs_diff"] = float(np.abs(cal.predict(grid) - np.interp(grid, c["x"], c["y"])).max())
    problems = []
    if res["detector_max_abs_diff"] > MAX_DIFF:
        problems.append(f"detector differs by up to {res['detector_max_abs_diff']:.4f} (allowed {MAX_DIFF})")
    if res["detector_pairs_off_by_over_1e-4"] > MAX_OFF_SHARE * len(XI):
        problems.append(f"detector is off on {res['detector_pairs_off_by_over_1e-4']} of {len(XI)} pairs")
    if res.get("relations_agree", 1.0) < 1.0:
        problems.append(f"typer agrees on only {res['relations_agree']:.4f} of the relations")
    if res.get("calibrator_max_abs_diff", 0.0) > 1e-9:
        problems.append(f"calibrator differs by {res['calibrator_max_abs_diff']}")
    if problems:
        raise SystemExit("export check failed, nothing written: " + "; ".join(problems))
    return res


def main(argv=None) -> int:
    import joblib
    import onnx
    import skl2onnx
    import sklearn

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("joblib", type=Path, help="the judge train wrote (its card, .json, beside it)")
    ap.add_argument("--check", type=Path, help="the pairs to check on (default: JOBLIB with .check.npz)")
    ap.add_argument("--out", type=Path, default=DATA / "crosscheck_judge.onnx")
    a = ap.parse_args(argv)
    check_file = a.check or a.joblib.with_suffix(".check.npz")
    for p in (a.joblib, a.joblib.with_suffix(".json"), check_file):
        if not p.is_file():
            raise SystemExit(f"{p}: missing; run python -m sourcecheck.crosscheck.train first (make judge)")
    bundle = joblib.load(a.joblib)
    card = json.loads(a.joblib.with_suffix(".json").read_text(encoding="utf-8"))
    XI = np.load(check_file)["XI"]
    n_features = len(bundle["features"])
    model = convert(bundle, XI.shape[1], n_features)
    meta = metadata(bundle)
    entry = model.metadata_props.add()
    entry.key, entry.value = META_KEY, json.dumps(meta)
    data = model.SerializeToString()
    res = check(bundle, data, meta, XI, n_features)
    print(json.dumps(res), file=sys.stderr)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_bytes(data)
    card.update(format="onnx", sha256=hashlib.sha256(data).hexdigest(),
                exported_from={"joblib_sha256": card.get("sha256"), "sklearn": sklearn.__version__,
                               "skl2onnx": skl2onnx.__version__, "onnx": onnx.__version__, "opset": OPSET},
                export_check=res, rebuild="make judge  (python -m sourcecheck.crosscheck.train, then scripts/export_judge.py)")
    card.pop("sklearn", None)
    a.out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {a.out} ({len(data) // 1024} KB) and its card", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
