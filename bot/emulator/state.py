"""What the emulated Telegram knows: users, chats, messages, files, the update queue, records.

Kept free of HTTP and of Bot API argument handling so that both sides that change it (the
bot through HTTP, the test through the simulation API) work on one consistent picture.  All
of it is meant to be touched from the event loop that runs the server only.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import logging
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ADMIN_RIGHTS",
    "CHANNEL_BOT",
    "DEFAULT_ALLOWED_UPDATES",
    "GROUP_ANONYMOUS_BOT",
    "ApiCall",
    "ChatState",
    "StoredFile",
    "UploadedFile",
    "World",
    "chat_member",
]

_LOG = logging.getLogger(__name__)

# The service accounts Telegram puts into ``from`` when a message is sent on behalf of a chat.
GROUP_ANONYMOUS_BOT: dict[str, Any] = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
CHANNEL_BOT: dict[str, Any] = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}

# What Telegram delivers when a bot never said otherwise: everything but these three.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DEFAULT_ALLOWED_UPDATES: frozenset[str] = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "purchased_paid_media",
    }
)

# Rights of an administrator unless a test says otherwise (all Bot API fields PTB requires).
ADMIN_RIGHTS: dict[str, bool] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def chat_member(user: dict[str, Any], status: str, rights: dict[str, bool] | None = None) -> dict[str, Any]:
    """A ChatMember object with every field PTB requires for that status."""
    member: dict[str, Any] = {"status": status, "user": dict(user)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(ADMIN_RIGHTS)
        member.update(rights or {})
    elif status == "kicked":
        member["until_date"] = 0
    return member


@dataclass
class ApiCall:
    """One HTTP request the bot made: ``status`` is ``None`` while it is being answered."""

    method: str
    params: dict[str, Any]
    time: float
    status: int | None = None
    description: str | None = None


@dataclass
class UploadedFile:
    """A file part of a multipart request (what PTB sends for ``InputFile``)."""

    name: str
    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:  # keep request logs readable
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes)"


@dataclass
class StoredFile:
    """A file the emulated server can hand out through getFile and the file URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChatState:
    """A chat plus what only the server knows about it (membership, rights, id counters)."""

    info: dict[str, Any]
    members: dict[int, str] = field(default_factory=dict)
    admin_rights: dict[int, dict[str, bool]] = field(default_factory=dict)
    bot_status: str = "member"
    bot_rights: dict[str, bool] = field(default_factory=dict)
    blocked: bool = False
    migrated_to: int | None = None
    linked_chat_id: int | None = None
    description: str | None = None
    next_message_id: int = 1

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def type(self) -> str:
        return str(self.info["type"])

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def bot_is_admin(self) -> bool:
        return self.bot_status in ("administrator", "creator")


class World:
    """The single source of truth shared by the HTTP side and the simulation side."""

    def __init__(self, bot_user: dict[str, Any], *, privacy_mode: bool = True, strict_ampersand: bool = False) -> None:
        self.bot_user = bot_user
        self.privacy_mode = privacy_mode
        self.strict_ampersand = strict_ampersand
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.bot_messages: set[tuple[int, int]] = set()
        self.files: dict[str, StoredFile] = {}
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.webhook_url = ""
        self.open_callback_queries: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.calls: list[ApiCall] = []
        self.sent: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.deleted: list[dict[str, Any]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.poll_generation = 0
        self.pollers_waiting = 0
        self.inflight = 0
        self.closing = False
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()

    # -- change notification ------------------------------------------------------------
    def notify(self) -> None:
        """Wake everything waiting for a change (long polls, ``wait_for_*``)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_changed(self, seconds: float) -> None:
        """Sleep until the next :meth:`notify` or ``seconds`` pass, whichever is first."""
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=max(seconds, 0))

    # -- identities -----------------------------------------------------------------------
    @staticmethod
    def now() -> int:
        return int(time.time())

    def unique(self, prefix: str) -> str:
        """A fresh id (file ids, callback query ids) that is stable within one run."""
        return f"{prefix}{next(self._ids)}"

    def chat_by_ref(self, ref: Any) -> ChatState | None:
        """Resolve a ``chat_id`` as sent by a bot: an int, a numeric string or ``@username``."""
        if isinstance(ref, str) and ref.startswith("@"):
            wanted = ref[1:].lower()
            for state in self.chats.values():
                username = state.info.get("username")
                if username and username.lower() == wanted and state.type != "private":
                    return state
            return None
        try:
            return self.chats.get(int(ref))
        except (TypeError, ValueError):
            return None

    # -- messages ---------------------------------------------------------------------------
    def store_message(self, message: dict[str, Any], *, from_bot: bool) -> dict[str, Any]:
        key = (int(message["chat"]["id"]), int(message["message_id"]))
        self.messages[key] = message
        if from_bot:
            self.bot_messages.add(key)
            self.sent.append(copy.deepcopy(message))
        return message

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        return self.messages.get((chat_id, message_id))

    # -- files ------------------------------------------------------------------------------
    def add_file(self, kind: str, data: bytes, extension: str, **meta: Any) -> StoredFile:
        number = next(self._ids)
        stored = StoredFile(
            file_id=f"EMU{kind.upper()}{number:06d}AgADbQADemulatorFileId",
            file_unique_id=f"AQAD{number:06d}",
            file_path=f"{kind}s/file_{number}.{extension}",
            data=data,
            meta=meta,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == path), None)

    # -- updates ----------------------------------------------------------------------------
    def enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update unless the bot's ``allowed_updates`` exclude it (Telegram drops those)."""
        if kind not in self.allowed_updates:
            _LOG.info("update %s not queued: not in the bot's allowed_updates", kind)
            return None
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.updates.append(update)
        _LOG.debug("queued update %s (%s)", update["update_id"], kind)
        self.notify()
        return update

    def acknowledge(self, offset: int) -> None:
        """Forget confirmed updates, with getUpdates' positive and negative offset rules."""
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        if allowed is None:
            return
        self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        unknown = self.allowed_updates - DEFAULT_ALLOWED_UPDATES - _OPT_IN_UPDATES
        if unknown:
            _LOG.debug("allowed_updates names types the emulator never produces: %s", sorted(unknown))

    # -- membership -------------------------------------------------------------------------
    def change_bot_status(
        self,
        state: ChatState,
        actor: dict[str, Any],
        status: str,
        rights: dict[str, bool] | None = None,
    ) -> dict[str, Any] | None:
        """Move the bot to ``status`` in a chat and queue the ``my_chat_member`` update for it."""
        old = chat_member(self.bot_user, state.bot_status, state.bot_rights)
        state.bot_status = status
        state.bot_rights = dict(rights or {}) if status == "administrator" else {}
        new = chat_member(self.bot_user, status, state.bot_rights)
        payload = {
            "chat": dict(state.info),
            "from": dict(actor),
            "date": self.now(),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        return self.enqueue("my_chat_member", payload)
