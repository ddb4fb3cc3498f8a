"""Answers people can act on (issue 13), as a Telegram user sees them through the emulator.

Each test sends what people actually forward and checks the reply's words and buttons:
the named scam type agrees with what the message itself says (a video call, a toll), a
bank's one-time code is not called a request for one, a strong warning never sits next
to an unexplained weak match, Traditional Chinese reads as Taiwan or Hong Kong writes it,
Cantonese and Taiwanese red flags are caught and quoted as written, the reply fits a
phone with the reader's own reporting line, and pressed buttons visibly change.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from telegram_helpers import REPLY_TIMEOUT, ask, button_data, buttons, standalone_bot

from bot.core.engine import Engine
from bot.core.reply import PHONE_SCREEN
from bot.emulator import BotApiEmulator, origin_hidden_user

FACE_SWAP_FRIEND = (
    "Hey! So great to see you on video yesterday, you look the same as ever. Listen, my card got blocked. "
    "Can you lend me $800 until Monday?"
)
BROKEN_CALL = "Sorry the video call cut out, I can't talk now. Please transfer 500 to my friend, urgent."
CANTONESE_VIDEO_LOAN = "頭先視像見到我啦，我急住要買禮物畀客，你幫我過數$5000先"
ETAG_TOLL = "【遠通電收】您的eTag通行費尚有欠費未繳，逾期將加收罰鍰，請於今日前至 https://fetc-tw.top 補繳。"
HK_BANK_OTP = "【恒生銀行】您正在進行網上轉賬，一次性密碼為 551903，5分鐘內有效。請勿將密碼告知任何人。"
EN_OTP = "Your Apple ID verification code is: 551903. Don't share it with anyone."
ZH_OTP = "【台新銀行】您的驗證碼為 551903，請勿將驗證碼提供給他人，以免遭受詐騙。"
HK_SECRET_PAYMENT = (
    "頭先同你視像見到我啦，我而家急住要借$5000，你過數去呢個戶口 012-345678-901，唔好同財務部其他同事講，呢單嘢係機密。"
)
TW_SECRET_PAYMENT = "爸，我手機壞了換了新號碼，先不要跟爸講，錢要今天匯過去，很急。"
TW_VIDEO_SCAM = "剛剛視訊斷掉了，你有看到是我吧？我在開會不能講電話，急需兩萬塊，先匯到我同事的帳戶。"


def advice(reply: dict[str, Any]) -> list[str]:
    """The "what to do" bullets of a warning."""
    lines = reply["text"].split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(("What to do", "現在應該", "现在应该")))
    return [line for line in lines[start + 1 :] if line.startswith("• ")]


# -- 1. the type and its advice agree with the message's own words ----------------------------------
async def test_the_named_scam_type_follows_what_the_message_says_happened(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    emma = emu.user(1301, "Emma", language_code="en")
    mei = emu.user(1302, "Mei", language_code="zh-hant")
    async with standalone_bot(emu, engine, tmp_path):
        friend = await ask(emu, emu.private_chat(emma), emma, FACE_SWAP_FRIEND)
        broken = await ask(emu, emu.private_chat(emma), emma, BROKEN_CALL)
        cantonese = await ask(emu, emu.private_chat(mei), mei, CANTONESE_VIDEO_LOAN)
    for reply in (friend, broken):
        assert "(deepfake video call)" in reply["text"], reply["text"]
        assert "never met in person" not in reply["text"] and "cloned-voice" not in reply["text"]
    assert "換臉視像通話" in cantonese["text"] and "禮品卡" not in cantonese["text"]


async def test_a_toll_text_in_a_group_gets_toll_advice_not_tax_refund_advice(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    async with standalone_bot(emu, engine, tmp_path):
        owner, aunt = emu.user(1310, "Owner", language_code="zh-tw"), emu.user(1311, "Aunt")
        group = emu.group(-100_1310, "Family", supergroup=True)
        emu.add_member(group, aunt)
        emu.add_bot_to_group(group, owner, as_admin=True)
        emu.set_admins(group, [owner["id"]])
        await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT)  # the introduction
        posted = emu.send_message(group, aunt, ETAG_TOLL)
        [alert] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=posted)
    [step] = [line for line in alert["text"].split("\n") if line.startswith("👉")]
    assert "過路費" in step and "退稅" not in step


# -- 2. a code you are told to keep is not a request for it -----------------------------------------
async def test_one_time_codes_that_say_do_not_share_are_not_called_requests(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    ho = emu.user(1320, "Ho", language_code="zh-hk")
    async with standalone_bot(emu, engine, tmp_path):
        chat = emu.private_chat(ho)
        replies = [await ask(emu, chat, ho, text) for text in (HK_BANK_OTP, EN_OTP, ZH_OTP)]
    for reply in replies:
        assert reply["text"].startswith("✅"), reply["text"]
        for label in ("借錢或轉賬", "借錢或轉帳", "驗證碼或讓你掃碼", "verification code or QR", "要求你保密"):
            assert label not in reply["text"], reply["text"]


# -- 3. a strong verdict never sits next to an unexplained weak match --------------------------------
async def test_a_warning_says_how_close_the_match_is_in_words(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    emma = emu.user(1330, "Emma", language_code="en")
    async with standalone_bot(emu, engine, tmp_path):
        chat = emu.private_chat(emma)
        loose = await ask(emu, chat, emma, FACE_SWAP_FRIEND)
        close = await ask(emu, chat, emma, BROKEN_CALL.replace("I can't talk now", "bad signal here"))
    for reply in (loose, close):
        assert "% similar" not in reply["text"] and "相似度" not in reply["text"]
    assert loose["text"].startswith("🚨")
    assert "only a loose match" in loose["text"] and "comes from the red flags below" in loose["text"]
    assert "matches a known scam" in close["text"] or "partly like a known scam" in close["text"]


# -- 4. Traditional Chinese as Taiwan and Hong Kong write it -----------------------------------------
async def test_taiwan_and_hong_kong_readers_get_their_own_words(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    chen = emu.user(1340, "Chen", language_code="zh-tw")
    wong = emu.user(1341, "Wong", language_code="zh-hk")
    async with standalone_bot(emu, engine, tmp_path):
        taiwan = await ask(emu, emu.private_chat(chen), chen, TW_VIDEO_SCAM)
        hong_kong = await ask(emu, emu.private_chat(wong), wong, TW_VIDEO_SCAM)
    assert "視訊" in taiwan["text"]
    for mainland in ("視頻", "信號", "短信", "鏈接", "賬號", "併發送", "鍊接"):
        assert mainland not in taiwan["text"], mainland
    assert "視像" in hong_kong["text"] and "視頻" not in hong_kong["text"]


# -- 5. Cantonese and Taiwanese red flags, quoted as written -----------------------------------------
async def test_cantonese_and_taiwanese_red_flags_are_caught_and_quoted_as_written(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    wong = emu.user(1350, "Wong", language_code="zh-hk")
    emma = emu.user(1351, "Emma", language_code="en")
    async with standalone_bot(emu, engine, tmp_path):
        hk = await ask(emu, emu.private_chat(wong), wong, HK_SECRET_PAYMENT)
        tw = await ask(emu, emu.private_chat(wong), wong, TW_SECRET_PAYMENT)
        en = await ask(emu, emu.private_chat(emma), emma, FACE_SWAP_FRIEND)
    assert "要求借錢或轉" in hk["text"] and "過數" in hk["text"]
    assert "催促你馬上行動" in hk["text"] and "急住" in hk["text"]
    assert "要求你保密" in hk["text"] and "唔好同財務部其他同事講" in hk["text"]
    assert "電話號碼" not in hk["text"]  # 012-345678-901 is a bank account
    assert "，唔好同財務部其他同事講" in hk["text"]  # full-width punctuation quoted as written
    assert "要求你保密" in tw["text"] and "先不要跟爸講" in tw["text"]
    assert "錢要今天匯過去" in tw["text"]
    quotes = re.findall(r"“([^”]*)”", en["text"])
    assert quotes and all(not re.match(r"…[a-z]{1,3}\b", q) for q in quotes), quotes  # no "…ot blocked"


async def test_a_bank_account_number_is_not_called_a_phone_number(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    wong = emu.user(1352, "Wong", language_code="zh-hk")
    async with standalone_bot(emu, engine, tmp_path):
        reply = await ask(emu, emu.private_chat(wong), wong, "媽，急住交學費，過數去 012-345678-901 呀，今日要交。")
    assert "銀行帳號" in reply["text"] or "銀行賬號" in reply["text"]
    assert "電話號碼" not in reply["text"]


# -- 6. phone-sized, with the reader's own reporting line --------------------------------------------
async def test_a_warning_fits_a_phone_and_shows_the_readers_reporting_line(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    harry = emu.user(1360, "Harry", language_code="en-GB")
    wong = emu.user(1361, "Wong", language_code="zh-hk")
    emma = emu.user(1362, "Emma", language_code="en")
    async with standalone_bot(emu, engine, tmp_path) as bot:
        uk = await ask(emu, emu.private_chat(harry), harry, BROKEN_CALL, forward_origin=origin_hidden_user("Tom"))
        hk = await ask(emu, emu.private_chat(wong), wong, HK_SECRET_PAYMENT)
        chat = emu.private_chat(emma)
        prompt = await ask(emu, chat, emma, "/region")
        assert "18222" in prompt["text"] and "165" in prompt["text"] and "7726" in prompt["text"]
        emu.press_button(chat, emma, prompt["message_id"], "fa:rg:hk")
        await emu.wait_for_calls("answerCallbackQuery", timeout=REPLY_TIMEOUT)
        assert await bot.store.region_of(emma["id"]) == "hk"
        chosen = await ask(emu, chat, emma, BROKEN_CALL)
    for reply, line in ((uk, "7726"), (hk, "18222"), (chosen, "18222")):
        text = reply["text"]
        assert len(text) <= PHONE_SCREEN, (len(text), text)
        assert line in text and "/region" in text
        others = [n for n in ("96110", "18222", "165", "1799", "7726", "ic3.gov") if n != line and n in text]
        assert others == [], others  # one region's line, not five


# -- 8. buttons answer and change ----------------------------------------------------------------
async def test_pressed_buttons_answer_and_show_the_choice(emu: BotApiEmulator, engine: Engine, tmp_path: Path) -> None:
    alice = emu.user(1380, "Alice", language_code="en")
    async with standalone_bot(emu, engine, tmp_path):
        chat = emu.private_chat(alice)
        warning = await ask(emu, chat, alice, BROKEN_CALL)

        async def press(message: dict[str, Any], data: str) -> tuple[str, dict[str, Any]]:
            before = len(emu.calls_to("answerCallbackQuery"))
            edits = len(emu.edits)
            emu.press_button(chat, alice, message["message_id"], data)
            await emu.wait_for_calls("answerCallbackQuery", before + 1, timeout=REPLY_TIMEOUT)
            for _ in range(100):  # the edit follows the answer
                if len(emu.edits) > edits:
                    break
                await asyncio.sleep(0.05)
            assert len(emu.edits) > edits, "the buttons did not change"
            return str(emu.callback_answers[-1]["text"]), emu.message(chat, message["message_id"]) or {}

        notice, shown = await press(warning, button_data(warning, "h"))
        assert notice == "Thanks for the feedback!"
        assert buttons(shown)[button_data(warning, "h")] == "✅ 👍 Helpful"
        assert buttons(shown)[button_data(warning, "w")] == "👎 Wrong"

        notice, shown = await press(warning, button_data(warning, "w"))  # changing one's mind moves the tick
        assert buttons(shown)[button_data(warning, "w")] == "✅ 👎 Wrong"
        assert buttons(shown)[button_data(warning, "h")] == "👍 Helpful"

        notice, shown = await press(warning, button_data(warning, "r"))
        assert "reviewers will look at it" in notice
        assert buttons(shown)[button_data(warning, "r")] == "✅ Reported"

        prompt = await ask(emu, chat, alice, "/language")
        notice, shown = await press(prompt, "fa:l:zh-Hant")
        assert notice == "好的，我會用中文回答。"
        assert shown["text"] == "好的，我會用中文回答。"
        assert buttons(shown)["fa:l:zh-Hant"] == "✅ 繁體中文"
