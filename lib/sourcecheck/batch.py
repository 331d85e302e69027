"""Batch runs: one notebook run per article, isolated failures, an index of the batch.

    sourcecheck batch INPUT... [--workers N] [--out DIR] [--force] [--dask ADDRESS] [--refresh]

``run_batch`` finds the articles (files, folders, glob patterns, http(s)
addresses, and list files naming addresses and paths), gives each a unique, safe
slug, fetches the addresses that have no snapshot yet (``sourcecheck.fetch``: one
page at a time per host, with a short delay; a failed fetch is that article's
failure), skips articles whose outputs are up to date, runs the rest
(``runner.run_article`` by default) in worker *processes* — papermill changes
the working directory, which is not thread-safe — or on a Dask distributed
cluster, and writes ``<out>/index.html``, a combined ``<out>/claims.csv`` and
``<out>/batch.json``.

Every article's folder holds a manifest, ``run.json``: status (``running`` |
``ok`` | ``failed``), the error, the article's fingerprint (sha256 of the file
and its metadata sidecar), the run parameters and the code fingerprint
(sourcecheck version + sha256 of the package source, data and the notebook).
An article is skipped only when its manifest says ``ok`` with the same three
fingerprints and ``report.html`` exists; ``--force`` re-runs everything. For an
address the article's fingerprint is its snapshot's (``page.html`` and a sidecar
beside it): an up-to-date address costs no request; ``--refresh`` fetches every
address again (and re-runs those whose page changed).

A list file is an explicitly named ``.list`` or ``.urls`` file, or a ``.txt`` file
with at least one http(s) address whose lines are all addresses or existing
paths (or mostly addresses): one address or path per line, blank lines and
``#`` comments skipped, relative paths taken from the list file's folder.

A failed run never leaves a report that looks complete: before a run starts the
previous ``report.html`` and exports are removed (so a re-run that fails or is
killed cannot leave last time's report behind), and a failure writes
``FAILED.txt`` with the reason. Verdicts recorded after a run do not make its
report stale in this check; re-run with ``--force`` to refresh them. In local
worker processes the run's stderr (papermill, the kernel) goes to ``run.log``
beside the report, so the progress bar on the terminal stays readable.

Slugs depend on the set of articles in the batch: ``x.txt`` alone is ``x``, but
next to another ``x.txt`` it becomes ``<folder>-x`` (so its outputs move and it
is run again once).

Dask (``--dask ADDRESS`` or ``$SOURCECHECK_DASK_ADDRESS``): the same ``run_job``
runs on the cluster's workers, which must have sourcecheck installed and see the
articles and the output folder at the same paths (a shared file system). Tasks in
one worker process run one at a time, so start workers with ``--nthreads 1`` and
as many processes as the machine has cores.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import glob
import hashlib
import json
import multiprocessing
import os
import sys
import threading
import time
import traceback
import warnings
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from . import __version__, constants, fetch
from .article import SUPPORTED_SUFFIXES, slugify
from .errors import FetchError, SourcecheckError

MANIFEST_NAME = "run.json"
FAILED_NAME = "FAILED.txt"
LOG_NAME = "run.log"
REPORT_NAME = "report.html"
BATCH_JSON = "batch.json"
#: Files of a previous run that must not survive a new run of the same article.
STALE_OUTPUTS = (REPORT_NAME, FAILED_NAME, "claims.csv", "claims.json", "analysis.json")
_GLOB_CHARS = set("*?[")
#: Files that may list addresses and paths (``.txt`` only when its lines look like a list).
LIST_SUFFIXES = (".list", ".urls", ".txt")
MAX_LIST_BYTES = 5_000_000
_SIDECAR_SUFFIXES = (".meta.json", ".meta.yaml", ".meta.yml")
_RUN_LOCK = threading.Lock()  # one notebook run at a time per process (Dask workers run tasks in threads)

JobFn = Callable[..., object]


# --------------------------------------------------------------------------- plain data
@dataclass
class Job:
    """One article to run, as sent to a worker (picklable)."""

    article_path: str
    slug: str
    out_dir: str
    published: Optional[str]
    verdicts_db: str
    fingerprint: dict


@dataclass
class Outcome:
    """What happened to one article (or to one input that named no article)."""

    slug: str
    article_path: str
    status: str  # ok | failed | skipped
    out_dir: str = ""
    error: str = ""
    seconds: float = 0.0
    peak_rss_mb: float = 0.0  # worker process + its kernel, sampled
    summary: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    peak_kernel_mb: float = 0.0  # the kernel alone (children of the worker)

    @property
    def report(self) -> Optional[str]:
        if self.status in ("ok", "skipped") and self.out_dir:
            return str(Path(self.out_dir) / REPORT_NAME)
        return None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["report"] = self.report
        return d


@dataclass
class BatchResult:
    out_dir: str
    outcomes: list[Outcome]
    index_path: str = ""
    claims_csv: str = ""
    seconds: float = 0.0
    input_warnings: list[str] = field(default_factory=list)

    def by_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def exit_code(self) -> int:
        return 1 if self.by_status("failed") else 0


# --------------------------------------------------------------------------- finding articles
def _is_article_file(p: Path) -> bool:
    name = p.name.lower()
    return p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not name.endswith(_SIDECAR_SUFFIXES)


def _hidden_or_sources(p: Path, root: Path) -> bool:
    parts = p.relative_to(root).parts
    return any(part.startswith(".") or part.endswith(".sources") for part in parts)


def read_list(p: Path) -> Optional[list[tuple[int, str]]]:
    """``(line number, entry)`` for each address or path in a list file; None when ``p`` is not one (an article)."""
    suffix = p.suffix.lower()
    if suffix not in LIST_SUFFIXES or not p.is_file():
        return None
    try:
        if p.stat().st_size > MAX_LIST_BYTES:
            return None
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None  # named explicitly: the loader says what is wrong with it
    entries = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip() and not line.strip().startswith("#")]
    if suffix != ".txt":
        return entries
    urls = sum(1 for _, e in entries if fetch.is_url(e))
    if not urls:
        return None
    known = sum(1 for _, e in entries if not fetch.is_url(e) and _names_something(_list_path(p, e)))
    return entries if urls + known == len(entries) or 2 * urls > len(entries) else None


def _list_path(list_file: Path, entry: str) -> Path:
    q = Path(entry).expanduser()
    return q if q.is_absolute() else list_file.parent / q


def _names_something(p: Path) -> bool:
    try:
        return p.exists() or bool(_GLOB_CHARS & set(str(p)) and glob.glob(str(p)))
    except OSError:  # a line of prose too long to be a file name
        return False


def discover(inputs: Iterable[str | Path], exclude: Optional[Path] = None) -> tuple[list, list[tuple[str, str]], list[str]]:
    """Resolve INPUTs to article files and web addresses.

    Returns ``(articles, problems, warnings)``: ``articles`` are resolved ``Path``s and
    checked address strings; ``problems`` are ``(input, message)`` pairs for inputs that
    name nothing (missing file, pattern with no match, an address refused) and count as
    failures; ``warnings`` are for empty folders. Folders are searched recursively for
    supported files, skipping hidden folders, ``*.sources/`` primary-document folders,
    metadata sidecars and ``exclude`` (the output folder). A list file contributes its
    entries (see ``read_list``); an address with a user name or password is refused and
    shown with them blanked out.
    """
    exclude = exclude.resolve() if exclude else None
    found: dict = {}
    problems: list[tuple[str, str]] = []
    warns: list[str] = []

    def keep(p: Path) -> bool:
        r = p.resolve()
        return not (exclude and (r == exclude or exclude in r.parents))

    def shown(entry: str) -> str:
        return fetch.redact(entry) if fetch.is_url(entry) else entry

    pending = [(str(raw), shown(str(raw)), None) for raw in inputs]  # (entry, name in messages, list file it came from)
    while pending:
        s, name, origin = pending.pop(0)
        if fetch.is_url(s):
            try:
                found.setdefault(fetch.check_url(s), None)
            except FetchError as exc:
                problems.append((name, exc.problem + (f" ({exc.hint})" if exc.hint else "")))
            continue
        p = _list_path(origin, s) if origin is not None else Path(s)
        entries = read_list(p) if origin is None else None  # lists do not nest
        if entries is not None:
            if not entries:
                warns.append(f"{p}: list file names no addresses or paths")
            pending[:0] = [(e, f"{p}:{n}: {shown(e)}", p) for n, e in entries]
            continue
        if p.is_dir():
            files = sorted(
                f for f in p.rglob("*") if _is_article_file(f) and not _hidden_or_sources(f, p) and keep(f)
            )
            if not files:
                warns.append(f"{p}: folder contains no article files ({', '.join(SUPPORTED_SUFFIXES)})")
            for f in files:
                found.setdefault(f.resolve(), None)
        elif p.exists() or p.is_symlink():
            found.setdefault(p.resolve(), None)  # named explicitly: the loader says what is wrong with it
        elif _GLOB_CHARS & set(s):
            files = sorted(Path(m) for m in glob.glob(str(p), recursive=True))
            files = [f for f in files if _is_article_file(f) and keep(f)]
            if not files:
                problems.append((name, "pattern matched no article files"))
            for f in files:
                found.setdefault(f.resolve(), None)
        else:
            problems.append((name, "file not found (check the path)"))
    return list(found), problems, warns


def _stem(p: Path) -> str:
    return p.name.rsplit(".", 1)[0] if "." in p.name else p.name


def assign_slugs(paths: list) -> dict:
    """Unique, safe folder names (``[a-z0-9-]``, no dots, no separators) for files and addresses.

    The slug is the file name's; names shared by several files get their parent
    folder's name in front (``a/x.txt`` -> ``a-x``, ``b/x.txt`` -> ``b-x``); any
    slug still shared gets 8 hex digits of the file's full path. An address's slug
    is its host and last path segment (``fetch.url_slug``), with the segment before
    it when shared, then the hash of the address.
    """

    def base_of(p) -> str:
        return fetch.url_slug(p) if isinstance(p, str) else slugify(_stem(p))

    def qualified(p) -> str:
        return fetch.url_slug(p, segments=2) if isinstance(p, str) else slugify(f"{p.parent.name}-{_stem(p)}")

    base = {p: base_of(p) for p in paths}
    counts = Counter(base.values())
    slugs = {p: (qualified(p) if counts[s] > 1 else s) for p, s in base.items()}
    counts = Counter(slugs.values())
    for p, s in slugs.items():
        if counts[s] > 1:
            identity = p if isinstance(p, str) else str(p.resolve())
            slugs[p] = f"{s[:70].strip('-')}-{hashlib.sha1(identity.encode('utf-8')).hexdigest()[:8]}"
    return slugs


# --------------------------------------------------------------------------- fingerprints
def _sha256_files(files: Iterable[Path], root: Optional[Path] = None) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(str(f.relative_to(root) if root else f.name).encode("utf-8") + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()


def code_fingerprint() -> dict:
    """sourcecheck version and a hash of the package source, its data and the verification notebook."""
    pkg = Path(__file__).resolve().parent
    files = sorted(
        f for f in pkg.rglob("*") if f.is_file() and "__pycache__" not in f.parts and f.suffix not in (".pyc", ".pyo")
    )
    from .runner import NOTEBOOK_NAME, project_root

    nb = project_root() / "notebooks" / NOTEBOOK_NAME
    return {
        "version": __version__,
        "package_sha256": _sha256_files(files, pkg),
        "notebook_sha256": _sha256_files([nb]) if nb.exists() else "",
    }


def snapshot_fingerprint(out_dir: Path) -> str:
    """sha256 of an address's snapshot and its metadata sidecar ("" when there is none yet)."""
    files = fetch.snapshot_files(out_dir)
    try:
        return _sha256_files(files) if files[0].is_file() else ""
    except OSError:
        return ""


