"""Score the attribution extractor on train articles its models never saw.

    .venv/bin/python scripts/heldout_attribution.py ../shared/data/polnear/train.jsonl [--split 740]

Trains the three attribution models on the first SPLIT articles (what
``scripts/train_attribution.py --limit SPLIT`` does) into a temporary directory,
then runs the extractor with them on the remaining articles and prints the
metrics of ``sourcecheck evaluate``. This is the number to develop and tune
against; PolNeAR dev is only for reporting. ``--docbin`` is passed on to the
training script.

To judge a change, save the held-out predictions before it and compare after it,
article by article, with paired 95% intervals of each score's difference::

    .venv/bin/python scripts/heldout_attribution.py TRAIN --predictions before.jsonl
    # ... change the extractor ...
    .venv/bin/python scripts/heldout_attribution.py TRAIN --baseline before.jsonl
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_attribution  # noqa: E402

from sourcecheck import attribution  # noqa: E402
from sourcecheck.evaluation.attribution import evaluate, format_report  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train", help="PolNeAR-format train.jsonl")
    ap.add_argument("--split", type=int, default=740, help="train on the articles before this one, score the rest")
    ap.add_argument("--docbin", help="spaCy DocBin of the same texts, in file order (passed to the training script)")
    ap.add_argument("--json", help="also write the metrics here")
    ap.add_argument("--predictions", help="write the held-out predictions here (gold JSONL shape)")
    ap.add_argument("--baseline", help="compare with these held-out predictions (an earlier --predictions file)")
    args = ap.parse_args(argv)

    lines = [line for line in open(args.train, encoding="utf-8") if line.strip()]
    if not 0 < args.split < len(lines):
        sys.exit(f"{args.train}: --split {args.split} leaves no articles to train on or to score ({len(lines)} articles)")
    with tempfile.TemporaryDirectory(prefix="sourcecheck-heldout-") as tmp:
        models = Path(tmp)
        train_args = [args.train, "--limit", str(args.split), "--out-dir", str(models)]
        if args.docbin:
            train_args += ["--docbin", args.docbin]
        train_attribution.main(train_args)
        held = models / "held.jsonl"
        held.write_text("".join(lines[args.split:]), encoding="utf-8")
        for name in ("CUE_MODEL", "ROLE_MODEL", "RANK_MODEL"):
            setattr(attribution, name, models / getattr(attribution, name).name)
        result = evaluate(held, progress=True, predictions_path=args.predictions, baseline_path=args.baseline)
    result["gold"] = f"{args.train}[{args.split}:]"
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
