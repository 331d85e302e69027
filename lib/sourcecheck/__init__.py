"""sourcecheck: a source-verification workbook for journalists.

Pipeline (one module per stage)::

    article -> nlp -> attribution -> speakers -> claims -> crosscheck
            -> quotes / timeline -> review (verdicts) -> report / exports

``sourcecheck.pipeline.analyze`` runs the stages and returns an ``Analysis``.
Nothing heavy happens at import time.
"""
__version__ = "0.1.0"
