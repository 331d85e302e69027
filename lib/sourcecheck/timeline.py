"""Time: relative time expressions resolved against the publication date, and a timeline of claims.

Expressions are spaCy's DATE/TIME entities plus a pattern list for spans the
model misses or cuts short ("in recent days", "earlier this week", weekday
names). Each is resolved against ``Article.published`` (P) to a date or a date
range, in this order:

1. the vague-span table ``constants.VAGUE_TIME_RULES`` ("yesterday", "earlier
   this week" = Monday of P's week to P-1, "in recent days" = P-6..P, ...);
2. weekdays: "Thursday"/"on Tuesday"/"a Friday post" = the most recent such day
   on or before P (P itself when it is that weekday); "last Tuesday" = strictly
   before P; "next Tuesday", or a weekday governed by "will", = the next one after P;
3. "N days/weeks/months/years ago" = P minus N units, widened by
   ``constants.AGO_MARGIN_DAYS`` (and ``APPROX_EXTRA_DAYS`` for "about", "some", "nearly");
4. durations ("30-day", "two weeks" without "ago") are not points in time: unresolved, with a note;
5. anything else goes to dateparser (``RELATIVE_BASE`` = P, dates preferred from the past):
   a year alone is that year, a month without a day that month.

Without a publication date every relative expression is left unresolved with a
note; dates that carry their own year still resolve. An expression inside a quote
that ``sourcecheck.quotes`` found in a dated primary document counts from that
document's date ("yesterday" in a post of 14 March is 13 March). Each expression
is linked to the claims whose sentence contains it. A capitalised "Today" right
after a capitalised word ("USA Today") is part of a name and skipped.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Optional

from . import constants
from .model import Analysis

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUM = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3, "several": 4, "few": 3,
}
_NUM_RE = r"(?:\d+|a couple of|a few|an|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few)"
_APPROX = r"(?:about|around|some|nearly|almost|roughly|approximately|more than|less than|over|just over|just under)"
_UNIT = r"(?:day|week|month|year)s?"
_AGO = re.compile(rf"(?:(?P<approx>{_APPROX})\s+)?(?P<n>{_NUM_RE})\s+(?P<unit>{_UNIT})\s+(?:ago|earlier|before)", re.I)
_DURATION = re.compile(rf"(?:{_APPROX}\s+)?(?:{_NUM_RE})[- ](?:{_UNIT})(?:[- ]long)?|(?:the )?(?:past|last|next) (?:{_NUM_RE}) {_UNIT}", re.I)
_WEEKDAY = re.compile(
    r"(?:(?P<mod>last|next|this|on|early|late|earlier|later|since|by|until|from)\s+)?(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?", re.I
)
_LEAD = re.compile(r"^(?:on|in|at|by|since|from|until|during|over|a|an|the|its|his|her|their)\s+", re.I)

#: Patterns searched in the article text (spaCy misses or cuts some of these short).
_SCAN = re.compile(
    r"\b(?:"
    + "|".join(f"(?:{p})" for p, *_ in constants.VAGUE_TIME_RULES)
    + rf"|{_AGO.pattern}"
    + r"|(?:(?:last|next|this|on|early|late|earlier|later)\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+(?:morning|afternoon|evening|night))?"
    + r")\b",
    re.I,
)


@dataclass
class TimeExpression:
    """A time expression in the article and what it resolves to."""

    id: str
    start: int
    end: int
    text: str
    source: str  # spacy:DATE | spacy:TIME | pattern
    resolved_start: Optional[str] = None  # ISO dates; equal for a single day
    resolved_end: Optional[str] = None
    granularity: str = "unresolved"  # day | week | month | year | range | duration | unresolved
    method: str = ""  # which rule resolved it
    claim_ids: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def resolved(self) -> bool:
        return self.resolved_start is not None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------- finding
def find_time_expressions(text: str, doc=None) -> list[tuple[int, int, str]]:
    """(start, end, source) of time expressions: spaCy DATE/TIME entities and the pattern list, merged."""
    found: list[tuple[int, int, str]] = []
    if doc is not None:
        found += [(e.start_char, e.end_char, f"spacy:{e.label_}") for e in doc.ents if e.label_ in ("DATE", "TIME")]
    found += [(m.start(), m.end(), "pattern") for m in _SCAN.finditer(text)]
    # overlapping finds: keep the longest (a pattern "in recent days" over spaCy's "recent days")
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out: list[tuple[int, int, str]] = []
    for s, e, src in found:
        if out and s < out[-1][1]:
            ps, pe, psrc = out[-1]
            if e - s > pe - ps:
                out[-1] = (s, e, src)
            elif (s, e) == (ps, pe) and src.startswith("spacy"):
                out[-1] = (ps, pe, src)
            continue
        out.append((s, e, src))
    return out


# --------------------------------------------------------------------------- resolving
def _iso(d: _dt.date) -> str:
    return d.isoformat()


def _monday(d: _dt.date) -> _dt.date:
    return d - _dt.timedelta(days=d.weekday())


def _month_range(y: int, m: int) -> tuple[_dt.date, _dt.date]:
    return _dt.date(y, m, 1), _dt.date(y, m, calendar.monthrange(y, m)[1])


def _prev_month(d: _dt.date) -> tuple[int, int]:
    return (d.year - 1, 12) if d.month == 1 else (d.year, d.month - 1)


def _rule_range(rule: str, p: _dt.date) -> tuple[_dt.date, _dt.date]:
    """The implementations of the rules named in ``constants.VAGUE_TIME_RULES``."""
    day = _dt.timedelta(days=1)
    if rule == "today":
        return p, p
    if rule == "yesterday":
        return p - day, p - day
    if rule == "tomorrow":
        return p + day, p + day
    if rule == "week_start_to_yesterday":
        return _monday(p), max(_monday(p), p - day)
    if rule == "this_week":
        return _monday(p), _monday(p) + 6 * day
    if rule == "last_week":
        return _monday(p) - 7 * day, _monday(p) - day
    if rule == "next_week":
        return _monday(p) + 7 * day, _monday(p) + 13 * day
    if rule == "recent_days":
        return p - 6 * day, p
    if rule == "recent_weeks":
        return p - 30 * day, p
    if rule == "month_start_to_yesterday":
        return p.replace(day=1), max(p.replace(day=1), p - day)
    if rule == "this_month":
        return _month_range(p.year, p.month)
    if rule == "last_month":
        return _month_range(*_prev_month(p))
    if rule == "year_start_to_yesterday":
        return _dt.date(p.year, 1, 1), max(_dt.date(p.year, 1, 1), p - day)
    if rule == "this_year":
        return _dt.date(p.year, 1, 1), _dt.date(p.year, 12, 31)
    if rule == "last_year":
        return _dt.date(p.year - 1, 1, 1), _dt.date(p.year - 1, 12, 31)
    if rule == "next_year":
        return _dt.date(p.year + 1, 1, 1), _dt.date(p.year + 1, 12, 31)
    if rule == "recent_months":
        return p - 90 * day, p
    if rule == "last_weekend":
        sat = p - ((p.weekday() - 5) % 7) * day  # the most recent Saturday on or before P
        return sat, min(sat + day, max(p, sat))
    raise KeyError(f"no implementation for time rule {rule!r} (see constants.VAGUE_TIME_RULES)")


def _future(doc, start: int, end: int) -> bool:
    """Is the expression governed by a future-tense verb ("will meet on Tuesday")?"""
    if doc is None:
        return False
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    head = span.root.head
    for tok in (head, *head.children):
        if tok.lower_ in ("will", "'ll", "shall") or (tok.lower_ == "going" and any(c.lower_ == "to" for c in tok.children)):
            return True
    return False


def _approx_range(center: _dt.date, unit: str, approx: bool) -> tuple[_dt.date, _dt.date]:
    margin = constants.AGO_MARGIN_DAYS[unit] + (constants.APPROX_EXTRA_DAYS[unit] if approx else 0)
    return center - _dt.timedelta(days=margin), center + _dt.timedelta(days=margin)


def _minus(p: _dt.date, n: int, unit: str) -> _dt.date:
    if unit == "day":
        return p - _dt.timedelta(days=n)
    if unit == "week":
        return p - _dt.timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    y, m = divmod(p.year * 12 + p.month - 1 - months, 12)
    return _dt.date(y, m + 1, min(p.day, calendar.monthrange(y, m + 1)[1]))


def resolve_expression(text: str, published: Optional[str], *, future: bool = False, inner: bool = False) -> dict:
    """Resolve one expression; returns the fields of ``TimeExpression`` that describe the result."""
    raw = " ".join(text.split())
    full = raw.lower().replace("’", "'")
    t = full if re.search(r"\d0'?s$", full) else re.sub(r"'s$", "", full)  # "1980's" is a decade
    if not _AGO.fullmatch(t):
        while _LEAD.match(t):
            t = _LEAD.sub("", t, count=1)
    p = _dt.date.fromisoformat(published) if published else None
    no_date = "relative to the publication date, which is unknown (set `published` or a metadata sidecar)"

    # the full text first: "in the last week" (the past 7 days) is not "last week" (the week before)
    tries = [(re.sub(r"'s$", "", full), r) for r in constants.VAGUE_TIME_RULES] + [(t, r) for r in constants.VAGUE_TIME_RULES]
    for candidate, (pattern, rule, gran, note) in tries:
        if re.fullmatch(pattern, candidate, re.I):
            if p is None:
                return {"granularity": "unresolved", "method": rule, "note": no_date}
            a, b = _rule_range(rule, p)
            return {"resolved_start": _iso(a), "resolved_end": _iso(b), "granularity": gran if a != b else "day",
                    "method": f"rule {rule}", "note": note}

    m = _WEEKDAY.fullmatch(t)
    if m:
        if p is None:
            return {"granularity": "unresolved", "method": "weekday", "note": no_date}
        wd = WEEKDAYS.index(m.group("day").lower())
        mod = (m.group("mod") or "").lower()
        name = WEEKDAYS[wd].capitalize()
        if mod == "next" or (future and mod not in ("last", "since")):
            d = p + _dt.timedelta(days=(wd - p.weekday()) % 7 or 7)
            note = f"the next {name} after publication" + (" (future tense)" if future and mod != "next" else "")
        elif mod == "last":
            d = p - _dt.timedelta(days=(p.weekday() - wd) % 7 or 7)
            note = f"the {name} before the publication day"
        elif mod == "this":
            d = _monday(p) + _dt.timedelta(days=wd)
            note = f"the {name} of the publication week"
        else:
            d = p - _dt.timedelta(days=(p.weekday() - wd) % 7)
            note = f"the most recent {name} on or before publication" + (" (the publication day)" if d == p else "")
        return {"resolved_start": _iso(d), "resolved_end": _iso(d), "granularity": "day", "method": "weekday", "note": note}

    m = _AGO.fullmatch(t)
    if m:
        if p is None:
            return {"granularity": "unresolved", "method": "ago", "note": no_date}
        ns = m.group("n").lower()
        n = int(ns) if ns.isdigit() else _NUM[ns]
        unit = m.group("unit").lower().rstrip("s")
        vague_n = m.group("n").lower() in ("a few", "few", "several", "a couple of")
        approx = bool(m.group("approx")) or vague_n
        center = _minus(p, n, unit)
        a, b = _approx_range(center, unit, approx)
        bound = (m.group("approx") or "").lower()
        if bound in ("more than", "over", "just over"):
            b = center  # at least N units ago
        elif bound in ("less than", "just under"):
            a = center
        b = min(b, p)
        return {"resolved_start": _iso(a), "resolved_end": _iso(b), "granularity": "day" if a == b else "range",
                "method": "ago", "note": f"{n} {unit}(s) before publication" + (", approximate" if approx else "")}

    if _DURATION.fullmatch(t) or re.fullmatch(r"(?:long|short|medium|near)[- ]term", t):
        return {"granularity": "duration", "method": "duration",
                "note": "a duration or period, not a point in time"}
    if re.search(r"\d+[- ]years?[- ]old\b", t):
        return {"granularity": "duration", "method": "age", "note": "an age, not a point in time"}
    if re.fullmatch(r"(?:(?:bi-?)?annually|yearly|quarterly|monthly|weekly|daily|nightly|every \w+(?: \w+)?)", t):
        return {"granularity": "duration", "method": "frequency", "note": "a frequency, not a point in time"}
    if re.search(r"\b[A-Z][a-z]+ Day\b", raw):
        return {"granularity": "unresolved", "method": "named day", "note": "a named day (holiday or event): not resolved"}
    if (re.search(r"\b(?:hours?|minutes?|days?|weeks?|months?|years?|decades?|centuries)\b", t)
            and not re.search(r"\b(?:ago|earlier|before|last|this|next|past|recent|later|since|first|second|third|fourth"
                              r"|fifth|final|same|previous|following|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", t)):
        return {"granularity": "duration", "method": "duration", "note": "a duration or period, not a point in time"}
    if re.fullmatch(r"(?:about |around |at |by |until )?\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?: \w+)?|noon|midnight", t):
        return {"granularity": "unresolved", "method": "time", "note": "a time of day; the day is not in the expression"}

    m = re.fullmatch(r"(?:the )?(?:(?:early|mid|late)[- ]?)?'(\d)0s", t)
    if m:
        y0 = 1900 + int(m.group(1)) * 10
        if p is not None and y0 + 100 <= p.year:
            y0 += 100
        return {"resolved_start": f"{y0}-01-01", "resolved_end": f"{y0 + 9}-12-31", "granularity": "range",
                "method": "decade", "note": "a decade (two-digit form)"}

    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)", t)
    if m and 1 <= int(m.group(1)) <= 31:
        if p is None:
            return {"granularity": "unresolved", "method": "day of month", "note": no_date}
        n, y, mo = int(m.group(1)), p.year, p.month
        if n > p.day:
            y, mo = _prev_month(p)
        if n > calendar.monthrange(y, mo)[1]:
            return {"granularity": "unresolved", "method": "day of month", "note": "no such day in the month"}
        d = _dt.date(y, mo, n)
        return {"resolved_start": _iso(d), "resolved_end": _iso(d), "granularity": "day", "method": "day of month",
                "note": "the most recent such day of the month on or before publication"}

    m = re.fullmatch(r"(?:the )?(?:(?:early|mid|late)[- ])?(\d{3})0'?s", t)
    if m:
        y0 = int(m.group(1)) * 10
        return {"resolved_start": f"{y0}-01-01", "resolved_end": f"{y0 + 9}-12-31", "granularity": "range",
                "method": "decade", "note": "a decade"}

    m = re.fullmatch(r"(?:in |since |by )?(\d{4})", t)
    if m and 1000 <= int(m.group(1)) <= 2999:
        y = int(m.group(1))
        return {"resolved_start": f"{y}-01-01", "resolved_end": f"{y}-12-31", "granularity": "year", "method": "year", "note": ""}

    res = _dateparser(raw, t, p)
    if res.get("resolved_start") is None and not inner:
        # the expression carries extra words ("essay last week"): resolve its longest known part
        parts = sorted(_SCAN.finditer(raw), key=lambda m: -(m.end() - m.start()))
        if parts and parts[0].group() != raw:
            sub = resolve_expression(parts[0].group(), published, future=future, inner=True)
            if sub.get("resolved_start") or sub["granularity"] == "duration":
                sub["note"] = "; ".join(filter(None, [sub.get("note"), f"resolved from the part {parts[0].group()!r}"]))
                return sub
    return res


def _dateparser(raw: str, t: str, p: Optional[_dt.date]) -> dict:
    import dateparser

    has_year = bool(re.search(r"\b\d{4}\b", t))
    has_day = bool(re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b", re.sub(r"\b\d{4}\b", "", t)))
    has_month = bool(re.search(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", t))
    if p is None and not has_year:
        return {"granularity": "unresolved", "method": "dateparser",
                "note": "no year in the text and no publication date (set `published`)"}
    if not (has_month or has_year):
        return {"granularity": "unresolved", "method": "", "note": "not understood as a date"}
    settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}
    if p is not None:
        settings["RELATIVE_BASE"] = _dt.datetime(p.year, p.month, p.day, 12)
    d = dateparser.parse(raw, languages=["en"], settings=settings)
    if d is None:
        return {"granularity": "unresolved", "method": "dateparser", "note": "not understood as a date"}
    d = d.date()
    note = ""
    if p is not None and not has_year:  # no year given: the occurrence nearest the publication date
        options = []
        for y in (p.year - 1, p.year, p.year + 1):
            try:
                options.append(d.replace(year=y))
            except ValueError:  # 29 February
                continue
        near = min(options, key=lambda x: abs((x - p).days))
        if near != d:
            d, note = near, "no year given: the occurrence nearest the publication date"
    if has_month and not has_day:
        a, b = _month_range(d.year, d.month)
        return {"resolved_start": _iso(a), "resolved_end": _iso(b), "granularity": "month", "method": "dateparser", "note": note}
    return {"resolved_start": _iso(d), "resolved_end": _iso(d), "granularity": "day", "method": "dateparser", "note": note}


# --------------------------------------------------------------------------- the stage
def _sentences(analysis: Analysis, doc) -> list[tuple[int, int]]:
    if doc is not None:
        return [(s.start_char, s.end_char) for s in doc.sents]
    return [(p.start, p.end) for p in analysis.article.paragraphs] or [(0, len(analysis.article.text))]


def _claim_ranges(claim, sents: list[tuple[int, int]]) -> list[tuple[int, int]]:
    ranges = [(sp.start, sp.end) for sp in claim.spans]
    if claim.sentence is not None:
        ranges.append((claim.sentence.start, claim.sentence.end))
    for a, b in sents:
        if any(a < e and s < b for s, e in [(sp.start, sp.end) for sp in claim.spans]):
            ranges.append((a, b))
    return ranges


def _part_of_name(text: str, start: int, end: int) -> bool:
    """"Today" in "USA Today", "This Morning" in "CBS This Morning": a capitalised relative word right
    after a capitalised word mid-sentence is part of a name, not a time."""
    span = text[start:end]
    if not span[:1].isupper() or re.match(r"(?i)(?:on |last |next |this |early |late )?(?:monday|tuesday|wednesday|thursday|"
                                          r"friday|saturday|sunday|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", span):
        return False
    before = text[max(0, start - 40):start]
    m = re.search(r"(\S+)\s+$", before)
    if not m or re.search(r"[.!?:\"“”]$", m.group(1)):
        return False
    word = m.group(1)
    return word[:1].isupper() or word.isupper()


def resolve_times(analysis: Analysis, doc=None) -> list[TimeExpression]:
    """Find, resolve and link the article's time expressions; stored in ``analysis.extras["time_expressions"]``."""
    from .model import stable_id

    text = analysis.article.text
    published = analysis.article.published
    try:
        published = _dt.date.fromisoformat(str(published)[:10]).isoformat() if published else None
    except ValueError as exc:
        from .errors import MetadataError

        raise MetadataError(analysis.article.path, f"publication date {published!r} is not a date",
                            "use YYYY-MM-DD") from exc
    sents = _sentences(analysis, doc)
    claim_ranges = [(c.id, _claim_ranges(c, sents)) for c in analysis.claims]
    from .quotes import quoted_segments

    quoted = [(q.start, q.end) for q in quoted_segments(text)]
    # a quote found in a dated primary document: its relative words ("yesterday") count from that date
    dated = []
    for q in analysis.extras.get("quote_checks", []):
        q = q.to_dict() if hasattr(q, "to_dict") else q
        if (q.get("document_date") and q.get("quote_start") is not None
                and q.get("class") not in ("not found", "other speaker", "context only")):
            dated.append((q["quote_start"], q["quote_end"], q["document_date"], q.get("document_title") or q.get("document_id")))
    out: list[TimeExpression] = []
    for s, e, src in find_time_expressions(text, doc):
        if _part_of_name(text, s, e):
            continue
        source_doc = next(((d, title) for a, b, d, title in dated if a <= s and e <= b), None)
        if source_doc is not None:
            res = resolve_expression(text[s:e], source_doc[0], future=_future(doc, s, e))
            if res.get("resolved_start"):
                res["note"] = "; ".join(filter(None, [res.get("note"), f"inside a quotation from {source_doc[1]!r}: "
                                                       f"resolved against that document's date, {source_doc[0]}"]))
        else:
            res = resolve_expression(text[s:e], published, future=_future(doc, s, e))
            if res.get("resolved_start") and any(a <= s and e <= b for a, b in quoted):
                res["note"] = "; ".join(filter(None, [res.get("note"), "inside a quotation: relative to when the speaker "
                                                       "said it, resolved here against the publication date"]))
        linked = [cid for cid, ranges in claim_ranges if any(a <= s and e <= b for a, b in ranges)]
        out.append(TimeExpression(id=stable_id("t", text[s:e], str(s)), start=s, end=e, text=text[s:e], source=src,
                                  claim_ids=linked, **res))
    analysis.extras["time_expressions"] = out
    analysis.extras["timeline_published"] = published
    return out


