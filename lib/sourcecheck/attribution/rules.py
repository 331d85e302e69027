"""What the parse still does better than the taggers: fallbacks and line-shape rules.

Cues the cue CRF misses (``rule_cue``), a content or a source it leaves out
(``fallback_content``, ``fallback_source``, ``complete_quotes``), cues whose subject is
not a source (``sourceless``), statements that are not attributions (``not_a_statement``),
and the two line shapes with no cue verb: ``"..." — Name`` and ``Name: ...``.
"""
from __future__ import annotations

from typing import Optional

from .. import constants as C
from .parse import CONTENT_DEPS, Parse

#: nouns whose "in" phrase attributes the clause it modifies ("In a CNN poll, ...", "in Forbes' words")
_PP_CUE_NOUNS = frozenset(("poll", "polls", "survey", "study", "words"))


def fallback_content(P: Parse, a: int, cue_ids: set, start: int, end: int) -> list[int]:
    """Content tokens from the parse alone, when the role tagger finds none.

    The cue verb's clausal complement or object; otherwise the quotation nearest the cue.
    """
    for c in P.kids[a]:
        if P.dep[c] in CONTENT_DEPS:
            return [i for i in P.subtree(c) if start <= i < end and i not in cue_ids]
    best, dist = -1, None
    for i in range(start, end):
        if P.qid[i] >= 0:
            d = abs(i - a)
            if dist is None or d < dist:
                best, dist = P.qid[i], d
    if best >= 0:
        return [i for i in range(start, end) if P.qid[i] == best]
    return []


def complete_quotes(P: Parse, a: int, con: list[int], taken: set, start: int, end: int) -> list[int]:
    """Make quotations whole: a quotation mostly in the content joins entirely, and the second
    half of a quote interrupted by its cue (``"A," he said, "B."``) joins the first."""
    if not con:
        return con
    qid, regions = P.qid, P.regions
    in_con = set(con)
    counts: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for i in range(start, end):
        q = qid[i]
        if q >= 0:
            sizes[q] = sizes.get(q, 0) + 1
            if i in in_con:
                counts[q] = counts.get(q, 0) + 1
    def beside_cue(q: int) -> bool:
        """Only source, cue, punctuation and the cue's adverbials between quotation ``q`` and the cue."""
        lo, hi = regions[q]
        gap = [i for i in range(start, end) if (hi <= P.idx[i] < P.idx[a]) or (P.end[a] <= P.idx[i] and P.end[i] <= lo)]
        return len(gap) <= 12 and all(
            i in taken or P.punct[i] or P.space[i] or (P.head[i] == a and P.dep[i] in ("npadvmod", "advmod", "prep", "pobj"))
            for i in gap
        )

    add = {q for q, k in counts.items() if k >= 0.5 * sizes[q] or beside_cue(q)}
    if add:
        last = max(regions[q][1] for q in add)
        for q in sorted(sizes):
            if regions[q][0] < last or q in add:
                continue
            gap = [i for i in range(start, end) if last <= P.idx[i] < regions[q][0]]
            if len(gap) <= 12 and a in gap and all(
                i in taken or P.punct[i] or P.space[i]
                or (P.head[i] == a and P.dep[i] in ("npadvmod", "advmod", "prep", "pobj"))
                for i in gap
            ):
                add.add(q)
            break
    if not add:
        return con
    return sorted(in_con | {i for i in range(start, end) if qid[i] in add and i not in taken})


def not_a_statement(P: Parse, a: int, src: list[int], con: list[int]) -> bool:
    """Negative rules: a rhetorical question ("Who could have predicted this?") and a quoted
    word used as a term (no source, content only a short quotation)."""
    if src and all(P.lower[i] in ("who", "what", "whoever") for i in src):
        if P.text[P.idx[P.sent_start[a]]: P.end[P.sent_end[a] - 1]].rstrip().endswith("?"):
            return True
    qs = {P.qid[i] for i in con}
    if con and len(qs) == 1 and -1 not in qs:
        words = [P.doc[i].text for i in con if not (P.punct[i] or P.space[i])]
        if not src and len(words) <= 3:
            return True
        # a title of a work: a short quotation in Title Case ("published ''The Road Ahead''")
        long_words = [w for w in words if len(w) > 3 and w.isalpha()]
        if (
            len(words) <= 8
            and long_words
            and all(w[0].isupper() for w in long_words)
            and not all(w.isupper() for w in long_words)
            and not P.text[P.regions[next(iter(qs))][0]: P.regions[next(iter(qs))][1]].rstrip("”\"'").endswith((".", "!", "?", ","))
        ):
            return True
    return False


def rule_cue(P: Parse, i: int) -> Optional[str]:
    """Which parse rule makes token ``i`` a cue, if any.

    ``"verb"``: a speech or belief verb with a subject and a clausal complement,
    outside quotation marks. ``"poll"``: "In a CNN poll, Clinton leads...": the
    preposition before the clause is the cue, the poll its source.
    """
    if P.qid[i] >= 0:
        return None
    if (
        P.pos[i] == "VERB"
        and P.lemma[i] in C.CUE_RULE_VERBS
        and any(P.dep[c] in ("ccomp", "xcomp") for c in P.kids[i])
        and P.subject(i) is not None
    ):
        return "verb"
    if (
        P.lower[i] == "in"
        and P.dep[i] == "prep"
        and i < P.head[i]
        and P.lemma[P.head[i]] not in C.REPORTING_VERBS
        and any(P.dep[c] == "pobj" and P.lemma[c] in _PP_CUE_NOUNS for c in P.kids[i])
    ):
        return "poll"
    return None


def sourceless(P: Parse, a: int) -> bool:
    """Cues whose grammatical subject is not a source in PolNeAR: a raising verb ("Hizbollah
    seems unlikely to...": the subject belongs to the content) and a bare participle of
    asking ("Asked about the vote, she said..."): the asker is not named)."""
    if P.lemma[a] in C.RAISING_CUES:
        return True
    return (
        P.lemma[a] in C.ASKING_CUES
        and P.tag[a] == "VBN"
        and P.dep[a] in ("advcl", "ROOT", "conj")
        and not any(P.dep[c] in ("nsubj", "nsubjpass", "aux", "auxpass", "agent") for c in P.kids[a])
    )


def fallback_source(P: Parse, a: int, cue: list[int], cue_ids: set, start: int, end: int) -> list[int]:
    """A source the role tagger left out, from two parse shapes it misses:
    ``according to X`` (the object of *to*) and a cue verb inside a prepositional
    phrase of the speaking verb (``In describing Trump, Cuban said``, ``followed up by
    asking``): the subject of that verb. Failing those, a name the parser hung elsewhere
    (``_misattached_subject``)."""
    for i in cue:
        if P.lower[i] == "to" and any(P.lower[j] == "according" for j in cue):
            for c in P.kids[i]:
                if P.dep[c] == "pobj" and c not in cue_ids:
                    return [k for k in P.subtree(c) if start <= k < end and k not in cue_ids]
    h = P.head[a]
    if P.dep[a] == "pcomp" and P.pos[h] == "ADP" and P.dep[h] == "prep" and P.head[h] != h:
        subj = P.subject(P.head[h])
        if subj is not None and P.dep[subj] == "nsubj" and subj not in cue_ids and start <= subj < end:
            return [k for k in P.subtree(subj) if start <= k < end and k not in cue_ids]
    return _misattached_subject(P, a, cue_ids, start)


_SUBJECT_PRONOUNS = frozenset(("he", "she", "they", "i", "we"))


def _misattached_subject(P: Parse, a: int, cue_ids: set, start: int) -> list[int]:
    """The speaker of a finite cue verb the parser left without a subject because it hung
    the name elsewhere ("Trump, speaking later at a rally, did not mention...", "Speaking
    in Harlem, Clinton, without naming him, also accused..."): the first name or personal
    pronoun of the sentence before the verb that is not an object or a modifier."""
    finite = P.tag[a] in ("VBD", "VBZ", "VBP") or any(P.dep[c] == "aux" for c in P.kids[a])
    if P.pos[a] not in ("VERB", "AUX") or not finite or P.subject(a) is not None:
        return []
    for i in range(max(P.sent_start[a], start), a):
        if i in cue_ids or P.qid[i] >= 0 or P.dep[i] in ("pobj", "poss", "dobj", "compound"):
            continue
        if P.pos[i] == "PROPN" or (P.pos[i] == "PRON" and P.lower[i] in _SUBJECT_PRONOUNS):
            lo = i
            while lo - 1 >= start and P.dep[lo - 1] == "compound" and P.head[lo - 1] == i:
                lo -= 1
            return list(range(lo, i + 1))
    return []


def _name_like(P: Parse, toks: list[int], max_len: int) -> bool:
    """A short stretch without a verb that names someone: a proper noun or a person,
    organisation, group or place entity (the signature of ``"..." — Name`` and ``Name: ...``)."""
    return (
        0 < len(toks) <= max_len
        and not any(P.pos[k] in ("VERB", "AUX") for k in toks)
        and any(P.pos[k] == "PROPN" or P.ent[k] in ("PERSON", "ORG", "NORP", "GPE") for k in toks)
    )


def dash_attributions(P: Parse) -> list[tuple[list[int], list[int], list[int]]]:
    """``"..." — Name``: a quotation signed with a dash and a name ending its sentence.

    Returns (source, cue, content) token lists.
    """
    out = []
    for i in range(1, P.n - 1):
        if P.lower[i] not in ("—", "–", "--", "-"):
            continue
        j = i - 1
        while j > 0 and P.space[j]:
            j -= 1
        q = P.qid[j]
        if q < 0 or P.end[j] != P.regions[q][1]:
            continue
        e = P.sent_end[i]
        name = [k for k in range(i + 1, e) if not P.space[k]]
        while name and P.punct[name[-1]]:
            name.pop()
        if not _name_like(P, name, 10):
            continue
        content = [k for k in range(P.n) if P.qid[k] == q]
        if sum(1 for k in content if not (P.punct[k] or P.space[k])) < 3:
            continue  # a title or a term, not a statement
        out.append((name, [i], content))
    return out


def _interview_marker(P: Parse, i: int) -> Optional[int]:
    """The ``Q`` or ``A`` token of a transcript marker whose colon is token ``i``, when the
    marker starts a line or follows a wide gap ("...right?  A: I'm still not..."), else None."""
    k = i - 1
    if k < 0 or P.text[P.idx[k]: P.end[k]] not in ("Q", "A"):
        return None
    j = k - 1
    while j >= 0 and P.space[j]:
        j -= 1
    gap = P.text[P.end[j] if j >= 0 else 0: P.idx[k]]
    return k if j < 0 or "\n" in gap or len(gap) >= 2 else None


def colon_lines(P: Parse) -> list[tuple[list[int], list[int], list[int]]]:
    """``Name: statement`` at the start of a line: headlines ("Carson: Clinton 'Not Fit To
    Serve'") and interview transcripts ("Q: ...", "A: ...", also run together on one line).
    The colon is the cue, the rest of the line up to the next transcript marker the content.
    Editorial labels ("Editor's note:", "Correction:") name no source, and a line with
    neither a verb nor a quotation ("Iowa: Tim Albrecht, Brad Anderson, ...") states
    nothing. Returns (source, cue, content) token lists.
    """
    text = P.text
    markers: dict[int, int] = {}  # colon token -> its Q/A token
    for i in range(1, P.n):
        if P.lower[i] == ":" and P.qid[i] < 0:
            k = _interview_marker(P, i)
            if k is not None:
                markers[i] = k
    out = []
    for i in range(1, P.n - 1):
        if P.lower[i] != ":" or P.qid[i] >= 0:
            continue
        line_start = text.rfind("\n", 0, P.idx[i]) + 1
        line_end = text.find("\n", P.end[i])
        line_end = len(text) if line_end < 0 else line_end
        if i in markers:
            name = [markers[i]]
        else:
            name = [k for k in range(i - 1, -1, -1) if P.idx[k] >= line_start][::-1]
            name = [k for k in name if not P.space[k]]
            if not _name_like(P, name, 8) or any(P.lemma[k] in C.EDITORIAL_LABELS for k in name):
                continue
        nxt = next((markers[m] for m in markers if m > i), P.n)  # markers are in text order
        content = [k for k in range(i + 1, nxt) if P.idx[k] < line_end and not P.space[k]]
        if sum(1 for k in content if not P.punct[k]) < 3:
            continue
        if not any(P.pos[k] in ("VERB", "AUX") or P.qid[k] >= 0 for k in content):
            continue  # neither a clause nor a quotation: a list or a label
        out.append((name, [i], content))
    return out
