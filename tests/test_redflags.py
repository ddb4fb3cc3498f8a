"""Red flags are found in English, Simplified and Traditional Chinese, and quoted back."""

from __future__ import annotations

import pytest

from bot.core.redflags import find_red_flags, red_flag_score, widen_han


def kinds(text: str) -> set[str]:
    return {flag.kind for flag in find_red_flags(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi mum, new number. Can you transfer £450 today? Don't tell dad", {"money_request", "new_number", "secrecy"}),
        ("Please buy 5 Apple gift cards and send me the codes, urgent", {"gift_card_crypto", "urgency"}),
        ("Sorry the video cut out, I'm in a meeting, can't talk", {"video_then_text"}),
        ("Forward me the 6-digit code you just got, sent it by mistake", {"verification_code"}),
        ("Guaranteed returns of 3% daily, risk-free", {"guaranteed_return"}),
        ("This is officer Chan, your ID is linked to money laundering", {"authority_claim"}),
        ("Move your savings to a safe account and install AnyDesk", {"remote_access"}),
        ("Your son had an accident and is in hospital, we need bail money", {"emergency"}),
        ("I have your nude video, pay or I send it to your contacts", {"blackmail"}),
        ("刚才视频信号不好断了，你先转到我朋友的账户上，别跟家里人说", {"video_then_text", "money_request", "secrecy"}),
        ("我是公安局的，你涉嫌洗钱，把钱转到安全账户", {"authority_claim", "remote_access", "money_request"}),
        ("把你收到的验证码发给我", {"verification_code"}),
        ("稳赚不赔，日收益10%，老师带单", {"guaranteed_return"}),
        ("恭喜您中奖了，先交手续费才能领奖", {"prize_claim", "upfront_fee"}),
    ],
)
def test_flags_in_english_and_simplified_chinese(text, expected):
    assert expected <= kinds(text)


def test_traditional_chinese_matches_rules_written_in_simplified():
    assert {"money_request", "secrecy", "video_then_text"} <= kinds(
        "剛剛視訊斷掉了，先匯款到我同事的帳戶，不要告訴別人"
    )
    assert set(widen_han("账")) >= set("[账帳賬]")


def test_a_link_is_reported_with_its_domain_and_lookalikes_are_suspicious():
    flags = {f.kind: f for f in find_red_flags("Pay the fee at https://royalmail-redeliver.top/pay now")}
    assert flags["suspicious_link"].detail == "royalmail-redeliver.top"
    ordinary = {f.kind: f for f in find_red_flags("Photos are here: https://www.flickr.com/photos/abc")}
    assert ordinary["link"].detail == "flickr.com"
    assert "suspicious_link" not in ordinary


def test_phone_numbers_are_flagged_but_prices_are_not():
    assert "phone_number" in kinds("Call me on +852 6123 4567 now")
    assert "phone_number" not in kinds("Dinner was 1,250.50 for all of us")


@pytest.mark.parametrize(
    "text",
    [
        "See you at grandma's at 7, bring the cake 🎂",
        "周末一起去爬山吗？天气不错",
        "Your code is 482913. It expires in 10 minutes.",
    ],
)
def test_ordinary_messages_carry_no_money_or_pressure_flags(text):
    assert not kinds(text) & {"money_request", "secrecy", "verification_code", "urgency", "gift_card_crypto"}


def test_evidence_quotes_the_message_itself():
    [flag] = [f for f in find_red_flags("Keep it between us, ok? Thanks!") if f.kind == "secrecy"]
    assert "between us" in flag.evidence


def test_more_independent_flags_mean_a_higher_score():
    one = red_flag_score(find_red_flags("transfer 500 dollars"))
    three = red_flag_score(find_red_flags("transfer 500 dollars urgently and don't tell anyone, new number"))
    assert 0 < one < three < 1
