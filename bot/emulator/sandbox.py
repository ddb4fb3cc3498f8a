"""A terminal chat with the bot: type as a user, see what the bot answers.

For newcomers who want to try the bot without a Telegram account or network.  The bot runs
against the emulator (same process, or another one pointed at :attr:`base_url`); this
console plays one user in a private chat.  Input is read in a worker thread so the event
loop keeps serving the bot while the prompt waits.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from .builders import origin_hidden_user
from .emulator import BotApiEmulator

__all__ = ["HELP", "run_console"]

HELP = """\
Type a message and press Enter; the bot's answers appear below it.
  :press DATA        press the button with callback_data DATA on the bot's latest message that has it
  :fwd NAME | TEXT   forward TEXT as if from a hidden user called NAME
  :edit TEXT         edit your last message
  :photo [CAPTION]   send a placeholder photo (a plain picture, no text)
  :image PATH[|CAP]  send the picture at PATH as a photo (a screenshot is read by OCR)
  :group NAME | TEXT post TEXT in a family group as member NAME (the bot is a member there)
  :help              this help
  :quit              leave
"""


def _render(message: dict[str, Any], *, edited: bool = False) -> str:
    body = message.get("text") or message.get("caption") or "<media>"
    chat = message.get("chat", {})
    where = f" in {chat.get('title')}" if chat.get("type") not in (None, "private") else ""
    who = f"bot{where}{' (edited)' if edited else ''}"
    lines = [f"{who}> {line}" for line in str(body).splitlines() or [""]]
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        buttons = [f"[{b['text']} -> {b.get('callback_data') or b.get('url', '?')}]" for b in row]
        lines.append("      " + " ".join(buttons))
    return "\n".join(lines)


async def _print_bot_output(emu: BotApiEmulator, write: Callable[[str], None]) -> None:
    """Echo every message and edit the bot makes, as it happens."""
    shown_sent = shown_edits = 0
    while True:
        sent, edits = emu.world.sent, emu.world.edits
        for message in sent[shown_sent:]:
            write(_render(message))
        for edit in edits[shown_edits:]:
            write(_render(edit["message"], edited=True))
        shown_sent, shown_edits = len(sent), len(edits)
        await emu.world.wait_changed(1.0)


FAMILY_GROUP_ID = -100_555_000_111


def _family_group(emu: BotApiEmulator, owner: dict[str, Any], name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sandbox's family group (created on first use, with the bot added) and a member called ``name``."""
    if FAMILY_GROUP_ID not in emu.world.chats:
        emu.group(FAMILY_GROUP_ID, "Family group", supergroup=True)
        emu.add_bot_to_group(FAMILY_GROUP_ID, owner, as_admin=True)
    member_id = 2000 + sum(map(ord, name)) % 1000
    member = emu.user(member_id, name, language_code=owner.get("language_code"))
    emu.add_member(FAMILY_GROUP_ID, member)
    return emu.world.chats[FAMILY_GROUP_ID].info, member


def _handle(emu: BotApiEmulator, user: dict[str, Any], chat: dict[str, Any], line: str, last: list[int]) -> str | None:
    """Turn one console line into a user action; returns a note for the console, if any."""
    if line.startswith(":press "):
        data = line.removeprefix(":press ").strip()
        for message in reversed(emu.sent_messages(chat)):
            current = emu.message(chat, message["message_id"]) or {}
            rows = current.get("reply_markup", {}).get("inline_keyboard", [])
            if any(b.get("callback_data") == data for row in rows for b in row):
                emu.press_button(chat, user, message["message_id"], data)
                return None
        return f"no button with callback_data {data!r}"
    if line.startswith(":fwd "):
        name, _, text = line.removeprefix(":fwd ").partition("|")
        sent = emu.send_message(chat, user, text.strip(), forward_origin=origin_hidden_user(name.strip()))
    elif line.startswith(":edit "):
        if not last:
            return "nothing to edit yet"
        emu.edit_message(chat, last[-1], line.removeprefix(":edit ").strip())
        return None
    elif line.startswith(":group "):
        name, _, text = line.removeprefix(":group ").partition("|")
        group, member = _family_group(emu, user, name.strip() or "Member")
        emu.send_message(group, member, text.strip())
        return None
    elif line.startswith(":image"):
        path, _, caption = line.removeprefix(":image").partition("|")
        try:
            data = Path(path.strip()).read_bytes()
        except OSError as exc:
            return f"cannot read {path.strip()}: {exc.strerror or exc}"
        sent = emu.send_message(chat, user, None, photo=data, caption=caption.strip() or None)
    elif line.startswith(":photo"):
        caption = line.removeprefix(":photo").strip() or None
        sent = emu.send_message(chat, user, None, photo=True, caption=caption)
    elif line.startswith(":"):
        return HELP
    else:
        sent = emu.send_message(chat, user, line)
    last.append(sent["message_id"])
    return None


async def run_console(
    emu: BotApiEmulator,
    *,
    user_id: int = 1000,
    first_name: str = "You",
    language_code: str = "en",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> None:
    """Chat with the bot on the terminal until ``:quit`` or end of input."""
    source, sink = stdin or sys.stdin, stdout or sys.stdout

    def write(text: str) -> None:
        sink.write(text + "\n")
        sink.flush()

    user = emu.user(user_id, first_name, language_code=language_code, username="sandbox_user")
    chat = emu.private_chat(user)
    printer = asyncio.create_task(_print_bot_output(emu, write))
    write(HELP)
    last: list[int] = []
    try:
        while True:
            line = await asyncio.to_thread(source.readline)
            if not line or line.strip() == ":quit":
                break
            if line.strip():
                note = _handle(emu, user, chat, line.strip(), last)
                if note:
                    write(note)
    finally:
        printer.cancel()
