"""Claims (attributed and the reporter's own), their ids, and the claim/source tables and chart (issue #4)."""
from __future__ import annotations

import pytest

from sourcecheck.article import article_from_text
from sourcecheck.claims import CLAIM_COLUMNS, build_claims, claims_frame, unattributed_assertions, unattributed_frame
from sourcecheck.model import Analysis, Attribution, Span, attribution_id
from sourcecheck.speakers import (SOURCE_COLUMNS, load_registry, matrix_frame, resolve_speakers, sources_frame,
                                  speaker_type_chart)

TEXT = (
    "Trump, in a Friday post on Truth Social, said the war could end soon. "
    "Russian forces advanced 10 kilometres near Sudzha on Tuesday. "
    "“We agree with the proposals,” Putin said in a speech. "
    "Western officials said Putin wants to subjugate Ukraine. "
    "What happens next? "
    "The West should stand firm. "
    "Ukraine lost control of Sudzha on March 13, the second town it held in the Kursk region."
)


def _att(text, source, cue, content, quote_type="indirect"):
    sp = lambda sub: Span(text.index(sub), text.index(sub) + len(sub), sub)  # noqa: E731
    src = [sp(source)] if source else []
    con = [sp(content)]
    return Attribution(id=attribution_id(text, con, src), source=src, cue=[sp(cue)], content=con, quote_type=quote_type)


@pytest.fixture(scope="module")
def analysis(nlp):
    doc = nlp(TEXT)
    atts = [
        _att(TEXT, "Trump", "said the war", "the war could end soon"),
        _att(TEXT, "Putin said", "said in a speech", "We agree with the proposals", "direct"),
        _att(TEXT, "Western officials", "said Putin", "Putin wants to subjugate Ukraine"),
    ]
    # cues above include a word of context to make them unique; trim them to the verb
    for a in atts:
        c = a.cue[0]
        a.cue = [Span(c.start, c.start + 4, TEXT[c.start:c.start + 4])]
    atts[1].source = [Span(atts[1].source[0].start, atts[1].source[0].start + 5, "Putin")]
    article = article_from_text(TEXT)
    res = resolve_speakers(article, doc, atts, load_registry())
    claims = build_claims(article, doc, atts, res)
    return Analysis(article=article, attributions=atts, speakers=res.speakers, claims=claims).validate()


def test_one_claim_per_attribution_with_speaker_and_channel(analysis):
    attributed = [c for c in analysis.claims if c.attributed]
    assert len(attributed) == 3
    trump = next(c for c in attributed if c.speaker == "Trump")
    assert trump.text == "the war could end soon" and trump.cue == "said" and trump.kind == "statement"
    assert trump.channel.kind == "social_post" and trump.channel.platform == "Truth Social"
    putin = next(c for c in attributed if c.speaker == "Putin")
    assert putin.quote_type == "direct" and putin.channel.kind == "speech"
    officials = next(c for c in attributed if c.speaker == "Western officials")
    assert officials.speaker_type == "anonymous"


# sentence -> is it an unattributed, checkable assertion of the reporter?
ASSERTIONS = [
    ("Russian forces advanced 10 kilometres near Sudzha on Tuesday.", True),
    ("Ukraine lost control of Sudzha on March 13, the second town it held in the Kursk region.", True),
    ("What happens next for the people of Kursk and Sudzha?", False),  # question
    ("The West should stand firm against Russia in Ukraine.", False),  # opinion (modal)
    ("I think the ceasefire in Ukraine will not hold this time.", False),  # first person
    ("Reuters contributed to this report from Moscow and Kyiv.", False),  # boilerplate
    ("It was an emphatic yes, but only just.", False),  # nothing checkable
    ("“This would be a horrible massacre in Kursk,” one line read.", False),  # a bare quotation
    ("Putin later indicated he was more open to a 30-day ceasefire.", False),  # a missed attribution
]


@pytest.mark.parametrize("sentence, expected", ASSERTIONS)
def test_unattributed_assertions(nlp, sentence, expected):
    found = unattributed_assertions(nlp(sentence), [])
    assert bool(found) == expected


def test_sentence_inside_a_multi_sentence_quote_is_not_the_reporters(nlp):
    text = ("“We will rebuild the bridge by 2026. It will cost 40 million dollars in federal money,” "
            "Mayor John Smith said on Monday in Denver.")
    found = unattributed_assertions(nlp(text), [])
    assert not any("40 million" in sp.text for sp in found)


def test_unattributed_claims_are_separate(analysis):
    own = [c for c in analysis.claims if not c.attributed]
    texts = [c.text for c in own]
    assert "Russian forces advanced 10 kilometres near Sudzha on Tuesday." in texts
    assert any(t.startswith("Ukraine lost control of Sudzha") for t in texts)
    assert not any("?" in t or "should" in t for t in texts)
    assert all(c.kind == "assertion" and c.attribution_id is None and c.speaker is None for c in own)
    df = unattributed_frame(analysis)
    assert list(df.columns) == ["id", "content", "start", "end"] and len(df) == len(own)


def test_claim_ids_stable_unique_sorted(nlp, analysis):
    ids = [c.id for c in analysis.claims]
    assert len(set(ids)) == len(ids) and all(i.startswith("c-") for i in ids)
    starts = [c.start for c in analysis.claims]
    assert starts == sorted(starts)
    # a re-run gives the same ids
    doc = nlp(TEXT)
    res = resolve_speakers(analysis.article, doc, analysis.attributions, load_registry())
    again = build_claims(analysis.article, doc, analysis.attributions, res)
    assert [c.id for c in again] == ids


