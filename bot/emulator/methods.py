"""The Bot API methods: what each call does to the world and what it answers.

Every handler takes the already decoded parameters and returns the ``result`` value, or
raises :class:`ApiError` with the status and wording Telegram uses.  Checks are ordered so
that a refused call changes nothing (no message id consumed, nothing recorded as sent).

Long because it is a table of Bot API methods, one short handler each, read side by side.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from .builders import media_object, strip_for_reply
from .entities import EntityParseError, detect_entities, finalize_text, parse_html, utf16_len
from .errors import ApiError
from .state import ADMIN_RIGHTS, ChatState, StoredFile, UploadedFile, World, chat_member

__all__ = ["BotApi", "Handler"]

_LOG = logging.getLogger(__name__)

Params = dict[str, Any]
Handler = Callable[[Params], Any | Awaitable[Any]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
)
_MEDIA_KINDS = ("photo", "document", "video", "voice", "audio", "animation")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def _int(p: Params, name: str, *, default: int | None = None) -> int:
    value = p.get(name)
    if value is None or value == "":
        if default is not None:
            return default
        raise ApiError.bad_request(f"{name} is empty")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError.bad_request(f"invalid {name} specified") from None


def _json(p: Params, name: str) -> Any:
    """A parameter that carries an object: already decoded, or JSON text from a plain form."""
    value = p.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError.bad_request(f"can't parse {name} JSON object") from None
    return value


def _flag(p: Params, name: str) -> bool:
    value = p.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


class BotApi:
    """Bot API method handlers over a :class:`World`; look them up with :meth:`handler`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._warned_parse_modes: set[str] = set()
        self._handlers: dict[str, Handler] = {
            name.replace("_", ""): getattr(self, name)
            for name in dir(self)
            if not name.startswith("_") and name not in ("handler", "world")
        }

    def handler(self, method: str) -> Handler | None:
        """The handler for a method name; Bot API method names are case-insensitive."""
        return self._handlers.get(method.lower())

    # -- shared checks --------------------------------------------------------------------
    def _chat(self, ref: Any) -> ChatState:
        if ref is None or ref == "":
            raise ApiError.bad_request("chat_id is empty")
        state = self.world.chat_by_ref(ref)
        if state is None:
            raise ApiError.bad_request("chat not found")
        if state.migrated_to is not None:
            raise ApiError.bad_request(
                "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": state.migrated_to}
            )
        return state

    def _writable_chat(self, p: Params) -> ChatState:
        """The target chat, refused the way Telegram refuses a bot that may not post there."""
        state = self._chat(p.get("chat_id"))
        kind = state.type
        if kind == "private":
            if state.blocked:
                raise ApiError.forbidden("bot was blocked by the user")
        elif state.bot_status == "kicked":
            raise ApiError.forbidden(f"bot was kicked from the {kind} chat")
        elif state.bot_status == "left":
            raise ApiError.forbidden(f"bot is not a member of the {kind} chat")
        elif kind == "channel" and not state.bot_is_admin():
            raise ApiError.bad_request("need administrator rights in the channel chat")
        return state

    def _formatted(
        self,
        text: Any,
        parse_mode: Any,
        entities: Any,
        *,
        limit: int,
        too_long: str,
        required: bool,
    ) -> tuple[str, list[dict[str, Any]]]:
        """Apply parse_mode or explicit entities, trim, enforce the length limit, add auto-entities."""
        if text is None or text == "":
            if required:
                raise ApiError.bad_request("message text is empty")
            return "", []
        text = str(text)
        found: list[dict[str, Any]] = []
        if parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    text, found = parse_html(text, self.world.users, strict_ampersand=self.world.strict_ampersand)
                except EntityParseError as exc:
                    raise ApiError.bad_request(f"can't parse entities: {exc}") from None
            elif mode in ("markdown", "markdownv2"):
                if mode not in self._warned_parse_modes:
                    self._warned_parse_modes.add(mode)
                    _LOG.warning("parse_mode %s is not parsed by the emulator; text is kept as sent", parse_mode)
            else:
                raise ApiError.bad_request("unsupported parse_mode")
        elif entities:
            decoded = json.loads(entities) if isinstance(entities, str) else entities
            found = [dict(e) for e in decoded]
        text, found = finalize_text(text, found)
        if not text and required:
            raise ApiError.bad_request("message text is empty")
        if utf16_len(text) > limit:
            raise ApiError.bad_request(too_long)
        return text, detect_entities(text, found)

    def _reply_to(self, p: Params, state: ChatState) -> dict[str, Any] | None:
        params = _json(p, "reply_parameters")
        if params is None and p.get("reply_to_message_id") not in (None, ""):
            params = {
                "message_id": p["reply_to_message_id"],
                "allow_sending_without_reply": _flag(p, "allow_sending_without_reply"),
            }
        if not params:
            return None
        target_chat = state
        if params.get("chat_id") not in (None, ""):
            target_chat = self._chat(params["chat_id"])
        target = self.world.message(target_chat.id, int(params.get("message_id", 0)))
        if target is None:
            if params.get("allow_sending_without_reply"):
                return None
            raise ApiError.bad_request("message to be replied not found")
        return strip_for_reply(target)

    @staticmethod
    def _inline_markup(markup: Any) -> dict[str, Any] | None:
        """Validate a reply_markup; only inline keyboards become part of the Message."""
        if isinstance(markup, str):
            markup = json.loads(markup) if markup else None
        if not markup:
            return None
        if not isinstance(markup, dict):
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None  # reply keyboards, ForceReply and ReplyKeyboardRemove are not echoed
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError.bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise ApiError.bad_request("can't parse inline keyboard button: Text must be non-empty")
                actions = set(button) - {"text", "icon_custom_emoji_id", "style"}
                if not actions:
                    raise ApiError.bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError.bad_request("BUTTON_DATA_INVALID")
        if not any(rows):
            return None
        return {"inline_keyboard": rows}

    def _post(self, state: ChatState, p: Params, content: dict[str, Any]) -> dict[str, Any]:
        """Create, store and record a message the bot sends (after all checks have passed)."""
        reply = self._reply_to(p, state)
        markup = self._inline_markup(p.get("reply_markup"))
        message: dict[str, Any] = {"message_id": state.take_message_id(), "date": self.world.now()}
        if state.type == "channel":
            message["sender_chat"] = dict(state.info)
        else:
            message["from"] = dict(self.world.bot_user)
        message["chat"] = dict(state.info)
        if p.get("message_thread_id") not in (None, "", 0):
            message["message_thread_id"] = int(p["message_thread_id"])
        if reply is not None:
            message["reply_to_message"] = reply
        message.update(content)
        if markup is not None:
            message["reply_markup"] = markup
        if _flag(p, "protect_content"):
            message["has_protected_content"] = True
        self.world.store_message(message, from_bot=True)
        summary = content.get("text", content.get("caption"))
        _LOG.debug("bot -> chat %s #%s: %r", state.id, message["message_id"], summary)
        self.world.notify()
        return message

    def _editable(self, p: Params) -> tuple[ChatState, dict[str, Any]]:
        if p.get("inline_message_id"):
            raise ApiError.bad_request("MESSAGE_ID_INVALID")
        state = self._chat(p.get("chat_id"))
        message_id = _int(p, "message_id")
        message = self.world.message(state.id, message_id)
        if message is None:
            raise ApiError.bad_request("message to edit not found")
        if (state.id, message_id) not in self.world.bot_messages:
            raise ApiError.bad_request("message can't be edited")
        return state, message

    def _record_edit(self, method: str, previous: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
        message["edit_date"] = self.world.now()
        self.world.edits.append(
            {
                "method": method,
                "chat_id": message["chat"]["id"],
                "message_id": message["message_id"],
                "previous": previous,
                "message": copy.deepcopy(message),
                "time": self.world.now(),
            }
        )
        self.world.notify()
        return message

    # -- updates and webhooks ---------------------------------------------------------------
    def get_me(self, p: Params) -> dict[str, Any]:
        return {
            **self.world.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.world.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        """Long polling: answer at once if updates wait, otherwise hold up to ``timeout`` s."""
        world = self.world
        if world.webhook_url:
            raise ApiError.conflict(
                "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
            )
        offset = _int(p, "offset", default=0)
        limit = min(max(_int(p, "limit", default=100), 1), 100)
        timeout = max(float(p.get("timeout") or 0), 0.0)
        world.set_allowed_updates(_json(p, "allowed_updates"))
        world.acknowledge(offset)
        world.poll_generation += 1
        generation = world.poll_generation
        world.notify()  # an older long poll still waiting is now terminated
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != world.poll_generation:
                raise ApiError.conflict(
                    "terminated by other getUpdates request; make sure that only one bot instance is running"
                )
            if world.updates:
                return copy.deepcopy(world.updates[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0 or world.closing:
                return []
            world.pollers_waiting += 1
            world.notify()
            try:
                await world.wait_changed(remaining)
            finally:
                world.pollers_waiting -= 1

    def delete_webhook(self, p: Params) -> bool:
        self.world.webhook_url = ""
        if _flag(p, "drop_pending_updates"):
            self.world.updates.clear()
        return True

    def set_webhook(self, p: Params) -> bool:
        url = str(p.get("url") or "")
        if url:
            _LOG.warning("setWebhook(%s): the emulator stores it but only serves updates by getUpdates", url)
        self.world.webhook_url = url
        if _flag(p, "drop_pending_updates"):
            self.world.updates.clear()
        return True

    def get_webhook_info(self, p: Params) -> dict[str, Any]:
        return {
            "url": self.world.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }

    def close(self, p: Params) -> bool:
        return True

    def log_out(self, p: Params) -> bool:
        return True

    # -- sending ------------------------------------------------------------------------------
    def send_message(self, p: Params) -> dict[str, Any]:
        state = self._writable_chat(p)
        text, entities = self._formatted(
            p.get("text"),
            p.get("parse_mode"),
            p.get("entities"),
            limit=MAX_TEXT,
            too_long="message is too long",
            required=True,
        )
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        preview = _json(p, "link_preview_options")
        if preview and any(e["type"] in ("url", "text_link") for e in entities):
            content["link_preview_options"] = preview
        return self._post(state, p, content)

    def _send_media(self, kind: str, p: Params) -> dict[str, Any]:
        state = self._writable_chat(p)
        value = p.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value[len("attach://") :])
        reuse: StoredFile | None = None
        data: bytes | None = None
        file_name = mime = None
        if isinstance(value, UploadedFile):
            data, file_name, mime = value.data, value.filename, value.content_type
        elif isinstance(value, str) and value in self.world.files:
            reuse = self.world.files[value]
        elif isinstance(value, str) and re.match(r"https?://", value):
            _LOG.info("%s by URL %s: the emulator does not download it", kind, value)
            data = f"placeholder for {value}".encode()
        elif value in (None, ""):
            raise ApiError.bad_request(f"there is no {kind} in the request")
        else:
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        caption, entities = self._formatted(
            p.get("caption"),
            p.get("parse_mode"),
            p.get("caption_entities"),
            limit=MAX_CAPTION,
            too_long="message caption is too long",
            required=False,
        )
        media = media_object(self.world, kind, data, file_name=file_name, mime_type=mime, reuse=reuse)
        content: dict[str, Any] = {kind: media}
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return self._post(state, p, content)

    def send_photo(self, p: Params) -> dict[str, Any]:
        return self._send_media("photo", p)

    def send_document(self, p: Params) -> dict[str, Any]:
        return self._send_media("document", p)

    def send_video(self, p: Params) -> dict[str, Any]:
        return self._send_media("video", p)

    def send_voice(self, p: Params) -> dict[str, Any]:
        return self._send_media("voice", p)

    def send_audio(self, p: Params) -> dict[str, Any]:
        return self._send_media("audio", p)

    def send_animation(self, p: Params) -> dict[str, Any]:
        return self._send_media("animation", p)

    def send_chat_action(self, p: Params) -> bool:
        self._writable_chat(p)
        if p.get("action") not in _CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        return True

    # -- editing and deleting -----------------------------------------------------------------
    def edit_message_text(self, p: Params) -> dict[str, Any]:
        _state, message = self._editable(p)
        if "text" not in message:
            raise ApiError.bad_request("there is no text in the message to edit")
        text, entities = self._formatted(
            p.get("text"),
            p.get("parse_mode"),
            p.get("entities"),
            limit=MAX_TEXT,
            too_long="message is too long",
            required=True,
        )
        # Telegram drops the inline keyboard when an edit does not repeat it.
        markup = self._inline_markup(p.get("reply_markup"))
        unchanged = text == message["text"] and entities == message.get("entities", [])
        if unchanged and markup == message.get("reply_markup"):
            raise ApiError.bad_request(_NOT_MODIFIED)
        previous = copy.deepcopy(message)
        message["text"] = text
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        self._set_markup(message, markup)
        return self._record_edit("editMessageText", previous, message)

    def edit_message_caption(self, p: Params) -> dict[str, Any]:
        _state, message = self._editable(p)
        if not any(kind in message for kind in _MEDIA_KINDS):
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption, entities = self._formatted(
            p.get("caption"),
            p.get("parse_mode"),
            p.get("caption_entities"),
            limit=MAX_CAPTION,
            too_long="message caption is too long",
            required=False,
        )
        markup = self._inline_markup(p.get("reply_markup"))
        if (
            caption == message.get("caption", "")
            and entities == message.get("caption_entities", [])
            and markup == message.get("reply_markup")
        ):
            raise ApiError.bad_request(_NOT_MODIFIED)
        previous = copy.deepcopy(message)
        for key in ("caption", "caption_entities"):
            message.pop(key, None)
        if caption:
            message["caption"] = caption
            if entities:
                message["caption_entities"] = entities
        self._set_markup(message, markup)
        return self._record_edit("editMessageCaption", previous, message)

    def edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        _state, message = self._editable(p)
        markup = self._inline_markup(p.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError.bad_request(_NOT_MODIFIED)
        previous = copy.deepcopy(message)
        self._set_markup(message, markup)
        return self._record_edit("editMessageReplyMarkup", previous, message)

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup

    def _delete_one(self, state: ChatState, message_id: int) -> None:
        key = (state.id, message_id)
        message = self.world.messages.get(key)
        if message is None:
            raise ApiError.bad_request("message to delete not found")
        own = key in self.world.bot_messages
        rights = {**ADMIN_RIGHTS, **state.bot_rights}
        may_moderate = state.bot_is_admin() and rights["can_delete_messages"]
        if not (own or state.type == "private" or may_moderate):
            raise ApiError.bad_request("message can't be deleted")
        del self.world.messages[key]
        self.world.bot_messages.discard(key)
        self.world.deleted.append(
            {"chat_id": state.id, "message_id": message_id, "message": message, "time": self.world.now()}
        )

    def delete_message(self, p: Params) -> bool:
        state = self._chat(p.get("chat_id"))
        self._delete_one(state, _int(p, "message_id"))
        self.world.notify()
        return True

    def delete_messages(self, p: Params) -> bool:
        state = self._chat(p.get("chat_id"))
        ids = _json(p, "message_ids") or []
        if not 1 <= len(ids) <= 100:
            raise ApiError.bad_request("message_ids must contain 1-100 identifiers")
        for message_id in ids:
            try:
                self._delete_one(state, int(message_id))
            except ApiError:
                continue  # deleteMessages skips what it cannot delete
        self.world.notify()
        return True

    # -- callback queries ---------------------------------------------------------------------
    def answer_callback_query(self, p: Params) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        query = self.world.open_callback_queries.pop(query_id, None)
        if query is None:
            raise ApiError.bad_request("query is too old and response timeout expired or query ID is invalid")
        text = p.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
        message = query.get("message") or {}
        self.world.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": _flag(p, "show_alert"),
                "url": p.get("url"),
                "cache_time": _int(p, "cache_time", default=0),
                "data": query.get("data"),
                "chat_id": message.get("chat", {}).get("id"),
                "message_id": message.get("message_id"),
                "time": self.world.now(),
            }
        )
        self.world.notify()
        return True

    # -- chats and members ------------------------------------------------------------------
    def get_chat(self, p: Params) -> dict[str, Any]:
        state = self._chat(p.get("chat_id"))
        info: dict[str, Any] = {
            **state.info,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if state.description:
            info["description"] = state.description
        if state.linked_chat_id is not None:
            info["linked_chat_id"] = state.linked_chat_id
        return info

    def _member(self, state: ChatState, user_id: int) -> dict[str, Any]:
        bot = self.world.bot_user
        if user_id == bot["id"]:
            status = "member" if state.type == "private" else state.bot_status
            return chat_member(bot, status, state.bot_rights)
        user = self.world.users.get(user_id)
        if user is None:
            raise ApiError.bad_request("user not found")
        if state.type == "private":
            return chat_member(user, "member" if user_id == state.id else "left")
        status = state.members.get(user_id, "left")
        return chat_member(user, status, state.admin_rights.get(user_id))

    def get_chat_member(self, p: Params) -> dict[str, Any]:
        state = self._chat(p.get("chat_id"))
        return self._member(state, _int(p, "user_id"))

    def get_chat_administrators(self, p: Params) -> list[dict[str, Any]]:
        state = self._chat(p.get("chat_id"))
        if state.type == "private":
            raise ApiError.bad_request("there are no administrators in the private chat")
        admins = [
            self._member(state, user_id)
            for user_id, status in state.members.items()
            if status in ("creator", "administrator")
        ]
        if state.bot_is_admin():
            admins.append(self._member(state, self.world.bot_user["id"]))
        return admins

    def get_chat_member_count(self, p: Params) -> int:
        state = self._chat(p.get("chat_id"))
        if state.type == "private":
            return 2
        present = ("creator", "administrator", "member", "restricted")
        return sum(status in present for status in state.members.values()) + (state.bot_status in present)

    def leave_chat(self, p: Params) -> bool:
        state = self._chat(p.get("chat_id"))
        if state.type == "private":
            raise ApiError.bad_request("chat member status can't be changed in private chats")
        if state.bot_status in ("left", "kicked"):
            raise ApiError.forbidden(f"bot is not a member of the {state.type} chat")
        self.world.change_bot_status(state, self.world.bot_user, "left")
        return True

    # -- bot profile ----------------------------------------------------------------------------
    @staticmethod
    def _scope_key(p: Params) -> tuple[str, str]:
        scope = _json(p, "scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    def set_my_commands(self, p: Params) -> bool:
        commands = _json(p, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError.bad_request("commands must be an array of at most 100 BotCommand objects")
        for command in commands:
            if not _COMMAND_RE.match(str(command.get("command", ""))):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.world.commands[self._scope_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def get_my_commands(self, p: Params) -> list[dict[str, Any]]:
        return list(self.world.commands.get(self._scope_key(p), []))

    def delete_my_commands(self, p: Params) -> bool:
        self.world.commands.pop(self._scope_key(p), None)
        return True

    def _set_text(self, p: Params, kind: str, limit: int) -> bool:
        value = str(p.get(kind) or "")
        if len(value) > limit:
            raise ApiError.bad_request(f"{kind.replace('_', ' ')} is too long")
        self.world.bot_texts[(kind, str(p.get("language_code") or ""))] = value
        return True

    def _get_text(self, p: Params, kind: str) -> dict[str, str]:
        language = str(p.get("language_code") or "")
        texts = self.world.bot_texts
        return {kind: texts.get((kind, language), texts.get((kind, ""), ""))}

    def set_my_description(self, p: Params) -> bool:
        return self._set_text(p, "description", 512)

    def get_my_description(self, p: Params) -> dict[str, str]:
        return self._get_text(p, "description")

    def set_my_short_description(self, p: Params) -> bool:
        return self._set_text(p, "short_description", 120)

    def get_my_short_description(self, p: Params) -> dict[str, str]:
        return self._get_text(p, "short_description")

    def set_my_name(self, p: Params) -> bool:
        return self._set_text(p, "name", 64)

    def get_my_name(self, p: Params) -> dict[str, str]:
        texts = self._get_text(p, "name")
        return {"name": texts["name"] or self.world.bot_user["first_name"]}

    # -- files ------------------------------------------------------------------------------------
    def get_file(self, p: Params) -> dict[str, Any]:
        stored = self.world.files.get(str(p.get("file_id") or ""))
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }
