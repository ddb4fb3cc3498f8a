"""Screenshots to conversation text: offline OCR, phone chrome dropped, bubbles and sides kept.

People forward scams as screenshots of WeChat, LINE, WhatsApp or SMS chats, often several at once.
This module reads them with RapidOCR (PP-OCRv4 Chinese/English models inside the
``rapidocr-onnxruntime`` wheel, so nothing downloads) and turns the boxes into what the assessment
needs: the messages in reading order, without the status bar, clock, read receipts or input box, which
would only pollute retrieval.

Which text is assessed: ``ImageReading.text`` puts the other party's lines (left bubbles, and lines
whose side the layout does not show) first, in reading order, then the user's own (right bubbles).
The knowledge base is written in the scammer's voice and long texts are cut at
``MAX_ASSESSED_CHARS``, so the scam script must come first; the user's replies are still included
because they can carry red flags too ("I sent the code") and because a side guess can be wrong.

The OCR engine is loaded once per process and shared; calls are serialised by a lock (two cores gain
nothing from parallel OCR, and it would double the memory). Everything here is blocking: callers on an
event loop run :func:`read_images` in a thread.

Long because reading a screenshot is one algorithm in stages (boxes → lines → bubbles → sides, chrome
rules beside the layout they depend on) whose thresholds are tuned together and read side by side.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from bot.core.image_input import ImageProblem, Loaded, LoadedImage, load_image, tiles
from bot.core.qr import decode_qr

log = logging.getLogger(__name__)

Side = Literal["other", "user", "unknown"]

MIN_SCORE = 0.5
"""Recognition confidence below which a box is ignored (icons and avatars read as stray letters)."""


@dataclass(frozen=True)
class Box:
    """One recognised text box in image coordinates."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Line:
    """One message (a bubble's lines joined) with the side it came from and the image it was in."""

    text: str
    side: Side
    image: int = 0


@dataclass(frozen=True)
class ImageReading:
    """What a set of images (one photo or an album) says, ready for the assessment."""

    lines: tuple[Line, ...] = ()
    qr_payloads: tuple[str, ...] = ()
    problem: ImageProblem | None = None
    """Set only when no image of the set could be read; the reply words it."""
    skipped: tuple[ImageProblem | None, ...] = ()
    """Per image, in order: its problem, or None when it was read."""
    title: str = ""
    """The chat title of the first image (the contact's display name), when the layout shows one."""
    truncated: bool = False
    """True when a very long screenshot or the time budget stopped reading before the end."""
    seconds: float = 0.0

    @property
    def line_count(self) -> int:
        """Number of message lines read, for "I read 6 lines from your screenshot"."""
        return len(self.lines)

    @property
    def text(self) -> str:
        """The text to assess: the other party's (and unknown-side) lines first, then the user's."""
        ordered = [ln for ln in self.lines if ln.side != "user"] + [ln for ln in self.lines if ln.side == "user"]
        return "\n".join(ln.text for ln in ordered)

    @property
    def transcript(self) -> str:
        """Reading order with sides marked (``> `` for the user's own messages), for display or logs."""
        return "\n".join(("> " if ln.side == "user" else "") + ln.text for ln in self.lines)

    def assessment_text(self, caption: str = "") -> str:
        """Caption, OCR text and decoded QR payloads as one message, so everything goes through one assessment."""
        parts = [caption.strip(), self.text, *self.qr_payloads]
        return "\n".join(p for p in parts if p)


# --- the OCR engine ------------------------------------------------------------------------------

_engine: Any = None
_engine_lock = threading.Lock()
_call_lock = threading.Lock()


