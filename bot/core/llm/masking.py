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
# "jane dot doe at gmail dot com", "jane(at)gmail(dot)com", "jane [at] gmail [.] com": the ways people
# write an address so filters miss it; the domain must end in a dot and a word, so "meet at home" stays.
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+dot\s+|\.)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)\b[a-z0-9][\w+-]*(?:{_DOT}[\w+-]+)*{_AT}[a-z0-9][\w-]*(?:{_DOT}[a-z0-9][\w-]*)*{_DOT}[a-z]{{2,}}\b"
)
# IBANs, whole or in part: country, check digits, then groups of four ("GB82 WEST 1234 …" or just "GB82 WEST").
_IBAN = re.compile(r"(?<![0-9A-Za-z])[A-Z]{2}\d{2}(?:[ -]?[0-9A-Z]{4}){1,7}(?:[ -]?[0-9A-Z]{1,3})?(?![0-9A-Za-z])")
# National ID numbers: mainland China (18), Taiwan (letter + 9 digits), Hong Kong (A123456(7)),
# US SSN, UK National Insurance number.
_IDS = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|[A-Z][12]\d{8}|[A-Z]{1,2}\d{6}\s?\(?[0-9A]\)?|\d{3}-\d{2}-\d{4}|"
    r"[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D])(?![0-9A-Za-z])"
)
# Seven or more digits, possibly split by spaces, dashes, dots or brackets: phones, cards, accounts.
_DIGIT_RUN = re.compile(r"(?<!\d)\+?\(?\d(?:[ \-.()]{0,2}\d){6,}(?!\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE = re.compile(r"\d{1,2}-\d{1,2}-\d{2,4}")
# Separators people put between digit groups, folded to "-" before matching: dashes of every width and
# slashes (138–0013–8000, 138 / 0013 / 8000), then commas and the Chinese enumeration comma (138、0013、8000).
# A thousands-grouped amount (1,250 or $1,000,000.50) is kept as written, unless it is one group of a
# longer run (138 000,000).
_DASHES = re.compile(r"(?<=\d)\s?[-\u2010-\u2015\u2212\ufe58\ufe63\uff0d/]\s?(?=\d)")
_COMMAS = re.compile(
    r"(?<![\d,])(?<!\d[\s\-、，·・_])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])(?![\s\-、，·・_.]\d)"
    r"|(?<=\d)[,、，·・_](?=\d)"
)
# One-time codes are short, so only when named: "code 123456", "验证码：834920".
_CODE = re.compile(r"(?i)(\b(?:code|otp|pin|passcode)\b|验证码|驗證碼|动态码|動態碼)(\D{0,12}?)(?<!\d)(\d{4,8})(?!\d)")
# A card's security code: three or four digits after its name ("cvv 123", "安全码：123").
_CVV = re.compile(
    r"(?i)(\b(?:cvv2?|cvc2?|csc|cid|security code)\b|安全码|安全碼|卡背(?:面)?(?:的)?(?:三位|3位)?(?:数字|數字|码|碼)?)"
    r"(\D{0,12}?)(?<!\d)(\d{3,4})(?!\d)"
)
# Street addresses: a house number and a street name ending in a street word; in Chinese, a road
# name, a number and 号, optionally with building, unit and room.
_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|close|court|ct|place|pl|terrace|"
    r"crescent|square|sq|gardens|hill|row|walk|highway|hwy"
)
_ADDRESS_EN = re.compile(
    rf"\b(?:(?i:flat|apt|apartment|unit|room)\s+)?\d{{1,5}}[A-Za-z]?,?(?:\s+[A-Z][\w'’.-]*){{1,4}}?"
    rf"\s+(?i:{_STREET_WORDS})\b\.?"
)
_HAN_NAME = r"(?:(?![到在往寄住是的把给])[\u4e00-\u9fff]){1,6}"
_ADDRESS_ZH = re.compile(
    rf"(?:{_HAN_NAME}(?:省|市|区|區|县|縣|镇|鎮))*{_HAN_NAME}(?:路|街|道|巷|弄|里)\d{{1,5}}(?:号|號|弄)"
    r"(?:\d+[号號]?(?:楼|樓|栋|棟|座|单元|單元|层|層|室))*"
)


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
    if _ISO_DATE.fullmatch(run.strip()) or _DATE.fullmatch(run.strip()):
        return None
    digits = re.sub(r"\D", "", run)
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return "CARD"
    if len(digits) > 15:
        return "ACCOUNT"
    return "PHONE"


def _fold_separators(text: str) -> str:
    """Every separator between digit groups becomes "-", so one digit-run rule sees every way of writing it."""
    text = _DASHES.sub("-", text)
    return _COMMAS.sub(lambda m: m.group() if m.group()[0].isdigit() else "-", text)


def mask_personal_data(text: str) -> Masked:
    """Normalise ``text``; replace emails, IBANs, IDs, cards, accounts, phones, addresses and codes by placeholders."""
    counts: dict[str, int] = {}

    def substitute(kind: str | None, original: str) -> str:
        if kind is None:
            return original
        counts[kind] = counts.get(kind, 0) + 1
        return f"[{kind}]"

    masked = _fold_separators(normalise(text))
    masked = _EMAIL.sub(lambda m: substitute("EMAIL", m.group()), masked)
    masked = _OBFUSCATED_EMAIL.sub(lambda m: substitute("EMAIL", m.group()), masked)
    masked = _IBAN.sub(lambda m: substitute("IBAN", m.group()), masked)
    masked = _IDS.sub(lambda m: substitute("ID", m.group()), masked)
    masked = _ADDRESS_ZH.sub(lambda m: substitute("ADDRESS", m.group()), masked)
    masked = _ADDRESS_EN.sub(lambda m: substitute("ADDRESS", m.group()), masked)
    masked = _DIGIT_RUN.sub(lambda m: substitute(_classify_digits(m.group()), m.group()), masked)
    masked = _CVV.sub(lambda m: m.group(1) + m.group(2) + substitute("CVV", m.group(3)), masked)
    masked = _CODE.sub(lambda m: m.group(1) + m.group(2) + substitute("CODE", m.group(3)), masked)
    return Masked(masked, counts)
