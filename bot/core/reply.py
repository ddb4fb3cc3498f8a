"""Reply text for an assessment, in the reader's language, safe to send as Telegram HTML.

Replies are read on a phone by someone who may be about to send money, so they lead
with the verdict, quote the red flags from the message itself, and end with concrete
steps and where to report. Everything that came from the user is escaped; the only
markup is the bot's own ``<b>`` and ``<i>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from bot.core.assess import Assessment
from bot.core.knowledge import ScamPattern
from bot.core.links import defang
from bot.core.taxonomy import CATEGORY_NAMES
from bot.core.text import Language, to_traditional

TELEGRAM_LIMIT = 4096
REPLY_BUDGET = 1800
"""Replies stay well under Telegram's 4096 so they fit one phone screen or two."""

MAX_FLAGS_SHOWN = 4
MAX_ADVICE_SHOWN = 4
MAX_EXPLANATION_SHOWN = 600


class ReportingContacts(BaseModel):
    """Where to report, per reply language (``knowledge/reporting.yaml``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    en: list[str]
    zh_hans: list[str]
    zh_hant: list[str]

    @classmethod
    def load(cls, path: Path) -> ReportingContacts:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(en=data["en"], zh_hans=data["zh-Hans"], zh_hant=data["zh-Hant"])

    def for_language(self, language: Language) -> list[str]:
        return {"en": self.en, "zh-Hans": self.zh_hans, "zh-Hant": self.zh_hant}[language]


@dataclass(frozen=True)
class _Words:
    scam: str
    suspicious: str
    safe: str
    resembles: str
    flags: str
    todo: str
    report: str
    safe_tip: str
    safe_flags: str
    nothing: str
    group_alert: str
    details: str
    ai_note: str
    general_tip: str


_WORDS: dict[str, _Words] = {
    "en": _Words(
        scam="🚨 <b>This looks like a scam</b>",
        suspicious="⚠️ <b>Be careful: this looks suspicious</b>",
        safe="✅ <b>No known scam pattern found</b>",
        resembles="It resembles: <b>{title}</b> ({category}, {score}% similar).",
        flags="Red flags in this message:",
        todo="What to do now:",
        report="Report it:",
        safe_tip=(
            "Still, if anyone asks for money, codes or secrecy, check with them on a number you already have "
            "before doing anything."
        ),
        safe_flags="Worth a second look:",
        nothing=(
            "ℹ️ There is no text here for me to check. Forward the message itself, or paste its text. "
            "For a video or voice call: hang up and call back on a number you already have."
        ),
        group_alert="🚨 <b>Possible scam</b>: this resembles <b>{title}</b>.",
        details="Tap “details” for the red flags and what to do.",
        ai_note="AI check: ",
        general_tip="Do not pay, share codes or give details until you have checked on a number you already have.",
    ),
    "zh": _Words(
        scam="🚨 <b>这很像诈骗</b>",
        suspicious="⚠️ <b>请小心：这条消息可疑</b>",
        safe="✅ <b>未发现已知的诈骗模式</b>",
        resembles="相似的骗局：<b>{title}</b>（{category}，相似度{score}%）。",
        flags="这条消息里的危险信号：",
        todo="现在应该怎么做：",
        report="举报渠道：",
        safe_tip="不过，只要有人要钱、要验证码或要求保密，请先用你原本存着的号码联系本人核实。",
        safe_flags="值得留意：",
        nothing=(
            "ℹ️ 这里没有可以检查的文字。请转发原消息或粘贴文字。"
            "如果是视频或语音来电：先挂断，再用你原本存着的号码回拨核实。"
        ),
        group_alert="🚨 <b>疑似诈骗</b>：与<b>{title}</b>相似。",
        details="点击「详情」查看危险信号和应对方法。",
        ai_note="AI分析：",
        general_tip="核实之前不要付钱、不要提供验证码或个人信息；请用你原本存着的号码联系对方核实。",
    ),
}


_NOT_CHECKED = {
    "en": (
        "⚠️ Sorry, I could not check this message. Until you can check it another way, do not pay, share codes "
        "or give details: call the person or company back on a number you already have."
    ),
    "zh": (
        "⚠️ 抱歉，这条消息暂时无法检查。在用其他方式核实之前，不要付钱、不要提供验证码或个人信息；"
        "请用你原本存着的号码联系对方核实。"
    ),
}
"""The answer for a message whose assessment failed: polite, and still the one safe rule."""

_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


def _tidy(value: str) -> str:
    """Drop the spaces YAML folding leaves between Chinese lines (“后， 说” → “后，说”)."""
    return _CJK_GAP.sub("", value)


def _localise(text: str, language: Language) -> str:
    return to_traditional(text) if language == "zh-Hant" else text


def _words(language: Language) -> _Words:
    return _WORDS["en" if language == "en" else "zh"]


def pattern_text(pattern: ScamPattern, field: str, language: Language) -> str | list[str]:
    """A localised field of a pattern: English, Simplified, or Traditional (written or derived)."""
    value = getattr(pattern, field)
    if language == "en":
        chosen = value.en
    elif language == "zh-Hant" and value.zh_hant is not None:
        chosen = value.zh_hant
    elif language == "zh-Hant":
        chosen = [to_traditional(v) for v in value.zh] if isinstance(value.zh, list) else to_traditional(value.zh)
    else:
        chosen = value.zh
    return [_tidy(v) for v in chosen] if isinstance(chosen, list) else _tidy(chosen)


def _category_name(category: str, language: Language) -> str:
    names = CATEGORY_NAMES[category]
    return names["en"] if language == "en" else _localise(names["zh"], language)


def _explanation(assessment: Assessment, language: Language) -> str | None:
    """The LLM's paragraph about this message, labelled as such, escaped and bounded; only in the reply's language."""
    explanation = assessment.explanation
    if explanation is None or explanation.language != language or not explanation.text.strip():
        return None
    body = " ".join(explanation.text.split())[:MAX_EXPLANATION_SHOWN]
    return _localise(_words(language).ai_note, language) + quoted_html(body)


def quoted_html(text: str) -> str:
    """User- or model-derived text as Telegram HTML: links and handles defanged, then escaped.

    Everything the bot repeats that it did not write goes through here, so a warning can
    never carry a tappable link to the scam it warns about.
    """
    return escape(defang(text))


def render_reply(
    assessment: Assessment,
    patterns: dict[str, ScamPattern],
    contacts: ReportingContacts,
    language: Language | None = None,
) -> str:
    """The full private-chat answer, as Telegram HTML.

    An LLM explanation, when present, replaces the pattern's generic summary; the advice,
    where to report and every number or link still come from the knowledge base.
    """
    language = language or assessment.language
    words = _words(language)
    if assessment.error is not None:
        return _localise(_NOT_CHECKED["en" if language == "en" else "zh"], language)
    if not assessment.has_text:
        return _localise(words.nothing, language)

    heading = {"scam": words.scam, "suspicious": words.suspicious, "safe": words.safe}[assessment.verdict]
    lines: list[str] = [_localise(heading, language)]
    top = assessment.top
    pattern = patterns.get(top.pattern_id) if top else None
    explanation = _explanation(assessment, language)
    opinion = assessment.second_opinion
    if opinion is not None and opinion.retrieval_verdict == "safe":
        pattern = None  # raised by the LLM: the closest pattern was not close, so neither its title nor its advice fit
    if assessment.verdict != "safe" and top and pattern:
        title = escape(str(pattern_text(pattern, "title", language)))
        lines.append(
            _localise(words.resembles, language).format(
                title=title, category=escape(_category_name(top.category, language)), score=round(top.score * 100)
            )
        )
        lines.append(explanation or escape(str(pattern_text(pattern, "summary", language))))
    elif explanation:
        lines.append(explanation)

    if assessment.red_flags:
        heading = words.flags if assessment.verdict != "safe" else words.safe_flags
        lines.append("")
        lines.append(_localise(heading, language))
        for flag in assessment.red_flags[:MAX_FLAGS_SHOWN]:
            described = flag.described(language)
            detail = f" ({quoted_html(_localise(described, language))})" if described else ""
            label = _localise(flag.label(language), language)
            lines.append(f"• {escape(label)}{detail}: “{quoted_html(flag.evidence)}”")

    if assessment.verdict != "safe" and pattern:
        lines.append("")
        lines.append(_localise(words.todo, language))
        advice = pattern_text(pattern, "advice", language)
        lines.extend(f"• {escape(a)}" for a in list(advice)[:MAX_ADVICE_SHOWN])
        lines.append("")
        lines.append(_localise(words.report, language))
        lines.extend(f"• {escape(c)}" for c in contacts.for_language(language))
    elif assessment.verdict == "safe":
        lines.append("")
        lines.append(_localise(words.safe_tip, language))
    else:  # a warning with no pattern to quote: the general rule, and still where to report
        lines.append("")
        lines.append(_localise(words.todo, language))
        lines.append(f"• {_localise(words.general_tip, language)}")
        lines.append("")
        lines.append(_localise(words.report, language))
        lines.extend(f"• {escape(c)}" for c in contacts.for_language(language))

    return _fit("\n".join(lines))


def render_group_alert(assessment: Assessment, patterns: dict[str, ScamPattern], language: Language) -> str:
    """A two-line group warning: what it resembles and the single most important step."""
    words = _words(language)
    top = assessment.top
    pattern = patterns.get(top.pattern_id) if top else None
    if not top or not pattern:
        return _localise(words.suspicious, language)
    title = escape(str(pattern_text(pattern, "title", language)))
    first_advice = escape(next(iter(pattern_text(pattern, "advice", language))))
    text = "\n".join(
        [
            _localise(words.group_alert, language).format(title=title),
            f"👉 {first_advice}",
            _localise(words.details, language),
        ]
    )
    return _fit(text)


def _fit(text: str, budget: int = REPLY_BUDGET) -> str:
    """Cut at a line boundary so the reply never exceeds the budget (and never splits a tag)."""
    if len(text) <= budget:
        return text
    kept: list[str] = []
    size = 0
    for line in text.split("\n"):
        if size + len(line) + 1 > budget - 1:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept) + "\n…"


def html_to_plain(text: str) -> str:
    """Terminal form of a reply: the bot's tags dropped, entities turned back into characters."""
    return unescape(re.sub(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>", "", text))
