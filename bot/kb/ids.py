"""Pattern ids for new patterns: readable, stable, unique.

An id is ``<category>_<the title's key words>``: the English title's words without the
filler (articles, pronouns, "or", "your" …), at most ``MAX_WORDS`` of them and whole
words only, so "Pay now or your account will be closed" gives ``…_pay_now_account_closed``
rather than a 63-character cut that stops mid-phrase (``…_pay_now_or_your``). The schema
allows 3 to 64 lower-case ASCII characters. The kb service settles the id under its lock,
so two admins adding "the same" title at once get two patterns, never one overwriting the
other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

MAX_WORDS = 5
"""Key words kept from a title: the shipped ids are two to six words after the category."""
FILLER = frozenset(
    "a an the and or but nor so if then than as at by for from in into of on onto to with without via "
    "is are was were be been being will would can could may might must shall should do does did "
    "i me my we us our you your he him his she her it its they them their this that these those "
    "who whom whose which what".split()
)
"""Words that carry no meaning in an id (a title's key words are what an admin recognises it by)."""


def _words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.findall(r"[a-z0-9]+", ascii_text)


def slug(text: str, max_length: int) -> str:
    """The title's key words (no filler, at most ``MAX_WORDS``) joined by ``_``, whole words within ``max_length``."""
    words = _words(text)
    key = [w for w in words if w not in FILLER] or words
    kept: list[str] = []
    for word in key[:MAX_WORDS]:
        if len("_".join([*kept, word])) > max_length:
            break
        kept.append(word)
    if not kept and key:  # a single word longer than the room left: cut it, there is nothing better
        kept = [key[0][:max_length]]
    return "_".join(kept)


def new_pattern_id(category: str, title_en: str, taken: Callable[[str], bool]) -> str:
    """``<category>_<key words of the English title>``, made unique with ``_2``, ``_3`` … (schema: 3–64 chars)."""
    base = f"{category}_{slug(title_en, 63 - len(category)) or 'pattern'}"
    candidate, number = base, 2
    while taken(candidate):
        suffix = f"_{number}"
        candidate = base[: 64 - len(suffix)].rstrip("_") + suffix
        number += 1
    return candidate
