"""What a reader sees: the report header, the highlighted article, and the HTML export.

Every piece of article-derived text passes through ``html.escape`` here; the
notebook displays these strings with ``IPython.display.HTML``. The export uses
nbconvert with the offline ``sourcecheck_report`` template (no CDN fetches),
excludes code, and honours the ``remove_cell`` / ``remove_input`` cell tags.
"""
from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path
from typing import Optional

from .model import NO_SOURCE, UNRESOLVED, Analysis

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "sourcecheck_report"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

#: Pastel highlight colours, one per speaker, of eleven distinct hues (no two blues or two
#: purples side by side), in the order they are handed out.
PALETTE = (
    "#fde68a", "#bfdbfe", "#bbf7d0", "#fbcfe8", "#ddd6fe", "#fed7aa",
    "#a5f3fc", "#fecaca", "#d9f99d", "#99f6e4", "#f5d0fe",
)
UNRESOLVED_COLOUR = "#e5e7eb"

_CSS = """
<style>
.sc-article { font-family: Georgia, 'Times New Roman', serif; font-size: 1.02rem; line-height: 1.6; max-width: 46em; }
.sc-article p { margin: 0 0 0.8em 0; }
.sc-article mark.sc-attr { padding: 0 1px; border-radius: 2px; color: inherit; }
.sc-article mark.sc-flagged { outline: 2px solid #b91c1c; outline-offset: 1px; }
.sc-article span.sc-unattributed { border-bottom: 1px dotted #6b7280; }
.sc-article sup.sc-num { font-family: sans-serif; font-size: 0.7em; font-weight: bold; color: #374151; margin-right: 1px; }
.sc-article sup.sc-flag { color: #b91c1c; }
.sc-article .sc-verdict-badge { font-weight: normal; background: #111827; color: #fff; border-radius: 3px; padding: 0 3px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.sc-legend { font-family: sans-serif; font-size: 0.85rem; margin: 0.5em 0 1em 0; }
.sc-legend span { display: inline-block; padding: 1px 6px; margin: 2px 4px 2px 0; border-radius: 3px; }
.sc-header { font-family: sans-serif; border-bottom: 2px solid #111827; margin-bottom: 1em; padding-bottom: 0.5em; }
.sc-header h1 { margin: 0 0 0.3em 0; font-size: 1.6rem; }
.sc-header dl { display: grid; grid-template-columns: max-content auto max-content auto; gap: 2px 12px; margin: 0; }
.sc-header dt { font-weight: bold; color: #374151; }
.sc-header dd { margin: 0; }
.sc-warning { font-family: sans-serif; background: #fef3c7; border-left: 4px solid #d97706; padding: 4px 8px; margin: 4px 0; }
</style>
"""


def e(value) -> str:
    """Escape any value for HTML text or attribute context."""
    return html.escape("" if value is None else str(value), quote=True)


def speaker_colours(analysis: Analysis) -> dict[str, str]:
    """A colour per speaker name, handed out in order of first appearance. With more speakers than
    colours, a new speaker takes the colour whose last passage lies furthest back in the text, so
    two speakers who share a colour are far apart in the article."""
    colours: dict[str, str] = {}
    last_used: dict[str, int] = {}  # colour -> where its latest claim starts
    for c in sorted(analysis.claims, key=lambda c: c.start):
        if c.attribution_id is None:
            continue
        name = analysis.speaker_label(c)
        if name in (UNRESOLVED, NO_SOURCE):
            colours.setdefault(name, UNRESOLVED_COLOUR)
            continue
        if name not in colours:
            unused = [col for col in PALETTE if col not in last_used]
            colours[name] = unused[0] if unused else min(last_used, key=last_used.get)
        last_used[colours[name]] = c.start
    return colours


def claim_numbers(analysis: Analysis) -> dict[str, int]:
    """Claim id -> the number shown in the article and the tables (attributed claims, in text order)."""
    attributed = sorted((c for c in analysis.claims if c.attribution_id is not None), key=lambda c: (c.start, c.id))
    return {c.id: i for i, c in enumerate(attributed, 1)}


