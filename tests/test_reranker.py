"""The cross-check's cross-encoder: the shipped ONNX file gives training's scores, is checked, and is used by the judge."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sourcecheck.crosscheck.model import combine, make_judge, top_pairs
from sourcecheck.crosscheck.reranker import RERANKER_DIR, Reranker, get_reranker
from sourcecheck.errors import EncoderError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def rr():
    return get_reranker()


def test_shipped_cross_encoder_gives_the_scores_torch_gave_in_training(rr):
    ref = json.loads((FIXTURES / "reranker_reference.json").read_text(encoding="utf-8"))
    got = rr.score([a for a, _ in ref["pairs"]], [b for _, b in ref["pairs"]])
    assert len(got) == len(ref["logits"]) >= 8
    # fp16 weights: logits within a few hundredths of torch's fp32, and the same order
    assert np.abs(got - np.array(ref["logits"])).max() < 0.05
    assert list(np.argsort(got)) == list(np.argsort(ref["logits"]))


def test_a_denial_scores_above_an_unrelated_passage(rr):
    claim = "Senator Ames: the company paid no bribes to the inspectors"
    denial = "Prosecutors said bank records show the company paid the inspectors $40,000 in cash."
    unrelated = "The weather in the capital was mild on Tuesday, and the markets were closed."
    s = rr.score([claim, claim], [denial, unrelated])
    assert s[0] > s[1]


def test_scores_do_not_depend_on_batch_order_or_size(rr):
    left = ["A said the bridge is safe.", "B said taxes will fall next year, a claim the treasury denied.", "C: none"]
    right = ["Engineers found cracks in the bridge.", "The treasury denied it.", "Unrelated text " * 80]
    one = np.array([rr.score([a], [b])[0] for a, b in zip(left, right)])
    # padding to the batch's width moves fp16 logits by about 1e-4
    assert np.allclose(rr.score(left, right), one, atol=1e-3)
    assert np.allclose(rr.score(left[::-1], right[::-1])[::-1], one, atol=1e-3)


def test_mismatched_sides_and_empty_input(rr):
    with pytest.raises(ValueError):
        rr.score(["a"], [])
    assert rr.score([], []).shape == (0,)


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "reranker"
    shutil.copytree(RERANKER_DIR, dest)
    return dest


def test_a_changed_model_file_is_a_named_error(tmp_path):
    folder = _copy(tmp_path)
    with open(folder / "model.onnx", "r+b") as f:
        f.seek(1000)
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(EncoderError, match=r"model\.onnx.*cross-encoder file is corrupt or changed.*make judge"):
        Reranker(folder)


def test_a_missing_manifest_is_a_named_error(tmp_path):
    folder = _copy(tmp_path)
    (folder / "manifest.json").unlink()
    with pytest.raises(EncoderError, match=r"manifest\.json.*missing.*make judge"):
        Reranker(folder)


def test_only_the_top_pairs_are_re_read_and_the_rest_cannot_flag():
    prob = np.array([0.1, 0.9, 0.5, 0.5, 0.05])
    top = top_pairs(prob, 3)
    assert list(top) == [1, 2, 3]  # ties keep pair order
    out = combine(prob, top, np.array([-3.0, 4.0, 0.0]), [1.0, 1.0], 0.0)
    assert out[0] == out[4] == 0.0
    # the cross-encoder can overturn the feature model's order
    assert out[2] > out[1]


def test_a_per_claim_limit_spreads_the_re_read_pairs_over_claims():
    """With at most one pair per claim, the k re-read pairs go to k different claims, each its best-scored pair."""
    prob = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    claims = [0, 0, 0, 1, 1, 2]
    assert list(top_pairs(prob, 3, claims)) == [0, 1, 2]  # no limit: all three are claim 0's
    assert list(top_pairs(prob, 3, claims, per_claim=1)) == [0, 3, 5]
    assert list(top_pairs(prob, 3, claims, per_claim=2)) == [0, 1, 3]
    assert list(top_pairs(prob, 10, claims, per_claim=1)) == [0, 3, 5]  # fewer claims than k


def test_the_shipped_judge_uses_the_cross_encoder():
    judge = make_judge()
    assert judge.rerank_k > 0
    assert judge.card["reranker"]["k"] == judge.rerank_k
    assert judge.card["reranker"]["model_manifest_sha256"]


def test_the_final_models_scores_are_put_on_the_scale_the_threshold_was_chosen_on(nlp, seed_path):
    """The shipped judge maps its cross-encoder's and detector's scores onto the out-of-fold scale (monotone
    quantile maps learned on train); the map is really applied: one that sends every cross-encoder score to
    the bottom of the scale leaves the seed with no flag."""
    import copy

    from sourcecheck import crosscheck
    from sourcecheck.article import load_article
    from sourcecheck.pipeline import claim_stages

    judge = make_judge()
    scale = judge.rerank_scale
    assert scale and set(scale) >= {"detector_logit", "cross_encoder_logit"}
    for fin, oof in (scale["detector_logit"], scale["cross_encoder_logit"]):
        assert len(fin) == len(oof) == 101 and fin == sorted(fin) and oof == sorted(oof)
    article = load_article(seed_path)
    doc, _, _, claims = claim_stages(article, nlp=nlp)
    assert crosscheck.check_claims(article, doc, claims, judge=judge)[1]
    low = copy.copy(judge)
    fin, oof = scale["cross_encoder_logit"]
    low.rerank_scale = {**scale, "cross_encoder_logit": [fin, [oof[0] - 20.0] * len(oof)]}
    assert crosscheck.check_claims(article, doc, claims, judge=low)[1] == []
