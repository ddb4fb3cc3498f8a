#!/usr/bin/env python
"""Benchmark: from an admin's confirm in chat to the knowledge change being live.

    python scripts/bench_kb_live.py [--scale 10] [--repeat 5]

Runs the real bot (PTB application, plugin, knowledge service) against the local Bot
API emulator, twice: on the shipped knowledge base, and on one ``--scale`` times its
size (every pattern cloned with new ids and perturbed texts into a fresh database).
Each time an admin (1) adds a new pattern through the guided ``/kb add`` and presses
Save, and (2) edits a field and presses Save. The figure is the time from the press to
the bot's "Saved" reply, which is sent only once the new index is swapped in; a user's
next message is then checked to be flagged. The first build of each knowledge base
embeds every text and is printed apart: it happens once, not per change.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.adapter.application import build_application, polling
from bot.adapter.plugin import FraudAwareness
from bot.app import build_engine
from bot.config import Settings
from bot.core.embedding import SentenceTransformerEmbedder
from bot.core.knowledge import MAX_TEXT_CHARS, ScamPattern, load_knowledge
from bot.emulator import BotApiEmulator
from bot.kb.repository import KnowledgeRepository

REPO = Path(__file__).resolve().parent.parent
ADMIN = 4242
TIMEOUT = 120.0
OPENERS = ["", "Hi, ", "Hello, ", "Dear customer, ", "Urgent: ", "FYI: ", "Please read: ", "Quick one: ", "Hey, "]
ITEMS = ["piano", "sofa", "bicycle", "fridge", "puppy", "wardrobe", "drum kit", "treadmill", "aquarium", "organ"]


def clone(pattern: ScamPattern, k: int) -> ScamPattern:
    """A new pattern from ``pattern``: new id, every title and message perturbed so it is embedded anew."""
    opener = OPENERS[k % len(OPENERS)]

    def vary(texts: list[str], zh: bool) -> list[str]:
        return [(f"{t}（{k}）" if zh else f"{opener}{t} [{k}]")[:MAX_TEXT_CHARS] for t in texts]

    data: dict[str, Any] = pattern.model_dump(exclude_none=True)
    data["id"] = f"{pattern.id[:57]}_x{k}"
    data["title"] = {"en": f"{pattern.title.en[:280]} (variant {k})", "zh": f"{pattern.title.zh[:280]}（{k}）"}
    for field in ("examples", "counter_examples"):
        data[field] = {"en": vary(data[field]["en"], False), "zh": vary(data[field]["zh"], True)}
    return ScamPattern.model_validate(data)


class Admin:
    """The admin's private chat: send, press, wait for the bot's reply."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self.emu = emu
        self.user = emu.user(ADMIN, "Admin", language_code="en")
        self.chat = emu.private_chat(self.user)

    async def say(self, text: str, *, expect: int = 1) -> dict[str, Any]:
        sent = self.emu.send_message(self.chat, self.user, text)
        return (await self.emu.wait_for_messages(self.chat, expect, timeout=TIMEOUT, after=sent))[-1]

    async def press(self, message: dict[str, Any], prefix: str, *, expect: int = 1) -> tuple[dict[str, Any], float]:
        data = next(
            b["callback_data"]
            for row in message["reply_markup"]["inline_keyboard"]
            for b in row
            if b.get("callback_data", "").startswith(prefix)
        )
        floor = max(m["message_id"] for m in self.emu.sent_messages(self.chat))
        started = time.perf_counter()
        self.emu.press_button(self.chat, self.user, message["message_id"], data)
        replies = await self.emu.wait_for_messages(self.chat, expect, timeout=TIMEOUT, after=floor)
        return replies[-1], time.perf_counter() - started


async def add_pattern(admin: Admin, i: int) -> tuple[float, str]:
    """The guided add of a new scam script; returns the confirm-to-live seconds and a message it should flag."""
    item = ITEMS[i % len(ITEMS)]
    example = f"I'm giving away my late aunt's {item} for free (number {i}), you only pay my courier 120 up front."
    menu = await admin.say("/kb add")
    asked = await admin.press(menu, "fa:kb:cat:", expect=2)  # the first category is fine here
    await admin.press(asked, "fa:kb:sev:", ":high", expect=2)
    await admin.say(f"Free {item} giveaway {i}, pay the courier first\n免费送{item}{i}，先付快递费")
    await admin.say(
        "A stranger gives away an item and asks you to pay delivery first.\n陌生人免费送东西，却要你先付运费。"
    )
    await admin.say("Never pay delivery to someone you have not met.\n---\n不要给没见过的人付运费。")
    await admin.say("Free item, paid delivery\n---\n东西免费，运费先付")
    preview = await admin.say(
        f"{example}\nFree {item} for you, courier fee first please. Ref {i}.\n---\n免费送你{item}，先付快递费。"
    )
    saved, seconds = await admin.press(preview, "fa:kb:ok:")
    assert "Saved" in saved["text"], saved["text"]
    return seconds, f"My late aunt's {item} is free to a good home, number {i}; just pay my courier 120 first."


