"""Loading an article: .txt / .md (optional YAML front matter), .html (trafilatura), .json.

The loaded ``Article.text`` is what the user sees; every offset in the pipeline
refers to it. Paragraph structure is kept (one paragraph per line, blank lines
collapsed); stand-alone web leftovers ("Recommended", "Advertisement") are
dropped and listed in ``Article.dropped_lines`` so nothing disappears silently.

Metadata (title, outlet, url, published, language, author) comes from, in order
of precedence: explicit arguments, a sidecar ``<name>.meta.json`` /
``<name>.meta.yaml`` / ``<name>.meta.yml``, front matter (``---`` YAML block at
the top of a .txt/.md file) or the fields of a .json article, and for HTML the
page's own metadata. Never from code.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import unicodedata
import warnings
from pathlib import Path
from typing import Any, Optional

from . import constants
from .errors import ArticleError, MetadataError
from .model import Article, Span

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json")
META_FIELDS = ("title", "outlet", "url", "published", "language", "author")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HTML_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_HTML_TAG = re.compile(r"</?(?:html|head|body|script|style|iframe|div|span|p|a|br|img|meta|link|article|section|nav|header|footer|ul|li|table|tr|td)\b[^>]{0,2000}>", re.I)
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"\xd0\xcf\x11\xe0": "an MS Office document",
    b"\x7fELF": "a program binary",
}


class ArticleWarning(UserWarning):
    """Something about the article is suspicious but it was loaded (encoding, language...)."""


def slugify(name: str) -> str:
    """A safe, readable slug: lowercase ASCII letters, digits and dashes only."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s[:80].strip("-") or "article"


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise ArticleError(path, "file not found", "check the path")
    if path.is_dir():
        raise ArticleError(path, "is a folder, not an article file", "give one article file, or use `sourcecheck batch` for a folder")
    size = path.stat().st_size
    if size > constants.MAX_ARTICLE_BYTES:
        raise ArticleError(
            path,
            f"file is too large ({size / 1e6:.1f} MB; the limit is {constants.MAX_ARTICLE_BYTES / 1e6:.1f} MB)",
            "split it into single articles",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(path, f"cannot be read: {exc.strerror or exc}") from exc
    return data


def _guess_decode(path: Path, data: bytes, warn: list[str]) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("cp1252")
            enc = "UTF-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "Windows-1252 (cp1252)"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            enc = "Latin-1"
        warn.append(f"{path}: not valid UTF-8; decoded as {enc}. Check special characters (quotes, accents).")
        return text


def _decode(path: Path, data: bytes, warn: list[str], encoding: Optional[str] = None) -> str:
    """Bytes to text. ``encoding`` (a web page's declared charset) is tried first, unless a BOM says otherwise."""
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ArticleError(path, f"is {what}, not a text article", "export the article text as .txt, .html or .json")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleError(path, "looks like a binary file (contains NUL bytes), not a text article")
    text = None
    if encoding and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            warn.append(f"{path}: not valid {encoding} as the page declares; decoded by guessing instead.")
    if text is None:
        text = _guess_decode(path, data, warn)
    printable = sum(1 for ch in text[:20000] if ch.isprintable() or ch.isspace())
    if text and printable / min(len(text), 20000) < constants.MIN_PRINTABLE_RATIO:
        raise ArticleError(path, "looks like a binary file (mostly unprintable characters), not a text article")
    return text


def _parse_yaml(path: Path, raw: str, what: str) -> dict:
    import yaml

    try:
        meta = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        raise MetadataError(path, f"{what} is not valid YAML: {exc}".splitlines()[0], "fix or remove it") from exc
    if not isinstance(meta, dict):
        raise MetadataError(path, f"{what} must be a mapping of field: value")
    return meta


def _sidecar(path: Path) -> dict:
    for suffix in (".meta.json", ".meta.yaml", ".meta.yml"):
        side = path.with_name(path.name.rsplit(".", 1)[0] + suffix) if "." in path.name else path.with_name(path.name + suffix)
        if side.exists():
            raw = side.read_text(encoding="utf-8")
            if suffix == ".meta.json":
                try:
                    meta = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise MetadataError(side, f"metadata sidecar is not valid JSON: {exc}", "fix or remove it") from exc
                if not isinstance(meta, dict):
                    raise MetadataError(side, "metadata sidecar must be a JSON object")
                return meta
            return _parse_yaml(side, raw, "metadata sidecar")
    return {}


def iso_date(value: Any, *, lenient: bool = True) -> Optional[str]:
    """A metadata date as ``YYYY-MM-DD`` (None when empty); ``ValueError`` when it is not a date.

    YAML gives ``date``/``datetime`` objects, JSON gives strings. ``lenient`` also
    accepts written dates ("March 14, 2025") through dateparser.
    """
    if value in (None, ""):
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    s = str(value).strip()
    try:
        return _dt.date.fromisoformat(s[:10]).isoformat()
    except ValueError:
        if not lenient:
            raise
    import dateparser

    d = dateparser.parse(s, settings={"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})
    if d is None:
        raise ValueError(f"{s!r} is not a date")
    return d.date().isoformat()


def json_text_object(raw: str) -> dict:
    """A JSON article or document: an object with a ``"text"`` string; ``ValueError`` says what is wrong."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise ValueError('JSON must be an object with a "text" string field')
    return obj


def _normalise_date(path: Path, value: Any) -> Optional[str]:
    try:
        return iso_date(value)
    except ValueError:
        raise MetadataError(path, f"publication date {str(value).strip()!r} is not a date", "use YYYY-MM-DD") from None


def _html_to_text(path: Path, raw: str) -> tuple[str, dict]:
    import trafilatura

    # No ``deduplicate``: trafilatura keeps its seen-paragraph cache for the whole process, so the
    # third load of the same page (a re-run, a batch worker, a notebook run twice) lost paragraphs.
    body = trafilatura.extract(raw, include_comments=False, include_tables=False, favor_precision=True, deduplicate=False)
    if not body:
        raise ArticleError(path, "no article text found in the HTML page", "save the article page itself, or paste its text into a .txt file")
    meta: dict = {}
    try:
        md = trafilatura.extract_metadata(raw)
    except Exception:  # noqa: BLE001 - metadata is optional; the text was extracted
        md = None
    if md is not None:
        meta = {"title": md.title, "outlet": md.sitename, "url": md.url, "published": md.date, "author": md.author}
    return body, {k: v for k, v in meta.items() if v}


def _clean(text: str) -> tuple[str, list[str]]:
    """Normalise line ends, keep one paragraph per line, drop stand-alone web leftovers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept, dropped = [], []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.lower().rstrip(":.") in constants.BOILERPLATE_LINES:
            dropped.append(stripped)
            continue
        kept.append(line.rstrip())
    return "\n".join(kept), dropped


def _paragraphs(text: str) -> list[Span]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            out.append(Span.of(text, pos + lead, pos + len(line.rstrip())))
        pos += len(line) + 1
    return out


def _looks_like_html(raw: str) -> bool:
    """A web page saved with a text suffix: starts like HTML, or is dense with HTML tags."""
    if _HTML_START.match(raw):
        return True
    tags = _HTML_TAG.findall(raw[:200_000])
    return len(tags) >= constants.HTML_IN_TEXT_MIN_TAGS and sum(map(len, tags)) > constants.HTML_IN_TEXT_MARKUP_SHARE * min(len(raw), 200_000)


def _language_warning(path: Path, text: str) -> Optional[str]:
    sample = text[:5000]
    words = sample.lower().split()
    if len(words) < 20:
        return None
    if sum(w.strip(".,;:!?\"'“”‘’()") in constants.ENGLISH_FUNCTION_WORDS for w in words) >= constants.ENGLISH_FUNCTION_WORD_SHARE * len(words):
        return None  # plainly English: skip loading the language model (most articles)
    import py3langid

    lang, _score = py3langid.classify(sample)
    if lang != "en":
        return f"{path}: the text looks like language {lang!r}, not English; the English pipeline will miss most attributions."
    return None


def load_article(
    path: str | Path,
    published: Optional[str] = None,
    *,
    title: Optional[str] = None,
    outlet: Optional[str] = None,
    url: Optional[str] = None,
    language: Optional[str] = None,
    slug: Optional[str] = None,
    data: Optional[bytes] = None,
    encoding: Optional[str] = None,
) -> Article:
    """Load an article file; raise ``ArticleError`` naming the file and the problem.

    ``data``: the file's bytes, already in memory (a fetched page before its snapshot is
    written; ``path`` still names it and finds its sidecar). ``encoding``: the charset the
    bytes declare (a web page's), tried before guessing.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleError(path, f"unsupported file type {suffix or '(none)'!r}", f"use one of {', '.join(SUPPORTED_SUFFIXES)}")
    data = _read_bytes(path) if data is None else data
    if not data:
        raise ArticleError(path, "is empty (0 bytes)", "nothing to check")
    if not data.strip():
        raise ArticleError(path, "contains only whitespace", "nothing to check")
    warn: list[str] = []
    raw = _decode(path, data, warn, encoding)
    if not raw.strip():
        raise ArticleError(path, "contains only whitespace", "nothing to check")
    if suffix in (".txt", ".md", ".markdown") and _looks_like_html(raw):
        warn.append(f"{path}: looks like an HTML page saved as {suffix}; the article text was extracted from the HTML.")
        suffix = ".html"

    meta: dict = {}
    fmt = suffix.lstrip(".")
    if suffix in (".html", ".htm"):
        raw, meta = _html_to_text(path, raw)
        fmt = "html"
    elif suffix == ".json":
        try:
            obj = json_text_object(raw)
        except ValueError as exc:
            raise ArticleError(path, str(exc)) from None
        raw = obj["text"]
        meta = {k: obj.get(k) for k in META_FIELDS if obj.get(k) is not None}
        if "publication_date" in obj and "published" not in meta:
            meta["published"] = obj["publication_date"]
        if "publisher" in obj and "outlet" not in meta:
            meta["outlet"] = obj["publisher"]
    else:
        m = _FRONT_MATTER.match(raw)
        if m:
            meta = _parse_yaml(path, m.group(1), "front matter")
            raw = raw[m.end():]
        fmt = "md" if suffix in (".md", ".markdown") else "txt"

    meta.update({k: v for k, v in _sidecar(path).items() if v is not None})
    explicit = {"published": published, "title": title, "outlet": outlet, "url": url, "language": language}
    meta.update({k: v for k, v in explicit.items() if v not in (None, "")})
    unknown = sorted(set(meta) - set(META_FIELDS) - {"publication_date", "publisher", "id", "split", "annotator", "attributions", "text", "note", "notes"})

    text, dropped = _clean(raw)
    if not text.strip():
        raise ArticleError(path, "has no article text left after removing page leftovers")
    lang_warn = _language_warning(path, text) if not meta.get("language") or meta.get("language") == "en" else None
    if lang_warn:
        warn.append(lang_warn)
    if unknown:
        warn.append(f"{path}: ignored unknown metadata field(s): {', '.join(unknown)}")
    for w in warn:
        warnings.warn(w, ArticleWarning, stacklevel=2)

    return Article(
        text=text,
        path=str(path),
        slug=slug or slugify(path.name.rsplit(".", 1)[0]),
        title=(str(meta["title"]) if meta.get("title") else None),
        outlet=(str(meta["outlet"]) if meta.get("outlet") else None),
        url=(str(meta["url"]) if meta.get("url") else None),
        published=_normalise_date(path, meta.get("published")),
        language=str(meta.get("language") or "en"),
        author=(str(meta["author"]) if meta.get("author") else None),
        paragraphs=_paragraphs(text),
        dropped_lines=dropped,
        warnings=warn,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source_format=fmt,
    )


def article_from_text(text: str, *, slug: str = "text", published: Optional[str] = None, title: Optional[str] = None) -> Article:
    """Build an Article from a string already in memory (evaluation, tests). The text is kept byte-exact."""
    return Article(
        text=text,
        path=f"<{slug}>",
        slug=slugify(slug),
        title=title,
        published=published,
        paragraphs=_paragraphs(text),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source_format="text",
    )
