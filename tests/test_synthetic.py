"""The written rebuttal pairs the cross-encoder learns from besides the labelled ones (crosscheck.synthetic)."""
from __future__ import annotations

from collections import Counter

import pytest

from sourcecheck.crosscheck.synthetic import statements, synthetic_pairs


def article(aid: str, text: str, spans: list[tuple[str, str]]) -> dict:
    """A PolNeAR-format row whose attributions are (source, content) found in ``text``."""
    atts = []
    for n, (src, content) in enumerate(spans):
        s, c = text.index(src), text.index(content)
        atts.append({"id": f"E{n}", "source": [[s, s + len(src)]], "cue": [], "content": [[c, c + len(content)]]})
    return {"id": aid, "text": text, "attributions": atts}


ROWS = [
    article("a1", "Senator Jones said the company hid its losses from investors for three years. He said so twice.",
            [("Senator Jones", "the company hid its losses from investors for three years")]),
    article("a2", "Mayor Brown said that the new bridge will open to traffic in early May. Critics want a vote.",
            [("Mayor Brown", "that the new bridge will open to traffic in early May")]),
    article("a3", "The agency said it admitted ten thousand refugees in the last fiscal year. The count is disputed.",
            [("The agency", "it admitted ten thousand refugees in the last fiscal year")]),
    # not usable: a pronoun source, an infinitive, a question, a quotation
    article("a4", "He said the plan would cut taxes for most working families. The group urged the council to "
                  "reject the plan next week. Smith asked whether the council would vote on it soon. Lee said "
                  "“the plan is dead on arrival in the state senate.”",
            [("He", "the plan would cut taxes for most working families"),
             ("The group", "the council to reject the plan next week"),
             ("Smith", "whether the council would vote on it soon"),
             ("Lee", "“the plan is dead on arrival in the state senate.”")]),
]


@pytest.fixture(scope="module")
def pairs(nlp):
    return synthetic_pairs(ROWS, nlp, 60, seed=3)


def test_only_clauses_with_a_named_source_become_statements(nlp):
    got = {(s["source"], s["content"]) for s in statements(ROWS, nlp)}
    assert got == {("Senator Jones", "the company hid its losses from investors for three years"),
                   ("Mayor Brown", "the new bridge will open to traffic in early May"),
                   ("The agency", "it admitted ten thousand refugees in the last fiscal year")}


def test_as_many_conflicting_as_non_conflicting_pairs_and_every_pattern_on_both_sides(pairs):
    assert Counter(p["y"] for p in pairs) == {1: 60, 0: 60}
    # each conflicting pair comes with a non-conflicting one of the same claim: the pattern alone cannot tell them apart
    for pos, neg in zip(pairs[::2], pairs[1::2]):
        assert (pos["y"], neg["y"]) == (1, 0) and pos["claim"] == neg["claim"] and pos["pattern"] == neg["pattern"]


def test_a_conflicting_pair_is_about_its_claim_and_its_counterpart_is_not_a_rebuttal_of_it(pairs):
    for pos, neg in zip(pairs[::2], pairs[1::2]):
        speaker, content = pos["claim"].split(": ", 1)
        start = " ".join(content.split()[:3])
        assert start in pos["passage"] or f"{speaker}'s" in pos["passage"], pos
        agrees = any(w in neg["passage"] for w in ("agreed", "confirmed", "also said", "argued", "echoed", "said on", "noted"))
        assert agrees or (start not in neg["passage"] and f"{speaker}'s" not in neg["passage"]), neg


def test_the_rebutting_source_is_from_another_article(pairs):
    for p in pairs:
        speaker = p["claim"].split(": ", 1)[0]
        if p["pattern"] != "unverified":  # "<the claim's speaker> offered no evidence that ..."
            assert not p["passage"].startswith(speaker), p


def test_no_pairs_without_statements_of_two_articles(nlp):
    assert synthetic_pairs(ROWS[3:], nlp, 10) == []
    assert synthetic_pairs(ROWS[:1] + ROWS[3:], nlp, 10) == []
