"""Property-based tests (hypothesis) for the loader and the extractor.

Invariant: any input either raises one of the project's own *input* errors
(``ArticleError``) or yields spans with ``text[start:end] == span.text``. An
``InvariantError`` is a bug, never an acceptable answer, and so is any other
exception.
"""
from __future__ import annotations

import hashlib
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcecheck import constants
from sourcecheck.article import ArticleWarning, article_from_text, load_article
from sourcecheck.errors import ArticleError

# Newsroom-flavoured pieces, so the extractor sees cues, quotes and names, not just noise.
PIECES = [
    "said", "says", "told reporters", "according to", "claimed", "denied", "added", ":", ",", ".", "?", "!",
    "“", "”", "‘", "’", '"', "'", "''", "``", "«", "»", "—", "(", ")", "\n", "\n\n", " ", "\u00a0", "\t",
    "Trump", "Peskov", "the Kremlin", "officials", "he", "she", "they", "The Wall Street Journal", "a statement",
    "Recommended", "Advertisement", "Mr.", "U.S.", "30-day", "ceasefire", "surrounded", "not", "no", "Kursk",
    "Democrats’", "it's", "We will win", "é", "ß", "中文", "🙂", "\u200b", "\r\n", "\r",
]
news_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=60).map(" ".join)
any_text = st.one_of(news_text, st.text(max_size=300))
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def check_article(article) -> None:
    text = article.text
    for p in article.paragraphs:
        p.check(text, "paragraph")
        assert p.text.strip() == p.text and p.text
    assert article.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- loader
@settings(max_examples=300, **SETTINGS)
@given(text=any_text)
def test_article_from_text_keeps_text_and_exact_paragraphs(text):
    article = article_from_text(text)
    assert article.text == text
    check_article(article)


@settings(max_examples=250, **SETTINGS)
@given(
    data=st.one_of(
        any_text.map(lambda t: t.encode("utf-8")),
        any_text.map(lambda t: t.encode("utf-16")),
        any_text.map(lambda t: t.encode("cp1252", errors="ignore")),
        st.binary(max_size=400),
        st.tuples(st.sampled_from([b"%PDF-1.4", b"\x89PNG", b"---\ntitle: [\n---\n", b"---\n"]), st.binary(max_size=50)).map(
            lambda t: t[0] + t[1]
        ),
    ),
    suffix=st.sampled_from([".txt", ".md", ".json", ".html"]),
)
def test_load_article_raises_article_error_or_loads_consistently(data, suffix):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"in put{suffix}"
        path.write_bytes(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ArticleWarning)
                article = load_article(path)
        except ArticleError as exc:
            assert str(exc).startswith(str(path)) and exc.problem
            return
    check_article(article)
    assert article.text.strip() and "\r" not in article.text
    assert all(line.strip() for line in article.text.split("\n"))  # blank lines collapsed
    assert all(line.strip().lower().rstrip(":.") in constants.BOILERPLATE_LINES for line in article.dropped_lines)


# --------------------------------------------------------------------------- extractor
@pytest.fixture(scope="module")
def stages(nlp):
    pytest.importorskip("sourcecheck.attribution")
    from sourcecheck.attribution import extract_attributions
    from sourcecheck.pipeline import analyze_article

    return nlp, extract_attributions, analyze_article


@settings(max_examples=150, **SETTINGS)
@given(text=any_text)
def test_extractor_spans_match_text(stages, text):
    nlp, extract_attributions, _ = stages
    from sourcecheck.nlp import parse

    article = article_from_text(text)
    for a in extract_attributions(parse(article.text, nlp)):
        a.check(article.text)  # raises InvariantError (a bug) on any mismatch
        assert a.cue and a.content


@settings(max_examples=60, **SETTINGS)
@given(text=news_text)
def test_whole_pipeline_spans_match_text(stages, text):
    nlp, _, analyze_article = stages
    article = article_from_text(text)
    analysis = analyze_article(article, nlp=nlp)  # validate() checks every span and relation
    for c in analysis.claims:
        for s in c.spans:
            assert article.text[s.start:s.end] == s.text
    for f in analysis.flags:
        for s in f.evidence + ([f.claim_span] if f.claim_span else []):
            assert article.text[s.start:s.end] == s.text


@given(st.text(alphabet=st.sampled_from("ab ,.\n"), max_size=120), st.integers(min_value=2, max_value=90))
def test_shortened_text_fits_and_never_cuts_a_word(text, n):
    """What tables and flag reasons show of a long claim: at most n characters, and a cut ends at a word."""
    from sourcecheck.model import shorten

    flat = " ".join(text.split())
    out = shorten(text, n)
    assert len(out) <= max(n, 1)
    if out == flat:
        return
    assert out.endswith("…")
    head = out[:-1]
    assert flat.startswith(head)
    rest = flat[len(head):]
    # the cut falls between words: what follows starts with a space or punctuation, unless a single word
    # longer than n had to be cut
    assert not rest[:1].isalnum() or " " not in flat[:n - 1]
