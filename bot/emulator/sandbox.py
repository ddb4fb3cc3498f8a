"""A terminal chat with the bot: type as a user, see what the bot answers.

For newcomers who want to try the bot without a Telegram account or network. The bot runs
against the emulator (same process, or another one pointed at :attr:`base_url`); this
console plays one user, in a private chat with the bot and in a family group the bot is
in, so every feature a Telegram user or admin reaches is reachable from the prompt:
multi-line messages (``/kb add`` asks for two-line answers), replies (``/check`` in a
group), group admin rights (``/settings``, the alert's "not a scam") and every button.
Input is read in a worker thread so the event loop keeps serving the bot while the prompt
waits.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .builders import origin_hidden_user
from .emulator import BotApiEmulator

__all__ = ["FAMILY_GROUP_ID", "HELP", "SANDBOX_USER_ID", "Console", "run_console"]

SANDBOX_USER_ID = 1000
"""The Telegram user id you have in the sandbox (the sandbox adds it to ``ADMIN_IDS``)."""
FAMILY_GROUP_ID = -100_555_000_111
END_MULTI = ":end"

HELP = """\
Type a message and press Enter; the bot's answers appear below it, each with its number (#N).
  TEXT                 send TEXT in the chat you are in (the private chat, or the group after :group)
  :multi               start a message of several lines; a line with only :end sends it
                       (the lines may start with any command below, e.g. :fwd NAME | TEXT)
  :fwd NAME | TEXT     forward TEXT to the bot as if from a hidden user called NAME
  :reply N TEXT        reply to message #N in the chat you are in, e.g. :reply 12 /check
  :edit TEXT           edit your last message
  :photo [CAPTION]     send a placeholder photo (a plain picture, no text)
  :image PATH[|CAP]    send the picture at PATH as a photo (a screenshot is read by OCR)
  :group NAME | TEXT   post TEXT in the family group as member NAME (no NAME: as you); you are then in the group
  :group               go to the family group (plain lines are then posted there as you)
  :private             go back to your private chat with the bot
  :as admin|member     be an administrator of the family group (the default) or an ordinary member
  :press DATA          press the button with callback_data DATA on the bot's latest message that has it
                       (in the chat you are in first, then in the other)
  :help                this help
  :quit                leave
