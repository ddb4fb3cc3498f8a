"""Turning the model's explanation into a paragraph that is safe to show under our verdict.

The model's words are the one part of the reply we did not write, so they are held to
rules that do not depend on the model behaving:

- shown only when the model agrees the message is dangerous and the combined verdict is
  not ``safe`` (an "it's fine" written under a scam warning, e.g. after a successful
  prompt injection, is dropped, not shown);
- any sentence with a phone number, link, domain, email or handle is dropped: where to
  report comes from the knowledge base only, never from a model that may have copied
  the scammer's own number or invented one;
- one plain paragraph (no newlines, Markdown or verdict emoji), so it cannot imitate the
  reply's headings, bullets or verdict line; bounded in length; HTML-escaped later by
  the renderer;
- in the reply's language, or not at all.
"""

from __future__ import annotations

import re

from bot.core.llm.opinion import Explanation
from bot.core.llm.schema import OpinionPayload
from bot.core.text import Language, detect_language, to_simplified, to_traditional

MAX_EXPLANATION_CHARS = 600

_CURRENCY_BEFORE = r"(?<![$£€¥\d,.])"
_CONTACT = re.compile(
    r"https?://|www\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|top|xyz|online|site|help|app|io|co|"
    r"gov|edu|[a-z]{2})\b|@\w|"
    rf"{_CURRENCY_BEFORE}\+?\d(?:[\s\-().]{{0,2}}\d){{2,}}(?!\s?(?:%|k\b|usd|hkd|rmb|usdt|yuan|pounds|dollars|元|块|万|千|美元|港币))",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
_MARKDOWN = re.compile(r"[*_`#]+")
_DECORATION = re.compile(r"[•🚨⚠✅ℹ👉\ufe0f]+")
_SPACES = re.compile(r"\s+")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def sanitise(text: str) -> str:
    """One plain paragraph without contact details, cut at a sentence boundary to the length bound."""
    flat = _SPACES.sub(" ", _DECORATION.sub(" ", _MARKDOWN.sub("", text))).strip()
    kept: list[str] = []
    size = 0
    for sentence in _sentences(flat):
        if _CONTACT.search(sentence):
            continue
        if size + len(sentence) + 1 > MAX_EXPLANATION_CHARS:
            break
        kept.append(sentence)
        size += len(sentence) + 1
    joiner = "" if kept and detect_language(" ".join(kept)) != "en" else " "
    return joiner.join(kept)


def _in_language(text: str, language: Language) -> str | None:
    """The text in the reply's script, or None when the model answered in another language."""
    written = detect_language(text)
    if (language == "en") != (written == "en"):
        return None
    if language == "zh-Hant":
        return to_traditional(text)
    if language == "zh-Hans":
        return to_simplified(text)
    return text


def make_explanation(payload: OpinionPayload, final_verdict: str, language: Language) -> Explanation | None:
    """The paragraph to show, or None when there is nothing trustworthy to add."""
    if not payload.is_scam or final_verdict == "safe":
        return None
    text = sanitise(payload.explanation)
    if not text:
        return None
    localised = _in_language(text, language)
    return Explanation(localised, language) if localised else None
