"""sourcecheck.fidelity on its own: one quote, one document, no claims or flags.

The table of fidelity classes runs through the whole stage in tests/test_quotes.py; these rows pin
the building blocks (alignment offsets, the judge's materiality rules, the diff's edges).
"""
from __future__ import annotations

import pytest

from sourcecheck import fidelity
from sourcecheck.documents import PrimaryDocument

TEXT = ("Intro line.\n\nWe will not accept a 30-day ceasefire without guarantees. "
        "The idea itself is right, and we certainly support it.")


def doc_text(text=TEXT):
    return fidelity.DocumentText(PrimaryDocument(id="d", path="d", text=text, speaker="X"))


def test_prepared_text_keeps_offsets():
    d = doc_text()
    assert len(d.flat) == len(TEXT)
    assert d.flat[TEXT.index("30-day"):TEXT.index("30-day") + 6] == "30 day"


def test_align_gives_document_offsets():
    q = fidelity.quote_words("we certainly support it")
    m = fidelity.align(q, doc_text())
    assert m is not None and m.score == 100
    assert TEXT[m.start:m.end].lower().startswith("we certainly support it")


def test_short_quotes_need_an_exact_word_run():
    assert fidelity.align(fidelity.quote_words("idea itself"), doc_text()) is not None
    assert fidelity.align(fidelity.quote_words("idea herself"), doc_text()) is None


@pytest.mark.parametrize(
    "quote, words, material, kind",
    [
        ("not", "", True, "negation"),
        ("60", "30", True, "number"),
        ("could", "will", True, "modal"),
        ("Zelensky", "Putin", True, "name"),
        ("hopes", "hope", False, "inflection"),
        ("the", "a", False, "function"),
        ("terrible", "horrible", True, "content"),
    ],
)
def test_judge_rules(quote, words, material, kind):
    qs = fidelity.words_of(f"He met {quote}")[2:] if quote else []
    ds = fidelity.words_of(f"He met {words}")[2:] if words else []
    tag = "changed" if qs and ds else ("added" if qs else "omitted")
    op = fidelity.judge(tag, qs, ds)
    assert (op.material, op.kind) == (material, kind), op.reason


def test_compare_trims_passage_to_the_quote():
    q = fidelity.quote_words("we certainly support it")
    d = fidelity.words_of(TEXT)
    ops, cls, kept = fidelity.compare(q, d)
    assert cls == "exact" and [w.norm for w in kept] == ["we", "certainly", "support", "it"]


def test_fidelity_classes_are_documented():
    import sourcecheck.quotes as quotes

    for cls in fidelity.FIDELITY_CLASSES:
        assert cls in quotes.__doc__
