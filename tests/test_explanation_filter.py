"""The LLM's explanation: no sentence that can reach someone, in any form the model writes it."""

from __future__ import annotations

import pytest

from bot.core.llm.explain import has_contact, sanitise

# -- the explanation: no sentence that can reach someone --------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Add the WeChat ID banksafehelp to verify your account.",
        "They will ask you to add banksafehelp on WeChat.",
        "对方会让你添加微信banksafehelp核实。",
        "对方让你拨打零一零 八八八八 六六六六。",
        "Call zero one zero, eight eight eight eight, six six.",
        "Visit ｈｍｒｃ－ｓａｆｅ．ｔｏｐ to claim the refund.",
        "The site evil-support[.]com is fake.",
        "The site evil-support(dot)com is fake.",
        "Message @bank_helpdesk for help.",
        "The scammer's account is bank_help88.",
        "Go to аррle.com to check.",
    ],
)
def test_explanation_sentences_with_contacts_in_any_form_are_dropped(sentence: str) -> None:
    kept = "Your bank never asks you to move money."
    assert sanitise(f"{kept} {sentence}") == kept


@pytest.mark.parametrize(
    "sentence",
    [
        "Do not add anyone on WeChat who claims to be your bank.",
        "对方让你在微信上转账，这是典型骗局。",
        "They ask for 5,000 dollars in gift cards.",
        "Hang up and call back on a number you already have.",
    ],
)
def test_ordinary_advice_is_kept(sentence: str) -> None:
    assert not has_contact(sentence)
