"""Articles from their web address, and a snapshot of exactly what was checked.

    load_url(url, folder)      the article: from the folder's snapshot, or fetched (and
                               snapshotted) the first time and with ``refresh=True``
    fetch_page(url)            one page over HTTP(S) with httpx: timeout, size limit,
                               retries with backoff on 429/5xx, redirects recorded
    fetch_many(items)          a batch's pages: one fetch at a time per host, with a delay

The snapshot sits in the article's output folder, beside the report:
``page.html`` (the bytes exactly as received) and ``source.json`` (the address
asked for, the final address after redirects, the HTTP status, the fetch time in
UTC, the sha256 of the bytes and the extracted text's length). A re-run analyses
``page.html`` again, so the verdicts stay on the same text; only ``refresh``
fetches again, and when the text changed the earlier snapshot is copied to
``previous/<fetch time>/`` and the article carries a warning saying so.

The page is turned into an article by the HTML loader (``article.load_article``,
trafilatura), so metadata keeps its precedence: parameters, then a sidecar
(``page.meta.json`` / ``.meta.yaml`` in the output folder), then the page's own
``<meta>``, OpenGraph and JSON-LD. Every failure is a ``FetchError`` with one
line saying what went wrong and what to do; nothing is written until a page has
been fetched and its article text extracted. An address with a user name or
password in it is refused before anything is sent, and never printed.
"""
from __future__ import annotations

import codecs
import datetime as _dt
import email.utils
import hashlib
import json
import os
import re
import socket
import ssl
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional
from urllib.parse import unquote, urlsplit, urlunsplit

from . import __version__, constants
from .article import ArticleWarning, load_article, slugify
from .errors import ArticleError, FetchError, MetadataError
from .model import Article

SNAPSHOT_HTML = "page.html"
SOURCE_JSON = "source.json"
PREVIOUS_DIR = "previous"
SOURCE_SCHEMA = "sourcecheck.source/1"
USER_AGENT = f"sourcecheck/{__version__}"
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
_URL_START = re.compile(r"^\s*https?://", re.I)
_USERINFO = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/?#]*@", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
_WEB_SUFFIX = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm)$", re.I)
_CONTENT_NAMES = {"application/pdf": "a PDF document", "application/zip": "a ZIP archive", "application/json": "JSON data",
                  "text/plain": "plain text", "application/octet-stream": "a binary download"}


# --------------------------------------------------------------------------- addresses
def is_url(value) -> bool:
    """True for a string that starts with ``http://`` or ``https://`` (an article's web address)."""
    return isinstance(value, str) and bool(_URL_START.match(value))


def redact(url: str) -> str:
    """The address with any user name and password replaced by ``***`` (safe to print)."""
    return _USERINFO.sub(r"\1***@", str(url).strip())


