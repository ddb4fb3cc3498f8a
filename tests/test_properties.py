"""Property-based tests: every text stage is total over arbitrary Unicode, and its output stays in bounds.

Scam messages are attacker-written. Whatever the string (lone surrogates, right-to-left
marks, full-width brackets, control characters, half a URL, megabytes of it), each stage
must return, stay within its limits, and never let user text become markup or a link.
Example counts are bounded so these run in a few seconds each in the normal suite.
"""

from __future__ import annotations

import re

import pytest
from fast_engine import fast_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.engine import Engine
from bot.core.links import defang, find_links, host_of
from bot.core.llm.explain import MAX_EXPLANATION_CHARS, has_contact, sanitise
from bot.core.llm.masking import mask_personal_data
from bot.core.redflags import RULES_BY_KIND, find_red_flags
from bot.core.reply import REPLY_BUDGET, html_to_plain, pattern_text
from bot.core.text import MAX_ASSESSED_CHARS, MessageText, lexical_tokens, normalise
from bot.emulator.entities import detect_entities

FRAGMENTS = st.sampled_from(
    [
        "http://",
        "https://",
        "www.",
        "hxxp://",
        "[",
        "]",
        "［",
        "］",
        "(",
        ")",
        "<b>",
        "</i>",
        "<a href=x>",
        "&amp;",
        "@",
        "＠",
        ".",
        "．",
        "。",
        "/",
        ":",
        "：",
        "::1",
        "xn--",
        "xn--80ak6aa92e",
        ".com",
        ".top",
        "/x?q=1#f",
        "\u202e",
        "\u200f",
        "\u200b",
        "\ufeff",
        "\ud800",
        "\udfff",
        "\x00",
        "\x1b[31m",
        "\n",
        "\t",
        "\r",
        "аррle",
        "ｈｔｔｐ",
        "１３８",
        "0013",
        "–",
        "、",
        "转账",
        "驗證碼",
        "transfer £500",
        "gift cards",
        "urgent",
        "4111 1111 1111 1111",
        "cvv 123",
        "GB82 WEST",
        "1e400",
        "%",
        "\\",
        '"',
        "'",
        "`",
        "*",
        "_",
        "#",
    ]
)
UNICODE = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
MESSAGES = st.lists(st.one_of(FRAGMENTS, UNICODE), max_size=12).map("".join)
PURE = settings(max_examples=300, deadline=None)
LINKISH = {"url", "email", "mention"}


@PURE
@given(MESSAGES)
def test_normalise_and_tokens_are_total_and_bounded(text: str) -> None:
    out = normalise(text)
    assert len(out) <= MAX_ASSESSED_CHARS
    assert all(ch.isprintable() for ch in out)
    message = MessageText.of(text)
    assert message.language in {"en", "zh-Hans", "zh-Hant"}
    lexical_tokens(text)


@PURE
@given(MESSAGES)
def test_red_flags_and_links_are_total_and_bounded(text: str) -> None:
    for flag in find_red_flags(text):
        assert flag.kind in RULES_BY_KIND
        assert len(flag.evidence) <= 200
        assert flag.detail is None or len(flag.detail) <= 80
    for link in find_links(normalise(text)):
        assert link.host.host and link.host.shown.isascii()  # what the user is shown is the punycode form
    host_of(text)


@PURE
@given(MESSAGES)
def test_defanged_text_has_nothing_telegram_would_link(text: str) -> None:
    plain = defang(text).encode("utf-8", "replace").decode("utf-8")  # the emulator counts UTF-16 units
    assert not [e for e in detect_entities(plain) if e["type"] in LINKISH]


@PURE
@given(MESSAGES)
def test_masking_is_total_and_leaves_no_long_digit_run(text: str) -> None:
    masked = mask_personal_data(text).text
    assert len(masked) <= len(normalise(text)) + 16
    runs = re.findall(r"\d(?:[ \-.()]{0,2}\d){6,}", masked)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}-\d{1,2}-\d{2,4}", r) for r in runs), runs


@PURE
@given(MESSAGES)
def test_explanation_filter_is_total_bounded_and_contact_free(text: str) -> None:
    out = sanitise(text)
    assert len(out) <= MAX_EXPLANATION_CHARS
    assert "\n" not in out
    assert not has_contact(out)


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(["x", "http://[", "转账", "\ud800", "@a."]), st.integers(50_000, 300_000))
def test_huge_inputs_are_cut_not_choked_on(piece: str, size: int) -> None:
    text = piece * (size // len(piece))
    assert len(normalise(text)) <= MAX_ASSESSED_CHARS
    find_red_flags(text)
    assert len(mask_personal_data(text).text) <= MAX_ASSESSED_CHARS + 16
    assert len(sanitise(text)) <= MAX_EXPLANATION_CHARS


# -- the whole path: assessment and reply -----------------------------------------------------------


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return fast_engine(tmp_path_factory.mktemp("property-engine"))


@pytest.fixture(scope="module")
def bot_links(quick: Engine) -> set[str]:
    """Links the bot itself may show: in the knowledge base's advice and reporting contacts (trusted text)."""
    texts: list[str] = []
    texts += quick.contacts.all_lines("en") + quick.contacts.all_lines("zh")
    for language in ("en", "zh-Hans", "zh-Hant"):
        for pattern in quick.assessor.index.patterns.values():
            texts += [str(pattern_text(pattern, "title", language)), *pattern_text(pattern, "advice", language)]
            texts.append(str(pattern_text(pattern, "summary", language)))
    found: set[str] = set()
    for text in texts:
        plain = html_to_plain(text)
        found |= {_span(plain, e) for e in detect_entities(plain) if e["type"] in LINKISH}
    return found


def _span(text: str, entity: dict) -> str:
    encoded = text.encode("utf-16-le")
    return encoded[2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])].decode("utf-16-le", "replace")


_BOT_TAGS = re.compile(r"</?(?:b|i)>")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MESSAGES, min_size=1, max_size=6))
def test_assessment_and_replies_are_total_bounded_escaped_and_link_free(
    quick: Engine, bot_links: set[str], texts: list[str]
) -> None:
    assessments = quick.assess_many(texts)
    assert len(assessments) == len(texts)
    for assessment in assessments:
        assert assessment.error is None  # total: nothing had to be isolated
        assert 0.0 <= assessment.risk <= 1.0
        for language in ("en", "zh-Hans", "zh-Hant"):
            for html in (quick.reply(assessment, language), quick.group_alert(assessment, language)):
                assert len(html) <= REPLY_BUDGET + 2
                assert "<" not in _BOT_TAGS.sub("", html), "only the bot's own <b> and <i> are markup"
                plain = html_to_plain(html)
                linked = {_span(plain, e) for e in detect_entities(plain) if e["type"] in LINKISH}
                assert linked <= bot_links, linked - bot_links
                html.encode("utf-8")  # sendable: no lone surrogate from the user reaches the reply


def test_replies_stay_within_telegram_limits_for_a_message_of_red_flags(quick: Engine) -> None:
    text = " ".join(["urgent transfer £500 gift cards https://evil.top/x verification code"] * 200)
    reply = quick.reply(quick.assess(text))
    assert len(reply) <= REPLY_BUDGET + 2