"""


def _lines(who: str, body: str) -> list[str]:
    return [f"{who}> {line}" for line in body.splitlines() or [""]]


def render(message: dict[str, Any], *, edited: bool = False) -> str:
    """A bot message as the terminal shows it: where, its number, its text and its buttons."""
    body = message.get("text") or message.get("caption") or "<media>"
    chat = message.get("chat", {})
    where = f" in {chat.get('title')}" if chat.get("type") not in (None, "private") else ""
    who = f"bot{where} #{message.get('message_id')}{' (edited)' if edited else ''}"
    lines = _lines(who, str(body))
    for row in message.get("reply_markup", {}).get("inline_keyboard", []):
        buttons = [f"[{b['text']} -> {b.get('callback_data') or b.get('url', '?')}]" for b in row]
        lines.append("      " + " ".join(buttons))
    return "\n".join(lines)


async def _print_bot_output(emu: BotApiEmulator, write: Callable[[str], None]) -> None:
    """Echo every message, edit and button pop-up the bot makes, as it happens."""
    shown_sent = shown_edits = shown_answers = 0
    while True:
        sent, edits, answers = emu.world.sent, emu.world.edits, emu.world.callback_answers
        for message in sent[shown_sent:]:
            write(render(message))
        for edit in edits[shown_edits:]:
            write(render(edit["message"], edited=True))
        for answer in answers[shown_answers:]:
            if answer.get("text"):
                write(f"bot (button {'pop-up' if answer.get('show_alert') else 'notice'})> {answer['text']}")
        shown_sent, shown_edits, shown_answers = len(sent), len(edits), len(answers)
        await emu.world.wait_changed(1.0)


@dataclass
class Console:
    """What you do at the prompt, turned into what a Telegram user does; one line at a time."""

    emu: BotApiEmulator
    user: dict[str, Any]
    chat: dict[str, Any]
    here: dict[str, Any] = field(init=False)
    last: list[tuple[int, int]] = field(default_factory=list)
    multi: list[str] | None = None

    def __post_init__(self) -> None:
        self.here = self.chat

    # The family group
    def group(self) -> dict[str, Any]:
        """The sandbox's family group: created on first use, you as its creator and the bot added by you."""
        if FAMILY_GROUP_ID not in self.emu.world.chats:
            self.emu.group(FAMILY_GROUP_ID, "Family group", supergroup=True)
            self.emu.add_bot_to_group(FAMILY_GROUP_ID, self.user, as_admin=True)
        return self.emu.world.chats[FAMILY_GROUP_ID].info

    def member(self, name: str) -> dict[str, Any]:
        """A member of the family group called ``name`` (you, if the name is empty)."""
        if not name:
            return self.user
        member_id = 2000 + sum(map(ord, name)) % 1000
        member = self.emu.user(member_id, name, language_code=self.user.get("language_code"))
        self.emu.add_member(FAMILY_GROUP_ID, member)
        return member

    def set_role(self, role: str) -> str:
        members = self.emu.world.chats[self.group()["id"]].members
        members[self.user["id"]] = "creator" if role == "admin" else "member"
        if role == "admin":
            return "You are an administrator (the creator) of the family group."
        return "You are now an ordinary member of the family group (:as admin to be its administrator again)."

    # Lines
    def feed(self, line: str) -> str | None:
        """Take one typed line (in multi-line mode, collect it); returns a note for the console, if any."""
        if self.multi is not None:
            if line.strip() == END_MULTI:
                collected, self.multi = "\n".join(self.multi).strip("\n"), None
                return self.handle(collected) if collected.strip() else "(empty message: nothing sent)"
            self.multi.append(line.rstrip("\n"))
            return None
        line = line.strip()
        if not line:
            return None
        if line == ":multi":
            self.multi = []
            return f"(multi-line message: type its lines, then {END_MULTI} on a line of its own)"
        return self.handle(line)

    def handle(self, line: str) -> str | None:
        """Turn one (possibly multi-line) input into a user action."""
        command, rest = "", line
        if line.startswith(":"):
            command, rest = [*line.split(maxsplit=1), ""][:2]
        rest = rest.strip()
        match command:
            case "":
                return self.post(self.here, self.user, line)
            case ":help":
                return HELP
            case ":private":
                self.here = self.chat
                return "(you are in your private chat with the bot)"
            case ":group" if "|" not in rest and not rest:
                self.here = self.group()
                return "(you are in the family group; :private to go back)"
            case ":group":
                name, _, words = rest.partition("|") if "|" in rest else ("", "", rest)
                self.here = self.group()
                return self.post(self.here, self.member(name.strip()), words.strip())
            case ":as" if rest in ("admin", "member"):
                return self.set_role(rest)
            case ":press" if rest:
                return self.press(rest)
            case ":fwd" if "|" in rest:
                name, _, words = rest.partition("|")
                self.here = self.chat
                return self.post(self.chat, self.user, words.strip(), forward_origin=origin_hidden_user(name.strip()))
            case ":reply":
                number, words = [*rest.split(maxsplit=1), "", ""][:2]
                if not number.isdigit() or not words.strip():
                    return "usage: :reply N TEXT (N is the #number shown next to a message)"
                if self.emu.message(self.here, int(number)) is None:
                    return f"no message #{number} in {self._where(self.here)}"
                return self.post(self.here, self.user, words.strip(), reply_to=int(number))
            case ":edit" if rest:
                if not self.last:
                    return "nothing to edit yet"
                chat_id, message_id = self.last[-1]
                self.emu.edit_message(chat_id, message_id, rest)
                return None
            case ":photo":
                self.here = self.chat
                return self.post(self.chat, self.user, None, photo=True, caption=rest or None)
            case ":image" if rest:
                path, _, caption = rest.partition("|")
                try:
                    data = Path(path.strip()).read_bytes()
                except OSError as exc:
                    return f"cannot read {path.strip()}: {exc.strerror or exc}"
                self.here = self.chat
                return self.post(self.chat, self.user, None, photo=data, caption=caption.strip() or None)
        return f"not a sandbox command: {line.splitlines()[0]!r}\n{HELP}"

    def post(self, chat: dict[str, Any], sender: dict[str, Any], words: str | None, **kwargs: Any) -> str | None:
        if not words and not kwargs.get("photo"):
            return "nothing to send"
        sent = self.emu.send_message(chat, sender, words, **kwargs)
        self.last.append((int(chat["id"]), int(sent["message_id"])))
        who = "you" if sender is self.user else sender["first_name"]
        return f"({who} #{sent['message_id']} in {self._where(chat)})"

    def press(self, data: str) -> str | None:
        others = [c for c in (self.chat, self.emu.world.chats.get(FAMILY_GROUP_ID)) if c is not None]
        chats = [self.here, *[c if isinstance(c, dict) else c.info for c in others]]
        for chat in dict((int(c["id"]), c) for c in chats).values():
            for message in reversed(self.emu.sent_messages(chat)):
                current = self.emu.message(chat, message["message_id"]) or {}
                rows = current.get("reply_markup", {}).get("inline_keyboard", [])
                if any(b.get("callback_data") == data for row in rows for b in row):
                    self.emu.press_button(chat, self.user, message["message_id"], data)
                    return None
        return f"no button with callback_data {data!r} in your chats"

    def _where(self, chat: dict[str, Any]) -> str:
        return "your private chat" if chat.get("type") == "private" else str(chat.get("title"))


async def run_console(
    emu: BotApiEmulator,
    *,
    user_id: int = SANDBOX_USER_ID,
    first_name: str = "You",
    language_code: str = "en",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    banner: str = "",
) -> None:
    """Chat with the bot on the terminal until ``:quit`` or end of input."""
    source, sink = stdin or sys.stdin, stdout or sys.stdout

    def write(text: str) -> None:
        sink.write(text + "\n")
        sink.flush()

    user = emu.user(user_id, first_name, language_code=language_code, username="sandbox_user")
    console = Console(emu, user, emu.private_chat(user))
    printer = asyncio.create_task(_print_bot_output(emu, write))
    write(HELP + banner)
    try:
        while True:
            line = await asyncio.to_thread(source.readline)
            if not line or (console.multi is None and line.strip() == ":quit"):
                break
            note = console.feed(line)
            if note:
                write(note)
    finally:
        printer.cancel()
