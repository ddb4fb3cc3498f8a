"""Group alert policy, case by case: which messages are skipped, when an alert is a repeat (no Telegram)."""

from __future__ import annotations

import pytest

from bot.adapter.group_policy import (
    CHANNEL_BOT,
    GROUP_ANONYMOUS_BOT,
    AlertMemory,
    GroupMessage,
    sensitivity,
    skip_reason,
)

BOT_ID = 999
CHAT = -100
LONG = "please send the code you just received"


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (GroupMessage(CHAT, LONG, sender_id=1), None),
        (GroupMessage(CHAT, LONG, sender_id=1, automatic_forward=True), "the group's own linked channel"),
        (
            GroupMessage(CHAT, LONG, sender_id=GROUP_ANONYMOUS_BOT, sender_chat_id=CHAT),
            "an anonymous admin of the group",
        ),
        (GroupMessage(CHAT, LONG, sender_id=CHANNEL_BOT, sender_is_bot=True, sender_chat_id=-7), None),
        (GroupMessage(CHAT, LONG, sender_id=BOT_ID, sender_is_bot=True), "the bot itself"),
        (GroupMessage(CHAT, LONG, sender_id=5, sender_is_bot=True), "another bot"),
        (GroupMessage(CHAT, "ok thanks", sender_id=1), "too short"),
        (GroupMessage(CHAT, "   ok thx    ", sender_id=1), "too short"),
        (GroupMessage(CHAT, "", sender_id=None), "too short"),
    ],
)
def test_skip_reasons(message: GroupMessage, reason: str | None) -> None:
    assert skip_reason(message, BOT_ID, min_chars=10) == reason


@pytest.mark.parametrize(
    ("stored", "level"), [("low", "low"), ("normal", "normal"), ("high", "high"), ("bogus", "normal"), (None, "normal")]
)
def test_a_stored_sensitivity_is_read_safely(stored: object, level: str) -> None:
    assert sensitivity(stored) == level


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# (seconds later, chat, message id, sender, text, pattern, alerted?)
Alert = tuple[float, int, int, int, str, str | None, bool]
SCAM = "Mum I lost my phone, this is my new number. Please transfer 3000 to this account today, don't tell dad."
OTHER_SCAM = "Your parcel is held at customs: pay the 25 dollar release fee at this link before tonight."
CASES: dict[str, list[Alert]] = {
    "a first alert is sent": [(0, CHAT, 1, 7, LONG, "p", True)],
    "the same text forwarded again (by another member) is a repeat": [
        (0, CHAT, 1, 7, LONG, "p", True),
        (5, CHAT, 2, 8, LONG, "q", False),
    ],
    "spacing and case do not make a new text": [
        (0, CHAT, 1, 7, LONG, "p", True),
        (5, CHAT, 2, 8, "  PLEASE send the code   you just received ", "q", False),
    ],
    "another amount in the same scam is a near-duplicate": [
        (0, CHAT, 1, 7, SCAM, "p", True),
        (60, CHAT, 2, 8, SCAM.replace("3000", "8000"), "p", False),
    ],
    "another member's different scam a minute later is alerted, same pattern or not": [
        (0, CHAT, 1, 7, SCAM, "p", True),
        (60, CHAT, 2, 8, "another script of the same scam, written by someone else", "p", True),
        (70, CHAT, 3, 9, OTHER_SCAM, "q", True),
    ],
    "the same sender's next script of the same scam within the cooldown is a repeat": [
        (0, CHAT, 1, 7, LONG, "p", True),
        (60, CHAT, 2, 7, "another script of the same scam", "p", False),
    ],
    "the same sender's different scam is alerted": [
        (0, CHAT, 1, 7, SCAM, "p", True),
        (60, CHAT, 2, 7, OTHER_SCAM, "q", True),
    ],
    "after the cooldown the sender's pattern alerts again": [
        (0, CHAT, 1, 7, LONG, "p", True),
        (601, CHAT, 2, 7, "another script of the same scam", "p", True),
    ],
    "an edited message is not alerted twice": [
        (0, CHAT, 1, 7, LONG, "p", True),
        (700, CHAT, 1, 7, "edited into another scam text", "q", False),
    ],
    "another group is another group": [(0, CHAT, 1, 7, LONG, "p", True), (1, -200, 1, 7, LONG, "p", True)],
    "after the duplicate window a text alerts again": [
        (0, CHAT, 1, 7, LONG, "p", True),
        (3601, CHAT, 2, 8, LONG, "p", True),
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_when_an_alert_is_a_repeat(name: str) -> None:
    clock = Clock()
    memory = AlertMemory(duplicate_seconds=3600, cooldown_seconds=600, timer=clock)
    for later, chat, message_id, sender, words, pattern_id, alerted in CASES[name]:
        clock.now = later
        assert memory.first(chat, message_id, words, pattern_id, sender) is alerted, (name, later, words)


def test_no_cooldown_means_only_texts_and_messages_are_remembered() -> None:
    memory = AlertMemory(duplicate_seconds=3600, cooldown_seconds=0)
    assert memory.first(CHAT, 1, LONG, "p", 7)
    assert memory.first(CHAT, 2, "another script of the same scam", "p", 7)
    assert not memory.first(CHAT, 3, LONG, "p", 8)
