"""From judged pairs to relations and flags, and how flags are shown (tables, matrix, chart).

Each flag shows the passage, who says it and the relation; a reason written from the
pair ("Denied by Jennifer Palmieri, speaking for the person the claim is about"); the
judge's calibrated confidence; and the partial corroboration where another source's
passage backs part of the claim. Flags are ordered by confidence and severity.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Optional

from .. import constants as C
from ..model import Claim, Flag, Relation, Span, shorten, stable_id
from .candidates import ArticleView
from .cues import conflict_cues

CONFLICTS = frozenset(C.FLAG_SEVERITY)
ASSERTION_SPEAKER = "the article"


def _q(s: str, n: int = 90) -> str:
    """``s`` in quotation marks: single ones around a passage that holds double ones (a quotation inside)."""
    s = shorten(s, n)
    return f"‘{s}’" if any(ch in s for ch in "\"“”") else f"“{s}”"


def reason(view: ArticleView, ci: int, pi: int, relation: str) -> str:
    """A sentence a journalist can read, written from the pair: who answers, how, and in what words."""
    v, p = view.claims[ci], view.passages[pi]
    who = p.speaker or ("the document " + p.document if p.kind == "document" else "the article itself")
    holder = v.claim.speaker or ASSERTION_SPEAKER
    about = bool(p.speaker_words & v.subject_words)
    same = p.speaker_id is not None and p.speaker_id == v.claim.speaker_id  # the claim's own speaker, elsewhere
    cue = None
    for name in {"denies": ("denies", "disputes"), "disputes": ("disputes", "contradicts"),
                 "not_confirmed": ("not_confirmed",), "unverified": ("unverified",),
                 "contradicts": ("contradicts", "records", "disputes")}.get(relation, ()):
        cue = view.cues.first(p.text, name)
        if cue:
            break
    said = f" (“{cue}”)" if cue else ""
    where = "in the same sentence" if p.kind == "own" or (p.kind != "document" and p.sentence == v.sentence) else (
        "in a primary document" if p.kind == "document" else
        f"{abs(p.sentence - v.sentence)} sentence{'s' if abs(p.sentence - v.sentence) != 1 else ''} "
        f"{'later' if p.sentence >= v.sentence else 'earlier'}")
    if relation in ("denies", "disputes") and same:
        lead = f"{who} says otherwise{said}"
    elif relation == "denies":
        lead = f"Denied by {who}{said}" + (", speaking for the person the claim is about" if about else "")
    elif relation == "disputes":
        lead = (f"Disputed in the article's own words{said}" if p.speaker is None
                else f"Disputed by {who}, whom the claim is about{said}" if about
                else f"Disputed by {who}, a third party{said}")
    elif relation == "contradicts":
        lead = (f"Contradicted by the article's own account or a record{said}" if p.speaker is None
                else f"Contradicted by {who}{said}")
    elif relation == "not_confirmed":
        lead = f"Not confirmed by {who}{said}"  # no verb: "who" may be plural ("officials and analysts")
    elif relation == "unverified":
        lead = f"Unverified: the article says it came without evidence{said}"
    elif relation == "shifts":
        lead = (f"{holder}'s position shifts: a different position from the same source" if same
                else f"{holder}'s position shifts: {who} gives a different one")
    elif relation == "numeric_mismatch":
        lead = f"Figures differ: {holder} gives {', '.join(sorted(v.numbers)) or 'one figure'}, {who} gives {', '.join(sorted(p.numbers)) or 'another'}"
    else:
        lead = f"{relation.replace('_', ' ').capitalize()} by {who}"
    return f"{lead}, {where}: {_q(p.text)}."


def decide(view: ArticleView, pairs: list, prob, rel: list[str], threshold: float,
           confidence=None) -> tuple[list[Relation], list[Flag]]:
    """Pairs at or above the threshold become relations; one flag per contested claim, surest first.

    A sentence answers one claim (the one the judge is surest of); two statements that
    answer each other (a shift seen from both sides) make one flag, on the earlier.
    """
    text = view.text
    keep = [(float(prob[k]), k) for k in range(len(pairs)) if prob[k] >= threshold and rel[k] in CONFLICTS]
    keep.sort(reverse=True)
    taken_sentence: dict = {}
    chosen = []
    for pr, k in keep:
        ci, pi, _ = pairs[k]
        p = view.passages[pi]
        key = (p.document, p.sentence) if p.kind != "own" else ("own", pi)
        if key in taken_sentence and taken_sentence[key] != ci:
            continue
        taken_sentence[key] = ci
        chosen.append((pr, k))
    # mirrored pairs: claim A answered by B's sentence and claim B answered by A's sentence -> keep the surer one
    sent_claims = {}
    for pr, k in chosen:
        ci, pi, _ = pairs[k]
        sent_claims.setdefault(ci, set()).add(view.passages[pi].sentence)
    drop = set()
    for pr, k in chosen:
        ci, pi, _ = pairs[k]
        for cj, sents in sent_claims.items():
            if cj != ci and view.claims[cj].sentence == view.passages[pi].sentence and view.claims[ci].sentence in sents:
                if cj not in drop:
                    drop.add(ci if view.claims[ci].sentence > view.claims[cj].sentence else cj)
    relations, by_claim = [], defaultdict(list)
    for pr, k in chosen:
        ci, pi, why = pairs[k]
        if ci in drop:
            continue
        v, p = view.claims[ci], view.passages[pi]
        ev_claim = next((cid for cid in p.claim_ids if cid != v.claim.id), None)
        r = Relation(stable_id("r", v.claim.id, rel[k], f"{p.span.start}:{p.span.end}", p.document or ""), v.claim.id,
                     ev_claim, rel[k], reason(view, ci, pi, rel[k]), [p.span] if p.kind != "document" else [],
                     round(pr, 3), "learned")
        relations.append(r)
        by_claim[ci].append((pr, k, r))
    flags = []
    for ci, items in by_claim.items():
        v = view.claims[ci]
        c = v.claim
        items.sort(key=lambda x: -x[0])
        relation = items[0][2].relation
        main = [x for x in items if x[2].relation == relation][:3]
        support = corroboration(view, ci, {pairs[k][1] for _, k, _ in items})
        why = " ".join(dict.fromkeys(r.reason for _, _, r in main))
        if support is not None:
            why += f" Partly corroborated by {support.speaker or 'the article'}: {_q(support.text)}."
            relations.append(Relation(stable_id("r", c.id, "corroborates_in_part", f"{support.span.start}:{support.span.end}"),
                                      c.id, next((x for x in support.claim_ids if x != c.id), None), "corroborates_in_part",
                                      f"Backs part of the claim, which other sources contest: {_q(support.text)}.",
                                      [support.span], 0.5, "learned"))
        counter = [view.passages[pairs[k][1]].speaker or ASSERTION_SPEAKER for _, k, _ in main]
        flags.append(Flag(
            id=stable_id("f", c.id, relation), claim_id=c.id, relation=relation, reason=why,
            severity=C.FLAG_SEVERITY[relation],
            confidence=round(confidence(items[0][0]) if confidence else items[0][0], 3),
            claim_span=Span.of(text, c.spans[0].start, c.spans[-1].end), speaker=c.speaker or ASSERTION_SPEAKER,
            channel=c.channel.label if c.channel else None, countering_speaker="; ".join(dict.fromkeys(counter)),
            evidence=[r.evidence[0] for _, _, r in main if r.evidence], relation_ids=[r.id for _, _, r in main],
        ))
    flags.sort(key=lambda f: (-f.confidence, -f.severity, f.claim_span.start if f.claim_span else 0))
    return relations, flags


def corroboration(view: ArticleView, ci: int, used: set) -> Optional["object"]:
    """Another source's passage most similar to a contested claim, with no conflict cue: it backs part of it."""
    v = view.claims[ci]
    best, best_sim = None, C.CROSSCHECK_CORROBORATION_SIM
    for p in view.passages:
        if p.index in used or p.kind != "sentence" or v.claim.id in p.claim_ids:
            continue
        if conflict_cues(p.cues):
            continue
        if p.speaker is None or p.speaker_id == v.claim.speaker_id:
            continue
        s = float(view.sims[ci, p.index])
        if s > best_sim:
            best, best_sim = p, s
    return best