def check_url(url: str) -> str:
    """The address as fetched and recorded (scheme and host lower-case, no #fragment).

    Raises ``FetchError`` for anything but a plain http(s) address, and for one with a
    user name or password in it (shown redacted).
    """
    raw = str(url).strip()
    shown = redact(raw)
    if _USERINFO.match(raw):
        raise FetchError(
            shown, "the address contains a user name or password: refused",
            "sourcecheck never sends credentials; remove the user:pass@ part, or save the page from a "
            "logged-in browser and check the file", kind="credentials",
        )
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise FetchError(shown, "is not a valid web address", "check the address", kind="invalid") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in raw):
        raise FetchError(shown, "is not a valid web address", "give an http:// or https:// address", kind="invalid")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def host_key(url: str) -> str:
    """``host:port`` of an address: a batch fetches from each at most one page at a time."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def url_slug(url: str, segments: int = 1) -> str:
    """Output-folder name for an address: host and last path segment(s) (``example-org-council-vote``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    path = [unquote(s) for s in parts.path.split("/") if s]
    if path:
        path[-1] = _WEB_SUFFIX.sub("", path[-1])
    return slugify("-".join(x for x in (host, *path[-segments:], unquote(parts.query)) if x))


# --------------------------------------------------------------------------- one page
@dataclass
class Page:
    """One fetched page: the bytes exactly as received (after gzip/br decoding) and where from."""

    requested_url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: str  # UTC, ISO 8601
    encoding: Optional[str] = None  # the charset the page declares (header, else <meta>)
    redirects: list[dict] = field(default_factory=list)  # [{"url", "status"}], in order
    attempts: int = 1

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def new_client(timeout: float = constants.FETCH_TIMEOUT_S):
    """An ``httpx.Client`` as sourcecheck fetches: its User-Agent, a timeout, redirects handled by ``fetch_page``."""
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
        follow_redirects=False,
    )


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _transport_error(url: str, exc: Exception, timeout: float) -> FetchError:
    """One readable line for an httpx transport error (DNS, refused, unreachable, timeout...)."""
    import httpx

    host = urlsplit(url).hostname or url
    if isinstance(exc, httpx.TimeoutException):
        what = "no connection" if isinstance(exc, httpx.ConnectTimeout) else "no answer"
        return FetchError(url, f"{what} within {timeout:g} s (timeout)",
                          "the site may be slow or blocking automated requests; try again later", kind="timeout")
    causes = list(_chain(exc))
    if any(isinstance(c, socket.gaierror) for c in causes):
        return FetchError(url, f"the host name {host} could not be found (DNS failure)",
                          "check the address for typos, and your network connection", kind="dns")
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return FetchError(url, f"the connection to {host} was refused (nothing is listening there)",
                          "check the address, or try again later", kind="refused")
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return FetchError(url, f"the secure connection to {host} failed ({causes[-1]})",
                          "the site's certificate could not be verified; open the address in a browser", kind="unreachable")
    if isinstance(exc, httpx.ProtocolError):
        return FetchError(url, f"the server sent a broken answer ({exc})", "try again later", kind="unreachable")
    if isinstance(exc, httpx.DecodingError):
        return FetchError(url, "the server sent a damaged (badly compressed) page", "try again later", kind="unreachable")
    reason = str(causes[-1]) or type(causes[-1]).__name__
    return FetchError(url, f"the host {host} could not be reached ({reason})",
                      "check the address and your network connection, or try again later", kind="unreachable")


