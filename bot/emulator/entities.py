"""Message text formatting as the Bot API server does it.

Two jobs, both about turning a string into ``(text, entities)``:

* :func:`parse_html` parses ``parse_mode=HTML`` the way Telegram's server (tdlib's
  ``parse_html``) does, including its exact error messages.  Bots most often break in
  production on markup that a naive test double would accept (an unescaped ``<``, a ``<br>``,
  an unclosed ``<b>``), so the emulator must reject exactly what Telegram rejects.
* :func:`detect_entities` finds what Telegram highlights on its own (bot commands, mentions,
  hashtags, links) so that incoming user messages carry the ``entities`` that PTB's
  ``CommandHandler`` and ``filters.Entity`` depend on.

Long because tdlib's HTML rules are many and each needs its exact error text; split, the
parser's state would have to travel between modules.

All offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
import string
from typing import Any

__all__ = [
    "EntityParseError",
    "detect_entities",
    "finalize_text",
    "parse_html",
    "utf16_len",
]

# tdlib's MessageEntity::get_type_priority: ties in (offset, length) are ordered by it.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_SUPPORTED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins"}
    | {"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote"}
)
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only with class="tg-spoiler", checked at the start tag
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\f\0"
_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)


class EntityParseError(ValueError):
    """Markup Telegram would refuse; ``str(exc)`` is the text after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of every Bot API offset and length."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(html: str, index: int) -> int:
    return len(html[:index].encode("utf-8", "surrogatepass"))


def _decode_html_entity(html: str, pos: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``pos`` like tdlib: unknown entities stay literal text (no error)."""
    n = len(html)
    end = pos + 1
    code = 0
    if end < n and html[end] == "#":
        end += 1
        if end < n and html[end] == "x":
            end += 1
            while end < n and html[end] in string.hexdigits:
                code = code * 16 + int(html[end], 16)
                end += 1
        else:
            while end < n and html[end] in string.digits:
                code = code * 10 + int(html[end])
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while end < n and html[end] in string.ascii_letters:
            end += 1
        named = _NAMED_ENTITIES.get(html[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and html[end] == ";":
        end += 1
    return char, end


def _checked_link(url: str) -> str | None:
    """Rough stand-in for tdlib's LinkManager::get_checked_link: normalise or refuse a URL."""
    if not url or any(ch.isspace() for ch in url):
        return None
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://(.*)$", url)
    if match:
        scheme, rest = match.group(1).lower(), match.group(2)
        if scheme not in {"http", "https", "tg", "ton", "ftp"} or not rest:
            return None
    else:
        scheme, rest = "http", url
    if scheme in {"http", "https", "ftp"}:
        host = re.split(r"[/?#]", rest, maxsplit=1)[0]
        if "." not in host or host.startswith(".") or host.endswith("."):
            return None
        if rest == host:
            rest += "/"
    return f"{scheme}://{rest}"


def parse_html(
    html: str,
    users: dict[int, dict[str, Any]] | None = None,
    *,
    strict_ampersand: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into plain text and Bot API ``MessageEntity`` dicts.

    ``users`` lets ``<a href="tg://user?id=N">`` become a ``text_mention`` for known users.
    Raises :class:`EntityParseError` with tdlib's wording and byte offsets.  Telegram keeps
    an ``&`` that starts no known entity as text; ``strict_ampersand`` refuses it instead,
    to catch text that skipped ``html.escape`` before a ``<`` in it breaks production.
    """
    n = len(html)

    def at(index: int) -> str:
        return html[index] if index < n else "\0"

    out: list[str] = []
    utf16 = 0
    entities: list[dict[str, Any]] = []
    # Open tags: (tag name, argument, utf16 offset, index into `out` where the content starts).
    nested: list[tuple[str, str, int, int]] = []
    i = 0
    while i < n:
        c = html[i]
        if c == "&":
            decoded = _decode_html_entity(html, i)
            if decoded is not None:
                char, i = decoded
                if 0xD800 <= ord(char) <= 0xDFFF:
                    raise EntityParseError(
                        "Text contains invalid Unicode characters after decoding HTML entities, "
                        "check for unmatched surrogate code units"
                    )
                out.append(char)
                utf16 += utf16_len(char)
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Unescaped "&" at byte offset {_byte_offset(html, i)} (emulator strict_ampersand check)'
                )
        if c != "<":
            out.append(c)
            utf16 += utf16_len(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in _SPACES and at(i) != ">":
                i += 1
            if at(i) == "\0":
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(html, begin)}")
            tag = html[begin + 1 : i].lower()
            if tag not in _SUPPORTED_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(html, begin)}')
            argument = ""
            while at(i) != ">":
                while at(i) != "\0" and at(i) in _SPACES:
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while at(i) not in _SPACES and at(i) not in "=>":
                    i += 1
                attr_name = html[attr_begin:i]
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(html, begin)}'
                    )
                while at(i) != "\0" and at(i) in _SPACES:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr_name == "expandable":
                        argument = "expandable"
                        continue
                    raise EntityParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {_byte_offset(html, begin)}'
                    )
                i += 1
                while at(i) != "\0" and at(i) in _SPACES:
                    i += 1
                if at(i) == "\0":
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(html, begin)}')
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i) in _ASCII_ALNUM or at(i) in ".-":
                        i += 1
                    value = html[token_begin:i].lower()
                    if at(i) not in _SPACES and at(i) != ">":
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {_byte_offset(html, token_begin)}"
                        )
                else:
                    quote = html[i]
                    i += 1
                    chars: list[str] = []
                    while at(i) != quote and at(i) != "\0":
                        if html[i] == "&":
                            decoded = _decode_html_entity(html, i)
                            if decoded is not None:
                                chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        chars.append(html[i])
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if at(i) == "\0":
                    raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(html, begin)}")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(html, begin)}'
                )
            nested.append((tag, argument, utf16, len(out)))
            i += 1
            continue

        # End tag.
        if not nested:
            raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(html, begin)}")
        while at(i) not in _SPACES and at(i) != ">":
            i += 1
        end_tag = html[begin + 2 : i].lower()
        while at(i) != "\0" and at(i) in _SPACES:
            i += 1
        if at(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(html, begin)}")
        tag, argument, start, out_start = nested.pop()
        if end_tag and end_tag != tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {_byte_offset(html, begin)}, expected "</{tag}>", '
                f'found "</{end_tag}>"'
            )
        i += 1
        if utf16 > start:
            entity = _entity_for_tag(tag, argument, start, utf16 - start, "".join(out[out_start:]), entities, users)
            if entity is not None:
                entities.append(entity)
    if nested:
        raise EntityParseError(f"Can't find end tag corresponding to start tag {nested[-1][0]}")
    return "".join(out), sort_entities(entities)


def _entity_for_tag(
    tag: str,
    argument: str,
    offset: int,
    length: int,
    inner_text: str,
    previous: list[dict[str, Any]],
    users: dict[int, dict[str, Any]] | None,
) -> dict[str, Any] | None:
    """Build the entity a closed tag produces (``pre`` + ``code`` merge like in tdlib)."""
    base: dict[str, Any] = {"offset": offset, "length": length}
    if tag in _SIMPLE_TAGS:
        return {"type": _SIMPLE_TAGS[tag], **base}
    if tag == "blockquote":
        return {"type": "expandable_blockquote" if argument else "blockquote", **base}
    if tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", **base, "custom_emoji_id": argument}
    if tag == "a":
        url = argument or inner_text
        user_match = re.fullmatch(r"tg://user\?id=(\d+)", url.strip())
        if user_match and users and int(user_match.group(1)) in users:
            return {"type": "text_mention", **base, "user": dict(users[int(user_match.group(1))])}
        checked = _checked_link(url)
        return {"type": "text_link", **base, "url": checked} if checked else None
    last = previous[-1] if previous else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if tag == "pre":
        if same_span and last is not None and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
            return None
        return {"type": "pre", **base}
    if tag == "code":
        if same_span and last is not None and last["type"] == "pre" and argument:
            last["language"] = argument
            return None
        return {"type": "code", **base, **({"language": argument} if argument else {})}
    raise AssertionError(f"unhandled tag {tag}")  # pragma: no cover - guarded by _SUPPORTED_TAGS


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order entities like Telegram: by offset, longer first, then by type priority."""
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a lone <code class="language-x"> keeps no language
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))


