"""The encoder span tagger the attribution CRFs read: shipped files checked, the ONNX model
agrees with the torch model it was exported from, and it marks who said what."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sourcecheck.attribution import taggers
from sourcecheck.errors import EncoderError

from conftest import assert_damaged_model_is_named

REFERENCE = Path(__file__).parent / "fixtures" / "tagger_reference.json"


def probabilities(text: str) -> tuple[np.ndarray, np.ndarray]:
    tv = taggers.span_tagger().token_vectors(text)
    return tv.offsets, 1 / (1 + np.exp(-tv.vectors))


def test_shipped_tagger_matches_the_torch_model_it_was_exported_from():
    """The shipped file is int8-quantized (1.6 times faster than fp16 weights): its
    probabilities stay within 0.2 of torch's, and the bins the CRFs read (tenths) agree for
    at least 90% of the reference texts' wordpieces and labels (measured 97%), never more
    than one bin apart."""
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert ref["labels"] == list(taggers.span_tagger().manifest["labels"])
    got_bins, want_bins = [], []
    for item in ref["texts"]:
        offsets, p = probabilities(item["text"])
        want = np.asarray(item["probabilities"])
        assert offsets.tolist() == item["offsets"]
        assert np.abs(p - want).max() < 0.2, item["text"]
        assert ((p > 0.5) == (want > 0.5)).mean() >= 0.98, item["text"]
        got_bins.append(taggers.to_bins(p).ravel())
        want_bins.append(taggers.to_bins(want).ravel())
    got, want = np.concatenate(got_bins), np.concatenate(want_bins)
    assert (got == want).mean() >= 0.9
    assert np.abs(got - want).max() <= 1


def _inside(text: str, offsets, p, phrase: str, k: int) -> float:
    s = text.rindex(phrase)  # the cue "told" comes after "Nobody told us"
    e = s + len(phrase)
    rows = [i for i, (a, b) in enumerate(offsets) if a < e and b > s]
    return float(p[rows, k].min())


def _outside_max(text: str, offsets, p, phrases: list[str], k: int) -> float:
    spans = [(text.rindex(x), text.rindex(x) + len(x)) for x in phrases]
    rows = [i for i, (a, b) in enumerate(offsets) if not any(a < e and b > s for s, e in spans)]
    return float(p[rows, k].max())


@pytest.mark.parametrize(
    "text, source, cue, content",
    [
        ("The city's budget director, Maria Alvarez, said the shortfall would reach $12 million by June.",
         "Maria Alvarez", "said", "the shortfall would reach $12 million by June"),
        ("“Nobody told us the plant was closing,” a worker told the Associated Press on Friday.",
         "a worker", "told", "Nobody told us the plant was closing"),
    ],
)
def test_tagger_marks_source_cue_and_content(text, source, cue, content):
    """Every wordpiece of the source, the cue and the content is more likely inside its span
    than not, and nothing else in the sentence is taken for the cue."""
    offsets, p = probabilities(text)
    assert _inside(text, offsets, p, source, 1) > 0.5
    assert _inside(text, offsets, p, cue, 0) > 0.5
    assert _inside(text, offsets, p, content, 2) > 0.5
    assert _outside_max(text, offsets, p, [cue], 0) < 0.5


def test_a_sentence_without_attribution_has_no_cue():
    text = "The bridge over the Elm River reopened on Tuesday after two years of repairs."
    _, p = probabilities(text)
    assert p[:, 0].max() < 0.5


def test_corrupt_or_missing_tagger_file_is_an_error_naming_it_and_the_rebuild(tmp_path, monkeypatch):
    assert_damaged_model_is_named(tmp_path, monkeypatch, taggers, "TAGGER_DIR", taggers.span_tagger, "make tagger")


def test_a_corrupt_tagger_stops_a_whole_analysis_naming_it_though_models_load_on_a_second_thread(tmp_path, monkeypatch):
    """analyze_article loads the models on a second thread while spaCy parses; an error there must not be lost."""
    from sourcecheck.article import article_from_text
    from sourcecheck.pipeline import analyze_article

    folder = tmp_path / "attribution_tagger"
    shutil.copytree(taggers.TAGGER_DIR, folder)
    with open(folder / "model.onnx", "r+b") as f:
        f.seek(1000)
        f.write(b"\0" * 16)
    monkeypatch.setattr(taggers, "TAGGER_DIR", folder)
    taggers.span_tagger.cache_clear()
    try:
        with pytest.raises(EncoderError) as err:
            analyze_article(article_from_text("The mayor said the bridge would reopen on Tuesday."))
        assert "model.onnx" in str(err.value) and "make tagger" in str(err.value)
    finally:
        monkeypatch.undo()
        taggers.span_tagger.cache_clear()
    assert analyze_article(article_from_text("The mayor said the bridge would reopen on Tuesday.")).claims
