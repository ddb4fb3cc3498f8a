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

from bot.core.assess import Assessment, PatternMatch
from bot.core.cues import advice_first
from bot.core.hant import Variant
from bot.core.i18n import ReplyWords, localise, reply_words, text, written
from bot.core.knowledge import ScamPattern
from bot.core.links import defang, defang_domains
from bot.core.regions import Region, ReportingContacts, default_region, variant_of
from bot.core.taxonomy import CATEGORY_NAMES
from bot.core.text import Language, to_traditional

__all__ = ["ReportingContacts", "fit", "html_to_plain", "pattern_text", "quoted_html", "render_reply"]

TELEGRAM_LIMIT = 4096
REPLY_BUDGET = 1800
"""Replies stay well under Telegram's 4096 so they fit one phone screen or two."""
PHONE_SCREEN = 900
"""About what one phone screen shows of a chat message (scripts/reply_lengths.py measures replies against it)."""

MAX_FLAGS_SHOWN = 3
MAX_ADVICE_SHOWN = 3
MAX_EXPLANATION_SHOWN = 600
CLOSE_MATCH = 0.5
PARTIAL_MATCH = 0.35
"""How a similarity is worded ("matches", "partly like", "loosely like"): wording only, never a decision threshold."""


_CJK_GAP = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


def _tidy(value: str) -> str:
    """Drop the spaces YAML folding leaves between Chinese lines (“后， 说” → “后，说”)."""
    return _CJK_GAP.sub("", value)


_localise = localise  # the catalogue's conversion for Traditional readers, under the name the renderers use


def _words(language: Language) -> ReplyWords:
    return reply_words(language)


def pattern_text(pattern: ScamPattern, field: str, language: Language, variant: Variant = "tw") -> str | list[str]:
    """A localised field of a pattern: English, Simplified, or Traditional (written, or derived in ``variant``)."""
    value = getattr(pattern, field)
    if language == "en":
        chosen = value.en
    elif language == "zh-Hant" and value.zh_hant is not None:
        chosen = value.zh_hant
    elif language == "zh-Hant":
        if isinstance(value.zh, list):
            chosen = [to_traditional(v, variant) for v in value.zh]
        else:
            chosen = to_traditional(value.zh, variant)
    else:
        chosen = value.zh
    return [_tidy(v) for v in chosen] if isinstance(chosen, list) else _tidy(chosen)


def _category_name(category: str, language: Language, variant: Variant = "tw") -> str:
    names = CATEGORY_NAMES[category]
    return names["en"] if language == "en" else _localise(names["zh"], language, variant)


def _first_sentence(summary: str) -> str:
    """A pattern's summary cut to its first sentence: the reply is read on a phone."""
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z\"“])|(?<=[。！？])", summary)
    return summary[: match.start()].strip() if match and match.start() > 40 else summary


def _resembles(
    words: ReplyWords,
    top: PatternMatch,
    pattern: ScamPattern,
    assessment: Assessment,
    language: Language,
    variant: Variant,
) -> str:
    """What the message resembles, with the match's strength in words, and why a loose match still warns."""
    template = words.close if top.score >= CLOSE_MATCH else words.partial if top.score >= PARTIAL_MATCH else words.loose
    line = _localise(template, language, variant).format(
        title=knowledge_html(str(pattern_text(pattern, "title", language, variant))),
        category=escape(_category_name(top.category, language, variant)),
    )
    if top.score < PARTIAL_MATCH and assessment.red_flags:
        line += " " + _localise(words.loose_why, language, variant)
    return line


def _report_lines(
    words: ReplyWords, contacts: ReportingContacts, language: Language, region: Region | None
) -> list[str]:
    """The reader's region's reporting line, and one line pointing to the others."""
    variant = variant_of(region)
    line = _localise(contacts.line(region, written(language)), language, variant)
    return [
        _localise(words.report, language, variant).format(line=knowledge_html(line)),
        _localise(words.other_regions, language, variant),
    ]


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


def knowledge_html(text: str) -> str:
    """Curated knowledge text (title, summary, advice, report line) as Telegram HTML, its example domains defanged."""
    return escape(defang_domains(text))


