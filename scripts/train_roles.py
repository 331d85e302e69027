"""Fine-tune the role encoder from all-MiniLM-L6-v2 (training environment, torch on CPU).

    .venv-train/bin/python scripts/train_roles.py TRAIN --limit 740 --export DIR     # held-out check
    .venv-train/bin/python scripts/train_roles.py TRAIN --int8 --export lib/sourcecheck/data/attribution_roles

One example per PolNeAR attribution with a cue: the window ``sourcecheck.attribution.roles``
builds around that cue (the same code the runtime runs), the cue's wordpieces given token
type 1, and two targets per wordpiece: inside this attribution's source, inside its content
(a wordpiece is inside when it overlaps the span). Training as for the span tagger
(``train_tagger.fit``): binary cross-entropy, AdamW 5e-5 with 10% warm-up and linear decay,
seed 16; batches of 16 windows, 2 epochs. All of train: 19,832 attributions, 2,480 steps, about
45 minutes on 2 CPU cores (2026-12-08); --limit 740: 18,567 and 2,322 steps, 38 minutes.
``--int8`` exports int8 dynamic per-channel weights (what ships: about twice the speed of fp16
on CPU, a quarter of the size); ``--reference`` writes torch's probabilities for the reference
cues the tests check the shipped file against.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lib"))
sys.path.insert(0, str(ROOT / "scripts"))
from sourcecheck.attribution.roles import LABELS, cue_mask, cue_window, sequence  # noqa: E402
from sourcecheck.encoder import Encoder  # noqa: E402
from train_tagger import Tagger, export_onnx, fit, read_articles, write_model_manifest  # noqa: E402

BATCH = 16


def examples(enc: Encoder, arts: list[dict]) -> list[tuple[list[int], np.ndarray, list[int]]]:
    """(ids, (len, 2) targets with -1 on [CLS]/[SEP], token types) per attribution with a cue."""
    out = []
    for art in arts:
        ids, offsets = enc.tokenize(art["text"])
        for att in art.get("attributions", []):
            mask = cue_mask(offsets, [tuple(x) for x in att.get("cue", [])])
            win = cue_window(len(ids), mask)
            if win is None:
                continue
            a, b = win
            seq, types = sequence(ids, mask, a, b, enc.cls, enc.sep)
            y = np.full((len(seq), len(LABELS)), -1.0, dtype=np.float32)
            y[1:-1] = 0.0
            off = offsets[a:b]
            for k, role in enumerate(LABELS):
                for s, e in att.get(role, []):
                    y[1:-1][(off[:, 0] < e) & (off[:, 1] > s), k] = 1.0
            out.append((seq, y, types))
    return out


def check_onnx(m, dest: Path, example, enc: Encoder) -> float:
    """Max |logit difference| between torch and the exported ONNX on one training window."""
    import torch

    seq, _, types = example
    with torch.no_grad():
        t = torch.tensor([seq])
        ref = m(t, torch.ones_like(t), torch.tensor([types]))[0].numpy()
    run = Encoder(dest / "model.onnx", dest / "tokenizer.json", verify=False)
    run.hidden = len(LABELS)
    got = run._run([seq], [types])[0]
    diff = float(np.abs(got - ref).max())
    print(f"exported ONNX vs torch, {len(seq)} wordpieces: max |logit difference| {diff:.4f}", file=sys.stderr)
    return diff


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("train", help="PolNeAR-format train.jsonl")
    ap.add_argument("--limit", type=int, help="train on the first N articles only")
    ap.add_argument("--export", required=True, help="write model.onnx, tokenizer.json, manifest.json here")
    ap.add_argument("--save", help="also save the torch weights here")
    ap.add_argument("--from-torch", help="export these saved torch weights (--save) instead of training")
    ap.add_argument("--int8", action="store_true", help="int8 dynamic quantization instead of fp16 weights")
    ap.add_argument("--reference", action="store_true", help="also write torch's probabilities for the tests' reference cues")
    ap.add_argument("--epochs", type=float, default=2)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    arts = read_articles(args.train)[: args.limit]
    enc = Encoder()
    data = examples(enc, arts)
    print(f"{len(arts)} articles: {len(data)} attributions with a cue", file=sys.stderr, flush=True)
    if args.from_torch:
        import torch

        m = Tagger.build(len(LABELS))
        m.load_state_dict(torch.load(args.from_torch))
        m.eval()
    else:
        t0 = time.time()
        m = fit(data, len(LABELS), args, enc, batch_size=BATCH)
        print(f"trained in {time.time() - t0:.0f}s", file=sys.stderr)
    if args.save:
        import torch

        torch.save(m.state_dict(), args.save)
    dest = Path(args.export)
    export_onnx(m, dest, args.int8)
    diff = check_onnx(m, dest, data[0], enc)
    write_model_manifest(dest, "attribution role encoder: all-MiniLM-L6-v2 fine-tuned on PolNeAR train, one cue marked",
                         "make roles (scripts/train_roles.py, training environment)", LABELS, args,
                         {"articles": len(arts), "attributions": len(data)}, {"batch": BATCH}, diff)
    if args.reference:
        write_reference(m, enc)
    return 0


REFERENCE = ROOT / "tests" / "fixtures" / "roles_reference.json"
REFERENCE_CUES = (
    ("Mayor Jane Smith said on Monday that taxes will rise next year.", "said"),
    ("“We are not going anywhere,” the union’s president told reporters, adding that the strike would go on.", "adding"),
    ("According to a report by the state auditor, the program lost $4 million.", "According to"),
)


def write_reference(m, enc: Encoder) -> None:
    """Torch's probabilities for a few cues (tests/fixtures/roles_reference.json): the test
    suite checks the shipped ONNX model against them."""
    import torch

    out = []
    for text, cue in REFERENCE_CUES:
        ids, offsets = enc.tokenize(text)
        s = text.index(cue)
        mask = cue_mask(offsets, [(s, s + len(cue))])
        a, b = cue_window(len(ids), mask)
        seq, types = sequence(ids, mask, a, b, enc.cls, enc.sep)
        with torch.no_grad():
            t = torch.tensor([seq])
            p = torch.sigmoid(m(t, torch.ones_like(t), torch.tensor([types]))[0, 1:-1]).numpy()
        out.append({"text": text, "cue": [s, s + len(cue)], "offsets": offsets[a:b].tolist(),
                    "probabilities": np.round(p, 4).tolist()})
    REFERENCE.write_text(json.dumps({"made_by": "torch (scripts/train_roles.py --reference)", "labels": list(LABELS),
                                     "texts": out}, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
