"""Personal data is masked before any text leaves the machine.

A forwarded scam often carries the *recipient's* data (a card number they were asked
to confirm, their ID number, their email) or a third party's phone number. None of it
helps a model judge the message, so it is replaced by typed placeholders (``[PHONE]``,
``[CARD]``…) that keep the shape of the message ("call [PHONE] now") readable.

Masking runs on normalised text (NFKC, no invisible characters), so full-width digits
and zero-width spaces inside a number cannot smuggle it past the patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.text import normalise

_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# National ID numbers: mainland China (18), Taiwan (letter + 9 digits), Hong Kong (A123456(7)),
# US SSN, UK National Insurance number.
_IDS = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|[A-Z][12]\d{8}|[A-Z]{1,2}\d{6}\s?\(?[0-9A]\)?|\d{3}-\d{2}-\d{4}|"
    r"[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D])(?![0-9A-Za-z])"
)
# Seven or more digits, possibly split by spaces, dashes, dots or brackets: phones, cards, accounts.
_DIGIT_RUN = re.compile(r"(?<!\d)\+?\(?\d(?:[ \-.()]{0,2}\d){6,}(?!\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# One-time codes are short, so only when named: "code 123456", "验证码：834920".
_CODE = re.compile(r"(?i)(\b(?:code|otp|pin|passcode)\b|验证码|驗證碼|动态码|動態碼)(\D{0,12}?)(?<!\d)(\d{4,8})(?!\d)")


@dataclass(frozen=True)
class Masked:
    """Text safe to send, and how many items of each kind were hidden (for logs, never the items)."""

    text: str
    counts: dict[str, int]


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _classify_digits(run: str) -> str | None:
    """Placeholder kind for a digit run, or None to keep it (an ISO date is not personal data)."""
    if _ISO_DATE.fullmatch(run.strip()):
        return None
    digits = re.sub(r"\D", "", run)
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return "CARD"
    if len(digits) > 15:
        return "ACCOUNT"
    return "PHONE"


def mask_personal_data(text: str) -> Masked:
    """Normalise ``text`` and replace emails, ID, card, account, phone numbers and named codes by placeholders."""
    counts: dict[str, int] = {}

    def substitute(kind: str | None, original: str) -> str:
        if kind is None:
            return original
        counts[kind] = counts.get(kind, 0) + 1
        return f"[{kind}]"

    masked = normalise(text)
    masked = _EMAIL.sub(lambda m: substitute("EMAIL", m.group()), masked)
    masked = _IDS.sub(lambda m: substitute("ID", m.group()), masked)
    masked = _DIGIT_RUN.sub(lambda m: substitute(_classify_digits(m.group()), m.group()), masked)
    masked = _CODE.sub(lambda m: m.group(1) + m.group(2) + substitute("CODE", m.group(3)), masked)
    return Masked(masked, counts)
