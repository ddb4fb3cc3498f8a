"""Reply text for an assessment, in the reader's language, safe to send as Telegram HTML.

Replies are read on a phone by someone who may be about to send money, so they lead
with the verdict, quote the red flags from the message itself, and end with concrete
steps and where to report. Everything that came from the user is escaped; the only
markup is the bot's own ``<b>`` and ``<i>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from bot.core.assess import Assessment
from bot.core.i18n import ReplyWords, localise, reply_words, text
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


_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


def _tidy(value: str) -> str:
    """Drop the spaces YAML folding leaves between Chinese lines (“后， 说” → “后，说”)."""
    return _CJK_GAP.sub("", value)


_localise = localise  # the catalogue's conversion for Traditional readers, under the name the renderers use


def _words(language: Language) -> ReplyWords:
    return reply_words(language)


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
        return _localise(words.not_checked, language)
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

    return fit("\n".join(lines))


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
    return fit(text)


def render_check(assessment: Assessment, patterns: dict[str, ScamPattern], language: Language) -> str:
    """A group's ``/check`` answer: one line, the closest pattern and its first advice, or the all-clear."""
    if assessment.error is not None:  # never "looks fine" for a message that was not checked
        return _localise(_words(language).not_checked, language)
    top = assessment.top
    pattern = patterns.get(top.pattern_id) if top else None
    if assessment.verdict == "safe" or pattern is None:
        return text("check_safe", language)
    return text(
        "check_suspicious",
        language,
        title=escape(str(pattern_text(pattern, "title", language))),
        advice=escape(next(iter(pattern_text(pattern, "advice", language)))),
    )


def fit(text: str | Sequence[str], budget: int = REPLY_BUDGET) -> str:
    """Whole lines until the budget is spent, then "…": a message never exceeds it and never splits a tag.

    Each line must be valid HTML on its own (the replies and the admin's lists are built so).
    """
    lines = text.split("\n") if isinstance(text, str) else list(text)
    joined = "\n".join(lines)
    if len(joined) <= budget:
        return joined
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > budget - 1:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept) + "\n…"


def html_to_plain(text: str) -> str:
    """Terminal form of a reply: the bot's tags dropped, entities turned back into characters."""
    return unescape(re.sub(r"</?(?:b|i|u|s|code|pre|a)(?:\s[^>]*)?>", "", text))
