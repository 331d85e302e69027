"""The HTML report: header, highlighted article, escaping, no code, offline (no browser needed here).

The report under test comes from a real kernel: a notebook laid out like
``notebooks/verify_article.ipynb`` runs on hand-built analyses (``sample_analysis``)
and ``report.export_report`` turns it into HTML, as the runner does. The browser
checks of the same files are in ``test_browser.py``.
"""
from __future__ import annotations

import re

import pytest

from sourcecheck import report
from sourcecheck.review import VerdictStore

from conftest import images
from sample_analysis import hostile, seed_like, write_sample_report


@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory):
    path = write_sample_report(tmp_path_factory.mktemp("hostile-report"), "hostile", {0: "false", 1: "verified"})
    return path.read_text(encoding="utf-8")


def _without_css(html: str) -> str:
    return re.sub(r"<style.*?</style>", "", html, flags=re.S)


def test_no_script_runs_from_the_article(hostile_html):
    body = _without_css(hostile_html)
    assert "<script" not in body.lower()  # the offline template ships no script at all
    for raw in ("<img src=x", "<iframe", '<a href="javascript:', "</td></tr></table><b>bold"):
        assert raw not in body, raw
    assert not re.search(r"<[a-z]+\b[^<>]*\son[a-z]+\s*=", body, re.I)  # no element carries an event handler
    assert not re.search(r"<[a-z]+\b[^<>]*(href|src)\s*=\s*[\"']?javascript:", body, re.I)
    # shown as text (nbconvert re-serialises output HTML, so quotes in text may come back unescaped)
    for escaped in ("&lt;script&gt;window.__pwned = 1", "&lt;img src=x onerror=", "&lt;iframe src=",
                    "&lt;a href=", "javascript:alert(1)", "&lt;script&gt;alert("):
        assert escaped in body, escaped


def test_nothing_is_fetched_from_the_network(hostile_html):
    assert not re.search(r"<(script|img|iframe)[^>]+src=[\"']?(https?:)?//", hostile_html, re.I)
    assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", hostile_html, re.I)
    assert not re.search(r"@import\s+(url\()?[\"']?(https?:)?//", hostile_html, re.I)
    for cdn in ("require.js", "MathJax", "mermaid", "unpkg.com", "cdn.jsdelivr", "cdnjs"):
        assert cdn.lower() not in _without_css(hostile_html).lower(), cdn


def test_no_code_and_tagged_cells_removed(hostile_html):
    assert "SOURCE_MARKER" not in hostile_html and "sample_analysis" not in hostile_html
    assert "visible output" in hostile_html  # outputs of untagged cells stay
    assert "REMOVED_CELL_MARKER" not in hostile_html
    assert "WIDGET_MARKER" not in hostile_html and "widget-view" not in hostile_html


def test_report_sections(hostile_html):
    assert hostile_html.count('class="sc-header"') == 1
    assert re.search(r"<dt>Verdicts</dt><dd>2</dd>", hostile_html)
    assert re.search(r"<dt>Flags</dt><dd>1</dd>", hostile_html)
    assert re.search(r"<dt>Words</dt><dd>\d+</dd>", hostile_html)
    assert 'class="sc-article"' in hostile_html
    assert len(re.findall(r'<mark class="sc-attr[^"]*"', hostile_html)) >= 4
    assert len(re.findall(r'<mark class="sc-attr sc-flagged"', hostile_html)) >= 1
    assert hostile_html.count('<table border="1" class="dataframe') >= 3  # claims, flags, verdicts
    assert "data:image/svg+xml;base64," in hostile_html  # the chart, inline, drawn as SVG (sourcecheck.charts)
    assert "@media print" in hostile_html
    # the verdict table twice: the headless cell, and the static form of the live panel
    assert hostile_html.count("&lt;b&gt;Ana&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;") == 4  # 2 verdicts x 2 tables
    assert "sc-review" not in hostile_html  # but no panel
    assert "<title>sourcecheck — &lt;script&gt;window.__pwned = 4&lt;/script&gt; Title</title>" in hostile_html


