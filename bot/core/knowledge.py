"""The scam knowledge base: patterns loaded from YAML and validated with pydantic.

Each pattern lives in its own YAML file so that a change to one scam script is a
small, reviewable diff. Loading validates every file before anything is used and
reports problems with the file, line and field, because the people who write these
files are analysts, not programmers, and "validation error" alone helps nobody.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from bot.core.taxonomy import SCAM_CATEGORIES

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000
MAX_LIST_ITEMS = 500
MAX_FILE_BYTES = 2_000_000

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
PatternId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{2,63}$")]
Severity = Literal["low", "medium", "high", "critical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Strict):
    """A short text in English and Simplified Chinese; Traditional is derived when absent."""

    en: ShortText
    zh: ShortText
    zh_hant: ShortText | None = None


class LocalizedList(_Strict):
    """Bullet points in English and Simplified Chinese; Traditional is derived when absent."""

    en: Annotated[list[Text], Field(min_length=1, max_length=12)]
    zh: Annotated[list[Text], Field(min_length=1, max_length=12)]
    zh_hant: Annotated[list[Text], Field(min_length=1, max_length=12)] | None = None


class Messages(_Strict):
    """Example messages by language. ``zh`` may hold Simplified or Traditional text."""

    en: Annotated[list[Text], Field(max_length=MAX_LIST_ITEMS)] = []
    zh: Annotated[list[Text], Field(max_length=MAX_LIST_ITEMS)] = []

    def all(self) -> list[tuple[str, str]]:
        """Return ``(language, text)`` pairs in file order."""
        return [("en", t) for t in self.en] + [("zh", t) for t in self.zh]

    def __len__(self) -> int:
        return len(self.en) + len(self.zh)


class Reference(_Strict):
    """A public advisory that backs the pattern."""

    title: ShortText
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)]


class ScamPattern(_Strict):
    """One known scam script: how it reads, how to spot it and what to do."""

    id: PatternId
    category: str
    severity: Severity = "high"
    title: LocalizedText
    summary: LocalizedText
    advice: LocalizedList
    red_flags: LocalizedList
    examples: Messages
    counter_examples: Messages = Messages()
    references: Annotated[list[Reference], Field(max_length=20)] = []

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in SCAM_CATEGORIES:
            raise ValueError(f"unknown category {value!r}; use one of shared/taxonomy.md")
        return value

    @field_validator("examples")
    @classmethod
    def _has_examples(cls, value: Messages) -> Messages:
        if len(value) == 0:
            raise ValueError("a pattern needs at least one example message")
        return value


class KnowledgeError(Exception):
    """A knowledge file is unreadable or invalid; the message names file, line and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class KnowledgeBase:
    """An immutable, validated set of patterns with a content hash as its version."""

    patterns: tuple[ScamPattern, ...]

    @property
    def version(self) -> str:
        """Content hash: any change to any pattern yields a new version (index staleness)."""
        payload = json.dumps([p.model_dump(mode="json") for p in self.patterns], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def by_id(self) -> dict[str, ScamPattern]:
        return {p.id: p for p in self.patterns}

    def __iter__(self) -> Iterator[ScamPattern]:
        return iter(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    @classmethod
    def from_patterns(cls, patterns: Iterable[ScamPattern]) -> KnowledgeBase:
        ordered = tuple(sorted(patterns, key=lambda p: p.id))
        seen: set[str] = set()
        duplicates = [p.id for p in ordered if p.id in seen or seen.add(p.id)]  # type: ignore[func-returns-value]
        if duplicates:
            raise KnowledgeError([f"duplicate pattern id: {d}" for d in duplicates])
        return cls(ordered)


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Walk a composed YAML node tree along a pydantic error location to find its line."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
            if match is None:
                return line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def parse_pattern(text: str, source: str) -> ScamPattern:
    """Parse and validate one pattern document; errors name ``source``, line and field."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise KnowledgeError([f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    except RecursionError as exc:  # the YAML parser recurses per level: a file nested 50,000 deep ends here
        raise KnowledgeError([f"{source}: nested too deeply to be a pattern"]) from exc
    if not isinstance(data, dict):
        raise KnowledgeError([f"{source}:1: expected a mapping of pattern fields"])
    try:
        return ScamPattern.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(p) for p in loc) or "(top level)"
            line = _line_of(node, loc)
            problems.append(f"{source}:{line}: {field}: {err['msg']}")
        raise KnowledgeError(problems) from exc


def load_pattern_file(path: Path) -> ScamPattern:
    """Load one YAML file, refusing binary or oversized files with a clear message."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise KnowledgeError([f"{path}: file is larger than {MAX_FILE_BYTES} bytes"])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
    return parse_pattern(text, str(path))


def pattern_files(path: Path) -> list[Path]:
    """The YAML files that make up a knowledge directory (or the single file given)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def load_knowledge(path: Path) -> KnowledgeBase:
    """Load and validate every pattern under ``path``; all problems are reported together."""
    if not path.exists():
        raise KnowledgeError([f"{path}: no such file or directory"])
    patterns: list[ScamPattern] = []
    problems: list[str] = []
    for file in pattern_files(path):
        try:
            patterns.append(load_pattern_file(file))
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if problems:
        raise KnowledgeError(problems)
    if not patterns:
        raise KnowledgeError([f"{path}: no pattern files (*.yaml) found"])
    kb = KnowledgeBase.from_patterns(patterns)
    log.info("loaded %d scam patterns from %s (version %s)", len(kb), path, kb.version)
    return kb


def dump_pattern(pattern: ScamPattern) -> str:
    """Serialise a pattern as readable YAML (block style, unicode kept, no null fields)."""
    data = pattern.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
