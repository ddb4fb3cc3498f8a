"""Screenshots and hidden links end to end, as a Telegram user or a family group sees them.

The real PTB application polls the emulator; pictures travel as real files (getFile, download)
and are read by the real OCR. Fixtures are drawn by ``scripts/draw_screenshots.py``. Each OCR read
costs about a second, so every picture here is read once and the tests share nothing else.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from PIL import Image
from telegram_helpers import entity_texts, fast_settings, standalone_bot

from bot.core.engine import Engine
from bot.emulator import BotApiEmulator, origin_channel, origin_hidden_user

FIXTURES = Path(__file__).parent / "fixtures" / "images"
TIMEOUT = 90.0
"""OCR of an album on a shared two-core machine under load can take tens of seconds."""


def picture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def plain_photo() -> bytes:
    """A photo with no text at all (a sky gradient), as a deepfake video's still would be to the reader."""
    image = Image.linear_gradient("L").resize((320, 240)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


async def first_reply(emu: BotApiEmulator, chat: dict, after: dict) -> dict:
    [reply, *_] = await emu.wait_for_messages(chat, 1, timeout=TIMEOUT, after=after)
    return reply


async def settle(emu: BotApiEmulator, seconds: float = 1.5) -> None:
    await asyncio.sleep(seconds)
    await emu.wait_until_idle(timeout=TIMEOUT)


def tappable(reply: dict, host: str) -> bool:
    """Would Telegram make the scam's ``host`` a link in the bot's reply? (The knowledge base's advice names
    sites of its own, which are not this test's business.)"""
    return any(host in covered for _, covered in entity_texts(reply, ("url", "text_link", "mention")))


async def test_scam_screenshots_are_named_and_a_family_chat_is_calm(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    wei, emma, mei = emu.user(1201, "Wei", language_code="zh-hans"), emu.user(1202, "Emma"), emu.user(1203, "Mei")
    async with standalone_bot(emu, engine, tmp_path):
        chats = [emu.private_chat(u) for u in (wei, emma, mei)]
        sent = [
            emu.send_message(chats[0], wei, None, photo=picture("zh_friend_loan.png")),
            emu.send_message(
                chats[1], emma, None, photo=picture("en_parcel_sms.png"), forward_origin=origin_hidden_user("Mum")
            ),
            # a screenshot sent as a file (uncompressed), as people do to keep it sharp
            emu.send_message(
                chats[2], mei, None, document=picture("zh_family.png"), file_name="家里.png", mime_type="image/png"
            ),
        ]
        loan, parcel, family = [await first_reply(emu, chat, s) for chat, s in zip(chats, sent, strict=True)]
        await settle(emu)
        actions = {call.params.get("chat_id") for call in emu.calls_to("sendChatAction")}
    text = loan["text"]
    assert text.startswith("我从你的截图中读到6行文字"), text[:80]  # what it read, in the user's language
    assert "🚨" in text and "这很像诈骗" in text
    assert "借我三万块钱" in text and "别跟别人说" in text  # red flags quoted from the OCR'd text
    text = parcel["text"]
    assert text.startswith("I read 3 lines from your screenshot.")
    assert "This looks like a scam" in text and "Parcel held" in text
    assert "royalmail-redelivery[.]help" in text and not tappable(parcel, "royalmail-redelivery.help")
    text = family["text"]
    assert "读到5行文字" in text and "✅" in text and "诈骗模式" in text
    assert "这很像诈骗" not in text and "可疑" not in text.split("\n")[2]
    for chat in chats:  # "typing…" while reading, and one answer each
        assert str(chat["id"]) in {str(a) for a in actions}
        assert len(emu.sent_messages(chat)) == 1


async def test_an_album_of_three_screenshots_gets_one_answer(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    emma = emu.user(1301, "Emma")
    settings = fast_settings(tmp_path, burst_window_seconds=0)  # no burst window: the album still waits
    async with standalone_bot(emu, engine, tmp_path, settings=settings):
        chat = emu.private_chat(emma)
        first = emu.send_message(chat, emma, None, photo=picture("album_1.png"), media_group_id="album-7")
        for name in ("album_2.png", "album_3.png"):
            emu.send_message(chat, emma, None, photo=picture(name), media_group_id="album-7")
        reply = await first_reply(emu, chat, first)
        await settle(emu)
        replies = emu.sent_messages(chat)
    assert len(replies) == 1
    text = reply["text"]
    assert "from your 3 screenshots together" in text
    assert "This looks like a scam" in text and "30% profit" in text  # the pitch is on the second screenshot


async def test_a_qr_code_and_links_hidden_behind_words_or_buttons_are_checked(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    people = [emu.user(1401 + i, name) for i, name in enumerate(("Ann", "Ben", "Cat", "Dan"))]
    chats = [emu.private_chat(p) for p in people]
    visible = "Your parcel could not be delivered. Tap here to reschedule delivery."
    async with standalone_bot(emu, engine, tmp_path):
        sent = [
            emu.send_message(chats[0], people[0], None, photo=picture("qr_phishing.png")),
            emu.send_message(  # the URL is behind "Tap here"
                chats[1],
                people[1],
                visible,
                forward_origin=origin_hidden_user("Royal Mail"),
                entities=[{"type": "text_link", "offset": 36, "length": 8, "url": "https://royalmail-redeliver.top/p"}],
            ),
            emu.send_message(  # a channel post with a URL button
                chats[2],
                people[2],
                "HMRC: you are owed a tax refund of £326.40. Claim it before Friday.",
                forward_origin=origin_channel(emu.channel(-100_777, "HMRC Refunds")),
                reply_markup={"inline_keyboard": [[{"text": "Claim now", "url": "https://hmrc-refund-claim.top/"}]]},
            ),
            emu.send_message(  # a video whose caption hides a Telegram deep link
                chats[3],
                people[3],
                None,
                video=True,
                caption="Questions about your refund? Ask our support desk.",
                entities=[{"type": "text_link", "offset": 37, "length": 12, "url": "tg://resolve?domain=hmrc_desk"}],
            ),
        ]
        qr, text_link, button, deep_link = [await first_reply(emu, c, s) for c, s in zip(chats, sent, strict=True)]
    assert "🚨" in qr["text"] and "etc-refund-gov[.]top" in qr["text"]  # the QR code's domain, defanged
    assert "二维码" in qr["text"]  # and the user is told a QR code was read
    assert "royalmail-redeliver[.]top" in text_link["text"]
    assert "hmrc-refund-claim[.]top" in button["text"]
    assert "t[.]me/hmrc_desk" in deep_link["text"]
    hosts = ("etc-refund-gov.top", "royalmail-redeliver.top", "hmrc-refund-claim.top", "t.me/hmrc_desk")
    for reply, host in zip((qr, text_link, button, deep_link), hosts, strict=True):
        assert not tappable(reply, host)


async def test_bad_pictures_get_polite_answers_and_nobody_waits_for_them(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    settings = fast_settings(tmp_path, image_max_bytes=50_000)
    people = [emu.user(1501 + i, f"User {i}") for i in range(8)]
    chats = [emu.private_chat(p) for p in people]
    async with standalone_bot(emu, engine, tmp_path, settings=settings):
        sent = [
            emu.send_message(chats[0], people[0], None, photo=picture("corrupt.png")),
            emu.send_message(chats[1], people[1], None, document=picture("bomb.png"), file_name="bomb.png"),
            emu.send_message(chats[2], people[2], None, document=picture("not_an_image.jpg"), file_name="scam.jpg"),
            emu.send_message(chats[3], people[3], None, sticker=picture("sticker.webp")),
            emu.send_message(chats[4], people[4], None, animation=True),
            emu.send_message(
                chats[5], people[5], None, document=picture("long_screenshot.png"), file_name="long.png"
            ),  # 61 kB, over this bot's 50 kB limit
            emu.send_message(chats[6], people[6], None, photo=plain_photo()),
            emu.send_message(chats[7], people[7], "Are we still on for dinner at grandma's on Sunday?"),
        ]
        replies = [await first_reply(emu, c, s) for c, s in zip(chats, sent, strict=True)]
        downloads = len(emu.calls_to("getFile"))
    expected = [
        "seems damaged or incomplete",
        "far too large for me to open safely",
        "not a picture I can read",
        "sticker or a GIF",
        "sticker or a GIF",
        "too large for me to read",
        "How to check a video or voice call",  # a photo without text: the deepfake advice, as before
        "No known scam pattern found",
    ]
    for reply, words in zip(replies, expected, strict=True):
        assert words in reply["text"], (words, reply["text"][:120])
        assert "went wrong" not in reply["text"]
    assert "I found no readable text" in replies[6]["text"]
    assert downloads == 4  # corrupt, bomb, fake jpg, text-less photo: no sticker, GIF or oversized file fetched


async def test_a_scam_screenshot_in_a_group_alerts_within_the_groups_picture_budget(
    emu: BotApiEmulator, engine: Engine, tmp_path: Path
) -> None:
    settings = fast_settings(tmp_path, group_images_per_minute=1)
    async with standalone_bot(emu, engine, tmp_path, settings=settings) as bot:
        owner, ann = emu.user(10, "Owner"), emu.user(11, "Ann")
        group = emu.group(-100_900, "Family", supergroup=True)
        emu.add_member(group, ann)
        emu.add_bot_to_group(group, owner, as_admin=True)
        await emu.wait_for_messages(group, 1, timeout=TIMEOUT)  # the introduction
        scam = emu.send_message(group, ann, None, photo=picture("zh_friend_loan.png"))
        [alert] = await emu.wait_for_messages(group, 1, timeout=TIMEOUT, after=scam)
        second = emu.send_message(group, ann, None, photo=picture("en_parcel_sms.png"))  # over the budget
        await settle(emu)
        await bot.plugin.groups.flush_counts()
        stats = await bot.store.group_stats(group["id"])
        fetched = len(emu.calls_to("getFile"))
        later = [m for m in emu.sent_messages(group) if m["message_id"] > second["message_id"]]
    assert alert["reply_to_message"]["message_id"] == scam["message_id"]
    assert "疑似诈骗" in alert["text"] or "Possible scam" in alert["text"]
    assert later == []  # the second picture was not read, so no alert
    assert fetched == 1 and stats.skipped == 1