def test_repeated_content_gets_suffixed_ids(nlp):
    text = "Smith said the plan works. Jones said the plan works."
    a1 = Attribution("a1", [Span(0, 5, "Smith")], [Span(6, 10, "said")], [Span(11, 25, "the plan works")])
    a2 = Attribution("a2", [Span(27, 32, "Jones")], [Span(33, 37, "said")], [Span(38, 52, "the plan works")])
    doc = nlp(text)
    res = resolve_speakers(article_from_text(text), doc, [a1, a2], load_registry())
    claims = build_claims(article_from_text(text), doc, [a1, a2], res)
    assert claims[1].id == claims[0].id + "-2"


def test_tables_are_plain(analysis):
    cf = claims_frame(analysis)
    assert list(cf.columns) == CLAIM_COLUMNS and len(cf) == len(analysis.claims)
    assert not any("<" in str(v) for v in cf.to_numpy().ravel() if v is not None)
    sf = sources_frame(analysis)
    assert list(sf.columns) == SOURCE_COLUMNS
    putin = sf[sf.speaker == "Putin"].iloc[0]
    assert putin.claims == 1 and putin.direct_quote_share == 1.0 and putin.channels == "speech"
    assert sf.iloc[0].speaker == "Trump" and sf.iloc[0].first_mention_start == 0


def test_claims_table_shows_statements_first(analysis):
    """The notebook promises statements first, then documents, then beliefs, in text order within each."""
    cf = claims_frame(analysis)
    order = {"statement": 0, "document": 1, "belief": 2, "assertion": 3}
    keys = [(order[k], s) for k, s in zip(cf.kind, cf.start)]
    assert keys == sorted(keys)
    assert {"statement", "assertion"} <= set(cf.kind)  # interleaved in the text, so order is tested


def test_claims_table_shows_extraction_confidence(analysis):
    conf = dict(zip(claims_frame(analysis).id, claims_frame(analysis).confidence))
    by_attribution = {a.id: a.confidence for a in analysis.attributions}
    for c in analysis.claims:
        if c.attributed:
            assert conf[c.id] == by_attribution[c.attribution_id]
        else:  # no extractor decision behind the article's own assertions
            assert conf[c.id] is None or conf[c.id] != conf[c.id]  # None or NaN


def test_matrix_rows_claims_columns_sources(analysis):
    m = matrix_frame(analysis)
    assert list(m.columns) == [s.name for s in analysis.speakers]
    assert len(m) == len(analysis.claims)
    trump_claim = next(c for c in analysis.claims if c.speaker == "Trump")
    assert m.loc[trump_claim.id, "Trump"] == "source" and m.loc[trump_claim.id, "Putin"] == ""
    # claim groups (set by crosscheck) collapse rows
    for c in analysis.claims:
        c.group = "g-1" if c.attributed else None
    try:
        m2 = matrix_frame(analysis)
        assert m2.loc["g-1"].tolist().count("source") == 3
    finally:
        for c in analysis.claims:
            c.group = None


def test_speaker_type_chart(analysis):
    from matplotlib.figure import Figure

    import matplotlib.pyplot as plt

    fig = speaker_type_chart(analysis)
    try:
        assert isinstance(fig, Figure)
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert "person" in labels and "anonymous" in labels and "unattributed (reporter)" in labels
        empty = speaker_type_chart(Analysis(article=analysis.article))
        assert not empty.axes[0].axison
    finally:
        plt.close("all")


def test_a_claim_with_no_named_source_is_told_apart_from_an_unresolved_one(nlp):
    """"Is expected" names nobody; "he" with nobody before it names someone the resolver could not find. The
    reader's table and the highlighted article say which: the words of the source, typed unresolved, or
    "no source named"."""
    from sourcecheck.report import article_html

    text = "He said the bridge would reopen in May. The bridge is expected to cost $40 million."
    doc = nlp(text)
    atts = [_att(text, "He", "said", "the bridge would reopen in May"),
            _att(text, None, "is expected", "to cost $40 million")]
    article = article_from_text(text)
    res = resolve_speakers(article, doc, atts, load_registry())
    a = Analysis(article=article, attributions=atts, speakers=res.speakers,
                 claims=build_claims(article, doc, atts, res)).validate()
    frame = claims_frame(a).set_index("content")
    assert frame.loc["the bridge would reopen in May", "speaker"] == "He"
    assert frame.loc["the bridge would reopen in May", "speaker_type"] == "unresolved"
    assert frame.loc["to cost $40 million", "speaker"] == "no source named"
    assert "no source named" in article_html(a)


def test_sources_table_shows_a_first_mention_without_its_trailing_comma_or_who(nlp):
    """The source span of "Putin's policy adviser, Yuri Ushakov, called ..." ends with the apposition's comma, and
    "Analysts who study the front said ..." with the relative pronoun; the sources table shows the mention a
    reader would quote."""
    text = ("Putin's policy adviser, Yuri Ushakov, called the proposal a breather. "
            "Analysts who study the front said the town had not fallen.")
    doc = nlp(text)
    atts = [_att(text, "Putin's policy adviser, Yuri Ushakov,", "called", "the proposal a breather"),
            _att(text, "Analysts who", "said", "the town had not fallen")]
    article = article_from_text(text)
    res = resolve_speakers(article, doc, atts, load_registry())
    a = Analysis(article=article, attributions=atts, speakers=res.speakers,
                 claims=build_claims(article, doc, atts, res)).validate()
    shown = set(sources_frame(a)["first_mention"])
    assert shown == {"Putin's policy adviser, Yuri Ushakov", "Analysts"}