# --------------------------------------------------------------------------- the HTML builders
def test_header_counts(tmp_path):
    a = seed_like()
    store = VerdictStore(tmp_path / "v.sqlite")
    store.record(a.article, a.claims[0], "false", reviewer="ana")
    html = report.header_html(a, store.for_analysis(a))
    for key, value in (("Attributed claims", 4), ("Sources", 4), ("Flags", 1), ("Verdicts", 1),
                       ("Outlet", "The Sample Times"), ("Published", "2025-03-14")):
        assert f"<dt>{key}</dt><dd>{value}</dd>" in html, key
    assert "<h1>A sample article</h1>" in html
    assert report.header_html(a).count("<dt>Verdicts</dt><dd>0</dd>") == 1


def test_header_mentions_orphaned_verdicts(tmp_path):
    before = seed_like()
    store = VerdictStore(tmp_path / "v.sqlite")
    store.record(before.article, before.claims[3], "false", reviewer="ana")
    after = seed_like(edits={"continue next week": "resume on Monday"})
    assert "<dd>0 (1 on claims no longer in the text)</dd>" in report.header_html(after, store.for_analysis(after))


def test_article_html_highlights_every_claim_in_order():
    a = seed_like()
    html = report.article_html(a)
    marks = re.findall(r'<mark class="(sc-attr[^"]*)" style="background:(#[0-9a-f]{6})" title="([^"]*)">([^<]*)</mark>', html)
    assert [m[3] for m in marks] == [c.text for c in a.claims]
    assert marks[0][0] == "sc-attr sc-flagged" and all(m[0] == "sc-attr" for m in marks[1:])
    assert len({m[1] for m in marks}) == 4  # one colour per speaker
    assert [int(n) for n in re.findall(r"\[(\d+)(?:&#9873;)?\]</sup>", html)] == [1, 2, 3, 4]
    assert html.count("<p>") >= len(a.article.paragraphs)  # paragraph structure kept


def test_claims_table_numbers_match_the_article_and_hide_offsets():
    a = seed_like()
    html = report.claims_table(a).data
    header = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert header[0] == "#" and "confidence" in header and "content" in header
    assert "start" not in header and "end" not in header and "id" not in header
    by_number = {n: c for c, n in report.claim_numbers(a).items()}
    rows = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>", html)
    speakers = {c.id: c.speaker for c in a.claims}
    assert rows and all(speakers[by_number[int(n)]] == speaker for n, speaker in rows)
    assert len(rows) == sum(1 for c in a.claims if c.attributed)  # assertions have their own section


def test_claims_table_escapes_article_text():
    html = report.claims_table(hostile()).data
    assert "<script" not in html and "<img" not in html and "&lt;" in html


def test_article_html_escapes_everything():
    html = report.article_html(hostile())
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<a href" not in html
    assert "&lt;b&gt;The mayor&lt;/b&gt;" in html  # the speaker name in the legend and tooltips


def test_article_html_shows_the_latest_verdict_on_each_claim(tmp_path):
    a = seed_like()
    store = VerdictStore(tmp_path / "v.sqlite")
    store.record(a.article, a.claims[0], "unverified", reviewer="ana")
    store.record(a.article, a.claims[0], "false", reviewer="ana")
    store.record(a.article, a.claims[2], "needs_follow_up", reviewer="ben")
    html = report.article_html(a, store.for_analysis(a))
    assert re.findall(r'<span class="sc-verdict-badge">([^<]*)</span>', html) == ["False", "Needs follow-up"]
    assert '<span class="sc-verdict-badge">' not in report.article_html(a)


