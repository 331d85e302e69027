"""Judges: the lexicon's cues, the rules judge on described pairs, and the optional NLI judge on a tiny model."""
from __future__ import annotations

import pytest

from sourcecheck.errors import ModelNotInstalledError
from sourcecheck.judges import NLIJudge, Pair, RulesJudge, find_cues, load_lexicon, make_judge

CUES = [
    # (text, cue class expected, or None for no conflict cue)
    ("Soldiers and analysts haven’t noted a complete encirclement.", "not_confirmed"),
    ("Police could not independently verify the account.", "not_confirmed"),
    ("It was too early to tell whether a bomb caused it.", "not_confirmed"),
    ("He offered no proof that she had a role.", "unverified"),
    ("The claim came without evidence.", "unverified"),
    ("The company denied any involvement.", "denies"),
    ("Western officials and analysts reject this.", "disputes"),
    ("The suing states were exaggerating the reach of the rule.", "disputes"),
    ("Voting fraud is, in fact, very rare.", "contradicts"),
    ("Video shows that he had his hands in the air.", "records"),
    ("Russian forces have indeed applied more pressure.", "corroborates"),
    # negative rows: a proposal rejected is a position, not a dispute of a claim; plain reporting has no cue
    ("Russia rejected an immediate ceasefire.", None),
    ("The judge rejected a request to unseal the file.", None),
    ("The senator said the vote is on Tuesday.", None),
]


@pytest.mark.parametrize("text,expected", CUES)
def test_cues(text, expected):
    found = {k for k in find_cues(text, load_lexicon()) if k != "corroborates" or expected == "corroborates"}
    if expected is None:
        assert not found & {"denies", "disputes", "not_confirmed", "unverified", "contradicts"}, found
    else:
        assert expected in found, found


def test_lexicon_synonyms_and_camps():
    lex = load_lexicon()
    assert lex.key("encirclement") == lex.key("surround")
    assert lex.key("troops") != lex.key("encirclement")
    assert lex.camps["kremlin"] == lex.camps["russian"] == "russia"
    assert frozenset(("accept", "reject")) in lex.position_antonyms


def pair(**kw) -> Pair:
    base = dict(claim_text="X happened", passage_text="passage", link=0.4, shared=("x", "y", "z"))
    base.update(kw)
    return Pair(**base)


JUDGED = [
    (pair(cues={"unverified": ["offered no proof"]}), "unverified"),
    (pair(cues={"not_confirmed": ["haven't noted"]}, passage_speaker="analysts", passage_attributed=True), "not_confirmed"),
    (pair(cues={"disputes": ["reject this"]}, passage_speaker="officials", passage_attributed=True), "disputes"),
    (pair(cues={"disputes": ["reject this"]}, passage_speaker="Jones", passage_attributed=True, passage_is_subject=True), "denies"),
    (pair(cues={"disputes": ["is a lie"]}), "contradicts"),  # the article's own voice
    (pair(cues={"records": ["video shows"]}, passage_speaker="Video", passage_attributed=True, passage_is_document=True,
          contrast=True), "contradicts"),
    (pair(cues={"records": ["study found"]}, passage_speaker="The study", passage_attributed=True, passage_is_document=True,
          link=0.6), "supports"),  # a record reporting a finding, with nothing opposed, is no conflict
    (pair(numbers=("10,000", "12,500")), "numeric_mismatch"),
    (pair(cues={"corroborates": ["indeed"]}, passage_speaker="WSJ", passage_attributed=True), "supports"),
    (pair(same_holder=True, later=True, position_flip=("reject", "accept"), hedge="in theory", link=0.3), "shifts"),
    # negative rows
    (pair(link=0.1), None),
    (pair(same_holder=True, later=True, link=0.5), None),  # the same speaker saying the same again
    (pair(negation_flip=True, link=0.35), None),  # a negation with no contrast word and no cue is not enough
    (pair(position_flip=("reject", "accept"), passage_speaker="Ukraine", passage_attributed=True, link=0.6), None),
    (pair(cues={"disputes": ["reject this"]}, own_sentence=True), "contradicts"),
]


@pytest.mark.parametrize("p,expected", JUDGED)
def test_rules_judge(p, expected):
    v = RulesJudge().judge(p)
    assert (v.relation if v else None) == expected
    if v:
        assert v.reason and 0 < v.confidence <= 1


def test_shift_reason_names_the_hedge():
    v = RulesJudge().judge(pair(same_holder=True, later=True, position_flip=("reject", "accept"), hedge="but only if", link=0.3))
    assert "conditional" in v.reason and "not plain agreement" in v.reason


def test_make_judge_default_and_errors(tmp_path):
    assert isinstance(make_judge(None), RulesJudge)
    assert isinstance(make_judge("rules"), RulesJudge)
    with pytest.raises(ModelNotInstalledError):
        make_judge(str(tmp_path / "no-such-model"))
    with pytest.raises(ValueError):
        NLIJudge.__init__(object.__new__(NLIJudge), "x", mode="sometimes")


# ----------------------------------------------------------------------------- optional NLI judge
@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory):
    """A tiny randomly initialised BERT NLI classifier with its own tokenizer, saved to disk (no download)."""
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    import torch

    folder = tmp_path_factory.mktemp("tiny-nli")
    words = "the a of to and troops surrounded forces no encirclement noted analysts russia ukraine said is not were".split()
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n", encoding="utf-8")
    tok = transformers.BertTokenizer(str(vocab))
    config = transformers.BertConfig(
        vocab_size=len(words) + 5, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=128, num_labels=3,
        id2label={0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}, label2id={"CONTRADICTION": 0, "NEUTRAL": 1, "ENTAILMENT": 2},
    )
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    with torch.no_grad():  # make "contradiction" win, so the test sees a verdict
        model.classifier.bias.copy_(torch.tensor([5.0, 0.0, 0.0]))
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def test_nli_judge_loads_and_scores(tiny_nli):
    j = make_judge(str(tiny_nli))
    assert isinstance(j, NLIJudge) and j.mode == "add"
    probs = j.probabilities("analysts noted no encirclement", "troops surrounded forces")
    assert set(probs) == {"contradiction", "neutral", "entailment"}
    assert abs(sum(probs.values()) - 1) < 1e-5
    # rules decide first in "add" mode; the model judges what the rules leave open
    assert j.judge(pair(cues={"unverified": ["offered no proof"]})).relation == "unverified"
    v = j.judge(pair(link=0.3, passage_speaker="analysts", passage_attributed=True))
    assert v is not None and v.relation == "disputes" and v.method.startswith("nli:")


def test_nli_judge_replace_mode_in_check_claims(tiny_nli, nlp):
    from sourcecheck.article import article_from_text
    from sourcecheck.crosscheck import check_claims
    from sourcecheck.model import Claim, Span

    text = "Russia said troops surrounded forces. Analysts said troops were not surrounded by forces."
    s = text.index("troops surrounded forces")
    s2 = text.index("troops were not")
    claims = [
        Claim("c1", "troops surrounded forces", [Span.of(text, s, s + 24)], "a1", speaker_id="s1", speaker="Russia"),
        Claim("c2", "troops were not surrounded by forces", [Span.of(text, s2, s2 + 36)], "a2", speaker_id="s2", speaker="Analysts"),
    ]
    relations, flags = check_claims(article_from_text(text), nlp(text), claims, judge=f"replace:{tiny_nli}")
    assert any(r.method.startswith("nli:") for r in relations)
    assert all(f.claim_id in {"c1", "c2"} for f in flags)