def claims_table(analysis: Analysis):
    """The attributed claims as the report shows them: the number used in the highlighted
    article first, then the ``claims.claims_frame`` columns (statements first) without the
    claim id and character offsets, which stay in claims.csv. The article's own assertions
    have a section of their own."""
    from .claims import claims_frame

    frame = claims_frame(analysis)
    numbers = claim_numbers(analysis)
    frame = frame[frame.kind != "assertion"]
    frame.insert(0, "#", [numbers.get(i, "") for i in frame.id])
    frame = frame.drop(columns=["id", "start", "end"]).rename(columns={"speaker_type": "type", "quote_type": "quote"})
    return table(frame.reset_index(drop=True))


def _verdict_count(verdicts) -> int:
    """Accept a ``review.ReviewState``, a mapping claim id -> verdict, or a plain count."""
    if verdicts is None:
        return 0
    if isinstance(verdicts, int):
        return verdicts
    latest = getattr(verdicts, "latest", verdicts)
    return len(latest)


def _fetch_time(fetched: dict) -> str:
    return str(fetched.get("fetched_at") or "unknown").replace("T", " ").replace("Z", " UTC")


def _source_rows(article) -> list[tuple[str, str]]:
    """Where the text came from: the file, or for a fetched page its address and fetch time."""
    f = article.fetched
    if not f:
        return [("File", Path(article.path).name)]
    rows = [("Address", f.get("requested_url") or "")]
    if f.get("final_url") and f.get("final_url") != f.get("requested_url"):
        rows.append(("Redirected to", f["final_url"]))
    rows += [("Fetched", _fetch_time(f)), ("Snapshot", f"{f.get('snapshot') and Path(f['snapshot']).name} (sha256 {str(f.get('sha256'))[:12]}…)")]
    return rows


def _snapshot_line(article) -> str:
    f = article.fetched
    if not f:
        return ""
    return (
        f'<p class="sc-snapshot">Snapshot of {e(f.get("final_url") or f.get("requested_url"))} fetched '
        f"{e(_fetch_time(f))}: every re-run checks this copy until it is fetched again (--refresh; refresh = True in the notebook).</p>"
    )


def header_html(analysis: Analysis, verdicts=None) -> str:
    """Title, outlet, date, word count and the counts of claims, sources, flags and verdicts (all escaped).

    ``verdicts``: the ``review.ReviewState`` of the article (or a count); verdicts on claims
    no longer in the article (orphans) are counted separately.
    """
    a = analysis.article
    verdict_count = _verdict_count(verdicts)
    orphans = len(getattr(verdicts, "orphans", []) or [])
    n_sources = len({c.speaker for c in analysis.claims if c.attribution_id and c.speaker})
    rows = [
        ("Outlet", a.outlet or "unknown"),
        ("Published", a.published or "unknown"),
        ("Words", f"{a.word_count:,}"),
        *_source_rows(a),
        ("Attributed claims", sum(1 for c in analysis.claims if c.attribution_id)),
        ("Unattributed claims", sum(1 for c in analysis.claims if not c.attribution_id)),
        ("Sources", n_sources),
        ("Flags", len(analysis.flags)),
        ("Verdicts", f"{verdict_count} ({orphans} on claims no longer in the text)" if orphans else verdict_count),
        ("sourcecheck", analysis.version),
    ]
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
    warnings = "".join(f'<div class="sc-warning">{e(w)}</div>' for w in a.warnings)
    dropped = ""
    if a.dropped_lines:
        dropped = f'<div class="sc-warning">Removed as web-page leftovers: {e(", ".join(a.dropped_lines))}</div>'
    return (
        _CSS
        + f'<div class="sc-header"><h1>{e(a.title or Path(a.path).name)}</h1>{_snapshot_line(a)}<dl>{dl}</dl></div>'
        + warnings
        + dropped
    )


