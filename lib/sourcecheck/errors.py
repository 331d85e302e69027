"""The project's exception hierarchy.

The package raises these; the CLI (``sourcecheck.cli``) and the notebook layer
translate them into one readable line. Every message says what went wrong, with
which file, and what to do about it.
"""
from __future__ import annotations


class SourcecheckError(Exception):
    """Base class for every error sourcecheck raises on purpose."""


class ArticleError(SourcecheckError):
    """An article file cannot be loaded (missing, empty, binary, too large...)."""

    def __init__(self, path, problem: str, hint: str = ""):
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        msg = f"{self.path}: {problem}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


class MetadataError(ArticleError):
    """Front matter or a metadata sidecar is malformed."""


class InvariantError(SourcecheckError):
    """A result broke one of the data model's invariants (a bug, not bad input)."""


class ModelNotInstalledError(SourcecheckError):
    """The spaCy pipeline (or an optional model) is not installed."""


class NotebookRunError(SourcecheckError):
    """A papermill run of a notebook failed."""


class EvaluationError(SourcecheckError):
    """A gold file for ``sourcecheck evaluate`` cannot be read."""


class ReviewStoreError(SourcecheckError):
    """The verdict store (SQLite) cannot be opened or written."""


class PrimaryDocumentError(SourcecheckError):
    """A primary document (or its metadata) cannot be read."""


class EncoderError(SourcecheckError):
    """A shipped model file (encoder, judge) is missing, corrupt or unloadable."""
