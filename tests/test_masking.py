"""Masking before text leaves for an LLM: every separator and every way of writing it."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.core.llm.masking import mask_personal_data

# -- masking: every separator, every way of writing it ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"),
    [
        ("card 4111–1111–1111–1111 exp 12/29", "4111", "[CARD]"),
        ("the cvv 123 on the back", "123", "[CVV]"),
        ("CVC: 4567", "4567", "[CVV]"),
        ("卡背面安全码：321", "321", "[CVV]"),
        ("call 138–0013–8000", "0013", "[PHONE]"),
        ("call 138/0013/8000", "0013", "[PHONE]"),
        ("call 138,0013,8000", "0013", "[PHONE]"),
        ("call 138、0013、8000", "0013", "[PHONE]"),
        ("write to jane dot doe at gmail dot com", "gmail", "[EMAIL]"),
        ("write to jane(at)gmail(dot)com", "gmail", "[EMAIL]"),
        ("write to jane [at] gmail [.] com", "gmail", "[EMAIL]"),
        ("IBAN GB82 WEST 1234 5698 7654 32", "WEST", "[IBAN]"),
        ("starts GB82 WEST", "GB82", "[IBAN]"),
        ("I live at 221B Baker Street, London", "Baker", "[ADDRESS]"),
        ("寄到北京市朝阳区建国路88号3号楼2单元501室", "建国路", "[ADDRESS]"),
    ],
)
def test_masking_gaps_from_the_issue_are_closed(text: str, secret: str, placeholder: str) -> None:
    masked = mask_personal_data(text).text
    assert secret not in masked and placeholder in masked


@pytest.mark.parametrize(
    "text",
    [
        "on 2024-01-15 pay $1,000,000 or 500 USDT",
        "I have 2 kids in the street and 3 cats",
        "meet at home at 5, bring 1, 2 or 3 cakes",
        "price 1,250.50 today",
    ],
)
def test_masking_leaves_ordinary_words_and_amounts_alone(text: str) -> None:
    assert mask_personal_data(text).text == text


_SEPARATORS = st.sampled_from([" ", "-", "–", "—", "‒", "−", "/", ",", "、", "，", ".", "·", "  ", " - ", "\u200b"])


@settings(max_examples=150, deadline=None)
@given(
    groups=st.lists(st.text("0123456789", min_size=3, max_size=4), min_size=3, max_size=4),
    separators=st.lists(_SEPARATORS, min_size=3, max_size=3),
    wide=st.booleans(),
    before=st.sampled_from(["call ", "电话", "号码：", "", "card "]),
)
def test_generated_phone_and_card_variants_never_leave_unmasked(groups, separators, wide, before) -> None:
    number = groups[0] + "".join(sep + group for sep, group in zip(separators, groups[1:], strict=False))
    # 138,000,000 and 000,000.0000 are written as amounts, and amounts are kept as written (by design)
    assume(not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", unicodedata.normalize("NFKC", number)))
    if wide:
        number = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    masked = mask_personal_data(f"{before}{number} now").text
    digits = "".join(groups)
    assert digits not in re.sub(r"\D", "", masked), masked
    assert not re.search(r"\d{3,}", masked.replace("[", " ")), masked  # no group of the number is left


@settings(max_examples=100, deadline=None)
@given(
    user=st.from_regex(r"[a-z]{3,8}(\.[a-z]{2,6})?", fullmatch=True),
    domain=st.from_regex(r"[a-z]{3,8}", fullmatch=True),
    tld=st.sampled_from(["com", "co.uk", "hk", "net"]),
    at=st.sampled_from(["@", " @ ", " at ", "(at)", " [at] ", "{at}"]),
    dot=st.sampled_from([".", " dot ", "(dot)", " [dot] ", "[.]"]),
)
def test_generated_obfuscated_emails_are_masked(user, domain, tld, at, dot) -> None:
    address = user.replace(".", dot) + at + domain + dot + tld.replace(".", dot)
    masked = mask_personal_data(f"write to {address} today").text
    assert "[EMAIL]" in masked and domain not in masked, masked
