"""Reviewer verdicts: an append-only SQLite store, the review queue, and the static table.

A verdict is a journalist's decision on one claim (``constants.VERDICT_LABELS``)
with a note, the reviewer's name and a UTC time. Verdicts are keyed by the
article slug and the claim's stable id (derived from the article content and the
span, never from run order), so a re-run, a fresh kernel or another machine with
the same file shows them again.

Nothing is lost:

* the ``verdicts`` table is append-only (triggers refuse UPDATE and DELETE); the
  *latest* verdict per claim is a query (highest ``seq`` wins), the history stays;
* the database runs in WAL mode and every write is one ``BEGIN IMMEDIATE``
  transaction with a busy timeout, so two kernels reviewing the same article at
  once both get their rows in, and a kernel killed mid-write leaves a readable
  database holding every committed row;
* after the article is lightly edited, claims that still exist keep their
  verdicts (same id); verdicts whose claim id is no longer in the analysis are
  *orphans*: listed by :meth:`VerdictStore.orphans`, never deleted.

The interactive panel lives in ``sourcecheck.review_panel``; decisions always come
from this store, never from widget state, so a headless (papermill) run shows
the same verdicts as a static table.
"""
from __future__ import annotations

import datetime as _dt
import html
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from . import constants
from .errors import ReviewStoreError
from .model import Analysis, Article, Claim, Flag, Relation

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS verdicts (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    article_slug TEXT NOT NULL,
    article_sha  TEXT NOT NULL,
    claim_id     TEXT NOT NULL,
    claim_text   TEXT NOT NULL,
    verdict      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    reviewer     TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verdicts_by_claim ON verdicts (article_slug, claim_id, seq);
CREATE TRIGGER IF NOT EXISTS verdicts_no_update BEFORE UPDATE ON verdicts
BEGIN SELECT RAISE(ABORT, 'verdicts are append-only: record a new verdict instead'); END;
CREATE TRIGGER IF NOT EXISTS verdicts_no_delete BEFORE DELETE ON verdicts
BEGIN SELECT RAISE(ABORT, 'verdicts are append-only: record a new verdict instead'); END;
CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_COLUMNS = ("seq", "article_slug", "article_sha", "claim_id", "claim_text", "verdict", "note", "reviewer", "created_at")


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Verdict:
    """One recorded decision (a row of the ``verdicts`` table)."""

    seq: int
    article_slug: str
    article_sha: str
    claim_id: str
    claim_text: str
    verdict: str  # a key of constants.VERDICT_LABELS
    note: str
    reviewer: str
    created_at: str  # ISO 8601, UTC, e.g. 2026-11-27T01:02:03.456789+00:00

    @property
    def label(self) -> str:
        return verdict_label(self.verdict)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["label"] = self.label
        return d


def verdict_label(verdict: str) -> str:
    """Readable label for a stored verdict key (``needs_follow_up`` -> ``Needs follow-up``)."""
    return constants.VERDICT_LABELS.get(verdict, verdict)


def normalise_verdict(value: str) -> str:
    """Accept a key or a label in any case (``"Needs follow-up"``, ``needs-follow-up``); return the key.

    Raises ``ValueError`` for anything else (the store turns it into ``ReviewStoreError``).
    """
    v = str(value or "").strip().lower().replace("-", "_").replace(" ", "_")
    if v in constants.VERDICT_LABELS:
        return v
    for key, label in constants.VERDICT_LABELS.items():
        if label.lower().replace("-", "_").replace(" ", "_") == v:
            return key
    raise ValueError(f"{value!r} is not a verdict; use one of: {', '.join(constants.VERDICTS)}")


def default_db_path(start: Optional[str | Path] = None) -> Path:
    """Where verdicts go when no path is given.

    ``$SOURCECHECK_VERDICTS_DB`` if set; otherwise ``outputs/verdicts.sqlite`` in the
    nearest folder (from ``start``, default the working directory, upwards) that
    has an ``outputs/`` folder, so the notebook (run from ``notebooks/``) and the
    CLI (run from the project root) share one file; otherwise under ``start``.
    """
    env = os.environ.get("SOURCECHECK_VERDICTS_DB")
    if env:
        return Path(env)
    here = Path(start or Path.cwd()).resolve()
    rel = Path(constants.REVIEW_DEFAULT_DB)
    for folder in (here, *here.parents):
        if (folder / rel.parent).is_dir():
            return folder / rel
    return here / rel


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


# --------------------------------------------------------------------------- the store
class VerdictStore:
    """Append-only verdict store in one SQLite file (created on first use).

    Every call opens its own short-lived connection, so a store object is safe to
    keep in a notebook for hours, to use from several processes, and to pickle.
    """

    def __init__(self, path: Optional[str | Path] = None, *, timeout: float = constants.REVIEW_BUSY_TIMEOUT_S):
        self.path = Path(path) if path not in (None, "") else default_db_path()
        self.timeout = float(timeout)
        self._initialise()

    def __repr__(self) -> str:
        return f"VerdictStore({str(self.path)!r})"

    # ----------------------------------------------------------------- plumbing
    def _error(self, problem: str, hint: str = "") -> ReviewStoreError:
        msg = f"verdict store {self.path}: {problem}"
        if hint:
            msg += f" ({hint})"
        err = ReviewStoreError(msg)
        err.path = str(self.path)
        return err

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(f"cannot be opened: {exc}", "check that the folder exists and is writable") from exc
        try:
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            con.execute("PRAGMA synchronous = FULL")  # a saved verdict survives a power cut, not only a crash
            yield con
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise self._error(
                    f"still locked by another kernel after {self.timeout:.0f} s ({exc})", "try again; nothing was written"
                ) from exc
            raise self._error(f"database error: {exc}", "check the disk and the file's permissions") from exc
        except sqlite3.DatabaseError as exc:
            raise self._error(f"database error: {exc}", "is this a sourcecheck verdict file? give another --verdicts-db path") from exc
        finally:
            con.close()

    def _initialise(self) -> None:
        p = self.path
        if p.exists() and p.is_dir():
            raise self._error("is a folder, not a file", "give a file path such as outputs/verdicts.sqlite")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error(f"cannot create its folder: {exc.strerror or exc}", "give a path in a writable folder") from exc
        if not os.access(p.parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
            raise self._error("is not writable", "give a path in a writable folder")
        with self._connect() as con:
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. some network filesystems
                raise self._error(f"cannot use write-ahead logging (journal mode {mode})", "use a local disk")
            con.execute("BEGIN IMMEDIATE")
            for stmt in _split_sql(_SCHEMA):
                con.execute(stmt)
            row = con.execute("SELECT value FROM store_info WHERE key = 'schema_version'").fetchone()
            if row is None:
                con.execute("INSERT INTO store_info (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                con.execute("ROLLBACK")
                raise self._error(
                    f"was written by a newer sourcecheck (schema {row[0]}, this one reads {SCHEMA_VERSION})",
                    "upgrade sourcecheck",
                )
            con.execute("COMMIT")

    # ----------------------------------------------------------------- writing
    def record(
        self,
        article: Article,
        claim: Claim,
        verdict: str,
        *,
        reviewer: str,
        note: str = "",
    ) -> Verdict:
        """Append one verdict (one transaction) and return it as stored."""
        try:
            key = normalise_verdict(verdict)
        except ValueError as exc:
            raise self._error(str(exc)) from exc
        reviewer = str(reviewer or "").strip()
        if not reviewer:
            raise self._error("a verdict needs the reviewer's name", "fill in the reviewer field")
        row = (article.slug, article.sha256, claim.id, claim.text, key, str(note or "").strip(), reviewer, _now())
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute(
                    "INSERT INTO verdicts (article_slug, article_sha, claim_id, claim_text, verdict, note, reviewer, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                seq = cur.lastrowid
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        return Verdict(seq, *row)

    # ----------------------------------------------------------------- reading
    def _select(self, where: str = "", params: tuple = ()) -> list[Verdict]:
        with self._connect() as con:
            rows = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM verdicts {where} ORDER BY seq", params).fetchall()
        return [Verdict(*r) for r in rows]

    def history(self, article_slug: str, claim_id: Optional[str] = None) -> list[Verdict]:
        """Every verdict recorded for the article (or one claim), oldest first."""
        if claim_id is None:
            return self._select("WHERE article_slug = ?", (article_slug,))
        return self._select("WHERE article_slug = ? AND claim_id = ?", (article_slug, claim_id))

    def latest(self, article_slug: str) -> dict[str, Verdict]:
        """The latest verdict per claim id for the article (latest ``seq`` wins)."""
        rows = self._select(
            "WHERE seq IN (SELECT MAX(seq) FROM verdicts WHERE article_slug = ? GROUP BY claim_id)", (article_slug,)
        )
        return {v.claim_id: v for v in rows}

    def all(self) -> list[Verdict]:
        """Every row in the store, oldest first."""
        return self._select()

    def count(self) -> int:
        with self._connect() as con:
            return int(con.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0])

    def for_analysis(self, analysis: Analysis) -> "ReviewState":
        """Latest verdicts attached to the analysis' claims, plus the orphans."""
        latest = self.latest(analysis.article.slug)
        ids = {c.id for c in analysis.claims}
        current = {cid: v for cid, v in latest.items() if cid in ids}
        orphans = sorted((v for cid, v in latest.items() if cid not in ids), key=lambda v: v.seq)
        return ReviewState(store_path=str(self.path), latest=current, orphans=orphans)

    def orphans(self, analysis: Analysis) -> list[Verdict]:
        """Latest verdicts of this article whose claim id is not in ``analysis`` (kept, never deleted)."""
        return self.for_analysis(analysis).orphans


def _split_sql(script: str) -> list[str]:
    """Split the schema into statements (triggers contain ``;`` inside BEGIN ... END)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and (not joined.upper().startswith("CREATE TRIGGER") or joined.upper().endswith("END;")):
            out.append(joined)
            buf = []
    return out


def open_store(path: Optional[str | Path] = None) -> VerdictStore:
    """Open (creating if needed) the verdict store at ``path`` (default: :func:`default_db_path`)."""
    return VerdictStore(path)


# --------------------------------------------------------------------------- review state & queue
@dataclass
class ReviewState:
    """What the report and exports need: the latest verdict per current claim, and the orphans."""

    store_path: str
    latest: dict[str, Verdict] = field(default_factory=dict)
    orphans: list[Verdict] = field(default_factory=list)

    def verdict_for(self, claim_id: str) -> Optional[Verdict]:
        return self.latest.get(claim_id)


@dataclass
class ReviewItem:
    """One claim as the panel shows it: the claim, its flags and the evidence for and against."""

    claim: Claim
    flags: list[Flag]
    evidence_for: list[tuple[Relation, Optional[Claim]]]
    evidence_against: list[tuple[Relation, Optional[Claim]]]
    context: list[tuple[Relation, Optional[Claim]]]

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def severity(self) -> int:
        return max((f.severity for f in self.flags), default=0)


def review_queue(analysis: Analysis, *, flagged_only: bool = False) -> list[ReviewItem]:
    """Claims in review order: flagged first (most severe first), then the rest in text order."""
    claims = {c.id: c for c in analysis.claims}
    flags: dict[str, list[Flag]] = {}
    for f in analysis.flags:
        flags.setdefault(f.claim_id, []).append(f)
    rels: dict[str, list[Relation]] = {}
    for r in analysis.relations:
        rels.setdefault(r.claim_id, []).append(r)
    items = []
    for c in analysis.claims:
        fs = sorted(flags.get(c.id, []), key=lambda f: (-f.severity, -f.confidence))
        if flagged_only and not fs:
            continue
        pro, con, ctx = [], [], []
        for r in rels.get(c.id, []):
            pair = (r, claims.get(r.evidence_claim_id) if r.evidence_claim_id else None)
            if r.relation in constants.REVIEW_EVIDENCE_FOR:
                pro.append(pair)
            elif r.relation in constants.REVIEW_EVIDENCE_AGAINST:
                con.append(pair)
            elif r.relation != "unrelated":
                ctx.append(pair)
        items.append(ReviewItem(c, fs, pro, con, ctx))
    items.sort(key=lambda it: (not it.flagged, -it.severity, it.claim.start))
    return items


# --------------------------------------------------------------------------- escaped HTML helpers
def claim_in_context_html(article: Article, claim: Claim) -> str:
    """The claim's sentence (or a window around it) with the claim spans marked; all article text escaped."""
    text = article.text
    if claim.sentence is not None:
        lo, hi = min(claim.sentence.start, claim.start), max(claim.sentence.end, max(s.end for s in claim.spans))
    else:  # the paragraph holding the claim, cut to a window either side
        end = max(s.end for s in claim.spans)
        para = next((p for p in article.paragraphs if p.start <= claim.start < p.end), None)
        lo = max(para.start if para else 0, claim.start - constants.REVIEW_CONTEXT_CHARS)
        hi = min(para.end if para and para.end >= end else len(text), end + constants.REVIEW_CONTEXT_CHARS)
    out, pos = [], lo
    for s in sorted(claim.spans, key=lambda s: s.start):
        if s.start < pos or s.end > hi:
            continue
        out.append(html.escape(text[pos:s.start]))
        out.append(f'<mark class="sc-claim">{html.escape(text[s.start:s.end])}</mark>')
        pos = s.end
    out.append(html.escape(text[pos:hi]))
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    return prefix + "".join(out) + suffix


def evidence_html(relation: Relation, evidence_claim: Optional[Claim]) -> str:
    """One evidence line: who, the passage, and the relation's reason; all escaped."""
    who = evidence_claim.speaker if evidence_claim is not None and evidence_claim.speaker else None
    passage = " … ".join(e.text for e in relation.evidence) or (evidence_claim.text if evidence_claim else "")
    parts = [f"<b>{html.escape(relation.relation.replace('_', ' '))}</b>"]
    if who:
        parts.append(f"({html.escape(who)})")
    if passage:
        parts.append(f"“{html.escape(passage)}”")
    if relation.reason:
        parts.append(f"<i>{html.escape(relation.reason)}</i>")
    return " ".join(parts)


# --------------------------------------------------------------------------- static table
def verdict_table(analysis: Analysis, state: ReviewState):
    """The latest verdict per claim as a pandas DataFrame (plain display escapes every cell)."""
    import pandas as pd

    from .report import claim_numbers

    numbers = claim_numbers(analysis)
    claims = {c.id: c for c in analysis.claims}
    flagged = {f.claim_id for f in analysis.flags}
    rows = []
    for item in review_queue(analysis):
        v = state.latest.get(item.claim.id)
        if v is None:
            continue
        c = claims[item.claim.id]
        rows.append(
            {
                "number": numbers.get(c.id, ""),  # as in the highlighted article ("" = unattributed)
                "claim_id": c.id,
                "speaker": c.speaker or "(article)",
                "claim": c.text,
                "flagged": c.id in flagged,
                "verdict": v.label,
                "note": v.note,
                "reviewer": v.reviewer,
                "recorded_at": v.created_at[:19].replace("T", " ") + " UTC",
            }
        )
    cols = ["number", "claim_id", "speaker", "claim", "flagged", "verdict", "note", "reviewer", "recorded_at"]
    return pd.DataFrame(rows, columns=cols)


def orphan_table(state: ReviewState):
    """Verdicts whose claim is no longer in the analysis (the article changed); kept, never deleted."""
    import pandas as pd

    cols = ["claim_id", "claim_text", "verdict", "note", "reviewer", "recorded_at", "article_sha"]
    rows = [
        {
            "claim_id": v.claim_id,
            "claim_text": v.claim_text,
            "verdict": v.label,
            "note": v.note,
            "reviewer": v.reviewer,
            "recorded_at": v.created_at[:19].replace("T", " ") + " UTC",
            "article_sha": v.article_sha[:12],
        }
        for v in state.orphans
    ]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- notebook entry point
def is_interactive(interactive: Optional[bool] = True) -> bool:
    """True when a person can click: the ``interactive`` parameter is not False, the run is not
    marked headless (``SOURCECHECK_HEADLESS=1``, set by the runner) and we are inside a Jupyter kernel."""
    if interactive is False:
        return False
    if os.environ.get("SOURCECHECK_HEADLESS", "").strip().lower() in ("1", "true", "yes"):
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the notebook stack
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def show_review(analysis: Analysis, verdicts_db: Optional[str | Path] = None, *, interactive: Optional[bool] = True, reviewer: str = ""):
    """Notebook cell helper: the review panel when someone can click, else the static verdict table.

    Returns the panel (interactive) or the ``ReviewState`` (headless). Never waits for input.
    The panel's output also carries the static table as ``text/html``: JupyterLab shows the
    live panel, a report exported from a run nobody marked headless shows the table.
    """
    from IPython.display import HTML, display

    store = VerdictStore(verdicts_db)
    if is_interactive(interactive):
        from .review_panel import ReviewPanel

        panel = ReviewPanel(analysis, store, reviewer=reviewer)
        display(panel)
        return panel
    state = store.for_analysis(analysis)
    display(HTML(verdicts_html(analysis, state)))
    return state


def verdicts_html(analysis: Analysis, state: ReviewState) -> str:
    """The static verdict table (and the orphans, if any) as HTML; every cell escaped by pandas."""
    import pandas as pd

    table = verdict_table(analysis, state)
    with pd.option_context("display.max_colwidth", None):  # a verdict's claim and note are shown in full
        parts = [table.to_html(escape=True, na_rep="", index=False) if len(table) else
                 "<p><i>No verdicts recorded yet for this article.</i></p>"]
        if state.orphans:
            parts.append(f"<p><b>{len(state.orphans)} verdict(s) on claims no longer in the article</b> "
                         "(the text changed since they were recorded; kept, not deleted):</p>")
            parts.append(orphan_table(state).to_html(escape=True, na_rep="", index=False))
    return "\n".join(parts)
