"""Loading primary documents: the texts a journalist supplies to check quotes against.

A documents folder holds one file per document (``.txt``, ``.md``, ``.html``,
``.json``). Each carries metadata -- ``speaker``, ``channel``, ``date``, ``url``,
``title`` and optionally ``aliases`` (other names of the speaker) and ``note`` --
in YAML front matter (``.txt``/``.md``), in the fields of a ``.json`` document
(the text in ``"text"``), or in a sidecar ``<name>.meta.json`` / ``.meta.yaml``
beside the file (the sidecar wins; HTML documents need one unless the page's own
metadata is enough). ``README*`` files, sidecars and hidden files are not
documents; files of other types are skipped and listed in ``DocumentSet.skipped``.

Default folder: ``<article stem>.sources/`` beside the article, named like the
metadata sidecar (``seeds/ukraine-ceasefire.txt`` -> ``seeds/ukraine-ceasefire.sources/``).
``<article file name>.sources/`` (``ukraine-ceasefire.txt.sources/``) is accepted
too; having both is an error, because it is unclear which one the journalist meant.

A missing default folder means "no documents" (not an error). A document that
cannot be read raises ``PrimaryDocumentError`` naming the file and the problem.

Which documents are a speaker's: ``speaker_matches`` compares a claim's speaker with
the document's ``speaker`` and ``aliases`` (titles dropped, surnames with a matching
first initial, rapidfuzz token_set_ratio for longer names). In a transcript whose
turns are labelled ("Vladimir Putin: ...", "Question: ..."), ``other_turns`` marks
the stretches spoken by someone else.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Optional

from . import constants
from .errors import PrimaryDocumentError
from .model import dedupe_ids

META_FIELDS = ("speaker", "aliases", "channel", "date", "url", "title", "note")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_SIDECAR_SUFFIXES = (".meta.json", ".meta.yaml", ".meta.yml")


@dataclass
class PrimaryDocument:
    """One primary document. ``text`` is what offsets (passages) refer to."""

    id: str  # readable and stable: the file name slug ("trump-truth-social-2025-03-14")
    path: str
    text: str
    speaker: Optional[str] = None
    aliases: list[str] = field(default_factory=list)
    channel: Optional[str] = None
    date: Optional[str] = None  # ISO date
    url: Optional[str] = None
    title: Optional[str] = None
    note: Optional[str] = None
    format: str = "txt"

    @property
    def names(self) -> list[str]:
        """Every name the document's speaker goes by (speaker first)."""
        return [n for n in [self.speaker, *self.aliases] if n]

    def to_dict(self) -> dict:
        """Metadata only (the text can be long); ``chars`` gives its length."""
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "speaker": self.speaker,
            "aliases": list(self.aliases),
            "channel": self.channel,
            "date": self.date,
            "url": self.url,
            "note": self.note,
            "format": self.format,
            "chars": len(self.text),
        }


@dataclass
class DocumentSet:
    """The documents of one folder, plus what was skipped and why."""

    folder: Optional[str]
    documents: list[PrimaryDocument] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "name: reason"
    warnings: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)


# --------------------------------------------------------------------------- folder
def default_documents_dir(article_path: str | Path) -> Optional[Path]:
    """The default documents folder for an article, or None when there is none.

    Raises ``PrimaryDocumentError`` when both accepted names exist.
    """
    path = Path(article_path)
    stem = path.name.rsplit(".", 1)[0] if "." in path.name else path.name
    by_stem = path.with_name(stem + ".sources")
    by_name = path.with_name(path.name + ".sources")
    found = [p for p in dict.fromkeys((by_stem, by_name)) if p.is_dir()]
    if len(found) > 1:
        raise PrimaryDocumentError(
            f"{by_stem} and {by_name}: two documents folders for one article; "
            f"merge them into {by_stem.name}/"
        )
    return found[0] if found else None


def _is_sidecar(name: str) -> bool:
    return name.lower().endswith(_SIDECAR_SUFFIXES)


