"""Links in a message: finding them, naming their host, and repeating them harmlessly.

One place reads hosts out of URLs, and it never raises: a message is attacker-written,
and ``urllib.parse.urlsplit(...).hostname`` raises ``ValueError`` on text such as
``http://[::1`` or ``http://a]b.com``, which took whole batches of other people's
messages down with it. Here a URL is cut apart by hand, leniently, and the worst case is
a host that is odd-looking (which is itself a reason to be suspicious), not an exception.

Whatever the bot repeats of a message (a quoted red flag, a domain, a report shown to an
admin) goes through :func:`defang` first: Telegram turns ``evil.top``, ``https://…``,
``@handle`` and ``x@evil.top`` in the bot's own message into tappable links, and a
warning must never be the thing that takes someone to the scam.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.hosts import HostVerdict, judge_host

# Letters a host label may be written in: ASCII, Latin with accents, Greek, Cyrillic and
# Armenian (the scripts look-alike hosts are made of). Han and kana are left out so that
# "登录apple-id.top/x", written without spaces as Chinese is, yields the host apple-id.top.
_LABEL_CHARS = r"0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u052f\u0531-\u058f-"
_URL = re.compile(
    rf"(?:\b[a-z][a-z0-9+.-]{{1,15}}://|\bwww\.)[^\s<>\"'，。）)]+"
    rf"|(?<![{_LABEL_CHARS}.@])[{_LABEL_CHARS}]+(?:\.[{_LABEL_CHARS}]+)*\.[a-z\u0400-\u04ff]{{2,24}}/[^\s<>\"'，。）)]*",
    re.IGNORECASE,
)
MAX_LINKS = 3
"""Links looked at per message: enough for the verdict, bounded for a message made of links."""


@dataclass(frozen=True)
class Link:
    """A link as written in the message, its host, and what the host looks like."""

    text: str
    host: HostVerdict


def host_of(url: str) -> str:
    """The host of ``url`` as a person reads it: lower case, no scheme, user, port, ``www.`` or brackets.

    Total: any string gives a string (possibly empty), never an exception.
    """
    rest = url.strip()
    scheme_end = rest.find("://")
    if 0 < scheme_end <= 16:
        rest = rest[scheme_end + 3 :]
    rest = re.split(r"[/?#\\\s]", rest, maxsplit=1)[0]
    rest = rest.rpartition("@")[2]  # user:password@host
    if rest.startswith("["):  # IPv6 literal, closed or not
        host = rest[1:].partition("]")[0]
    else:
        host = rest.partition(":")[0] if rest.count(":") == 1 else rest
        host = host.strip("[]")
    return host.strip(".").lower().removeprefix("www.")


def find_links(text: str, limit: int = MAX_LINKS) -> list[Link]:
    """The first ``limit`` links in ``text``, each with its host judged (look-alike, IP literal, risky TLD)."""
    links: list[Link] = []
    for match in _URL.finditer(text):
        written = match.group().rstrip(".,;:!?")
        host = host_of(written)
        if host:
            links.append(Link(written, judge_host(host)))
        if len(links) >= limit:
            break
    return links


def without_links(text: str) -> str:
    """``text`` with every link blanked out (so a link's digits are not read as a phone number)."""
    return _URL.sub(" ", text)


# --- Defanging -----------------------------------------------------------------------------

_SCHEME = re.compile(r"\b(h)(?:tt|xx)(ps?)(?::|\[:\])//|\b([a-z][a-z0-9+.-]{1,15}):(?=//)", re.IGNORECASE)
# A dot between a word and a label starting with a letter (evil.top, xn--80ak6aa92e.com, аррle.com);
# tdlib also reads 。 ． ｡ as dots in links, but only between Latin labels (Chinese sentences end in 。).
_DOT_BEFORE_WORD = re.compile(r"(?<=[\w-])\.(?=[^\W\d_])")
_WIDE_DOT_BEFORE_LABEL = re.compile(r"(?<=[0-9A-Za-z-])[。．｡](?=[A-Za-z][A-Za-z0-9-])")
_IP_DOTS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_MENTION = re.compile(r"(?<!\w)[@＠](?=\w)")


def defang(text: str) -> str:
    """``text`` with every link, domain, e-mail address and @handle made unclickable, still readable.

    ``https://evil.top/x`` → ``hxxps://evil[.]top/x``; ``@helpdesk`` → ``[@]helpdesk``. Applied to
    user-derived text just before it is escaped into a message, never to what is matched.
    """
    if not text:
        return text
    text = _SCHEME.sub(_defang_scheme, text)
    text = _IP_DOTS.sub(lambda m: m.group().replace(".", "[.]"), text)
    text = _DOT_BEFORE_WORD.sub("[.]", text)
    text = _WIDE_DOT_BEFORE_LABEL.sub("[.]", text)
    return _MENTION.sub("[@]", text)


_DOMAIN = re.compile(r"(?<![\w.@-])(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]{1,23}(?![\w-])", re.IGNORECASE)


def defang_domains(text: str) -> str:
    """Curated text (a pattern's advice or summary) with only its links and domains made unclickable.

    Admins write advice such as "addresses like sf-express-redeliver.top are not the courier's
    site"; Telegram would turn that example scam domain into a link in the bot's own warning.
    Unlike :func:`defang` this leaves ordinary prose alone ("e.g.", "U.S."), because a domain
    needs a last label of two or more letters.
    """
    if not text:
        return text
    text = _SCHEME.sub(_defang_scheme, text)
    text = _IP_DOTS.sub(lambda m: m.group().replace(".", "[.]"), text)
    return _DOMAIN.sub(lambda m: m.group().replace(".", "[.]"), text)


def _defang_scheme(match: re.Match[str]) -> str:
    if match.group(1):
        return f"{match.group(1)}xx{match.group(2)}://"
    return f"{match.group(3)}[:]"
