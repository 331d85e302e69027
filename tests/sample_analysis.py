"""Hand-built analyses for the review, report and export tests (no spaCy, no pipeline).

``build_analysis(text, claims, flags)`` finds each claim's text in the article,
derives ids the way the pipeline does (from content and speaker, not offsets),
and returns a validated ``Analysis``.
"""
from __future__ import annotations

import hashlib

from sourcecheck.article import _paragraphs
from sourcecheck.model import Analysis, Article, Attribution, Channel, Claim, Flag, Relation, Span, Speaker, stable_id

SEED_LIKE = (
    "President Trump said in a post on Truth Social that Russian troops have surrounded thousands of Ukrainian "
    "soldiers in Kursk.\n"
    "The Wall Street Journal reported that soldiers and analysts have not noted a complete encirclement.\n"
    "Kremlin spokesman Dmitry Peskov said Russia would not accept an immediate ceasefire.\n"
    "Officials said the talks would continue next week.\n"
)

HOSTILE = (
    'The mayor said "<script>window.__pwned = 1; console.error(\'pwned\')</script> is fine" at the meeting.\n'
    'A spokesman said the photo <img src=x onerror="window.__pwned = 2"> was real.\n'
    'Critics said <iframe src="javascript:window.__pwned=3"></iframe> and <a href="javascript:alert(1)">click</a> '
    "were added later.\n"
    "The council said </td></tr></table><b>bold</b> & 'quotes' \"everywhere\" was its position.\n"
)


def _find(text: str, needle: str) -> Span:
    i = text.find(needle)
    assert i >= 0, f"{needle!r} not in text"
    return Span.of(text, i, i + len(needle))


