"""Knowledge-base administration in chat, end to end: an admin teaches the bot, users see it at once.

The real PTB application polls the Bot API emulator (with its strict check for unescaped
``&``, so an echo that skipped ``html.escape`` fails here as it would in production). Each
test gets its own engine that shares the session's model and index but not its knowledge,
so what one test teaches the bot never leaks into another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from telegram_helpers import (
    REPLY_TIMEOUT,
    TOKEN,
    RunningBot,
    button_data,
    fast_settings,
    standalone_bot,
)

from bot.app import assess_config, build_engine
from bot.core.assess import Assessor
from bot.core.engine import Engine
from bot.core.taxonomy import SCAM_CATEGORIES
from bot.core.text import normalise
from bot.emulator import BotApiEmulator, origin_hidden_user

ADMIN_ID = 4242
REFUSAL = "only for the bot's knowledge-base admins"
WARNING_EN = "This looks like a scam"
CALM_EN = "No known scam pattern found"

# A real script ("free piano, just pay the movers") that the shipped knowledge does not cover.
PIANO = "I'm selling my late grandma's piano for free, you just pay the moving company 350 and they deliver it."
PIANO_TITLE = "Free piano giveaway, pay the movers first\n免费送钢琴，先付搬运费"
PIANO_SUMMARY = (
    "A stranger gives away a late relative's piano; you only pay their 'moving company' up front.\n"
    "陌生人说免费送出已故亲人的钢琴，只要先付他指定的“搬家公司”运费。"
)
PIANO_ADVICE = "Never pay a mover the giver chose before you have seen the item.\n---\n见到物品之前，不要付运费。"
PIANO_FLAGS = "- A valuable item for free\n- Delivery paid in advance\n---\n- 贵重物品免费送\n- 运费要先付"
PIANO_EXAMPLES = (
    "I'm giving away my late mother's piano for free to a good home, you only need to pay the moving company "
    "350 for delivery.\n"
    "My late husband's piano is free to anyone who loves music. The shipping company will contact you, the "
    "delivery fee is paid in advance.\n---\n免费赠送我已故母亲的钢琴，只需先支付搬运公司运费，对方会联系你。"
)
# The face-swap "friend" script users forward (close to, but not, a knowledge example).
FRIEND_SCAM = (
    "Sorry the video call dropped, the signal here is awful. You saw it's me though. I'm stuck in a meeting "
    "and can't talk - can you transfer 3,000 to my colleague's account today? Please don't tell anyone yet."
)
NEWS = "Police warn: parcel 'redelivery fee' texts are a scam. Royal Mail never asks for a fee by text message."
PARCEL = "phishing_link_parcel_redelivery_fee"


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN, strict_ampersand=True) as emulator:
        yield emulator


def private_engine(settings: Any, engine: Engine) -> Engine:
    """The session's model, index and calibration, but knowledge changes swap only this engine's index."""
    shared = engine.assessor
    assessor = Assessor(
        assess_config(settings), shared.embedder, shared.index, shared.risk_model, index_dir=settings.index_dir
    )
    return Engine(assessor, engine.contacts)


@asynccontextmanager
async def admin_bot(emu: BotApiEmulator, engine: Engine, tmp_path: Path) -> AsyncIterator[RunningBot]:
    settings = fast_settings(tmp_path, admin_ids=[ADMIN_ID])
    async with standalone_bot(emu, private_engine(settings, engine), tmp_path, settings=settings) as bot:
        yield bot


class Person:
    """One user in their private chat with the bot: say something, press a button, read the reply."""

    def __init__(self, emu: BotApiEmulator, user_id: int, name: str) -> None:
        self.emu = emu
        self.user = emu.user(user_id, name, language_code="en")
        self.chat = emu.private_chat(self.user)

    def _latest(self) -> int:
        return max((m["message_id"] for m in self.emu.sent_messages(self.chat)), default=0)

    async def say(self, text: str, *, expect: int = 1, **options: Any) -> dict[str, Any]:
        sent = self.emu.send_message(self.chat, self.user, text, **options)
        replies = await self.emu.wait_for_messages(self.chat, expect, timeout=REPLY_TIMEOUT, after=sent)
        return replies[expect - 1]

    def button(self, message: dict[str, Any], prefix: str, suffix: str = "") -> str:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        found = [b["callback_data"] for row in rows for b in row if b.get("callback_data", "").startswith(prefix)]
        found = [d for d in found if d.endswith(suffix)]
        assert found, f"no {prefix}…{suffix} button under {message.get('text', '')[:80]!r}"
        return found[0]

    async def press(self, message: dict[str, Any], prefix: str, suffix: str = "", *, expect: int = 1) -> dict[str, Any]:
        floor = self._latest()
        self.emu.press_button(self.chat, self.user, message["message_id"], self.button(message, prefix, suffix))
        replies = await self.emu.wait_for_messages(self.chat, expect, timeout=REPLY_TIMEOUT, after=floor)
        return replies[expect - 1]

    async def press_for_answer(self, message: dict[str, Any], prefix: str) -> dict[str, Any]:
        """Press a button that only answers the callback (a toast or a dialog); return that answer."""
        before = len(self.emu.calls_to("answerCallbackQuery"))
        self.emu.press_button(self.chat, self.user, message["message_id"], self.button(message, prefix))
        await self.emu.wait_for_calls("answerCallbackQuery", before + 1, timeout=REPLY_TIMEOUT)
        return self.emu.callback_answers[-1]


async def add_piano_until_preview(admin: Person, *, title: str = PIANO_TITLE) -> dict[str, Any]:
    """The guided /kb add, every step, up to the preview (nothing saved yet)."""
    menu = await admin.say("/kb add")
    assert "step 1/7" in menu["text"]
    asked = await admin.press(menu, "fa:kb:cat:", f":{SCAM_CATEGORIES.index('prize_lottery')}", expect=2)
    assert "Severity" in asked["text"]
    prompt = await admin.press(asked, "fa:kb:sev:", ":medium", expect=2)
    assert "Title" in prompt["text"] and "English first, then Chinese" in prompt["text"]
    assert "Summary" in (await admin.say(title))["text"]
    assert "Advice" in (await admin.say(PIANO_SUMMARY))["text"]
    assert "Red flags" in (await admin.say(PIANO_ADVICE))["text"]
    assert "---" in (await admin.say(PIANO_FLAGS))["text"]
    return await admin.say(PIANO_EXAMPLES)


async def test_an_admin_teaches_a_new_scam_live_and_it_survives_a_restart(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    admin, bea = Person(emu, ADMIN_ID, "Ada"), Person(emu, 987_654, "Bea")
    async with admin_bot(emu, engine, tmp_path) as bot:
        # Precondition, asked as an admin with no step open: an ordinary check, and the bot does not know it.
        unknown = await admin.say(PIANO, forward_origin=origin_hidden_user("Seller"))
        assert CALM_EN in unknown["text"]
        knowledge = bot.plugin.knowledge
        revision = knowledge.repository.revision()

        preview = await add_piano_until_preview(admin)
        assert "Preview" in preview["text"] and "prize_lottery_free_piano_giveaway_pay_movers" in preview["text"]
        assert "severity: medium" in preview["text"]  # asked for, not left at the default
        assert knowledge.repository.revision() == revision  # nothing is written before the confirmation

        started = time.perf_counter()
        saved = await admin.press(preview, "fa:kb:ok:")
        confirm_to_live = time.perf_counter() - started
        assert "Saved" in saved["text"] and "Live for the next message" in saved["text"]
        [pattern_id] = [p.id for p in knowledge.kb if p.id.startswith("prize_lottery_free_piano")]

        answer = await bea.say(PIANO)  # the very next update, no restart
        assert WARNING_EN in answer["text"] and "Free piano giveaway" in answer["text"]
        [entry] = await knowledge.history(pattern_id)
        assert (entry.action, entry.actor) == ("create", f"tg:{ADMIN_ID}")
        print(
            f"\nconfirm-to-live, shipped knowledge ({len(knowledge.kb)} patterns): {confirm_to_live:.2f} s "
            f"end to end, {knowledge.last_apply_seconds:.2f} s in the knowledge service"
        )

    # A restart: a new engine, plugin and application on the same data directory, loaded the normal way.
    settings = fast_settings(tmp_path, admin_ids=[ADMIN_ID])
    restarted = build_engine(settings, embedder=engine.assessor.embedder)
    async with standalone_bot(emu, restarted, tmp_path, settings=settings) as bot:
        assert pattern_id in bot.plugin.knowledge.kb.by_id()
        answer = await bea.say(PIANO)
        assert WARNING_EN in answer["text"] and "Free piano giveaway" in answer["text"]


async def test_non_admins_are_refused_politely_and_change_nothing(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sam = Person(emu, 55, "Sam")
    async with admin_bot(emu, engine, tmp_path) as bot:
        knowledge = bot.plugin.knowledge
        revision, version = knowledge.repository.revision(), knowledge.kb.version
        with caplog.at_level(logging.WARNING, logger="bot.adapter.admin"):
            for command in ("/kb", "/kb add", f"/kb remove {PARCEL}", "/kb undo", "/review"):
                reply = await sam.say(command)
                assert REFUSAL in reply["text"], command
        assert sum("refused" in r.getMessage() and "55" in r.getMessage() for r in caplog.records) == 5
        assert "I don't know that command" in (await sam.say("/cancel"))["text"]  # not a command for him at all
        ordinary = await sam.say("Dinner at grandma's on Sunday? I'll bring the dumplings")
        assert CALM_EN in ordinary["text"]  # typed text is still checked as usual
        assert (knowledge.repository.revision(), knowledge.kb.version) == (revision, version)
        assert not bot.plugin.admin.sessions


async def test_a_users_report_goes_through_review_into_the_suggested_pattern(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    admin, bea = Person(emu, ADMIN_ID, "Ada"), Person(emu, 987_654, "Bea")
    async with admin_bot(emu, engine, tmp_path) as bot:
        answer = await bea.say(FRIEND_SCAM, forward_origin=origin_hidden_user("Tom"))
        assert "reviewers will look at it" in (await bea.press_for_answer(answer, button_data(answer, "r")))["text"]
        [report] = await bot.store.open_reports()
        suggested = report.suggested_pattern_id
        assert suggested in bot.plugin.knowledge.kb.by_id()

        item = await admin.say("/review")
        assert FRIEND_SCAM[:60] in item["text"] and suggested in item["text"]
        assert "987654" not in item["text"] and "Bea" not in item["text"]  # who reported stays hidden…
        who = await admin.press_for_answer(item, "fa:rv:wh:")
        assert who["show_alert"] and "987654" in who["text"]  # …unless asked

        done = await admin.press(item, "fa:rv:ex:", expect=2)
        assert "review queue is empty" in done["text"]
        live = bot.plugin.knowledge.kb.by_id()[suggested]
        assert normalise(FRIEND_SCAM) in live.examples.en
        closed = await bot.store.report(report.id)
        assert closed is not None
        assert (closed.status, closed.resolved_by, closed.resolution) == ("accepted", ADMIN_ID, "example")
        assert closed.resolved_at is not None
        assert (await bot.store.open_reports()) == []


async def test_undo_puts_back_a_removed_pattern_and_a_added_counter_example(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    admin = Person(emu, ADMIN_ID, "Ada")
    async with admin_bot(emu, engine, tmp_path) as bot:
        knowledge = bot.plugin.knowledge
        original = knowledge.kb.version

        confirm = await admin.say(f"/kb remove {PARCEL}")
        assert "can be restored" in confirm["text"]
        assert "Removed" in (await admin.press(confirm, "fa:kb:ok:"))["text"]
        assert PARCEL not in knowledge.kb.by_id()
        question = await admin.say("/kb undo")
        assert "delete" in question["text"] and PARCEL in question["text"]
        assert "Undone" in (await admin.press(question, "fa:kb:ok:"))["text"]
        assert knowledge.kb.version == original

        # Forward a message (an ordinary check, no step open), then reply to it to file it.
        forwarded = emu.send_message(admin.chat, admin.user, NEWS, forward_origin=origin_hidden_user("News"))
        await emu.wait_for_messages(admin.chat, 1, timeout=REPLY_TIMEOUT, after=forwarded)
        added = await admin.say(f"/kb counter {PARCEL}", reply_to=forwarded["message_id"])
        assert "counter-example" in added["text"]
        assert normalise(NEWS) in knowledge.kb.by_id()[PARCEL].counter_examples.en
        question = await admin.press(added, "fa:kb:un:")
        assert "update" in question["text"] and "counter_examples" in question["text"]
        assert "Undone" in (await admin.press(question, "fa:kb:ok:"))["text"]
        assert knowledge.kb.version == original
        history = await admin.say(f"/kb history {PARCEL}")
        assert history["text"].count("undone") == 2


async def test_removing_the_last_pattern_of_a_category_takes_an_extra_confirmation(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    admin = Person(emu, ADMIN_ID, "Ada")
    async with admin_bot(emu, engine, tmp_path) as bot:
        knowledge = bot.plugin.knowledge
        first, last = sorted(p.id for p in knowledge.kb if p.category == "romance_scam")
        confirm = await admin.say(f"/kb remove {first}")
        assert "Removed" in (await admin.press(confirm, "fa:kb:ok:"))["text"]

        confirm = await admin.say(f"/kb remove {last}")
        warning = await admin.press(confirm, "fa:kb:ok:")
        assert "last pattern" in warning["text"]
        assert last in knowledge.kb.by_id()  # one confirmation is not enough
        assert not any(d.startswith("fa:kb:ok:") for d in admin_buttons(warning))  # a double tap cannot do it
        assert "Removed" in (await admin.press(warning, "fa:kb:ok2:"))["text"]
        assert not any(p.category == "romance_scam" for p in knowledge.kb)

        assert "Restored" in (await admin.say(f"/kb restore {last}"))["text"]
        assert last in knowledge.kb.by_id()


def admin_buttons(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


async def test_cancel_at_any_step_leaves_the_knowledge_unchanged(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    admin = Person(emu, ADMIN_ID, "Ada")
    async with admin_bot(emu, engine, tmp_path) as bot:
        knowledge = bot.plugin.knowledge
        revision, version = knowledge.repository.revision(), knowledge.kb.version

        # With /cancel in the middle of the guided add; what is typed next is an ordinary message again.
        menu = await admin.say("/kb add")
        asked = await admin.press(menu, "fa:kb:cat:", ":0", expect=2)
        await admin.press(asked, "fa:kb:sev:", ":high", expect=2)
        await admin.say(PIANO_TITLE)
        assert "Cancelled" in (await admin.say("/cancel"))["text"]
        assert CALM_EN in (await admin.say("Dinner at grandma's on Sunday? I'll bring the dumplings"))["text"]

        # With the button on the preview.
        preview = await add_piano_until_preview(admin)
        assert "Cancelled" in (await admin.press(preview, "fa:kb:x:"))["text"]

        # With /cancel at the preview: its Save button is dead afterwards.
        preview = await add_piano_until_preview(admin)
        await admin.say("/cancel")
        stale = await admin.press_for_answer(preview, "fa:kb:ok:")
        assert stale["show_alert"] and "finished or older step" in stale["text"]

        # An edit and a removal, cancelled at their confirmation.
        prompt = await admin.say(f"/kb edit {PARCEL} title")
        assert "Current value" in prompt["text"]
        preview = await admin.say("Parcel fee texts\n包裹费短信")
        assert "Before" in preview["text"] and "After" in preview["text"]
        assert "Cancelled" in (await admin.say("/cancel"))["text"]
        confirm = await admin.say(f"/kb remove {PARCEL}")
        assert "Cancelled" in (await admin.press(confirm, "fa:kb:x:"))["text"]

        assert (knowledge.repository.revision(), knowledge.kb.version) == (revision, version)
        assert not bot.plugin.admin.sessions


async def test_what_an_admin_types_is_echoed_escaped_and_limits_come_from_the_schema(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    admin = Person(emu, ADMIN_ID, "Ada")
    hostile = "<b>Free</b> piano & <script>alert(1)</script>"
    async with admin_bot(emu, engine, tmp_path) as bot:
        missing = await admin.say("/kb show <script>&amp;")
        assert "No pattern <script>&amp;" in missing["text"]

        menu = await admin.say("/kb add")
        asked = await admin.press(menu, "fa:kb:cat:", f":{SCAM_CATEGORIES.index('prize_lottery')}", expect=2)
        await admin.press(asked, "fa:kb:sev:", ":high", expect=2)
        too_long = await admin.say("x" * 301 + "\n" + "钢琴")
        assert "at most 300 characters" in too_long["text"] and "Please send it again" in too_long["text"]
        preview = await add_piano_until_preview_from_title(admin, f"{hostile}\n免费<i>钢琴</i> & 运费")
        assert hostile in preview["text"] and "免费<i>钢琴</i> & 运费" in preview["text"]
        bold = [e for e in preview.get("entities", []) if e["type"] == "bold"]
        assert all(preview["text"][e["offset"] : e["offset"] + e["length"]] != "Free" for e in bold)
        assert "Cancelled" in (await admin.press(preview, "fa:kb:x:"))["text"]

        await admin.say(f"/kb edit {PARCEL} summary")
        edited = await admin.say("Pay <u>now</u> & relax\n立即<a>付款</a>")
        assert "Pay <u>now</u> & relax" in edited["text"] and "立即<a>付款</a>" in edited["text"]
        assert {e["type"] for e in edited.get("entities", [])} >= {"pre"}  # before and after, as sent
        await admin.say("/cancel")
        assert bot.plugin.knowledge.kb.by_id()[PARCEL].summary.en != "Pay <u>now</u> & relax"


async def add_piano_until_preview_from_title(admin: Person, title: str) -> dict[str, Any]:
    """The rest of the guided add once a category is chosen (and a bad title was refused)."""
    assert "Summary" in (await admin.say(title))["text"]
    await admin.say(PIANO_SUMMARY)
    await admin.say(PIANO_ADVICE)
    await admin.say(PIANO_FLAGS)
    return await admin.say(PIANO_EXAMPLES)
