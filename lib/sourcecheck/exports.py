"""Machine-readable exports written beside the report.

- ``analysis.json``: the whole analysis (same document as ``sourcecheck analyze``).
- ``claims.json``: ``{"schema", "article", "claims", "verdicts", "orphaned_verdicts"}``; claims as
  in ``analysis.json``, the latest verdict per claim id, and verdicts on claims no longer in the text.
- ``claims.csv``: one row per claim (columns: ``CLAIMS_CSV_COLUMNS``, described in the README).
- ``flags.csv``: one row per flag, most serious first (columns: ``FLAGS_CSV_COLUMNS``).
- ``claimreview.jsonld``: schema.org ``ClaimReview`` for each claim with a verdict.

Files are written atomically (temp file + rename), so a crash never leaves half a file.
Verdicts come from the verdict store (``review.ReviewState``), never from widget state.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Optional

from .model import Analysis

CLAIMS_JSON_SCHEMA = "sourcecheck.claims/1"

CLAIMS_CSV_COLUMNS = (
    "claim_id", "number", "attributed", "speaker", "speaker_type", "role", "affiliation", "channel",
    "cue", "content", "quote_type", "kind", "extraction_confidence", "start", "end", "group", "flags", "article",
    "published",
    "verdict", "verdict_note", "reviewer", "verdict_at",
)

FLAGS_CSV_COLUMNS = (
    "flag_id", "claim_id", "number", "relation", "severity", "confidence", "speaker", "channel", "claim",
    "countering_speaker", "evidence", "reason", "verdict", "article",
)

#: schema.org type of a claim's author, by speaker type (``model.SPEAKER_TYPES``).
_AUTHOR_TYPES = {
    "person": "Person",
    "anonymous": "Person",
    "unresolved": "Person",
    "government_body": "GovernmentOrganization",
    "organisation": "Organization",
    "news_outlet": "NewsMediaOrganization",
    "social_platform": "Organization",
    "document": "Organization",
}


def write_atomic(path: Path, data: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; exports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _latest(verdicts) -> dict:
    """claim id -> ``review.Verdict`` from a ``ReviewState`` (or a plain mapping, or None)."""
    if verdicts is None:
        return {}
    return dict(getattr(verdicts, "latest", verdicts))


# --------------------------------------------------------------------------- claims
def claims_rows(analysis: Analysis, verdicts=None) -> list[dict]:
    from .report import claim_numbers

    numbers = claim_numbers(analysis)
    confidence = analysis.extraction_confidence()
    latest = _latest(verdicts)
    flags: dict[str, list[str]] = {}
    for f in analysis.flags:
        flags.setdefault(f.claim_id, []).append(f.relation)
    rows = []
    for c in sorted(analysis.claims, key=lambda c: (c.start, c.id)):
        v = latest.get(c.id)
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
                "extraction_confidence": confidence.get(c.attribution_id, ""),
                "start": c.spans[0].start if c.spans else "",
                "end": c.spans[-1].end if c.spans else "",
                "group": c.group or "",
                "flags": ";".join(flags.get(c.id, [])),
                "article": analysis.article.slug,
                "published": analysis.article.published or "",
                "verdict": v.verdict if v else "",
                "verdict_note": v.note if v else "",
                "reviewer": v.reviewer if v else "",
                "verdict_at": v.created_at if v else "",
            }
        )
    return rows


def _csv(rows: list[dict], columns) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns)
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def claims_csv(analysis: Analysis, verdicts=None) -> str:
    return _csv(claims_rows(analysis, verdicts), CLAIMS_CSV_COLUMNS)


def _verdict_dict(v) -> Optional[dict]:
    if v is None:
        return None
    return {"verdict": v.verdict, "label": v.label, "note": v.note, "reviewer": v.reviewer,
            "recorded_at": v.created_at, "seq": v.seq, "article_sha256": v.article_sha}


def claims_document(analysis: Analysis, verdicts=None) -> dict:
    """The ``claims.json`` document (schema ``sourcecheck.claims/1``, described in the README).

    ``claims`` are exactly the claims of ``analysis.json`` (same order, same fields);
    ``verdicts`` holds the latest verdict per claim (by ``claim_id``); ``orphaned_verdicts``
    the latest verdicts on claims no longer in the text (kept, never dropped).
    """
    latest = _latest(verdicts)
    ids = [c.id for c in analysis.claims]
    return {
        "schema": CLAIMS_JSON_SCHEMA,
        "article": analysis.article.to_dict(),
        "claims": [c.to_dict() for c in analysis.claims],
        "verdicts": [{"claim_id": cid, **_verdict_dict(latest[cid])} for cid in ids if cid in latest],
        "orphaned_verdicts": [
            {"claim_id": v.claim_id, "claim_text": v.claim_text, **_verdict_dict(v)}
            for v in getattr(verdicts, "orphans", []) or []
        ],
    }


# --------------------------------------------------------------------------- flags
def flags_rows(analysis: Analysis, verdicts=None) -> list[dict]:
    from .report import claim_numbers

    numbers = claim_numbers(analysis)
    latest = _latest(verdicts)
    claims = {c.id: c for c in analysis.claims}
    rows = []
    for f in sorted(analysis.flags, key=lambda f: (-f.severity, -f.confidence, claims[f.claim_id].start)):
        c = claims[f.claim_id]
        v = latest.get(f.claim_id)
        rows.append(
            {
                "flag_id": f.id,
                "claim_id": f.claim_id,
                "number": numbers.get(f.claim_id, ""),
                "relation": f.relation,
                "severity": f.severity,
                "confidence": round(float(f.confidence), 3),
                "speaker": f.speaker or c.speaker or "",
                "channel": f.channel or (c.channel.label if c.channel else ""),
                "claim": c.text,
                "countering_speaker": f.countering_speaker or "",
                "evidence": " … ".join(e.text for e in f.evidence),
                "reason": f.reason,
                "verdict": v.verdict if v else "",
                "article": analysis.article.slug,
            }
        )
    return rows


def flags_csv(analysis: Analysis, verdicts=None) -> str:
    return _csv(flags_rows(analysis, verdicts), FLAGS_CSV_COLUMNS)


# --------------------------------------------------------------------------- ClaimReview
def claim_reviews(analysis: Analysis, verdicts, *, review_url: Optional[str] = None,
                  publisher: Optional[str] = None) -> dict:
    """schema.org ``ClaimReview`` objects (JSON-LD ``@graph``) for each claim with a verdict.

    ``review_url``: where the reviews are published (each review gets ``<review_url>#<claim id>``);
    without it the reviews carry no ``url``. ``publisher``: the reviewing organisation, if any.
    """
    a = analysis.article
    latest = _latest(verdicts)
    appearance = {"@type": "NewsArticle"}
    url = a.url if a.url and a.url.lower().startswith(("http://", "https://")) else None  # never javascript: etc.
    for key, value in (("url", url), ("headline", a.title), ("datePublished", a.published)):
        if value:
            appearance[key] = value
    if a.outlet:
        appearance["publisher"] = {"@type": "NewsMediaOrganization", "name": a.outlet}
    if a.author:
        appearance["author"] = {"@type": "Person", "name": a.author}
    graph = []
    for c in sorted(analysis.claims, key=lambda c: (c.start, c.id)):
        v = latest.get(c.id)
        if v is None:
            continue
        if c.speaker:
            author = {"@type": _AUTHOR_TYPES.get(c.speaker_type or "unresolved", "Person"), "name": c.speaker}
        elif a.author:  # the article's own assertion: its author (or outlet) makes the claim
            author = {"@type": "Person", "name": a.author}
        elif a.outlet:
            author = {"@type": "NewsMediaOrganization", "name": a.outlet}
        else:
            author = None
        item = {"@type": "Claim", "appearance": appearance}
        if author:
            item["author"] = author
        if a.published:
            item["datePublished"] = a.published
        review = {
            "@type": "ClaimReview",
            "identifier": c.id,
            "claimReviewed": c.text,
            "itemReviewed": item,
            "reviewRating": {"@type": "Rating", "alternateName": v.label},
            "author": {"@type": "Person", "name": v.reviewer},
            "datePublished": v.created_at[:10],
        }
        if v.note:
            review["reviewRating"]["ratingExplanation"] = v.note
        if publisher:
            review["publisher"] = {"@type": "Organization", "name": publisher}
        if review_url and review_url.lower().startswith(("http://", "https://")):
            review["url"] = f"{review_url}#{c.id}"
        graph.append(review)
    return {"@context": "https://schema.org", "@graph": graph}


def validate_claim_reviews(doc: dict) -> list[str]:
    """Structural problems in a ClaimReview JSON-LD document (empty list = valid)."""
    problems = []
    if doc.get("@context") not in ("https://schema.org", "http://schema.org", "https://schema.org/"):
        problems.append("@context is not schema.org")
    graph = doc.get("@graph")
    if not isinstance(graph, list):
        return problems + ["@graph is not a list"]
    for i, r in enumerate(graph):
        where = f"@graph[{i}]"
        if r.get("@type") != "ClaimReview":
            problems.append(f"{where}: @type is not ClaimReview")
        if not isinstance(r.get("claimReviewed"), str) or not r["claimReviewed"].strip():
            problems.append(f"{where}: claimReviewed missing")
        item = r.get("itemReviewed") or {}
        if item.get("@type") != "Claim":
            problems.append(f"{where}: itemReviewed is not a Claim")
        if "author" in item and not (item["author"].get("@type") and item["author"].get("name")):
            problems.append(f"{where}: itemReviewed.author needs @type and name")
        if not isinstance(item.get("appearance"), dict) or not item["appearance"].get("@type"):
            problems.append(f"{where}: itemReviewed.appearance missing")
        rating = r.get("reviewRating") or {}
        if rating.get("@type") != "Rating" or not rating.get("alternateName"):
            problems.append(f"{where}: reviewRating needs @type Rating and alternateName")
        author = r.get("author") or {}
        if not (author.get("@type") and author.get("name")):
            problems.append(f"{where}: author needs @type and name")
        date = str(r.get("datePublished", ""))
        if len(date) != 10 or date[4] != "-" or date[7] != "-":
            problems.append(f"{where}: datePublished is not YYYY-MM-DD")
        if "url" in r and not str(r["url"]).startswith(("http://", "https://")):
            problems.append(f"{where}: url is not absolute")
    return problems


# --------------------------------------------------------------------------- all of them
def write_exports(analysis: Analysis, out_dir: str | Path, verdicts=None, *,
                  review_url: Optional[str] = None) -> dict[str, Path]:
    """Write analysis.json, claims.json, claims.csv, flags.csv and claimreview.jsonld; return their paths.

    ``verdicts``: the article's ``review.ReviewState`` (latest verdict per claim + orphans).
    """
    out = Path(out_dir)

    def dump(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"

    return {
        "analysis_json": write_atomic(out / "analysis.json", dump(analysis.to_dict())),
        "claims_json": write_atomic(out / "claims.json", dump(claims_document(analysis, verdicts))),
        "claims_csv": write_atomic(out / "claims.csv", claims_csv(analysis, verdicts)),
        "flags_csv": write_atomic(out / "flags.csv", flags_csv(analysis, verdicts)),
        "claimreview_jsonld": write_atomic(
            out / "claimreview.jsonld", dump(claim_reviews(analysis, verdicts, review_url=review_url))
        ),
    }
