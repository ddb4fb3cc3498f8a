"""Turning the model's explanation into a paragraph that is safe to show under our verdict.

The model's words are the one part of the reply we did not write, so they are held to
rules that do not depend on the model behaving:

- shown only when the model agrees the message is dangerous and the combined verdict is
  not ``safe`` (an "it's fine" written under a scam warning, e.g. after a successful
  prompt injection, is dropped, not shown);
- any sentence with a phone number (in digits or spelled out), link, domain (full-width
  or defanged too), email, handle or messaging id is dropped, judged after NFKC: where to
  report comes from the knowledge base only, never from a model that may have copied
  the scammer's own number or invented one;
- one plain paragraph (no newlines, Markdown or verdict emoji), so it cannot imitate the
  reply's headings, bullets or verdict line; bounded in length; HTML-escaped later by
  the renderer;
- in the reply's language, or not at all.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.llm.opinion import Explanation
from bot.core.llm.schema import OpinionPayload
from bot.core.text import Language, detect_language, normalise, to_simplified, to_traditional

MAX_EXPLANATION_CHARS = 600

_CURRENCY_BEFORE = r"(?<![$£€¥\d,.])"
_CONTACT = re.compile(
    r"https?://|hxxps?://|www\.|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,63}(?![\w-])|@\w|"
    rf"{_CURRENCY_BEFORE}\+?\d(?:[\s\-().]{{0,2}}\d){{2,}}(?!\s?(?:%|k\b|usd|hkd|rmb|usdt|yuan|pounds|dollars|元|块|万|千|美元|港币))",
    re.IGNORECASE,
)
# Ways of writing a dot so a filter misses the domain: evil-support[.]com, (dot), {.}, " dot ".
_HIDDEN_DOT = re.compile(r"\s*[\[({<]\s*(?:\.|dot|點|点)\s*[\])}>]\s*|\s+dot\s+", re.IGNORECASE)
# A number spelled out: seven or more digit words in a row (零一零 八八八八 六六六六, "zero one zero eight…").
_DIGIT_WORDS = re.compile(
    r"(?:(?:[零〇一二三四五六七八九两幺壹贰叁肆伍陆柒捌玖]|\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b|\d)"
    r"[\s,、\-–]*){7,}",
    re.IGNORECASE,
)
_CHANNELS = (
    r"wechat|weixin|whatsapp|telegram|signal|viber|line|kakao(?:talk)?|skype|snapchat|instagram|facebook|"
    r"messenger|tiktok|douyin|qq|wx|vx|tg|微信|威信|薇信|企业微信|电报|飞机|抖音|脸书|ＱＱ"
)
_ID_WORDS = r"id|account|handle|username|user ?name|name|number|号|號|账号|帳號|用户名|用戶名"
# An id right after its channel ("WeChat ID: banksafehelp", "微信号是banksafehelp", "微信banksafehelp"),
# or before it ("add banksafehelp on WeChat"); and any token mixing letters with digits or underscores.
_ID_AFTER_CHANNEL = re.compile(
    rf"(?:{_CHANNELS})\s*(?:(?:{_ID_WORDS})\s*(?:[:：=]|\bis\b|是|为|為)?|[:：=]|是|为|為)\s*[\"“'‘]?([a-z][\w.-]{{3,}})"
    rf"|(?<=[\u3400-\u9fff])(?:{_CHANNELS})([a-z][\w.-]{{3,}})",
    re.IGNORECASE,
)
_ID_BEFORE_CHANNEL = re.compile(
    rf"\b(?:add|contact|message|text|find|search(?: for)?|follow|dm)\s+[\"“'‘]?([a-z][\w.-]{{3,}})[\"”'’]?\s+"
    rf"(?:on|via|in|at|through)\s+(?:{_CHANNELS})|(?:加|添加|联系|聯繫|搜索|搜)\s*[\"“'‘]?([a-z][\w.-]{{3,}})",
    re.IGNORECASE,
)
_MIXED_TOKEN = re.compile(r"\b(?=[a-z_]*\d)(?=[\d_]*[a-z])[a-z\d_]{5,}\b|\b[a-z\d]+_[a-z\d_]+\b", re.IGNORECASE)
_NOT_IDS = frozenset(
    """which who that what where when this they them their there then your you and the with anyone someone
    anybody somebody nobody people strangers contacts friends friend family them him her us me back only""".split()
)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
_MARKDOWN = re.compile(r"[*_`#]+")
_DECORATION = re.compile(r"[•🚨⚠✅ℹ👉\ufe0f]+")
_SPACES = re.compile(r"\s+")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def has_contact(sentence: str) -> bool:
    """Does ``sentence`` carry a way to reach someone: number, link or domain in any form, e-mail, handle or id?"""
    sentence = unicodedata.normalize("NFKC", sentence)
    revealed = _HIDDEN_DOT.sub(".", sentence)
    if _CONTACT.search(revealed) or _DIGIT_WORDS.search(sentence) or _MIXED_TOKEN.search(sentence):
        return True
    for pattern in (_ID_AFTER_CHANNEL, _ID_BEFORE_CHANNEL):
        for match in pattern.finditer(sentence):
            token = next((g for g in match.groups() if g), "")
            if token and token.lower() not in _NOT_IDS:
                return True
    return False


def sanitise(text: str) -> str:
    """One plain paragraph without contact details, cut at a sentence boundary to the length bound.

    The text is NFKC-normalised first (``ｈｍｒｃ－ｓａｆｅ．ｔｏｐ`` → ``hmrc-safe.top``, invisible
    characters gone), so the filters see what a reader sees.
    """
    flat = _SPACES.sub(" ", _DECORATION.sub(" ", _MARKDOWN.sub("", normalise(text, limit=8 * MAX_EXPLANATION_CHARS))))
    kept: list[str] = []
    size = 0
    for sentence in _sentences(flat.strip()):
        if has_contact(sentence):
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
