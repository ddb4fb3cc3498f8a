"""The sandbox prompt, driven line by line as a newcomer types it: every feature the README lists.

``make run`` with no token opens a prompt against the local Bot API emulator. This test
types into that prompt (its stdin) and reads what it prints (its stdout), so a feature the
sandbox can no longer reach (a multi-line answer, a reply, a group admin's command, a group
button) fails here, as issue 13 found by hand. Only the engine's model and index are
shared with the session; knowledge changes stay in this test's own engine and data dir.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from telegram_helpers import fast_settings

from bot import app
from bot.adapter import sandbox as sandbox_module
from bot.app import assess_config
from bot.core.assess import Assessor
from bot.core.engine import Engine
from bot.core.taxonomy import SCAM_CATEGORIES
from bot.emulator.sandbox import SANDBOX_USER_ID

WAIT = 60.0
FRIEND_SCAM = (
    "Sorry the video call dropped, the signal here is awful. You saw it's me though. I'm stuck in a meeting "
    "and can't talk - can you transfer 3,000 to my colleague's account today? Please don't tell anyone yet."
)
MUM_SCAM = (
    "Mum it's me, I dropped my phone in the toilet so this is my new number. I need to pay a bill urgently today, "
    "can you transfer £650 to this account? I'll pay you back tomorrow, please don't tell dad"
)
DINNER = "Are we still on for dinner at grandma's on Sunday? I'll bring the dumplings"
PIANO = "I'm selling my late grandma's piano for free, you just pay the moving company 350 and they deliver it."


class Terminal:
    """The prompt's stdin and stdout: the test types lines and reads what was printed, as a person would."""

    def __init__(self) -> None:
        self._typed: queue.Queue[str] = queue.Queue()
        self._shown: list[str] = []
        self._lock = threading.Lock()
        self.read = 0  # how much of the output the test has looked at

    # The sandbox's side
    def readline(self) -> str:
        return self._typed.get()

    def write(self, text: str) -> int:
        with self._lock:
            self._shown.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    # The test's side
    @property
    def shown(self) -> str:
        with self._lock:
            return "".join(self._shown)

    def type(self, *lines: str) -> None:
        self.read = len(self.shown)
        for line in lines:
            self._typed.put(line + "\n")

    def close(self) -> None:
        self._typed.put("")

    async def expect(self, pattern: str, *, timeout: float = WAIT) -> re.Match[str]:  # noqa: ASYNC109
        """Wait until ``pattern`` (a regex) shows up in what was printed since the last line typed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = re.search(pattern, self.shown[self.read :])
            if found:
                return found
            if loop.time() > deadline:
                raise AssertionError(f"{pattern!r} never shown; since the last input:\n{self.shown[self.read :]}")
            await asyncio.sleep(0.05)

    async def button(self, label: str, data_prefix: str, data_suffix: str = "") -> str:
        """The callback data of a button shown as ``[… label … -> fa:…]`` (the first since the last input)."""
        data = rf"{re.escape(data_prefix)}[^\]\s]*{re.escape(data_suffix)}"
        found = await self.expect(rf"\[[^\]]*{re.escape(label)}[^\]]* -> ({data})\]")
        return found.group(1)


def private_engine(settings: Any, engine: Engine) -> Engine:
    """The session's model, index and calibration; a knowledge change swaps only this engine's index."""
    shared = engine.assessor
    assessor = Assessor(
        assess_config(settings), shared.embedder, shared.index, shared.risk_model, index_dir=settings.index_dir
    )
    return Engine(assessor, engine.contacts)


async def test_every_feature_in_the_readme_is_reachable_from_the_sandbox_prompt(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = fast_settings(tmp_path)
    assert SANDBOX_USER_ID not in settings.admin_ids  # the sandbox makes its user an admin by itself
    monkeypatch.setattr(app, "build_engine", lambda s, **kwargs: private_engine(s, engine))
    term = Terminal()
    # Log lines would land in the middle of the chat if the prompt left them on the terminal.
    on_terminal = logging.StreamHandler(term)
    root = logging.getLogger()
    root.addHandler(on_terminal)
    level = root.level
    root.setLevel(logging.INFO)
    session = asyncio.create_task(sandbox_module.sandbox(settings, interactive=True, stdin=term, out=term))
    try:
        await run_script(term)
        term.type(":quit")
        await asyncio.wait_for(session, timeout=WAIT)
    finally:
        term.close()
        root.removeHandler(on_terminal)
        root.setLevel(level)
        if not session.done():
            session.cancel()

    log_file = settings.data_dir / "sandbox.log"
    logged = log_file.read_text(encoding="utf-8")
    assert "alert in -100" in logged and "admin 1000 added pattern" in logged
    chat = term.shown.split("Logs go to", 1)[1]
    assert "alert in -100" not in chat and "added pattern" not in chat


async def run_script(term: Terminal) -> None:
    # On screen: who you are, that you are an admin, where the logs go.
    found = await term.expect(r"You are Telegram user (\d+)\. In this sandbox you are an admin")
    assert int(found.group(1)) == SANDBOX_USER_ID
    await term.expect(r"Logs go to \S+sandbox\.log while the prompt is open")
    term.type(":help")
    for command in (":multi", ":reply N", ":as admin", ":press", ":group", ":fwd", ":quit"):
        await term.expect(re.escape(command))

    # A private check of a forwarded scam, and of an ordinary message.
    term.type(f":fwd Unknown sender | {FRIEND_SCAM}")
    await term.expect(r"bot #\d+> 🚨")
    term.type(DINNER)
    await term.expect(r"bot #\d+> ✅")

    # The family group: the bot introduces itself, then alerts on a member's scam, with its buttons.
    term.type(f":group Mum | {MUM_SCAM}")
    await term.expect(r"bot in Family group #\d+> 👋")
    await term.expect(r"bot in Family group #\d+> .*[Ss]cam")
    not_a_scam = await term.button("Not a scam", "fa:na:")

    # /check by reply, on a member's message.
    term.type(f":group Dad | {PIANO}")
    dad = int((await term.expect(r"\(Dad #(\d+) in Family group\)")).group(1))
    term.type(f":reply {dad} /check")
    await term.expect(r"bot in Family group #\d+> (✅|⚠️|🚨)")

    # An admin's /settings and its buttons; as an ordinary member, the polite refusal.
    term.type("/settings")
    await term.expect(r"bot in Family group #\d+> Settings for this group")
    high = await term.button("", "fa:gs:", ":high")
    term.type(f":press {high}")
    await term.expect(r"\(edited\)> Settings for this group\n.*Sensitivity: [Hh]igh")
    term.type(":as member", "/settings")
    await term.expect(r"Only this group's admins can do that")
    term.type(":as admin")
    await term.expect("You are an administrator")

    # The alert's "not a scam", pressed in the group by its admin: the alert is edited away.
    term.type(f":press {not_a_scam}")
    await term.expect(r"\(edited\)> ✅ An admin marked this as not a scam")

    # /kb add, every step to saving: buttons, then two-line and list answers in multi-line mode.
    term.type(":private", "/kb add")
    category = await _category_button(term)
    term.type(f":press {category}")
    high = await term.button("high", "fa:kb:sev:", ":high")
    term.type(f":press {high}")
    await term.expect(r"Title")
    answers = [
        ["Free piano giveaway, pay the movers first", "免费送钢琴，先付搬运费"],
        [
            "A stranger gives away a late relative's piano; you pay their movers up front.",
            "陌生人免费送钢琴，要你先付运费。",
        ],
        ["Never pay a mover the giver chose before you see the item.", "---", "见到物品之前，不要付运费。"],
        ["- A valuable item for free", "- Delivery paid in advance", "---", "- 贵重物品免费送", "- 运费要先付"],
    ]
    for answer, next_prompt in zip(answers, ("Summary", "Advice", "Red flags", "First examples"), strict=True):
        term.type(":multi", *answer, ":end")
        await term.expect(next_prompt)
    term.type(
        ":multi",
        "I'm giving away my late mother's piano for free, you only need to pay the moving company 350 for delivery.",
        "My late husband's piano is free to anyone who loves music; the delivery fee is paid in advance.",
        "---",
        "免费赠送我已故母亲的钢琴，只需先支付搬运公司运费。",
        ":end",
    )
    await term.expect(r"Preview of the new pattern[\s\S]*severity: high")
    save = await term.button("Save", "fa:kb:ok:")
    term.type(f":press {save}")
    await term.expect(r"Saved \S*free_piano\S*\. Live for the next message")
    term.type(f":fwd Seller | {PIANO}")
    await term.expect(r"bot #\d+> 🚨[\s\S]*Free piano giveaway")

    # /review: the admin's "not a scam" from the group waits there.
    term.type("/review")
    await term.expect(r"Review[\s\S]*marked “not a scam” by a group admin")


async def _category_button(term: Terminal) -> str:
    index = SCAM_CATEGORIES.index("prize_lottery")
    found = await term.expect(rf"-> (fa:kb:cat:[^\]\s]*:{index})\]")
    return found.group(1)