def _as_expr(x) -> TimeExpression:
    return x if isinstance(x, TimeExpression) else TimeExpression(**x)


_FRAME_COLUMNS = ["text", "resolved_start", "resolved_end", "granularity", "claim_ids", "speakers", "note", "method",
                  "start", "end", "source"]


#: The columns a reader needs (the notebook and report); exports keep every column.
READING_COLUMNS = ["text", "resolved_start", "resolved_end", "granularity", "speakers", "note"]


def timeline_frame(analysis: Analysis, full: bool = True):
    """One row per time expression (plain values), in text order; ``full=False`` keeps READING_COLUMNS."""
    import pandas as pd

    speakers = {c.id: (c.speaker or ("(unattributed)" if not c.attributed else "(unresolved)")) for c in analysis.claims}
    rows = []
    for x in map(_as_expr, analysis.extras.get("time_expressions", [])):
        rows.append({
            "text": x.text, "resolved_start": x.resolved_start or "", "resolved_end": x.resolved_end or "",
            "granularity": x.granularity, "claim_ids": "; ".join(x.claim_ids),
            "speakers": "; ".join(dict.fromkeys(speakers.get(i, "") for i in x.claim_ids)),
            "note": x.note, "method": x.method, "start": x.start, "end": x.end, "source": x.source,
        })
    df = pd.DataFrame(rows, columns=_FRAME_COLUMNS)
    return df if full else df[READING_COLUMNS]