def article_fingerprint(path: Path) -> str:
    """sha256 of the article file and its metadata sidecar (either changing means a re-run)."""
    stem = path.name.rsplit(".", 1)[0] if "." in path.name else path.name
    sidecars = [path.with_name(stem + s) for s in _SIDECAR_SUFFIXES]
    try:
        return _sha256_files([path] + [s for s in sidecars if s.is_file()])
    except OSError:
        return ""  # unreadable: never up to date; the loader will say why


def read_manifest(out_dir: str | Path) -> dict:
    try:
        return json.loads((Path(out_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_up_to_date(job: Job) -> bool:
    m = read_manifest(job.out_dir)
    return (
        m.get("status") == "ok"
        and m.get("fingerprint") == job.fingerprint
        and bool(job.fingerprint.get("article_sha256"))
        and (Path(job.out_dir) / REPORT_NAME).is_file()
    )


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------- one article (runs in a worker)
class _PeakMemory:
    """Sample the RSS of this process and its children (the kernel) until stopped."""

    def __init__(self, interval: float = 0.2):
        self.peak = 0  # worker + children, summed at the same instant
        self.peak_children = 0  # the kernel (and anything it started)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        children = 0
        for child in me.children(recursive=True):
            try:
                children += child.memory_info().rss
            except psutil.Error:
                pass
        self.peak = max(self.peak, me.memory_info().rss + children)
        self.peak_children = max(self.peak_children, children)

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self._sample()
            except Exception:  # noqa: BLE001 - a failed sample only loses a measurement
                pass
            self._stop.wait(interval)

    def __enter__(self) -> "_PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, SourcecheckError):
        text = f"{type(exc).__name__}: {text}"
    line = " ".join(text.split())
    return line if len(line) <= 400 else line[:397] + "..."


def summarize_outputs(out_dir: Path, verdicts_db: Optional[str] = None) -> dict:
    """Title, date, counts of claims/sources/flags by type and verdicts, from a finished run's analysis.json."""
    try:
        data = json.loads((out_dir / "analysis.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    art = data.get("article") or {}
    claims = data.get("claims") or []
    fetched = art.get("fetched") or {}
    summary = {
        "title": art.get("title") or fetched.get("requested_url") or Path(art.get("path") or "").name,
        "published": art.get("published") or "",
        "outlet": art.get("outlet") or "",
        "article_slug": art.get("slug") or "",
        "words": art.get("word_count") or 0,
        "claims": len(claims),
        "attributed": sum(1 for c in claims if c.get("attribution_id")),
        "sources": len(data.get("speakers") or []),
        "flags": dict(Counter(f.get("relation", "?") for f in data.get("flags") or [])),
        "verdicts": {},
    }
    if fetched:
        summary.update(address=fetched.get("requested_url") or "", fetched_at=fetched.get("fetched_at") or "")
    if verdicts_db and Path(verdicts_db).is_file() and summary["article_slug"]:
        try:
            from .review import VerdictStore

            latest = VerdictStore(verdicts_db).latest(summary["article_slug"])
            ids = {c.get("id") for c in claims}
            summary["verdicts"] = dict(Counter(v.verdict for k, v in latest.items() if k in ids))
        except SourcecheckError as exc:
            summary["verdicts_error"] = str(exc)
    return summary


def _default_job_fn(article_path, **kwargs):
    from .runner import run_article

    return run_article(article_path, **kwargs)


@contextlib.contextmanager
def _stderr_to(path: Optional[Path]):
    """Send this process's stderr (fd 2, inherited by the kernel) to ``path``, keeping the progress bar clean."""
    if path is None:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(path, "ab") as fh:
            os.dup2(fh.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def run_job(job: Job, job_fn: Optional[JobFn] = None, capture_log: bool = False) -> Outcome:
    """Run one article; never raises for a problem with the article (it is recorded instead).

    ``capture_log`` (local worker processes only) sends the run's stderr (papermill,
    the kernel) to ``<out>/run.log``.
    """
    job_fn = job_fn or _default_job_fn
    out = Path(job.out_dir)
    with _RUN_LOCK:
        started = time.perf_counter()
        out.mkdir(parents=True, exist_ok=True)
        for name in STALE_OUTPUTS:
            (out / name).unlink(missing_ok=True)
        manifest = {
            "schema": "sourcecheck.run/1",
            "slug": job.slug,
            "article_path": job.article_path,
            "status": "running",
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "fingerprint": job.fingerprint,
        }
        _write_json(out / MANIFEST_NAME, manifest)
        outcome = Outcome(slug=job.slug, article_path=job.article_path, status="ok", out_dir=str(out))
        log = out / LOG_NAME if capture_log else None
        if log:
            log.unlink(missing_ok=True)
        with _PeakMemory() as mem, warnings.catch_warnings(record=True) as caught, _stderr_to(log):
            warnings.simplefilter("always")
            try:
                job_fn(job.article_path, out_dir=str(out), published=job.published, verdicts_db=job.verdicts_db, quiet=True)
                if not (out / REPORT_NAME).is_file():
                    raise SourcecheckError(f"{job.article_path}: the run finished but wrote no {REPORT_NAME}")
            except Exception as exc:  # noqa: BLE001 - failure isolation: any error of one article is recorded
                outcome.status = "failed"
                outcome.error = _one_line(exc)
                for name in STALE_OUTPUTS:
                    if name != FAILED_NAME:
                        (out / name).unlink(missing_ok=True)
                detail = "".join(traceback.format_exception(exc)) if not isinstance(exc, SourcecheckError) else ""
                prior = (out / FAILED_NAME).read_text(encoding="utf-8") if (out / FAILED_NAME).is_file() else ""
                (out / FAILED_NAME).write_text(
                    f"sourcecheck could not process {job.article_path}\n{outcome.error}\n"
                    + (f"\n{prior}" if prior else "")
                    + (f"\n{detail}" if detail else ""),
                    encoding="utf-8",
                )
        outcome.seconds = round(time.perf_counter() - started, 3)
        outcome.peak_rss_mb = round(mem.peak / 2**20, 1)
        outcome.peak_kernel_mb = round(mem.peak_children / 2**20, 1)
        outcome.warnings = sorted({str(w.message) for w in caught if issubclass(w.category, UserWarning)})
        if outcome.status == "ok":
            outcome.summary = summarize_outputs(out, job.verdicts_db)
        manifest.update(
            status=outcome.status,
            error=outcome.error,
            finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            seconds=outcome.seconds,
            peak_rss_mb=outcome.peak_rss_mb,
            peak_kernel_mb=outcome.peak_kernel_mb,
            warnings=outcome.warnings,
            summary=outcome.summary,
        )
        _write_json(out / MANIFEST_NAME, manifest)
        _release_memory()
        return outcome


def _release_memory() -> None:
    """Between articles, hand freed heap back to the OS so a long-lived worker stays small."""
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to trim
            pass


def _worker_init() -> None:
    """Worker processes share the cores: one BLAS/OpenMP thread each (inherited by the kernels),
    and each kernel runs one article, so it frees the extraction models once it is done with them."""
    for var in constants.BATCH_SINGLE_THREAD_ENV:
        os.environ.setdefault(var, "1")
    os.environ.setdefault(constants.RELEASE_MODELS_ENV, "1")


# --------------------------------------------------------------------------- executors
def _run_local(jobs: list[Job], workers: int, job_fn: Optional[JobFn], done: Callable[[Outcome], None]) -> None:
    """Run jobs in a process pool. A worker that dies takes only its own article down.

    A dead worker breaks the whole pool, failing every job still in it; those are
    then re-run one per fresh single-worker pool, so only the culprit is recorded
    as crashed.
    """
    ctx = multiprocessing.get_context("spawn")

    def run_pool(batch: list[Job], n: int) -> list[Job]:
        broken: list[Job] = []
        with cf.ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_init) as pool:
            futures = {pool.submit(run_job, job, job_fn, True): job for job in batch}
            for fut in cf.as_completed(futures):
                job = futures[fut]
                try:
                    done(fut.result())
                except cf.process.BrokenProcessPool:
                    broken.append(job)
                except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result: record, keep going
                    done(Outcome(job.slug, job.article_path, "failed", job.out_dir, error=_one_line(exc)))
        return broken

    broken = run_pool(jobs, max(1, min(workers, len(jobs))))
    if len(broken) == 1:
        done(_crashed(broken[0]))
    else:
        for job in broken:
            if run_pool([job], 1):
                done(_crashed(job))


def _crashed(job: Job) -> Outcome:
    return _record_failed(job, "the worker process died while running this article (out of memory, or a crash in native code)")


def _record_failed(job: Job, msg: str) -> Outcome:
    """An article that failed outside a run (its worker died, its page could not be fetched): FAILED.txt and run.json."""
    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in STALE_OUTPUTS:
        (out / name).unlink(missing_ok=True)
    (out / FAILED_NAME).write_text(f"sourcecheck could not process {job.article_path}\n{msg}\n", encoding="utf-8")
    m = read_manifest(out) or {"schema": "sourcecheck.run/1", "slug": job.slug, "article_path": job.article_path}
    m.update(status="failed", error=msg, fingerprint=job.fingerprint, finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    _write_json(out / MANIFEST_NAME, m)
    return Outcome(job.slug, job.article_path, "failed", job.out_dir, error=msg)


def _fetch_addresses(items: list[tuple[str, Path]], refresh: bool, published: Optional[str], delay: float, progress: bool) -> dict:
    """Fetch the addresses that need it (no snapshot yet, or ``refresh``) before any run; address -> error for those that failed."""
    from tqdm import tqdm

    todo = [(u, f) for u, f in items if fetch.needs_fetch(u, f, refresh)]
    if not todo:
        return {}
    bar = tqdm(total=len(todo), file=sys.stderr, unit="page", desc="fetching", disable=not progress, dynamic_ncols=True)
    try:
        # The language and text-change warnings come again when each run reads its snapshot.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = fetch.fetch_many(todo, refresh=refresh, published=published, delay=delay, done=lambda url, err: bar.update(1))
    finally:
        bar.close()
    return {url: err for url, err in results.items() if err is not None}


def _run_dask(jobs: list[Job], address, job_fn: Optional[JobFn], done: Callable[[Outcome], None]) -> None:
    """Run jobs on a Dask distributed cluster (``address``: scheduler address, or a ``Client``/cluster object).

    Workers must see the same file system paths and have sourcecheck installed.
    Tasks in one worker process run one at a time (papermill is not thread-safe).
    """
    from distributed import Client, as_completed

    own = not isinstance(address, Client)
    try:
        client = Client(address, timeout=constants.BATCH_DASK_CONNECT_TIMEOUT_S, set_as_default=False) if own else address
    except (OSError, TimeoutError) as exc:
        raise SourcecheckError(
            f"cannot connect to the Dask scheduler at {address}: {exc} (check the address, or run without --dask)"
        ) from exc
    try:
        client.run(_worker_init)
        futures = {client.submit(run_job, job, job_fn, pure=False, key=f"sourcecheck-{job.slug}-{os.urandom(4).hex()}"): job for job in jobs}
        for fut in as_completed(list(futures), loop=client.loop):
            job = futures[fut]
            try:
                done(fut.result())
            except Exception as exc:  # noqa: BLE001 - a lost worker or task: record it and keep going
                done(Outcome(job.slug, job.article_path, "failed", job.out_dir, error=f"Dask task failed: {_one_line(exc)}"))
    finally:
        if own:
            client.close()


# --------------------------------------------------------------------------- the batch
def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def run_batch(
    inputs: Iterable[str | Path],
    out: Optional[str | Path] = None,
    *,
    workers: Optional[int] = None,
    force: bool = False,
    published: Optional[str] = None,
    dask=None,
    job_fn: Optional[JobFn] = None,
    progress: bool = True,
    refresh: bool = False,
    fetch_delay: float = constants.FETCH_HOST_DELAY_S,
) -> BatchResult:
    """Run every article found in ``inputs``; write the index, combined claims and batch.json under ``out``.

    Worker processes are started with ``spawn``: a script calling this must guard
    its top level with ``if __name__ == "__main__":`` (the CLI and notebooks need nothing).
    ``job_fn`` replaces ``runner.run_article`` (tests); it must be importable by name.
    Addresses are fetched here first, into ``<out>/<slug>/`` (``fetch.fetch_many``, with
    ``fetch_delay`` seconds between two pages of one host); ``refresh`` fetches them all again.
    """
    from tqdm import tqdm

    from .index_page import write_batch_files
    from .runner import default_outputs

    started = time.perf_counter()
    root = Path(out) if out else default_outputs()
    root.mkdir(parents=True, exist_ok=True)
    articles, problems, input_warnings = discover(inputs, exclude=root)
    if not articles and not problems:
        raise SourcecheckError(
            "no article files found in " + ", ".join(map(str, inputs)) + f" (supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    slugs = assign_slugs(articles)
    code = code_fingerprint()
    db = os.environ.get("SOURCECHECK_VERDICTS_DB") or str((root / "verdicts.sqlite").resolve())
    params = {"published": published or ""}

    outcomes: dict[str, Outcome] = {}
    for raw, msg in problems:
        outcomes[f"input:{raw}"] = Outcome(slug="", article_path=raw, status="failed", error=f"{raw}: {msg}")
    fetch_errors = _fetch_addresses(
        [(a, root / slugs[a]) for a in articles if isinstance(a, str)], refresh, published, fetch_delay, progress
    )
    jobs: list[Job] = []
    for path in articles:
        slug = slugs[path]
        out_dir = (root / slug).resolve()
        job = Job(
            article_path=str(path),
            slug=slug,
            out_dir=str(out_dir),
            published=published,
            verdicts_db=db,
            fingerprint={
                "article_sha256": snapshot_fingerprint(out_dir) if isinstance(path, str) else article_fingerprint(path),
                "parameters": params,
                **code,
            },
        )
        if path in fetch_errors:
            outcomes[slug] = _record_failed(job, _one_line(fetch_errors[path]))
        elif not force and is_up_to_date(job):
            m = read_manifest(job.out_dir)
            outcomes[slug] = Outcome(slug, job.article_path, "skipped", job.out_dir, seconds=0.0, summary=m.get("summary") or {}, warnings=m.get("warnings") or [])
        else:
            jobs.append(job)

    bar = tqdm(total=len(articles), file=sys.stderr, unit="article", desc="sourcecheck batch", disable=not progress, dynamic_ncols=True)
    counts: Counter = Counter(o.status for o in outcomes.values() if o.slug)
    bar.update(sum(counts.values()))

    def done(o: Outcome) -> None:
        outcomes[o.slug] = o
        counts[o.status] += 1
        bar.set_postfix(ok=counts["ok"], failed=counts["failed"], skipped=counts["skipped"], refresh=False)
        bar.update(1)

    bar.set_postfix(ok=0, failed=0, skipped=counts["skipped"])
    try:
        if jobs:
            address = dask or os.environ.get("SOURCECHECK_DASK_ADDRESS")
            if address:
                _run_dask(jobs, address, job_fn, done)
            else:
                _run_local(jobs, workers or default_workers(), job_fn, done)
    finally:
        bar.close()

    order = [f"input:{raw}" for raw, _ in problems] + [slugs[p] for p in articles]
    result = BatchResult(
        out_dir=str(root),
        outcomes=[outcomes[k] for k in order if k in outcomes],
        input_warnings=input_warnings,
    )
    result.seconds = round(time.perf_counter() - started, 3)
    paths = write_batch_files(root, result)
    result.index_path, result.claims_csv = str(paths["index"]), str(paths["claims_csv"])
    return result


def format_summary(result: BatchResult) -> str:
    """The end-of-batch summary: one line per article, failures with their one-line reason."""
    lines = []
    for o in result.outcomes:
        name = o.slug or "-"
        if o.status == "failed":
            lines.append(f"FAILED   {name}: {o.error}")
        else:
            lines.append(f"{o.status:<8} {name}: {o.report}")
            lines.extend(f"         warning: {w}" for w in o.warnings)
    ok, failed, skipped = (len(result.by_status(s)) for s in ("ok", "failed", "skipped"))
    lines.append(
        f"{ok} ok, {skipped} up to date (skipped), {failed} failed in {result.seconds:.1f} s; "
        f"index: {result.index_path}; claims: {result.claims_csv}"
    )
    return "\n".join(lines)


def run_cli(args) -> int:
    """``sourcecheck batch``: run, print the summary, return 1 if any article failed."""
    if args.workers is not None and args.workers < 1:
        print("sourcecheck: error: --workers must be at least 1", file=sys.stderr)
        return 2
    result = run_batch(
        args.inputs,
        args.out,
        workers=args.workers,
        force=args.force,
        published=args.published,
        dask=args.dask,
        refresh=args.refresh,
    )
    for w in result.input_warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(format_summary(result))
    return result.exit_code
