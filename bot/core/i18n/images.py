"""What the bot says about pictures it was sent: what it read, and why it could not read one.

Written once in English and Simplified Chinese, like :mod:`.chat`; values must already be escaped.
"""

from __future__ import annotations

IMAGES: dict[str, dict[str, str]] = {
    "read_one": {
        "en": "I read {lines} lines from your screenshot.",
        "zh": "我从你的截图中读到{lines}行文字。",
    },
    "read_many": {
        "en": "I read {lines} lines from your {count} screenshots together.",
        "zh": "我把你的{count}张截图放在一起，读到{lines}行文字。",
    },
    "read_qr": {"en": "It holds a QR code; I checked its link too.", "zh": "图中有二维码，我也检查了它的链接。"},
    "read_truncated": {
        "en": "It is very long, so I read only the first part.",
        "zh": "图片很长，我只读了前面一部分。",
    },
    "read_skipped": {
        "en": "{skipped} of the {count} pictures could not be read.",
        "zh": "{count}张图片中有{skipped}张无法读取。",
    },
    "no_text_found": {
        "en": "I found no readable text in your picture.",
        "zh": "你的图片里没有我能读出的文字。",
    },
    "image_too_large": {
        "en": "This file is too large for me to read. Please send it as a photo (not as a file), or a "
        "screenshot of the part that matters.",
        "zh": "这个文件太大，我读不了。请以照片（而不是文件）的形式发送，或只截取关键部分。",
    },
    "image_too_many_pixels": {
        "en": "This picture is far too large for me to open safely, so I did not read it. Please send an "
        "ordinary screenshot instead.",
        "zh": "这张图片尺寸大得异常，为安全起见我没有打开它。请改发一张普通截图。",
    },
    "image_not_an_image": {
        "en": "This file is not a picture I can read (I read PNG, JPEG, WebP, GIF and BMP). Please send a "
        "screenshot, or paste the text.",
        "zh": "这个文件不是我能读取的图片（我能读 PNG、JPEG、WebP、GIF、BMP）。请发送截图，或直接粘贴文字。",
    },
    "image_corrupt": {
        "en": "This picture seems damaged or incomplete, so I could not read it. Please take the screenshot "
        "again and send it once more.",
        "zh": "这张图片似乎已损坏或不完整，我读不了。请重新截图后再发一次。",
    },
    "image_animated": {
        "en": "This is an animation, not a screenshot, so I did not read it. Please send a still "
        "screenshot of the message, or paste its text.",
        "zh": "这是动图，不是截图，所以我没有读取。请发送消息的静态截图，或直接粘贴文字。",
    },
    "image_ocr_failed": {
        "en": "Sorry, I could not read the text in this picture just now. Please try again, or paste the text.",
        "zh": "抱歉，我刚才没能读出这张图片里的文字。请再试一次，或直接粘贴文字。",
    },
    "sticker": {
        "en": "That is a sticker or a GIF, so there is nothing for me to check. To have a message checked, "
        "forward it, paste its text, or send a screenshot of it.",
        "zh": "这是贴纸或动图，我没有可检查的内容。想让我检查消息，请转发它、粘贴文字，或发送截图。",
    },
}
