"""sourcecheck.fetch: articles from their web address, with a snapshot of what was checked.

No outside network: a local HTTP server on 127.0.0.1, started here, serves the pages in
``tests/fixtures/web/`` and the bad cases (redirects, a slow answer, 404/410, 401/403, a
PDF, an oversized page, a consent wall, a page that changes between fetches) and counts
every request, so the tests can prove a re-run reads the snapshot without a second one.
The DNS failure uses a name under the reserved ``.invalid`` top-level domain.
"""
from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time
import warnings
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import run_cli
from sourcecheck import __version__, batch, constants, fetch
from sourcecheck.article import ArticleWarning
from sourcecheck.errors import ArticleError, FetchError

WEB = Path(__file__).parent / "fixtures" / "web"
ARTICLE = (WEB / "article.html").read_bytes()
UPDATED = (WEB / "article-updated.html").read_bytes()
ARTICLE_PATH = "/news/council-delays-bridge-vote.html"
HUGE = constants.FETCH_MAX_BYTES + 1_000_000
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


# --------------------------------------------------------------------------- the local server
class Pages(ThreadingHTTPServer):
    """Fixture pages on 127.0.0.1; ``counts[path]`` requests so far, ``log`` (host, path, start, end, user agent)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.counts: Counter = Counter()
        self.log: list[dict] = []
        self.lock = threading.Lock()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server_address[1]}{path}"


class Handler(BaseHTTPRequestHandler):
    server: Pages

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        host = self.headers.get("Host", "")
        srv = self.server
        with srv.lock:
            srv.counts[path] += 1
            n = srv.counts[path]
            entry = {"host": host, "path": path, "start": time.monotonic(), "ua": self.headers.get("User-Agent", "")}
            srv.log.append(entry)
        try:
            self.route(path, n)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (too large, timeout): expected
        finally:
            with srv.lock:
                entry["end"] = time.monotonic()

    def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", headers=(), length=True):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def route(self, path: str, n: int) -> None:
        page = (WEB / path.lstrip("/")) if path.count("/") == 1 else None
        if path in (ARTICLE_PATH, "/second/bridge-story.html"):
            self.send(200, ARTICLE)
        elif path == "/changing.html":
            self.send(200, ARTICLE if n == 1 else UPDATED)
        elif path == "/old/bridge":
            self.send(301, b"", headers=[("Location", "/moved/bridge")])
        elif path == "/moved/bridge":
            self.send(302, b"", headers=[("Location", ARTICLE_PATH)])
        elif path == "/loop":
            self.send(302, b"", headers=[("Location", "/loop")])
        elif path == "/to-credentials":
            self.send(302, b"", headers=[("Location", f"http://ed:hunter2@127.0.0.1:{self.server.server_address[1]}/x")])
        elif path == "/slow.html":
            time.sleep(2.0)
            self.send(200, ARTICLE)
        elif path.startswith("/paced/"):
            time.sleep(0.3)
            self.send(200, ARTICLE)
        elif path == "/missing.html":
            self.send(404, b"<html><body><h1>Not found</h1></body></html>")
        elif path == "/gone.html":
            self.send(410, b"<html><body><h1>Gone</h1></body></html>")
        elif path == "/paywall.html":
            self.send(403, b"<html><body><h1>Subscribe to read</h1></body></html>")
        elif path == "/login.html":
            self.send(401, b"<html><body><h1>Log in</h1></body></html>", headers=[("WWW-Authenticate", 'Basic realm="x"')])
        elif path == "/report.pdf":
            self.send(200, PDF, ctype="application/pdf")
        elif path == "/photo.png":
            self.send(200, PNG, ctype="image/png")
        elif path == "/pdf-as-html.html":
            self.send(200, PDF)
        elif path == "/huge.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(HUGE))
            self.end_headers()
            self.wfile.write(b"<html><body>" + b"x" * 65536)
        elif path == "/huge-unannounced.html":  # no Content-Length: the body runs until the connection closes
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"filler " * 9000 + b"</p>\n"
            for _ in range(HUGE // len(chunk) + 2):
                self.wfile.write(chunk)
        elif path == "/flaky.html":
            if n == 1:
                self.send(503, b"busy", headers=[("Retry-After", "0")])
            else:
                self.send(200, ARTICLE)
        elif path == "/busy.html":
            self.send(429, b"slow down", headers=[("Retry-After", "0")])
        elif path == "/broken.html":
            self.send(500, b"oops")
        elif path == "/latin1.html":
            body = ARTICLE.decode("utf-8").replace("“", '"').replace("”", '"').replace("’", "'")
            body = body.replace("Maria Lopez", "Mar\u00eda L\u00f3pez")
            self.send(200, body.encode("iso-8859-1"), ctype="text/html; charset=ISO-8859-1")
        elif page is not None and page.suffix == ".html" and page.is_file():
            self.send(200, page.read_bytes())
        else:
            self.send(404, b"not here")


@pytest.fixture(scope="session")
def server():
    srv = Pages()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """A proxy configured on the machine must not carry the requests to 127.0.0.1."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quiet_load(url, folder, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        article = fetch.load_url(url, folder, **kw)
    return article, [str(w.message) for w in caught if issubclass(w.category, ArticleWarning)]