def load_documents(folder: str | Path | None) -> DocumentSet:
    """Load every document in ``folder`` (sorted by file name). ``None`` gives an empty set."""
    if folder is None:
        return DocumentSet(None)
    folder = Path(folder)
    if not folder.exists():
        raise PrimaryDocumentError(f"{folder}: documents folder not found (check the path, or leave it empty for none)")
    if not folder.is_dir():
        raise PrimaryDocumentError(f"{folder}: is a file, not a documents folder (give the folder that holds the documents)")
    out = DocumentSet(str(folder))
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith(".") or path.is_dir() or _is_sidecar(name):
            continue
        stem = name.rsplit(".", 1)[0].lower()
        if stem in constants.DOCUMENT_IGNORED_STEMS:
            continue
        if path.suffix.lower() not in constants.DOCUMENT_SUFFIXES:
            out.skipped.append(f"{name}: unsupported file type (use {', '.join(constants.DOCUMENT_SUFFIXES)})")
            continue
        doc = load_document(path)
        if not doc.speaker:
            out.warnings.append(
                f"{path}: no 'speaker' in its metadata; its passages are used only when a quote is not "
                f"found in its speaker's documents"
            )
        out.documents.append(doc)
    ids = dedupe_ids([d.id for d in out.documents])
    for d, i in zip(out.documents, ids):
        d.id = i
    return out


# --------------------------------------------------------------------------- one document
def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PrimaryDocumentError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if size > constants.MAX_DOCUMENT_BYTES:
        raise PrimaryDocumentError(
            f"{path}: document is too large ({size / 1e6:.1f} MB; the limit is "
            f"{constants.MAX_DOCUMENT_BYTES / 1e6:.0f} MB); keep the relevant part"
        )
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise PrimaryDocumentError(f"{path}: looks like a binary file, not a text document (save it as .txt, .html or .json)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PrimaryDocumentError(
            f"{path}: is not UTF-8 text (byte {exc.start}); re-save it as UTF-8"
        ) from exc


def _yaml_mapping(path: Path, raw: str, what: str) -> dict:
    import yaml

    try:
        meta = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0]
        raise PrimaryDocumentError(f"{path}: {what} is not valid YAML ({first}); fix or remove it") from exc
    if not isinstance(meta, dict):
        raise PrimaryDocumentError(f"{path}: {what} must be a mapping of field: value")
    return meta


def _sidecar(path: Path) -> dict:
    base = path.name.rsplit(".", 1)[0]
    for suffix in _SIDECAR_SUFFIXES:
        side = path.with_name(base + suffix)
        if side.exists():
            raw = _read_text(side)
            if suffix == ".meta.json":
                try:
                    meta = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise PrimaryDocumentError(f"{side}: metadata sidecar is not valid JSON ({exc.msg} at line {exc.lineno})") from exc
                if not isinstance(meta, dict):
                    raise PrimaryDocumentError(f"{side}: metadata sidecar must be a JSON object")
                return meta
            return _yaml_mapping(side, raw, "metadata sidecar")
    return {}


class _TextExtractor(HTMLParser):
    """Fallback HTML-to-text (block elements become line breaks; scripts and styles dropped)."""

    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript", "template"):
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _html_text(path: Path, raw: str) -> tuple[str, dict]:
    import trafilatura

    body = trafilatura.extract(raw, include_comments=False, include_tables=True, favor_recall=True)
    meta: dict = {}
    try:
        md = trafilatura.extract_metadata(raw)
    except Exception:  # noqa: BLE001 - page metadata is optional; the text is what matters
        md = None
    if md is not None:
        meta = {k: v for k, v in {"title": md.title, "url": md.url, "date": md.date, "speaker": md.author}.items() if v}
    if not body:
        parser = _TextExtractor()
        parser.feed(raw)
        body = "".join(parser.parts)
    return body, meta