def ocr_engine(threads: int | None = None) -> Any:
    """The shared RapidOCR instance, created on first use (about 0.5 s; the models ship in the wheel).

    ``threads`` (onnxruntime intra-op threads; default: one per core) counts only on the first call.
    The bot can call this once at start-up, in a thread, so the first screenshot does not pay the load.
    """
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR  # heavy import, only when images are read

            kwargs: dict[str, Any] = {"print_verbose": False}
            if threads:
                kwargs.update(intra_op_num_threads=threads, inter_op_num_threads=1)
            _engine = RapidOCR(**kwargs)
            log.info("OCR engine loaded")
        return _engine


def recognise(rgb: np.ndarray) -> list[Box]:
    """Raw OCR boxes of one image or tile. Screenshots are upright, so the angle classifier is skipped."""
    engine = ocr_engine()
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    with _call_lock:
        result, _elapsed = engine(bgr, use_cls=False)
    boxes: list[Box] = []
    for points, text, score in result or ():
        if float(score) < MIN_SCORE or not str(text).strip():
            continue
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        boxes.append(Box(str(text).strip(), min(xs), min(ys), max(xs), max(ys), float(score)))
    return boxes


# --- chrome ------------------------------------------------------------------------------------

_TIME = r"(?:[01]?\d|2[0-3])[:：.][0-5]\d(?:\s*[AaPp]\.?[Mm]\.?)?"
_TIME_WORDS = (
    r"今天|昨天|前天|星期[一二三四五六日天]|週[一二三四五六日]|周[一二三四五六日]|禮拜[一二三四五六日天]|礼拜[一二三四五六日天]"
    r"|上午|下午|中午|晚上|凌晨|早上|傍晚|深夜|today|yesterday|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|am|pm"
    r"|年|月|日|号|號"
)
_TIMESTAMP = re.compile(rf"^(?:{_TIME_WORDS}|{_TIME}|\d{{1,4}}|[\s/,.\-:：])+$", re.IGNORECASE)
_RECEIPT = re.compile(
    r"^(?:(?:read|seen|delivered|sent|已读|已讀|未读|未讀|既読|已送达|已送達|送达|送達|已发送|已傳送)"
    r"\s*(?:" + _TIME + r")?"
    r"|[✓✔√v]{1,2}|" + _TIME + r"\s*[✓✔√vV]{1,2})$",
    re.IGNORECASE,
)
_PLACEHOLDERS = frozenset(
    re.sub(r"\s+", "", s).casefold()
    for s in (
        "Message", "Text Message", "iMessage", "Text message", "Type a message", "Write a message", "Aa",
        "Message…", "RCS Message", "SMS", "输入消息", "輸入訊息", "输入讯息", "發送訊息", "发送消息", "发消息",
        "消息", "訊息", "短信", "簡訊", "短信/彩信", "メッセージを入力", "按住 说话", "按住说话", "按住 說話",
    )
)
_STATUS = re.compile(r"^(?:[\dGLTEHl|Il.%\s:：+]|5G|4G|LTE|VoLTE|HD|Wi-?Fi)+$", re.IGNORECASE)


def is_chrome(text: str) -> bool:
    """True for phone and app furniture: clocks, dates, read receipts, input-box placeholders."""
    t = unicodedata.normalize("NFKC", text).strip()
    if not t:
        return True
    squeezed = re.sub(r"\s+", "", t)  # OCR often drops or adds spaces: "TextMessage", "√ √"
    if squeezed.casefold() in _PLACEHOLDERS or _RECEIPT.match(t) or _RECEIPT.match(squeezed):
        return True
    return bool(_TIMESTAMP.match(t))


def _is_status_text(text: str) -> bool:
    return bool(_STATUS.match(unicodedata.normalize("NFKC", text).strip())) or is_chrome(text)


# --- layout ------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


_URL_WITH_PATH = re.compile(r"(?:https?://|www\.|[\w-]+\.[a-z]{2,}/)\S*$", re.IGNORECASE)


def _join(a: str, b: str) -> str:
    """Join two wrapped lines: nothing between CJK characters or inside a wrapped URL, a space otherwise."""
    if not a:
        return b
    if _CJK.match(a[-1]) or _CJK.match(b[0]) or (_URL_WITH_PATH.search(a) and not b[0].isspace()):
        return a + b
    return a + " " + b


