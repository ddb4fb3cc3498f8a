"""Screenshots as users send them: what the reader gets right, what it drops, what it refuses politely.

Fixtures are drawn by ``scripts/draw_screenshots.py`` (regenerate them there). The OCR engine loads
once per module; each image is read once and shared between the tests that look at it.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.core.image_input import ImageProblem, LoadedImage, load_image, tiles
from bot.core.qr import decode_qr
from bot.core.screenshot import Box, ImageReading, is_chrome, layout, ocr_engine, read_image, read_images

FIXTURES = Path(__file__).parent / "fixtures" / "images"


def _bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def engine() -> object:
    return ocr_engine()


@pytest.fixture(scope="module")
def friend_loan(engine: object) -> ImageReading:
    return read_image(_bytes("zh_friend_loan.png"))


@pytest.fixture(scope="module")
def parcel_sms(engine: object) -> ImageReading:
    return read_image(_bytes("en_parcel_sms.png"))


# --- reading ---------------------------------------------------------------------------------


def test_chinese_friend_loan_chat_is_read_with_its_key_phrases(friend_loan: ImageReading) -> None:
    assert friend_loan.problem is None
    text = friend_loan.text
    for phrase in ("视频信号不好", "视频通话开不了", "借我三万块钱", "明天一早就还你", "别跟别人说"):
        assert phrase in text


def test_chrome_is_dropped_and_title_kept_apart(friend_loan: ImageReading) -> None:
    every_line = " ".join(line.text for line in friend_loan.lines)
    assert "21:47" not in every_line  # status-bar clock
    assert "昨天" not in every_line and "21:30" not in every_line  # timestamp separator
    assert "5G" not in every_line and "87" not in every_line  # signal and battery
    assert friend_loan.title.replace(" ", "") == "老同学王磊"
    assert friend_loan.line_count == 6  # six bubbles, wrapped lines joined


def test_reading_order_and_sides(friend_loan: ImageReading) -> None:
    texts = [line.text for line in friend_loan.lines]
    assert texts[0].startswith("在吗")
    assert "借我三万" in texts[3]
    assert [line.side for line in friend_loan.lines] == ["other", "user", "other", "other", "other", "user"]
    # The assessed text puts the other party first, the user's replies after.
    assert friend_loan.text.splitlines()[-1].startswith("这么急")
    assert friend_loan.transcript.splitlines()[1].startswith("> 看到是你了")


def test_english_sms_with_a_wrapped_link(parcel_sms: ImageReading) -> None:
    assert "parcel is being held" in parcel_sms.text
    assert "https://royalmail-redelivery.help/pay" in parcel_sms.text  # joined across the wrap
    every_line = " ".join(line.text for line in parcel_sms.lines)
    assert "Text Message" not in every_line and "TextMessage" not in every_line  # input box
    assert "14:32" not in every_line


def test_family_chat_reads_calmly(engine: object) -> None:
    reading = read_image(_bytes("zh_family.png"))
    assert "炖了排骨汤" in reading.text
    assert "大概七点到家" in reading.text
    assert reading.qr_payloads == ()


def test_album_is_one_reading_in_order(engine: object) -> None:
    reading = read_images([_bytes(f"album_{i}.png") for i in (1, 2, 3)])
    assert reading.skipped == (None, None, None)
    assert [line.image for line in reading.lines] == sorted(line.image for line in reading.lines)
    assert {line.image for line in reading.lines} == {0, 1, 2}
    text = reading.text
    assert "trading group" in text and "goldmaxbit.com" in text and "100% guaranteed" in text
    assert not any("✓" in line.text or "√" in line.text for line in reading.lines)  # WhatsApp ticks dropped


def test_qr_code_payload_is_decoded(engine: object) -> None:
    reading = read_image(_bytes("qr_phishing.png"))
    assert reading.qr_payloads == ("https://etc-refund-gov.top/claim?id=88",)
    assert "https://etc-refund-gov.top/claim?id=88" in reading.assessment_text("看看这个")
    assert reading.assessment_text("看看这个").startswith("看看这个")


def test_long_screenshot_is_tiled_and_read_to_the_bottom(engine: object) -> None:
    data = _bytes("long_screenshot.png")
    loaded = load_image(data)
    assert loaded.image is not None
    assert len(tiles(loaded.image)) >= 2
    reading = read_image(data)
    assert "最后提醒" in reading.text and "上报征信系统" in reading.text  # the last bubble
    assert "审批通过" in reading.text  # the first
    # Lines in the overlap of two tiles are reported once.
    texts = [line.text for line in reading.lines]
    assert len(texts) == len(set(texts)) == 18


# --- refusing politely -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("corrupt.png", ImageProblem.CORRUPT),
        ("bomb.png", ImageProblem.TOO_MANY_PIXELS),
        ("not_an_image.jpg", ImageProblem.NOT_AN_IMAGE),
        ("sticker.webp", ImageProblem.ANIMATED),
    ],
)
def test_bad_images_get_a_typed_problem_without_raising(name: str, problem: ImageProblem) -> None:
    reading = read_image(_bytes(name))
    assert reading.problem is problem
    assert reading.lines == () and reading.line_count == 0 and reading.text == ""


def test_bomb_is_refused_from_the_header_alone() -> None:
    data = _bytes("bomb.png")
    assert len(data) < 2000
    assert load_image(data).problem is ImageProblem.TOO_MANY_PIXELS


def test_oversized_file_and_empty_bytes() -> None:
    assert load_image(b"\0" * 100, max_bytes=50).problem is ImageProblem.TOO_LARGE
    assert load_image(b"").problem is ImageProblem.NOT_AN_IMAGE
    assert read_images([]).problem is None and read_images([]).line_count == 0


def test_an_album_with_one_broken_image_reads_the_rest(friend_loan: ImageReading) -> None:
    reading = read_images([_bytes("corrupt.png"), _bytes("zh_family.png")])
    assert reading.problem is None
    assert reading.skipped == (ImageProblem.CORRUPT, None)
    assert "排骨汤" in reading.text
    assert {line.image for line in reading.lines} == {1}


def test_huge_image_is_downscaled_before_reading() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (4000, 3000), "white").save(buf, format="PNG")
    loaded = load_image(buf.getvalue())
    assert loaded.image is not None
    assert loaded.image.width == 1080 and loaded.image.original_size == (4000, 3000)


def test_blank_image_has_no_text_and_no_problem(engine: object) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (720, 1280), "#EDEDED").save(buf, format="PNG")
    reading = read_image(buf.getvalue())
    assert reading.problem is None and reading.line_count == 0 and reading.qr_payloads == ()


def test_static_webp_is_read_like_any_screenshot() -> None:
    png = Image.open(FIXTURES / "zh_family.png")
    buf = io.BytesIO()
    png.convert("RGB").save(buf, format="WEBP", quality=90)
    loaded = load_image(buf.getvalue())
    assert loaded.problem is None and loaded.image is not None


# --- pure layout -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["14:32", "9:05 PM", "昨天 21:30", "Today 14:05", "MONDAY", "Delivered", "Read", "已读", "已讀",
     "20:15 ✓✓", "20:15√ √", "Message", "TextMessage", "输入消息", "星期三 上午10:02", "2024年3月5日"],
)
def test_chrome_texts(text: str) -> None:
    assert is_chrome(text)


@pytest.mark.parametrize("text", ["I read it", "Message me back", "已读不回是什么意思", "转账 2000", "Call me at 10"])
def test_message_texts_are_not_chrome(text: str) -> None:
    assert not is_chrome(text)


def test_tiles_overlap_and_own_each_line_once() -> None:
    image = LoadedImage(np.zeros((5000, 720, 3), dtype=np.uint8), (720, 5000))
    parts = tiles(image)
    assert parts[0].keep_from == 0 and parts[-1].keep_to == 5000
    for a, b in itertools.pairwise(parts):
        assert b.top < a.top + a.pixels.shape[0]  # overlap
        assert a.keep_to == b.keep_from  # each y belongs to exactly one tile
        assert a.pixels.shape[0] <= 1440


def test_layout_groups_wrapped_lines_into_bubbles() -> None:
    w, h = 720.0, 1280.0
    boxes = [
        Box("急事，能先借我三万块钱吗?明天一早", 122, 575, 561, 604, 0.99),
        Box("就还你", 119, 613, 209, 647, 0.99),
        Box("这么急?你怎么了", 388, 700, 598, 734, 0.99),
        Box("Read", 330, 715, 370, 734, 0.99),
    ]
    messages, title = layout(boxes, w, h)
    assert messages == [("急事，能先借我三万块钱吗?明天一早就还你", "other"), ("这么急?你怎么了", "user")]
    assert title == ""


def test_qr_decoder_on_a_plain_image_finds_nothing() -> None:
    assert decode_qr(np.full((200, 200, 3), 255, dtype=np.uint8)) == []


# --- how the bot will call it ----------------------------------------------------------------


def _as_jpeg(name: str) -> bytes:
    buf = io.BytesIO()
    Image.open(FIXTURES / name).convert("RGB").save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def test_a_telegram_style_jpeg_reads_the_same_phrases(engine: object) -> None:
    """Telegram recompresses photos as JPEG; the key phrases, and English word spaces, must survive that."""
    reading = read_image(_as_jpeg("zh_friend_loan.png"))
    assert "借我三万块钱" in reading.text and "视频通话开不了" in reading.text
    english = read_image(_as_jpeg("en_parcel_sms.png")).text
    assert "your parcel is being held at our depot" in english
    assert "Please pay within 24 hours" in english


def test_time_budget_reads_the_first_image_and_stops(engine: object) -> None:
    reading = read_images([_bytes("zh_family.png"), _bytes("album_1.png")], time_budget=0.0)
    assert reading.truncated
    assert reading.skipped == (None,)
    assert "排骨汤" in reading.text


def test_concurrent_reads_from_threads_agree(engine: object) -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = _bytes("en_whatsapp_benign.png")
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(read_image, [data, data])
    assert first.lines == second.lines
    assert "football on Saturday" in first.text
