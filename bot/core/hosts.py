"""What a link's host looks like: its punycode form, whether it imitates a brand, whether it is an IP.

A scam link rarely says "scam": it says ``аррle.com`` in Cyrillic letters, or
``xn--80ak6aa92e.com``, or a bare IP address, or ``royalmail-redeliver.top``. Each host is
shown to the user in its ASCII (punycode) form, the form a browser's address bar would
reveal, together with the brand it imitates, and judged suspicious.

IDNA is the ``idna`` package's (UTS #46); which characters look alike is Unicode's
confusables data as shipped by ``confusable-homoglyphs``, and mixed scripts are judged
by its script table. Only the list of brands worth imitating is ours. Every function
here is total: a host is attacker-written text and must never raise.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

import idna
from confusable_homoglyphs import categories, confusables

_RISKY_TLDS = frozenset(
    "top xyz vip cc icu club shop online site live buzz click link work loan win bid monster cyou rest fit "
    "mom lol tk ml ga cf gq pw".split()
)
_SHORTENERS = frozenset("bit.ly tinyurl.com t.co goo.gl is.gd cutt.ly rb.gy s.id t.ly shorturl.at".split())
_BRAND_WORDS = ("bank", "pay", "post", "express", "delivery", "tax", "refund", "gov", "apple", "wechat", "verify")
BRANDS = (
    "apple.com icloud.com paypal.com google.com gmail.com microsoft.com outlook.com amazon.com netflix.com "
    "facebook.com instagram.com whatsapp.com telegram.org wechat.com alipay.com taobao.com hsbc.com "
    "barclays.co.uk lloyds.com natwest.com santander.com revolut.com monzo.com hmrc.gov.uk royalmail.com "
    "dhl.com fedex.com usps.com evri.com sf-express.com hongkongpost.hk binance.com coinbase.com icbc.com.cn "
    "boc.cn ccb.com cmbchina.com"
).split()
"""Domains scammers imitate most in our knowledge base's scripts; the brand is the first label."""
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){0,3}")
"""Browsers read 3232235777, 0x7f.1 and 0177.0.0.1 as IPv4 addresses: all are IP literals."""
_WELL_FORMED = re.compile(r"[\w-]+(?:\.[\w-]+)*")
"""A host with brackets, colons or stray punctuation (``a]b.com``) is malformed: no honest link has one."""


@dataclass(frozen=True)
class HostVerdict:
    """A host as read, as a browser would show it, and what is wrong with it (if anything)."""

    host: str
    ascii: str
    is_ip: bool = False
    lookalike: bool = False
    """Mixed scripts, or letters from another script that pass for Latin ones."""
    imitates: str | None = None
    """The brand domain this host passes for (``apple.com`` for ``аррle.com``), when one is close."""
    risky: bool = False
    """A cheap top-level domain, a link shortener, or a brand word glued into a non-brand domain."""

    @property
    def suspicious(self) -> bool:
        return self.is_ip or self.lookalike or self.imitates is not None or self.risky

    @property
    def shown(self) -> str:
        """What to show the user: the ASCII form (punycode reveals a look-alike) for any non-ASCII host."""
        return self.ascii


def judge_host(host: str) -> HostVerdict:
    """Judge ``host`` (lower case, as :func:`bot.core.links.host_of` gives it). Never raises."""
    unicode_host = to_unicode(host)
    ascii_host = to_ascii(unicode_host)
    if _is_ip(unicode_host):
        return HostVerdict(unicode_host, ascii_host, is_ip=True)
    labels = [label for label in unicode_host.split(".") if label]
    names = labels[:-1] if len(labels) > 1 else labels
    lookalike = any(_looks_latin_but_is_not(label) for label in names)
    imitates = next((brand for label in names if (brand := _imitated_brand(label))), None)
    return HostVerdict(unicode_host, ascii_host, lookalike=lookalike, imitates=imitates, risky=_risky(unicode_host))


def to_ascii(host: str) -> str:
    """The punycode form (``xn--…``) of a host, label by label where the whole does not encode."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return ".".join(_label_to_ascii(label) for label in host.split("."))


def to_unicode(host: str) -> str:
    """The Unicode form of a host: ``xn--80ak6aa92e.com`` → ``аррӏе.com``; undecodable labels kept."""
    if "xn--" not in host:
        return host
    return ".".join(_label_to_unicode(label) for label in host.split("."))


def _label_to_ascii(label: str) -> str:
    if label.isascii():
        return label
    try:
        return "xn--" + label.encode("punycode").decode("ascii")
    except (UnicodeError, ValueError):
        return label.encode("ascii", "backslashreplace").decode("ascii")


def _label_to_unicode(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        decoded = idna.decode(label)
    except (idna.IDNAError, UnicodeError, ValueError):
        try:
            decoded = label[4:].encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            decoded = ""
    return decoded or label


def _is_ip(host: str) -> bool:
    if _NUMERIC_HOST.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    return True


def _risky(host: str) -> bool:
    """The old, still useful signs: a cheap TLD, a shortener, brand words glued into the name."""
    tld = host.rsplit(".", 1)[-1]
    if tld in _RISKY_TLDS or host in _SHORTENERS or not _WELL_FORMED.fullmatch(host):
        return True
    labels = host.split(".")
    # brand words glued into a non-brand domain: sf-express-redeliver.top, hmrc-refund.co-uk.cc
    return (len(labels) > 2 and any(word in "-".join(labels[:-2]) for word in _BRAND_WORDS)) or (
        "-" in labels[0] and any(word in labels[0] for word in _BRAND_WORDS)
    )


@lru_cache(maxsize=1)
def _latin_twins() -> dict[str, str]:
    """Each character that passes for one ASCII letter or digit → that character (Unicode's confusables)."""
    twins: dict[str, str] = {}
    for char, homoglyphs in confusables.confusables_data.items():
        latin = [g["c"] for g in homoglyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()]
        if len(char) == 1 and latin:
            twins[char] = latin[0].lower()
    for char in "abcdefghijklmnopqrstuvwxyz":
        twins[char] = char  # a Latin letter is itself, whatever else it resembles
    return twins


def skeleton(label: str) -> str:
    """``label`` with every character that passes for a Latin letter or digit replaced by it (UTS #39, simplified)."""
    twins = _latin_twins()
    return "".join(twins.get(ch, ch) for ch in label)


def _looks_latin_but_is_not(label: str) -> bool:
    """Mixed scripts in one label (``аррle``), or a whole label of look-alikes (``аррӏе``)."""
    if label.isascii():
        return False
    scripts = categories.unique_aliases(label) - {"COMMON", "INHERITED"}
    return len(scripts) > 1 or skeleton(label).isascii()


@lru_cache(maxsize=1)
def _brand_names() -> dict[str, str]:
    return {brand.split(".")[0]: brand for brand in BRANDS}


def _imitated_brand(label: str) -> str | None:
    """The brand domain ``label`` passes for, or None (the brand's own name is not an imitation)."""
    brands = _brand_names()
    if label in brands:
        return None
    twin = skeleton(label)
    if twin in brands:
        return brands[twin]
    if label.isascii():
        return None  # an ordinary word one letter off a brand (apply, paypals) is not a look-alike
    close = [brand for name, brand in brands.items() if len(name) >= 5 and _one_edit_apart(twin, name)]
    return close[0] if close else None


def _one_edit_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one substitution, insertion or deletion."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
