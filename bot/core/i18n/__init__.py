"""One catalogue of everything the bot says, and the one :data:`Language` type.

Texts are written in English and Simplified Chinese; a Traditional Chinese reader gets
the Simplified text converted with Taiwan's or Hong Kong's wording (:mod:`bot.core.hant`). The tables live beside
this module: :mod:`.chat` (commands, buttons, groups), :mod:`.images` (screenshots), :mod:`.admin` (the knowledge-base
admin), :mod:`.replies` (assessment replies and group alerts) and the command menu
below. The core owns the catalogue because the replies are worded in the core; the
Telegram adapter only looks texts up.
"""

from __future__ import annotations

from typing import Literal, TypeGuard

from bot.core.hant import Variant
from bot.core.i18n.admin import ADMIN, LIST, TWO_LINES
from bot.core.i18n.chat import CHAT
from bot.core.i18n.images import IMAGES
from bot.core.i18n.replies import REPLY_WORDS, ReplyWords
from bot.core.text import Language, to_traditional

__all__ = [
    "COMMAND_MENU",
    "LANGUAGES",
    "Language",
    "ReplyWords",
    "as_language",
    "is_language",
    "list_format",
    "localise",
    "reply_words",
    "text",
    "two_lines_format",
    "written",
]

Written = Literal["en", "zh"]
"""The languages texts are written in; zh-Hant is derived from zh."""
LANGUAGES: tuple[Language, ...] = ("en", "zh-Hans", "zh-Hant")

_TEXTS: dict[str, dict[str, str]] = {**CHAT, **ADMIN, **IMAGES}
assert len(_TEXTS) == len(CHAT) + len(ADMIN) + len(IMAGES), "a key is in two tables"

COMMAND_MENU: dict[Written, list[tuple[str, str]]] = {
    "en": [
        ("start", "What I do and how to use me"),
        ("help", "What I can and cannot check"),
        ("language", "Answer in English or Chinese"),
        ("region", "Where you report scams"),
        ("privacy", "What I store"),
    ],
    "zh": [
        ("start", "我能做什么、怎么用"),
        ("help", "我能检查什么"),
        ("language", "切换中文或英文"),
        ("region", "设置举报地区"),
        ("privacy", "我会保存什么"),
    ],
}
"""The bot's command menu as Telegram shows it (``set_my_commands``), per written language."""


def is_language(value: object) -> TypeGuard[Language]:
    return value in LANGUAGES


def as_language(value: object, default: Language = "en") -> Language:
    """A stored or typed value (a group's setting, a button) as a language; ``default`` if it is none."""
    return value if is_language(value) else default


def written(language: Language) -> Written:
    return "en" if language == "en" else "zh"


def localise(chosen: str, language: Language, variant: Variant = "tw") -> str:
    """Simplified text converted for a Traditional reader (Taiwan's or Hong Kong's wording); anything else as it is."""
    return to_traditional(chosen, variant) if language == "zh-Hant" else chosen


def text(key: str, language: Language, variant: Variant = "tw", **values: object) -> str:
    """A text in ``language`` (Traditional: ``variant``'s wording) with ``values`` filled in (already escaped)."""
    chosen = _TEXTS[key][written(language)]
    if values:
        chosen = chosen.format(**values)
    return localise(chosen, language, variant)


def reply_words(language: Language) -> ReplyWords:
    return REPLY_WORDS[written(language)]


def list_format(language: Language) -> str:
    return LIST[written(language)]


def two_lines_format(language: Language) -> str:
    return TWO_LINES[written(language)]
