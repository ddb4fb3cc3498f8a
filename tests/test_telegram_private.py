"""End-to-end tests of the bot in private chats, as a Telegram user experiences it.

The real PTB ``Application`` built by :func:`bot.adapter.runner.build_application` (concurrent
updates, AIORateLimiter) long-polls the local Bot API emulator over HTTP on 127.0.0.1 and
answers with the real engine (bundled model, shipped knowledge, loaded once per session).
Each test plays one or more users and asserts on what they would see: the words of the
reply, its buttons, what got stored, and that nobody is left without an answer when
Telegram misbehaves. Nothing here talks to the internet.
"""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram_helpers import (
    REPLY_TIMEOUT,
    ask,
    button_data,
    buttons,
    entity_texts,
    fast_settings,
    make_plugin,
    running,
    standalone_bot,
)

from bot import app
from bot.adapter import sandbox as sandbox_module
from bot.adapter.sending import SEND_ATTEMPTS
from bot.core.engine import Engine
from bot.emulator import BotApiEmulator, origin_hidden_user, origin_user
from bot.emulator.entities import utf16_len

# A face-swap "friend" money request, in the words people actually forward (not a knowledge example).
SCAM_EN = (
    "Sorry the video call dropped, the signal here is awful. You saw it's me though. I'm stuck in a meeting "
    "and can't talk - can you transfer 3,000 to my colleague's account today? Please don't tell anyone yet."
)
SCAM_ZH = "刚才视频信号不好断了，看到是我了吧。我在开会不方便接电话，急需两万，你先转到我同事的账户上，别告诉家里人。"
BENIGN = "Are we still on for dinner at grandma's on Sunday? I'll bring the dumplings 🥟"
# The same scam as it often arrives: three messages, each harmless alone.
SCAM_IN_PIECES = [
    "It's me, you saw me on the video just now.",
    "I'm stuck in a meeting and can't talk.",
    "Transfer 3,000 to my colleague's account urgently, don't tell anyone.",
]

WARNING_EN = "This looks like a scam"
WARNING_ZH = "这很像诈骗"
PATTERN_EN = "Face-swapped video call"  # the pattern's title
CATEGORY_EN = "deepfake video call"
PATTERN_ZH = "好友视频通话（AI换脸）后发文字借钱"
CATEGORY_ZH = "AI换脸视频通话"
CALM_EN = "No known scam pattern found"
MEDIA_GUIDANCE_EN = "How to check a video or voice call"


async def settle(emu: BotApiEmulator, seconds: float) -> None:
    """Give a wrongly sent extra reply time to show up: past the burst window, then until idle."""
    await asyncio.sleep(seconds)
    await emu.wait_until_idle(timeout=REPLY_TIMEOUT)