def article_html(analysis: Analysis, verdicts=None) -> str:
    """The article, one <p> per paragraph, attributed passages highlighted and numbered.

    Colour = speaker; a red outline marks a flagged claim; a dotted underline marks the
    article's own unattributed assertions. With ``verdicts`` (a ``review.ReviewState``),
    each claim's number carries its latest verdict label.
    """
    latest = dict(getattr(verdicts, "latest", verdicts or {}))
    text = analysis.article.text
    colours = speaker_colours(analysis)
    numbers = claim_numbers(analysis)
    flagged = {f.claim_id for f in analysis.flags}
    marks = []  # (start, end, kind, claim)
    for c in analysis.claims:
        for s in c.spans:
            if s.end > s.start:
                marks.append((s.start, s.end, "attr" if c.attribution_id else "unattr", c))
    bounds = sorted({0, len(text), *[m[0] for m in marks], *[m[1] for m in marks]})
    first_span_start = {c.id: min(s.start for s in c.spans) for c in analysis.claims if c.spans}

    out = []
    for seg_start, seg_end in zip(bounds, bounds[1:]):
        covering = [m for m in marks if m[0] <= seg_start and seg_end <= m[1]]
        attr = [m for m in covering if m[2] == "attr"]
        chosen = min(attr, key=lambda m: m[1] - m[0]) if attr else (covering[0] if covering else None)
        prefix = ""
        for m in marks:
            if m[0] == seg_start and m[2] == "attr" and first_span_start.get(m[3].id) == seg_start:
                c = m[3]
                flag = " sc-flag" if c.id in flagged else ""
                sign = "&#9873;" if c.id in flagged else ""
                verdict = latest.get(c.id)
                badge = f' <span class="sc-verdict-badge">{e(verdict.label)}</span>' if verdict is not None else ""
                prefix += f'<sup class="sc-num{flag}" title="claim {numbers.get(c.id, "")}">[{numbers.get(c.id, "")}{sign}{badge}]</sup>'
        # keep paragraph structure: split the segment on newlines
        pieces = text[seg_start:seg_end].split("\n")
        rendered = []
        for piece in pieces:
            body = e(piece)
            if chosen is not None and piece:
                c = chosen[3]
                if chosen[2] == "attr":
                    cls = "sc-attr sc-flagged" if c.id in flagged else "sc-attr"
                    who = analysis.speaker_label(c)
                    colour = colours.get(who, UNRESOLVED_COLOUR)
                    tip = f"[{numbers.get(c.id, '')}] {who} — {c.cue or ''}"
                    body = f'<mark class="{cls}" style="background:{colour}" title="{e(tip)}">{body}</mark>'
                else:
                    body = f'<span class="sc-unattributed" title="unattributed assertion">{body}</span>'
            rendered.append(body)
        out.append(prefix + "</p>\n<p>".join(rendered))
    legend = "".join(f'<span style="background:{col}">{e(name)}</span>' for name, col in colours.items())
    return (
        _CSS
        + f'<div class="sc-legend"><b>Speakers:</b> {legend} '
        + '<span style="outline:2px solid #b91c1c">flagged</span> '
        + '<span style="border-bottom:1px dotted #6b7280">unattributed assertion</span></div>'
        + '<div class="sc-article"><p>'
        + "".join(out)
        + "</p></div>"
    )


def _render_html(nb) -> str:
    """The report's HTML for a notebook node: the offline template, no code, the cell tags honoured."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    tags = TagRemovePreprocessor(remove_cell_tags={"remove_cell"}, remove_input_tags={"remove_input"})
    exporter.register_preprocessor(tags, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    return body


def _warm_up_export() -> None:
    """Import nbconvert and render a two-cell notebook, so the template is compiled and cached."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# warm-up"), nbformat.v4.new_code_cell("1", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<p>1</p>", "text/plain": "1"})])]
    _render_html(nb)


def prepare_export():
    """Start importing nbconvert and compiling the report template on a background thread, so a run
    that ends in ``export_report`` does not wait for them once the kernel is done: on the seed the
    export took 0.41-0.43 s without this and 0.16-0.18 s with it, and the whole run 5.46-5.89 s
    without it against 5.32-5.69 s with it (``runner.run_article``, 4 and 8 runs, 2 cores,
    2026-12-07); the kernel mostly leaves a core free meanwhile. Returns the thread (join it before
    exporting), or None when nbconvert is already imported (a batch worker's later articles).

    IPython and pygments are imported here first, on the caller's thread: papermill imports them
    once a run starts and nbconvert imports them too, and no module may be imported by two threads
    at once. An error on the thread is dropped: ``export_report`` then meets it and says so.
    """
    import sys
    import threading

    if "nbconvert" in sys.modules:
        return None
    import IPython  # noqa: F401
    import pygments  # noqa: F401

    def warm() -> None:
        try:
            _warm_up_export()
        except Exception:  # noqa: BLE001 - the real export raises it again, with its context
            pass

    thread = threading.Thread(target=warm, name="sourcecheck-export-warm-up", daemon=True)
    thread.start()
    return thread


def export_report(notebook_path: str | Path, html_path: str | Path, title: Optional[str] = None) -> Path:
    """Export an executed notebook to a code-free, offline HTML report (written atomically)."""
    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    if title:
        nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)  # widget state needs a CDN manager; the report is static
    for cell in nb.cells:  # a live widget needs a widget manager: keep only its static form (if any)
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW_MIME in data:
                data.pop(WIDGET_VIEW_MIME)
                if set(data) <= {"text/plain"}:  # nothing but "VBox(children=...)": drop it
                    continue
            kept.append(out)
        cell.outputs = kept
    body = _render_html(nb)
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=html_path.parent, prefix=".report-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; the report is meant to be shared
    os.replace(tmp, html_path)
    return html_path


