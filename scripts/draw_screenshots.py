"""Draw phone chat screenshots for the OCR tests and the screenshot evaluation set.

Real screenshots forwarded to the bot cannot be committed (they are people's private chats), so the
test images are drawn: WeChat-, LINE-, WhatsApp- and SMS-like screens with a status bar, a title
bar, left (other party) and right (the user) bubbles, timestamps, read receipts and an input box, in
a CJK font (Debian's ``fonts-wqy-microhei``). The chrome is drawn on purpose: the reader must drop it.

    apt-get install -y fonts-wqy-microhei
    python scripts/draw_screenshots.py            # tests/fixtures/images and data/eval/screenshots

Everything is deterministic (no randomness, fixed clock texts), so re-running gives the same files.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import segno
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot_conversations import CONVERSATIONS, Conversation

ROOT = Path(__file__).resolve().parent.parent
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)
WIDTH = 720
MIN_HEIGHT = 1280
App = Literal["wechat", "line", "whatsapp", "sms"]


@dataclass(frozen=True)
class Style:
    """Colours and chrome texts of one messaging app, close enough to fool nobody but exercise the reader."""

    background: str
    header: str
    header_text: str
    left_bubble: str
    right_bubble: str
    left_text: str = "#111111"
    right_text: str = "#111111"
    avatars: bool = True
    bubble_time: bool = False
    receipt: str = ""
    placeholder: str = ""


STYLES: dict[App, Style] = {
    "wechat": Style("#EDEDED", "#EDEDED", "#111111", "#FFFFFF", "#95EC69"),
    "line": Style("#8CABD9", "#243447", "#FFFFFF", "#FFFFFF", "#8DE055"),
    "whatsapp": Style("#ECE5DD", "#075E54", "#FFFFFF", "#FFFFFF", "#DCF8C6", avatars=False, bubble_time=True),
    "sms": Style("#FFFFFF", "#F6F6F6", "#111111", "#E9E9EB", "#0B84FF", right_text="#FFFFFF", avatars=False),
}
PLACEHOLDERS: dict[tuple[App, str], str] = {
    ("wechat", "en"): "",
    ("wechat", "zh-Hans"): "",
    ("wechat", "zh-Hant"): "",
    ("line", "en"): "Aa",
    ("line", "zh-Hans"): "输入消息",
    ("line", "zh-Hant"): "輸入訊息",
    ("whatsapp", "en"): "Message",
    ("whatsapp", "zh-Hans"): "消息",
    ("whatsapp", "zh-Hant"): "訊息",
    ("sms", "en"): "Text Message",
    ("sms", "zh-Hans"): "短信",
    ("sms", "zh-Hant"): "簡訊",
}
RECEIPTS: dict[tuple[App, str], str] = {
    ("line", "en"): "Read",
    ("line", "zh-Hans"): "已读",
    ("line", "zh-Hant"): "已讀",
    ("sms", "en"): "Delivered",
    ("sms", "zh-Hans"): "已送达",
    ("sms", "zh-Hant"): "已送達",
}


def font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    raise SystemExit("CJK font missing: apt-get install -y fonts-wqy-microhei")


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f"


def wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width``: between CJK characters anywhere, Latin at spaces."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if _is_cjk(ch) or ch == " ":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    lines: list[str] = []
    line = ""
    for token in tokens:
        candidate = line + token
        if line and fnt.getlength(candidate) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
            while fnt.getlength(line) > width:  # a URL longer than a line breaks anywhere
                cut = max(1, next(i for i in range(len(line), 0, -1) if fnt.getlength(line[:i]) <= width))
                lines.append(line[:cut])
                line = line[cut:]
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _status_bar(draw: ImageDraw.ImageDraw, clock: str, dark: bool) -> None:
    colour = "#FFFFFF" if dark else "#111111"
    draw.text((34, 14), clock, font=font(26), fill=colour)
    for i in range(4):  # signal bars
        h = 8 + i * 5
        draw.rectangle((520 + i * 10, 38 - h, 526 + i * 10, 38), fill=colour)
    draw.text((566, 14), "5G", font=font(22), fill=colour)
    draw.rounded_rectangle((610, 16, 668, 40), radius=5, outline=colour, width=2)
    draw.rectangle((614, 20, 652, 36), fill=colour)
    draw.text((674, 16), "87", font=font(18), fill=colour)


def _avatar(draw: ImageDraw.ImageDraw, x: int, y: int, colour: str) -> None:
    draw.rounded_rectangle((x, y, x + 64, y + 64), radius=10, fill=colour)


def render(conv: Conversation, part: int = 0) -> Image.Image:
    """One screenshot of ``conv`` (``part`` picks the slice for albums)."""
    style = STYLES[conv.app]
    messages = conv.parts[part] if conv.parts else conv.messages
    body = font(28)
    small = font(20)
    rows: list[tuple[str, object]] = []  # ("time", text) or ("msg", (side, lines))
    for item in messages:
        if item[0] == "time":
            rows.append(("time", item[1]))
        else:
            rows.append(("msg", (item[0], wrap(item[1], body, 440))))
    line_h = 40
    content_h = 0
    for kind, value in rows:
        if kind == "time":
            content_h += 60
        else:
            _, lines = value  # type: ignore[misc]
            content_h += len(lines) * line_h + 28 + 26 + (22 if style.bubble_time else 0)
    top = 56 + 96
    bottom_bar = 110
    height = max(MIN_HEIGHT, top + content_h + 40 + bottom_bar)
    img = Image.new("RGB", (WIDTH, height), style.background)
    draw = ImageDraw.Draw(img)
    dark_header = style.header in ("#243447", "#075E54")
    draw.rectangle((0, 0, WIDTH, top), fill=style.header)
    _status_bar(draw, conv.clock, dark_header)
    title_font = font(32)
    title_w = draw.textlength(conv.title, font=title_font)
    draw.text(((WIDTH - title_w) / 2 if conv.app in ("wechat", "sms") else 90, 78), conv.title,
              font=title_font, fill=style.header_text)
    draw.text((24, 74), "<", font=font(36), fill=style.header_text)
    draw.text((WIDTH - 60, 70), "...", font=font(36), fill=style.header_text)
    y = top + 24
    receipt = RECEIPTS.get((conv.app, conv.lang), "")
    for kind, value in rows:
        if kind == "time":
            text = str(value)
            w = draw.textlength(text, font=small)
            if conv.app == "whatsapp":
                draw.rounded_rectangle(((WIDTH - w) / 2 - 14, y + 8, (WIDTH + w) / 2 + 14, y + 42), radius=8,
                                       fill="#E1F3FB")
            draw.text(((WIDTH - w) / 2, y + 12), text, font=small, fill="#888888")
            y += 60
            continue
        side, lines = value  # type: ignore[misc]
        text_w = max(draw.textlength(line, font=body) for line in lines)
        bubble_w = int(text_w) + 36
        bubble_h = len(lines) * line_h + 28 + (22 if style.bubble_time else 0)
        if side == "L":
            x0 = 104 if style.avatars else 20
            if style.avatars:
                _avatar(draw, 24, y, "#F2A65A")
            fill, colour = style.left_bubble, style.left_text
        else:
            x0 = WIDTH - (104 if style.avatars else 20) - bubble_w
            if style.avatars:
                _avatar(draw, WIDTH - 88, y, "#5B8DEF")
            fill, colour = style.right_bubble, style.right_text
        draw.rounded_rectangle((x0, y, x0 + bubble_w, y + bubble_h), radius=18, fill=fill)
        for i, line in enumerate(lines):
            draw.text((x0 + 18, y + 14 + i * line_h), line, font=body, fill=colour)
        if style.bubble_time:
            stamp = conv.clock + (" ✓✓" if side == "R" else "")
            draw.text((x0 + bubble_w - 16 - draw.textlength(stamp, font=font(18)), y + bubble_h - 30), stamp,
                      font=font(18), fill="#7A8C7A")
        if side == "R" and receipt and conv.app == "line":
            draw.text((x0 - 8 - draw.textlength(receipt, font=small), y + bubble_h - 50), receipt, font=small,
                      fill="#EEEEEE")
            draw.text((x0 - 8 - draw.textlength(conv.clock, font=small), y + bubble_h - 26), conv.clock,
                      font=small, fill="#EEEEEE")
        y += bubble_h + 26
    if receipt and conv.app == "sms" and rows and rows[-1][0] == "msg" and rows[-1][1][0] == "R":  # type: ignore[index]
        w = draw.textlength(receipt, font=small)
        draw.text((WIDTH - 24 - w, y - 22), receipt, font=small, fill="#8E8E93")
    # Input box and navigation bar.
    bar_top = height - bottom_bar
    draw.rectangle((0, bar_top, WIDTH, height), fill="#F7F7F7")
    draw.rounded_rectangle((80, bar_top + 18, WIDTH - 110, bar_top + 74), radius=12, fill="#FFFFFF",
                           outline="#DDDDDD")
    placeholder = PLACEHOLDERS[(conv.app, conv.lang)]
    if placeholder:
        draw.text((100, bar_top + 30), placeholder, font=font(26), fill="#AAAAAA")
    draw.ellipse((24, bar_top + 26, 64, bar_top + 66), outline="#555555", width=3)
    draw.ellipse((WIDTH - 94, bar_top + 26, WIDTH - 54, bar_top + 66), outline="#555555", width=3)
    draw.text((WIDTH - 44, bar_top + 26), "+", font=font(36), fill="#555555")
    draw.rounded_rectangle((WIDTH / 2 - 70, height - 16, WIDTH / 2 + 70, height - 10), radius=3, fill="#222222")
    return img


def save_png(img: Image.Image, path: Path) -> None:
    """Save with a 64-colour palette: screenshots are flat colours, so files stay a few tens of KB."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def ground_truth(conv: Conversation, part: int | None = None) -> str:
    """The bubbles as drawn, one per line, other party and user alike (no chrome, no timestamps)."""
    parts = conv.parts or [conv.messages]
    chosen = parts if part is None else [parts[part]]
    return "\n".join(text for msgs in chosen for side, text in msgs if side != "time")


