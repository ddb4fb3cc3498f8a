"""The sandbox: the real bot against the local Bot API emulator, no Telegram needed.

``python -m bot run`` with no ``TELEGRAM_BOT_TOKEN`` lands here. The full PTB
``Application`` with the plugin long-polls an emulator on 127.0.0.1 over real HTTP,
exactly as it would poll Telegram. On a terminal you chat with it as a user; without
one (CI, a pipe) a short scripted conversation shows what it does, then it exits.

You are user ``SANDBOX_USER_ID`` there, and an admin of everything the sandbox holds: its
knowledge base (the id is added to ``ADMIN_IDS`` for the sandbox only) and its family
group (you created it). While the prompt is open, logs go to a file in the data dir so
they never land in the middle of the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from bot.adapter.application import build_application, polling
from bot.adapter.plugin import FraudAwareness
from bot.config import Settings
from bot.emulator import BotApiEmulator, origin_hidden_user
from bot.emulator.sandbox import SANDBOX_USER_ID, run_console

log = logging.getLogger(__name__)

DEMO: list[tuple[str, str]] = [
    ("/start", "text"),
    (
        "Sorry the video call cut out, bad signal here. You saw it's me. I'm stuck in a meeting and can't talk - "
        "can you transfer 3,000 to my colleague's account today? Please don't tell anyone yet.",
        "forward",
    ),
    ("妈，我换手机号了，这是我的新号码。我这边急需交一笔钱，你先转8000到这个账户，别告诉爸爸。", "forward"),
    ("Are we still on for dinner at grandma's on Sunday? I'll bring the dumplings 🥟", "text"),
    ("", "photo"),
]


async def _demo(emu: BotApiEmulator, out: TextIO) -> None:
    """A scripted chat for non-interactive runs: each line and the bot's answer to it."""
    user = emu.user(1000, "Demo user", language_code="en", username="demo_user")
    chat = emu.private_chat(user)
    for text, kind in DEMO:
        if kind == "photo":
            out.write("\nyou> [a photo with no caption]\n")
            sent = emu.send_message(chat, user, None, photo=True)
        elif kind == "forward":
            out.write(f"\nyou (forwarding)> {text}\n")
            sent = emu.send_message(chat, user, text, forward_origin=origin_hidden_user("Unknown sender"))
        else:
            out.write(f"\nyou> {text}\n")
            sent = emu.send_message(chat, user, text)
        [reply] = await emu.wait_for_messages(chat, 1, after=sent, timeout=60)
        out.write("\n".join(f"bot> {line}" for line in reply.get("text", "").splitlines()) + "\n")
        out.flush()


def sandbox_settings(settings: Settings) -> Settings:
    """The settings with the sandbox user among the knowledge base admins (``/kb``, ``/review``)."""
    return settings.model_copy(update={"admin_ids": sorted({*settings.admin_ids, SANDBOX_USER_ID})})


@contextlib.contextmanager
def logs_to_file(path: Path, level: str | int) -> Iterator[None]:
    """Send log records from ``level`` (``LOG_LEVEL``) to ``path``, not the terminal, while the prompt is open.

    Only plain stream handlers (the terminal) are set aside; handlers that capture logs
    elsewhere (files, a test's capture) stay. With no handler left, ``logging`` would fall
    back to stderr: the file handler keeps that from happening.
    """
    root = logging.getLogger()
    previous_level = root.level
    root.setLevel(level)
    terminal = [h for h in root.handlers if type(h) is logging.StreamHandler]
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for handler in terminal:
        root.removeHandler(handler)
    root.addHandler(to_file)
    try:
        yield
    finally:
        root.removeHandler(to_file)
        to_file.close()
        root.setLevel(previous_level)
        for handler in terminal:
            root.addHandler(handler)


def _banner(settings: Settings, log_file: Path) -> str:
    return (
        f"\nYou are Telegram user {SANDBOX_USER_ID}. In this sandbox you are an admin of its knowledge base "
        f"(/kb, /review; ADMIN_IDS here: {', '.join(map(str, settings.admin_ids))}) and of its family group "
        "(/settings, the alerts' buttons; :as member to try it without).\n"
        f"Logs go to {log_file} while the prompt is open.\n"
    )


async def sandbox(
    settings: Settings, *, interactive: bool, stdin: TextIO | None = None, out: TextIO | None = None
) -> None:
    """Start emulator and bot, chat (or run the demo), and shut both down cleanly."""
    out = out or sys.stdout
    settings = sandbox_settings(settings)
    out.write("No TELEGRAM_BOT_TOKEN set: starting the local sandbox (a Telegram Bot API emulator on 127.0.0.1).\n")
    out.write("Loading the knowledge base and the embedding model...\n")
    out.flush()
    plugin = await asyncio.to_thread(FraudAwareness, settings, answer_unknown_commands=True)
    async with BotApiEmulator(privacy_mode=False) as emu:
        application = build_application(
            settings, plugin, token=emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url
        )
        async with polling(application, poll_timeout=5):
            out.write(f"Bot is polling {emu.base_url}… as it would poll Telegram.\n")
            if interactive:
                log_file = settings.data_dir / "sandbox.log"
                with logs_to_file(log_file, settings.log_level.upper()):
                    await run_console(emu, stdin=stdin, stdout=out, banner=_banner(settings, log_file))
            else:
                await _demo(emu, out)
                out.write("\n(Run `make run` in a terminal to chat with the bot yourself.)\n")


def run_sandbox(settings: Settings) -> None:
    interactive = sys.stdin.isatty()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(sandbox(settings, interactive=interactive))


__all__: list[Any] = ["run_sandbox", "sandbox"]
