#!/usr/bin/env python
"""How long the private-chat replies are, per reader: do they fit one phone screen?

    python scripts/reply_lengths.py [data/eval/*.jsonl] [--json out.json]

Every message of the evaluation sets is assessed by the real engine (the configured
embedding backend, shipped knowledge) and answered as a user writing in its language
would be: English, Simplified (mainland reader), or Traditional for a Taiwan or a Hong
Kong reader (told apart by the message's own words, as the bot does: Cantonese is read
as Hong Kong). Lengths are counted as the user sees them (tags dropped, entities
decoded). A reply of at most ``PHONE_SCREEN`` characters (about 900) fits one phone
screen. Figures are printed as a README-ready table, for all replies and for warnings.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
from collections.abc import Iterable
from pathlib import Path

from bot.app import build_engine
from bot.config import Settings
from bot.core.evaluation import load_labelled
from bot.core.regions import Region, default_region, region_hint
from bot.core.reply import PHONE_SCREEN, html_to_plain
from bot.core.text import Language

READERS = ("en", "zh-Hans", "zh-Hant-TW", "zh-Hant-HK")


def reader_of(text: str, language: Language) -> tuple[str, Region | None]:
    """The reader a message of this language stands for, and the region their reply is worded for."""
    if language != "zh-Hant":
        return language, default_region(language)
    region = "hk" if region_hint(text) == "hk" else "tw"
    return f"zh-Hant-{region.upper()}", region


def row(name: str, lengths: list[int]) -> str:
    if not lengths:
        return f"| {name} | 0 | - | - | - |"
    fits = sum(n <= PHONE_SCREEN for n in lengths) / len(lengths)
    return f"| {name} | {len(lengths)} | {statistics.median(lengths):.0f} | {max(lengths)} | {fits:.0%} |"


def table(title: str, lengths: dict[str, list[int]]) -> Iterable[str]:
    yield f"**{title}**\n"
    yield f"| reader | replies | median characters | longest | fit one screen (≤{PHONE_SCREEN}) |"
    yield "|---|---:|---:|---:|---:|"
    for reader in READERS:
        yield row(reader, lengths[reader])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="labelled JSONL (default: data/eval/*.jsonl)")
    parser.add_argument("--json", type=Path, help="also write the lengths per reader as JSON here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    files = args.files or sorted(Path("data/eval").glob("*.jsonl"))

    engine = build_engine(Settings(knowledge_source="files"))
    messages = [m for path in files for m in load_labelled(path)]
    assessments = engine.assess_many([m.text for m in messages])
    every: dict[str, list[int]] = {r: [] for r in READERS}
    warnings: dict[str, list[int]] = {r: [] for r in READERS}
    for message, assessment in zip(messages, assessments, strict=True):
        reader, region = reader_of(message.text, assessment.language)
        length = len(html_to_plain(engine.reply(assessment, assessment.language, region)))
        every[reader].append(length)
        if assessment.verdict != "safe":
            warnings[reader].append(length)
    print(f"{len(messages)} messages from {', '.join(p.name for p in files)}\n")
    print("\n".join(table("All replies", every)))
    print()
    print("\n".join(table("Warnings (scam or suspicious)", warnings)))
    if args.json:
        args.json.write_text(json.dumps({"all": every, "warnings": warnings}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