def timeline_points(analysis: Analysis) -> list[dict]:
    """(claim, speaker, start, end, label) for every resolved expression linked to a claim (durations excluded)."""
    claims = {c.id: c for c in analysis.claims}
    pts = []
    for x in map(_as_expr, analysis.extras.get("time_expressions", [])):
        if not x.resolved:
            continue
        for cid in x.claim_ids:
            c = claims.get(cid)
            if c is None:
                continue
            pts.append({
                "claim_id": cid, "speaker": c.speaker or ("(unattributed)" if not c.attributed else "(unresolved)"),
                "start": _dt.date.fromisoformat(x.resolved_start), "end": _dt.date.fromisoformat(x.resolved_end),
                "label": x.text, "kind": "expression",
            })
    # the date of the primary document a quote was found in (a claim's best-known date)
    seen = set()
    for q in analysis.extras.get("quote_checks", []):
        q = q.to_dict() if hasattr(q, "to_dict") else q
        c = claims.get(q.get("claim_id"))
        if c is None or not q.get("document_date") or q.get("class") in ("not found", "other speaker"):
            continue
        key = (c.id, q["document_date"])
        if key in seen:
            continue
        seen.add(key)
        d = _dt.date.fromisoformat(q["document_date"])
        pts.append({
            "claim_id": c.id, "speaker": c.speaker or "(unresolved)", "start": d, "end": d,
            "label": f"document: {q.get('document_title') or q.get('document_id')}"[:48], "kind": "document",
        })
    return pts