async def edit_pattern(admin: Admin, pattern_id: str, i: int) -> float:
    await admin.say(f"/kb edit {pattern_id} red_flags")
    preview = await admin.say(f"Pays delivery before seeing the item (edit {i})\n---\n没见到东西先付运费（{i}）")
    saved, seconds = await admin.press(preview, "fa:kb:ok:")
    assert "Saved" in saved["text"], saved["text"]
    return seconds


async def measure(label: str, patterns: list[ScamPattern], embedder: SentenceTransformerEmbedder, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # SQLite may still drop its WAL files
        data = Path(tmp)
        repository = KnowledgeRepository.for_data_dir(data)
        repository.apply_import(patterns, actor="bench")
        repository.close()
        settings = Settings(_env_file=None, data_dir=data, admin_ids=[ADMIN], burst_window_seconds=0.2)  # type: ignore[call-arg]
        started = time.perf_counter()
        engine = await asyncio.to_thread(build_engine, settings, embedder=embedder)
        first_build = time.perf_counter() - started
        texts = engine.assessor.index.dense.manifest.count
        print(f"{label}: {len(patterns)} patterns, {texts} texts, first build {first_build:.1f} s", flush=True)
        plugin = FraudAwareness(settings, engine=engine, answer_unknown_commands=True)
        adds, edits, service = [], [], []
        flagged = False
        async with BotApiEmulator() as emu:
            application = build_application(
                settings, plugin, token=emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url
            )
            async with polling(application, poll_timeout=1):
                admin = Admin(emu)
                user = emu.user(5000, "User", language_code="en")
                chat = emu.private_chat(user)
                for i in range(repeat):
                    seconds, probe = await add_pattern(admin, i)
                    adds.append(seconds)
                    service.append(plugin.knowledge.last_apply_seconds or 0.0)
                    if i == 0:  # the very next message, by someone else, no restart
                        sent = emu.send_message(chat, user, probe)
                        [answer] = await emu.wait_for_messages(chat, 1, timeout=TIMEOUT, after=sent)
                        flagged = "scam" in answer["text"] or "suspicious" in answer["text"]
                    edits.append(await edit_pattern(admin, patterns[i].id, i))
                    service.append(plugin.knowledge.last_apply_seconds or 0.0)
        return {
            "label": label,
            "patterns": len(patterns),
            "texts": texts,
            "first_build": first_build,
            "add": adds,
            "edit": edits,
            "service": service,
            "flagged": flagged,
        }


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} / {max(values):.2f} s"


async def main_async(scale: int, repeat: int) -> int:
    shipped = list(load_knowledge(REPO / "knowledge" / "patterns"))
    scaled = shipped + [clone(p, k) for k in range(1, scale) for p in shipped]
    embedder = SentenceTransformerEmbedder()
    results = [
        await measure("shipped", shipped, embedder, repeat),
        await measure(f"{scale}x", scaled, embedder, repeat),
    ]
    print()
    print("confirm-to-live (admin presses Save -> bot replies 'Saved', index swapped in); median / max")
    print(
        f"{'knowledge base':<16}{'patterns':>9}{'texts':>7}{'first build':>13}   {'new pattern':<18}{'field edit':<18}"
        f"{'in service':<18}next msg flagged"
    )
    for r in results:
        print(
            f"{r['label']:<16}{r['patterns']:>9}{r['texts']:>7}{r['first_build']:>11.1f} s   {_fmt(r['add']):<18}"
            f"{_fmt(r['edit']):<18}{_fmt(r['service']):<18}{'yes' if r['flagged'] else 'NO'}"
        )
    return 0 if all(r["flagged"] for r in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10, help="size of the large knowledge base, in shipped KBs")
    parser.add_argument("--repeat", type=int, default=5, help="changes measured per knowledge base")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        os.environ.pop(proxy, None)  # the emulator is on 127.0.0.1
    return asyncio.run(main_async(args.scale, args.repeat))


if __name__ == "__main__":
    raise SystemExit(main())
