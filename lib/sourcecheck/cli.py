"""Command line: ``sourcecheck run | analyze | evaluate | evaluate-speakers | evaluate-flags | batch``.

An ARTICLE (and a batch INPUT) is a file or an http(s):// address (``sourcecheck.fetch``).

The package raises ``SourcecheckError`` subclasses; this module is the one place
that turns them into a one-line message on stderr and a non-zero exit code.
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from . import __version__
from .errors import SourcecheckError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _cmd_run(args) -> int:
    from .runner import run_article

    result = run_article(
        args.article,
        out_dir=args.out,
        published=args.published,
        verdicts_db=args.verdicts_db,
        quiet=args.quiet,
        refresh=args.refresh,
    )
    print(result.report_path)
    return EXIT_OK


def _cmd_analyze(args) -> int:
    from .fetch import check_url, is_url, url_slug
    from .pipeline import analyze
    from .runner import default_outputs

    snapshot = None
    if is_url(args.article):
        snapshot = Path(args.out) if args.out else default_outputs() / url_slug(check_url(args.article))
    analysis = analyze(
        args.article, published=args.published, entities_path=args.entities, documents_dir=args.documents, judge=args.judge,
        snapshot_dir=snapshot, refresh=args.refresh,
    )
    payload = json.dumps(analysis.to_dict(), ensure_ascii=False, indent=2)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(payload + "\n", encoding="utf-8")
        print(args.json)
    else:
        sys.stdout.write(payload + "\n")
    return EXIT_OK


def _cmd_evaluate(args) -> int:
    from .evaluation.attribution import run_cli

    return run_cli(args) or EXIT_OK


def _cmd_evaluate_speakers(args) -> int:
    from .evaluation.speakers import run_cli

    return run_cli(args) or EXIT_OK


def _cmd_evaluate_flags(args) -> int:
    from .evaluation.flags import run_cli

    return run_cli(args) or EXIT_OK


def _cmd_batch(args) -> int:
    from .batch import run_cli

    return run_cli(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sourcecheck",
        description="Source verification for news articles: attributed claims, sources, cross-checks, reports.",
    )
    p.add_argument("--version", action="version", version=f"sourcecheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="run the verification notebook on one article and export the HTML report")
    r.add_argument("article", help="article file (.txt, .md, .html, .json) or http(s):// address")
    r.add_argument("--out", help="output folder (default: outputs/<article-slug>/)")
    r.add_argument("--refresh", action="store_true", help="for an address: fetch the page again instead of checking the snapshot kept in the output folder")
    r.add_argument("--published", help="publication date YYYY-MM-DD (overrides metadata)")
    r.add_argument("--verdicts-db", help="SQLite verdict store (default: outputs/verdicts.sqlite)")
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.set_defaults(func=_cmd_run)

    a = sub.add_parser("analyze", help="run the pipeline without a notebook and write the analysis as JSON")
    a.add_argument("article", help="article file (.txt, .md, .html, .json) or http(s):// address")
    a.add_argument("--out", metavar="DIR", help="for an address: folder that keeps the page's snapshot (default: outputs/<article-slug>/)")
    a.add_argument("--refresh", action="store_true", help="for an address: fetch the page again instead of using the snapshot")
    a.add_argument("--published", help="publication date YYYY-MM-DD (overrides metadata)")
    a.add_argument("--json", metavar="OUT", help="write JSON to OUT instead of stdout")
    a.add_argument("--entities", metavar="FILE", help="extra outlets/platforms/bodies (YAML) to add to the shipped list")
    a.add_argument("--documents", metavar="DIR", help="folder of primary documents (default: <article>.sources/)")
    a.add_argument("--judge", metavar="FILE", help="cross-check judge file (default: the shipped learned judge)")
    a.set_defaults(func=_cmd_analyze)

    e = sub.add_parser("evaluate", help="score attribution extraction on a PolNeAR-format JSONL file")
    e.add_argument("gold", help="gold JSONL (PolNeAR format)")
    e.add_argument("--split-by", choices=["publisher"], help="also report scores per publisher")
    e.add_argument("--json", metavar="OUT", help="write all scores as JSON to OUT")
    out = e.add_mutually_exclusive_group()
    out.add_argument("--predictions", metavar="PRED", help="write the extractor's predictions as JSONL in the gold format")
    out.add_argument("--score", metavar="PRED", help="score this predictions file (gold format, matched by id) instead of running the extractor")
    e.add_argument("--baseline", metavar="PRED", help="compare with this predictions file on the same articles (paired intervals of the difference)")
    e.add_argument("--limit", type=int, help="only the first N articles")
    e.set_defaults(func=_cmd_evaluate)

    s = sub.add_parser("evaluate-speakers", help="score speaker resolution on a PolNeAR-format JSONL file")
    s.add_argument("gold", help="gold JSONL (PolNeAR format)")
    s.add_argument("--json", metavar="OUT", help="write all scores as JSON to OUT")
    s.add_argument("--limit", type=int, help="only the first N articles")
    s.add_argument("--handcheck", metavar="TSV", help="score on hand-labelled antecedents instead "
                   "(scripts/speakers_handcheck.py; e.g. evaluation/speakers_handcheck_dev.tsv)")
    s.set_defaults(func=_cmd_evaluate_speakers)

    f = sub.add_parser("evaluate-flags", help="score cross-source flags on the annotated conflict set")
    f.add_argument("gold", nargs="?", help="conflict set JSONL (default: the shipped PolNeAR dev conflict set; "
                   "with --folds: the train conflict set)")
    f.add_argument("--json", metavar="OUT", help="write all scores as JSON to OUT")
    f.add_argument("--claims", choices=["gold", "pipeline"], default="gold",
                   help="claims from the set's annotated attributions (default) or from the full pipeline")
    f.add_argument("--judge", metavar="FILE", help="a judge file: the .joblib python -m sourcecheck.crosscheck.train "
                                                   "writes or its ONNX export (default: the shipped one)")
    f.add_argument("--folds", type=int, metavar="K", help="instead: train on K-1 parts of the conflict set, flag the held-out part "
                   "(cross-validation by article, pipeline claims)")
    f.add_argument("--reranker-oof", metavar="FILE", help="with --folds: the cross-encoder's out-of-fold scores "
                   "(make judge writes outputs/.cache/reranker-oof.json); without it the folds use the feature model alone")
    f.add_argument("--show-misses", action="store_true", help="list missed conflicts and false flags per article")
    f.set_defaults(func=_cmd_evaluate_flags)

    b = sub.add_parser("batch", help="run the notebook on many articles (files, folders, globs) with an index page")
    b.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="article files, folders, glob patterns, http(s):// addresses, or text files listing addresses and paths")
    b.add_argument("--workers", type=int, default=None, help="parallel runs (default: number of cores)")
    b.add_argument("--out", default=None, help="output folder (default: outputs/)")
    b.add_argument("--force", action="store_true", help="re-run articles whose outputs are up to date")
    b.add_argument("--dask", metavar="ADDRESS", help="run on a Dask distributed scheduler at ADDRESS")
    b.add_argument("--published", help="publication date for every article (normally from metadata)")
    b.add_argument("--refresh", action="store_true", help="fetch every address again instead of using the snapshots kept in the output folders")
    b.set_defaults(func=_cmd_batch)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = lambda msg, cat, *a, **k: print(f"warning: {msg}", file=sys.stderr)
        try:
            return args.func(args)
        except SourcecheckError as exc:
            print(f"sourcecheck: error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except KeyboardInterrupt:
            print("sourcecheck: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