def timeline_chart(analysis: Analysis):
    """Claims by date (x) and speaker (y): a dot for a day, a bar for a range named in the article, a green
    square for the date of the primary document a quote was found in; the publication date dashed."""
    import matplotlib.dates as mdates

    from .charts import describe, nothing_to_show, subplots

    pts = timeline_points(analysis)
    published = analysis.article.published
    if not pts:
        fig, ax = subplots(figsize=(7, 1.6))
        why = ("no publication date, so relative dates stay unresolved" if not published
               else "no time expression in the article resolves to a date linked to a claim")
        nothing_to_show(fig, ax, "Claims by date and speaker", f"No dated claims ({why})")
        return fig
    speakers = list(dict.fromkeys(p["speaker"] for p in sorted(pts, key=lambda p: p["start"])))
    fig, ax = subplots(figsize=(8, 0.55 * len(speakers) + 2.2))
    ys = {s: i for i, s in enumerate(speakers)}
    day = lambda d: _dt.datetime(d.year, d.month, d.day)  # noqa: E731 - days drawn as [00:00, 24:00)
    per_row: dict[int, int] = {}
    legend_done: set[str] = set()
    marks: dict[tuple, dict] = {}  # one mark per speaker, date (range) and kind; labels joined
    for p in pts:
        key = (p["speaker"], p["start"], p["end"], p["kind"])
        if key in marks:
            if p["label"].lower() not in marks[key]["label"].lower().split(" / "):
                marks[key]["label"] += " / " + p["label"]
        else:
            marks[key] = dict(p)
    describe(fig, "Claims by date and speaker (timeline" + (f", published {published}" if published else "") + ")", [
        f"{p['speaker']}: {p['label']}, "
        + (p["start"].isoformat() if p["start"] == p["end"] else f"{p['start'].isoformat()} to {p['end'].isoformat()}")
        for p in sorted(marks.values(), key=lambda p: (p["start"], p["end"]))])
    for p in marks.values():
        y = ys[p["speaker"]]
        k = per_row[y] = per_row.get(y, -1) + 1
        if p["kind"] == "document":
            x = day(p["start"]) + _dt.timedelta(hours=12)
            ax.plot([x], [y], "s", color="#059669", ms=10, alpha=0.8, zorder=2,
                    label="date of the primary document" if "doc" not in legend_done else None)
            legend_done.add("doc")
        elif p["start"] == p["end"]:
            x = day(p["start"]) + _dt.timedelta(hours=12)
            ax.plot([x], [y], "o", color="#2563eb", ms=6, zorder=4,
                    label="date in the article" if "expr" not in legend_done else None)
            legend_done.add("expr")
        else:
            x = day(p["start"])
            width = (p["end"] - p["start"]).days + 1
            ax.barh(y, _dt.timedelta(days=width), left=x, height=0.35, color="#93c5fd", edgecolor="#2563eb", zorder=2,
                    label="date range in the article" if "range" not in legend_done else None)
            legend_done.add("range")
        if p["kind"] != "document":  # the legend names the green squares; the table names the documents
            ax.annotate(p["label"], (x, y), xytext=(3, 7 if k % 2 == 0 else -13), textcoords="offset points",
                        fontsize=7, color="#374151")
    if published:
        pub = day(_dt.date.fromisoformat(published)) + _dt.timedelta(hours=12)
        ax.axvline(pub, color="#b91c1c", ls="--", lw=1, label=f"published {published}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize="x-small", frameon=False)
    ax.set_yticks(range(len(speakers)), speakers)
    ax.set_ylim(-0.7, len(speakers) - 0.3)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d"))
    lo = min(p["start"] for p in pts)
    hi = max([p["end"] for p in pts] + ([_dt.date.fromisoformat(published)] if published else []))
    ax.set_xlim(day(lo) - _dt.timedelta(days=1), day(hi) + _dt.timedelta(days=2))
    ax.set_title("Claims by date and speaker")
    ax.grid(axis="x", alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