@dataclass
class _Row:
    boxes: list[Box] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(b.x0 for b in self.boxes)

    @property
    def x1(self) -> float:
        return max(b.x1 for b in self.boxes)

    @property
    def y0(self) -> float:
        return min(b.y0 for b in self.boxes)

    @property
    def y1(self) -> float:
        return max(b.y1 for b in self.boxes)

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def text(self) -> str:
        out = ""
        for b in sorted(self.boxes, key=lambda b: b.x0):
            out = _join(out, b.text)
        return out


def _rows(boxes: Sequence[Box], width: float) -> list[_Row]:
    """Boxes on the same line (vertical overlap, small horizontal gap) merged left to right, top to bottom."""
    rows: list[_Row] = []
    for box in sorted(boxes, key=lambda b: (b.yc, b.x0)):
        for row in rows[-3:]:
            overlap = min(row.y1, box.y1) - max(row.y0, box.y0)
            gap = max(box.x0 - row.x1, row.x0 - box.x1)
            if overlap > 0.5 * min(row.height, box.height) and gap < 0.06 * width:
                row.boxes.append(box)
                break
        else:
            rows.append(_Row([box]))
    return rows


def _sides(spans: Sequence[tuple[float, float]], width: float) -> list[Side]:
    """Left (other party) or right (user) for each bubble span ``(x0, x1)``.

    Chat apps align the other party's bubbles to one left edge and the user's to one right edge,
    so a bubble is on the side whose edge it shares; a bubble touching both (a long message) or
    neither is decided by its margins, and called "unknown" when they are about equal.
    """
    if not spans:
        return []
    left_edge, right_edge = min(x0 for x0, _ in spans), max(x1 for _, x1 in spans)
    tolerance = 0.03 * width
    sides: list[Side] = []
    for x0, x1 in spans:
        at_left, at_right = abs(x0 - left_edge) < tolerance, abs(x1 - right_edge) < tolerance
        if at_left != at_right:
            sides.append("other" if at_left else "user")
            continue
        left_margin, right_margin = x0 / width, (width - x1) / width
        if left_margin + 0.03 < right_margin:
            sides.append("other")
        elif right_margin + 0.03 < left_margin:
            sides.append("user")
        else:
            sides.append("unknown")
    return sides


def layout(boxes: Sequence[Box], width: float, height: float) -> tuple[list[tuple[str, Side]], str]:
    """Turn OCR boxes into messages ``(text, side)`` in reading order, plus the chat title if any.

    A full phone screen (taller than wide, with a status-bar clock at the very top) has its status
    bar and title bar cut off by position; everything else goes by content (:func:`is_chrome`). Rows
    are grouped into one bubble when they are close vertically and start at the same x.
    """
    title = ""
    kept = list(boxes)
    status_band, header_band = 0.08 * width, 0.24 * width
    has_status_bar = height > 1.3 * width and any(
        b.y1 < status_band and _is_status_text(b.text) and re.search(r"\d[:：]\d\d", b.text) for b in boxes
    )
    if has_status_bar:
        header = [b for b in kept if b.y1 < header_band and not _is_status_text(b.text)]
        if header:
            title = max(header, key=lambda b: b.height).text
        kept = [b for b in kept if b.yc > header_band]
    kept = [b for b in kept if not is_chrome(b.text)]
    rows = _rows(kept, width)
    texts: list[str] = []
    spans: list[tuple[float, float]] = []
    bubble: list[_Row] = []

    def flush() -> None:
        if not bubble:
            return
        text = ""
        for row in bubble:
            text = _join(text, row.text)
        texts.append(text)
        spans.append((min(r.x0 for r in bubble), max(r.x1 for r in bubble)))
        bubble.clear()

    for row in rows:
        if bubble:
            prev = bubble[-1]
            gap = row.y0 - prev.y1
            same_start = abs(row.x0 - bubble[0].x0) < 0.03 * width
            if not (same_start and gap < 0.45 * max(prev.height, row.height)):
                flush()
        bubble.append(row)
    flush()
    return list(zip(texts, _sides(spans, width), strict=True)), title


