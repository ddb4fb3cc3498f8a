"""Admin input and output for the knowledge base: parse what an admin typed, show patterns.

Pure functions, no Telegram: the formats are what the prompts promise (titles and
summaries as two lines, English then Chinese; lists one item per line, English items,
a ``---`` line, Chinese items), and validation is the schema's own, so the limits an
admin meets in chat are exactly those of the YAML files and the CLI. Everything that
came from a person is HTML-escaped on the way out, here and nowhere else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.core.i18n import Language
from bot.core.knowledge import KnowledgeError, LocalizedList, LocalizedText, Messages, ScamPattern
from bot.core.reply import quoted_html
from bot.core.taxonomy import CATEGORY_NAMES, SCAM_CATEGORIES
from bot.core.text import detect_language, normalise
from bot.kb.repository import AuditEntry

TEXT_FIELDS = ("title", "summary")
LIST_FIELDS = ("advice", "red_flags")
MESSAGE_FIELDS = ("examples", "counter_examples")
CHOICE_FIELDS = ("severity", "category")
EDITABLE_FIELDS = (*TEXT_FIELDS, *LIST_FIELDS, *MESSAGE_FIELDS, *CHOICE_FIELDS)
SEVERITIES = ("low", "medium", "high", "critical")
_ALIASES = {
    "flags": "red_flags",
    "redflags": "red_flags",
    "red-flags": "red_flags",
    "example": "examples",
    "counter": "counter_examples",
    "counters": "counter_examples",
    "counterexamples": "counter_examples",
    "counter-examples": "counter_examples",
}
_SEPARATOR = re.compile(r"^\s*(?:-{3,}|—{2,}|－{3,})\s*$")
_BULLET = re.compile(r"^\s*(?:[-•*·]\s+)")
SHOWN_ITEM_CHARS = 300
EDITABLE_CHARS = 3000
"""A field longer than this in its input form cannot round-trip through one Telegram message."""


def field_name(raw: str | None) -> str | None:
    """The schema field an admin meant (``red-flags``, ``counter`` …), or None."""
    if not raw:
        return None
    name = raw.strip().lower()
    name = _ALIASES.get(name, name)
    return name if name in EDITABLE_FIELDS else None


def category_label(category: str, language: Language = "en") -> str:
    names = CATEGORY_NAMES.get(category)
    return names["en" if language == "en" else "zh"] if names else category


def category_index(category: str) -> int:
    """Position in the stable taxonomy tuple: short enough for callback data, never renumbered."""
    return SCAM_CATEGORIES.index(category)


# Problems, worded for people
def _where(loc: Iterable[int | str]) -> str:
    parts = []
    for part in loc:
        if part == "en":
            parts.append("English")
        elif part == "zh":
            parts.append("Chinese")
        elif isinstance(part, int):
            parts.append(f"item {part + 1}")
        else:
            parts.append(str(part).replace("_", " "))
    return ", ".join(parts) or "input"


def problems_of(exc: ValidationError, prefix: str = "") -> list[str]:
    """Pydantic's errors as "title, English: String should have at most 300 characters"."""
    problems = []
    for err in exc.errors():
        loc = [prefix, *err["loc"]] if prefix else list(err["loc"])
        problems.append(f"{_where(loc)}: {err['msg']}")
    return problems


def as_problems(exc: Exception) -> list[str]:
    if isinstance(exc, KnowledgeError):
        return exc.problems
    if isinstance(exc, ValidationError):
        return problems_of(exc)
    raise TypeError(exc)


