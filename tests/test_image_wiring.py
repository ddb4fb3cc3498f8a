"""The small parts around screenshots: hidden links, the group picture budget, what the user is told.

No OCR here: readings are built by hand, so these run in milliseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from telegram import (
    Chat,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
)

from bot.adapter.group_images import GroupPictures
from bot.adapter.hidden_links import hidden_links, readable_link
from bot.adapter.images import ImageReader, picture_of
from bot.config import Settings
from bot.core.image_answer import reading_note, words_to_assess
from bot.core.image_input import ImageProblem
from bot.core.screenshot import ImageReading, Line

CHAT = Chat(1, Chat.PRIVATE)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def message(**fields: object) -> Message:
    return Message(message_id=7, date=NOW, chat=CHAT, **fields)  # type: ignore[arg-type]


def test_links_behind_words_buttons_and_captions_are_found_once_each() -> None:
    text = "Your parcel is held. Tap here to pay the fee. https://shop.example/visible"
    hidden = MessageEntity(MessageEntity.TEXT_LINK, 21, 8, url="https://royalmail-redeliver.top/pay")
    honest = MessageEntity(MessageEntity.TEXT_LINK, 46, 28, url="https://shop.example/visible")  # shows its URL
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Pay now", url="https://royalmail-redeliver.top/pay")],  # the same link again
            [InlineKeyboardButton("Support", url="tg://resolve?domain=rm_helpdesk&start=fee")],
            [InlineKeyboardButton("OK", callback_data="ok")],
        ]
    )
    found = hidden_links(message(text=text, entities=[hidden, honest], reply_markup=buttons))
    assert found == ["https://royalmail-redeliver.top/pay", "https://t.me/rm_helpdesk?start=fee"]

    photo = [PhotoSize("f", "u", 10, 10)]
    caption = message(
        photo=photo,
        caption="Claim here",
        caption_entities=[MessageEntity(MessageEntity.TEXT_LINK, 6, 4, url="http://203.0.113.9/claim")],
    )
    assert hidden_links(caption) == ["http://203.0.113.9/claim"]
    assert hidden_links(message(text="nothing hidden")) == []


def test_telegram_deep_links_read_as_t_me_addresses() -> None:
    assert readable_link("tg://resolve?domain=refund_desk") == "https://t.me/refund_desk"
    assert readable_link("tg://join?invite=AbCd") == "https://t.me/+AbCd"
    assert readable_link("https://t.me/x") == "https://t.me/x"


def test_which_documents_are_read_as_pictures() -> None:
    png = Document("f", "u", file_name="chat.PNG", mime_type="application/octet-stream")
    pdf = Document("f", "u", file_name="invoice.pdf", mime_type="application/pdf")
    assert picture_of(message(document=png)) is png
    assert picture_of(message(document=pdf)) is None


def test_a_groups_picture_budget_is_a_sliding_minute(tmp_path: Path) -> None:
    now = [1000.0]
    settings = Settings(_env_file=None, data_dir=tmp_path, group_images_per_minute=2, group_image_max_bytes=1000)
    gate = GroupPictures(settings, ImageReader(), clock=lambda: now[0])
    small = message(photo=[PhotoSize("f", "u", 10, 10, file_size=500)])
    big = message(photo=[PhotoSize("f", "u", 10, 10, file_size=5000)])
    assert not gate.admit(-1, big)  # too big, and it does not spend the budget
    assert gate.admit(-1, small) and gate.admit(-1, small)
    assert not gate.admit(-1, small)  # the third in a minute is skipped
    assert gate.admit(-2, small)  # another group has its own budget
    now[0] += 61
    assert gate.admit(-1, small)


def test_the_note_says_what_was_read_in_the_users_language() -> None:
    lines = tuple(Line(f"line {i}", "other", i // 3) for i in range(6))
    album = ImageReading(lines=lines, skipped=(None, None, ImageProblem.CORRUPT))
    assert reading_note(album, "en") == (
        "I read 6 lines from your 3 screenshots together. 1 of the 3 pictures could not be read."
    )
    assert reading_note(album, "zh-Hant").startswith("我把你的3張截圖放在一起")
    broken = ImageReading(problem=ImageProblem.CORRUPT, skipped=(ImageProblem.CORRUPT,))
    assert "damaged" in reading_note(broken, "en")
    qr = ImageReading(qr_payloads=("https://evil.top/x",), skipped=(None,))
    assert reading_note(qr, "en") == "It holds a QR code; I checked its link too."


def test_words_to_assess_put_the_caption_first_and_each_link_once() -> None:
    reading = ImageReading(lines=(Line("pay the fee", "other"),), qr_payloads=("https://evil.top/q",), skipped=(None,))
    words = words_to_assess(reading, ["what is this?"], ["https://evil.top/q", "https://t.me/x"])
    assert words.splitlines() == ["what is this?", "pay the fee", "https://evil.top/q", "https://t.me/x"]
