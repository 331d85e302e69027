"""The pipeline, top to bottom: one function a reader can follow.

    load article -> NLP parse -> attributions -> speakers & channels -> claims
                 -> cross-source relations & flags -> quote checks & timeline

``analyze`` returns an ``Analysis`` (plain data with offsets into the loaded
text); ``sourcecheck analyze`` writes it as JSON and the notebook displays it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from . import __version__
from . import constants as C
from .article import load_article
from .model import Analysis, Article
from .nlp import parse


def _batch_kernel() -> bool:
    """A batch worker's kernel: it runs one article, then exits, so models can be freed as soon as used."""
    return os.environ.get(C.RELEASE_MODELS_ENV) == "1"


def _load_models(entities_path, judge, batch: bool) -> None:
    """Load (into their per-process caches) the models and lists the stages after the parse read; a batch
    kernel, which frees each model once used, loads the sentence encoder and the cross-encoder only when needed."""
    from .attribution import load_models
    from .crosscheck.model import make_judge
    from .encoder import get_encoder
    from .speakers import load_registry

    load_models()
    load_registry(entities_path)
    if isinstance(judge, str) and judge.strip().endswith(".joblib"):
        return  # a training judge imports scikit-learn: the stage loads it
    made = make_judge(judge)
    if not batch:
        get_encoder()
        if hasattr(made, "load"):  # a pluggable judge may have no models to load
            made.load()


def load_ahead(entities_path=None, judge=None, batch: bool = False):
    """Start loading the models on a second thread, to run while spaCy loads and parses (two cores); join it
    before the stages after the parse.

    Only loading that needs no new import runs there (its modules are imported here first: two
    threads importing at once can deadlock). An error there is dropped: the stage that needs the
    model loads it again and raises it, naming the file."""
    import threading

    import onnxruntime  # noqa: F401  (the imports the loading would otherwise make)
    import pycrfsuite  # noqa: F401
    import tokenizers  # noqa: F401
    import yaml  # noqa: F401

    from . import attribution, speakers  # noqa: F401
    from .crosscheck import model, reranker  # noqa: F401

    def run():
        try:
            _load_models(entities_path, judge, batch)
        except Exception:  # noqa: BLE001 (the stage that needs the model raises it, naming the file)
            pass

    thread = threading.Thread(target=run, name="sourcecheck-models", daemon=True)
    thread.start()
    return thread


def claim_stages(article: Article, *, entities_path: Optional[str | Path] = None, nlp=None, loading=None):
    """Parse, attributions, speakers and claims: ``(doc, attributions, resolution, claims)``.

    ``loading``: the thread :func:`load_ahead` started, joined once the parse is done."""
    from .attribution import extract_attributions
    from .claims import build_claims
    from .speakers import load_registry, resolve_speakers

    doc = parse(article.text, nlp)
    if loading is not None:
        loading.join()
    attributions = extract_attributions(doc)
    if _batch_kernel():
        from .attribution import release_models

        release_models()
    resolution = resolve_speakers(article, doc, attributions, load_registry(entities_path))
    return doc, attributions, resolution, build_claims(article, doc, attributions, resolution)


def analyze_article(
    article: Article,
    *,
    entities_path: Optional[str | Path] = None,
    documents_dir: Optional[str | Path] = None,
    judge: Optional[str] = None,
    nlp=None,
) -> Analysis:
    """Run every stage on an already loaded article."""
    from .crosscheck import check_claims

    loading = load_ahead(entities_path, judge, _batch_kernel())
    doc, attributions, resolution, claims = claim_stages(article, entities_path=entities_path, nlp=nlp, loading=loading)
    relations, flags = check_claims(article, doc, claims, judge=judge, release_encoder=_batch_kernel())
    analysis = Analysis(
        article=article,
        attributions=attributions,
        speakers=resolution.speakers,
        claims=claims,
        relations=relations,
        flags=flags,
        version=__version__,
    )
    _primary_documents(analysis, doc, documents_dir)
    return analysis.validate()


def _primary_documents(analysis: Analysis, doc, documents_dir) -> None:
    """Quote checks against primary documents and the timeline (added to ``analysis.extras``)."""
    from .quotes import check_quotes
    from .timeline import resolve_times

    check_quotes(analysis, documents_dir)
    resolve_times(analysis, doc)


def analyze(
    path: str | Path,
    published: Optional[str] = None,
    *,
    entities_path: Optional[str | Path] = None,
    documents_dir: Optional[str | Path] = None,
    judge: Optional[str] = None,
    snapshot_dir: Optional[str | Path] = None,
    refresh: bool = False,
) -> Analysis:
    """Load ``path`` and analyse it. Raises ``sourcecheck.errors.SourcecheckError`` subclasses on bad input.

    ``path`` may be an http(s) address: the page is read from the snapshot in ``snapshot_dir``
    (required then), fetched when there is none yet or ``refresh`` is set (``sourcecheck.fetch``).
    """
    from .fetch import is_url, load_url

    if is_url(path):
        if snapshot_dir is None:
            raise TypeError("analyze(address): give snapshot_dir, the folder that keeps the page's snapshot")
        article = load_url(path, snapshot_dir, published=published, refresh=refresh)
    else:
        article = load_article(path, published=published)
    return analyze_article(article, entities_path=entities_path, documents_dir=documents_dir, judge=judge)
