"""``/kb``, ``/review``, ``/cancel``, typed input and buttons: Telegram updates routed to the admin flows.

Only the ids in ``ADMIN_IDS`` may change what the bot knows; anyone else gets a polite
refusal and the attempt is logged. A filter lets typed input reach the flows only while
the admin's current step expects it (see :mod:`.flows`), so an admin forwarding a
message with no step open gets the ordinary assessment like anyone else. Every
confirming button carries its session's token: a stale "Save" under an old preview
cannot save a newer draft.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.adapter.admin import adding, changing, review, views
from bot.adapter.admin.flows import AdminSession, Flow, Sessions
from bot.adapter.admin.forms import EDITABLE_FIELDS, SEVERITIES
from bot.adapter.admin.state import AdminState
from bot.adapter.admin.ui import Alert, Conversation, drop_keyboard, edit
from bot.adapter.callbacks import (
    Callback,
    KbCancel,
    KbCategories,
    KbCategory,
    KbConfirm,
    KbConfirmLast,
    KbDone,
    KbEdit,
    KbEditField,
    KbHistory,
    KbPickCategory,
    KbPickSeverity,
    KbRemove,
    KbShow,
    KbUndo,
    decode,
    pattern,
)
from bot.adapter.languages import admin_language
from bot.adapter.sending import send
from bot.core.i18n import text
from bot.core.taxonomy import SCAM_CATEGORIES
from bot.kb.service import KnowledgeService
from bot.storage import Store

log = logging.getLogger(__name__)

_FINISH: dict[Flow, Callable[[AdminState, Conversation, AdminSession], Awaitable[None]]] = {
    Flow.ADD: adding.save_new,
    Flow.EDIT: changing.save_edit,
    Flow.REMOVE: changing.remove,
    Flow.UNDO: changing.undo,
}
"""What a confirmed flow does."""


def split_words(line: str, count: int) -> tuple[list[str], str]:
    """The first ``count`` words and the rest with its line breaks (an example keeps its layout)."""
    words: list[str] = []
    rest = line
    for _ in range(count):
        rest = rest.lstrip()
        match = re.match(r"\S+", rest)
        if match is None:
            break
        words.append(match.group())
        rest = rest[match.end() :]
    return words, rest.strip()


class _InSession(filters.MessageFilter):
    """Text from an admin whose current step waits for typed input; everything else passes by."""

    def __init__(self, state: AdminState) -> None:
        super().__init__(name="KnowledgeAdmin.in_session")
        self._state = state

    def filter(self, message: Message) -> bool:
        user = message.from_user
        if user is None or not self._state.is_admin(user):
            return False
        session = self._state.sessions.get(user.id)
        return session is not None and session.expects_text


class KnowledgeAdmin:
    """``/kb`` and ``/review`` for the ids in ``ADMIN_IDS``, in private chats only."""

    def __init__(self, admin_ids: list[int], knowledge: KnowledgeService, store: Store) -> None:
        self.state = AdminState(knowledge, store, frozenset(admin_ids))

    @property
    def sessions(self) -> Sessions:
        """The admins' open flows (empty when nobody is in the middle of one)."""
        return self.state.sessions

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # an edited command must not run twice
        admins = filters.User(user_id=self.state.admin_ids)
        return [
            CommandHandler("kb", self._cmd_kb, filters=private),
            CommandHandler("review", self._cmd_review, filters=private),
            CommandHandler("cancel", self._cmd_cancel, filters=private & admins),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND & _InSession(self.state), self._on_session_text),
            CallbackQueryHandler(self._on_callback, pattern=pattern("kb", "rv")),
        ]

    async def _admin_chat(self, update: Update, what: str) -> tuple[Message, Conversation] | None:
        """The admin's message and conversation; a non-admin is refused politely (and logged)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return None
        if not self.state.is_admin(user):
            log.warning("refused %s from non-admin user %s", what, user.id)
            await send(message.get_bot(), message.chat_id, text("refused", admin_language(user)))
            return None
        return message, Conversation(message.get_bot(), message.chat_id, user, admin_language(user))

    # Commands
    async def _cmd_review(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        admin = await self._admin_chat(update, "/review")
        if admin is not None:
            await review.show_next(self.state, admin[1])

    async def _cmd_cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        session = self.state.sessions.end(user.id)
        if session is not None:
            log.info("admin %s cancelled /kb %s", user.id, session.flow)
        body = text("cancelled" if session else "nothing_to_cancel", admin_language(user))
        await send(context.bot, message.chat_id, body)

    async def _cmd_kb(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        admin = await self._admin_chat(update, "/kb")
        if admin is None:
            return
        message, chat = admin
        state = self.state
        words, rest = split_words(message.text or "", 3)  # "/kb", what, which pattern; then free text
        sub = words[1].lower() if len(words) > 1 else "list"
        pattern_id = words[2].lower() if len(words) > 2 else None
        simple: dict[str, Callable[[], Awaitable[object]]] = {
            "list": lambda: chat.say(*views.overview(state.knowledge.kb, chat.language)),
            "ls": lambda: chat.say(*views.overview(state.knowledge.kb, chat.language)),
            "help": lambda: chat.say(chat.t("kb_help")),
            "add": lambda: adding.start_add(state, chat),
            "history": lambda: changing.show_history(state, chat, pattern_id),
            "undo": lambda: changing.start_undo(state, chat, pattern_id),
        }
        if sub in simple:
            await simple[sub]()
            return
        if sub not in ("show", "example", "counter", "edit", "remove", "delete", "restore"):
            shown = state.live(sub)
            if shown is not None:  # "/kb some_id" shows it
                await changing.show(state, chat, shown)
            else:
                await chat.say(chat.t("kb_help"))
            return
        if not pattern_id:
            usage = f"/kb {sub} ID" + (" FIELD" if sub == "edit" else "")
            await chat.say(chat.t("needs_id", usage=escape(usage)))
            return
        if sub == "restore":
            await changing.restore(state, chat, pattern_id)
            return
        live = state.live(pattern_id)
        if live is None:
            await changing.not_found(state, chat, pattern_id)
        elif sub == "show":
            await changing.show(state, chat, live)
        elif sub in ("remove", "delete"):
            await changing.start_remove(state, chat, live)
        elif sub in ("example", "counter"):
            await adding.example_command(state, chat, message, live, sub == "counter", rest)
        else:
            target_words, value = split_words(message.text or "", 4)
            target = target_words[3] if len(target_words) > 3 else None
            await changing.start_edit(state, chat, live, target, value or None)

    # Typed input
    async def _on_session_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        session = self.state.sessions.get(user.id)
        if session is None or not session.expects_text:
            return  # expired or moved on between the filter and here
        chat = Conversation(message.get_bot(), message.chat_id, user, admin_language(user))
        if session.flow == Flow.ADD:
            await adding.add_input(self.state, chat, message, session)
        elif session.flow == Flow.EDIT:
            await changing.edit_value(self.state, chat, session, message.text or "")
        elif session.flow == Flow.MESSAGE and session.pattern_id:
            self.state.sessions.end(user.id)
            await adding.add_example(self.state, chat, session.pattern_id, message.text or "", session.counter)

    # Buttons
    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or not query.data:
            return
        user = query.from_user
        if not self.state.is_admin(user):
            log.warning("refused button %s from non-admin user %s", query.data[:20], user.id)
            await query.answer(text("refused", admin_language(user))[:190], show_alert=True)
            return
        chat_id = query.message.chat.id if query.message else user.id
        chat = Conversation(context.bot, chat_id, user, admin_language(user))
        data = decode(query.data)
        notice: str | None = None
        try:
            if data is None:
                notice = Alert(chat.t("stale_button"))
            elif data.TAG.startswith("rv:"):
                notice = await review.on_button(self.state, chat, query, data)
            else:
                notice = await self._kb_button(chat, query, data)
        finally:
            await query.answer(notice[:190] if notice else None, show_alert=isinstance(notice, Alert))

    async def _kb_button(self, chat: Conversation, query: CallbackQuery, data: Callback) -> str | None:
        state = self.state
        match data:
            case KbCategories():
                await edit(query, *views.overview(state.knowledge.kb, chat.language))
                return None
            case KbCategory(index=index, page=page):
                await edit(query, *views.category_page(state.knowledge.kb, state.refs, index, page, chat.language))
                return None
            case KbShow() | KbEdit() | KbEditField() | KbRemove() | KbHistory() | KbUndo():
                pattern_id = state.refs.resolve(data.ref)
                if pattern_id is None:
                    return Alert(chat.t("stale_button"))
                await self._pattern_button(chat, data, pattern_id)
                return None
        token = getattr(data, "token", None)
        session = state.sessions.take(chat.user.id, token) if isinstance(token, str) else None
        if session is None:
            return Alert(chat.t("stale_button"))
        return await self._session_button(chat, query, session, data)

    async def _pattern_button(self, chat: Conversation, data: Callback, pattern_id: str) -> None:
        state = self.state
        if isinstance(data, KbHistory):
            await changing.show_history(state, chat, pattern_id)
            return
        if isinstance(data, KbUndo):
            await changing.start_undo(state, chat, pattern_id)
            return
        live = state.live(pattern_id)
        match data:
            case _ if live is None:
                await changing.not_found(state, chat, pattern_id)
            case KbShow():
                await changing.show(state, chat, live)
            case KbEdit():
                await changing.start_edit(state, chat, live, None, None)
            case KbEditField(field=index):
                await changing.start_edit(state, chat, live, EDITABLE_FIELDS[index], None)
            case _:
                await changing.start_remove(state, chat, live)

    async def _session_button(
        self, chat: Conversation, query: CallbackQuery, session: AdminSession, data: Callback
    ) -> str | None:
        state = self.state
        if isinstance(data, KbCancel):
            state.sessions.end(chat.user.id)
            await drop_keyboard(query)
            await chat.say(chat.t("cancelled"))
            return None
        if not session.accepts(data):
            return Alert(chat.t("stale_button"))
        match data:
            case KbPickCategory(index=index):
                await drop_keyboard(query)
                if session.flow == Flow.ADD:
                    await adding.category_chosen(state, chat, session, index)
                else:
                    await changing.edit_value(state, chat, session, SCAM_CATEGORIES[index])
            case KbPickSeverity(level=level) if level in SEVERITIES:
                await drop_keyboard(query)
                if session.flow == Flow.ADD:
                    await adding.severity_chosen(state, chat, session, level)
                else:
                    await changing.edit_value(state, chat, session, level)
            case KbDone():
                await drop_keyboard(query)
                await adding.preview_new(state, chat, session)
            case KbConfirm() | KbConfirmLast():
                state.sessions.end(chat.user.id)  # taken before any await: a second tap finds no session
                await drop_keyboard(query)
                await _FINISH[session.flow](state, chat, session)
            case _:
                return Alert(chat.t("stale_button"))
        return None
