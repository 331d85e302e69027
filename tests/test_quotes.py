"""Quote fidelity: one table row per class, material-change rules, speakers, flags, HTML, speed."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sourcecheck import constants, quotes
from sourcecheck.article import article_from_text, load_article
from sourcecheck.documents import PrimaryDocument, speaker_matches
from sourcecheck.errors import PrimaryDocumentError
from sourcecheck.model import Analysis, Claim, Span

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "ukraine-ceasefire.txt"


def make_docs(folder: Path, docs: dict[str, tuple[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (speaker, text) in docs.items():
        (folder / name).write_text(json.dumps({"speaker": speaker, "title": name, "text": text}), encoding="utf-8")
    return folder


def claim_for(text: str, fragment: str, speaker: str | None, quote_type: str = "direct", cid: str = "c1") -> Claim:
    i = text.index(fragment)
    return Claim(id=cid, text=fragment, spans=[Span.of(text, i, i + len(fragment))], attribution_id="a-" + cid,
                 speaker=speaker, quote_type=quote_type)


def run(tmp_path, article_text, fragment, doc_text, speaker="Jane Doe", doc_speaker="Jane Doe", quote_type="direct",
        extra_docs=None):
    folder = make_docs(tmp_path / "docs", {"doc.json": (doc_speaker, doc_text), **(extra_docs or {})})
    an = Analysis(article=article_from_text(article_text), claims=[claim_for(article_text, fragment, speaker, quote_type)])
    checks = quotes.check_quotes(an, folder)
    return an, checks


DOC = ("We had very good and productive discussions yesterday, and there is a very good chance that this "
       "horrible, bloody war can finally come to an end. We will not accept a 30-day ceasefire without guarantees. "
       "I met President Putin and I could sign the deal next week. It's Russia’s move now.")

# (id, quote in the article, expected class, material, kind of the first material change or None)
CASES = [
    ("exact", "there is a very good chance that this horrible, bloody war can finally come to an end", "exact", False, None),
    ("edge-punctuation", "We will not accept a 30-day ceasefire without guarantees,", "exact", False, None),
    ("cosmetic-case", "THERE IS A VERY GOOD CHANCE that this horrible, bloody war", "cosmetic", False, None),
    ("cosmetic-apostrophe", "It's Russia's move now", "cosmetic", False, None),
    ("cosmetic-punctuation", "this horrible bloody war can finally come to an end", "cosmetic", False, None),
    ("cosmetic-whitespace", "this horrible,  bloody war can finally come", "cosmetic", False, None),
    ("dropped-not", "We will accept a 30-day ceasefire without guarantees", "words omitted", True, "negation"),
    ("changed-negation", "We will never accept a 30-day ceasefire without guarantees", "words changed", True, "negation"),
    ("changed-number", "We will not accept a 60-day ceasefire without guarantees", "words changed", True, "number"),
    ("changed-name", "I met President Zelensky and I could sign the deal", "words changed", True, "name"),
    ("changed-name-in-capitals", "I met PRESIDENT ZELENSKY and I could sign the deal", "words changed", True, "name"),
    ("same-name-in-capitals", "I MET PRESIDENT PUTIN AND I COULD SIGN THE DEAL", "cosmetic", False, None),
        ("changed-modal", "I met President Putin and I will sign the deal next week", "words changed", True, "modal"),
    ("changed-content", "there is a very good chance that this terrible, bloody war can finally come to an end", "words changed", True, "content"),
    ("omitted-content", "there is a very good chance that this horrible war can finally come to an end", "words omitted", True, "content"),
    ("omitted-function-word", "there is a good chance that this horrible, bloody war can finally come to an end", "words omitted", False, None),
    ("ellipsis", "there is a very good chance … war can finally come to an end", "marked edits", False, None),
    ("three-dots", "We had very good and productive discussions ... and there is a very good chance", "marked edits", False, None),
    ("bracket", "I met [Vladimir Putin] and I could sign the deal next week", "marked edits", False, None),
    ("edge-bracket", "We will not accept a 30-day ceasefire [from Russia]", "marked edits", False, None),
    ("ellipsis-then-changed-words", "We had very good … no guarantees", "words changed", True, "negation"),
    ("piecewise-ellipsis", "We had very good and productive … a 30-day ceasefire without guarantees", "marked edits", False, None),
        ("added-content", "this horrible, bloody war can finally and completely come to an end", "words added", True, "content"),
    ("inflection", "We had very good and productive discussion yesterday", "words changed", False, None),
    ("not-found", "Ukraine must surrender all of its territory to the invaders at once", "not found", False, None),
    ("short-scare-quote", "breather", "not found", False, None),
    ("short-found", "bloody war", "exact", False, None),
]


@pytest.mark.parametrize("case_id, quote, expected, material, kind", CASES, ids=[c[0] for c in CASES])
def test_fidelity_classes(tmp_path, case_id, quote, expected, material, kind):
    article = f'Jane Doe said: “{quote}” on Friday.'
    an, checks = run(tmp_path, article, quote, DOC)
    assert len(checks) == 1
    c = checks[0]
    assert c.fidelity == expected, [(o.op, o.kind, o.reason) for o in c.changes]
    assert c.material is material
    if kind:
        assert [o.kind for o in c.changes if o.material][0] == kind
        assert [f.relation for f in an.flags] == ["misquoted"]
        assert an.flags[0].claim_span.text == c.quote_text
    else:
        assert an.flags == []
    if c.passage_start is not None:
        assert DOC[c.passage_start:c.passage_end] == c.passage_text


@pytest.mark.parametrize("quote", ["I met [Vladimir Putin] and I could sign the deal next week",
                                   "there is a very good chance … war can finally come to an end"])
def test_editorial_marks_are_not_punctuation_differences(tmp_path, quote):
    _, checks = run(tmp_path, f"Jane Doe said “{quote}”.", quote, DOC)
    ops = {o.op for o in checks[0].ops}
    assert "cosmetic" not in ops and ops & {"bracket", "ellipsis"}
    html_out = quotes.diff_html(checks[0])
    assert ("[Vladimir Putin]" in html_out) or ("…" in html_out)


def test_dropped_not_scores_high_but_is_material(tmp_path):
    """The fuzzy score alone misses it: the classification looks at the changed words."""
    from rapidfuzz import fuzz

    doc = ("We will not accept a ceasefire that leaves our soldiers without guarantees of security "
           "and our cities without protection from the attacks.")
    quote = doc.replace("not ", "").rstrip(".")
    assert fuzz.partial_ratio(quote.lower(), doc.lower()) > 95
    an, checks = run(tmp_path, f'She said "{quote}".', quote, doc)
    assert checks[0].material and checks[0].changes[0].kind == "negation"
    assert an.flags[0].severity == constants.SEVERITY_MISQUOTE_ALWAYS_MATERIAL and "negation" in an.flags[0].reason


@pytest.mark.parametrize(
    "doc_words",
    ["in a very bad and vulnerable position", "IN A VERY BAD AND VULNERABLE POSITION", "In A Very Bad And Vulnerable Position"],
)
def test_seed_all_caps_passage_is_cosmetic_or_exact(tmp_path, doc_words):
    article = 'Trump said they were put “IN A VERY BAD AND VULNERABLE POSITION” by the Russian military.'
    doc = f"Thousands of troops are completely surrounded by the Russian military, and {doc_words}. I have strongly requested."
    _, checks = run(tmp_path, article, "IN A VERY BAD AND VULNERABLE POSITION", doc, "Donald Trump", "Donald J. Trump", "mixed")
    expected = "exact" if doc_words.isupper() else "cosmetic"
    assert checks[0].fidelity == expected
    assert not checks[0].material


def test_quotation_left_open_across_a_paragraph(tmp_path):
    article = ("Trump said he and his team “had very good and productive discussions yesterday, and there is a very good chance\n"
               "However, he noted something else entirely, without quotes.")
    _, checks = run(tmp_path, article, "had very good and productive", DOC, "Donald Trump", "Donald Trump", "mixed")
    c = checks[0]
    assert c.quote_text.endswith("a very good chance") and "However" not in c.quote_text
    assert c.fidelity == "exact" and "left open" in c.note


def test_quote_continued_in_next_paragraph_gives_two_checks(tmp_path):
    article = ("She said: “We had very good and productive discussions yesterday.\n"
               "“We will not accept a 30-day ceasefire without guarantees.”")
    folder = make_docs(tmp_path / "docs", {"d.json": ("Jane Doe", DOC)})
    claim = Claim(id="c1", text="x", spans=[Span.of(article, 10, len(article))], attribution_id="a", speaker="Jane Doe",
                  quote_type="direct")
    an = Analysis(article=article_from_text(article), claims=[claim])
    checks = quotes.check_quotes(an, folder)
    assert [c.quote_index for c in checks] == [0, 1]
    assert {c.fidelity for c in checks} == {"exact"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ('He said "one" and "two".', ["one", "two"]),
        ("Mixed “curly\" and \"straight” marks.", ["curly", "straight"]),
        ("NYT style ''like this'' here.", ["like this"]),
        ("Democrats’ plan, no quotes at all.", []),
        ("Open “at the end\nNext line “closed” here.", ["at the end", "closed"]),
        ('Caddell: "I read the question: “As you know,” he said, and more." Then.', ['I read the question: “As you know,” he said, and more.']),
    ],
)
def test_quoted_segments(text, expected):
    assert [text[s.start:s.end] for s in quotes.quoted_segments(text)] == expected


def test_other_speaker_is_possible_misattribution(tmp_path):
    quote = "there is a very good chance that this horrible, bloody war can finally come to an end"
    article = f'Putin said “{quote}.”'
    an, checks = run(tmp_path, article, quote, "Something else entirely about weather.", "Vladimir Putin", "Vladimir Putin",
                     extra_docs={"trump.json": ("Donald J. Trump", DOC)})
    c = checks[0]
    assert c.fidelity == "other speaker" and c.document_speaker == "Donald J. Trump"
    assert [f.relation for f in an.flags] == ["misattributed"]
    assert an.flags[0].countering_speaker == "Donald J. Trump"


def test_short_quote_in_other_speakers_document_is_reported_not_flagged(tmp_path):
    an, checks = run(tmp_path, "That term, “bloody war”, is a reference.", "bloody war", "Weather.", "Western officials",
                     "Western officials", extra_docs={"trump.json": ("Donald J. Trump", DOC)})
    assert checks[0].fidelity == "other speaker" and "too short to flag" in checks[0].note and an.flags == []


def test_better_verbatim_match_in_other_speakers_document(tmp_path):
    quote = "there is a very good chance that this horrible, bloody war can finally come to an end"
    own = "There is a very good chance that this horrible war will never end, and a bloody one."
    an, checks = run(tmp_path, f"Putin said “{quote}.”", quote, own, "Vladimir Putin", "Vladimir Putin",
                     extra_docs={"trump.json": ("Donald J. Trump", DOC)})
    assert checks[0].fidelity == "other speaker" and checks[0].document_speaker == "Donald J. Trump"
    assert [f.relation for f in an.flags] == ["misattributed"]


def test_overlapping_claims_on_the_same_quote_do_not_flag_each_other(tmp_path):
    quote = "there is a very good chance that this horrible, bloody war can finally come to an end"
    text = f"Trump said “{quote}.” The Journal reported more pressure."
    folder = make_docs(tmp_path / "docs", {"trump.json": ("Donald J. Trump", DOC)})
    claims = [claim_for(text, quote, "Donald Trump", cid="c1"), claim_for(text, quote, "Wall Street Journal", cid="c2")]
    an = Analysis(article=article_from_text(text), claims=claims)
    checks = quotes.check_quotes(an, folder)
    assert [c.fidelity for c in checks] == ["exact", "other speaker"]
    assert "also attributed to Donald Trump" in checks[1].note and an.flags == []


def test_unresolved_speaker_searches_all_documents_without_misattribution(tmp_path):
    quote = "this horrible, bloody war can finally come to an end"
    an, checks = run(tmp_path, f'Someone said “{quote}.”', quote, DOC, speaker=None)
    assert checks[0].fidelity == "exact" and "speaker not resolved" in checks[0].note and an.flags == []


def test_indirect_claim_gets_context_only(tmp_path):
    article = "Jane Doe said the war could end soon after very productive discussions."
    an, checks = run(tmp_path, article, "the war could end soon after very productive discussions", DOC, quote_type="indirect")
    c = checks[0]
    assert c.fidelity == "context only" and c.score > 0 and c.passage_text in DOC and not an.flags


def test_context_skips_the_interviewers_turns(tmp_path):
    doc = ("Question: Will the ceasefire proposal for thirty days be accepted by Russia soon?\n"
           "Vladimir Putin: We agree with the proposals to stop the hostilities, with conditions.\n"
           "Question: And the ceasefire proposal for thirty days itself?\n"
           "Vladimir Putin: The idea is right.")
    article = "Putin said Russia would accept the ceasefire proposal for thirty days."
    _, checks = run(tmp_path, article, "Russia would accept the ceasefire proposal for thirty days", doc,
                    "Vladimir Putin", "Vladimir Putin", "indirect")
    assert checks[0].fidelity == "context only" and not checks[0].passage_text.startswith("Question")


def test_interviewers_words_quoted_as_the_speakers_are_misattributed(tmp_path):
    doc = ("Question: Will Russia accept a ceasefire of thirty days without any conditions at all?\n"
           "Vladimir Putin: We agree with the proposals to stop the hostilities.")
    quote = "Russia accept a ceasefire of thirty days without any conditions at all"
    an, checks = run(tmp_path, f"Putin said “{quote}”.", quote, doc, "Vladimir Putin", "Vladimir Putin")
    assert checks[0].fidelity == "other speaker" and "'Question'" in checks[0].note
    assert [f.relation for f in an.flags] == ["misattributed"]


@pytest.mark.parametrize(
    "claim_speaker, doc_names, expected",
    [
        ("Trump", ["Donald J. Trump"], True),
        ("President Donald Trump", ["Donald J. Trump"], True),
        ("Donald Trump", ["Trump"], True),
        ("Kremlin spokesman Dmitry Peskov", ["Dmitry Peskov"], True),
        ("the U.S. and Ukraine", ["United States and Ukraine", "U.S. and Ukraine"], True),
        ("Vladimir Putin", ["Yuri Ushakov"], False),
        ("Melania Trump", ["Donald J. Trump"], False),
        ("Trump administration", ["Donald J. Trump"], False),
        (None, ["Donald J. Trump"], False),
    ],
)
def test_speaker_matching(claim_speaker, doc_names, expected):
    doc = PrimaryDocument(id="d", path="d", text="x", speaker=doc_names[0], aliases=doc_names[1:])
    assert speaker_matches(claim_speaker, doc) is expected


def test_missing_default_folder_means_no_documents(tmp_path):
    art = tmp_path / "story.txt"
    art.write_text('Jane said "hello there my friend".', encoding="utf-8")
    a = load_article(art)
    an = Analysis(article=a, claims=[claim_for(a.text, "hello there my friend", "Jane")])
    assert quotes.check_quotes(an) == []
    assert an.extras["quote_checks"] == [] and an.extras["documents"] == []


def test_bad_document_raises_naming_file(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "broken.json").write_text("{nope", encoding="utf-8")
    an = Analysis(article=article_from_text("x"), claims=[])
    with pytest.raises(PrimaryDocumentError, match="broken.json"):
        quotes.check_quotes(an, folder)


def test_rerun_replaces_flags_and_keeps_other_flags(tmp_path):
    from sourcecheck.model import Flag

    quote = "We will accept a 30-day ceasefire without guarantees"
    folder = make_docs(tmp_path / "docs", {"d.json": ("Jane Doe", DOC)})
    text = f'Jane Doe said “{quote}.”'
    an = Analysis(article=article_from_text(text), claims=[claim_for(text, quote, "Jane Doe")])
    an.flags.append(Flag(id="f-other", claim_id="c1", relation="contradicts", reason="x", severity=1, confidence=0.5))
    quotes.check_quotes(an, folder)
    quotes.check_quotes(an, folder)
    assert sorted(f.relation for f in an.flags) == ["contradicts", "misquoted"]
    an.validate()


def test_diff_html_escapes_everything(tmp_path):
    doc = "He wrote <script>alert('x')</script> and we will not give up & never surrender."
    quote = "wrote <script>alert('x')</script> and we will give up & never surrender"
    article = f"He said “{quote}”."
    _, checks = run(tmp_path, article, quote, doc)
    out = quotes.diff_html(checks[0])
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp;" in out
    assert "<del" in out and "not" in out
    assert quotes.diff_html(checks[0].to_dict()) == out  # also from the exported dict


def test_frame_and_exports(tmp_path):
    from sourcecheck.timeline import resolve_times
    import pandas as pd

    quote = "We will accept a 30-day ceasefire without guarantees"
    an, _ = run(tmp_path, f"Jane Doe said “{quote}” on Thursday.", quote, DOC)
    an.article.published = "2025-03-14"
    resolve_times(an, None)
    df = quotes.quote_checks_frame(an)
    assert list(df["class"]) == ["words omitted"] and bool(df["material"][0]) is True
    assert list(quotes.quote_checks_frame(an, full=False).columns) == quotes.READING_COLUMNS
    assert all(not isinstance(v, (list, dict)) for v in df.iloc[0].tolist())
    paths = quotes.write_exports(an, tmp_path / "out")
    assert pd.read_csv(paths["quote_checks"]).shape[0] == 1
    assert pd.read_csv(paths["timeline"]).shape[0] >= 1
    assert json.dumps(an.to_dict(), default=str)


def test_long_document_stays_fast(tmp_path):
    import random

    rng = random.Random(7)
    vocab = ("the of and to in a is that for on was with he it as at by this had not are but from or have an they which "
             "one you were her all she there would their we him been has when who will more no if out so said what up its "
             "about into than them can only other new some could time these two may then do first any my now such like "
             "our over man me even most made after also did many before must through back years where much your way well "
             "down should because each just those people how too little state good very make world still own see men work "
             "long get here between both life being under never day same another know while last might us great old year "
             "off come since against go came right used take three ceasefire troops border minister talks").split()
    words = [rng.choice(vocab) for _ in range(100 * 500)]  # 100 pages of 500 words
    quote = "we had very good and productive discussions with the minister yesterday about the border"
    words[30_000:30_000] = quote.split()
    doc = " ".join(words) + "."
    article = f'Jane Doe said “{quote.replace("very good", "good")}”.'
    t0 = time.perf_counter()
    _, checks = run(tmp_path, article, quote.replace("very good", "good"), doc)
    assert time.perf_counter() - t0 < 3.0
    assert checks[0].fidelity == "words omitted" and not checks[0].material


# --------------------------------------------------------------------------- the seed, with hand-built claims
SEED_CLAIMS = [
    # (fragment inside the quote, speaker, quote type, expected class)
    ("had very good and productive discussions", "Donald Trump", "mixed", "exact"),
    ("IN A VERY BAD AND VULNERABLE POSITION", "Trump", "mixed", "cosmetic"),
    ("strongly requested to President Putin", "Trump", "mixed", "exact"),
    ("expressed solidarity with Trump", "Dmitry Peskov", "direct", "not found"),
    ("Ukraine expressed readiness to accept", "the U.S. and Ukraine", "direct", "exact"),
    ("We agree with the proposals to stop the hostilities", "Vladimir Putin", "direct", "exact"),
    ("to long-term peace and eliminate", "Putin", "mixed", "exact"),
    ("breather", "Yuri Ushakov", "mixed", "exact"),
    ("hopes [the United States] knows", "Yuri Ushakov", "mixed", "words changed"),
    ("Russian troops have surrounded Ukrainian forces", "Donald Trump", "indirect", "context only"),
]


def test_seed_article_against_fixtures():
    a = load_article(SEED)
    claims = [claim_for(a.text, frag, spk, qt, cid=f"c{i}") for i, (frag, spk, qt, _) in enumerate(SEED_CLAIMS)]
    an = Analysis(article=a, claims=claims)
    checks = quotes.check_quotes(an)
    got = {c.claim_id: c for c in checks}
    for i, (frag, _, _, expected) in enumerate(SEED_CLAIMS):
        c = got[f"c{i}"]
        if expected == "cosmetic":  # the fixture writes the passage in capitals: exact; lower case would be cosmetic
            assert c.fidelity in ("exact", "cosmetic"), c
        else:
            assert c.fidelity == expected, (frag, c.fidelity, [o.reason for o in c.changes])
    assert "left open" in got["c0"].note
    assert "SURROUNDED" in got["c9"].passage_text  # reported speech: Trump's own words shown as context
    for c in checks:
        c.quote_span.check(a.text)
    assert not got["c8"].material  # "hope"->"hopes" and [the United States] for "that Washington" are not material
    assert an.flags == []  # the real article quotes its sources faithfully
    assert len(an.extras["documents"]) == 4


def test_diffs_html_block(tmp_path):
    quote = "We will accept a 30-day ceasefire without guarantees <b>"
    doc = DOC.replace("guarantees.", "guarantees <b>.")
    an, _ = run(tmp_path, f"Jane Doe said “{quote}”.", quote, doc)
    out = quotes.diffs_html(an)
    assert "words omitted" in out and "&lt;b&gt;" in out and "<b>Jane Doe</b>" in out
    empty = Analysis(article=article_from_text("x"))
    quotes.check_quotes(empty, None)
    assert "No primary documents" in quotes.diffs_html(empty)


# --------------------------------------------------------------------------- quality gate (PolNeAR dev, controlled edits)
#: Floors for bench/eval_quote_fidelity.py on the first 120 dev quotations (measured: class 98.8%,
#: materiality 99.0%, 723 edited quotes). Lowering a floor is an explicit, reviewed change.
FIDELITY_FLOORS = {"class_accuracy": 0.97, "material_accuracy": 0.97}


def test_fidelity_quality_gate_on_polnear_dev():
    import importlib.util

    script = ROOT / "bench" / "eval_quote_fidelity.py"
    spec = importlib.util.spec_from_file_location("eval_quote_fidelity", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not (mod.DATA / "dev.jsonl").exists():
        pytest.skip(f"PolNeAR dev data not found at {mod.DATA}")
    r = mod.evaluate("dev", limit=120, seed=3)
    assert r["edited"] > 500
    for key, floor in FIDELITY_FLOORS.items():
        assert r[key] >= floor, (key, r[key], r["confusions"].most_common(5))
