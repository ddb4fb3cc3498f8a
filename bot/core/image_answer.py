"""Screenshots into the one assessment path, and the words around the answer.

A screenshot is normalised to text (:mod:`bot.core.screenshot`) and then assessed exactly like a
typed message; what differs is only what the user is told about the reading: how much was read
("I read 6 lines from your screenshot"), that a QR code's link was checked, that a very long image
was read only in part, or, when nothing could be read, why, politely. The CLI and the Telegram side
both word it here, so they say the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.i18n import Language, text
from bot.core.image_input import ImageProblem
from bot.core.screenshot import ImageReading

PROBLEM_KEYS: dict[ImageProblem, str] = {
    ImageProblem.TOO_LARGE: "image_too_large",
    ImageProblem.TOO_MANY_PIXELS: "image_too_many_pixels",
    ImageProblem.NOT_AN_IMAGE: "image_not_an_image",
    ImageProblem.CORRUPT: "image_corrupt",
    ImageProblem.ANIMATED: "image_animated",
    ImageProblem.OCR_FAILED: "image_ocr_failed",
}


def words_to_assess(reading: ImageReading, texts: Sequence[str] = (), links: Sequence[str] = ()) -> str:
    """One message: the typed texts and captions, the screenshots' text, QR links, then extra (hidden) links.

    Links found outside the visible text (a QR code, a link behind other words, a URL button) are
    added as plain lines so the assessment reads them as it reads any link in a message.
    """
    caption = "\n".join(t.strip() for t in texts if t and t.strip())
    parts = [reading.assessment_text(caption), *(link for link in links if link not in reading.qr_payloads)]
    return "\n".join(p for p in parts if p)


def has_words(reading: ImageReading) -> bool:
    """True when the images gave anything to assess (a message line or a QR payload)."""
    return bool(reading.lines or reading.qr_payloads)


def problem_text(problem: ImageProblem, language: Language) -> str:
    """The polite answer for an image that could not be read at all."""
    return text(PROBLEM_KEYS[problem], language)


def reading_note(reading: ImageReading, language: Language) -> str:
    """What was read, in one or two short sentences (HTML-safe: numbers and fixed words only)."""
    count = len(reading.skipped)
    sentences: list[str] = []
    if reading.problem is not None:  # nothing read: the answer that follows is about the other text
        sentences.append(problem_text(reading.problem, language))
    if reading.lines:
        key = "read_one" if count <= 1 else "read_many"
        sentences.append(text(key, language, lines=reading.line_count, count=count))
    if reading.qr_payloads:
        sentences.append(text("read_qr", language))
    if reading.truncated:
        sentences.append(text("read_truncated", language))
    skipped = sum(1 for problem in reading.skipped if problem is not None)
    if skipped and reading.problem is None:
        sentences.append(text("read_skipped", language, skipped=skipped, count=count))
    separator = " " if language == "en" else ""
    return separator.join(sentences)


def with_note(note: str, body: str) -> str:
    """``body`` (an answer in Telegram HTML) with the reading note above it, in italics."""
    return f"<i>{note}</i>\n\n{body}" if note else body