# --- reading images ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _OneImage:
    messages: list[tuple[str, Side]]
    qr: list[str]
    title: str
    truncated: bool


def _denoised(image: LoadedImage) -> LoadedImage:
    """JPEG/WebP pixels half-blended with their 3x3 median before OCR.

    Compression ringing between words makes the recogniser drop English spaces ("Verifyyourdetailsnow").
    Measured on the screenshot set recompressed as Telegram photos, character accuracy with spaces:
    English 96.4% raw, 99.3% with a full median, 97.8% with this half blend; Traditional Chinese 86.2%
    raw, 83.8% with the full median (dense strokes blur), 86.5% with the blend. The blend helps both.
    """
    if not image.lossy:
        return image
    import cv2

    rgb = np.ascontiguousarray(image.rgb)
    blended = cv2.addWeighted(rgb, 0.5, cv2.medianBlur(rgb, 3), 0.5, 0)
    return LoadedImage(blended, image.original_size, image.lossy)


def _read_loaded(image: LoadedImage, deadline: float | None) -> _OneImage:
    boxes: list[Box] = []
    truncated = False
    parts = tiles(_denoised(image))
    for i, tile in enumerate(parts):
        if deadline is not None and i > 0 and time.monotonic() > deadline:
            truncated = True
            break
        for b in recognise(tile.pixels):
            shifted = Box(b.text, b.x0, b.y0 + tile.top, b.x1, b.y1 + tile.top, b.score)
            if tile.keep_from <= shifted.yc < tile.keep_to:
                boxes.append(shifted)
    covered = parts[-1].top + parts[-1].pixels.shape[0] if parts else 0
    truncated = truncated or covered < image.height
    messages, title = layout(boxes, image.width, image.height)
    return _OneImage(messages, decode_qr(image.rgb), title, truncated)


def read_images(images: Sequence[bytes], *, time_budget: float | None = None) -> ImageReading:
    """Read one image or an album as ONE conversation. Never raises; problems come back typed.

    ``time_budget`` (seconds) bounds the work for busy groups: images or tiles not started in time
    are skipped and ``truncated`` is set. The first image is always read.
    """
    start = time.monotonic()
    deadline = start + time_budget if time_budget is not None else None
    lines: list[Line] = []
    qr: list[str] = []
    skipped: list[ImageProblem | None] = []
    title = ""
    truncated = False
    for index, data in enumerate(images):
        if deadline is not None and index > 0 and time.monotonic() > deadline:
            truncated = True
            break
        loaded: Loaded = load_image(data)
        if loaded.image is None:
            skipped.append(loaded.problem)
            continue
        try:
            one = _read_loaded(loaded.image, deadline)
        except Exception:  # the OCR runtime failing must not take the handler down
            log.exception("OCR failed on image %d", index)
            skipped.append(ImageProblem.OCR_FAILED)
            continue
        skipped.append(None)
        lines.extend(Line(text, side, index) for text, side in one.messages)
        qr.extend(p for p in one.qr if p not in qr)
        title = title or one.title
        truncated = truncated or one.truncated
    read_any = any(p is None for p in skipped)
    problem = None if read_any or not skipped else next(p for p in skipped if p is not None)
    return ImageReading(
        lines=tuple(lines),
        qr_payloads=tuple(qr),
        problem=problem,
        skipped=tuple(skipped),
        title=title,
        truncated=truncated,
        seconds=time.monotonic() - start,
    )


def read_image(data: bytes, *, time_budget: float | None = None) -> ImageReading:
    """One image: :func:`read_images` with a single element."""
    return read_images([data], time_budget=time_budget)