def set_groups(claims: list[Claim], relations: list[Relation]) -> None:
    """Claims joined by any relation share a stable group id (hash of the member claim ids)."""
    parent: dict = {}

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for r in relations:
        parent.setdefault(r.claim_id, r.claim_id)
        if r.evidence_claim_id:
            parent.setdefault(r.evidence_claim_id, r.evidence_claim_id)
            parent[find(r.evidence_claim_id)] = find(r.claim_id)
    members = defaultdict(list)
    for cid in parent:
        members[find(cid)].append(cid)
    gid = {}
    for ids in members.values():
        g = stable_id("g", *sorted(ids))
        for cid in ids:
            gid[cid] = g
    for c in claims:
        if c.id in gid:
            c.group = gid[c.id]


# --------------------------------------------------------------------------- tables and chart
#: Colours of the relation matrix chart (colour-blind-safe where it matters: conflict = warm, support = blue).
RELATION_COLOURS = {
    "source": "#bbbbbb",
    "supports": "#4c72b0",
    "corroborates_in_part": "#8fb3de",
    "qualifies": "#c7c7e2",
    "shifts": "#e5ae38",
    "not_confirmed": "#f2c45a",
    "unverified": "#f0d58c",
    "disputes": "#dd8452",
    "numeric_mismatch": "#c44e52",
    "denies": "#b2403f",
    "contradicts": "#8c1c13",
}


