"""Which language to answer a Telegram user in, from what Telegram tells us about them."""

from __future__ import annotations

from telegram import User

from bot.core.i18n import Language
from bot.core.regions import Region
from bot.core.text import detect_language


def language_from_telegram(code: str | None) -> Language:
    """Telegram's ``language_code`` (an IETF tag such as zh-hans, zh-TW, en-GB) to a reply language."""
    code = (code or "").lower()
    if code.startswith("zh"):
        return "zh-Hant" if any(tag in code for tag in ("hant", "tw", "hk", "mo")) else "zh-Hans"
    return "en"


def group_language(title: str | None, adder_code: str | None) -> Language:
    """A group's language before anyone has set it: its title's if Chinese, else the language of who added the bot.

    Many Chinese speakers run Telegram in English (it has no official Chinese), so the
    adder's ``language_code`` alone puts an English introduction into a family group
    called 相亲相爱一家人; the title is what the group itself wrote.
    """
    from_title = detect_language(title or "")
    return from_title if from_title != "en" else language_from_telegram(adder_code)


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
