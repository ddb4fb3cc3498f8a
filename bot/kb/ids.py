"""Pattern ids for new patterns: readable, stable, unique.

An id is ``<category>_<slug of the English title>``; the schema allows 3 to 64 lower-case
ASCII characters. The kb service settles the id under its lock, so two admins adding
"the same" title at once get two patterns, never one overwriting the other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable


def slug(text: str, max_length: int) -> str:
    """Lower-case ASCII words joined by ``_``, cut at a word boundary when possible."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")
    if len(words) <= max_length:
        return words
    cut = words[:max_length]
    if words[max_length] != "_" and "_" in cut:
        cut = cut.rsplit("_", 1)[0]
    return cut.strip("_")


def new_pattern_id(category: str, title_en: str, taken: Callable[[str], bool]) -> str:
    """``<category>_<slug of the English title>``, made unique with ``_2``, ``_3`` … (schema: 3–64 chars)."""
    base = f"{category}_{slug(title_en, 63 - len(category)) or 'pattern'}"
    candidate, number = base, 2
    while taken(candidate):
        suffix = f"_{number}"
        candidate = base[: 64 - len(suffix)].rstrip("_") + suffix
        number += 1
    return candidate