def _retry_wait(response, attempt: int, backoff: float) -> float:
    """Seconds before the next try: the server's ``Retry-After`` (capped), else exponential backoff."""
    value = response.headers.get("retry-after", "").strip()
    wait = backoff * 2 ** (attempt - 1)
    if value.isdigit():
        wait = float(value)
    elif value:
        try:
            when = email.utils.parsedate_to_datetime(value)
            wait = (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            pass
    return max(0.0, min(wait, constants.FETCH_RETRY_AFTER_MAX_S))


def _status_error(url: str, status: int, attempts: int) -> FetchError:
    tries = f" after {attempts} tries" if attempts > 1 else ""
    if status in (404, 410):
        what = "page not found" if status == 404 else "the page is gone"
        return FetchError(url, f"{what} (HTTP {status})", "check the address; a removed article may be in a web archive", kind="not_found")
    if status in (401, 403):
        return FetchError(url, f"access refused (HTTP {status}): a paywall or a login page?",
                          "sourcecheck does not log in; save the article from your browser and check the file", kind="forbidden")
    if status == 429:
        return FetchError(url, f"the site answered HTTP 429 (too many requests){tries}", "try again later", kind="http")
    if status >= 500:
        return FetchError(url, f"the site answered HTTP {status} (server error){tries}", "try again later", kind="http")
    return FetchError(url, f"the site answered HTTP {status}", "open the address in a browser to see why", kind="http")


def _content_name(mime: str) -> str:
    if mime in _CONTENT_NAMES:
        return f"{_CONTENT_NAMES[mime]} ({mime})"
    for prefix, name in (("image/", "an image"), ("video/", "a video"), ("audio/", "an audio file")):
        if mime.startswith(prefix):
            return f"{name} ({mime})"
    return f"content of type {mime}"


def _charset(content_type: str, body: bytes) -> Optional[str]:
    """The charset the page declares: the Content-Type header's, else a ``<meta>`` one; None if unknown."""
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.I)
    name = m.group(1) if m else None
    if name is None:
        mm = _META_CHARSET.search(body[:4096])
        name = mm.group(1).decode("ascii", "ignore") if mm else None
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def fetch_page(
    url: str,
    *,
    timeout: float = constants.FETCH_TIMEOUT_S,
    total_timeout: float = constants.FETCH_TOTAL_TIMEOUT_S,
    max_bytes: int = constants.FETCH_MAX_BYTES,
    attempts: int = constants.FETCH_ATTEMPTS,
    backoff: float = constants.FETCH_BACKOFF_S,
    client=None,
) -> Page:
    """Fetch one web page; raise ``FetchError`` with one readable line for anything that is not an HTML page."""
    import httpx

    url = check_url(url)
    own = client is None
    client = client or new_client(timeout)
    deadline = time.monotonic() + total_timeout
    redirects: list[dict] = []
    tries_total = 0
    try:
        request = client.build_request("GET", url)
        while True:
            for attempt in range(1, attempts + 1):
                tries_total += 1
                response = client.send(request, stream=True, follow_redirects=False)
                if response.status_code != 429 and response.status_code < 500:
                    break
                response.close()
                wait = _retry_wait(response, attempt, backoff)
                if attempt == attempts or time.monotonic() + wait > deadline:
                    raise _status_error(url, response.status_code, attempt)
                time.sleep(wait)
            if response.next_request is not None:
                response.close()
                target = response.next_request.url
                if _USERINFO.match(str(target)) or target.scheme not in ("http", "https"):
                    raise FetchError(url, f"the site redirects to an address sourcecheck will not follow ({redact(str(target))})",
                                     "open the address in a browser", kind="invalid")
                redirects.append({"url": str(request.url), "status": response.status_code})
                if len(redirects) > constants.FETCH_MAX_REDIRECTS:
                    raise FetchError(url, f"more than {constants.FETCH_MAX_REDIRECTS} redirects", "open the address in a browser", kind="http")
                request = response.next_request
                continue
            break
        try:
            status = response.status_code
            if not 200 <= status < 300:
                raise _status_error(url, status, 1)
            content_type = response.headers.get("content-type", "")
            mime = content_type.split(";")[0].strip().lower()
            if mime and mime not in constants.FETCH_HTML_TYPES:
                raise FetchError(url, f"is {_content_name(mime)}, not a web page",
                                 "download it and put its text in a .txt file to check it", kind="not_html")
            limit = f"the {max_bytes / 1e6:g} MB limit"
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(url, f"the page is too large ({int(declared) / 1e6:.1f} MB; {limit})",
                                 "save the article text and check the file", kind="too_large")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(url, f"the page is too large (more than {limit})",
                                     "save the article text and check the file", kind="too_large")
                if time.monotonic() > deadline:
                    raise FetchError(url, f"the page did not arrive within {total_timeout:g} s (timeout)",
                                     "the site may be slow or blocking automated requests; try again later", kind="timeout")
                chunks.append(chunk)
            body = b"".join(chunks)
            return Page(
                requested_url=url,
                final_url=str(response.url),
                status=status,
                content_type=content_type,
                body=body,
                fetched_at=_now(),
                encoding=_charset(content_type, body),
                redirects=redirects,
                attempts=tries_total,
            )
        finally:
            response.close()
    except httpx.HTTPError as exc:
        raise _transport_error(url, exc, timeout) from None
    except httpx.InvalidURL:
        raise FetchError(url, "is not a valid web address", "check the address", kind="invalid") from None
    finally:
        if own:
            client.close()


