"""The training script rebuilds all three attribution models from PolNeAR-format data,
and the extractor runs on what it writes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sourcecheck import attribution as A
from sourcecheck.nlp import parse

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_attribution.py"


def _tiny_train_file(path: Path) -> Path:
    """Eight short articles in PolNeAR's JSONL shape, annotated by hand."""
    rows = []
    sentences = [
        ("Mayor Jane Smith said that taxes will rise.", "Mayor Jane Smith", "said", "taxes will rise"),
        ("“We are ready,” the minister said.", "the minister", "said", "We are ready"),
        ("Officials denied that any money had changed hands.", "Officials", "denied", "any money had changed hands"),
        ("Trump told reporters that the wall would be built.", "Trump", "told", "the wall would be built"),
    ]
    for k in range(8):
        text, attrs = "", []
        for sent, src, cue, con in sentences[k % 4:] + sentences[: k % 4]:
            base = len(text)
            text += sent + " The weather was mild that day.\n\n"
            span = lambda frag: [base + sent.index(frag), base + sent.index(frag) + len(frag)]  # noqa: E731
            attrs.append({"source": [span(src)], "cue": [span(cue)], "content": [span(con)]})
        rows.append({"id": f"tiny-{k}", "text": text, "attributions": attrs})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_training_script_writes_models_the_extractor_can_use(tmp_path, monkeypatch, nlp):
    train = _tiny_train_file(tmp_path / "train.jsonl")
    out = tmp_path / "models"
    out.mkdir()
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(train), "--out-dir", str(out), "--no-tagger"],
        capture_output=True, text=True, timeout=280,
    )
    assert proc.returncode == 0, proc.stderr
    for name in (A.CUE_MODEL.name, A.ROLE_MODEL.name, A.RANK_MODEL.name):
        assert (out / name).stat().st_size > 0, name
    assert "ranker examples built" in proc.stdout
    # the models it wrote find the attribution they were taught
    monkeypatch.setattr(A, "CUE_MODEL", out / A.CUE_MODEL.name)
    monkeypatch.setattr(A, "ROLE_MODEL", out / A.ROLE_MODEL.name)
    monkeypatch.setattr(A, "RANK_MODEL", out / A.RANK_MODEL.name)
    text = "Governor Ann Lee said that taxes will rise."
    got = [(a.source_text, a.cue_text) for a in A.extract_attributions(parse(text, nlp), threshold=0.0)]
    assert ("Governor Ann Lee", "said") in got, got


def test_training_script_rejects_a_docbin_of_other_texts(tmp_path, nlp):
    from spacy.tokens import DocBin

    train = _tiny_train_file(tmp_path / "train.jsonl")
    db = DocBin(docs=[nlp("Some other text entirely.")] * 8)
    db.to_disk(tmp_path / "other.spacy")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(train), "--docbin", str(tmp_path / "other.spacy"), "--out-dir", str(tmp_path),
         "--no-tagger"],
        capture_output=True, text=True, timeout=280,
    )
    assert proc.returncode != 0
    assert "other.spacy" in proc.stderr and "do not match" in proc.stderr


def test_heldout_script_scores_articles_the_models_did_not_see(tmp_path):
    """The held-out command trains on the first articles and scores only the rest (the tiny
    file's last two articles reuse the sentences the first six teach)."""
    train = _tiny_train_file(tmp_path / "train.jsonl")
    held_ids = [json.loads(line)["id"] for line in train.read_text().splitlines()[6:]]
    # a baseline that found nothing in the held-out articles: the run must come out better
    empty = tmp_path / "empty.jsonl"
    empty.write_text("".join(json.dumps({"id": i, "attributions": []}) + "\n" for i in held_ids), encoding="utf-8")
    out, pred = tmp_path / "heldout.json", tmp_path / "pred.jsonl"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "heldout_attribution.py"), str(train), "--split", "6", "--no-tagger", "--no-roles", "--json", str(out),
         "--predictions", str(pred), "--baseline", str(empty)],
        capture_output=True, text=True, timeout=280,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert result["articles"] == 2 and result["gold"].endswith("[6:]")
    assert result["attributions_gold"] == 8
    assert result["metrics"]["relaxed"]["overall"]["f1"] > 0.5, result["metrics"]["relaxed"]
    assert "ranker examples built" in proc.stdout and "relaxed" in proc.stdout
    assert [json.loads(line)["id"] for line in pred.read_text().splitlines()] == held_ids
    assert result["baseline"]["differences"]["relaxed F1"]["difference"] == result["metrics"]["relaxed"]["overall"]["f1"]
    assert "compared with" in proc.stdout