def _rank(value: str) -> int:
    if value in C.FLAG_SEVERITY:
        return 10 + C.FLAG_SEVERITY[value]
    return {"source": 5, "qualifies": 3, "corroborates_in_part": 2, "supports": 1}.get(value, 0)


def flags_frame(analysis):
    """The flags as a table of plain values, surest first (confidence, then severity, then position)."""
    import pandas as pd

    cols = ["flagged claim", "speaker", "channel", "relation", "countering source", "evidence", "reason",
            "confidence", "severity", "claim start", "claim end", "claim id", "flag id"]
    rows = []
    for f in analysis.flags:
        try:
            claim = analysis.claim(f.claim_id)
        except KeyError:
            claim = None
        span = f.claim_span or (claim.spans[0] if claim else None)
        rows.append({
            "flagged claim": " ".join((span.text if span else (claim.text if claim else "")).split()),
            "speaker": f.speaker or (claim.speaker if claim else None) or ASSERTION_SPEAKER,
            "channel": f.channel or (claim.channel.label if claim and claim.channel else ""),
            "relation": f.relation.replace("_", " "),
            "countering source": f.countering_speaker or "",
            "evidence": " … ".join(" ".join(e.text.split()) for e in f.evidence),
            "reason": f.reason,
            "confidence": round(float(f.confidence), 2),
            "severity": int(f.severity),
            "claim start": span.start if span else None,
            "claim end": span.end if span else None,
            "claim id": f.claim_id,
            "flag id": f.id,
        })
    df = pd.DataFrame(rows, columns=cols)
    if len(df):
        df = df.sort_values(["confidence", "severity", "claim start"], ascending=[False, False, True], kind="stable").reset_index(drop=True)
    return df


def _source_names(analysis) -> dict:
    names = {}
    for s in analysis.speakers:
        names[s.id] = s.name if s.name not in names.values() else f"{s.name} ({s.type})"
    for c in analysis.claims:
        if c.speaker_id and c.speaker_id not in names and c.speaker:
            names[c.speaker_id] = c.speaker
    return names


