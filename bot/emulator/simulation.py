"""The user side: people, chats and what they do, turned into the updates Telegram would send.

Each action stores what it creates (so the bot can reply to it, edit near it, delete it) and
queues the update the bot would receive, applying the delivery rules that change what a bot
sees in production: group privacy mode, membership, ``allowed_updates``.

Long because it is a catalogue of user actions (send, forward, edit, join, press …), one
method each, all sharing the same delivery rules.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from .builders import media_object, origin_channel, strip_for_reply
from .entities import detect_entities
from .state import CHANNEL_BOT, GROUP_ANONYMOUS_BOT, ChatState, World

__all__ = ["UserSimulation"]

_LOG = logging.getLogger(__name__)

ChatRef = dict[str, Any] | int
UserRef = dict[str, Any] | int

_SERVICE_KEYS = frozenset(
    {"new_chat_members", "left_chat_member", "migrate_to_chat_id", "migrate_from_chat_id", "group_chat_created"}
)


class UserSimulation:
    """Mixin for :class:`BotApiEmulator`: everything a test does as a Telegram user."""

    world: World

    # -- lookups ----------------------------------------------------------------------------
    def _state(self, chat: ChatRef | ChatState) -> ChatState:
        if isinstance(chat, ChatState):
            return chat
        chat_id = int(chat["id"]) if isinstance(chat, dict) else int(chat)
        state = self.world.chats.get(chat_id)
        if state is None:
            raise KeyError(f"unknown chat {chat_id}: create it with private_chat(), group() or channel()")
        return state

    def _user(self, user: UserRef) -> dict[str, Any]:
        user_id = int(user["id"]) if isinstance(user, dict) else int(user)
        if user_id in self.world.users:
            return self.world.users[user_id]
        if isinstance(user, dict):
            self.world.users[user_id] = dict(user)
            return self.world.users[user_id]
        raise KeyError(f"unknown user {user_id}: create it with user()")

    # -- people and chats -------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str | None = "en",
        username: str | None = None,
        is_bot: bool = False,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """Register a Telegram user and return its ``User`` object."""
        user: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.world.users[user_id] = user
        return user

    def private_chat(self, user: UserRef) -> dict[str, Any]:
        """The private chat between ``user`` and the bot (its id is the user's id)."""
        person = self._user(user)
        state = self.world.chats.get(person["id"])
        if state is None:
            info = {"id": person["id"], "type": "private", "first_name": person["first_name"]}
            for key in ("last_name", "username"):
                if key in person:
                    info[key] = person[key]
            state = ChatState(info=info)
            self.world.chats[person["id"]] = state
        return state.info

    def group(
        self, chat_id: int, title: str, *, supergroup: bool = False, username: str | None = None
    ) -> dict[str, Any]:
        """A group the bot is not yet in (use :meth:`add_bot_to_group`)."""
        if chat_id >= 0:
            raise ValueError("group ids are negative (supergroups look like -100xxxxxxxxxx)")
        info: dict[str, Any] = {"id": chat_id, "title": title, "type": "supergroup" if supergroup else "group"}
        if username:
            info["username"] = username
        self.world.chats[chat_id] = ChatState(info=info, bot_status="left")
        return info

    def channel(self, chat_id: int, title: str, *, username: str | None = None) -> dict[str, Any]:
        """A channel; bots only see channel posts as administrators (:meth:`add_bot_to_group`)."""
        if chat_id >= 0:
            raise ValueError("channel ids are negative (-100xxxxxxxxxx)")
        info: dict[str, Any] = {"id": chat_id, "title": title, "type": "channel"}
        if username:
            info["username"] = username
        self.world.chats[chat_id] = ChatState(info=info, bot_status="left")
        return info

    def link_channel(self, channel: ChatRef, group: ChatRef) -> None:
        """Make ``group`` the discussion group of ``channel`` (posts get auto-forwarded there)."""
        channel_state, group_state = self._state(channel), self._state(group)
        channel_state.linked_chat_id = group_state.id
        group_state.linked_chat_id = channel_state.id

    # -- delivery ---------------------------------------------------------------------------
    def _visible_to_bot(self, state: ChatState, message: dict[str, Any]) -> bool:
        """Telegram's delivery rules for a message in a chat the bot may or may not read."""
        if state.type == "private":
            return not state.blocked
        if state.bot_status in ("left", "kicked"):
            return False
        if state.type == "channel" or state.bot_is_admin() or not self.world.privacy_mode:
            return True
        if _SERVICE_KEYS & message.keys():
            return True
        reply = message.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.world.bot_user["id"]:
            return True
        text = message.get("text") or message.get("caption") or ""
        entities = message.get("entities") or message.get("caption_entities") or []
        first = next((e for e in entities if e["offset"] == 0 and e["type"] == "bot_command"), None)
        if first is not None:
            command = text[: first["length"]]
            target = command.partition("@")[2]
            # "/cmd" reaches every bot; the emulator has only this one to be "the last bot".
            return not target or target.lower() == self.world.bot_user["username"].lower()
        return False

    def _deliver(self, state: ChatState, kind: str, message: dict[str, Any]) -> None:
        if not self._visible_to_bot(state, message):
            _LOG.info(
                "message %s in %s %s not delivered to the bot (privacy mode or not a member)",
                message.get("message_id"),
                state.type,
                state.id,
            )
            return
        if state.type == "channel":
            kind = "channel_post" if kind == "message" else "edited_channel_post"
        self.world.enqueue(kind, copy.deepcopy(message))

    # -- messages -------------------------------------------------------------------------------
    def send_message(
        self,
        chat: ChatRef,
        from_user: UserRef | None,
        text: str | None = None,
        *,
        forward_origin: dict[str, Any] | None = None,
        reply_to: int | None = None,
        media_group_id: str | None = None,
        photo: bool | bytes = False,
        video: bool | bytes = False,
        voice: bool | bytes = False,
        document: bool | bytes = False,
        sticker: bool | bytes = False,
        animation: bool | bytes = False,
        file_name: str | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        reply_markup: dict[str, Any] | None = None,
        sender_chat: dict[str, Any] | None = None,
        is_automatic_forward: bool = False,
    ) -> dict[str, Any]:
        """A user (or a chat, via ``sender_chat``) posts a message; returns the Message dict.

        ``from_user=None`` with ``sender_chat`` set sends on behalf of a chat: the group itself
        (anonymous admin, ``from`` = GroupAnonymousBot) or a channel (``from`` = Channel bot).
        In a channel ``from_user`` is ignored and the update is a ``channel_post``.
        Media flags take ``True`` (placeholder bytes) or the file's bytes; an animation is also its
        ``document``, as in Telegram. ``entities`` (of the text, or of the caption when there is media)
        are kept as given, e.g. a ``text_link`` hiding a URL behind other words, and Telegram's own
        (urls, mentions) are detected around them; ``reply_markup`` is the message's inline keyboard,
        as a forwarded channel post or bot message carries it.
        """
        state = self._state(chat)
        message: dict[str, Any] = {"message_id": state.take_message_id(), "date": self.world.now()}
        if state.type == "channel":
            message["sender_chat"] = dict(state.info)
        elif sender_chat is not None:
            is_group_itself = int(sender_chat["id"]) == state.id
            message["from"] = dict(GROUP_ANONYMOUS_BOT if is_group_itself else CHANNEL_BOT)
            message["sender_chat"] = dict(sender_chat)
        elif from_user is not None:
            message["from"] = dict(self._user(from_user))
        else:
            raise ValueError("a message needs from_user or sender_chat (except in channels)")
        message["chat"] = dict(state.info)
        if forward_origin is not None:
            message["forward_origin"] = dict(forward_origin)
        if is_automatic_forward:
            message["is_automatic_forward"] = True
        if reply_to is not None:
            target = self.world.message(state.id, reply_to)
            if target is None:
                raise KeyError(f"no message {reply_to} in chat {state.id} to reply to")
            message["reply_to_message"] = strip_for_reply(target)
        if media_group_id is not None:
            message["media_group_id"] = media_group_id
        media = {
            "photo": photo,
            "video": video,
            "voice": voice,
            "document": document,
            "sticker": sticker,
            "animation": animation,
        }
        has_media = False
        for kind, value in media.items():
            if value is not False:
                data = value if isinstance(value, bytes) else None
                message[kind] = media_object(self.world, kind, data, file_name=file_name, mime_type=mime_type)
                has_media = True
        if "animation" in message:
            message["document"] = dict(message["animation"])
        if has_media:
            body = caption if caption is not None else text
            if body:
                message["caption"] = body
                found = detect_entities(body, entities)
                if found:
                    message["caption_entities"] = found
        else:
            if not text:
                raise ValueError("a text message needs text (or pass a media flag)")
            message["text"] = text
            found = detect_entities(text, entities)
            if found:
                message["entities"] = found
        if reply_markup is not None:
            message["reply_markup"] = reply_markup
        self.world.store_message(message, from_bot=False)
        self._deliver(state, "message", message)
        if state.type == "channel" and state.linked_chat_id is not None and not forward_origin:
            self._relay_to_discussion(state, message)
        return message

    def _relay_to_discussion(self, channel: ChatState, post: dict[str, Any]) -> dict[str, Any] | None:
        group = self.world.chats.get(channel.linked_chat_id or 0)
        if group is None:
            return None
        kwargs: dict[str, Any] = {}
        for kind in ("photo", "video", "voice", "document"):
            if kind in post:
                kwargs[kind] = self.world.files[_main_file_id(post[kind])].data
        return self.send_message(
            group.id,
            None,
            post.get("text") or post.get("caption"),
            sender_chat=channel.info,
            forward_origin=origin_channel(channel.info, post["message_id"], date=post["date"]),
            is_automatic_forward=True,
            **kwargs,
        )

    def anonymous_admin_message(self, group: ChatRef, text: str, **kwargs: Any) -> dict[str, Any]:
        """A message an anonymous administrator sends: ``from`` is GroupAnonymousBot."""
        state = self._state(group)
        return self.send_message(group, None, text, sender_chat=state.info, **kwargs)

    def linked_channel_post(self, group: ChatRef, channel: ChatRef, text: str, **kwargs: Any) -> dict[str, Any]:
        """A channel post and its automatic forward into the linked group; returns the latter."""
        channel_state, group_state = self._state(channel), self._state(group)
        self.link_channel(channel_state.id, group_state.id)
        post = self.send_message(channel_state.id, None, text, **kwargs)
        relayed = self.world.message(group_state.id, group_state.next_message_id - 1)
        if relayed is None or relayed.get("forward_origin", {}).get("message_id") != post["message_id"]:
            raise RuntimeError("the channel post was not relayed into the linked group")
        return relayed

    def edit_message(self, chat: ChatRef, message_id: int, new_text: str) -> dict[str, Any]:
        """The author edits a message: an ``edited_message`` (or ``edited_channel_post``) update."""
        state = self._state(chat)
        message = self.world.message(state.id, message_id)
        if message is None:
            raise KeyError(f"no message {message_id} in chat {state.id}")
        if (state.id, message_id) in self.world.bot_messages:
            raise ValueError("users cannot edit the bot's messages")
        field, entities_field = ("caption", "caption_entities") if "text" not in message else ("text", "entities")
        message[field] = new_text
        message.pop(entities_field, None)
        entities = detect_entities(new_text)
        if entities:
            message[entities_field] = entities
        message["edit_date"] = self.world.now()
        self._deliver(state, "edited_message", message)
        return message

    def press_button(
        self, chat: ChatRef, from_user: UserRef, message_id: int, callback_data: str, *, forged: bool = False
    ) -> dict[str, Any]:
        """Press an inline button of a bot message; returns the ``CallbackQuery`` dict.

        ``forged=True`` sends ``callback_data`` the message does not offer, as a modified client
        can: Telegram does not check callback data against the message's buttons.
        """
        state = self._state(chat)
        message = self.world.message(state.id, message_id)
        if message is None or (state.id, message_id) not in self.world.bot_messages:
            raise KeyError(f"message {message_id} in chat {state.id} is not a message the bot sent")
        buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
        if not forged and not any(b.get("callback_data") == callback_data for b in buttons):
            offered = [b.get("callback_data") for b in buttons if "callback_data" in b]
            raise ValueError(f"no button with callback_data {callback_data!r}; the message offers {offered}")
        query: dict[str, Any] = {
            "id": self.world.unique("49530"),
            "from": dict(self._user(from_user)),
            "message": copy.deepcopy(message),
            "chat_instance": str(abs(state.id) * 7919 % 10**19),
            "data": callback_data,
        }
        self.world.open_callback_queries[query["id"]] = query
        self.world.enqueue("callback_query", copy.deepcopy(query))
        return query

    # -- membership -----------------------------------------------------------------------------
    def _ensure_creator(self, state: ChatState, user: dict[str, Any]) -> None:
        if user["id"] not in state.members:
            has_creator = "creator" in state.members.values()
            state.members[user["id"]] = "member" if has_creator else "creator"

    def add_bot_to_group(self, chat: ChatRef, by_user: UserRef, *, as_admin: bool = False) -> list[dict[str, Any]]:
        """``by_user`` adds the bot: ``my_chat_member`` plus a ``new_chat_members`` message.

        Works for channels too (bots are always administrators there, and get no service
        message).  Returns the queued updates.
        """
        state = self._state(chat)
        actor = self._user(by_user)
        self._ensure_creator(state, actor)
        admin = as_admin or state.type == "channel"
        before = len(self.world.updates)
        self.world.change_bot_status(state, actor, "administrator" if admin else "member")
        if state.type != "channel":
            service = {
                "message_id": state.take_message_id(),
                "from": dict(actor),
                "chat": dict(state.info),
                "date": self.world.now(),
                "new_chat_members": [dict(self.world.bot_user)],
            }
            self.world.store_message(service, from_bot=False)
            self._deliver(state, "message", service)
        return self.world.updates[before:]

    def remove_bot_from_group(self, chat: ChatRef, by_user: UserRef) -> list[dict[str, Any]]:
        """``by_user`` removes the bot: a ``my_chat_member`` update (the bot sees nothing else)."""
        state = self._state(chat)
        before = len(self.world.updates)
        status = "left" if state.type == "group" else "kicked"
        self.world.change_bot_status(state, self._user(by_user), status)
        return self.world.updates[before:]

    def set_bot_admin(
        self,
        chat: ChatRef,
        is_admin: bool = True,
        *,
        by_user: UserRef | None = None,
        rights: dict[str, bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Promote or demote the bot (``rights`` override the default admin rights)."""
        state = self._state(chat)
        actor = self._user(by_user) if by_user is not None else self._chat_owner(state)
        before = len(self.world.updates)
        self.world.change_bot_status(state, actor, "administrator" if is_admin else "member", rights)
        return self.world.updates[before:]

    def _chat_owner(self, state: ChatState) -> dict[str, Any]:
        for user_id, status in state.members.items():
            if status == "creator" and user_id in self.world.users:
                return self.world.users[user_id]
        raise ValueError(f"chat {state.id} has no known creator; pass by_user")

    def set_admins(self, chat: ChatRef, user_ids: list[int], *, rights: dict[str, bool] | None = None) -> None:
        """Make exactly these users administrators (the creator stays creator)."""
        state = self._state(chat)
        for user_id, status in list(state.members.items()):
            if status == "administrator" and user_id not in user_ids:
                state.members[user_id] = "member"
        for user_id in user_ids:
            if state.members.get(user_id) != "creator":
                state.members[user_id] = "administrator"
                state.admin_rights[user_id] = dict(rights or {})

    def add_member(self, chat: ChatRef, user: UserRef) -> None:
        """Make ``user`` a member without a service message (for getChatMember checks)."""
        state = self._state(chat)
        state.members.setdefault(self._user(user)["id"], "member")

    def block_bot(self, user: UserRef, *, blocked: bool = True) -> dict[str, Any] | None:
        """The user blocks (or unblocks) the bot: sends fail with 403, ``my_chat_member`` queued."""
        person = self._user(user)
        self.private_chat(person)
        state = self.world.chats[person["id"]]
        state.blocked = blocked
        return self.world.change_bot_status(state, person, "kicked" if blocked else "member")

    def migrate_to_supergroup(self, chat: ChatRef, new_id: int, *, by_user: UserRef | None = None) -> dict[str, Any]:
        """Upgrade a group: service messages in both chats; the old id then answers 400 + migrate_to_chat_id."""
        old = self._state(chat)
        if old.type != "group":
            raise ValueError("only basic groups migrate to supergroups")
        actor = self._user(by_user) if by_user is not None else self._chat_owner(old)
        info = {**old.info, "id": new_id, "type": "supergroup"}
        new = ChatState(
            info=info,
            members=dict(old.members),
            admin_rights=copy.deepcopy(old.admin_rights),
            bot_status=old.bot_status,
            bot_rights=dict(old.bot_rights),
        )
        self.world.chats[new_id] = new
        notice = {
            "message_id": old.take_message_id(),
            "from": dict(actor),
            "chat": dict(old.info),
            "date": self.world.now(),
            "migrate_to_chat_id": new_id,
        }
        self.world.store_message(notice, from_bot=False)
        self._deliver(old, "message", notice)
        old.migrated_to = new_id
        origin = {
            "message_id": new.take_message_id(),
            "from": dict(GROUP_ANONYMOUS_BOT),
            "sender_chat": dict(info),
            "chat": dict(info),
            "date": self.world.now(),
            "migrate_from_chat_id": old.id,
        }
        self.world.store_message(origin, from_bot=False)
        self._deliver(new, "message", origin)
        return info


def _main_file_id(media: Any) -> str:
    """The file id of the full-size version (the last PhotoSize for photos)."""
    if isinstance(media, list):
        return str(media[-1]["file_id"])
    return str(media["file_id"])
