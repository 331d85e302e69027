"""Time expressions: the resolution table, no-publication-date behaviour, claim links, frame and chart."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sourcecheck import constants, timeline
from sourcecheck.article import article_from_text, load_article
from sourcecheck.model import Analysis, Claim, Span

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "ukraine-ceasefire.txt"
FRIDAY = "2025-03-14"  # the seed's publication date (a Friday)

# (expression, published, expected start, expected end, granularity)
RESOLVE = [
    ("Thursday", FRIDAY, "2025-03-13", "2025-03-13", "day"),
    ("on Tuesday", FRIDAY, "2025-03-11", "2025-03-11", "day"),
    ("Friday", FRIDAY, FRIDAY, FRIDAY, "day"),  # "a Friday post" in a Friday article: the publication day
    ("a Friday", FRIDAY, FRIDAY, FRIDAY, "day"),
    ("last Friday", FRIDAY, "2025-03-07", "2025-03-07", "day"),
    ("next Tuesday", FRIDAY, "2025-03-18", "2025-03-18", "day"),
    ("Thursday night", FRIDAY, "2025-03-13", "2025-03-13", "day"),
    ("yesterday", FRIDAY, "2025-03-13", "2025-03-13", "day"),
    ("last night", FRIDAY, "2025-03-13", "2025-03-13", "day"),
    ("today", FRIDAY, FRIDAY, FRIDAY, "day"),
    ("earlier this week", FRIDAY, "2025-03-10", "2025-03-13", "range"),
    ("this week", FRIDAY, "2025-03-10", "2025-03-16", "week"),
    ("last week", FRIDAY, "2025-03-03", "2025-03-09", "week"),
    ("in recent days", FRIDAY, "2025-03-08", FRIDAY, "range"),
    ("over the past week", FRIDAY, "2025-03-08", FRIDAY, "range"),
    ("about two weeks ago", FRIDAY, "2025-02-24", "2025-03-04", "range"),
    ("two weeks ago", FRIDAY, "2025-02-25", "2025-03-03", "range"),
    ("three days ago", FRIDAY, "2025-03-11", "2025-03-11", "day"),
    ("a few days ago", FRIDAY, "2025-03-10", "2025-03-12", "range"),
    ("earlier this month", FRIDAY, "2025-03-01", "2025-03-13", "range"),
    ("last month", FRIDAY, "2025-02-01", "2025-02-28", "month"),
    ("last year", FRIDAY, "2024-01-01", "2024-12-31", "year"),
    ("March 11", FRIDAY, "2025-03-11", "2025-03-11", "day"),
    ("Dec. 3", FRIDAY, "2024-12-03", "2024-12-03", "day"),  # no year: the occurrence nearest publication
    ("Oct. 9", "2016-09-23", "2016-10-09", "2016-10-09", "day"),  # an upcoming debate, not last year's
    ("April", "2016-09-12", "2016-04-01", "2016-04-30", "month"),
    ("in 2014", FRIDAY, "2014-01-01", "2014-12-31", "year"),
    ("the 1990s", FRIDAY, "1990-01-01", "1999-12-31", "range"),
    ("the weekend", FRIDAY, "2025-03-08", "2025-03-09", "range"),
    ("in recent months", FRIDAY, "2024-12-14", FRIDAY, "range"),
    ("next year", FRIDAY, "2026-01-01", "2026-12-31", "year"),
    ("the 13th", FRIDAY, "2025-03-13", "2025-03-13", "day"),
    ("the 20th", FRIDAY, "2025-02-20", "2025-02-20", "day"),
    ("the early '80s", FRIDAY, "1980-01-01", "1989-12-31", "range"),
    ("earlier Friday", FRIDAY, FRIDAY, FRIDAY, "day"),
    ("essay last week", FRIDAY, "2025-03-03", "2025-03-09", "week"),  # spaCy's span with an extra word
        ("in the last week", FRIDAY, "2025-03-08", FRIDAY, "range"),  # the past 7 days, not the week before
    ("1980’s", FRIDAY, "1980-01-01", "1989-12-31", "range"),
    ("more than a year ago", FRIDAY, "2023-07-16", "2024-03-14", "range"),  # at least a year: ends a year back
        # earlier this week on a Monday: nothing earlier in the week; the Monday itself
    ("earlier this week", "2025-03-10", "2025-03-10", "2025-03-10", "day"),
    # a date with its own year needs no publication date
    ("March 11, 2025", None, "2025-03-11", "2025-03-11", "day"),
]


@pytest.mark.parametrize("text, published, start, end, granularity", RESOLVE, ids=[f"{r[0]}@{r[1]}" for r in RESOLVE])
def test_resolution_table(text, published, start, end, granularity):
    r = timeline.resolve_expression(text, published)
    assert (r.get("resolved_start"), r.get("resolved_end"), r["granularity"]) == (start, end, granularity)


@pytest.mark.parametrize("text", ["Thursday", "yesterday", "earlier this week", "about two weeks ago", "in recent days",
                                  "on Tuesday", "March 11"])
def test_without_publication_date_relative_stays_unresolved_with_note(text):
    r = timeline.resolve_expression(text, None)
    assert r["granularity"] == "unresolved" and "resolved_start" not in r
    assert "publication date" in r["note"]


@pytest.mark.parametrize("text", ["30-day", "two weeks", "long-term", "the next 30 days", "seven and a half years",
                                  "at least five years", "34-year-old", "annually"])
def test_durations_are_not_points_in_time(text):
    r = timeline.resolve_expression(text, FRIDAY)
    assert r["granularity"] == "duration" and "resolved_start" not in r


@pytest.mark.parametrize("text, note", [("10:40 a.m.", "time of day"), ("Election Day", "named day"),
                                        ("the first day", "not understood")])
def test_unresolvable_expressions_say_why(text, note):
    r = timeline.resolve_expression(text, FRIDAY)
    assert r["granularity"] == "unresolved" and note in r["note"]


def test_dateparser_alone_misses_vague_spans():
    """Why the rule table exists (DESIGN.md: dateparser returns None for 'earlier this week')."""
    import dateparser

    base = dt.datetime(2025, 3, 14, 12)
    assert dateparser.parse("earlier this week", languages=["en"], settings={"RELATIVE_BASE": base}) is None
    assert timeline.resolve_expression("earlier this week", FRIDAY)["resolved_start"] == "2025-03-10"


def test_every_rule_in_the_table_has_an_implementation():
    p = dt.date(2025, 3, 14)
    for _, rule, _, _ in constants.VAGUE_TIME_RULES:
        a, b = timeline._rule_range(rule, p)
        assert a <= b


def test_relative_words_inside_names_are_not_times():
    text = "A reporter for USA Today saw it. Today, he spoke on CBS This Morning."
    an = Analysis(article=article_from_text(text, published=FRIDAY))
    assert [x.text for x in timeline.resolve_times(an, None)] == ["Today"]
    assert timeline.resolve_times(an, None)[0].start == text.index("Today,")


def test_future_tense_weekday_uses_next_occurrence():
    r = timeline.resolve_expression("Tuesday", FRIDAY, future=True)
    assert r["resolved_start"] == "2025-03-18"


def claim_for(text, fragment, speaker, cid, attributed=True):
    i = text.index(fragment)
    return Claim(id=cid, text=fragment, spans=[Span.of(text, i, i + len(fragment))], speaker=speaker,
                 attribution_id="a" if attributed else None, quote_type="indirect" if attributed else None)


def test_links_to_claims_in_the_same_sentence_without_spacy():
    text = "The minister said on Tuesday that talks failed.\nEarlier this week, prices rose. Nothing else happened."
    an = Analysis(article=article_from_text(text, published=FRIDAY),
                  claims=[claim_for(text, "talks failed", "The minister", "c1"),
                          claim_for(text, "Nothing else happened", None, "c2", attributed=False)])
    xs = timeline.resolve_times(an, None)
    by_text = {x.text: x for x in xs}
    assert by_text["on Tuesday"].claim_ids == ["c1"] and by_text["on Tuesday"].resolved_start == "2025-03-11"
    assert by_text["Earlier this week"].resolved_end == "2025-03-13"
    assert an.extras["time_expressions"] is xs


@pytest.fixture(scope="module")
def seed_doc():
    from sourcecheck.nlp import parse

    article = load_article(SEED)
    return article, parse(article.text)


def test_seed_expressions(seed_doc):
    article, doc = seed_doc
    t = article.text

    def c(frag, spk, cid, attributed=True):
        return claim_for(t, frag, spk, cid, attributed)

    claims = [
        c("had very good and productive discussions with President Vladimir Putin of Russia yesterday", "Donald Trump", "trump"),
        c("Russian forces have advanced rapidly", "Wall Street Journal", "wsj"),
        c("Ukrainian President Volodymyr Zelensky agreed to a 30-day ceasefire", None, "zel", attributed=False),
        c("it would lift its freeze on military aid", "White House", "wh"),
        c("he in theory accepted the ceasefire", "Vladimir Putin", "putin"),
    ]
    an = Analysis(article=article, claims=claims)
    xs = timeline.resolve_times(an, doc)
    got = {x.text.lower(): x for x in xs}
    expected = {
        "on thursday": ("2025-03-13", "2025-03-13", []),
        "friday": (FRIDAY, FRIDAY, ["trump"]),
        "yesterday": ("2025-03-13", "2025-03-13", ["trump"]),
        "in recent days": ("2025-03-08", FRIDAY, ["wsj"]),
        "earlier this week": ("2025-03-10", "2025-03-13", ["zel"]),
        "about two weeks ago": ("2025-02-24", "2025-03-04", ["wh"]),
        "on tuesday": ("2025-03-11", "2025-03-11", []),
        "thursday": ("2025-03-13", "2025-03-13", ["putin"]),
    }
    for text, (start, end, ids) in expected.items():
        assert text in got, sorted(got)
        x = got[text]
        assert (x.resolved_start, x.resolved_end, x.claim_ids) == (start, end, ids), x
        assert t[x.start:x.end] == x.text
    assert "inside a quotation" in got["yesterday"].note
    assert {x.granularity for x in xs if x.text == "30-day"} == {"duration"}

    df = timeline.timeline_frame(an)
    assert len(df) == len(xs) and set(df["granularity"]) >= {"day", "range", "duration"}
    fig = timeline.timeline_chart(an)
    labels = [tl.get_text() for tl in fig.axes[0].get_yticklabels()]
    assert set(labels) == {"Donald Trump", "Wall Street Journal", "(unattributed)", "White House", "Vladimir Putin"}

    an.article.published = None
    xs = timeline.resolve_times(an, doc)
    assert all(not x.resolved for x in xs)
    fig = timeline.timeline_chart(an)
    assert "No dated claims" in fig.axes[0].texts[0].get_text()


def test_chart_adds_primary_document_dates():
    text = 'Jane Doe said on Tuesday that "we will win this war soon enough".'
    an = Analysis(article=article_from_text(text, published=FRIDAY),
                  claims=[claim_for(text, "we will win this war soon enough", "Jane Doe", "c1")])
    an.extras["quote_checks"] = [{"claim_id": "c1", "class": "exact", "document_date": "2025-03-10",
                                  "document_title": "Speech", "document_id": "speech"}]
    timeline.resolve_times(an, None)
    kinds = sorted((p["kind"], p["start"].isoformat()) for p in timeline.timeline_points(an))
    assert kinds == [("document", "2025-03-10"), ("expression", "2025-03-11")]
    legend = [t.get_text() for t in timeline.timeline_chart(an).axes[0].get_legend().get_texts()]
    assert "date of the primary document" in legend and f"published {FRIDAY}" in legend


def test_empty_article_chart_and_frame():
    an = Analysis(article=article_from_text("Nothing dated here.", published=FRIDAY))
    timeline.resolve_times(an, None)
    assert timeline.timeline_frame(an).empty
    assert "No dated claims" in timeline.timeline_chart(an).axes[0].texts[0].get_text()


def test_reading_frame_keeps_reading_columns():
    an = Analysis(article=article_from_text("He spoke on Tuesday.", published=FRIDAY))
    timeline.resolve_times(an, None)
    assert list(timeline.timeline_frame(an, full=False).columns) == timeline.READING_COLUMNS


def test_bad_publication_date_is_a_metadata_error():
    from sourcecheck.errors import MetadataError

    an = Analysis(article=article_from_text("On Tuesday.", published="next spring"))
    with pytest.raises(MetadataError, match="not a date"):
        timeline.resolve_times(an, None)


def test_relative_words_in_a_quote_count_from_its_documents_date():
    text = 'Jane Doe wrote: "We met them yesterday and talks went well." Talks resume on Tuesday.'
    an = Analysis(article=article_from_text(text, published=FRIDAY))
    a = text.index("We met")
    an.extras["quote_checks"] = [{"claim_id": "c1", "class": "exact", "quote_start": a, "quote_end": text.index('."'),
                                  "document_date": "2025-03-10", "document_title": "Post"}]
    got = {x.text: x for x in timeline.resolve_times(an, None)}
    assert got["yesterday"].resolved_start == "2025-03-09" and "'Post'" in got["yesterday"].note
    assert got["on Tuesday"].resolved_start == "2025-03-11"  # outside the quote: the publication date