# --------------------------------------------------------------------------- a real unattended run
@pytest.mark.slow
def test_unattended_run_shows_recorded_verdicts_as_a_static_table(hostile_run):
    """papermill never waits for a click: verdicts recorded earlier appear in the report, the exports
    and the ClaimReview file; the orphaned verdict is listed; no widget reaches the executed notebook;
    every table of the real notebook escapes the article's markup."""
    import json

    import nbformat

    from sourcecheck.exports import validate_claim_reviews

    result, out, first = hostile_run["result"], hostile_run["out"], hostile_run["first"]
    html = open(result.report_path, encoding="utf-8").read()
    assert re.search(r"<dt>Verdicts</dt><dd>1 \(1 on claims no longer in the text\)</dd>", html)
    assert "Desk &lt;b&gt;Editor&lt;/b&gt;" in html and "checked &lt;script&gt;window.__pwned = 7" in html
    assert "a sentence &lt;i&gt;cut&lt;/i&gt; from the article" in html  # the orphan is listed, not dropped
    assert '<span class="sc-verdict-badge">False</span>' in html

    body = _without_css(html)
    assert "<script" not in body.lower() and "<iframe" not in body and "<img src=x" not in body
    assert not re.search(r"<[a-z]+\b[^<>]*\son[a-z]+\s*=", body, re.I)
    assert not re.search(r"<[a-z]+\b[^<>]*(href|src)\s*=\s*[\"']?javascript:", body, re.I)
    assert "<b>markup</b>" not in body and "</td></tr></table><b>bold" not in body

    executed = nbformat.read(result.notebook_path, as_version=4)
    mimes = {m for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []) for m in o.get("data", {})}
    assert "application/vnd.jupyter.widget-view+json" not in mimes

    reviews = json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    assert validate_claim_reviews(reviews) == []
    assert [r["identifier"] for r in reviews["@graph"]] == [first.id]
    assert "url" not in reviews["@graph"][0]["itemReviewed"]["appearance"]  # the javascript: url is dropped
    claims = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    assert [v["claim_id"] for v in claims["verdicts"]] == [first.id]
    assert [v["claim_id"] for v in claims["orphaned_verdicts"]] == ["c-000000000000"]
    assert (out / "flags.csv").exists()
    assert hostile_run["store"].count() == 2  # a run only reads the store


def test_speakers_sharing_a_colour_are_far_apart_in_the_article(nlp):
    """More speakers than colours: a colour comes back for the speaker whose last claim lies furthest back, so
    neighbours in the text never share one. Alice speaks again just before the twelfth speaker: a plain cycle of
    the palette would give that speaker Alice's colour."""
    from sourcecheck.article import article_from_text
    from sourcecheck.pipeline import analyze_article

    names = ["Alice Morgan", "Brian Walsh", "Carla Diaz", "David Chen", "Elena Petrova", "Frank Osei", "Grace Kim",
             "Irene Novak", "James Okafor", "Karen Lindqvist", "Luis Romero", "Maria Santos", "Nina Berg",
             "Oscar Grant", "Paula Reyes", "Quentin Hale"]
    first, later = names[:len(report.PALETTE)], names[len(report.PALETTE):]
    months = ["May", "June", "July", "August", "September", "October", "November", "December"] * 3
    text = "\n\n".join(f"{n} said the new bridge over the river would open in {m}." for n, m in
                       zip(first + ["Alice Morgan"] + later, months))
    a = analyze_article(article_from_text(text), nlp=nlp)
    colours = report.speaker_colours(a)
    speakers = [a.speaker_label(c) for c in sorted(a.claims, key=lambda c: c.start) if c.attribution_id]
    assert speakers == first + ["Alice Morgan"] + later  # the extractor found every statement
    assert len(set(colours[n] for n in first)) == len(first)
    for prev, cur in zip(speakers, speakers[1:]):
        assert colours[prev] != colours[cur], (prev, cur)
    assert colours[later[0]] == colours["Brian Walsh"]  # the colour whose last claim lies furthest back


def test_chart_description_is_escaped_into_the_alt_text():
    """A chart's description (``charts.describe``) can hold article text; the report's template
    writes it into the image's alt attribute, escaped, and says "Chart" when there is none."""
    import nbformat

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("chart", outputs=[
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"},
                               metadata={"image/svg+xml": {"alt": 'Claims per source: "><script>x()</script> 3'}}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"}),
    ])]
    html = report._render_html(nb)
    assert "<script>x()" not in html
    alts = [alt for alt, _ in images(html)]
    assert alts == ['Claims per source: "><script>x()</script> 3', "Chart"]  # the text, as text


def test_chart_descriptions_give_the_numbers():
    from sourcecheck import charts

    fig, ax = charts.subplots()
    ax.set_title("Some title")
    assert charts.description(fig) == "Some title"  # nothing described: the titles
    charts.describe(fig, "Claims per source", [f"speaker {i} {i}" for i in range(charts.DESCRIBED_ITEMS + 3)])
    text = charts.description(fig)
    assert text.startswith("Claims per source: speaker 0 0; speaker 1 1;")
    assert text.endswith("; and 3 more")
    import matplotlib.pyplot as plt

    plt.close(fig)
