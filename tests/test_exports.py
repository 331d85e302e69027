"""Exports beside the report: claims.csv, claims.json, flags.csv, analysis.json, claimreview.jsonld."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import stat

import pytest

from sourcecheck import exports
from sourcecheck.review import VerdictStore

from sample_analysis import build_analysis, hostile, seed_like


@pytest.fixture
def reviewed(tmp_path):
    """The seed-like analysis with two verdicts (one flagged claim), and its review state."""
    a = seed_like()
    store = VerdictStore(tmp_path / "verdicts.sqlite")
    store.record(a.article, a.claims[0], "unverified", reviewer="ana")
    store.record(a.article, a.claims[0], "false", reviewer="ana", note="WSJ: no complete encirclement")
    store.record(a.article, a.claims[2], "verified", reviewer="ben")
    return a, store, store.for_analysis(a)


def test_write_exports_writes_every_file_readable_by_others(tmp_path, reviewed):
    a, _, state = reviewed
    paths = exports.write_exports(a, tmp_path / "out", state)
    assert sorted(p.name for p in paths.values()) == sorted(
        ["analysis.json", "claims.json", "claims.csv", "flags.csv", "claimreview.jsonld"]
    )
    for p in paths.values():
        assert p.exists() and stat.S_IMODE(p.stat().st_mode) == 0o644
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temp files left


def test_claims_csv_columns_rows_and_verdicts(reviewed):
    a, _, state = reviewed
    rows = list(csv.DictReader(io.StringIO(exports.claims_csv(a, state))))
    assert tuple(rows[0].keys()) == exports.CLAIMS_CSV_COLUMNS
    assert len(rows) == len(a.claims)
    by_id = {r["claim_id"]: r for r in rows}
    first = by_id[a.claims[0].id]
    assert first["verdict"] == "false" and first["verdict_note"] == "WSJ: no complete encirclement"
    assert first["flags"] == "not_confirmed" and first["channel"] == "post on Truth Social" and first["number"] == "1"
    assert by_id[a.claims[1].id]["verdict"] == ""


def test_csv_round_trips_hostile_text():
    a = hostile()
    rows = list(csv.DictReader(io.StringIO(exports.claims_csv(a))))
    assert [r["content"] for r in rows] == [c.text for c in sorted(a.claims, key=lambda c: c.start)]


def test_claims_json_matches_analysis_and_carries_verdicts_and_orphans(tmp_path):
    before = seed_like()
    store = VerdictStore(tmp_path / "v.sqlite")
    store.record(before.article, before.claims[0], "false", reviewer="ana")
    store.record(before.article, before.claims[3], "needs follow-up", reviewer="ana")
    after = seed_like(edits={"the talks would continue next week": "the talks would resume on Monday"})
    doc = exports.claims_document(after, store.for_analysis(after))
    assert doc["schema"] == "sourcecheck.claims/1"
    assert doc["claims"] == after.to_dict()["claims"]
    assert [(v["claim_id"], v["verdict"], v["label"]) for v in doc["verdicts"]] == [(after.claims[0].id, "false", "False")]
    assert [(o["claim_text"], o["verdict"]) for o in doc["orphaned_verdicts"]] == [
        ("the talks would continue next week", "needs_follow_up")
    ]
    json.dumps(doc)  # serialisable


def test_flags_csv(reviewed):
    a, _, state = reviewed
    rows = list(csv.DictReader(io.StringIO(exports.flags_csv(a, state))))
    assert tuple(rows[0].keys()) == exports.FLAGS_CSV_COLUMNS
    assert len(rows) == 1
    r = rows[0]
    assert r["relation"] == "not_confirmed" and r["verdict"] == "false" and r["countering_speaker"] == "Wall Street Journal"
    assert r["evidence"] == "soldiers and analysts have not noted a complete encirclement"


def test_flags_csv_sorted_by_severity():
    a = build_analysis(
        "A said x is up. B said y is down. C said z is flat.\n",
        [{"text": "x is up", "speaker": "A", "source": "A"}, {"text": "y is down", "speaker": "B", "source": "B"},
         {"text": "z is flat", "speaker": "C", "source": "C"}],
        flags=[{"claim": 0, "relation": "disputes", "reason": "r", "evidence": 1, "severity": 1},
               {"claim": 2, "relation": "contradicts", "reason": "r", "evidence": 1, "severity": 5}],
    )
    assert [r["relation"] for r in csv.DictReader(io.StringIO(exports.flags_csv(a)))] == ["contradicts", "disputes"]


# --------------------------------------------------------------------------- ClaimReview
def test_claimreview_structure(reviewed):
    a, _, state = reviewed
    a.article.url = "https://news.example/ceasefire"
    doc = exports.claim_reviews(a, state, review_url="https://desk.example/reviews/seed")
    assert exports.validate_claim_reviews(doc) == []
    assert doc["@context"] == "https://schema.org"
    reviews = doc["@graph"]
    assert [r["identifier"] for r in reviews] == [a.claims[0].id, a.claims[2].id]
    r = reviews[0]
    assert r["@type"] == "ClaimReview" and r["claimReviewed"] == a.claims[0].text
    assert r["itemReviewed"]["@type"] == "Claim"
    assert r["itemReviewed"]["author"] == {"@type": "Person", "name": "Donald Trump"}
    appearance = r["itemReviewed"]["appearance"]
    assert appearance["url"] == "https://news.example/ceasefire" and appearance["datePublished"] == "2025-03-14"
    assert appearance["headline"] == "A sample article" and appearance["publisher"]["name"] == "The Sample Times"
    assert r["reviewRating"] == {"@type": "Rating", "alternateName": "False", "ratingExplanation": "WSJ: no complete encirclement"}
    assert r["author"] == {"@type": "Person", "name": "ana"}
    assert r["datePublished"] == dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert r["url"] == f"https://desk.example/reviews/seed#{a.claims[0].id}"
    assert "ratingExplanation" not in reviews[1]["reviewRating"]


def test_claimreview_without_verdicts_or_url(tmp_path):
    a = seed_like()
    assert exports.claim_reviews(a, None)["@graph"] == []
    store = VerdictStore(tmp_path / "v.sqlite")
    store.record(a.article, a.claims[1], "verified", reviewer="ana")
    doc = exports.claim_reviews(a, store.for_analysis(a))
    assert exports.validate_claim_reviews(doc) == []
    r = doc["@graph"][0]
    assert "url" not in r and "url" not in r["itemReviewed"]["appearance"]
    assert r["itemReviewed"]["author"]["@type"] == "NewsMediaOrganization"  # the Wall Street Journal


def test_claimreview_unattributed_claim_is_the_outlets(tmp_path):
    a = build_analysis("Prices rose 5% last year.\n", [{"text": "Prices rose 5% last year"}])
    store = VerdictStore(tmp_path / "v.sqlite")
    store.record(a.article, a.claims[0], "unverified", reviewer="ana")
    r = exports.claim_reviews(a, store.for_analysis(a))["@graph"][0]
    assert r["itemReviewed"]["author"] == {"@type": "NewsMediaOrganization", "name": "The Sample Times"}


def _review(**over):
    r = {
        "@type": "ClaimReview", "claimReviewed": "x", "datePublished": "2025-03-14",
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A"}, "appearance": {"@type": "NewsArticle"}},
        "reviewRating": {"@type": "Rating", "alternateName": "False"}, "author": {"@type": "Person", "name": "ana"},
    }
    r.update(over)
    return r


@pytest.mark.parametrize(
    "review, problem",
    [
        (_review(), None),
        (_review(**{"@type": "Review"}), "not ClaimReview"),
        (_review(claimReviewed=""), "claimReviewed"),
        (_review(itemReviewed={"@type": "Thing", "appearance": {"@type": "NewsArticle"}}), "not a Claim"),
        (_review(itemReviewed={"@type": "Claim"}), "appearance"),
        (_review(reviewRating={"@type": "Rating"}), "alternateName"),
        (_review(author={"name": "ana"}), "author"),
        (_review(datePublished="14 March"), "YYYY-MM-DD"),
        (_review(url="reviews/1"), "url"),
    ],
)
def test_claimreview_validator(review, problem):
    problems = exports.validate_claim_reviews({"@context": "https://schema.org", "@graph": [review]})
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]
