"""Run the verification notebook on one article with papermill and export the report.

``run_article`` loads the article first (a bad file fails fast with a clear
``ArticleError``; an http(s) address is fetched, or read back from the snapshot
kept in the output folder, before anything else is written), executes ``notebooks/verify_article.ipynb`` in the project's own
kernel (the Python running this code), then exports ``report.html`` without code.
A failed notebook leaves ``verify_article.ipynb`` (with the error cell) and
``FAILED.txt`` in the output folder, and no ``report.html``: nothing that looks
complete.
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from .article import load_article
from .errors import NotebookRunError, SourcecheckError

NOTEBOOK_NAME = "verify_article.ipynb"
REPORT_NAME = "report.html"
FAILED_NAME = "FAILED.txt"
#: Files the notebook must write beside the report; a run missing one is a failed run.
EXPORTS = ("claims.csv", "claims.json", "analysis.json", "flags.csv", "claimreview.jsonld")


def project_root() -> Path:
    """The checkout holding ``notebooks/`` (the package is installed from ``lib/``)."""
    env = os.environ.get("SOURCECHECK_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2]


def notebooks_dir() -> Path:
    d = project_root() / "notebooks"
    if not (d / NOTEBOOK_NAME).exists():
        raise SourcecheckError(
            f"{d / NOTEBOOK_NAME}: notebook not found (set SOURCECHECK_HOME to the sourcecheck checkout)"
        )
    return d


def default_outputs() -> Path:
    return Path(os.environ.get("SOURCECHECK_OUTPUTS", Path.cwd() / "outputs"))


@dataclass
class RunResult:
    article_path: str
    slug: str
    out_dir: str
    notebook_path: str
    report_path: str
    claims_csv: str
    claims_json: str
    analysis_json: str
    flags_csv: str
    claimreview_jsonld: str
    seconds: float
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


#: How many times a notebook is started when its kernel dies or never answers (not when a cell fails).
KERNEL_ATTEMPTS = 2


def _kernel_name() -> str:
    """The kernel spec that runs this very interpreter (ipykernel's native ``python3``)."""
    return "python3"


def import_papermill():
    """``papermill``, without the 0.8 s that importing an IRI checker it never uses costs.

    papermill imports nbformat, which imports jsonschema, which imports ``rfc3987_syntax`` when it is
    installed (it is: jupyter-events asks for ``jsonschema[format-nongpl]``) to check the "iri" string
    format. That module compiles an Earley grammar on import: 0.83 s of the 1.1 s that importing
    papermill took on 2 cores (``python -X importtime``, 2026-12-07; python-jsonschema/jsonschema#1392).
    Notebook validation never checks that format, so this process goes without it: jsonschema treats
    the module as optional and leaves the format unchecked when the import fails. Only this process is
    affected (the notebook's kernel never imports jsonschema), and only when jsonschema is not already
    imported.
    """
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # a None entry makes the import fail at once
    import papermill

    return papermill


def run_article(
    article_path: str | Path,
    out_dir: Optional[str | Path] = None,
    published: Optional[str] = None,
    verdicts_db: Optional[str | Path] = None,
    quiet: bool = False,
    parameters: Optional[dict] = None,
    notebook: Optional[str | Path] = None,
    refresh: bool = False,
) -> RunResult:
    """Execute the notebook for one article (a file or an http(s) address); return where everything was written.

    An address is fetched here, into the snapshot beside the report, when the output folder
    has none yet or ``refresh`` is set; the notebook then reads that snapshot.
    """
    pm = import_papermill()

    from .fetch import check_url, is_url, load_url, url_slug
    from . import report as _report

    started = time.perf_counter()
    if is_url(article_path):
        article_path = check_url(article_path)
        out = (Path(out_dir) if out_dir else default_outputs() / url_slug(article_path)).resolve()
        article = load_url(article_path, out, published=published, refresh=refresh)  # fail fast, before writing
        name = article_path
    else:
        article_path = Path(article_path).resolve()
        article = load_article(article_path, published=published)  # fail fast, with the file's name
        out = (Path(out_dir) if out_dir else default_outputs() / article.slug).resolve()
        name = article_path.name
    out.mkdir(parents=True, exist_ok=True)
    report = out / REPORT_NAME
    failed = out / FAILED_NAME
    executed = out / NOTEBOOK_NAME
    # A previous run's report and exports must not survive (or pass for) a failed re-run.
    for stale in (report, failed, *(out / n for n in EXPORTS)):
        stale.unlink(missing_ok=True)

    db = Path(verdicts_db) if verdicts_db else default_outputs() / "verdicts.sqlite"
    params = {
        "article_path": str(article_path),
        "published": published or "",
        "output_dir": str(out),
        "verdicts_db": str(Path(db).resolve()),
        "interactive": False,
    }
    params.update(parameters or {})
    source_nb = Path(notebook) if notebook else notebooks_dir() / NOTEBOOK_NAME
    warnings = list(article.warnings)
    export_ready = _report.prepare_export()
    try:
        for attempt in range(1, KERNEL_ATTEMPTS + 1):
            try:
                pm.execute_notebook(
                    str(source_nb),
                    str(executed),
                    parameters=params,
                    kernel_name=_kernel_name(),
                    cwd=str(out),
                    progress_bar=not quiet,
                    log_output=False,
                    report_mode=True,
                )
                break
            except pm.PapermillExecutionError:
                raise  # an error inside the notebook: running it again gives the same error
            except Exception as exc:  # the kernel died or never answered (e.g. two kernels raced for a port)
                if attempt == KERNEL_ATTEMPTS:
                    raise
                warnings.append(f"the notebook kernel failed ({type(exc).__name__}: {exc}); ran it again")
    except pm.PapermillExecutionError as exc:
        reason = f"{exc.ename}: {exc.evalue}".strip()
        failed.write_text(
            f"The notebook failed on {article_path}\n{reason}\n"
            f"See {executed} (the cell with the error) for details.\n",
            encoding="utf-8",
        )
        raise NotebookRunError(f"{article_path}: notebook failed in cell {exc.exec_count}: {reason}") from exc
    except Exception as exc:  # kernel died, papermill internal error...
        failed.write_text(f"The notebook run failed on {article_path}\n{type(exc).__name__}: {exc}\n", encoding="utf-8")
        raise NotebookRunError(f"{article_path}: notebook run failed: {type(exc).__name__}: {exc}") from exc

    if export_ready is not None:
        export_ready.join()
    title = article.title or name
    _report.export_report(executed, report, title=f"sourcecheck — {title}")
    missing = [n for n in EXPORTS if not (out / n).exists()]
    if missing:
        report.unlink(missing_ok=True)
        failed.write_text(f"The notebook did not write {', '.join(missing)}\n", encoding="utf-8")
        raise NotebookRunError(f"{article_path}: the notebook ran but did not write {', '.join(missing)}")
    return RunResult(
        article_path=str(article_path),
        slug=article.slug,
        out_dir=str(out),
        notebook_path=str(executed),
        report_path=str(report),
        claims_csv=str(out / "claims.csv"),
        claims_json=str(out / "claims.json"),
        analysis_json=str(out / "analysis.json"),
        flags_csv=str(out / "flags.csv"),
        claimreview_jsonld=str(out / "claimreview.jsonld"),
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )
