"""Cue patterns (``data/crosscheck_cues.yaml``) counted in a passage: features for the judge, never rules."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourcecheckError

CUES_FILE = Path(__file__).resolve().parent.parent / "data" / "crosscheck_cues.yaml"
#: Cue classes counted in every passage (the feature names are ``cue_<class>``).
CUE_CLASSES = ("not_confirmed", "unverified", "denies", "disputes", "contradicts", "records", "corroborates")
LISTS = ("hedges", "shift_markers", "past_markers", "anaphors")
#: The counts (of ``Cues.count``) that mark a rebuttal, a denial or a non-confirmation.
CONFLICT_CUES = ("cue_not_confirmed", "cue_unverified", "cue_denies", "cue_disputes", "cue_contradicts")


def conflict_cues(counts: dict, pointing_back: bool = False) -> int:
    """How many conflict cues a passage's counts hold (with ``pointing_back``: anaphors count too)."""
    return sum(counts.get(k, 0) for k in CONFLICT_CUES) + (counts.get("anaphors", 0) if pointing_back else 0)


@dataclass(frozen=True)
class Cues:
    classes: dict          # class -> compiled alternation
    lists: dict            # hedges / shift_markers / past_markers / anaphors -> compiled alternation
    negations: frozenset
    document_sources: frozenset

    def count(self, text: str) -> dict[str, int]:
        t = " ".join(text.split())
        out = {f"cue_{k}": len(p.findall(t)) for k, p in self.classes.items()}
        out.update({k: len(p.findall(t)) for k, p in self.lists.items()})
        return out

    def first(self, text: str, name: str):
        """The first matching phrase of a cue class or list, or None (for reasons a journalist reads)."""
        p = self.classes.get(name) or self.lists.get(name)
        m = p.search(" ".join(text.split())) if p else None
        return m.group(0) if m else None


def _alternation(patterns, where: str) -> re.Pattern:
    try:
        return re.compile(r"(?i)(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)")
    except re.error as exc:
        raise SourcecheckError(f"{CUES_FILE}: {where}: bad pattern ({exc})") from exc


@functools.lru_cache(maxsize=1)
def load_cues() -> Cues:
    import yaml

    try:
        d = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourcecheckError(f"{CUES_FILE}: cannot read the cue patterns ({exc})") from exc
    missing = [k for k in ("cues", "negations", "document_sources", *LISTS) if k not in d]
    if missing or any(c not in d["cues"] for c in CUE_CLASSES):
        raise SourcecheckError(f"{CUES_FILE}: missing sections {missing or [c for c in CUE_CLASSES if c not in d['cues']]}")
    return Cues(
        classes={c: _alternation(d["cues"][c], f"cues.{c}") for c in CUE_CLASSES},
        lists={k: _alternation(d[k], k) for k in LISTS},
        negations=frozenset(str(w).lower() for w in d["negations"]),
        document_sources=frozenset(str(w).lower() for w in d["document_sources"]),
    )
