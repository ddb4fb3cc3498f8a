"""The reader's region: which reporting line a warning shows, and which Traditional Chinese they read.

A warning that lists hotlines for five places is too long for a phone and makes the reader
hunt for theirs. The adapter knows the reader (a ``/region`` choice, Telegram's language
code); the core adds what the message itself says about where it comes from (Cantonese
words, Taiwan wording, +852/+886 numbers, currencies), and a default per language.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, TypeGuard

import yaml
from pydantic import BaseModel, ConfigDict

from bot.core.hant import Variant
from bot.core.text import Language

Region = Literal["cn", "hk", "tw", "sg", "uk", "us"]
REGIONS: tuple[Region, ...] = ("hk", "tw", "cn", "sg", "uk", "us")
"""In the order ``/region`` offers them."""
REGION_NAMES: dict[Region, dict[str, str]] = {
    "cn": {"en": "Mainland China", "zh": "中国内地"},
    "hk": {"en": "Hong Kong", "zh": "香港"},
    "tw": {"en": "Taiwan", "zh": "台湾"},
    "sg": {"en": "Singapore", "zh": "新加坡"},
    "uk": {"en": "UK", "zh": "英国"},
    "us": {"en": "US", "zh": "美国"},
}


def is_region(value: object) -> TypeGuard[Region]:
    return value in REGIONS


# What a message says about where it comes from. Each hint is specific to one place: words people
# there write (Cantonese 唔/嘅/咗, Taiwan 視訊/簡訊), their phone prefixes and currencies.
_HINTS: tuple[tuple[Region, re.Pattern[str]], ...] = (
    (
        "hk",
        re.compile(
            r"\+852|HK\$|\bHKD\b|港幣|港元|轉數快|[唔嘅咗喺嚟哋嘢冇佢畀啲咩]|係咪|點算|過數|戶口|"
            r"視像|八達通|\bFPS\b|\bHong Kong\b|香港",
            re.I,
        ),
    ),
    (
        "tw",
        re.compile(
            r"\+886|NT\$|\bTWD\b|新台幣|台幣|視訊|簡訊|訊號|網路|帳戶|戶頭|超商|\beTag\b|台灣|臺灣|\bTaiwan\b", re.I
        ),
    ),
    ("sg", re.compile(r"\+65\b|\bS\$|\bSGD\b|\bPayNow\b|\bSingpass\b|\bSingapore\b|新加坡", re.I)),
    ("uk", re.compile(r"\+44\b|£|\bGBP\b|\bsort code\b|\bHMRC\b|\bRoyal Mail\b", re.I)),
    ("cn", re.compile(r"\+86\b|人民币|支付宝|微信支付|\bRMB\b|内地|大陆")),
)


def region_hint(text: str) -> Region | None:
    """The one region the message's own words and numbers point to; None when they point nowhere or to several."""
    found = {region for region, pattern in _HINTS if pattern.search(text)}
    if found == {"hk", "tw"}:  # 視訊/帳戶 are also written in Hong Kong; Cantonese is not written in Taiwan
        cantonese = re.search(r"[唔嘅咗喺嚟哋嘢冇佢畀啲咩]|係咪|過數|視像", text)
        found = {"hk"} if cantonese else {"tw"}
    return next(iter(found)) if len(found) == 1 else None


def default_region(language: Language) -> Region | None:
    """Where a reader of ``language`` most likely is, when nothing else says: none for English."""
    return {"zh-Hans": "cn", "zh-Hant": "tw"}.get(language)  # type: ignore[return-value]


def variant_of(region: Region | None) -> Variant:
    """Hong Kong readers get Hong Kong Traditional; everyone else reading Traditional gets Taiwan's."""
    return "hk" if region == "hk" else "tw"


class ReportingContacts(BaseModel):
    """Where to report, per region and written language (``knowledge/reporting.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    regions: dict[Region, dict[Literal["en", "zh"], str]]
    elsewhere: dict[Literal["en", "zh"], str]

    @classmethod
    def load(cls, path: Path) -> ReportingContacts:
        return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))

    def line(self, region: Region | None, written: Literal["en", "zh"]) -> str:
        """The reporting line for ``region`` (the "your local police" line when unknown), as written."""
        if region is not None and region in self.regions:
            return self.regions[region][written]
        return self.elsewhere[written]

    def all_lines(self, written: Literal["en", "zh"]) -> list[str]:
        """Every region's line and the fallback, for ``/region``."""
        elsewhere = ("Elsewhere: " if written == "en" else "其他地区：") + self.elsewhere[written]
        return [self.regions[r][written] for r in REGIONS if r in self.regions] + [elsewhere]