def test_heldout_script_rejects_a_split_that_leaves_nothing(tmp_path):
    train = _tiny_train_file(tmp_path / "train.jsonl")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "heldout_attribution.py"), str(train), "--split", "8", "--no-tagger", "--no-roles"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0
    assert "train.jsonl" in proc.stderr and "--split 8" in proc.stderr


def test_training_script_needs_tagger_probabilities_for_every_article(tmp_path):
    """The CRFs learn from span-tagger probabilities made out of fold; a file that lacks an
    article, or holds another file's, stops the training with the file's name."""
    import numpy as np

    train = _tiny_train_file(tmp_path / "train.jsonl")
    probs = tmp_path / "oof.npz"
    off, p = np.array([[0, 5]], dtype=np.int32), np.zeros((1, 3), dtype=np.float16)
    np.savez(probs, ids=np.array(["tiny-0"]), index=np.array([0]), off_0=off, p_0=p)
    proc = subprocess.run([sys.executable, str(SCRIPT), str(train), "--out-dir", str(tmp_path), "--tagger-probs", str(probs)],
                          capture_output=True, text=True, timeout=280)
    assert proc.returncode != 0
    assert "oof.npz" in proc.stderr and "no span-tagger probabilities" in proc.stderr
    np.savez(probs, ids=np.array(["another-article"]), index=np.array([0]), off_0=off, p_0=p)
    proc = subprocess.run([sys.executable, str(SCRIPT), str(train), "--out-dir", str(tmp_path), "--tagger-probs", str(probs)],
                          capture_output=True, text=True, timeout=280)
    assert proc.returncode != 0
    assert "oof.npz" in proc.stderr and "another-article" in proc.stderr
    # neither --tagger-probs nor --no-tagger: the choice is not made silently
    proc = subprocess.run([sys.executable, str(SCRIPT), str(train), "--out-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=280)
    assert proc.returncode != 0 and "--tagger-probs" in proc.stderr


def test_a_space_token_inside_a_gold_span_is_labelled_with_the_span(nlp):
    """spaCy makes a no-break space a token of its own: inside a gold source or content it is
    part of that span for the role CRF (labelled "O" it taught the CRF to break sources there:
    "Sen.\u00a0Sanders" read as "Sanders"); one outside every span stays "O"."""
    text = "Sen.\u00a0Bernie Sanders said that the bill would\u00a0fail. The vote is\u00a0on Tuesday."
    span = lambda part: [[text.index(part), text.index(part) + len(part)]]  # noqa: E731
    attr = {"source": span("Sen.\u00a0Bernie Sanders"), "cue": span("said"), "content": span("the bill would\u00a0fail")}
    doc = parse(text, nlp)
    _, role_seqs = A.training_sequences(doc, [attr])
    ((_, labels),) = role_seqs
    spaces = [t.i for t in doc if t.is_space]
    assert len(spaces) == 3  # the parse shape this is about
    start = A.taggers.cue_window(A.taggers.read_doc(doc), [t.i for t in doc if t.text == "said"][0])[0]
    got = {doc[i].nbor(-1).text: labels[i - start] for i in spaces if i - start < len(labels)}
    assert got["Sen."] == "S" and got["would"] == "C"
    assert got.get("is", "O") == "O"
