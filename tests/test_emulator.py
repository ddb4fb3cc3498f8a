"""End-to-end tests of the Bot API emulator with the real python-telegram-bot stack.

A real ``Application`` long-polls the emulator over HTTP on 127.0.0.1; the tests play the
users and assert on what the bot did.  Nothing here talks to the internet.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginChannel,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.emulator import (
    CHANNEL_BOT,
    GROUP_ANONYMOUS_BOT,
    BotApiEmulator,
    FloodLimits,
    origin_channel,
    origin_hidden_user,
    origin_user,
)

TOKEN = "123456:TEST-TOKEN"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Got it", callback_data="ack")]])


@pytest_asyncio.fixture  # explicit, so the file also works under asyncio_mode=strict
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN, bot_username="FraudAwarenessBot") as emulator:
        yield emulator


# -- a small bot under test --------------------------------------------------------------------
async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    context.bot_data.setdefault("messages", []).append(message)
    await message.reply_text(message.text or "", do_quote=True, reply_markup=KEYBOARD)


async def _check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    context.bot_data.setdefault("commands", []).append(update.effective_message)
    await update.effective_message.reply_text("checking")


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("edited", []).append(update.edited_message)


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    context.bot_data.setdefault("queries", []).append(query)
    await query.answer("Thanks!")
    await query.edit_message_text("Acknowledged")


async def _membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("membership", []).append(update.my_chat_member)


def build_app(emu: BotApiEmulator, token: str = TOKEN, *, rate_limiter: AIORateLimiter | None = None) -> Application:
    builder = ApplicationBuilder().token(token).base_url(emu.base_url).base_file_url(emu.base_file_url)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    app.add_handler(CommandHandler("check", _check))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, _edited))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(CallbackQueryHandler(_button))
    app.add_handler(ChatMemberHandler(_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    return app


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@asynccontextmanager
async def raw_bot(emu: BotApiEmulator, token: str = TOKEN) -> AsyncIterator[Bot]:
    async with Bot(token, base_url=emu.base_url, base_file_url=emu.base_file_url) as bot:
        yield bot


# -- conversation through the real Application -------------------------------------------------
@pytest.mark.asyncio
async def test_user_message_gets_echo_that_replies_to_it(emu: BotApiEmulator) -> None:
    alice = emu.user(1001, "Alice", username="alice")
    chat = emu.private_chat(alice)
    async with running(build_app(emu)) as app:
        sent = emu.send_message(chat, alice, "Is this a scam?")
        [reply] = await emu.wait_for_messages(chat, 1, after=sent)
        await emu.wait_until_idle()
    assert reply["text"] == "Is this a scam?"
    assert reply["from"]["id"] == 123456 and reply["from"]["is_bot"] is True
    assert reply["reply_to_message"]["message_id"] == sent["message_id"]
    assert reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ack"
    assert app.bot_data["messages"][0].from_user.username == "alice"
    assert [c.method for c in emu.calls if c.method != "getUpdates"][:2] == ["getMe", "deleteWebhook"]


@pytest.mark.asyncio
async def test_button_press_reaches_callback_handler_and_answer_is_recorded(emu: BotApiEmulator) -> None:
    alice = emu.user(1001, "Alice")
    chat = emu.private_chat(alice)
    async with running(build_app(emu)) as app:
        sent = emu.send_message(chat, alice, "hello")
        [reply] = await emu.wait_for_messages(chat, 1, after=sent)
        with pytest.raises(ValueError, match="offers"):
            emu.press_button(chat, alice, reply["message_id"], "nope")
        query = emu.press_button(chat, alice, reply["message_id"], "ack")
        await emu.wait_for_calls("editMessageText")
    [answer] = emu.callback_answers
    assert answer["callback_query_id"] == query["id"]
    assert answer["text"] == "Thanks!" and answer["data"] == "ack"
    assert app.bot_data["queries"][0].data == "ack"
    edit = emu.edits[-1]
    assert edit["message"]["text"] == "Acknowledged"
    assert "reply_markup" not in edit["message"]  # editing without a keyboard removes it, as in Telegram
    assert emu.message(chat, reply["message_id"])["text"] == "Acknowledged"


@pytest.mark.asyncio
async def test_forwarded_messages_arrive_with_parsed_forward_origin(emu: BotApiEmulator) -> None:
    alice, bob = emu.user(1001, "Alice"), emu.user(1002, "Bob")
    news = emu.channel(-1001234567890, "Prize News", username="prizenews")
    chat = emu.private_chat(alice)
    async with running(build_app(emu)) as app:
        emu.send_message(chat, alice, "You won!", forward_origin=origin_hidden_user("Lottery Corp"))
        emu.send_message(chat, alice, "Send the code", forward_origin=origin_user(bob))
        emu.send_message(chat, alice, "Giveaway", forward_origin=origin_channel(news, 77))
        await emu.wait_for_messages(chat, 3)
    hidden, user, channel = (m.forward_origin for m in app.bot_data["messages"])
    assert isinstance(hidden, MessageOriginHiddenUser) and hidden.sender_user_name == "Lottery Corp"
    assert isinstance(user, MessageOriginUser) and user.sender_user.id == bob["id"]
    assert isinstance(channel, MessageOriginChannel)
    assert channel.chat.username == "prizenews" and channel.message_id == 77


@pytest.mark.asyncio
async def test_edited_message_arrives_as_edited_message(emu: BotApiEmulator) -> None:
    alice = emu.user(1001, "Alice")
    chat = emu.private_chat(alice)
    async with running(build_app(emu)) as app:
        sent = emu.send_message(chat, alice, "first version")
        await emu.wait_for_messages(chat, 1, after=sent)
        emu.edit_message(chat, sent["message_id"], "second version")
        await emu.wait_until_idle()
    [edited] = app.bot_data["edited"]
    assert edited.text == "second version" and edited.edit_date is not None
    assert edited.message_id == sent["message_id"]
    assert len(emu.sent_messages(chat)) == 1  # the edit did not trigger the echo handler


# -- formatting and limits ---------------------------------------------------------------------
@pytest.mark.asyncio
async def test_html_is_parsed_and_malformed_html_is_rejected(emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(1001, "Alice"))
    async with raw_bot(emu) as bot:
        ok = await bot.send_message(chat["id"], "<b>Warning</b> &amp; tips", parse_mode=ParseMode.HTML)
        assert ok.text == "Warning & tips"
        assert [(e.type, e.offset, e.length) for e in ok.entities] == [("bold", 0, 7)]
        for bad, detail in [
            ("<b>unclosed", "Can't find end tag corresponding to start tag b"),
            ("x <br> y", 'Unsupported start tag "br" at byte offset 2'),
            ("a < b", 'Unsupported start tag "" at byte offset 2'),
            ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ]:
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as caught:
                await bot.send_message(chat["id"], bad, parse_mode=ParseMode.HTML)
            # PTB drops "Bad Request: " and capitalize()s, which lower-cases tdlib's detail.
            assert detail.lower() in caught.value.message.lower()
            assert caught.value.message.lower() == f"can't parse entities: {detail}".lower()
        assert (await bot.send_message(chat["id"], "Tom & Jerry", parse_mode="HTML")).text == "Tom & Jerry"
        emu.world.strict_ampersand = True  # opt-in: catch a missing html.escape() early
        with pytest.raises(BadRequest, match=r'(?i)unescaped "&" at byte offset 4'):
            await bot.send_message(chat["id"], "Tom & Jerry", parse_mode="HTML")
    assert len(emu.sent_messages(chat)) == 2  # refused sends leave no trace


@pytest.mark.asyncio
async def test_length_limit_applies_to_text_after_entity_parsing(emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(1001, "Alice"))
    async with raw_bot(emu) as bot:
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(chat["id"], "x" * 4097)
        fits = await bot.send_message(chat["id"], "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
        assert len(fits.text) == 4096
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(chat["id"], "   ")


@pytest.mark.asyncio
async def test_edit_with_same_content_is_not_modified(emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(1001, "Alice"))
    async with raw_bot(emu) as bot:
        sent = await bot.send_message(chat["id"], "status: checking", reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("status: checking", chat["id"], sent.message_id, reply_markup=KEYBOARD)
        await bot.edit_message_reply_markup(chat["id"], sent.message_id, reply_markup=None)
        assert "reply_markup" not in emu.message(chat, sent.message_id)
        assert await bot.delete_message(chat["id"], sent.message_id)
        assert emu.deleted[0]["message_id"] == sent.message_id
        with pytest.raises(BadRequest, match="not found"):
            await bot.delete_message(chat["id"], sent.message_id)


# -- faults --------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_injected_429_raises_retry_after(emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(1001, "Alice"))
    emu.fail_next("sendMessage", status=429, retry_after=3)
    async with raw_bot(emu) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(chat["id"], "hi")
        assert caught.value.retry_after == dt.timedelta(seconds=3)
        await bot.send_message(chat["id"], "hi again")  # only the next call fails
    failed = emu.calls_to("sendMessage")[0]
    assert failed.status == 429 and failed.description == "Too Many Requests: retry after 3"
    assert [m["text"] for m in emu.sent_messages(chat)] == ["hi again"]


@pytest.mark.asyncio
async def test_rate_limiter_retries_after_429(emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(1001, "Alice"))
    app = build_app(emu, rate_limiter=AIORateLimiter(max_retries=2))
    emu.fail_next("sendMessage", status=429, retry_after=1)
    async with running(app):
        started = time.monotonic()
        message = await app.bot.send_message(chat["id"], "eventually delivered")
        waited = time.monotonic() - started
    assert message.text == "eventually delivered"
    assert [c.status for c in emu.calls_to("sendMessage")] == [429, 200]
    assert waited >= 1.0


@pytest.mark.asyncio
async def test_500_is_network_error_and_403_is_forbidden(emu: BotApiEmulator) -> None:
    alice = emu.user(1001, "Alice")
    chat = emu.private_chat(alice)
    emu.fail_next("sendMessage", status=500)
    emu.fail_next("sendChatAction", status=403)
    async with raw_bot(emu) as bot:
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(chat["id"], "hi")
        assert not isinstance(caught.value, BadRequest)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_chat_action(chat["id"], "typing")
        emu.block_bot(alice)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(chat["id"], "still there?")


@pytest.mark.asyncio
async def test_flood_control_answers_429_with_retry_after(emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(1001, "Alice"))
    emu.enable_flood_control(FloodLimits(private_limit=(2, 30.0)))
    async with raw_bot(emu) as bot:
        await bot.send_message(chat["id"], "one")
        await bot.send_message(chat["id"], "two")
        with pytest.raises(RetryAfter):
            await bot.send_message(chat["id"], "three")
    assert emu.calls_to("sendMessage")[-1].description.startswith("Too Many Requests: retry after")


@pytest.mark.asyncio
async def test_wrong_token_is_invalid_token_and_unknown_method_is_404(emu: BotApiEmulator) -> None:
    # Own the HTTP clients: a failed initialize() leaves them open and Application won't close them.
    requests = HTTPXRequest(), HTTPXRequest()
    app = (
        ApplicationBuilder()
        .token("123456:WRONG")
        .base_url(emu.base_url)
        .request(requests[0])
        .get_updates_request(requests[1])
        .build()
    )
    try:
        with pytest.raises(InvalidToken, match="rejected by the server"):
            await app.initialize()
    finally:
        for request in requests:
            await request.shutdown()
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{emu.base_url}{TOKEN}/sendTelepathy", data={"x": "1"}) as response:
            assert response.status == 404
            assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        # Method names are case-insensitive and JSON bodies are accepted, as by Telegram.
        async with session.post(f"{emu.base_url}{TOKEN}/GETME", json={}) as response:
            assert (await response.json())["result"]["username"] == "FraudAwarenessBot"


# -- groups, channels and service messages -------------------------------------------------------
@pytest.mark.asyncio
async def test_group_membership_privacy_mode_and_special_senders(emu: BotApiEmulator) -> None:
    owner, carol = emu.user(2001, "Olga"), emu.user(2002, "Carol")
    group = emu.group(-1009876543210, "Family chat", supergroup=True)
    news = emu.channel(-1001111111111, "City news")
    async with running(build_app(emu)) as app:
        emu.add_bot_to_group(group, owner)
        emu.send_message(group, carol, "just chatting")  # privacy mode: the bot never sees it
        command = emu.send_message(group, carol, "/check@FraudAwarenessBot please")
        await emu.wait_for_messages(group, 1, after=command)
        emu.set_bot_admin(group, rights={"can_delete_messages": True})
        anonymous = emu.anonymous_admin_message(group, "rules updated")
        relayed = emu.linked_channel_post(group, news, "Storm warning")
        await emu.wait_for_messages(group, 3, after=command)
        await emu.wait_until_idle()
        member = await app.bot.get_chat_member(group["id"], app.bot.id)
        full = await app.bot.get_chat(group["id"])
        admins = await app.bot.get_chat_administrators(group["id"])
    kinds = [m.new_chat_member.status for m in app.bot_data["membership"]]
    assert kinds == ["member", "administrator"]
    assert [m.text for m in app.bot_data["commands"]] == ["/check@FraudAwarenessBot please"]
    echoed = {m.text: m for m in app.bot_data["messages"]}
    assert "just chatting" not in echoed
    assert echoed["rules updated"].from_user.id == GROUP_ANONYMOUS_BOT["id"] == anonymous["from"]["id"]
    assert echoed["rules updated"].sender_chat.id == group["id"]
    storm = echoed["Storm warning"]
    assert storm.is_automatic_forward and storm.sender_chat.id == news["id"]
    assert storm.from_user.id == CHANNEL_BOT["id"] and relayed["forward_origin"]["chat"]["id"] == news["id"]
    assert member.status == "administrator" and member.can_delete_messages
    assert full.title == "Family chat" and full.linked_chat_id == news["id"]
    assert {a.user.id: a.status for a in admins} == {owner["id"]: "creator", app.bot.id: "administrator"}


@pytest.mark.asyncio
async def test_migration_to_supergroup(emu: BotApiEmulator) -> None:
    owner = emu.user(2001, "Olga")
    group = emu.group(-4001, "Neighbours")
    emu.add_bot_to_group(group, owner)
    new_chat = emu.migrate_to_supergroup(group, -1004001)
    updates = [u["message"] for u in emu.pending_updates if "message" in u]
    assert updates[-2]["migrate_to_chat_id"] == -1004001
    assert updates[-1]["migrate_from_chat_id"] == -4001 and updates[-1]["chat"]["type"] == "supergroup"
    async with raw_bot(emu) as bot:
        with pytest.raises(ChatMigrated) as caught:
            await bot.send_message(group["id"], "hello")
        assert caught.value.new_chat_id == new_chat["id"]
        await bot.send_message(new_chat["id"], "hello again")
        assert await bot.leave_chat(new_chat["id"])
        with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
            await bot.send_message(new_chat["id"], "anyone?")
    assert emu.pending_updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "left"


# -- polling, uploads and helpers ----------------------------------------------------------------
@pytest.mark.asyncio
async def test_get_updates_long_polls_and_confirms_by_offset(emu: BotApiEmulator) -> None:
    alice = emu.user(1001, "Alice")
    chat = emu.private_chat(alice)
    async with raw_bot(emu) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
        assert time.monotonic() - started >= 0.9

        async def later() -> None:
            await asyncio.sleep(0.2)
            emu.send_message(chat, alice, "wake up")

        task = asyncio.create_task(later())
        started = time.monotonic()
        [update] = await bot.get_updates(timeout=5)
        assert time.monotonic() - started < 2 and update.message.text == "wake up"
        await task
        assert len(await bot.get_updates(offset=update.update_id)) == 1  # not yet confirmed
        assert await bot.get_updates(offset=update.update_id + 1) == ()
        emu.edit_message(chat, update.message.message_id, "edited")
        # allowed_updates does not affect updates queued before it, as documented by Telegram ...
        [queued] = await bot.get_updates(offset=update.update_id + 1, allowed_updates=["message"])
        assert queued.edited_message.text == "edited"
        # ... but later edits are no longer produced for this bot.
        emu.edit_message(chat, update.message.message_id, "edited again")
        assert await bot.get_updates(offset=queued.update_id + 1) == ()


@pytest.mark.asyncio
async def test_media_upload_download_and_incoming_photo(emu: BotApiEmulator) -> None:
    alice = emu.user(1001, "Alice")
    chat = emu.private_chat(alice)
    async with raw_bot(emu) as bot:
        sent = await bot.send_photo(chat["id"], photo=b"\x89PNG fake", caption="<i>look</i>", parse_mode="HTML")
        assert sent.caption == "look" and sent.caption_entities[0].type == "italic"
        incoming = emu.send_message(chat, alice, None, photo=b"scam screenshot", caption="what is this?")
        [update] = await bot.get_updates()
        largest = update.message.photo[-1]
        assert largest.file_id == incoming["photo"][-1]["file_id"] and update.message.caption == "what is this?"
        file = await bot.get_file(largest.file_id)
        assert bytes(await file.download_as_bytearray()) == b"scam screenshot"
        with pytest.raises(BadRequest, match="Invalid file_id"):
            await bot.get_file("nonsense")
    upload = emu.calls_to("sendPhoto")[0].params["photo"]
    assert upload.data == b"\x89PNG fake"


@pytest.mark.asyncio
async def test_wait_timeout_explains_what_was_seen(emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(1001, "Alice"))
    async with raw_bot(emu) as bot:
        with pytest.raises(BadRequest):
            await bot.send_message(chat["id"], "<b>", parse_mode="HTML")
        with pytest.raises(TimeoutError, match=r"got 0: \[\].*sendMessage -> 400 \(Bad Request: can't parse"):
            await emu.wait_for_messages(chat, 1, timeout=0.2)
        await bot.set_my_commands([("check", "Check a message")])
        assert [c.command for c in await bot.get_my_commands()] == ["check"]
        assert await bot.set_my_description("Warns about fraud")
    commands = json.loads(json.dumps(emu.calls_to("setMyCommands")[0].params["commands"]))
    assert commands == [{"command": "check", "description": "Check a message"}]


@pytest.mark.asyncio
async def test_simulation_from_another_thread(emu: BotApiEmulator) -> None:
    def sandbox_thread() -> dict[str, Any]:
        remote = emu.threadsafe
        user = remote.user(3001, "Dmitri", language_code="ru")
        chat = remote.private_chat(user)
        return remote.send_message(chat, user, "/start")

    message = await asyncio.to_thread(sandbox_thread)
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert emu.pending_updates[0]["message"]["text"] == "/start"
