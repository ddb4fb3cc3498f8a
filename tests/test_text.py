"""Normalisation, language detection and tokens: what makes Chinese and English comparable."""

from __future__ import annotations

import pytest

from bot.core.text import MessageText, detect_language, lexical_tokens, normalise


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Can you lend me 500 today?", "en"),
        ("刚才视频信号不好断了，你先转到我朋友的账户上", "zh-Hans"),
        ("剛剛視訊斷掉了，先匯到我同事的帳戶", "zh-Hant"),
        ("妈，我换号了，这是我的新号码 new number", "zh-Hans"),
        ("Please transfer via WeChat 谢谢", "en"),
        ("", "en"),
    ],
)
def test_language_is_detected_for_replies(text, language):
    assert detect_language(text) == language


def test_normalise_folds_width_and_removes_invisible_characters():
    assert normalise("ＵＲＧＥＮＴ\u200b  transfer\u202e　now") == "URGENT transfer now"


def test_normalise_cuts_huge_input():
    assert len(normalise("a" * 100_000)) == 4000


def test_traditional_and_simplified_produce_the_same_tokens():
    assert lexical_tokens("視訊斷了，匯款到帳戶") == lexical_tokens("视频断了，汇款到账户")


def test_chinese_becomes_characters_and_bigrams_and_english_words_fold_suffixes():
    assert lexical_tokens("转账给我") == ["转", "账", "给", "我", "转账", "账给", "给我"]
    assert lexical_tokens("Transferred the transfers, transferring") == ["transfer"] * 3


@pytest.mark.parametrize("text", ["", "   ", "😂😂😂", "👍", "...!!!", "\x00\x01\x02"])
def test_messages_without_words_are_recognised(text):
    assert not MessageText.of(text).has_words


@pytest.mark.parametrize("text", ["ok", "好的", "Hi 👋"])
def test_short_messages_with_words_are_kept(text):
    assert MessageText.of(text).has_words
