"""What admins type in chat, parsed and validated as the prompts promise (no Telegram needed)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from bot.adapter.admin.forms import (
    field_input,
    field_name,
    parse_list,
    parse_messages,
    parse_two_lines,
    render_pattern,
    split_languages,
    with_field,
)
from bot.core.knowledge import KnowledgeError, ScamPattern
from bot.kb.ids import new_pattern_id
from bot.kb.repository import AuditEntry

ID_RULE = re.compile(r"^[a-z0-9][a-z0-9_]{2,63}$")


def pattern(**changes: object) -> ScamPattern:
    data: dict[str, object] = {
        "id": "prize_lottery_free_piano",
        "category": "prize_lottery",
        "title": {"en": "Free piano", "zh": "免费钢琴"},
        "summary": {"en": "Pay the movers first.", "zh": "先付搬运费。"},
        "advice": {"en": ["Do not pay."], "zh": ["不要付钱。"]},
        "red_flags": {"en": ["Free item."], "zh": ["免费物品。"]},
        "examples": {"en": ["Free piano, pay the movers 350."], "zh": []},
    }
    data.update(changes)
    return ScamPattern.model_validate(data)


def test_two_lines_keep_their_punctuation_and_the_schema_limits_apply() -> None:
    title = parse_two_lines("  Free piano \n\n免费送钢琴，先付运费\n", "title")
    assert (title.en, title.zh) == ("Free piano", "免费送钢琴，先付运费")
    with pytest.raises(KnowledgeError, match="exactly two lines"):
        parse_two_lines("one line only", "title")
    with pytest.raises(KnowledgeError, match="at most 300 characters") as caught:
        parse_two_lines("x" * 301 + "\n中文", "title")
    assert caught.value.problems[0].startswith("title, English")


def test_lists_split_at_the_separator_or_by_script_and_need_both_languages() -> None:
    assert split_languages("- one\n• two\n---\n一\n二") == (["one", "two"], ["一", "二"])
    assert split_languages("one\n一\ntwo") == (["one", "two"], ["一"])
    with pytest.raises(KnowledgeError, match="advice, Chinese"):
        parse_list("only English\n---\n", "advice")
    with pytest.raises(KnowledgeError, match="at most 12 items"):
        parse_list("\n".join(f"item {i}" for i in range(13)) + "\n---\n一", "advice")


def test_examples_are_added_to_the_draft_without_duplicates() -> None:
    first = parse_messages("Pay the movers first\n---\n先付运费", "examples")
    more = parse_messages("Pay the movers first\nAnother one", "examples", current=first)
    assert more.en == ["Pay the movers first", "Another one"] and more.zh == ["先付运费"]


def test_ids_follow_the_schema_and_stay_unique() -> None:
    taken = {"prize_lottery_free_piano"}
    assert new_pattern_id("prize_lottery", "Free piano!", taken.__contains__) == "prize_lottery_free_piano_2"
    long_id = new_pattern_id("impersonate_customer_service", "Word " * 40, lambda _: False)
    assert ID_RULE.match(long_id) and not long_id.endswith("_wor")
    assert new_pattern_id("romance_scam", "网恋", lambda _: False) == "romance_scam_pattern"
    long_title = "Pay now or your account will be closed: the bank's final warning before your card is frozen"
    readable = new_pattern_id("impersonate_customer_service", long_title, lambda _: False)
    assert readable == "impersonate_customer_service_pay_now_account_closed_bank"  # key words, never "…_or_your"
    crowded = {f"romance_scam_{'a' * 51}"} | {f"romance_scam_{'a' * 49}_{n}" for n in range(2, 5)}
    assert ID_RULE.match(new_pattern_id("romance_scam", "a" * 80, crowded.__contains__))


def test_fields_round_trip_through_their_input_form() -> None:
    original = pattern()
    assert field_name("red-flags") == "red_flags" and field_name("counter") == "counter_examples"
    assert field_name("id") is None
    for name in ("title", "summary", "advice", "red_flags", "examples"):
        reparsed = {"title": parse_two_lines, "summary": parse_two_lines}.get(name)
        value = (reparsed or {"advice": parse_list, "red_flags": parse_list}.get(name, parse_messages))(
            field_input(original, name), name
        )
        assert with_field(original, name, value) == original, name


def test_what_people_typed_is_escaped_when_shown() -> None:
    shown = "\n".join(render_pattern(pattern(title={"en": "<b>Free</b> & <script>", "zh": "免费"})))
    assert "&lt;b&gt;Free&lt;/b&gt; &amp; &lt;script&gt;" in shown and "<script>" not in shown


def test_history_lines_name_the_fields_an_update_touched() -> None:
    from bot.adapter.admin.forms import describe_entry

    before, after = pattern(), pattern(severity="low")
    entry = AuditEntry(
        1,
        before.id,
        "tg:1 @ann<x>",
        "update",
        datetime(2026, 1, 2, 3, 4),
        False,
        {"data": before.model_dump_json(), "deleted": False},
        {"data": after.model_dump_json(), "deleted": False},
    )
    assert describe_entry(entry) == (
        "2026-01-02 03:04 · update <code>prize_lottery_free_piano</code> · tg:1 @ann&lt;x&gt; (severity)"
    )