# --------------------------------------------------------------------------- the snapshot
def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        tmp.write_bytes(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_source(folder: str | Path, url: str = "") -> Optional[dict]:
    """The snapshot record (``source.json``) in ``folder``, or None when there is none."""
    path = Path(folder) / SOURCE_JSON
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FetchError(url or str(path), f"the snapshot record {path} cannot be read ({exc})",
                         "run again with --refresh to fetch the page anew", kind="snapshot") from None
    if not isinstance(record, dict) or record.get("schema") != SOURCE_SCHEMA:
        raise FetchError(url or str(path), f"{path} is not a sourcecheck snapshot record",
                         "move it away, or give another output folder", kind="snapshot")
    return record


def snapshot_files(folder: str | Path) -> list[Path]:
    """The files whose content decides what a run analyses: the snapshot and its metadata sidecar, if any."""
    folder = Path(folder)
    stem = SNAPSHOT_HTML.rsplit(".", 1)[0]
    return [folder / SNAPSHOT_HTML] + [p for p in (folder / f"{stem}{s}" for s in (".meta.json", ".meta.yaml", ".meta.yml")) if p.is_file()]


def _not_an_article(url: str, article: Article) -> Optional[FetchError]:
    words = article.text.split()
    lowered = " ".join([article.title or "", article.text]).lower()
    hits = sum(1 for phrase in constants.FETCH_CONSENT_PHRASES if phrase in lowered)
    hint = "open the address in a browser, save the article itself and check the file"
    if len(words) < constants.FETCH_CONSENT_MAX_WORDS and hits >= constants.FETCH_CONSENT_MIN_HITS:
        return FetchError(url, "the page is a cookie or consent wall, not the article", hint, kind="no_text")
    if len(words) < constants.FETCH_MIN_WORDS:
        return FetchError(url, f"no article text could be extracted from the page ({len(words)} words: an index page, "
                          "a consent wall, or a page built by JavaScript?)", hint, kind="no_text")
    return None


def _article(url: str, folder: Path, data: bytes, encoding: Optional[str], published: Optional[str]) -> Article:
    """The article in a page's bytes (the HTML loader: trafilatura, sidecar, parameters)."""
    try:
        return load_article(folder / SNAPSHOT_HTML, published=published, slug=url_slug(url), data=data, encoding=encoding)
    except MetadataError:
        raise  # the user's sidecar or a parameter: the loader's message names the file
    except ArticleError as exc:
        binary = "not a text article" in exc.problem or "binary" in exc.problem
        raise FetchError(
            url, f"the page {exc.problem}" if binary else f"no article text could be extracted from the page ({exc.problem})",
            "open the address in a browser, save the article itself and check the file",
            kind="not_html" if binary else "no_text",
        ) from None


def _change_note(url: str, record: dict) -> Optional[str]:
    prev = record.get("previous") or {}
    if not record.get("text_changed"):
        return None
    return (
        f"{url}: the page's text changed between the snapshot of {prev.get('fetched_at')} and this one of "
        f"{record.get('fetched_at')} ({prev.get('text_length', 0):,} -> {record.get('text_length', 0):,} characters); "
        f"verdicts on claims no longer in the text are listed as orphans; the earlier snapshot is kept in "
        f"{prev.get('kept_as') or 'no copy'}"
    )


def _finish(url: str, folder: Path, article: Article, record: dict) -> Article:
    article.fetched = dict(record, snapshot=str(folder / SNAPSHOT_HTML), source_json=str(folder / SOURCE_JSON))
    if not article.url:
        article.url = record.get("final_url")
    note = _change_note(url, record)
    if note:
        article.warnings.append(note)
        warnings.warn(note, ArticleWarning, stacklevel=3)
    return article


def _from_snapshot(url: str, folder: Path, record: dict, published: Optional[str]) -> Article:
    html = folder / SNAPSHOT_HTML
    try:
        data = html.read_bytes()
    except OSError:
        raise FetchError(url, f"the snapshot {html} is missing (its record {SOURCE_JSON} is there)",
                         "run again with --refresh to fetch the page anew", kind="snapshot") from None
    if hashlib.sha256(data).hexdigest() != record.get("sha256"):
        raise FetchError(url, f"the snapshot {html} does not match the sha256 in {SOURCE_JSON} (it was changed after the fetch)",
                         "restore it, or run again with --refresh to fetch the page anew", kind="snapshot")
    return _finish(url, folder, _article(url, folder, data, record.get("encoding"), published), record)


def _keep_previous(folder: Path, record: dict) -> str:
    """Copy the current snapshot to ``previous/<fetch time>/`` before it is replaced; return that folder."""
    stamp = re.sub(r"[^0-9TZ]", "", str(record.get("fetched_at") or "unknown")) or "unknown"
    dest = folder / PREVIOUS_DIR / stamp
    dest.mkdir(parents=True, exist_ok=True)
    for name in (SNAPSHOT_HTML, SOURCE_JSON):
        if (folder / name).is_file():
            _atomic_write(dest / name, (folder / name).read_bytes())
    return str(dest.relative_to(folder))


def load_url(
    url: str,
    folder: str | Path,
    *,
    published: Optional[str] = None,
    refresh: bool = False,
    **fetch_options,
) -> Article:
    """The article at ``url``, from the snapshot in ``folder`` (fetched and snapshotted when there is none, or ``refresh``).

    ``fetch_options`` go to ``fetch_page`` (``timeout``, ``max_bytes``, ``attempts``, ``backoff``, ``client``).
    Raises ``FetchError``; a failed fetch leaves the folder as it was.
    """
    url = check_url(url)
    folder = Path(folder)
    record = read_source(folder, url)
    if record is not None and record.get("requested_url") != url:
        raise FetchError(url, f"{folder} holds the snapshot of another address ({redact(str(record.get('requested_url')))})",
                         "give this article another output folder (--out, output_dir)", kind="snapshot")
    if record is not None and not refresh:
        return _from_snapshot(url, folder, record, published)

    page = fetch_page(url, **fetch_options)
    article = _article(url, folder, page.body, page.encoding, published)
    problem = _not_an_article(url, article)
    if problem:
        raise problem
    new = {
        "schema": SOURCE_SCHEMA,
        "requested_url": page.requested_url,
        "final_url": page.final_url,
        "redirects": page.redirects,
        "status": page.status,
        "content_type": page.content_type,
        "encoding": page.encoding,
        "fetched_at": page.fetched_at,
        "sha256": page.sha256,
        "bytes": len(page.body),
        "text_length": len(article.text),
        "text_sha256": article.sha256,
        "snapshot": SNAPSHOT_HTML,
        "user_agent": USER_AGENT,
        "attempts": page.attempts,
        "text_changed": None,
        "previous": None,
    }
    folder.mkdir(parents=True, exist_ok=True)
    if record is not None:
        changed = record.get("text_sha256") != article.sha256
        new["text_changed"] = changed
        new["previous"] = {k: record.get(k) for k in ("fetched_at", "final_url", "sha256", "text_sha256", "text_length")}
        new["previous"]["kept_as"] = _keep_previous(folder, record) if changed else None
    _atomic_write(folder / SNAPSHOT_HTML, page.body)
    _atomic_write(folder / SOURCE_JSON, (json.dumps(new, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return _finish(url, folder, article, new)


def needs_fetch(url: str, folder: str | Path, refresh: bool = False) -> bool:
    """True when ``load_url`` would go to the network: no snapshot record in ``folder`` yet, or ``refresh``."""
    if refresh:
        return True
    try:
        return read_source(folder, url) is None
    except FetchError:
        return False  # a damaged record: loading it says what is wrong, without a fetch


# --------------------------------------------------------------------------- many pages (batch)
def fetch_many(
    items: Iterable[tuple[str, str | Path]],
    *,
    refresh: bool = False,
    published: Optional[str] = None,
    delay: float = constants.FETCH_HOST_DELAY_S,
    max_hosts: int = constants.FETCH_MAX_HOSTS,
    done: Optional[Callable[[str, Optional[Exception]], None]] = None,
    **fetch_options,
) -> dict[str, Optional[Exception]]:
    """``load_url`` for each ``(url, folder)``: hosts in parallel (up to ``max_hosts``), one page at a
    time per host with ``delay`` seconds between two fetches. Returns url -> None (snapshot ready)
    or the error (a ``FetchError``, or whatever else went wrong with that page)."""
    by_host: dict[str, list[tuple[str, Path]]] = {}
    for url, folder in items:
        by_host.setdefault(host_key(check_url(url)), []).append((url, Path(folder)))
    results: dict[str, Optional[Exception]] = {}
    lock = threading.Lock()

    def one_host(entries: list[tuple[str, Path]]) -> None:
        with new_client(fetch_options.get("timeout", constants.FETCH_TIMEOUT_S)) as client:
            for i, (url, folder) in enumerate(entries):
                if i and delay > 0:
                    time.sleep(delay)
                error: Optional[Exception] = None
                try:
                    load_url(url, folder, published=published, refresh=refresh, client=client, **fetch_options)
                except Exception as exc:  # noqa: BLE001 - failure isolation: one page's error is recorded
                    error = exc
                with lock:
                    results[url] = error
                    if done:
                        done(url, error)

    if by_host:
        with ThreadPoolExecutor(max_workers=max(1, min(max_hosts, len(by_host))), thread_name_prefix="sourcecheck-fetch") as pool:
            list(pool.map(one_host, by_host.values()))
    return results