def qr_poster(url: str, headline: str, sub: str) -> Image.Image:
    """A 'scan to claim' poster: a headline, a QR code and a small line, as phishing posters look."""
    img = Image.new("RGB", (720, 900), "#FFFFFF")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 720, 140), fill="#C8102E")
    w = draw.textlength(headline, font=font(44))
    draw.text(((720 - w) / 2, 44), headline, font=font(44), fill="#FFFFFF")
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=10, border=4)
    code = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    img.paste(code, ((720 - code.width) // 2, 190))
    w = draw.textlength(sub, font=font(30))
    draw.text(((720 - w) / 2, 190 + code.height + 30), sub, font=font(30), fill="#333333")
    return img


def image_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` pixels (3.6 gigapixels) in a file of a few hundred bytes.

    The pixel data is the start of a zlib stream of zeros, cut short: enough for a decoder to start
    allocating, far too little to be a real picture. The reader must refuse it from the header alone.
    """
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    comp = zlib.compressobj(9)
    idat = comp.compress(b"\x00" * 1_000_000) + comp.flush(zlib.Z_SYNC_FLUSH)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def animated_sticker() -> bytes:
    """A two-frame animated WebP of 512x512, like a Telegram video sticker's still cousin."""
    frames = []
    for colour in ("#FFCC00", "#FF6600"):
        frame = Image.new("RGB", (512, 512), colour)
        ImageDraw.Draw(frame).text((140, 220), "HAHA", font=font(80), fill="#000000")
        frames.append(frame)
    buf = io.BytesIO()
    frames[0].save(buf, format="WEBP", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return buf.getvalue()


def _by_id(conv_id: str) -> Conversation:
    return next(c for c in CONVERSATIONS if c.id == conv_id)


def draw_fixtures(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for conv_id in ("fx_zh_friend_loan", "fx_en_parcel_sms", "fx_zh_family", "fx_en_whatsapp_benign"):
        conv = _by_id(conv_id)
        save_png(render(conv), out / f"{conv_id.removeprefix('fx_')}.png")
    album = _by_id("fx_album")
    for i in range(len(album.parts)):
        save_png(render(album, i), out / f"album_{i + 1}.png")
    save_png(render(_by_id("fx_long")), out / "long_screenshot.png")
    save_png(qr_poster("https://etc-refund-gov.top/claim?id=88", "ETC 退费通知", "扫码领取高速通行费退款"),
             out / "qr_phishing.png")
    good = (out / "zh_family.png").read_bytes()
    (out / "corrupt.png").write_bytes(good[: len(good) // 3])  # truncated mid-IDAT
    (out / "bomb.png").write_bytes(image_bomb())
    (out / "not_an_image.jpg").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
    (out / "sticker.webp").write_bytes(animated_sticker())
    drawn = {"zh_friend_loan": "fx_zh_friend_loan", "en_parcel_sms": "fx_en_parcel_sms", "zh_family": "fx_zh_family",
             "long_screenshot": "fx_long"}
    truth = {name: ground_truth(_by_id(cid)) for name, cid in drawn.items()}
    (out / "ground_truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def draw_eval(out: Path, conversations: Sequence[Conversation]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for conv in conversations:
        if conv.id.startswith("fx_"):
            continue
        names = []
        for part in range(max(1, len(conv.parts))):
            name = f"{conv.id}.png" if not conv.parts else f"{conv.id}_{part + 1}.png"
            save_png(render(conv, part), out / name)
            names.append(name)
        rows.append({"id": conv.id, "images": names, "text": ground_truth(conv), "label": conv.label,
                     "lang": conv.lang, "kind": conv.kind, "app": conv.app})
    with (out / "labels.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT / "tests" / "fixtures" / "images")
    parser.add_argument("--eval", type=Path, default=ROOT / "data" / "eval" / "screenshots")
    parser.add_argument("--only", default="", help="draw one conversation id to this path (a preview)")
    args = parser.parse_args(argv)
    if args.only:
        save_png(render(_by_id(args.only)), Path(f"/tmp/{args.only}.png"))
        print(f"/tmp/{args.only}.png")
        return
    draw_fixtures(args.fixtures)
    count = draw_eval(args.eval, CONVERSATIONS)
    print(f"fixtures in {args.fixtures}, {count} evaluation screenshots sets in {args.eval}")


if __name__ == "__main__":
    main()