def build_analysis(text: str, claims: list[dict], *, slug: str = "sample", flags: list[dict] = (), relations: list[dict] = (),
                   title: str | None = "A sample article", outlet: str | None = "The Sample Times",
                   published: str | None = "2025-03-14", url: str | None = None) -> Analysis:
    """claims: dicts with ``text`` (found in the article), ``speaker``, optional ``source``, ``cue``, ``channel``.

    flags: dicts with ``claim`` (index), ``relation``, ``reason``, ``evidence`` (index of the evidence claim).
    """
    article = Article(
        text=text, path=f"<{slug}>", slug=slug, title=title, outlet=outlet, published=published, url=url,
        paragraphs=_paragraphs(text), sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    out_claims, attrs, speakers = [], [], {}
    for spec in claims:
        content = _find(text, spec["text"])
        speaker = spec.get("speaker")
        attr_id = None
        if speaker:
            src = _find(text, spec.get("source", speaker))
            cue = _find(text, spec.get("cue", "said"))
            attr_id = stable_id("a", content.text, src.text)
            attrs.append(Attribution(id=attr_id, source=[src], cue=[cue], content=[content]))
            sp = speakers.setdefault(speaker, Speaker(id=stable_id("s", speaker), name=speaker, type=spec.get("type", "person")))
            sp.mentions.append(src)
        ch = spec.get("channel")
        out_claims.append(
            Claim(
                id=stable_id("c", content.text, speaker or ""),
                text=content.text,
                spans=[content],
                attribution_id=attr_id,
                speaker_id=speakers[speaker].id if speaker else None,
                speaker=speaker,
                speaker_type=spec.get("type", "person") if speaker else None,
                channel=Channel(kind="social_post", label=ch) if ch else None,
                cue=spec.get("cue", "said") if speaker else None,
                quote_type="indirect" if speaker else None,
                kind="statement" if speaker else "assertion",
            )
        )
    rels, out_flags = [], []
    for i, f in enumerate(flags):
        c = out_claims[f["claim"]]
        ev = out_claims[f["evidence"]] if f.get("evidence") is not None else None
        rid = stable_id("r", c.id, ev.id if ev else "", f["relation"])
        rels.append(Relation(id=rid, claim_id=c.id, evidence_claim_id=ev.id if ev else None, relation=f["relation"],
                             reason=f["reason"], evidence=list(ev.spans) if ev else []))
        out_flags.append(
            Flag(id=stable_id("f", c.id, f["relation"]), claim_id=c.id, relation=f["relation"], reason=f["reason"],
                 severity=f.get("severity", 3), confidence=0.8, claim_span=c.spans[0], speaker=c.speaker,
                 channel=c.channel.label if c.channel else None, countering_speaker=ev.speaker if ev else None,
                 evidence=list(ev.spans) if ev else [], relation_ids=[rid])
        )
    for r in relations:
        c, ev = out_claims[r["claim"]], out_claims[r["evidence"]]
        rels.append(Relation(id=stable_id("r", c.id, ev.id, r["relation"]), claim_id=c.id, evidence_claim_id=ev.id,
                             relation=r["relation"], reason=r.get("reason", ""), evidence=list(ev.spans)))
    return Analysis(article=article, attributions=attrs, speakers=list(speakers.values()), claims=out_claims,
                    relations=rels, flags=out_flags, version="test").validate()


def seed_like(text: str = SEED_LIKE, slug: str = "seed-like", *, prefix: str = "", edits: dict | None = None) -> Analysis:
    """The seed-like article; ``prefix`` is put before the text, ``edits`` (old -> new) applied to text and claims."""
    edits = edits or {}
    for old, new in edits.items():
        text = text.replace(old, new)
    claims = [
            {"text": "Russian troops have surrounded thousands of Ukrainian soldiers in Kursk", "speaker": "Donald Trump",
             "source": "President Trump", "channel": "post on Truth Social"},
            {"text": "soldiers and analysts have not noted a complete encirclement", "speaker": "Wall Street Journal",
             "source": "The Wall Street Journal", "cue": "reported", "type": "news_outlet"},
            {"text": "Russia would not accept an immediate ceasefire", "speaker": "Dmitry Peskov",
             "source": "Kremlin spokesman Dmitry Peskov"},
            {"text": "the talks would continue next week", "speaker": "officials", "source": "Officials", "type": "anonymous"},
    ]
    for spec in claims:
        for old, new in edits.items():
            spec["text"] = spec["text"].replace(old, new)
    return build_analysis(
        prefix + text,
        claims,
        slug=slug,
        flags=[{"claim": 0, "relation": "not_confirmed", "reason": "The Journal's sources saw no complete encirclement.",
                "evidence": 1, "severity": 4}],
        relations=[{"claim": 1, "evidence": 0, "relation": "qualifies", "reason": "same front, different account"}],
    )


def hostile() -> Analysis:
    return build_analysis(
        HOSTILE,
        [
            {"text": "<script>window.__pwned = 1; console.error('pwned')</script> is fine", "speaker": "<b>The mayor</b>",
             "source": "The mayor", "channel": "<script>alert('channel')</script>"},
            {"text": 'the photo <img src=x onerror="window.__pwned = 2"> was real', "speaker": "A spokesman",
             "source": "A spokesman"},
            {"text": '<iframe src="javascript:window.__pwned=3"></iframe> and <a href="javascript:alert(1)">click</a> '
                     "were added later", "speaker": "Critics", "source": "Critics", "type": "anonymous"},
            {"text": "</td></tr></table><b>bold</b> & 'quotes' \"everywhere\" was its position", "speaker": "The council",
             "source": "The council", "type": "government_body"},
        ],
        slug="hostile",
        title="<script>window.__pwned = 4</script> Title",
        outlet='<img src=x onerror="window.__pwned=5">',
        flags=[{"claim": 0, "relation": "contradicts", "reason": "<script>window.__pwned=6</script> reason",
                "evidence": 1, "severity": 5}],
    )


# --------------------------------------------------------------------------- a real executed notebook -> report.html
REPORT_CELLS = [
    # (source, tags); {db} and {factory} are filled in. Mirrors notebooks/verify_article.ipynb's layout.
    ("import sys\nsys.path.insert(0, {tests!r})\nfrom IPython.display import HTML, display\n"
     "import pandas as pd\nfrom sample_analysis import {factory} as build\n"
     "from sourcecheck import exports, report, review\n"
     "analysis = build()\nverdicts = review.open_store({db!r}).for_analysis(analysis)", ["remove_cell"]),
    ("display(HTML(report.header_html(analysis, verdicts)))", ["remove_input"]),
    ("## The article", None),
    ("display(HTML(report.article_html(analysis, verdicts)))", ["remove_input"]),
    ("## Attributed claims", None),
    ("report.claims_table(analysis)", ["remove_input"]),
    ("report.claims_per_source_chart(analysis);", ["remove_input"]),
    ("## Flags", None),
    ("pd.DataFrame(exports.flags_rows(analysis, verdicts))", ["remove_input"]),
    ("## Verdicts", None),
    ("review.show_review(analysis, {db!r}, interactive=False);", ["remove_input"]),
    ("## Verdicts (a run nobody marked headless: the panel's static form)", None),
    ("review.show_review(analysis, {db!r}, interactive=True);", ["remove_input"]),
    ("import ipywidgets\nipywidgets.Button(description='WIDGET_MARKER')", ["remove_input"]),
    ("print('REMOVED_CELL_MARKER')", ["remove_cell"]),
    ("SOURCE_MARKER = 'code must not appear'\nprint('visible output')", None),
    ("exports.write_exports(analysis, {out!r}, verdicts);", ["remove_cell"]),
]


def write_sample_report(out_dir, factory: str = "hostile", verdicts: dict | None = None):
    """Record ``verdicts`` ({claim index: verdict}), execute a notebook on the sample analysis
    with nbclient (a real kernel), and export ``report.html`` with ``report.export_report``."""
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    from sourcecheck import report, review

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "verdicts.sqlite"
    analysis = globals()[factory]()
    store = review.open_store(db)
    for i, verdict in (verdicts or {}).items():
        store.record(analysis.article, analysis.claims[i], verdict, reviewer="<b>Ana</b> <script>x()</script>",
                     note="note <img src=x onerror=alert(1)>")
    nb = nbformat.v4.new_notebook()
    fill = {"tests": str(Path(__file__).parent), "factory": factory, "db": str(db), "out": str(out_dir)}
    for src, tags in REPORT_CELLS:
        if tags is None and src.startswith("#"):
            nb.cells.append(nbformat.v4.new_markdown_cell(src))
            continue
        cell = nbformat.v4.new_code_cell(src.format(**fill))
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(out_dir)}}).execute()
    executed = out_dir / "executed.ipynb"
    nbformat.write(nb, executed)
    title = analysis.article.title or factory  # as the runner does: the article title goes into <title>
    return report.export_report(executed, out_dir / "report.html", title=f"sourcecheck — {title}")