def _normalise_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [ln.rstrip() for ln in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _date(path: Path, value: Any) -> Optional[str]:
    from .article import iso_date

    try:
        return iso_date(value, lenient=False)
    except ValueError:
        raise PrimaryDocumentError(f"{path}: metadata date {str(value).strip()!r} is not a date; use YYYY-MM-DD") from None


def _slug(name: str) -> str:
    from .article import slugify

    return slugify(name)


def load_document(path: str | Path) -> PrimaryDocument:
    """Load one document with its metadata; raise ``PrimaryDocumentError`` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise PrimaryDocumentError(f"{path}: document not found")
    suffix = path.suffix.lower()
    raw = _read_text(path)
    meta: dict = {}
    fmt = suffix.lstrip(".")
    if suffix in (".html", ".htm"):
        raw, meta = _html_text(path, raw)
        fmt = "html"
    elif suffix == ".json":
        from .article import json_text_object

        try:
            obj = json_text_object(raw)
        except ValueError as exc:
            raise PrimaryDocumentError(f"{path}: {exc}") from None
        raw = obj["text"]
        meta = {k: obj[k] for k in META_FIELDS if obj.get(k) is not None}
    else:
        m = _FRONT_MATTER.match(raw)
        if m:
            meta = _yaml_mapping(path, m.group(1), "front matter")
            raw = raw[m.end():]
        fmt = "md" if suffix in (".md", ".markdown") else "txt"
    meta.update({k: v for k, v in _sidecar(path).items() if v is not None})

    text = _normalise_text(raw)
    if not text:
        raise PrimaryDocumentError(f"{path}: document has no text (only metadata or whitespace)")
    aliases = meta.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise PrimaryDocumentError(f"{path}: metadata 'aliases' must be a list of names")
    speaker = meta.get("speaker")
    if isinstance(speaker, list):  # several speakers (a joint statement): first is the name, rest aliases
        names = [str(s) for s in speaker if s]
        speaker, aliases = (names[0] if names else None), names[1:] + aliases
    return PrimaryDocument(
        id=_slug(path.name.rsplit(".", 1)[0]),
        path=str(path),
        text=text,
        speaker=str(speaker) if speaker else None,
        aliases=list(aliases),
        channel=str(meta["channel"]) if meta.get("channel") else None,
        date=_date(path, meta.get("date")),
        url=str(meta["url"]) if meta.get("url") else None,
        title=str(meta["title"]) if meta.get("title") else None,
        note=str(meta["note"]) if meta.get("note") else None,
        format=fmt,
    )


# --------------------------------------------------------------------------- speakers
def name_tokens(name: str) -> list[str]:
    """A name as comparable words: lower case, "U.S." -> "us", possessives and titles dropped."""
    s = unicodedata.normalize("NFKC", name).lower().replace("’", "'")
    s = re.sub(r"\b([a-z])\.(?=[a-z]\.)", r"\1", s).replace(".", "")  # U.S. -> us
    s = re.sub(r"'s\b", "", s)
    words = re.findall(r"[\w-]+", s)
    return [w for w in words if w not in constants.SPEAKER_TITLES] or words  # "The Minister" stays a name


def speaker_matches(claim_speaker: Optional[str], doc: PrimaryDocument) -> bool:
    """Does the claim's speaker name one of the document's speaker names (fuzzy on names and surnames)?"""
    from rapidfuzz import fuzz

    if not claim_speaker:
        return False
    a = name_tokens(claim_speaker)
    if not a:
        return False
    for name in doc.names:
        b = name_tokens(name)
        if not b:
            continue
        if a == b or (len(a[-1]) >= 3 and a[-1] == b[-1] and (len(a) == 1 or len(b) == 1 or a[0][0] == b[0][0])):
            return True
        if min(len(a), len(b)) >= 2 and fuzz.token_set_ratio(" ".join(a), " ".join(b)) >= constants.SPEAKER_MATCH_MIN_SCORE:
            return True
    return False


#: A transcript turn: "Vladimir Putin: ...", "Question: ...", "**WALLACE**: ..." at a line start.
TURN_LABEL = re.compile(r"^[ \t]*(?:\*\*)?([A-Z][\w.'’ -]{0,40}?)(?:\*\*)?:[ \t]", re.M)


def other_turns(doc: PrimaryDocument) -> list[tuple[int, int, str]]:
    """Stretches of a transcript spoken by someone else: (start, end, label) from a "NAME:" /
    "Question:" line start that does not name the document's speaker to the next turn label."""
    turns = [(m.start(), m.group(1).strip()) for m in TURN_LABEL.finditer(doc.text) if len(m.group(1).split()) <= 4]
    if not any(speaker_matches(label, doc) for _, label in turns):
        return []  # not a transcript with the speaker's own turns labelled: nothing to exclude
    out = []
    for i, (pos, label) in enumerate(turns):
        if not speaker_matches(label, doc):
            end = turns[i + 1][0] if i + 1 < len(turns) else len(doc.text)
            out.append((pos, end, label))
    return out