# --------------------------------------------------------------------------- addresses
@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://example.org/a", True), ("HTTP://example.org", True), ("  http://x.org/", True),
        ("example.org/a", False), ("ftp://example.org/a", False), ("seeds/ukraine-ceasefire.txt", False),
        ("file:///etc/passwd", False), (Path("https://example.org/a"), False),
    ],
)
def test_is_url(value, expected):
    assert fetch.is_url(value) is expected


@pytest.mark.parametrize(
    "url, slug",
    [
        ("https://www.example.org/2025/03/14/council-delays-bridge-vote.html", "example-org-council-delays-bridge-vote"),
        ("https://example.org/", "example-org"),
        ("https://example.org/story.php?id=12", "example-org-story-id-12"),
        ("https://news.example.org/world/Caf%C3%A9-Z%C3%BCrich/", "news-example-org-cafe-zurich"),
    ],
)
def test_url_slug_is_safe_and_readable(url, slug):
    assert fetch.url_slug(url) == slug
    assert re.fullmatch(r"[a-z0-9-]+", slug)


def test_check_url_normalises_and_refuses_credentials():
    assert fetch.check_url("HTTPS://Example.ORG/Path?q=1#section") == "https://example.org/Path?q=1"
    assert fetch.check_url("http://example.org") == "http://example.org/"
    for bad in ("https://ed:hunter2@example.org/story", "https://ed@example.org/story"):
        with pytest.raises(FetchError) as info:
            fetch.check_url(bad)
        assert info.value.kind == "credentials"
        assert "hunter2" not in str(info.value) and "ed@" not in str(info.value)
        assert "https://***@example.org/story" in str(info.value)
    for bad in ("https://", "https://exa mple.org/", "https://example.org:99999/"):
        with pytest.raises(FetchError) as info:
            fetch.check_url(bad)
        assert info.value.kind == "invalid"


# --------------------------------------------------------------------------- one page
def test_fetch_sends_user_agent_and_records_redirects(server):
    page = fetch.fetch_page(server.url("/old/bridge"))
    assert page.status == 200 and page.body == ARTICLE
    assert page.requested_url == server.url("/old/bridge")
    assert page.final_url == server.url(ARTICLE_PATH)
    assert [r["status"] for r in page.redirects] == [301, 302]
    assert page.redirects[1]["url"] == server.url("/moved/bridge")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", page.fetched_at)
    assert page.encoding == "utf-8"
    agents = {e["ua"] for e in server.log if e["path"] in ("/old/bridge", ARTICLE_PATH)}
    assert agents == {f"sourcecheck/{__version__}"}


def test_retry_with_backoff_on_5xx_then_success(server):
    before = server.counts["/flaky.html"]
    page = fetch.fetch_page(server.url("/flaky.html"), backoff=0.01)
    assert page.status == 200 and page.attempts == 2
    assert server.counts["/flaky.html"] - before == 2


@pytest.mark.parametrize("path, status", [("/busy.html", 429), ("/broken.html", 500)])
def test_retries_give_up_with_the_status(server, path, status):
    before = server.counts[path]
    with pytest.raises(FetchError) as info:
        fetch.fetch_page(server.url(path), attempts=3, backoff=0.01)
    assert server.counts[path] - before == 3
    assert f"HTTP {status}" in str(info.value) and "after 3 tries" in str(info.value)


def test_declared_charset_is_used(server, tmp_path):
    article, _ = quiet_load(server.url("/latin1.html"), tmp_path / "latin1")
    assert "María López" in article.text
    assert json.loads((tmp_path / "latin1" / "source.json").read_text())["encoding"] == "iso8859-1"
    again, _ = quiet_load(server.url("/latin1.html"), tmp_path / "latin1")
    assert again.text == article.text


