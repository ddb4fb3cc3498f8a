"""Never lose a warning: a locked database, Telegram failing a send, or a stop signal cost no one their answer.

End to end: the real PTB application polling the emulator, the engine on the hashing embedder
(retrieval quality is not what these tests are about; the answer reaching the user is).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

import pytest
from fast_engine import fast_engine
from sqlalchemy.exc import OperationalError
from telegram_helpers import ask, button_data, buttons, fast_settings, standalone_bot

from bot.core.engine import Engine
from bot.storage import Store

SCAM = (
    "Mum it's me, I dropped my phone in the toilet so this is my new number. I need to pay a bill urgently today, "
    "can you transfer £650 to this account? I'll pay you back tomorrow, please don't tell dad"
)
ERROR_WORDS = "something went wrong"


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return fast_engine(tmp_path_factory.mktemp("delivery-engine"))


async def take_write_lock(path: Path) -> sqlite3.Connection:
    """Another connection holding SQLite's write lock, as another process would.

    Taken from a thread: waiting for the lock on the event loop would also stop the bot's
    own writer (it needs the loop to commit), and the two would wait for each other.
    """

    def take() -> sqlite3.Connection:
        holder = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        return holder

    return await asyncio.to_thread(take)


def database(tmp_path: Path) -> Path:
    return tmp_path / "store" / "bot.sqlite3"  # where telegram_helpers.make_plugin puts the store


async def eventually(condition, seconds: float = 20) -> bool:
    """Poll ``condition`` (the bot finishes its bookkeeping just after Telegram has the message)."""
    for _ in range(int(seconds * 10)):
        if condition():
            return True
        await asyncio.sleep(0.1)
    return condition()


def answer_id(reply: dict) -> str:
    return button_data(reply, "h").split(":")[-1]


def is_answer(reply: dict) -> bool:
    """A real answer carries the feedback buttons; the error text does not."""
    return any(data.startswith("fa:h:") for data in buttons(reply))


async def test_a_held_write_lock_neither_delays_nor_replaces_the_answer_and_the_record_follows(emu, quick, tmp_path):
    user = emu.user(501, "Ann", language_code="en")
    chat = emu.private_chat(user)
    async with standalone_bot(emu, quick, tmp_path) as bot:
        first = await ask(emu, chat, user, "hello, is this a scam?")  # the database exists, in WAL mode
        assert is_answer(first)
        holder = await take_write_lock(database(tmp_path))  # held longer than busy_timeout
        try:
            # Before the lock is released the user already has the real answer (old code: 5 s, then an error).
            reply = await ask(emu, chat, user, SCAM, timeout=4)
            assert is_answer(reply), reply["text"]
            assert ERROR_WORDS not in reply["text"].lower()
            await asyncio.sleep(6)  # past the connection's busy_timeout: the writer must retry, not give up
            assert bot.plugin.delivery.recorder.is_pending(answer_id(reply))
        finally:
            holder.execute("COMMIT")
            holder.close()
        assert await bot.plugin.delivery.recorder.flush(timeout=20)
        stored = await bot.store.answer(answer_id(reply))
        assert stored is not None and stored.message_id == reply["message_id"] and stored.verdict == "scam"
        assert bot.plugin.delivery.recorder.stats.failed == 0


async def test_a_database_that_refuses_reads_still_lets_the_warning_out(emu, quick, tmp_path, monkeypatch):
    """The user's saved language and region cannot be read (e.g. PostgreSQL out of connections): the
    warning goes out with the usual ones instead of "something went wrong"."""

    async def refused(self, user_id):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT", {}, Exception("sorry, too many clients already"))

    monkeypatch.setattr(Store, "language_of", refused)
    monkeypatch.setattr(Store, "region_of", refused)
    user = emu.user(502, "Bea", language_code="en")
    async with standalone_bot(emu, quick, tmp_path) as bot:
        reply = await ask(emu, emu.private_chat(user), user, SCAM)
        assert bot.plugin.delivery.storage_errors >= 2
    assert is_answer(reply), reply["text"]
    assert ERROR_WORDS not in reply["text"].lower()


async def test_a_failed_check_is_recorded_as_an_error_not_as_safe(emu, quick, tmp_path, poisoned):
    user = emu.user(502, "Ben", language_code="en")
    chat = emu.private_chat(user)
    async with standalone_bot(emu, quick, tmp_path) as bot:
        reply = await ask(emu, chat, user, "POISON pill, please transfer the money today")
        assert "could not check this message" in reply["text"]
        stored = None
        for _ in range(200):  # recorded just after delivery
            if (stored := await bot.store.answer(answer_id(reply))) is not None:
                break
            await asyncio.sleep(0.1)
        assert stored is not None and stored.verdict == "error"


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(lambda emu: emu.fail_next("sendMessage", status=429, count=4, retry_after=1), id="four-429s"),
        pytest.param(lambda emu: emu.fail_next("sendMessage", status=500, count=3), id="three-500s"),
        pytest.param(lambda emu: emu.reset_next("sendMessage", count=3), id="three-resets"),
    ],
)
async def test_an_answer_whose_send_still_fails_after_the_retries_arrives_later_exactly_once(
    emu, quick, tmp_path, fault
):
    user = emu.user(503, "Cat", language_code="en")
    chat = emu.private_chat(user)
    async with standalone_bot(emu, quick, tmp_path) as bot:
        fault(emu)
        sent = emu.send_message(chat, user, SCAM)
        [reply] = await emu.wait_for_messages(chat, 1, timeout=30, after=sent)
        assert is_answer(reply)
        assert await eventually(lambda: bot.plugin.delivery.outbox.stats.delivered_late == 1)
        assert [m["message_id"] for m in emu.sent_messages(chat) if m["message_id"] > sent["message_id"]] == [
            reply["message_id"]
        ]
        await bot.plugin.delivery.recorder.flush(timeout=20)
        assert (await bot.store.answer(answer_id(reply))).message_id == reply["message_id"]


async def test_an_answer_dropped_for_good_is_counted_for_admins_and_logged(emu, quick, tmp_path, caplog):
    admin = emu.user(900, "Admin", language_code="en")
    user = emu.user(504, "Dan", language_code="en")
    settings = fast_settings(tmp_path, outbox_max_age_seconds=3, admin_ids=[admin["id"]])
    async with standalone_bot(emu, quick, tmp_path, settings=settings) as bot:
        emu.fail_next("sendMessage", status=500, count=1000)
        with caplog.at_level(logging.ERROR, logger="bot.adapter.outbox"):
            emu.send_message(emu.private_chat(user), user, SCAM)
            assert await eventually(lambda: bot.plugin.delivery.outbox.stats.dropped == 1)
        assert any("dropped" in r.getMessage() for r in caplog.records)
        emu.clear_faults()
        stats = await ask(emu, emu.private_chat(admin), admin, "/stats")
        assert "Dropped after retries: 1" in stats["text"]
        other = await ask(emu, emu.private_chat(user), user, "/stats")  # not an admin: no figures
        assert "Dropped" not in other["text"]


async def test_a_graceful_stop_delivers_what_the_outbox_holds_and_writes_its_record(emu, quick, tmp_path):
    user = emu.user(505, "Eve", language_code="en")
    chat = emu.private_chat(user)
    async with standalone_bot(emu, quick, tmp_path) as bot:
        emu.fail_next("sendMessage", status=502, count=3)
        sent = emu.send_message(chat, user, SCAM)
        assert await eventually(lambda: bot.plugin.delivery.outbox.held == 1)  # the first go failed
    # Stopped (as SIGTERM does) before the outbox's next try: the drain sends it and records it.
    [reply] = [m for m in emu.sent_messages(chat) if m["message_id"] > sent["message_id"]]
    assert is_answer(reply)
    store = Store.for_data_dir(tmp_path / "store")
    try:
        assert (await store.answer(answer_id(reply))) is not None
    finally:
        await store.close()


async def test_a_forged_feedback_button_cannot_touch_another_users_answer(emu, quick, tmp_path):
    ann, ben = emu.user(506, "Ann", language_code="en"), emu.user(507, "Ben", language_code="en")
    ann_chat, ben_chat = emu.private_chat(ann), emu.private_chat(ben)
    async with standalone_bot(emu, quick, tmp_path) as bot:
        ann_reply = await ask(emu, ann_chat, ann, SCAM)
        ben_reply = await ask(emu, ben_chat, ben, "see you at seven at the usual place")
        target = answer_id(ann_reply)
        for forged in (f"fa:w:{target}", f"fa:h:{target}", f"fa:r:{target}"):
            emu.press_button(ben_chat, ben, ben_reply["message_id"], forged, forged=True)
            await emu.wait_until_idle(timeout=20)
        assert await bot.store.feedback_for(target) == []
        assert await bot.store.open_reports() == []
        # Ann's own button on her own answer still counts.
        emu.press_button(ann_chat, ann, ann_reply["message_id"], f"fa:h:{target}")
        await emu.wait_until_idle(timeout=20)
        assert [f.helpful for f in await bot.store.feedback_for(target)] == [True]


async def test_a_group_first_seen_while_the_database_is_locked_still_gets_its_alert(emu, quick, tmp_path):
    owner, ann = emu.user(601, "Owner", language_code="en"), emu.user(602, "Ann", language_code="en")
    group = emu.group(-100_600, "Family", supergroup=True)
    emu.add_member(group, ann)
    async with standalone_bot(emu, quick, tmp_path):
        await ask(emu, emu.private_chat(owner), owner, "/start")  # the database exists, in WAL mode
        holder = await take_write_lock(database(tmp_path))  # the bot meets the group: settings cannot be written
        try:
            emu.add_bot_to_group(group, owner, as_admin=True)
            emu.set_admins(group, [owner["id"]])
            scam = emu.send_message(group, ann, SCAM)
            intro, alert = await emu.wait_for_messages(group, 2, timeout=12, after=scam)  # introduced first
        finally:
            holder.execute("COMMIT")
            holder.close()
        assert "reply_markup" not in intro or "fa:na:" not in json.dumps(intro["reply_markup"])
        assert "fa:na:" in json.dumps(alert["reply_markup"])
        assert alert["reply_to_message"]["message_id"] == scam["message_id"]
