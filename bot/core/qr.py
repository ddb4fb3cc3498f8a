"""QR codes in images: the payloads (usually URLs) that a poster or a 'payment' screenshot hides.

QR phishing works because people cannot read the link before scanning. Decoding it lets the link
be assessed like any other (domain shown, look-alike checks). OpenCV's detector comes with the OCR's
dependencies; a fresh detector per call keeps this thread-safe (it is cheap next to OCR).
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

log = logging.getLogger(__name__)

MAX_PAYLOAD_CHARS = 2000
"""A QR payload longer than this is cut: nothing legitimate a chat needs is longer, and replies quote it."""


def decode_qr(rgb: np.ndarray) -> list[str]:
    """Every QR payload found in ``rgb`` (H x W x 3, RGB), de-duplicated, in detection order; [] on failure."""
    try:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        found, payloads, _points, _straight = cv2.QRCodeDetector().detectAndDecodeMulti(gray)
    except cv2.error as exc:
        log.info("QR detection failed: %s", exc)
        return []
    if not found:
        return []
    out: list[str] = []
    for payload in payloads:
        text = payload.strip()[:MAX_PAYLOAD_CHARS]
        if text and text not in out:
            out.append(text)
    return out