# -- 1. /start ---------------------------------------------------------------------------------------
async def test_start_greets_each_user_in_their_telegram_language(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    """Standalone, the plugin owns /start; the greeting follows Telegram's language_code."""
    people = {
        "en": emu.user(101, "Emma", language_code="en"),
        "zh-hans": emu.user(102, "Wei", language_code="zh-hans"),
        "zh-hant": emu.user(103, "Mei", language_code="zh-hant"),
        "zh-tw": emu.user(104, "Chen", language_code="zh-tw"),
    }
    async with standalone_bot(emu, engine, tmp_path) as bot:
        replies = {code: await ask(emu, emu.private_chat(user), user, "/start") for code, user in people.items()}
        await settle(emu, bot.settings.burst_window_seconds)
    assert "I help you spot scams" in replies["en"]["text"]
    assert "我帮你识别诈骗" in replies["zh-hans"]["text"]
    for code in ("zh-hant", "zh-tw"):
        assert "我幫你識別詐騙" in replies[code]["text"], code
        assert "识别诈骗" not in replies[code]["text"], code
    for user in people.values():
        assert len(emu.sent_messages(user["id"])) == 1  # one greeting, nothing else
    assert ("bold", "Hi! I help you spot scams") in entity_texts(replies["en"])  # sent as HTML, parsed


# -- 2. and 3. forwarded scams and a benign message -----------------------------------------------
async def test_forwarded_face_swap_requests_are_named_with_advice(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    emma = emu.user(201, "Emma", language_code="en")
    friend = emu.user(299, "Old friend", language_code="en")
    async with standalone_bot(emu, engine, tmp_path):
        chat = emu.private_chat(emma)
        english = await ask(emu, chat, emma, SCAM_EN, forward_origin=origin_hidden_user("Tom Lee"))
        chinese = await ask(emu, chat, emma, SCAM_ZH, forward_origin=origin_user(friend))
    text = english["text"]
    assert text.startswith("🚨") and WARNING_EN in text
    assert PATTERN_EN in text and CATEGORY_EN in text
    assert "call the person back on the number you already have saved" in text
    assert "3,000" in text  # the red flags quote the message itself
    # An English-speaking user who forwards Chinese gets the answer in Chinese.
    text = chinese["text"]
    assert text.startswith("🚨") and WARNING_ZH in text
    assert PATTERN_ZH in text and CATEGORY_ZH in text
    assert "回拨" in text and "不要转账" in text
    for reply in (english, chinese):
        assert {d.split(":")[1] for d in buttons(reply)} == {"h", "w", "r"}
        assert reply["reply_to_message"]["chat"]["id"] == chat["id"]


async def test_benign_message_gets_a_calm_answer(emu: BotApiEmulator, engine: Engine, tmp_path: Path) -> None:
    emma = emu.user(301, "Emma")
    async with standalone_bot(emu, engine, tmp_path):
        reply = await ask(emu, emu.private_chat(emma), emma, BENIGN)
    text = reply["text"]
    assert text.startswith("✅") and CALM_EN in text
    assert "scam" not in text.split("\n")[0].lower().replace("no known scam pattern", "")
    assert WARNING_EN not in text and "suspicious" not in text.lower()
    assert "number you already have" in text  # the calm answer still says how to check


# -- 4. media -------------------------------------------------------------------------------------
def _textless_photo() -> bytes:
    """A real JPEG with nothing written on it (a still of a video call would read the same)."""
    from PIL import Image

    out = io.BytesIO()
    Image.linear_gradient("L").resize((160, 120)).convert("RGB").save(out, "JPEG")
    return out.getvalue()


async def test_photo_caption_is_assessed_and_bare_photo_gets_media_guidance(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    emma = emu.user(401, "Emma")
    async with standalone_bot(emu, engine, tmp_path):
        chat = emu.private_chat(emma)
        captioned = await ask(emu, chat, emma, None, photo=b"screenshot", caption=SCAM_EN)
        bare = await ask(emu, chat, emma, None, photo=_textless_photo())
        voice = await ask(emu, chat, emma, None, voice=True, forward_origin=origin_hidden_user("Mum"))
    assert WARNING_EN in captioned["text"] and PATTERN_EN in captioned["text"]
    for reply in (bare, voice):
        text = reply["text"]
        assert MEDIA_GUIDANCE_EN in text
        assert "call back on a number you already have saved" in text
        assert WARNING_EN not in text and CALM_EN not in text  # no verdict on what it cannot see


# -- 5. and 6. long and hostile text --------------------------------------------------------------
async def test_a_4000_character_message_gets_an_answer_that_fits_telegram(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    emma = emu.user(501, "Emma")
    long_text = ((SCAM_EN + " ") * 30)[:4000]
    assert len(long_text) == 4000
    async with standalone_bot(emu, engine, tmp_path):
        reply = await ask(emu, emu.private_chat(emma), emma, long_text)
    assert utf16_len(reply["text"]) <= 4096
    assert WARNING_EN in reply["text"] and PATTERN_EN in reply["text"]
    assert reply.get("entities")  # sent as HTML, not the plain-text fallback after a refusal


async def test_html_from_the_user_is_shown_literally(emu: BotApiEmulator, engine: Engine, tmp_path: Path) -> None:
    """The emulator parses HTML like Telegram (and refuses a bare "&" here), so escaping is checked for real."""
    emu.world.strict_ampersand = True
    emma = emu.user(601, "Emma")
    hostile = (
        "<b>URGENT</b> & <script>alert('x')</script> — transfer 3,000 to my colleague's account today, "
        "don't tell anyone."
    )
    async with standalone_bot(emu, engine, tmp_path):
        reply = await ask(emu, emu.private_chat(emma), emma, hostile)
    text = reply["text"]
    assert WARNING_EN in text
    assert "<b>URGENT</b> & <script" in text  # quoted back exactly as the user wrote it
    assert "&amp;" not in text and "&lt;" not in text  # ... and not double-escaped
    kinds = {kind for kind, _ in entity_texts(reply)}
    # url: Telegram auto-links "reportfraud.ftc.gov" in the contacts; bot_command: the tappable /region pointer
    assert kinds <= {"bold", "italic", "url", "bot_command"}
    assert ("bot_command", "/region") in entity_texts(reply)
    assert ("bold", WARNING_EN) in entity_texts(reply)  # the bot's own markup survived (no plain fallback)
    assert not any("URGENT" in covered or "alert" in covered for _, covered in entity_texts(reply))
    assert [c.status for c in emu.calls_to("sendMessage")] == [200]  # accepted the first time


# -- 7. buttons -----------------------------------------------------------------------------------
async def test_feedback_and_report_buttons_store_what_the_user_meant(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    alice, mallory = emu.user(701, "Alice"), emu.user(702, "Mallory")
    async with standalone_bot(emu, engine, tmp_path) as bot:
        chat = emu.private_chat(alice)
        warning = await ask(emu, chat, alice, SCAM_EN, forward_origin=origin_hidden_user("Tom"))
        answer_id = button_data(warning, "h").split(":")[2]
        assert buttons(warning)[button_data(warning, "r")] == "🚩 Report as scam"

        async def press(user: dict[str, Any], action: str) -> str:
            before = len(emu.calls_to("answerCallbackQuery"))
            emu.press_button(chat, user, warning["message_id"], button_data(warning, action))
            await emu.wait_for_calls("answerCallbackQuery", before + 1, timeout=REPLY_TIMEOUT)
            return str(emu.callback_answers[-1]["text"])

        assert await press(alice, "h") == "Thanks for the feedback!"
        [feedback] = await bot.store.feedback_for(answer_id)
        assert feedback.helpful is True and feedback.user_id == alice["id"]

        assert await press(alice, "w") == "Thanks for the feedback!"  # changing one's mind replaces the vote
        [feedback] = await bot.store.feedback_for(answer_id)
        assert feedback.helpful is False

        # Someone else's report button must not file Alice's text under their name.
        assert "no longer have that message" in await press(mallory, "r")
        assert await bot.store.open_reports() == []

        assert "reviewers will look at it" in await press(alice, "r")
        await press(alice, "r")  # a second press files nothing new
        [report] = await bot.store.open_reports()
    assert report.text == SCAM_EN and report.reporter_id == alice["id"]
    assert report.answer_id == answer_id and report.suggested_pattern_id == "deepfake_video_call_friend_loan"


# -- 8. /language -------------------------------------------------------------------------------
async def test_language_choice_switches_to_traditional_and_is_persisted(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    emma = emu.user(801, "Emma", language_code="en")
    chat = emu.private_chat(emma)
    settings = fast_settings(tmp_path)
    async with standalone_bot(emu, engine, tmp_path, settings=settings) as bot:
        prompt = await ask(emu, chat, emma, "/language")
        assert buttons(prompt) == {"fa:l:en": "English", "fa:l:zh-Hans": "简体中文", "fa:l:zh-Hant": "繁體中文"}
        emu.press_button(chat, emma, prompt["message_id"], "fa:l:zh-Hant")
        await emu.wait_for_calls("answerCallbackQuery", timeout=REPLY_TIMEOUT)
        assert emu.callback_answers[-1]["text"] == "好的，我會用中文回答。"
        assert await bot.store.language_of(emma["id"]) == "zh-Hant"

        warning = await ask(emu, chat, emma, SCAM_ZH, forward_origin=origin_hidden_user("表哥"))
        calm = await ask(emu, chat, emma, BENIGN)
    assert "與已知騙局" in warning["text"] and "回撥" in warning["text"]
    assert "好友視訊通話（AI換臉）後發文字借錢" in warning["text"]  # Taiwan's word for a video call
    assert "現在應該怎麼做" in warning["text"] and "现在应该怎么做" not in warning["text"]
    assert "不過，只要有人要錢" in calm["text"]  # English message, Traditional answer: the choice wins

    # A restarted bot on the same store still answers Emma in Traditional Chinese.
    async with standalone_bot(emu, engine, tmp_path, settings=settings):
        start = await ask(emu, chat, emma, "/start")
    assert "我幫你識別詐騙" in start["text"]


async def test_a_traditional_chinese_reader_gets_the_whole_warning_in_traditional(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    mei = emu.user(851, "Mei", language_code="zh-hant")
    async with standalone_bot(emu, engine, tmp_path):
        chat = emu.private_chat(mei)
        scam = "剛剛視訊斷掉了，你有看到是我吧？我在開會不能講電話，急需兩萬塊，先匯到我同事的帳戶。"
        warning = await ask(emu, chat, mei, scam)
    assert warning["text"].split("\n")[0] == "🚨 這很像詐騙"


# -- 9. bursts --------------------------------------------------------------------------------------
async def test_three_forwards_sent_together_get_one_answer(emu: BotApiEmulator, engine: Engine, tmp_path: Path) -> None:
    emma = emu.user(901, "Emma")
    chat = emu.private_chat(emma)
    async with standalone_bot(emu, engine, tmp_path) as bot:
        first, *_ = [
            emu.send_message(chat, emma, piece, forward_origin=origin_hidden_user("Tom")) for piece in SCAM_IN_PIECES
        ]
        [reply] = await emu.wait_for_messages(chat, 1, timeout=REPLY_TIMEOUT, after=first)
        await settle(emu, 2 * bot.settings.burst_window_seconds)
        replies = emu.sent_messages(chat)
    assert len(replies) == 1
    text = reply["text"]
    assert text.startswith("I read these 3 messages together.")
    assert WARNING_EN in text and PATTERN_EN in text  # only together do the pieces make the scam
    assert reply["reply_to_message"]["message_id"] == first["message_id"]


# -- 10. Telegram errors ---------------------------------------------------------------------------
async def test_429_from_telegram_is_retried_and_the_user_still_gets_the_answer(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    emma = emu.user(1001, "Emma")
    chat = emu.private_chat(emma)
    async with standalone_bot(emu, engine, tmp_path):
        emu.fail_next("sendMessage", status=429, retry_after=1)
        started = time.monotonic()
        warning = await ask(emu, chat, emma, SCAM_EN)
        waited = time.monotonic() - started
        after = await ask(emu, chat, emma, BENIGN)
    assert WARNING_EN in warning["text"] and CALM_EN in after["text"]
    assert [c.status for c in emu.calls_to("sendMessage")] == [429, 200, 200]
    assert waited >= 1.0  # Telegram's retry_after was respected
    assert len(emu.sent_messages(chat)) == 2


@pytest.mark.parametrize("failures", [1, 2])
async def test_telegram_500_is_retried_and_the_user_still_gets_the_answer(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path, failures: int
) -> None:
    emma = emu.user(1051, "Emma")
    chat = emu.private_chat(emma)
    async with standalone_bot(emu, engine, tmp_path):
        emu.fail_next("sendMessage", status=500, count=failures)
        warning = await ask(emu, chat, emma, SCAM_EN)
        after = await ask(emu, chat, emma, BENIGN)
    assert WARNING_EN in warning["text"] and CALM_EN in after["text"]
    assert [c.status for c in emu.calls_to("sendMessage")] == [500] * failures + [200, 200]
    assert len(emu.sent_messages(chat)) == 2  # delivered once each, no duplicates


async def test_a_lasting_outage_holds_the_answer_without_a_retry_storm_and_the_bot_carries_on(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    emma = emu.user(1071, "Emma")
    chat = emu.private_chat(emma)
    async with standalone_bot(emu, engine, tmp_path):
        emu.fail_next("sendMessage", status=500, count=100)
        emu.send_message(chat, emma, SCAM_EN)
        deadline = time.monotonic() + REPLY_TIMEOUT
        while not any("kept in the outbox" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, "the bot never stopped its quick retries"
            await asyncio.sleep(0.05)
        tries = len(emu.calls_to("sendMessage"))
        emu.clear_faults()
        after = await ask(emu, chat, emma, BENIGN)
        both = await emu.wait_for_messages(chat, 2, timeout=REPLY_TIMEOUT)  # the held warning follows
    assert tries == SEND_ATTEMPTS  # bounded: no retry storm against a struggling Telegram
    assert CALM_EN in after["text"]
    assert sorted(WARNING_EN in m["text"] for m in both) == [False, True]
    assert len(emu.sent_messages(chat)) == 2  # each once
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]  # an outage is not a bug


async def test_a_failure_while_answering_tells_the_user_instead_of_going_silent(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emma = emu.user(1081, "Emma")
    chat = emu.private_chat(emma)
    real_assess = engine.assess_async
    calls = 0

    async def breaks_once(text: str) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("index file vanished")
        return await real_assess(text)

    monkeypatch.setattr(engine, "assess_async", breaks_once)
    async with standalone_bot(emu, engine, tmp_path):
        apology = await ask(emu, chat, emma, SCAM_EN)
        warning = await ask(emu, chat, emma, SCAM_EN)
    assert apology["text"] == "Sorry, something went wrong on my side. Please try again in a moment."
    assert "index file" not in apology["text"]  # never what went wrong
    assert WARNING_EN in warning["text"]


# -- 11. many users at once ------------------------------------------------------------------------
async def test_fifty_users_at_once_each_get_exactly_one_answer(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    texts = [SCAM_EN, BENIGN, SCAM_ZH, "Is the pharmacy open on Sunday?", "你好，周末一起吃饭吗？"]
    people = [emu.user(11000 + i, f"User {i}") for i in range(50)]
    async with standalone_bot(emu, engine, tmp_path) as bot:
        started = time.monotonic()
        sent = {
            person["id"]: emu.send_message(emu.private_chat(person), person, texts[i % len(texts)])
            for i, person in enumerate(people)
        }
        await asyncio.gather(
            *(emu.wait_for_messages(chat_id, 1, timeout=60, after=msg) for chat_id, msg in sent.items())
        )
        elapsed = time.monotonic() - started
        await settle(emu, 2 * bot.settings.burst_window_seconds)
    for i, person in enumerate(people):
        [reply] = emu.sent_messages(person["id"])
        assert reply["reply_to_message"]["message_id"] == sent[person["id"]]["message_id"]
        expected = {0: WARNING_EN, 1: CALM_EN, 2: WARNING_ZH}.get(i % len(texts))
        if expected:
            assert expected in reply["text"], (i, reply["text"][:80])
    assert elapsed < 45, f"50 users took {elapsed:.1f} s"


# -- 12. a user who blocked the bot ---------------------------------------------------------------
async def test_a_user_who_blocked_the_bot_does_not_stop_it(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alice, bob = emu.user(1201, "Alice"), emu.user(1202, "Bob")
    async with standalone_bot(emu, engine, tmp_path) as bot:
        emu.send_message(emu.private_chat(alice), alice, SCAM_EN)
        emu.block_bot(alice)  # before the burst window closes: the answer meets a 403
        await emu.wait_for_calls("sendMessage", 1, timeout=REPLY_TIMEOUT)
        await settle(emu, 0.5)
        reply = await ask(emu, emu.private_chat(bob), bob, SCAM_EN)
        assert bot.application.running
    assert WARNING_EN in reply["text"]
    to_alice = [c for c in emu.calls_to("sendMessage") if c.params["chat_id"] == alice["id"]]
    assert [c.status for c in to_alice] == [403]  # no retry, no "something went wrong" into the void
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


# -- 13. flood ---------------------------------------------------------------------------------------
async def test_a_flooding_user_gets_one_slow_down_notice_and_no_backlog(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    settings = fast_settings(tmp_path, user_messages_per_minute=5)
    emma, bob = emu.user(1301, "Emma"), emu.user(1302, "Bob")
    chat = emu.private_chat(emma)
    async with standalone_bot(emu, engine, tmp_path, settings=settings):
        for i in range(12):
            emu.send_message(chat, emma, f"message number {i}: are we meeting at {i} o'clock?")
        await emu.wait_for_messages(chat, 2, timeout=REPLY_TIMEOUT)
        await settle(emu, 3 * settings.burst_window_seconds)
        replies = [m["text"] for m in emu.sent_messages(chat)]
        other = await ask(emu, emu.private_chat(bob), bob, BENIGN)
    notices = [t for t in replies if "faster than I can check them" in t]
    assert len(notices) == 1
    assert len(replies) == 2, replies  # the notice and one answer to the five within the limit
    [answer] = [t for t in replies if t not in notices]
    assert answer.startswith("I read these 5 messages together.")
    assert CALM_EN in other["text"]  # one user's flood does not slow anyone else down


# -- 14. living inside a host bot -----------------------------------------------------------------
async def _host_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    menu = InlineKeyboardMarkup([[InlineKeyboardButton("Open the menu", callback_data="host:menu")]])
    await update.effective_message.reply_text("Welcome to Corner Shop!", reply_markup=menu)


async def _host_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.callback_query is not None
    context.bot_data.setdefault("host_presses", []).append(update.callback_query.data)
    await update.callback_query.answer("Menu opened")


async def test_plugin_inside_a_host_bot_leaves_the_hosts_start_and_buttons_alone(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    settings = fast_settings(tmp_path)
    host = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .concurrent_updates(True)
        .build()
    )
    host.add_handler(CommandHandler("start", _host_start), group=0)
    host.add_handler(CallbackQueryHandler(_host_button, pattern="^host:"), group=0)
    plugin = make_plugin(settings, engine, tmp_path, commands={"start": None})
    plugin.install(host, group=1)
    emma = emu.user(1401, "Emma")
    chat = emu.private_chat(emma)
    async with running(host):
        welcome = await ask(emu, chat, emma, "/start")
        await settle(emu, 2 * settings.burst_window_seconds)
        assert len(emu.sent_messages(chat)) == 1  # the host's welcome only, no second greeting

        emu.press_button(chat, emma, welcome["message_id"], "host:menu")
        await emu.wait_for_calls("answerCallbackQuery", timeout=REPLY_TIMEOUT)

        warning = await ask(emu, chat, emma, SCAM_EN, forward_origin=origin_hidden_user("Tom"))
        emu.press_button(chat, emma, warning["message_id"], button_data(warning, "h"))
        await emu.wait_for_calls("answerCallbackQuery", 2, timeout=REPLY_TIMEOUT)

        help_reply = await ask(emu, chat, emma, "/help")
        before = len(emu.sent_messages(chat))
        emu.send_message(chat, emma, "/orders")  # the host's business: the plugin stays silent
        await settle(emu, 2 * settings.burst_window_seconds)
        after = len(emu.sent_messages(chat))
    assert welcome["text"] == "Welcome to Corner Shop!"
    assert host.bot_data["host_presses"] == ["host:menu"]
    assert [a["text"] for a in emu.callback_answers] == ["Menu opened", "Thanks for the feedback!"]
    assert WARNING_EN in warning["text"] and PATTERN_EN in warning["text"]
    assert "What I can check" in help_reply["text"]
    assert after == before


# -- 15. unknown commands ---------------------------------------------------------------------------
async def test_standalone_answers_unknown_commands_politely(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    emma = emu.user(1501, "Emma")
    chat = emu.private_chat(emma)
    async with standalone_bot(emu, engine, tmp_path, answer_unknown_commands=True) as bot:
        unknown = await ask(emu, chat, emma, "/balance")
        privacy = await ask(emu, chat, emma, "/privacy")
        await settle(emu, 2 * bot.settings.burst_window_seconds)
    assert unknown["text"] == "I don't know that command. Forward me a message to check it, or see /help."
    assert WARNING_EN not in unknown["text"] and CALM_EN not in unknown["text"]  # a command is not assessed
    assert f"kept {bot.settings.answer_retention_days} days" in privacy["text"]
    assert len(emu.sent_messages(chat)) == 2


# -- 16. the sandbox ---------------------------------------------------------------------------------
async def test_sandbox_demo_runs_to_completion_and_shows_the_warnings(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make run`` with no token: the scripted demo against the emulator. Only the engine load is shared."""
    monkeypatch.setattr(app, "build_engine", lambda settings, **kwargs: engine)
    out = io.StringIO()
    settings = fast_settings(tmp_path)
    await asyncio.wait_for(sandbox_module.sandbox(settings, interactive=False, out=out), timeout=120)
    shown = out.getvalue()
    assert "bot> 👋 Hi! I help you spot scams" in shown
    assert f"bot> 🚨 {WARNING_EN}" in shown and PATTERN_EN in shown
    assert f"bot> 🚨 {WARNING_ZH}" in shown and "冒充熟人借钱" in shown and "不要转钱" in shown
    assert f"bot> ✅ {CALM_EN}" in shown
    assert MEDIA_GUIDANCE_EN in shown
    assert "<b>" not in shown and "&quot;" not in shown  # what Telegram shows, not the HTML source
    assert shown.rstrip().endswith("(Run `make run` in a terminal to chat with the bot yourself.)")
    assert (settings.data_dir / "bot.sqlite3").exists()  # the sandbox kept its store where settings say