def claims_per_source_chart(analysis: Analysis, top: int = 15):
    """Horizontal bar chart: attributed claims per speaker (direct quotes stacked separately)."""
    from .charts import describe, nothing_to_show, subplots

    counts: dict[str, list[int]] = {}
    for c in analysis.claims:
        if c.attribution_id is None:
            continue
        name = analysis.speaker_label(c)
        row = counts.setdefault(name, [0, 0])
        row[0 if c.quote_type in ("direct", "mixed") else 1] += 1
    items = sorted(counts.items(), key=lambda kv: -sum(kv[1]))[:top]
    fig, ax = subplots(figsize=(7, 0.4 * max(len(items), 1) + 1.2))
    if not items:
        nothing_to_show(fig, ax, "Claims per source", "No attributed claims found")
        return fig
    describe(fig, "Claims per source (bar chart)", [
        f"{name} {d + r}" + (f" ({d} as direct or mixed quotes)" if d else "") for name, (d, r) in items])
    names = [k for k, _ in items][::-1]
    direct = [v[0] for _, v in items][::-1]
    indirect = [v[1] for _, v in items][::-1]
    ax.barh(names, direct, color="#2563eb", label="direct or mixed quote")
    ax.barh(names, indirect, left=direct, color="#93c5fd", label="reported speech")
    ax.set_xlabel("claims")
    ax.set_title("Claims per source")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig


#: Columns that are for software, not for a reader: internal ids and character offsets. The frames keep them
#: (exports, code); ``table`` leaves them out of what the notebook and the report show.
INTERNAL_COLUMNS = frozenset({
    "id", "speaker_id", "claim_id", "claim id", "flag id", "claim_ids", "attribution_id", "group",
    "start", "end", "claim start", "claim end", "first_mention_start",
})


def reading_frame(frame):
    """``frame`` without its internal ids and offsets (``INTERNAL_COLUMNS``), its column names in words
    ("first mention", not ``first_mention``); an index of group ids is dropped too."""
    shown = frame.drop(columns=[c for c in frame.columns if c in INTERNAL_COLUMNS])
    if shown.index.name in INTERNAL_COLUMNS:
        shown = shown.reset_index(drop=True)
    return shown.rename(columns=lambda c: c.replace("_", " ") if isinstance(c, str) else c)


def table(frame, index: bool = False, internal: bool = False):
    """A pandas table for the notebook and the report: escaped, no NaN noise, wrapped text.

    ``DataFrame.to_html`` escapes every cell (``escape=True``); the result is wrapped in
    ``IPython.display.HTML`` so the notebook and nbconvert show the same markup. Internal ids
    and character offsets are left out unless ``internal`` is set (the exports keep them).
    """
    import pandas as pd
    from IPython.display import HTML

    if not internal:
        frame = reading_frame(frame)

    # Give long-text columns (claim content, evidence, reasons) room to read.
    wide = {}
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):  # object or (pandas 3) str dtype
            longest = frame[col].dropna().astype(str).str.len().max()
            if longest and longest > 60:
                wide[col] = "22em"
    body = frame.to_html(
        index=index, na_rep="", escape=True, classes="sc-table", border=1,
        float_format=lambda v: f"{v:.2f}", col_space=wide or None,
    )
    if frame.empty:
        body = '<p class="sc-empty"><i>Nothing to show.</i></p>'
    return HTML(body)
