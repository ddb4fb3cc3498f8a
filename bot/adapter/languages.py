"""Which language to answer a Telegram user in, from what Telegram tells us about them."""

from __future__ import annotations

from telegram import User

from bot.core.i18n import Language
from bot.core.regions import Region


def language_from_telegram(code: str | None) -> Language:
    """Telegram's ``language_code`` (an IETF tag such as zh-hans, zh-TW, en-GB) to a reply language."""
    code = (code or "").lower()
    if code.startswith("zh"):
        return "zh-Hant" if any(tag in code for tag in ("hant", "tw", "hk", "mo")) else "zh-Hans"
    return "en"


def admin_language(user: User | None) -> Language:
    """Chinese (as written, Simplified) for admins whose Telegram speaks Chinese, English for everyone else."""
    return "zh-Hans" if user and (user.language_code or "").lower().startswith("zh") else "en"


_REGION_TAGS: tuple[tuple[str, Region], ...] = (
    ("hk", "hk"),
    ("mo", "hk"),
    ("tw", "tw"),
    ("sg", "sg"),
    ("gb", "uk"),
    ("uk", "uk"),
    ("us", "us"),
    ("cn", "cn"),
)


def region_from_telegram(code: str | None) -> Region | None:
    """The region in Telegram's ``language_code`` (zh-HK, en-GB, zh-hans …), when it names one.

    ``zh-hans`` stands for the mainland; a bare ``en`` or ``zh-hant`` says nothing about where.
    """
    parts = (code or "").lower().replace("_", "-").split("-")
    for part in parts[1:]:
        for subtag, region in _REGION_TAGS:
            if part == subtag:
                return region
    return "cn" if parts[0] == "zh" and "hans" in parts else None