def render_reply(
    assessment: Assessment,
    patterns: dict[str, ScamPattern],
    contacts: ReportingContacts,
    language: Language | None = None,
    region: Region | None = None,
) -> str:
    """The full private-chat answer, as Telegram HTML, short enough for one phone screen in most cases.

    An LLM explanation, when present, replaces the pattern's generic summary; the advice,
    where to report and every number or link still come from the knowledge base. ``region``
    picks the reporting line and the Traditional wording (Taiwan's unless Hong Kong); without
    one, the language's usual region (none for English: "your local police").
    """
    language = language or assessment.language
    region = region or default_region(language)
    variant = variant_of(region)
    words = _words(language)

    def say(value: str) -> str:
        return _localise(value, language, variant)

    if assessment.error is not None:
        return say(words.not_checked)
    if not assessment.has_text:
        return say(words.nothing)

    heading = {"scam": words.scam, "suspicious": words.suspicious, "safe": words.safe}[assessment.verdict]
    lines: list[str] = [say(heading)]
    top = assessment.top
    pattern = patterns.get(top.pattern_id) if top else None
    explanation = _explanation(assessment, language)
    opinion = assessment.second_opinion
    if opinion is not None and opinion.retrieval_verdict == "safe":
        pattern = None  # raised by the LLM: the closest pattern was not close, so neither its title nor its advice fit
    if assessment.verdict != "safe" and top and pattern:
        lines.append(_resembles(words, top, pattern, assessment, language, variant))
        if explanation or len(assessment.red_flags) < 2:  # two quoted red flags already say what this one is
            summary = _first_sentence(str(pattern_text(pattern, "summary", language, variant)))
            lines.append(explanation or knowledge_html(summary))
    elif explanation:
        lines.append(explanation)

    if assessment.red_flags:
        heading = words.flags if assessment.verdict != "safe" else words.safe_flags
        lines.append("")
        lines.append(say(heading))
        for flag in assessment.red_flags[:MAX_FLAGS_SHOWN]:
            described = flag.described(language)
            detail = f" ({quoted_html(say(described))})" if described else ""
            lines.append(f"• {escape(say(flag.label(language)))}{detail}: “{quoted_html(flag.evidence)}”")

    if assessment.verdict == "safe":
        lines.append("")
        lines.append(say(words.safe_tip))
        return fit("\n".join(lines))
    lines.append("")
    lines.append(say(words.todo))
    if pattern:
        advice = advice_first(list(pattern_text(pattern, "advice", language, variant)), assessment.cues)
        lines.extend(f"• {knowledge_html(a)}" for a in advice[:MAX_ADVICE_SHOWN])
    else:  # a warning with no pattern to quote: the general rule, and still where to report
        lines.append(f"• {say(words.general_tip)}")
    lines.append("")
    lines.extend(_report_lines(words, contacts, language, region))
    return fit("\n".join(lines))


def _first_advice(pattern: ScamPattern, assessment: Assessment, language: Language, variant: Variant) -> str:
    """The one step a short answer shows: about what the message itself says (a toll, a video call) when it can be."""
    return advice_first(list(pattern_text(pattern, "advice", language, variant)), assessment.cues)[0]


def render_group_alert(
    assessment: Assessment, patterns: dict[str, ScamPattern], language: Language, region: Region | None = None
) -> str:
    """A two-line group warning: what it resembles and the single most important step."""
    words = _words(language)
    variant = variant_of(region or default_region(language))
    top = assessment.top
    pattern = patterns.get(top.pattern_id) if top else None
    if not top or not pattern:
        return _localise(words.suspicious, language, variant)
    title = knowledge_html(str(pattern_text(pattern, "title", language, variant)))
    text = "\n".join(
        [
            _localise(words.group_alert, language, variant).format(title=title),
            f"👉 {knowledge_html(_first_advice(pattern, assessment, language, variant))}",
            _localise(words.details, language, variant),
        ]
    )
    return fit(text)


def render_check(
    assessment: Assessment, patterns: dict[str, ScamPattern], language: Language, region: Region | None = None
) -> str:
    """A group's ``/check`` answer: one line, the closest pattern and its first advice, or the all-clear."""
    variant = variant_of(region or default_region(language))
    if assessment.error is not None:  # never "looks fine" for a message that was not checked
        return _localise(_words(language).not_checked, language, variant)
    top = assessment.top
    pattern = patterns.get(top.pattern_id) if top else None
    if assessment.verdict == "safe" or pattern is None:
        return text("check_safe", language, variant)
    return text(
        "check_suspicious",
        language,
        variant,
        title=knowledge_html(str(pattern_text(pattern, "title", language, variant))),
        advice=knowledge_html(_first_advice(pattern, assessment, language, variant)),
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
