"""The one place the pretrained encoder runs: all-MiniLM-L6-v2 in onnxruntime, no torch.

    enc = get_encoder()                       # loaded once per process, files checked
    enc.embed(["a sentence", ...])            # (n, 384) float32, mean-pooled, unit length
    enc.token_vectors(text)                   # wordpiece offsets into text + (n, 384) vectors
    enc.doc_vectors(doc)                      # (len(doc), 384): one vector per spaCy token

Files live in ``sourcecheck/data/encoder/`` (``model.onnx``, ``tokenizer.json``) and
``manifest.json`` pins the sha256 of each; a missing or changed file raises
:class:`~sourcecheck.errors.EncoderError` naming it and the rebuild command. There is
no fallback to another method.

* **Offsets.** The tokenizer (Hugging Face ``tokenizers``, the model's own
  ``tokenizer.json``) reports character offsets into the text it was given; the
  text is never changed, so ``text[start:end]`` is the wordpiece's surface form
  (curly quotes, ``''``, no-break spaces included).
* **Long texts.** ``token_vectors`` runs windows of ``WINDOW`` wordpieces that
  overlap by ``OVERLAP``; each wordpiece takes its vector from the window in which
  it sits furthest from an edge (ties: the earlier window), so the merge is
  deterministic and every vector has at least ``OVERLAP // 2`` wordpieces of
  context on each side where the text allows.
* **Batches** are sorted by length and padded per batch.
* **Threads**: ``SOURCECHECK_ENCODER_THREADS`` if set, else the cores this
  process may use (``os.sched_getaffinity``).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Sequence

import numpy as np

from .errors import EncoderError

ENCODER_DIR = Path(__file__).resolve().parent / "data" / "encoder"
REBUILD = "rebuild it with `make encoder` (training environment: `make train-env`)"
WINDOW = 256          # wordpieces per window, [CLS] and [SEP] included (the model was trained at 256)
OVERLAP = 64          # wordpieces shared by neighbouring windows
BATCH = 8             # sequences per onnxruntime call: the fp16 graph's activations grow faster than
                      # the batch (32 x 128 wordpieces: +900 MB, 8: +140 MB) and per sequence 8 is no slower
BATCH_WORDPIECES = 1024  # and at most this many padded wordpieces per call (8 x 256: +700 MB, 4 x 256: +150)
MAX_SENTENCE = 256    # longer passages are embedded from their first 254 wordpieces
THREADS_ENV = "SOURCECHECK_ENCODER_THREADS"


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in blocks (the one hash every shipped model file is pinned by)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_files(folder: Path = ENCODER_DIR, what: str = "encoder", rebuild: str = REBUILD) -> dict:
    """Check every file the manifest names against its sha256; return the manifest."""
    mpath = folder / "manifest.json"
    if not mpath.is_file():
        raise EncoderError(f"{mpath}: the {what} manifest is missing; {rebuild}")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (ValueError, KeyError) as exc:
        raise EncoderError(f"{mpath}: not a valid {what} manifest ({exc}); {rebuild}") from exc
    for name, meta in files.items():
        p = folder / name
        if not p.is_file():
            raise EncoderError(f"{p}: {what} file is missing; {rebuild}")
        got = file_sha256(p)
        if got != meta["sha256"]:
            raise EncoderError(f"{p}: {what} file is corrupt or changed (sha256 {got[:12]}…, manifest says "
                               f"{meta['sha256'][:12]}…); {rebuild}")
    return manifest


def thread_count() -> int:
    env = os.environ.get(THREADS_ENV, "").strip()
    if env:
        try:
            n = int(env)
        except ValueError:
            raise EncoderError(f"{THREADS_ENV}={env!r} is not a whole number of threads") from None
        if n < 1:
            raise EncoderError(f"{THREADS_ENV}={env!r}: give at least 1 thread")
        return n
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class TokenVectors:
    """Wordpieces of one text: ``offsets[i] = (start, end)`` into it, ``vectors[i]`` their encoder output."""
    offsets: np.ndarray   # (n, 2) int
    vectors: np.ndarray   # (n, hidden) float32


def onnx_session(model_path: Path, threads: int, rebuild: str):
    """An onnxruntime CPU session for one of the shipped models; a bad file raises ``EncoderError`` naming it.

    The CPU memory arena is off: it keeps the largest batch's activations for the life of
    the process, and with three models in a kernel that cost about 100 MB per batch worker
    at no measured speed gain (``bench/bench.py --batch``).
    """
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    try:
        return ort.InferenceSession(str(model_path), sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf types
        raise EncoderError(f"{model_path}: cannot load the ONNX model ({exc}); {rebuild}") from exc


def length_batches(lengths: Sequence[int], rows: int, wordpieces: int = BATCH_WORDPIECES) -> Iterator[list[int]]:
    """Indices in order of length, cut into calls of at most ``rows`` sequences and ``wordpieces``
    padded wordpieces (rows x the longest), so a few long passages never share one large call."""
    batch: list[int] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        if batch and (len(batch) == rows or (len(batch) + 1) * lengths[i] > wordpieces):
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


class Encoder:
    def __init__(self, model_path: Optional[Path] = None, tokenizer_path: Optional[Path] = None,
                 threads: Optional[int] = None, verify: bool = True):
        from tokenizers import Tokenizer

        model_path = Path(model_path or ENCODER_DIR / "model.onnx")
        tokenizer_path = Path(tokenizer_path or ENCODER_DIR / "tokenizer.json")
        self.manifest = verify_files(model_path.parent) if verify else {}
        try:
            self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            raise EncoderError(f"{tokenizer_path}: cannot load the tokenizer ({exc}); {REBUILD}") from exc
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.cls = self.tokenizer.token_to_id("[CLS]")
        self.sep = self.tokenizer.token_to_id("[SEP]")
        self.pad = self.tokenizer.token_to_id("[PAD]")
        self.threads = threads or thread_count()
        self.session = onnx_session(model_path, self.threads, REBUILD)
        self.hidden = int(self.manifest.get("hidden_size", 384))
        self.wordpieces = 0   # running count, for benchmarks
        self.batch = BATCH    # sequences per call: fewer keeps onnxruntime's activation arena small

    # ------------------------------------------------------------------ tokenizing
    def tokenize(self, text: str) -> tuple[list[int], np.ndarray]:
        """Wordpiece ids (no [CLS]/[SEP]) and their (start, end) character offsets into ``text``."""
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
        return list(enc.ids), offsets

    # ------------------------------------------------------------------ running the model
    def _run(self, seqs: Sequence[list[int]], types: Optional[Sequence[list[int]]] = None) -> list[np.ndarray]:
        """Hidden states for each id sequence ([CLS]/[SEP] already added), batched by length;
        ``types`` gives each sequence's token types (else all 0)."""
        out: list[Optional[np.ndarray]] = [None] * len(seqs)
        for idx in length_batches([len(s) for s in seqs], self.batch):
            width = max(len(seqs[i]) for i in idx)
            ids = np.full((len(idx), width), self.pad, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            kind = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                ids[r, :len(seqs[i])] = seqs[i]
                mask[r, :len(seqs[i])] = 1
                if types is not None:
                    kind[r, :len(seqs[i])] = types[i]
            (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": kind})
            self.wordpieces += int(mask.sum())
            for r, i in enumerate(idx):
                out[i] = hidden[r, :len(seqs[i])]
        return out  # type: ignore[return-value]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled ([CLS] and [SEP] included, as sentence-transformers does), unit-length embeddings."""
        if not len(texts):
            return np.zeros((0, self.hidden), dtype=np.float32)
        row_of: dict[str, int] = {}
        for t in texts:  # a text given twice (a claim that is a whole sentence) is run once
            row_of.setdefault(t, len(row_of))
        seqs = []
        for t in row_of:
            ids, _ = self.tokenize(t)
            seqs.append([self.cls, *ids[:MAX_SENTENCE - 2], self.sep])
        pooled = np.stack([h.mean(0) for h in self._run(seqs)]).astype(np.float32)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit = pooled / np.maximum(norms, 1e-12)
        return unit[[row_of[t] for t in texts]]

    def windows(self, n: int) -> list[tuple[int, int]]:
        """Wordpiece ranges [a, b) of the windows covering n wordpieces."""
        size = WINDOW - 2
        if n <= size:
            return [(0, n)]
        step = size - OVERLAP
        starts = list(range(0, n - size, step)) + [n - size]
        return [(a, a + size) for a in starts]

    def token_vectors(self, text: str) -> TokenVectors:
        """One vector per wordpiece of ``text``, from overlapping windows merged by centrality."""
        ids, offsets = self.tokenize(text)
        n = len(ids)
        vecs = np.zeros((n, self.hidden), dtype=np.float32)
        if n == 0:
            return TokenVectors(offsets, vecs)
        wins = self.windows(n)
        hidden = self._run([[self.cls, *ids[a:b], self.sep] for a, b in wins])
        best = np.full(n, -1, dtype=np.int64)
        for w, (a, b) in enumerate(wins):
            pos = np.arange(a, b)
            left = pos - a if a > 0 else np.full(len(pos), n)        # no edge at the text's start
            right = b - 1 - pos if b < n else np.full(len(pos), n)   # nor at its end
            margin = np.minimum(left, right)
            if w == 0:
                take = np.ones(len(pos), dtype=bool)
            else:
                take = margin > best[a:b]
            vecs[a:b][take] = hidden[w][1:-1][take]
            best[a:b][take] = margin[take]
        return TokenVectors(offsets, vecs)

    def doc_vectors(self, doc) -> np.ndarray:
        """(len(doc), hidden): each spaCy token gets the mean of the wordpieces overlapping it (zeros for spaces)."""
        tv = self.token_vectors(doc.text)
        return pool_to_tokens(tv.offsets, tv.vectors, [t.idx for t in doc], [t.idx + len(t.text) for t in doc])


def pool_to_tokens(offsets: np.ndarray, vectors: np.ndarray, starts, ends) -> np.ndarray:
    """(len(starts), width): for each token [start, end) the mean of the wordpiece rows
    overlapping it, zeros where none does (whitespace)."""
    out = np.zeros((len(starts), vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float32)
    if not len(offsets) or not len(starts):
        return out
    lo = np.searchsorted(offsets[:, 1], np.asarray(starts), side="right")
    hi = np.searchsorted(offsets[:, 0], np.asarray(ends), side="left")
    for i in np.nonzero(hi > lo)[0]:
        out[i] = vectors[lo[i]:hi[i]].mean(0)
    return out


@functools.lru_cache(maxsize=1)
def get_encoder() -> Encoder:
    """The shipped encoder, loaded and checked once per process."""
    return Encoder()