# --------------------------------------------------------------------------- bad input: one clear line each
BAD = [
    # (path or address, kind, words the line must contain, options)
    ("refused", "refused", "connection to 127.0.0.1 was refused", {}),
    ("dns", "dns", "sourcecheck-test.invalid could not be found (DNS failure)", {}),
    ("/slow.html", "timeout", "no answer within 0.5 s (timeout)", {"timeout": 0.5}),
    ("/missing.html", "not_found", "page not found (HTTP 404)", {}),
    ("/gone.html", "not_found", "the page is gone (HTTP 410)", {}),
    ("/login.html", "forbidden", "access refused (HTTP 401): a paywall or a login page?", {}),
    ("/paywall.html", "forbidden", "access refused (HTTP 403): a paywall or a login page?", {}),
    ("/report.pdf", "not_html", "is a PDF document (application/pdf), not a web page", {}),
    ("/photo.png", "not_html", "is an image (image/png), not a web page", {}),
    ("/pdf-as-html.html", "not_html", "is a PDF document, not a text article", {}),
    ("/huge.html", "too_large", "the page is too large (11.0 MB; the 10 MB limit)", {}),
    ("/huge-unannounced.html", "too_large", "the page is too large (more than the 10 MB limit)", {}),
    ("/consent.html", "no_text", "the page is a cookie or consent wall, not the article", {}),
    ("/index.html", "no_text", "no article text could be extracted from the page (1 words: an index page", {}),
    ("/loop", "http", "more than 10 redirects", {}),
    ("/to-credentials", "invalid", "redirects to an address sourcecheck will not follow (http://***@127.0.0.1", {}),
]


def bad_url(server, what: str) -> str:
    if what == "refused":
        return f"http://127.0.0.1:{closed_port()}/story.html"
    if what == "dns":
        return "http://sourcecheck-test.invalid/story.html"
    return server.url(what)


@pytest.mark.parametrize("what, kind, words, options", BAD, ids=[b[0] for b in BAD])
def test_bad_address_one_clear_line_and_nothing_written(server, tmp_path, what, kind, words, options):
    url = bad_url(server, what)
    folder = tmp_path / "out"
    with pytest.raises(FetchError) as info:
        fetch.load_url(url, folder, **options)
    err = info.value
    assert err.kind == kind
    line = str(err)
    assert "\n" not in line and line.startswith(url + ": ")
    assert words in line, line
    assert not folder.exists(), "a failed fetch must leave nothing behind"
    assert isinstance(err, ArticleError)  # a bad article like any other, for the CLI and the batch