def _validated(model: type[BaseModel], data: dict[str, Any], field: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(problems_of(exc, field)) from exc


# Parsing
def _clean(text: str) -> str:
    """An example as ``/kb example`` stores it: NFKC, no invisible characters, single spaces. Never cut
    here: the schema limit must refuse an over-long item, not a silent truncation."""
    return normalise(text, limit=1_000_000)


def _plain(text: str) -> str:
    """Text people read (titles, advice) keeps its punctuation: full-width ， stays ， ."""
    return re.sub(r"[ \t]+", " ", text).strip()


def parse_two_lines(raw: str, field: str) -> LocalizedText:
    lines = [_plain(line) for line in raw.splitlines() if line.strip()]
    if len(lines) != 2:
        raise KnowledgeError([f"{field}: send exactly two lines, English first, then Chinese (got {len(lines)})"])
    return _validated(LocalizedText, {"en": lines[0], "zh": lines[1]}, field)  # type: ignore[return-value]


def split_languages(raw: str, clean: Callable[[str], str] = _plain) -> tuple[list[str], list[str]]:
    """English items, ``---``, Chinese items. Without the separator each line goes by its script."""
    lines = raw.splitlines()
    cut = next((i for i, line in enumerate(lines) if _SEPARATOR.match(line)), None)

    def items(chunk: list[str]) -> list[str]:
        cleaned = (clean(_BULLET.sub("", line)) for line in chunk)
        return list(dict.fromkeys(item for item in cleaned if item))

    if cut is not None:
        return items(lines[:cut]), items(lines[cut + 1 :])
    all_items = items(lines)
    english = [item for item in all_items if detect_language(item) == "en"]
    return english, [item for item in all_items if detect_language(item) != "en"]


def parse_list(raw: str, field: str) -> LocalizedList:
    english, chinese = split_languages(raw)
    return _validated(LocalizedList, {"en": english, "zh": chinese}, field)  # type: ignore[return-value]


def parse_messages(raw: str, field: str, *, current: Messages | None = None) -> Messages:
    """Example messages, added to ``current`` (a draft's examples so far), duplicates dropped."""
    english, chinese = split_languages(raw, _clean)
    base = current or Messages()
    data = {"en": list(dict.fromkeys([*base.en, *english])), "zh": list(dict.fromkeys([*base.zh, *chinese]))}
    return _validated(Messages, data, field)  # type: ignore[return-value]


def add_message(current: Messages | None, text: str, field: str) -> Messages:
    """One whole message (a forward keeps its line breaks as one example) added in its language."""
    clean = _clean(text)
    if not clean:
        raise KnowledgeError([f"{field}: the message has no text"])
    base = current or Messages()
    language = "en" if detect_language(clean) == "en" else "zh"
    data = base.model_dump()
    if clean not in data[language]:
        data[language].append(clean)
    return _validated(Messages, data, field)  # type: ignore[return-value]


def parse_field(field: str, raw: str) -> BaseModel:
    """The new value of a text, list or message field, validated; KnowledgeError with the problems."""
    if field in TEXT_FIELDS:
        return parse_two_lines(raw, field)
    if field in LIST_FIELDS:
        return parse_list(raw, field)
    if field in MESSAGE_FIELDS:
        return parse_messages(raw, field)
    raise KnowledgeError([f"{field} is chosen with the buttons"])


def with_field(pattern: ScamPattern, field: str, value: object) -> ScamPattern:
    """``pattern`` with one field replaced, validated as a whole."""
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_none=True)
    return build_pattern({**pattern.model_dump(exclude_none=True), field: value})


def build_pattern(data: dict[str, Any]) -> ScamPattern:
    try:
        return ScamPattern.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(problems_of(exc)) from exc


# Showing
def clip(text: str, limit: int = SHOWN_ITEM_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _items(values: list[str], limit: int | None = None) -> list[str]:
    shown = values if limit is None else values[:limit]
    return [f"• {quoted_html(clip(v))}" for v in shown]  # examples are scams: their links must not be tappable


def render_pattern(pattern: ScamPattern, *, examples_shown: int = 3) -> list[str]:
    """A pattern as HTML lines: every field an admin can edit, under the name ``/kb edit`` takes."""
    lines = [
        f"🧩 <code>{escape(pattern.id)}</code>",
        f"category: {escape(category_label(pattern.category))} (<code>{pattern.category}</code>) · "
        f"severity: {pattern.severity}",
    ]
    for name in TEXT_FIELDS:
        value = getattr(pattern, name)
        lines += [f"<b>{name}</b>", f"EN: {escape(clip(value.en))}", f"ZH: {escape(clip(value.zh))}"]
    for name in LIST_FIELDS:
        value = getattr(pattern, name)
        lines += [f"<b>{name}</b>", *_items(value.en), "—", *_items(value.zh)]
    for name in MESSAGE_FIELDS:
        value = getattr(pattern, name)
        lines.append(f"<b>{name}</b>: {len(value.en)} EN, {len(value.zh)} ZH")
        lines += _items(value.en, examples_shown) + _items(value.zh, examples_shown)
    return lines


def field_input(pattern: ScamPattern, field: str) -> str:
    """A field in the very format the admin sends it back in (plain text; escape before showing)."""
    value = getattr(pattern, field)
    if field in TEXT_FIELDS:
        return f"{value.en}\n{value.zh}"
    if field in LIST_FIELDS or field in MESSAGE_FIELDS:
        return "\n".join([*value.en, "---", *value.zh])
    return str(value)


def describe_entry(entry: AuditEntry) -> str:
    """One history line: when, what, who, and which fields an update touched."""
    line = f"{entry.at:%Y-%m-%d %H:%M} · {entry.action} <code>{escape(entry.pattern_id)}</code> · {escape(entry.actor)}"
    if entry.action in ("update", "import", "undo") and entry.before and entry.after:
        before = json.loads(entry.before.get("data") or "{}")
        after = json.loads(entry.after.get("data") or "{}")
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if entry.before.get("deleted") != entry.after.get("deleted"):
            changed.append("removed" if entry.after.get("deleted") else "restored")
        if changed:
            line += f" ({escape(', '.join(changed))})"
    return line + (" · undone" if entry.undone else "")
