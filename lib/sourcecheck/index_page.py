"""The batch overview: ``index.html``, a combined ``claims.csv`` and ``batch.json``, and charts.

``index.html`` has one row per article (title, date, claims, sources, flags by
type, verdicts, status, link to its report). It is one self-contained file:
every article-derived string is escaped with ``html.escape``, columns sort with
a small inline script (no CDN), and it reads fine offline.

The combined ``claims.csv`` is every successful article's ``claims.csv`` with
two columns in front: ``batch_slug`` (the article's output folder) and
``article_path``. ``batch.json`` lists the outcomes; the
``notebooks/batch_overview.ipynb`` notebook reads it (``batch_frame``) and the
combined claims (``claims_frame``) and charts them.
"""
from __future__ import annotations

import csv
import html
import io
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from . import __version__
from .exports import write_atomic

if TYPE_CHECKING:  # pragma: no cover
    from .batch import BatchResult

INDEX_NAME = "index.html"
CLAIMS_NAME = "claims.csv"
BATCH_JSON = "batch.json"
LEAD_COLUMNS = ("batch_slug", "article_path")

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4;cursor:pointer;user-select:none;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"} th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right} .failed{color:#a00} .ok{color:#070} .skipped{color:#555}
.reason{font-size:12px;color:#a00} .path{font-size:12px;color:#666}
"""

# Sorts by each cell's data-sort (numbers numerically, text case-insensitively); click again to reverse.
_SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var key = function (tr) {
      var c = tr.cells[col], v = c.getAttribute("data-sort");
      if (v === null) { v = c.textContent; }
      var n = parseFloat(v);
      return (v !== "" && !isNaN(n) && isFinite(v)) ? [0, n] : [1, v.toLowerCase()];
    };
    Array.from(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b), r = x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
      return asc ? r : -r;
    }).forEach(function (tr) { body.appendChild(tr); });
  });
});
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _counts_text(counts: dict) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _row(root: Path, o) -> str:
    s = o.summary or {}
    title = s.get("title") or Path(o.article_path).name
    report = o.report
    if report and Path(report).is_file():
        href = quote(os.path.relpath(report, root).replace(os.sep, "/"))
        title_cell = f'<a href="{_e(href)}">{_e(title)}</a>'
    else:
        title_cell = _e(title)
    flags = s.get("flags") or {}
    verdicts = s.get("verdicts") or {}
    status = f'<span class="{_e(o.status)}">{_e(o.status)}</span>'
    if o.error:
        status += f'<div class="reason">{_e(o.error)}</div>'
    cells = [
        f'<td data-sort="{_e(title)}">{title_cell}<div class="path">{_e(o.article_path)}</div></td>',
        f"<td>{_e(s.get('published') or '')}</td>",
        f'<td class="num">{_e(s.get("claims", ""))}</td>',
        f'<td class="num">{_e(s.get("sources", ""))}</td>',
        f'<td data-sort="{sum(flags.values()) if flags else ""}">{_e(_counts_text(flags))}</td>',
        f'<td data-sort="{sum(verdicts.values()) if verdicts else ""}">{_e(_counts_text(verdicts))}</td>',
        f'<td data-sort="{_e(o.status)}">{status}</td>',
        f'<td class="num">{o.seconds:.1f}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def index_html(root: Path, result: "BatchResult") -> str:
    """The whole index page as a string (self-contained, offline, escaped)."""
    n = {s: len(result.by_status(s)) for s in ("ok", "skipped", "failed")}
    head = ["Article", "Date", "Claims", "Sources", "Flags by type", "Verdicts", "Status", "Seconds"]
    rows = "\n".join(_row(root, o) for o in result.outcomes)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
        "script-src 'unsafe-inline'; img-src 'self' data:\">"
        f"<title>sourcecheck batch — {len(result.outcomes)} articles</title><style>{_STYLE}</style></head><body>"
        f"<h1>sourcecheck batch</h1><p>{n['ok']} run, {n['skipped']} up to date, {n['failed']} failed · "
        f"generated {_e(time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()))} by sourcecheck {_e(__version__)} · "
        f'<a href="{CLAIMS_NAME}">all claims (CSV)</a> · click a column heading to sort</p>'
        '<table class="sortable"><thead><tr>'
        + "".join(f"<th>{h}</th>" for h in head)
        + f"</tr></thead><tbody>\n{rows}\n</tbody></table><script>{_SCRIPT}</script></body></html>\n"
    )


def combined_claims_csv(result: "BatchResult") -> str:
    """Every successful article's claims.csv, with ``batch_slug`` and ``article_path`` in front."""
    fields: list[str] = list(LEAD_COLUMNS)
    rows: list[dict] = []
    for o in result.outcomes:
        if o.status not in ("ok", "skipped") or not o.out_dir:
            continue
        path = Path(o.out_dir) / CLAIMS_NAME
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for name in reader.fieldnames or []:
                if name not in fields:
                    fields.append(name)
            for row in reader:
                rows.append({"batch_slug": o.slug, "article_path": o.article_path, **row})
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_batch_files(root: str | Path, result: "BatchResult") -> dict[str, Path]:
    """Write index.html, claims.csv and batch.json into the batch's output folder."""
    root = Path(root)
    doc = {
        "schema": "sourcecheck.batch/1",
        "version": __version__,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": result.seconds,
        "articles": [o.to_dict() for o in result.outcomes],
        "input_warnings": result.input_warnings,
    }
    return {
        "index": write_atomic(root / INDEX_NAME, index_html(root, result)),
        "claims_csv": write_atomic(root / CLAIMS_NAME, combined_claims_csv(result)),
        "batch_json": write_atomic(root / BATCH_JSON, json.dumps(doc, ensure_ascii=False, indent=2) + "\n"),
    }


# --------------------------------------------------------------------------- for batch_overview.ipynb
def batch_dir(root: str | Path = "") -> Path:
    """The batch output folder: ``root``, or ``outputs/`` in the project when empty."""
    if str(root).strip():
        return Path(root)
    from .runner import project_root

    return project_root() / "outputs"


def batch_frame(root: str | Path = ""):
    """One row per article of the last batch in ``root`` (from batch.json), flags by type as columns."""
    import pandas as pd

    path = batch_dir(root) / BATCH_JSON
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        from .errors import SourcecheckError

        raise SourcecheckError(f"{path}: no batch found (run `sourcecheck batch` first)") from None
    rows = []
    for a in doc.get("articles", []):
        s = a.get("summary") or {}
        row = {
            "slug": a.get("slug"),
            "title": s.get("title") or Path(a.get("article_path") or "").name,
            "published": s.get("published") or "",
            "status": a.get("status"),
            "error": a.get("error") or "",
            "claims": s.get("claims"),
            "sources": s.get("sources"),
            "seconds": a.get("seconds"),
            "flags": sum((s.get("flags") or {}).values()),
        }
        row.update({f"flag:{k}": v for k, v in (s.get("flags") or {}).items()})
        rows.append(row)
    df = pd.DataFrame(rows, columns=None if rows else ["slug", "title", "published", "status", "error", "claims", "sources", "seconds", "flags"])
    flag_cols = [c for c in df.columns if c.startswith("flag:")]
    if flag_cols:
        df[flag_cols] = df[flag_cols].fillna(0).astype(int)
    return df


def claims_frame(root: str | Path = ""):
    """The combined claims of the batch (``claims.csv``)."""
    import pandas as pd

    path = batch_dir(root) / CLAIMS_NAME
    if not path.is_file() or path.stat().st_size == 0:
        return pd.DataFrame(columns=list(LEAD_COLUMNS))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def failures_frame(frame):
    """The articles that failed, with their one-line reason."""
    return frame.loc[frame["status"] == "failed", ["slug", "title", "error"]].reset_index(drop=True)


def flags_per_article_chart(frame):
    """Stacked bars: flags per article, by type."""
    from .charts import describe, nothing_to_show, subplots

    done = frame[frame["status"] != "failed"] if "status" in frame else frame
    cols = [c for c in done.columns if c.startswith("flag:")]
    fig, ax = subplots(figsize=(8, max(2.0, 0.35 * len(done) + 1)))
    if done.empty or not cols:
        nothing_to_show(fig, ax, "Flags per article", "no flags in this batch")
        return ax
    data = done.set_index("slug")[cols].rename(columns=lambda c: c[5:].replace("_", " "))
    describe(fig, "Flags per article (stacked bars)", [
        f"{slug} {int(row.sum())}" + (" (" + ", ".join(f"{int(v)} {k}" for k, v in row.items() if v) + ")" if row.sum() else "")
        for slug, row in data.fillna(0).iterrows()])
    data.plot.barh(stacked=True, ax=ax)
    ax.set_xlabel("flags")
    ax.set_ylabel("")
    ax.invert_yaxis()
    ax.set_title("Flags per article")
    fig.tight_layout()
    return ax


def top_sources_chart(claims, n: int = 15):
    """The sources cited in most claims across the batch (attributed claims only)."""
    from .charts import describe, nothing_to_show, subplots

    fig, ax = subplots(figsize=(8, 0.35 * n + 1))
    speakers = claims["speaker"] if "speaker" in claims else None
    if speakers is None or (speakers != "").sum() == 0:
        nothing_to_show(fig, ax, "Most-cited sources", "no attributed claims")
        return ax
    counts = speakers[speakers != ""].value_counts().head(n)[::-1]
    describe(fig, f"Most-cited sources, top {len(counts)} (bar chart)", [f"{k} {v}" for k, v in counts[::-1].items()])
    counts.plot.barh(ax=ax)
    ax.set_xlabel("claims")
    ax.set_title(f"Most-cited sources (top {len(counts)})")
    fig.tight_layout()
    return ax


def source_type_chart(claims):
    """The mix of source types (person, government body, outlet...) over all attributed claims."""
    from .charts import describe, nothing_to_show, subplots

    fig, ax = subplots(figsize=(7, 3.5))
    types = claims["speaker_type"] if "speaker_type" in claims else None
    if types is None or (types != "").sum() == 0:
        nothing_to_show(fig, ax, "Source-type mix", "no attributed claims")
        return ax
    mix = types[types != ""].str.replace("_", " ").value_counts()
    describe(fig, "Source-type mix (bar chart)", [f"{k} {v}" for k, v in mix.items()])
    mix[::-1].plot.barh(ax=ax)
    ax.set_xlabel("claims")
    ax.set_title("Source-type mix")
    fig.tight_layout()
    return ax
