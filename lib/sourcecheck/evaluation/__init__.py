"""Measuring sourcecheck's stages against gold annotations.

- ``attribution``: the extractor on PolNeAR-format JSONL (``sourcecheck evaluate``);
- ``speakers``: speaker resolution (``sourcecheck evaluate-speakers``);
- ``flags``: cross-source flags on the dev conflict set (``sourcecheck evaluate-flags``).
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
from pathlib import Path
from typing import Optional

from ..errors import EvaluationError

#: The repository checkout this package runs from (src layout: lib/sourcecheck/evaluation/).
REPO_ROOT = Path(__file__).resolve().parents[3]


@functools.lru_cache(maxsize=1)
def shared_dirs() -> tuple[Path, ...]:
    """Where the team's read-only ``shared/`` folder (seeds, PolNeAR) may be, best first:
    beside this checkout, inside it, and beside the checkout this one was cloned from
    (a CI clone in a scratch folder still finds the data its origin sits next to)."""
    out = [REPO_ROOT.parent / "shared", REPO_ROOT / "shared"]
    try:
        url = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        url = ""
    if url and "://" not in url and Path(url).is_dir():
        out.append(Path(url).resolve().parent / "shared")
    return tuple(out)


def polnear_dir() -> Optional[Path]:
    """The PolNeAR folder (``dev.jsonl``, ``train.jsonl``): ``$SOURCECHECK_POLNEAR_DIR``, else
    ``shared/data/polnear`` in the first of ``shared_dirs()`` that has it; ``None`` if none does."""
    env = os.environ.get("SOURCECHECK_POLNEAR_DIR")
    cands = [Path(env)] if env else []
    cands += [d / "data" / "polnear" for d in shared_dirs()]
    return next((p for p in cands if (p / "dev.jsonl").is_file()), None)


def iter_jsonl(path, what: str, expected: str):
    """``(line number, object)`` for every non-blank line of a JSONL file.

    Raises ``EvaluationError`` naming the file (and the line) when the file is
    missing or a line is not JSON; ``what`` names the file for the reader ("gold
    file"), ``expected`` says what format to pass.
    """
    p = Path(path)
    if not p.is_file():
        raise EvaluationError(f"{p}: {what} not found (pass {expected})")
    with p.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvaluationError(f"{p}: line {n} is not valid JSON ({exc.msg}); one object per line is expected") from exc
            yield n, row


def read_jsonl_numbered(path, required: tuple[str, ...], what: str, expected: str, limit: Optional[int] = None) -> list[tuple[int, dict]]:
    """``(line number, object)`` for the rows of a JSONL file that must each carry the
    ``required`` fields (the line numbers are for messages about a row's content).

    Raises ``EvaluationError`` naming the file (and the line) when the file is missing,
    a line is not JSON (see ``iter_jsonl``), or a row lacks a required field.
    """
    rows = []
    for n, row in iter_jsonl(path, what, expected):
        missing = [k for k in required if not isinstance(row, dict) or k not in row]
        if missing:
            raise EvaluationError(f"{Path(path)}: line {n} has no {', '.join(repr(k) for k in missing)}; expected {expected}")
        rows.append((n, row))
        if limit is not None and len(rows) >= limit:
            break
    return rows