def relation_matrix(analysis):
    """Claims-by-source matrix: one row per claim group, one column per source.

    A cell holds "source" where that source made a claim of the group, else the
    most serious relation of that source's passages to the group ("contradicts",
    "not_confirmed", "supports"...). Evidence that is the article's own
    (unattributed) text goes in the column "(article)". Rows are the groups
    that have a relation; the ``claim`` column shows the group's first claim.
    """
    import pandas as pd

    names = _source_names(analysis)
    claims = {c.id: c for c in analysis.claims}
    row_of = {c.id: (c.group or c.id) for c in analysis.claims}
    cells: dict = defaultdict(dict)
    label: dict = {}
    for r in analysis.relations:
        if r.claim_id not in claims:
            continue
        row = row_of[r.claim_id]
        ev = claims.get(r.evidence_claim_id) if r.evidence_claim_id else None
        col = names.get(ev.speaker_id, ev.speaker) if ev is not None and (ev.speaker_id or ev.speaker) else "(article)"
        if ev is not None and not ev.attributed:
            col = "(article)"
        value = r.relation
        if _rank(value) > _rank(cells[row].get(col, "")):
            cells[row][col] = value
    for c in sorted(analysis.claims, key=lambda c: c.start):
        row = row_of[c.id]
        if row not in cells:
            continue
        label.setdefault(row, shorten(c.text, 80))
        if c.speaker_id in names or c.speaker:
            col = names.get(c.speaker_id, c.speaker)
            if _rank("source") > _rank(cells[row].get(col, "")):
                cells[row][col] = "source"
    columns = []
    for row in cells.values():
        for col in row:
            if col not in columns:
                columns.append(col)
    if "(article)" in columns:
        columns.remove("(article)")
        columns.append("(article)")
    order = sorted(cells, key=lambda g: min((c.start for c in analysis.claims if row_of[c.id] == g), default=0))
    df = pd.DataFrame([{"claim": label.get(g, g), **{col: cells[g].get(col, "") for col in columns}} for g in order],
                      index=pd.Index(order, name="group"), columns=["claim", *columns])
    return df


def matrix_chart(analysis, max_rows: int = 25, max_cols: int = 14):
    """The relation matrix drawn as a grid (matplotlib Figure): rows = claim groups, columns = sources."""
    from matplotlib.patches import Patch

    from ..charts import describe, nothing_to_show, subplots

    df = relation_matrix(analysis)
    values = df.drop(columns=["claim"]).iloc[:max_rows, :max_cols]
    fig, ax = subplots(figsize=(max(6.0, 1.0 + 0.7 * max(len(values.columns), 1)), max(2.5, 0.9 + 0.42 * max(len(values), 1))))
    if values.empty:
        nothing_to_show(fig, ax, "How each source bears on each claim group", "No linked claims in this article")
        return fig
    import numpy as np

    shown = df["claim"].iloc[: len(values)]
    bearings = [f"{source} {str(v).replace('_', ' ')} “{shorten(str(claim), 60)}”"
                for claim, (_, row) in zip(shown, values.iterrows()) for source, v in row.items()
                if v and v != "source"]
    describe(fig, f"How each source bears on each claim group (grid of {len(values)} claim groups by "
                  f"{len(values.columns)} sources)", bearings or ["no source bears on another's claim"])

    kinds = [k for k in RELATION_COLOURS if (values == k).to_numpy().any()]
    rgba = np.ones((len(values), len(values.columns), 4))
    from matplotlib.colors import to_rgba

    for i in range(len(values)):
        for j in range(len(values.columns)):
            v = values.iat[i, j]
            if v:
                rgba[i, j] = to_rgba(RELATION_COLOURS.get(v, "#999999"))
    ax.imshow(rgba, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(values.columns)))
    ax.set_xticklabels([str(c)[:24] for c in values.columns], rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(values)))
    ax.set_yticklabels([shorten(t, 45) for t in shown], fontsize=8)
    ax.set_xticks(np.arange(-0.5, len(values.columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(values)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.set_title("How each source bears on each claim group")
    ax.legend(handles=[Patch(color=RELATION_COLOURS[k], label=k.replace("_", " ")) for k in kinds],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
