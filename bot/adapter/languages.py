"""Which language to answer a Telegram user in, from what Telegram tells us about them."""

from __future__ import annotations

from telegram import User

from bot.core.i18n import Language


def language_from_telegram(code: str | None) -> Language:
    """Telegram's ``language_code`` (an IETF tag such as zh-hans, zh-TW, en-GB) to a reply language."""
    code = (code or "").lower()
    if code.startswith("zh"):
        return "zh-Hant" if any(tag in code for tag in ("hant", "tw", "hk", "mo")) else "zh-Hans"
    return "en"


def admin_language(user: User | None) -> Language:
    """Chinese (as written, Simplified) for admins whose Telegram speaks Chinese, English for everyone else."""
    return "zh-Hans" if user and (user.language_code or "").lower().startswith("zh") else "en"