# Auto-detected entities.  Patterns follow tdlib's match_bot_commands / match_mentions /
# match_hashtags, simplified to ASCII word characters where tdlib uses Unicode categories.
_BOT_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_MENTION = re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?!\w)")
_HASHTAG = re.compile(r"(?<![\w#])#(?=\w*[^\W\d_])\w{1,256}(?![\w#])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w@])")
_URL = re.compile(
    r"(?<![\w@/.])(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d{1,5})?(?:/[^\s<>\"]*)?",
)
# Without a scheme Telegram links only known top-level domains; any two-letter country code
# plus the common generic ones is a close enough stand-in for its full IANA list.
_GENERIC_TLDS = frozenset(
    {"com", "org", "net", "info", "biz", "edu", "gov", "mil", "int", "app", "dev", "io", "ai", "me"}
    | {"tv", "cc", "xyz", "online", "site", "shop", "store", "top", "club", "live", "pro", "news"}
    | {"blog", "tech", "link", "click", "space", "website", "world", "today", "email", "cloud"}
    | {"vip", "win", "bet", "money", "finance", "bank", "crypto"}
)
_EXCLUSIVE = {"code", "pre", "text_link", "text_mention", "url", "email", "bot_command", "mention", "hashtag"}


def detect_entities(text: str, existing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Entities Telegram adds by itself; spans overlapping code/links/earlier finds are skipped."""
    taken: list[tuple[int, int]] = [
        (e["offset"], e["offset"] + e["length"]) for e in (existing or []) if e["type"] in _EXCLUSIVE
    ]
    found: list[dict[str, Any]] = []
    for kind, pattern in (
        ("bot_command", _BOT_COMMAND),
        ("email", _EMAIL),
        ("url", _URL),
        ("mention", _MENTION),
        ("hashtag", _HASHTAG),
    ):
        for match in pattern.finditer(text):
            value = match.group(0).rstrip(".,;:!?)")
            if kind == "url" and not _plausible_url(value):
                continue
            offset = utf16_len(text[: match.start()])
            end = offset + utf16_len(value)
            if any(offset < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((offset, end))
            found.append({"type": kind, "offset": offset, "length": end - offset})
    return sort_entities(list(existing or []) + found)


def _plausible_url(value: str) -> bool:
    if "://" in value:
        return True
    host = re.split(r"[/?#:]", value, maxsplit=1)[0]
    tld = host.rsplit(".", 1)[-1].lower()
    return len(tld) == 2 or tld in _GENERIC_TLDS


def finalize_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does and shift/clip entities to match."""
    stripped_left = text.lstrip()
    cut = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    limit = utf16_len(result)
    fixed: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - cut, 0)
        end = min(entity["offset"] + entity["length"] - cut, limit)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return result, fixed
