"""The notebook's entry point: turn the parameters cell into an ``Analysis``.

Empty-string parameters mean "use the default" (papermill and the parameters cell
only carry plain values). Relative paths are taken from the notebook's folder
(JupyterLab's working directory) exactly as written. An ``article_path`` that is
an http(s) address is read from the snapshot in the output folder, fetched when
there is none yet or ``refresh`` is true (``sourcecheck.fetch``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .fetch import check_url, is_url, url_slug
from .model import Analysis
from .pipeline import analyze
from .runner import project_root


@dataclass
class WorkbookPaths:
    article_path: str  # the file as given, or the web address
    output_dir: Path
    verdicts_db: Path


def _opt(value) -> Optional[str]:
    value = "" if value is None else str(value).strip()
    return value or None


def open_analysis(
    article_path: str,
    published: str = "",
    output_dir: str = "",
    verdicts_db: str = "",
    entities_path: str = "",
    documents_dir: str = "",
    judge: str = "",
    refresh: bool = False,
) -> tuple[Analysis, WorkbookPaths]:
    """Analyse the article named in the parameters cell; return the analysis and where outputs go."""
    options = dict(entities_path=_opt(entities_path), documents_dir=_opt(documents_dir), judge=_opt(judge))
    if is_url(str(article_path).strip()):
        url = check_url(article_path)
        out = Path(_opt(output_dir) or project_root() / "outputs" / url_slug(url))
        analysis = analyze(url, published=_opt(published), snapshot_dir=out, refresh=bool(refresh), **options)
        article_path = url
    else:
        analysis = analyze(Path(article_path), published=_opt(published), **options)
        out = Path(_opt(output_dir) or project_root() / "outputs" / analysis.article.slug)
    db = Path(_opt(verdicts_db) or project_root() / "outputs" / "verdicts.sqlite")
    return analysis, WorkbookPaths(str(article_path), out, db)
