"""Score the attribution extractor on train articles its models never saw.

    .venv/bin/python scripts/heldout_attribution.py ../shared/data/polnear/train.jsonl --tagger-probs OOF.npz --roles DIR [--split 740]

Trains the three attribution models on the first SPLIT articles (what
``scripts/train_attribution.py --limit SPLIT`` does) into a temporary directory,
then runs the extractor with them and the role encoder in ``--roles`` (trained by
``scripts/train_roles.py --limit SPLIT``) on the remaining articles and prints the
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
from sourcecheck.attribution import roles, taggers  # noqa: E402
from sourcecheck.evaluation.attribution import evaluate, format_report  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train", help="PolNeAR-format train.jsonl")
    ap.add_argument("--split", type=int, default=740, help="train on the articles before this one, score the rest")
    ap.add_argument("--docbin", help="spaCy DocBin of the same texts, in file order (passed to the training script)")
    tg = ap.add_mutually_exclusive_group(required=True)
    tg.add_argument("--tagger-probs", help="span-tagger probabilities from taggers that never saw the held-out "
                    "articles nor, for each training article, that article (train_tagger.py --merge)")
    tg.add_argument("--no-tagger", action="store_true", help="without the span tagger's features")
    ap.add_argument("--models", help="keep the trained models in this folder; when it already holds all three, "
                    "score with them instead of training (to compare changes that do not touch training)")
    rg = ap.add_mutually_exclusive_group(required=True)
    rg.add_argument("--roles", help="the role encoder to run, trained on the articles before --split only "
                    "(scripts/train_roles.py --limit SPLIT --export DIR): the shipped one saw every train article")
    rg.add_argument("--no-roles", action="store_true", help="without the role encoder (the role CRF's sources and contents)")
    ap.add_argument("--json", help="also write the metrics here")
    ap.add_argument("--predictions", help="write the held-out predictions here (gold JSONL shape)")
    ap.add_argument("--baseline", help="compare with these held-out predictions (an earlier --predictions file)")
    args = ap.parse_args(argv)

    lines = [line for line in open(args.train, encoding="utf-8") if line.strip()]
    rows = [json.loads(line) for line in lines]
    if not 0 < args.split < len(lines):
        sys.exit(f"{args.train}: --split {args.split} leaves no articles to train on or to score ({len(lines)} articles)")
    names = ("CUE_MODEL", "ROLE_MODEL", "RANK_MODEL")
    with tempfile.TemporaryDirectory(prefix="sourcecheck-heldout-") as tmp:
        models = Path(args.models) if args.models else Path(tmp)
        models.mkdir(parents=True, exist_ok=True)
        train_args = [args.train, "--limit", str(args.split), "--out-dir", str(models)]
        if args.docbin:
            train_args += ["--docbin", args.docbin]
        train_args += ["--tagger-probs", args.tagger_probs] if args.tagger_probs else ["--no-tagger"]
        if all((models / getattr(attribution, n).name).is_file() for n in names) and args.models:
            print(f"scoring with the models in {models} (not retrained)", file=sys.stderr)
            taggers.tagger_source = train_attribution.tagger_lookup(args.tagger_probs, rows) if args.tagger_probs else (lambda text: None)
        else:
            train_attribution.main(train_args)
        if args.roles:
            roles.ROLES_DIR = Path(args.roles)
            roles.role_encoder.cache_clear()
        attribution.USE_ROLES = not args.no_roles
        held = Path(tmp) / "held.jsonl"
        held.write_text("".join(lines[args.split:]), encoding="utf-8")
        for name in names:
            setattr(attribution, name, models / getattr(attribution, name).name)
        result = evaluate(held, progress=True, predictions_path=args.predictions, baseline_path=args.baseline)
    result["gold"] = f"{args.train}[{args.split}:]"
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
