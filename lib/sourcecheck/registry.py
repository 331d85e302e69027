"""Known speakers and channels: outlets, platforms, government bodies and organisations.

The list is data, not code: ``sourcecheck/data/entities.yaml`` (its header documents
the schema), extended by an optional user file of the same shape
(``load_registry(extra_path)``; ``sourcecheck analyze --entities FILE``). A bad user
file raises ``EntitiesFileError`` naming the file and the problem.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import SourcecheckError

ENTITY_TYPES = ("news_outlet", "social_platform", "government_body", "organisation")
ENTITIES_FILE = Path(__file__).parent / "data" / "entities.yaml"


class EntitiesFileError(SourcecheckError):
    """A user entities file (outlets, platforms, bodies) cannot be used."""

    def __init__(self, path, problem: str, hint: str = "see the header of sourcecheck/data/entities.yaml for the schema"):
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}" + (f" ({hint})" if hint else ""))


# =========================================================================== registry
@dataclass(frozen=True)
class Entity:
    """A known outlet, platform, government body or organisation."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    country: Optional[str] = None


def norm_key(text: str) -> str:
    """Lowercase, no leading "the", no possessive, dots and spaces folded: the form names are compared in."""
    t = unicodedata.normalize("NFKC", text).replace("’", "'").strip().lower()
    t = re.sub(r"'s$", "", t)
    t = re.sub(r"^the\s+", "", t)
    return re.sub(r"[\s.]+", " ", t).strip()


class Registry:
    """Known entities with their aliases; ``lookup`` a phrase, ``find`` mentions in a text."""

    def __init__(self, entities: list[Entity]):
        self.entities = list(entities)
        self._by_key: dict[str, Entity] = {}
        forms: dict[str, Entity] = {}
        for e in self.entities:
            for a in (e.name, *e.aliases):
                self._by_key.setdefault(norm_key(a), e)
                forms.setdefault(re.sub(r"^[Tt]he\s+", "", a) if norm_key(a) != norm_key(e.name) or not a.startswith("The ") else a, e)
                forms.setdefault(a, e)
        self._forms = forms
        alts = sorted(forms, key=len, reverse=True)
        self._re = re.compile(r"(?<![\w.])(" + "|".join(_form_pattern(a) for a in alts) + r")(?![\w])") if alts else None

    def lookup(self, text: str) -> Optional[Entity]:
        return self._by_key.get(norm_key(text))

    def find(self, text: str) -> list[tuple[int, int, Entity]]:
        """Case-sensitive whole-word mentions of any name or alias in ``text``."""
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            e = self.lookup(m.group(1))
            if e is not None:
                out.append((m.start(1), m.end(1), e))
        return out

    def __len__(self) -> int:
        return len(self.entities)


def _form_pattern(alias: str) -> str:
    p = re.escape(alias).replace(r"\ ", r"\s+").replace("'", "['’]")
    return "[Tt]" + p[1:] if alias.startswith("The ") else p


def _read_entities(path: Path, user: bool) -> list[Entity]:
    import yaml

    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EntitiesFileError(path, "entities file not found", "check the path given as entities_path / --entities") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EntitiesFileError(path, f"entities file cannot be read as UTF-8 text ({exc})") from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise EntitiesFileError(path, f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise EntitiesFileError(path, "expected a mapping with an 'entities:' list at the top")
    out = []
    for n, item in enumerate(data["entities"], 1):
        where = f"entry {n}"
        if not isinstance(item, dict):
            raise EntitiesFileError(path, f"{where} must be a mapping with name and type")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise EntitiesFileError(path, f"{where} has no 'name' (a non-empty string)")
        where = f"entry {n} ({name!r})"
        typ = item.get("type")
        if typ not in ENTITY_TYPES:
            raise EntitiesFileError(path, f"{where}: type {typ!r} is not one of {', '.join(ENTITY_TYPES)}")
        aliases = item.get("aliases", []) or []
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise EntitiesFileError(path, f"{where}: 'aliases' must be a list of names")
        unknown = set(item) - {"name", "type", "aliases", "country", "note"}
        if unknown:
            raise EntitiesFileError(path, f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        country = item.get("country")
        out.append(Entity(name.strip(), typ, tuple(a.strip() for a in aliases), str(country) if country else None))
    return out


def load_registry(extra_path: Optional[str | Path] = None) -> Registry:
    """The shipped ``data/entities.yaml`` plus, optionally, a user file of the same schema (user entries win).

    Cached per file and modification time, so a batch run reads and compiles the list once.
    """
    files = [ENTITIES_FILE] + ([Path(extra_path)] if extra_path else [])
    stamps = tuple((str(f), f.stat().st_mtime_ns if f.is_file() else None) for f in files)
    return _registry(stamps)


@functools.lru_cache(maxsize=8)
def _registry(stamps: tuple) -> Registry:
    entities = {e.name: e for e in _read_entities(Path(stamps[0][0]), user=False)}
    for path, _ in stamps[1:]:
        for e in _read_entities(Path(path), user=True):
            entities[e.name] = e
    return Registry(list(entities.values()))
