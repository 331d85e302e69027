"""The encoder runtime (sourcecheck.encoder): shipped ONNX model, offsets, windows, pinned files, no torch."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sourcecheck.encoder import ENCODER_DIR, OVERLAP, WINDOW, Encoder, get_encoder, thread_count
from sourcecheck.errors import EncoderError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def enc():
    return get_encoder()


def test_shipped_model_matches_the_reference_implementation(enc):
    """Embeddings made by sentence-transformers itself (training env) vs ours from the shipped ONNX file."""
    ref = json.loads((FIXTURES / "encoder_reference.json").read_text(encoding="utf-8"))
    assert ref["made_by"].startswith("sentence-transformers")
    ours = enc.embed(ref["sentences"])
    theirs = np.asarray(ref["embeddings"], dtype=np.float32)
    cos = (ours * theirs).sum(1) / np.linalg.norm(theirs, axis=1)
    assert cos.min() > 1 - 1e-4, cos.min()
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_score_above_unrelated_ones(enc):
    a, b, c = enc.embed(["Russian troops have surrounded the Ukrainian soldiers.",
                         "Ukrainian forces are encircled by the Russian army.",
                         "The city council approved a new budget for schools."])
    assert a @ b > a @ c + 0.2


def test_a_text_given_twice_is_run_once_with_the_same_embedding(enc):
    texts = ["The talks are over.", "No date was set for a new round.", "The talks are over."]
    start = enc.wordpieces
    twice = enc.embed(texts)
    mid = enc.wordpieces
    once = enc.embed(texts[:2])
    assert twice.shape == (3, enc.hidden) and np.array_equal(twice[0], twice[2])
    assert np.allclose(twice[:2], once, atol=1e-6)
    assert mid - start == enc.wordpieces - mid  # the repeated sentence cost nothing


def test_long_passages_are_run_in_small_calls_with_the_same_embeddings(enc):
    """A few very long passages among short ones never share one large call (memory), and batching
    changes no embedding."""
    from sourcecheck.encoder import BATCH_WORDPIECES, length_batches

    lengths = [12, 250, 30, 256, 256, 9, 254, 40, 255, 31, 12, 200, 256, 7] * 3
    calls = list(length_batches(lengths, rows=8))
    assert sorted(i for c in calls for i in c) == list(range(len(lengths)))
    assert all(len(c) <= 8 and len(c) * max(lengths[i] for i in c) <= BATCH_WORDPIECES for c in calls)
    assert [lengths[i] for c in calls for i in c] == sorted(lengths)
    assert list(length_batches([300], rows=8)) == [[0]]  # one sequence over the budget still runs, alone

    long = " ".join(["The committee heard testimony from officials about the budget, the schedule and the"] * 12)
    texts = [long, "Short one.", long + " Again.", "Another short sentence here.", long + " And once more."]
    together = enc.embed(texts)
    alone = np.stack([enc.embed([t])[0] for t in texts])
    assert (together * alone).sum(1).min() > 1 - 1e-5  # fp16 weights: padding moves the fifth decimal


@pytest.mark.parametrize("text", [
    "He said “we will not accept it” on Friday.",
    "''This is wrong,'' she said, adding that ''nobody''\u00a0agreed.",
    "The\u00a0senator\u00a0called it ‘total disaster’ — twice.",
    "Café owners in Kyiv ALL-CAPS TEXT; naïve résumé.",
    "Tabs\tand\n\nnew lines  and   spaces.",
])
def test_offsets_round_trip_onto_the_text(enc, text):
    ids, offsets = enc.tokenize(text)
    assert len(ids) == len(offsets) > 0
    covered = "".join(text[s:e] for s, e in offsets)
    # every non-space character is covered exactly once, in order, and nothing else
    assert covered == "".join(ch for ch in text if not ch.isspace())
    for s, e in offsets:
        assert 0 <= s < e <= len(text)
        assert text[s:e].strip() == text[s:e]


def test_tokenizing_leaves_the_text_unchanged(enc):
    text = "''Quote'' and “curly” and\u00a0nbsp"
    before = str(text)
    enc.token_vectors(text)
    assert text == before


def test_long_text_windows_agree_in_the_overlap_and_merge_deterministically(enc):
    words = ("The committee met on Thursday to discuss the budget, and the chairman said the vote "
             "would be delayed until the spring because several members were still undecided. ").split()
    text = " ".join(words * 40)
    ids, _ = enc.tokenize(text)
    wins = enc.windows(len(ids))
    assert len(wins) >= 3
    assert wins[0][0] == 0 and wins[-1][1] == len(ids)
    for (a1, b1), (a2, b2) in zip(wins, wins[1:]):
        assert b1 - a2 >= OVERLAP  # neighbouring windows share at least OVERLAP wordpieces
        assert b1 - a1 <= WINDOW - 2
    tv1, tv2 = enc.token_vectors(text), enc.token_vectors(text)
    assert np.array_equal(tv1.vectors, tv2.vectors)
    # the two windows' own vectors for the shared wordpieces describe the same tokens:
    # far closer to each other than to their neighbours
    (a1, b1), (a2, b2) = wins[0], wins[1]
    h1, h2 = enc._run([[enc.cls, *ids[a1:b1], enc.sep], [enc.cls, *ids[a2:b2], enc.sep]])
    v1 = np.stack([h1[1 + i - a1] for i in range(a2, b1)])
    v2 = np.stack([h2[1 + i - a2] for i in range(a2, b1)])
    unit = lambda v: v / np.linalg.norm(v, axis=1, keepdims=True)
    same = (unit(v1) * unit(v2)).sum(1)
    neighbour = (unit(v1[1:]) * unit(v2[:-1])).sum(1)
    assert same.mean() > neighbour.mean() + 0.3
    # each shared wordpiece takes the vector of the window where it is most central
    early, late = a2 + 2, b1 - 3
    assert np.array_equal(tv1.vectors[early], h1[1 + early - a1])
    assert np.array_equal(tv1.vectors[late], h2[1 + late - a2])
    # and a wordpiece's vector depends only on its window: text added at the end leaves the start unchanged
    longer = enc.token_vectors(text + " " + " ".join(words * 3))
    keep = wins[-1][0]  # before the last (end-aligned) window of the shorter text
    assert np.array_equal(longer.vectors[:keep], tv1.vectors[:keep])
    # a text within one window is encoded in one pass: same as its own window
    short = "A short sentence about the budget."
    sid, _ = enc.tokenize(short)
    (hs,) = enc._run([[enc.cls, *sid, enc.sep]])
    assert np.allclose(enc.token_vectors(short).vectors, hs[1:-1])


def test_spacy_tokens_get_their_wordpieces(enc, nlp):
    doc = nlp("Peskov said the ceasefire was ''unacceptable''\u00a0for Moscow.")
    vecs = enc.doc_vectors(doc)
    assert vecs.shape == (len(doc), 384)
    for t in doc:
        assert (np.abs(vecs[t.i]).sum() > 0) == bool(t.text.strip()), t.text


def _copy_encoder(tmp_path: Path) -> Path:
    dest = tmp_path / "encoder"
    shutil.copytree(ENCODER_DIR, dest)
    return dest


def test_a_corrupt_model_file_is_a_named_error(tmp_path):
    folder = _copy_encoder(tmp_path)
    with open(folder / "model.onnx", "r+b") as f:
        f.seek(1000)
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(EncoderError, match=r"model\.onnx.*corrupt.*make encoder"):
        Encoder(model_path=folder / "model.onnx", tokenizer_path=folder / "tokenizer.json")


def test_a_missing_tokenizer_is_a_named_error(tmp_path):
    folder = _copy_encoder(tmp_path)
    (folder / "tokenizer.json").unlink()
    with pytest.raises(EncoderError, match=r"tokenizer\.json.*missing"):
        Encoder(model_path=folder / "model.onnx", tokenizer_path=folder / "tokenizer.json")


def test_thread_count_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SOURCECHECK_ENCODER_THREADS", "1")
    assert thread_count() == 1
    monkeypatch.setenv("SOURCECHECK_ENCODER_THREADS", "many")
    with pytest.raises(EncoderError, match="SOURCECHECK_ENCODER_THREADS"):
        thread_count()
    monkeypatch.delenv("SOURCECHECK_ENCODER_THREADS")
    assert thread_count() >= 1


def test_the_default_environment_has_no_torch():
    """The default install runs models in onnxruntime; torch must not even be importable."""
    proc = subprocess.run([sys.executable, "-c", "import sourcecheck.encoder as e; e.get_encoder().embed(['x']);"
                           "import importlib.util, sys; print(importlib.util.find_spec('torch') is None, 'torch' in sys.modules)"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "False"]