@pytest.mark.parametrize("what", ["/missing.html", "/paywall.html", "/report.pdf", "/consent.html", "dns", "refused"])
def test_cli_says_it_in_one_line(server, tmp_path, what):
    url = bad_url(server, what)
    proc = run_cli("analyze", url, "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"sourcecheck: error: {url}: "), proc.stderr
    assert proc.stdout == "" and not (tmp_path / "out").exists()


def test_credentials_refused_before_any_request_and_never_printed(server, tmp_path):
    before = sum(server.counts.values())
    url = server.url(ARTICLE_PATH).replace("http://", "http://ed:hunter2@")
    proc = run_cli("run", url, "--out", tmp_path / "out", "--verdicts-db", tmp_path / "v.sqlite", cwd=tmp_path)
    assert proc.returncode == 1
    assert "user name or password" in proc.stderr
    assert "hunter2" not in proc.stderr + proc.stdout and "ed:" not in proc.stderr
    assert sum(server.counts.values()) == before
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- the snapshot
def test_first_fetch_writes_snapshot_and_provenance(server, tmp_path):
    folder = tmp_path / "out"
    url = server.url("/old/bridge")
    article, _ = quiet_load(url, folder)
    assert (folder / "page.html").read_bytes() == ARTICLE
    src = json.loads((folder / "source.json").read_text(encoding="utf-8"))
    assert src["schema"] == "sourcecheck.source/1"
    assert src["requested_url"] == url and src["final_url"] == server.url(ARTICLE_PATH)
    assert src["status"] == 200 and src["content_type"].startswith("text/html")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", src["fetched_at"])
    assert src["sha256"] == hashlib.sha256(ARTICLE).hexdigest() and src["bytes"] == len(ARTICLE)
    assert src["text_length"] == len(article.text) and src["text_sha256"] == article.sha256
    assert src["user_agent"] == f"sourcecheck/{__version__}"
    # Metadata from the page's <meta>, OpenGraph and JSON-LD, through the HTML loader.
    assert article.title == "Council delays vote on river bridge"
    assert article.outlet == "Riverside Ledger" and article.author == "Dana Okafor"
    assert article.published == "2025-03-14"
    assert article.url == "https://news.example.org/2025/03/14/council-delays-bridge-vote"  # the page's canonical address
    assert article.slug == "127-0-0-1-bridge" and article.source_format == "html"
    assert article.fetched["requested_url"] == url and article.fetched["snapshot"] == str(folder / "page.html")
    assert "Advertisement" not in article.text and "Subscribe now" not in article.text
    assert not list(folder.glob(".*")), "no temporary files left"


def test_rerun_reads_the_snapshot_without_a_request(server, tmp_path):
    url = server.url("/second/bridge-story.html")
    first, _ = quiet_load(url, tmp_path / "out")
    assert server.counts["/second/bridge-story.html"] == 1
    again, _ = quiet_load(url, tmp_path / "out")
    assert server.counts["/second/bridge-story.html"] == 1
    assert again.text == first.text and again.sha256 == first.sha256 and again.fetched == first.fetched
    assert not fetch.needs_fetch(url, tmp_path / "out") and fetch.needs_fetch(url, tmp_path / "out", refresh=True)


def test_metadata_precedence_parameters_then_sidecar_then_page(server, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "page.meta.json").write_text(json.dumps({"published": "2025-03-13", "outlet": "Ledger (print)"}), encoding="utf-8")
    article, _ = quiet_load(server.url(ARTICLE_PATH), folder, published="2025-03-20")
    assert article.published == "2025-03-20"  # parameter
    assert article.outlet == "Ledger (print)"  # sidecar beside the snapshot
    assert article.author == "Dana Okafor"  # the page
    again, _ = quiet_load(server.url(ARTICLE_PATH), folder)
    assert again.published == "2025-03-13"


def test_edited_snapshot_is_refused_not_silently_refetched(server, tmp_path):
    url = server.url(ARTICLE_PATH)
    quiet_load(url, tmp_path / "out")
    (tmp_path / "out" / "page.html").write_bytes(ARTICLE.replace(b"$40 million", b"$4 million"))
    with pytest.raises(FetchError) as info:
        fetch.load_url(url, tmp_path / "out")
    assert info.value.kind == "snapshot" and "does not match the sha256" in str(info.value) and "--refresh" in str(info.value)


def test_folder_holding_another_address_is_refused(server, tmp_path):
    quiet_load(server.url(ARTICLE_PATH), tmp_path / "out")
    with pytest.raises(FetchError) as info:
        fetch.load_url(server.url("/second/bridge-story.html"), tmp_path / "out")
    assert info.value.kind == "snapshot" and "holds the snapshot of another address" in str(info.value)


def test_failed_refresh_keeps_the_snapshot(server, tmp_path):
    url = server.url(ARTICLE_PATH)
    quiet_load(url, tmp_path / "out")
    before = sorted((p.name, p.read_bytes()) for p in (tmp_path / "out").iterdir())
    with pytest.raises(FetchError):
        fetch.load_url(url, tmp_path / "out", refresh=True, max_bytes=100)
    assert sorted((p.name, p.read_bytes()) for p in (tmp_path / "out").iterdir()) == before


def test_refresh_of_a_changed_page_says_so_and_orphans_are_listed(server, tmp_path, nlp):
    from sourcecheck.pipeline import analyze_article
    from sourcecheck.review import VerdictStore

    url = server.url("/changing.html")
    folder = tmp_path / "out"
    first, notes = quiet_load(url, folder)
    assert not notes
    analysis = analyze_article(first, nlp=nlp)
    gone = next(c for c in analysis.claims if "$40 million" in c.text)
    kept = next(c for c in analysis.claims if "rush a decision" in c.text)
    store = VerdictStore(tmp_path / "v.sqlite")
    store.record(first, gone, "needs_follow_up", reviewer="ana")
    store.record(first, kept, "verified", reviewer="ana")

    same, _ = quiet_load(url, folder)  # no refresh: the snapshot, same text
    assert same.sha256 == first.sha256 and server.counts["/changing.html"] == 1

    fresh, notes = quiet_load(url, folder, refresh=True)
    assert server.counts["/changing.html"] == 2
    assert fresh.sha256 != first.sha256 and "$90 million" in fresh.text
    assert len(notes) == 1 and "text changed between the snapshot of" in notes[0] and "orphans" in notes[0]
    assert notes[0] in fresh.warnings
    src = json.loads((folder / "source.json").read_text(encoding="utf-8"))
    assert src["text_changed"] is True and src["previous"]["text_sha256"] == first.sha256
    kept_dir = folder / src["previous"]["kept_as"]
    assert (kept_dir / "page.html").read_bytes() == ARTICLE  # the text the first verdicts were recorded on

    state = store.for_analysis(analyze_article(fresh, nlp=nlp))
    assert [v.claim_id for v in state.orphans] == [gone.id]
    assert kept.id in state.latest

    unchanged, notes = quiet_load(url, folder, refresh=True)  # served the same updated page again
    assert unchanged.sha256 == fresh.sha256 and not notes
    assert json.loads((folder / "source.json").read_text(encoding="utf-8"))["text_changed"] is False


# --------------------------------------------------------------------------- batch fetching
def test_fetch_many_one_page_at_a_time_per_host_with_a_delay(server, tmp_path):
    port = server.server_address[1]
    items = [(server.url(f"/paced/{i}.html"), tmp_path / f"a{i}") for i in range(3)]
    items += [(server.url(f"/paced/{i}.html", host="localhost"), tmp_path / f"b{i}") for i in range(3, 5)]
    items.append((server.url("/missing.html"), tmp_path / "missing"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = fetch.fetch_many(items, delay=0.2)
    assert set(results) == {u for u, _ in items}
    assert isinstance(results[server.url("/missing.html")], FetchError)
    assert all(results[u] is None for u, _ in items if "paced" in u)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        log = sorted((e for e in server.log if e["host"] == host and e["path"].startswith("/paced/")), key=lambda e: e["start"])
        assert len(log) == (3 if host.startswith("127") else 2)
        for a, b in zip(log, log[1:]):
            assert b["start"] >= a["end"], "two requests to one host at once"
            assert b["start"] - a["end"] >= 0.18, "no delay between two fetches from one host"
    a_hosts = [e for e in server.log if e["path"].startswith("/paced/")]
    spans = {h: (min(e["start"] for e in a_hosts if e["host"] == h), max(e["end"] for e in a_hosts if e["host"] == h))
             for h in (f"127.0.0.1:{port}", f"localhost:{port}")}
    (s1, e1), (s2, e2) = spans.values()
    assert s1 < e2 and s2 < e1, "the two hosts were not fetched side by side"


def test_discover_reads_address_lists_with_comments_and_paths(server, tmp_path):
    (tmp_path / "local.txt").write_text("The mayor said the bridge would open on Monday.\n", encoding="utf-8")
    lst = tmp_path / "addresses.txt"
    lst.write_text(
        "# morning run\n\n"
        f"{server.url(ARTICLE_PATH)}\n"
        f"  {server.url('/second/bridge-story.html')}#comments  \n"
        "local.txt\n"
        "missing.txt\n"
        "https://ed:hunter2@example.org/story\n",
        encoding="utf-8",
    )
    found, problems, warns = batch.discover([lst, server.url(ARTICLE_PATH)])
    assert found == [server.url(ARTICLE_PATH), server.url("/second/bridge-story.html"), (tmp_path / "local.txt").resolve()]
    assert [p[0] for p in problems] == [f"{lst}:6: missing.txt", f"{lst}:7: https://***@example.org/story"]
    assert "hunter2" not in json.dumps(problems)
    article_txt = tmp_path / "article.txt"
    article_txt.write_text("The mayor said so.\nSee https://example.org/a for more.\nOthers disagreed.\n", encoding="utf-8")
    assert batch.read_list(article_txt) is None  # an article that mentions an address is still an article
    slugs = batch.assign_slugs(["https://a.example/x/index.html", "https://a.example/y/index.html", "https://b.example/index.html"])
    assert sorted(slugs.values()) == ["a-example-x-index", "a-example-y-index", "b-example-index"]


# --------------------------------------------------------------------------- end to end (papermill, for real)
def test_notebook_end_to_end_on_a_served_page_and_rerun_without_a_request(server, tmp_path):
    url = server.url("/old/bridge")
    out, db = tmp_path / "out", tmp_path / "verdicts.sqlite"
    counted = ("/old/bridge", "/moved/bridge", ARTICLE_PATH)
    before = sum(server.counts[p] for p in counted)
    proc = run_cli("run", url, "--out", out, "--verdicts-db", db, "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == str(out / "report.html")
    assert sum(server.counts[p] for p in counted) - before == 3  # one fetch: two redirects and the page
    src = json.loads((out / "source.json").read_text(encoding="utf-8"))
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Council delays vote on river bridge" in report and "Riverside Ledger" in report
    assert f"Snapshot of {server.url(ARTICLE_PATH)} fetched {src['fetched_at'].replace('T', ' ').replace('Z', ' UTC')}" in report
    assert url in report and "Redirected to" in report
    analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert analysis["article"]["fetched"]["sha256"] == src["sha256"]
    assert analysis["claims"] and analysis["article"]["path"] == str(out / "page.html")

    proc = run_cli("run", url, "--out", out, "--verdicts-db", db, "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sum(server.counts[p] for p in counted) - before == 3, "the re-run fetched the page again"
    assert json.loads((out / "source.json").read_text(encoding="utf-8")) == src
    assert json.loads((out / "analysis.json").read_text(encoding="utf-8"))["article"]["sha256"] == analysis["article"]["sha256"]


def test_batch_of_addresses_with_one_failing_then_snapshots_without_requests(server, tmp_path, monkeypatch):
    # Other work edits the package while tests run: pin the code fingerprint so the second batch can skip.
    monkeypatch.setattr(batch, "code_fingerprint", lambda: {"version": "test", "package_sha256": "p", "notebook_sha256": "n"})
    work = tmp_path / "work"
    work.mkdir()
    (work / "local.txt").write_text(
        "The mayor said the bridge would open on Monday.\n“We are ready,” a city spokesman told reporters on Friday.\n",
        encoding="utf-8",
    )
    good = [server.url(ARTICLE_PATH), server.url("/second/bridge-story.html", host="localhost")]
    bad = server.url("/missing.html")
    (work / "morning.txt").write_text(
        "# addresses for the morning desk\n" + f"{good[0]}\n\n{bad}\n# a file too\nlocal.txt\n{good[1]}\n", encoding="utf-8"
    )
    out = tmp_path / "batch"
    paths = (ARTICLE_PATH, "/second/bridge-story.html", "/missing.html")
    before = {p: server.counts[p] for p in paths}
    result = batch.run_batch([str(work / "morning.txt")], out, workers=2, progress=False)
    summary = batch.format_summary(result)
    assert result.exit_code == 1
    missing_slug = "127-0-0-1-missing"
    assert f"FAILED   {missing_slug}: {bad}: page not found (HTTP 404)" in summary
    assert "3 ok, 0 up to date (skipped), 1 failed" in summary, summary
    manifest = json.loads((out / missing_slug / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and "page not found (HTTP 404)" in manifest["error"]
    assert manifest["article_path"] == bad
    assert not (out / missing_slug / "report.html").exists() and not (out / missing_slug / "page.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "page not found (HTTP 404)" in index and good[1] in index
    for slug in ("127-0-0-1-council-delays-bridge-vote", "localhost-bridge-story"):
        assert (out / slug / "report.html").is_file() and (out / slug / "page.html").is_file()
        assert "Snapshot of" in (out / slug / "report.html").read_text(encoding="utf-8")
        assert json.loads((out / slug / "run.json").read_text(encoding="utf-8"))["status"] == "ok"
    assert {p: server.counts[p] - before[p] for p in paths} == {ARTICLE_PATH: 1, "/second/bridge-story.html": 1, "/missing.html": 1}

    again = batch.run_batch([str(work / "morning.txt")], out, workers=2, progress=False)
    assert "3 up to date (skipped), 1 failed" in batch.format_summary(again)
    # The snapshots answered: no second request for the pages; the failed address is tried again.
    assert {p: server.counts[p] - before[p] for p in paths} == {ARTICLE_PATH: 1, "/second/bridge-story.html": 1, "/missing.html": 2}

    refreshed = batch.run_batch([str(work / "morning.txt")], out, workers=2, progress=False, refresh=True, fetch_delay=0.1)
    assert "0 ok, 3 up to date (skipped), 1 failed" in batch.format_summary(refreshed)  # the same pages: nothing to re-run
    assert {p: server.counts[p] - before[p] for p in paths} == {ARTICLE_PATH: 2, "/second/bridge-story.html": 2, "/missing.html": 3}
