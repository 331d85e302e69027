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


class FetchError(ArticleError):
    """An article's web address cannot be fetched or holds no article (``sourcecheck.fetch``).

    ``path`` is the address (never with a user name or password in it); ``kind`` names
    the case for code and tests: ``credentials``, ``invalid``, ``dns``, ``refused``,
    ``unreachable``, ``timeout``, ``not_found``, ``forbidden``, ``http``, ``not_html``,
    ``too_large``, ``no_text``, ``snapshot``.
    """

    def __init__(self, url, problem: str, hint: str = "", kind: str = "http"):
        self.kind = kind
        super().__init__(url, problem, hint)

    def __reduce__(self):  # picklable (a batch may carry it between processes)
        return (type(self), (self.path, self.problem, self.hint, self.kind))
