"""Traditional Chinese as Taiwan and Hong Kong readers write it, in every fixed string and every pattern.

The bot writes Simplified once and converts for Traditional readers. A plain character
conversion leaves words no Taiwan or Hong Kong reader would write (併發送, 附上鍊接, 寫明瞭)
and mainland terms (視頻, 短信, 鏈接). These tests convert everything the bot can say
both ways and look for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.hant import to_hant
from bot.core.i18n.admin import ADMIN
from bot.core.i18n.chat import CHAT
from bot.core.i18n.images import IMAGES
from bot.core.i18n.replies import REPLY_WORDS
from bot.core.knowledge import load_knowledge
from bot.core.regions import ReportingContacts
from bot.core.taxonomy import CATEGORY_NAMES

REPO = Path(__file__).resolve().parent.parent

# Conversion errors: characters taken from the wrong phrase (in both variants).
MISCONVERTED = ("併發", "鍊接", "寫明瞭", "說明瞭", "註明瞭", "髮卡", "區域性")
# Mainland words a Taiwan reader would not write (they write 視訊/影片, 簡訊, 連結, 帳號, 訊號, 資訊).
MAINLAND_FOR_TW = ("視頻", "短信", "鏈接", "賬號", "賬戶", "信號", "網絡", "軟件", "信息")
# Mainland words a Hong Kong reader would not write (they write 視像, 短訊, 連結, 訊號).
MAINLAND_FOR_HK = ("視頻", "短信", "鏈接", "信號", "信息")


def _simplified_strings() -> list[str]:
    """Every Simplified text the bot shows: commands, admin, replies, categories, reporting lines, patterns."""
    texts = [value["zh"] for table in (CHAT, ADMIN, IMAGES) for value in table.values() if "zh" in value]
    texts += [str(getattr(REPLY_WORDS["zh"], name)) for name in REPLY_WORDS["zh"].__dataclass_fields__]
    texts += [names["zh"] for names in CATEGORY_NAMES.values()]
    texts += ReportingContacts.load(REPO / "knowledge" / "reporting.yaml").all_lines("zh")
    for pattern in load_knowledge(REPO / "knowledge" / "patterns").patterns:
        texts += [pattern.title.zh, pattern.summary.zh, *pattern.advice.zh]
    return texts


@pytest.mark.parametrize(("variant", "mainland"), [("tw", MAINLAND_FOR_TW), ("hk", MAINLAND_FOR_HK)])
def test_every_string_reads_as_the_region_writes_it(variant: str, mainland: tuple[str, ...]) -> None:
    wrong = {}
    for simplified in _simplified_strings():
        converted = to_hant(simplified, variant)  # type: ignore[arg-type]
        words = converted.replace("頻道", "")  # 檢視頻道 is 檢視 + 頻道 (channel), not 視頻
        found = [w for w in (*MISCONVERTED, *mainland) if w in words]
        if found:
            wrong[converted[:60]] = found
    assert wrong == {}


@pytest.mark.parametrize(
    ("simplified", "taiwan", "hong_kong"),
    [
        ("请附上链接并发送", "請附上連結並發送", "請附上連結並發送"),
        ("备注里写明了用途", "備註裡寫明了用途", "備註裏寫明了用途"),
        ("刚才视频信号不好", "剛才視訊訊號不好", "剛才視像訊號不好"),
        ("不要点短信里的链接", "不要點簡訊裡的連結", "不要點短訊裏的連結"),
        ("用原来的账号回拨", "用原來的帳號回撥", "用原來的賬號回撥"),
    ],
)
def test_phrases_the_issue_named(simplified: str, taiwan: str, hong_kong: str) -> None:
    assert to_hant(simplified, "tw") == taiwan
    assert to_hant(simplified, "hk") == hong_kong
