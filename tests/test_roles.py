"""The role encoder: given one cue, its source and its content (``sourcecheck.attribution.roles``)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sourcecheck.attribution import extract_from_text, roles
from conftest import assert_damaged_model_is_named

REFERENCE = Path(__file__).parent / "fixtures" / "roles_reference.json"


def test_shipped_role_encoder_matches_the_torch_model_it_was_exported_from():
    """The shipped file is int8-quantized: on the reference cues its probabilities stay within
    0.2 of torch's and fall on the same side of the threshold for at least 98% of the wordpieces."""
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    enc = roles.role_encoder()
    assert ref["labels"] == list(enc.manifest["labels"]) == list(roles.LABELS)
    for item in ref["texts"]:
        (got,) = enc.probabilities(item["text"], [[tuple(item["cue"])]])
        offsets, p = got
        want = np.asarray(item["probabilities"])
        assert offsets.tolist() == item["offsets"]
        assert np.abs(p - want).max() < 0.2, item["text"]
        assert ((p >= roles.THRESHOLD) == (want >= roles.THRESHOLD)).mean() >= 0.98, item["text"]


def _offsets(text: str) -> np.ndarray:
    from sourcecheck.encoder import get_encoder  # the same tokenizer as the role encoder's

    return get_encoder().tokenize(text)[1]


def test_window_marks_the_cue_and_stops_at_the_article_edges():
    text = "Officials said the bridge would reopen. " * 3
    off = _offsets(text)
    cue = text.index("said")
    mask = roles.cue_mask(off, [(cue, cue + 4)])
    assert [text[s:e] for s, e in off[mask]] == ["said"]
    a, b = roles.cue_window(len(off), mask)
    assert a == 0 and b == min(len(off), int(np.flatnonzero(mask)[0]) + 1 + roles.AFTER)
    assert roles.cue_window(len(off), np.zeros(len(off), dtype=bool)) is None


def test_a_long_article_gives_the_cue_a_window_of_fixed_context():
    text = " ".join(f"Sentence {i} is here." for i in range(200)) + " The mayor said taxes rise. " + "More text. " * 200
    off = _offsets(text)
    cue = text.index("said")
    mask = roles.cue_mask(off, [(cue, cue + 4)])
    a, b = roles.cue_window(len(off), mask)
    k = int(np.flatnonzero(mask)[0])
    assert (k - a, b - k - 1) == (roles.BEFORE, roles.AFTER)


def test_spans_cover_whole_words_and_join_across_commas_but_not_across_the_cue():
    text = "“Unbelievably, prices rose,” she said, “and wages fell.”"
    off = _offsets(text)
    words = [text[s:e] for s, e in off]
    on = np.zeros(len(off), dtype=bool)
    # one wordpiece of a long word, then the rest of the first part, the comma left out
    for i, w in enumerate(words):
        if w in ("prices", "rose", "and", "wages", "fell"):
            on[i] = True
    u = text.index("Unbelievably")
    pieces = [i for i, (s, e) in enumerate(off) if u <= s < u + len("Unbelievably")]
    assert len(pieces) > 1  # the long word is several wordpieces: only its first is on
    on[pieces[0]] = True
    spans = [text[s:e] for s, e in roles.runs_to_spans(text, off, on)]
    assert spans == ["Unbelievably, prices rose", "and wages fell"]
    on[pieces[0]] = False
    on[0] = True  # the opening quotation mark alone, its next word left out: no content of its own
    assert [text[s:e] for s, e in roles.runs_to_spans(text, off, on)] == ["prices rose", "and wages fell"]


def test_a_less_sure_word_inside_a_run_does_not_split_it_and_a_source_is_one_span():
    p = np.array([0.1, 0.9, 0.4, 0.8, 0.2, 0.6, 0.0])
    assert roles.extend(p, 0.5, 0.3).tolist() == [False, True, True, True, False, True, False]
    # two candidate sources: the one with more probability in it comes first
    assert roles.runs_by_mass(p, roles.extend(p, 0.5, 0.3)) == [(1, 4), (5, 6)]
    assert roles.runs_by_mass(p, p > 1) == []


#: A news paragraph with two statements in one sentence, each with its own speaker and words.
PARAGRAPH = (
    "The city council met on Tuesday night to debate next year's budget, which has been delayed "
    "for three months by a dispute over school funding. Mayor Jane Smith said the city would have "
    "to raise property taxes by 4 percent, but the council's finance chair, Robert Lee, told "
    "reporters that the budget could be balanced without new taxes. The vote is expected next week."
)


