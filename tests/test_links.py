"""Links in messages: read without ever raising, repeated without ever being tappable, look-alikes exposed."""

from __future__ import annotations

import pytest

from bot.core.assess import Assessment
from bot.core.calibration import ScoreFeatures
from bot.core.hosts import judge_host
from bot.core.links import defang, find_links, host_of
from bot.core.redflags import find_red_flags
from bot.core.reply import ReportingContacts, html_to_plain, render_reply
from bot.emulator.entities import detect_entities

# Each of these raised ValueError("Invalid IPv6 URL") from urlsplit(...).hostname and lost the batch.
BROKEN_URLS = [
    "see http://[::1 now",
    "www.[x.com",
    "[click](https://[a.b/c)",
    "http://a]b.com/x",
    "ｇｏ ｈｔｔｐ：／／［：：１ ｎｏｗ",  # full-width, becomes http://[::1 after normalising
    "http://user@[::1]:80/x and http://[fe80::1%25eth0]/",
    "https://xn--zz.com/x https://\ud800.com/y",
]


@pytest.mark.parametrize("text", BROKEN_URLS)
def test_red_flags_read_any_link_without_raising(text: str) -> None:
    flags = find_red_flags(text)
    assert any(f.kind in {"link", "suspicious_link"} for f in flags)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.Example.com:8080/path?q=1", "example.com"),
        ("http://user:pw@evil.top/x", "evil.top"),
        ("http://[::1]/x", "::1"),
        ("http://[::1", "::1"),
        ("www.[x.com", "[x.com"),
        ("evil.top/pay", "evil.top"),
    ],
)
def test_host_of_reads_hosts_leniently(url: str, host: str) -> None:
    assert host_of(url) == host


def test_malformed_and_ip_hosts_are_suspicious_links() -> None:
    for text in ("see http://[::1 now", "http://a]b.com/x", "http://192.168.1.20/login", "http://3232235777/x"):
        kinds = {f.kind for f in find_red_flags(text)}
        assert "suspicious_link" in kinds, text


@pytest.mark.parametrize(
    ("text", "shown", "brand"),
    [
        ("Verify your ID at https://аррle.com/login", "xn--le-6kc8da.com", "apple.com"),  # Cyrillic а and р
        ("Verify your ID at https://xn--80ak6aa92e.com/login", "xn--80ak6aa92e.com", "apple.com"),
        ("Your account is locked: https://paypa1.com/unlock", "paypa1.com", "paypal.com"),
    ],
)
def test_look_alike_hosts_show_punycode_and_the_brand_they_imitate(text: str, shown: str, brand: str) -> None:
    [flag] = [f for f in find_red_flags(text) if f.kind in {"link", "suspicious_link"}]
    assert flag.kind == "suspicious_link"
    assert flag.detail == shown and flag.imitates == brand
    assert flag.described("en") == f"{shown}, looks like {brand}"


def test_ordinary_and_native_script_hosts_are_not_look_alikes() -> None:
    assert not judge_host("apple.com").suspicious
    assert not judge_host("flickr.com").suspicious
    native = judge_host("中国银行.cn")
    assert not native.lookalike and native.shown == "xn--fiqs8s856bruk.cn"
    assert not judge_host("münchen.de").suspicious


def test_links_are_found_in_chinese_written_without_spaces() -> None:
    [link] = find_links("请登录apple-id.top/verify核实")
    assert link.host.host == "apple-id.top"


@pytest.mark.parametrize(
    ("text", "defanged"),
    [
        ("https://evil.top/x", "hxxps://evil[.]top/x"),
        ("go to evil.top now", "go to evil[.]top now"),
        ("mail x@evil.top", "mail x@evil[.]top"),
        ("add @bank_help_desk", "add [@]bank_help_desk"),
        ("http://10.0.0.1/a", "hxxp://10[.]0[.]0[.]1/a"),
        ("hmrc．gov｡uk", "hmrc[.]gov[.]uk"),
        ("tg://resolve?domain=x", "tg[:]//resolve?domain=x"),
        ("我到了。你在哪？价格1.5元", "我到了。你在哪？价格1.5元"),
    ],
)
def test_defang(text: str, defanged: str) -> None:
    assert defang(text) == defanged
    assert defang(defanged) == defanged  # idempotent


def _assessment(text: str) -> Assessment:
    flags = tuple(find_red_flags(text))
    return Assessment("suspicious", 0.6, False, (), flags, "en", ScoreFeatures(0, 0, 0.5, len(flags), 1.0))


def test_the_reply_never_makes_the_scam_link_or_handle_tappable() -> None:
    contacts = ReportingContacts(
        regions={"hk": {"en": "Hong Kong: 18222", "zh": "香港：18222"}}, elsewhere={"en": "police", "zh": "警方"}
    )
    text = "URGENT: pay the fee at https://evil.top/pay or evil.top/pay, or message @evil_support_bot"
    reply = render_reply(_assessment(text), {}, contacts)
    plain = html_to_plain(reply)
    assert "evil[.]top" in plain  # still readable
    entities = detect_entities(plain)
    assert not [e for e in entities if e["type"] in {"url", "email", "mention"}], entities
