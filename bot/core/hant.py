"""Traditional Chinese as Taiwan and Hong Kong readers write it, from the Simplified texts the bot is written in.

OpenCC's phrase-level configurations do most of the work (``s2twp``: 短信→簡訊, 链接→連結,
软件→軟體; ``s2hk``: Hong Kong character forms). What they still get wrong for a warning
is fixed here, before or after conversion: a few characters split from the wrong phrase
(附上链接 → 附上鍊接, 并发送 → 併發送, 写明了 → 寫明瞭) and the mainland word for a video call
(視頻), which a Taiwan reader writes 視訊 and a Hong Kong reader 視像. The tables are small
and tested against every fixed string and every pattern's advice (tests/test_hant.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

import opencc

Variant = Literal["tw", "hk"]
"""Which Traditional readers: Taiwan (the default) or Hong Kong/Macau."""

# Simplified words replaced before conversion, so OpenCC converts the reader's own word.
_BEFORE: dict[Variant, tuple[tuple[str, str], ...]] = {
    "tw": (("视频", "视讯"), ("信号", "讯号")),
    "hk": (("短视频", "短片"), ("视频号", "影片号"), ("视频", "视像"), ("短信", "短讯"), ("信号", "讯号")),
}
# Traditional mistakes OpenCC makes on our texts, fixed after conversion (both variants).
_AFTER_COMMON: tuple[tuple[str, str], ...] = (
    ("鍊接", "連結"),
    ("鏈接", "連結"),
    ("併發", "並發"),
    ("髮卡", "發卡"),
    ("併發送", "並發送"),
    ("併轉", "並轉"),
    ("併提供", "並提供"),
    ("併要求", "並要求"),
)
_AFTER: dict[Variant, tuple[tuple[str, str], ...]] = {
    "tw": (*_AFTER_COMMON, ("賬", "帳"), ("信息", "訊息")),
    "hk": (*_AFTER_COMMON, ("户", "戶"), ("信息", "訊息")),
}
# 写明了 is 写明 + 了 ("wrote clearly"), not 明瞭 ("clear"); the same after 说/注/标/表/证/讲/问.
_MING_LE = re.compile(r"(?<=[寫說註標表證講問])明瞭")
_CONFIG: dict[Variant, str] = {"tw": "s2twp", "hk": "s2hk"}


@lru_cache(maxsize=2)
def _converter(variant: Variant) -> opencc.OpenCC:
    return opencc.OpenCC(_CONFIG[variant])


def to_hant(text: str, variant: Variant = "tw") -> str:
    """Simplified text for a Taiwan or Hong Kong reader."""
    for simplified, local in _BEFORE[variant]:
        text = text.replace(simplified, local)
    converted = _converter(variant).convert(text)
    for wrong, right in _AFTER[variant]:
        converted = converted.replace(wrong, right)
    return _MING_LE.sub("明了", converted)
