"""Links a Telegram message carries where its visible text does not show them.

A forwarded scam often says "Track your parcel" with the phishing URL behind the words (a
``text_link`` entity), or puts it on a URL button under the message, or in a photo caption's
entities. Reading only the visible text misses all of these. They are collected here, the
Telegram-specific part, and handed to the core as plain link strings that it assesses like any
link in a message. Telegram deep links (``tg://resolve?domain=…``) are rewritten to the ``t.me``
address a person would recognise.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

from telegram import Message, MessageEntity

log = logging.getLogger(__name__)

MAX_HIDDEN_LINKS = 5
"""Per message: enough to catch the scam link, bounded for a message made of buttons."""


def readable_link(url: str) -> str:
    """``url`` as a person would read it: ``tg://resolve?domain=x`` → ``https://t.me/x``; others unchanged."""
    url = url.strip()
    scheme, _, rest = url.partition("://")
    if scheme.lower() != "tg":
        return url
    action, _, query = rest.partition("?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    if action.lower() == "resolve" and params.get("domain"):
        domain = params.pop("domain")
        extra = f"?{urlencode(params)}" if params else ""
        return f"https://t.me/{domain}{extra}"
    if action.lower() == "join" and params.get("invite"):
        return f"https://t.me/+{params['invite']}"
    return url


def _bare(url: str) -> str:
    return url.strip().lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/")


def hidden_links(message: Message) -> list[str]:
    """Links behind other words (text and caption entities) and on URL buttons, in order, without repeats.

    A ``text_link`` whose visible words are the URL itself is left out: the visible text is read anyway.
    """
    found: list[str] = []

    def add(url: str | None) -> None:
        if url and len(found) < MAX_HIDDEN_LINKS:
            link = readable_link(url)
            if link not in found:
                found.append(link)

    sources = (
        (message.entities, message.parse_entity if message.text else None),
        (message.caption_entities, message.parse_caption_entity if message.caption else None),
    )
    for entities, visible_of in sources:
        for entity in entities or ():
            if entity.type != MessageEntity.TEXT_LINK or not entity.url:
                continue
            try:
                visible = visible_of(entity) if visible_of else ""
            except (IndexError, RuntimeError):  # offsets outside the text: read the link anyway
                visible = ""
            if _bare(visible) != _bare(entity.url):
                add(entity.url)
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            add(button.url)
            add(button.login_url.url if button.login_url else None)
    if found:
        log.debug("message %s carries %d hidden links", message.message_id, len(found))
    return found