@pytest.mark.parametrize(
    "cue, source, content, other",
    [
        ("said", None, "the city would have to raise property taxes by 4 percent", "balanced without new taxes"),
        ("told", "Robert Lee", "the budget could be balanced without new taxes", "raise property taxes"),
    ],
)
def test_each_cue_gets_its_own_source_and_content(cue, source, content, other):
    """The encoder, told which cue, gives that cue's words and not the other statement's, and the
    speaker of "told". It is unsure of "Mayor Jane Smith" as the one who "said" (probability
    about .2, measured): extraction then keeps the parse's source (the next test)."""
    text = PARAGRAPH
    s = text.index(cue)
    (got,) = roles.role_encoder().roles(text, [[(s, s + len(cue))]])
    src, con = ([text[a:b] for a, b in spans] for spans in got[:2])
    if source:
        assert source in src[0], src
    assert any(content in x for x in con), con
    assert not any(other in x for x in con), con


def test_extraction_gives_two_statements_in_one_sentence_their_own_speakers():
    found = {a.cue[0].text: a for a in extract_from_text(PARAGRAPH)}
    assert {"said", "told"} <= set(found)
    assert "Smith" in " ".join(s.text for s in found["said"].source)
    assert "Lee" in " ".join(s.text for s in found["told"].source)
    assert "balanced" not in " ".join(s.text for s in found["said"].content)
    assert "raise" not in " ".join(s.text for s in found["told"].content)


def test_corrupt_or_missing_role_encoder_is_an_error_naming_it_and_the_rebuild(tmp_path, monkeypatch):
    assert_damaged_model_is_named(tmp_path, monkeypatch, roles, "ROLES_DIR", roles.role_encoder, "make roles")


class _Encoder:
    """Stands in for the role encoder's output, to test how ``with_roles`` combines it with the CRF's."""

    def __init__(self, result):
        self.result = result

    def roles(self, text, cues):
        return [self.result for _ in cues]


def _found(text: str, source: str, cue: str, content: str) -> dict:
    from sourcecheck.model import Span

    def span(part):
        s = text.index(part)
        return [Span.of(text, s, s + len(part))] if part else []

    return dict(source=span(source), cue=span(cue), content=span(content), confidence=0.9)


def _with_roles(monkeypatch, text, found, sources, content, window, sure=0.9):
    from sourcecheck import attribution
    from sourcecheck.attribution.parse import Parse
    from sourcecheck.nlp import parse

    spans = lambda parts: [(text.index(p), text.index(p) + len(p)) for p in parts]  # noqa: E731
    monkeypatch.setattr(roles, "role_encoder", lambda: _Encoder(roles.Reading(spans(sources), spans(content), window, sure)))
    (x,) = attribution.with_roles(Parse(parse(text)), [found])
    return [s.text for s in x["source"]], [s.text for s in x["content"]]


TEXT = ("Officials from the agency met with Senator Ann Lee on Monday. “The plan will cost more than "
        "anyone has admitted, and the schools will pay for it,” the senator said after the meeting.")


def test_the_parse_source_stays_and_the_encoder_gives_one_where_the_parse_found_none(monkeypatch):
    window = (0, len(TEXT))
    found = _found(TEXT, "the senator", "said", "The plan will cost more")
    assert _with_roles(monkeypatch, TEXT, found, ["Senator Ann Lee", "the senator"], ["The plan will cost more"], window)[0] == ["the senator"]
    found = _found(TEXT, "", "said", "The plan will cost more")
    assert _with_roles(monkeypatch, TEXT, found, ["Senator Ann Lee", "the senator"], ["The plan will cost more"], window)[0] == ["Senator Ann Lee"]


def test_content_the_encoder_is_unsure_of_keeps_the_crf_reading(monkeypatch):
    found = _found(TEXT, "the senator", "said", "The plan will cost more than anyone has admitted")
    got = _with_roles(monkeypatch, TEXT, found, [], ["anyone"], (0, len(TEXT)), sure=0.5)
    assert got[1] == ["The plan will cost more than anyone has admitted"]
    got = _with_roles(monkeypatch, TEXT, found, [], ["The plan will cost more"], (0, len(TEXT)), sure=0.9)
    assert got[1] == ["The plan will cost more"]


def test_content_before_the_encoder_window_keeps_the_crf_reading(monkeypatch):
    found = _found(TEXT, "the senator", "said", "The plan will cost more than anyone has admitted, and the schools will pay for it")
    start = TEXT.index("anyone")
    _, content = _with_roles(monkeypatch, TEXT, found, ["the senator"], ["anyone has admitted, and the schools will pay for it"], (start, len(TEXT)))
    assert content == ["The plan will cost more than anyone has admitted, and the schools will pay for it"]


def test_an_attribution_the_encoder_finds_no_content_for_keeps_its_own(monkeypatch):
    found = _found(TEXT, "the senator", "said", "The plan will cost more")
    assert _with_roles(monkeypatch, TEXT, found, ["Senator Ann Lee"], [], (0, len(TEXT))) == (["the senator"], ["The plan will cost more"])
