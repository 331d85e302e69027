"""Machine-readable exports written beside the report.

- ``analysis.json``: the whole analysis (same document as ``sourcecheck analyze``).
- ``claims.json``: ``{"article": {...}, "claims": [...]}`` (one object per claim, fields as ``Claim.to_dict``).
- ``claims.csv``: one row per claim (columns: see ``CLAIMS_CSV_COLUMNS`` and the README).

Files are written atomically (temp file + rename), so a crash never leaves half a file.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from .model import Analysis

CLAIMS_CSV_COLUMNS = (
    "claim_id", "number", "attributed", "speaker", "speaker_type", "role", "affiliation", "channel",
    "cue", "content", "quote_type", "kind", "start", "end", "group", "flags", "article", "published",
)


def write_atomic(path: Path, data: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return path


def claims_rows(analysis: Analysis) -> list[dict]:
    from .report import claim_numbers

    numbers = claim_numbers(analysis)
    flags: dict[str, list[str]] = {}
    for f in analysis.flags:
        flags.setdefault(f.claim_id, []).append(f.relation)
    rows = []
    for c in sorted(analysis.claims, key=lambda c: (c.start, c.id)):
        rows.append(
            {
                "claim_id": c.id,
                "number": numbers.get(c.id, ""),
                "attributed": c.attribution_id is not None,
                "speaker": c.speaker or "",
                "speaker_type": c.speaker_type or "",
                "role": c.role or "",
                "affiliation": c.affiliation or "",
                "channel": c.channel.label if c.channel else "",
                "cue": c.cue or "",
                "content": c.text,
                "quote_type": c.quote_type or "",
                "kind": c.kind or "",
                "start": c.spans[0].start if c.spans else "",
                "end": c.spans[-1].end if c.spans else "",
                "group": c.group or "",
                "flags": ";".join(flags.get(c.id, [])),
                "article": analysis.article.slug,
                "published": analysis.article.published or "",
            }
        )
    return rows


def claims_csv(analysis: Analysis) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CLAIMS_CSV_COLUMNS)
    w.writeheader()
    w.writerows(claims_rows(analysis))
    return buf.getvalue()


def write_exports(analysis: Analysis, out_dir: str | Path) -> dict[str, Path]:
    """Write analysis.json, claims.json and claims.csv into ``out_dir``; return their paths."""
    out = Path(out_dir)
    payload = analysis.to_dict()
    paths = {
        "analysis_json": write_atomic(out / "analysis.json", json.dumps(payload, ensure_ascii=False, indent=2) + "\n"),
        "claims_json": write_atomic(
            out / "claims.json",
            json.dumps({"article": payload["article"], "claims": payload["claims"]}, ensure_ascii=False, indent=2) + "\n",
        ),
        "claims_csv": write_atomic(out / "claims.csv", claims_csv(analysis)),
    }
    return paths
