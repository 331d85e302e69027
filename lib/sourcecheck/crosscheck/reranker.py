"""The cross-encoder: reads a claim and a passage together and scores how likely the passage counters it.

all-MiniLM-L6-v2 fine-tuned on the train conflict set's candidate pairs
(``scripts/train_reranker.py``, training environment), exported to ONNX and run here in
onnxruntime (no torch). Input is ``[CLS] speaker: claim [SEP] passage [SEP]``, at most
``MAX_LENGTH`` wordpieces (the longer side is cut first), as in training.

It is too slow for every candidate pair (about 400 per article), so the judge asks it
only about the pairs its feature model ranks highest (``rerank_k`` in the judge file,
at most ``per_claim`` of one claim's; both chosen by cross-validation on train) and
combines both scores.

Files: ``data/crosscheck_reranker/{model.onnx, tokenizer.json, manifest.json}``; the
manifest pins each file's sha256, and a missing or changed file is an ``EncoderError``
naming it and ``make judge``.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..encoder import length_batches, onnx_session, thread_count, verify_files
from ..errors import EncoderError

RERANKER_DIR = Path(__file__).resolve().parent.parent / "data" / "crosscheck_reranker"
REBUILD = "rebuild it with `make judge` (training environment: `make train-env`)"
MAX_LENGTH = 96
BATCH = 8  # pairs per onnxruntime call: 32 cost +310 MB of activations, 8 +70 MB, at the same speed per pair


def pair_texts(view, pairs) -> tuple[list[str], list[str]]:
    """The two sides the cross-encoder reads, per pair (training writes the same, see ``train.rerank_rows``)."""
    left, right = [], []
    for ci, pi, _ in pairs:
        c = view.claims[ci].claim
        left.append(f"{c.speaker}: {c.text}" if c.speaker else c.text)
        right.append(view.passages[pi].span.text)
    return left, right


class Reranker:
    def __init__(self, folder: Optional[Path] = None, threads: Optional[int] = None, verify: bool = True):
        from tokenizers import Tokenizer

        folder = Path(folder or RERANKER_DIR)
        self.manifest = verify_files(folder, "cross-encoder", REBUILD) if verify else {}
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise EncoderError(f"{folder / 'tokenizer.json'}: cannot load the tokenizer ({exc}); {REBUILD}") from exc
        self.max_length = int(self.manifest.get("max_length", MAX_LENGTH))
        self.tokenizer.enable_truncation(self.max_length, strategy="longest_first")
        self.tokenizer.no_padding()
        self.pad = self.tokenizer.token_to_id("[PAD]")
        self.session = onnx_session(folder / "model.onnx", threads or thread_count(), REBUILD)
        self.wordpieces = 0

    def score(self, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
        """One logit per (left, right) pair: higher means the passage more likely counters the claim."""
        if len(left) != len(right):
            raise ValueError("score(left, right): the two sides differ in length")
        if not len(left):
            return np.zeros(0, dtype=np.float32)
        encs = self.tokenizer.encode_batch(list(zip(left, right)))
        out = np.zeros(len(encs), dtype=np.float32)
        for idx in length_batches([len(e.ids) for e in encs], BATCH):
            width = max(len(encs[i].ids) for i in idx)
            ids = np.full((len(idx), width), self.pad, dtype=np.int64)
            types = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                n = len(encs[i].ids)
                ids[r, :n] = encs[i].ids
                types[r, :n] = encs[i].type_ids
                mask[r, :n] = 1
            (logits,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
            self.wordpieces += int(mask.sum())
            out[idx] = logits.reshape(-1)
        return out


@functools.lru_cache(maxsize=2)
def get_reranker(folder: Optional[str] = None) -> Reranker:
    """The shipped cross-encoder, loaded and checked once per process."""
    return Reranker(Path(folder) if folder else None)
