"""Knowledge-base administration in a private chat with the bot (``/kb``, ``/review``).

Only the ids in ``ADMIN_IDS`` may change what the bot knows; anyone else gets a polite
refusal and the attempt is logged. Every change goes through :class:`KnowledgeService`,
so it is validated, audited, and live for the very next message, with no restart.

Why no ``ConversationHandler``: the application runs with ``concurrent_updates=True``,
which it does not support. A guided step is instead a small :class:`AdminSession`
per admin in a TTL cache (30 minutes), and a filter lets typed input reach this module
only while the admin's current step expects it, so an admin forwarding a message with
no step open gets the ordinary assessment like anyone else. Every confirming button
carries its session's token: a stale "Save" under an old preview cannot save a newer
draft, and removing the last pattern of a category takes a second, different button.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal

from cachetools import TTLCache
from pydantic import ValidationError
from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.adapter.admin_forms import (
    CHOICE_FIELDS,
    EDITABLE_CHARS,
    EDITABLE_FIELDS,
    LIST_FIELDS,
    MESSAGE_FIELDS,
    SEVERITIES,
    add_message,
    as_problems,
    build_pattern,
    category_index,
    category_label,
    clip,
    describe_entry,
    field_input,
    field_name,
    fit,
    new_pattern_id,
    parse_field,
    parse_list,
    parse_messages,
    parse_two_lines,
    ref,
    render_pattern,
    with_field,
)
from bot.adapter.admin_texts import (
    AdminLanguage,
    Alert,
    actor,
    admin_language,
    button,
    drop_keyboard,
    edit,
    list_format,
    rows,
    say,
    t,
    two_lines_format,
)
from bot.adapter.review import ReviewQueue
from bot.config import Settings
from bot.core.knowledge import KnowledgeError, Messages, ScamPattern
from bot.core.taxonomy import SCAM_CATEGORIES
from bot.kb.repository import AuditEntry, KnowledgeRepository
from bot.kb.service import KnowledgeService
from bot.storage import Store

log = logging.getLogger(__name__)

KB = "fa:kb:"
SESSION_SECONDS = 30 * 60
PAGE_SIZE = 8
TEXT_STEPS = frozenset({"title", "summary", "advice", "red_flags", "examples", "value", "message"})
ADD_STEPS = ("title", "summary", "advice", "red_flags", "examples")
Flow = Literal["add", "edit", "message", "remove", "undo"]


@dataclass
class AdminSession:
    """One admin's step in progress; forgotten after 30 minutes or when finished or cancelled."""

    flow: Flow
    step: str
    token: str = field(default_factory=lambda: secrets.token_hex(3))
    draft: dict[str, Any] = field(default_factory=dict)
    pattern_id: str | None = None
    target: str | None = None  # the field being edited
    value: Any = None  # its new value, validated
    counter: bool = False
    report_id: int | None = None
    audit_id: int | None = None
    pending: ScamPattern | None = None

    @property
    def expects_text(self) -> bool:
        return self.step in TEXT_STEPS


class _InSession(filters.MessageFilter):
    """Text from an admin whose current step waits for typed input; everything else passes by."""

    def __init__(self, admin: KnowledgeAdmin) -> None:
        super().__init__(name="KnowledgeAdmin.in_session")
        self._admin = admin

    def filter(self, message: Message) -> bool:
        user = message.from_user
        if user is None or not self._admin.is_admin(user):
            return False
        session = self._admin.sessions.get(user.id)
        return session is not None and session.expects_text


def split_words(text: str, count: int) -> tuple[list[str], str]:
    """The first ``count`` words and the rest with its line breaks (an example keeps its layout)."""
    words: list[str] = []
    rest = text
    for _ in range(count):
        rest = rest.lstrip()
        match = re.match(r"\S+", rest)
        if match is None:
            break
        words.append(match.group())
        rest = rest[match.end() :]
    return words, rest.strip()


class KnowledgeAdmin:
    """``/kb`` and ``/review`` for the ids in ``ADMIN_IDS``, in private chats only."""

    def __init__(self, settings: Settings, knowledge: KnowledgeService, store: Store) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.store = store
        self.admin_ids = frozenset(settings.admin_ids)
        self.sessions: TTLCache[int, AdminSession] = TTLCache(maxsize=1000, ttl=SESSION_SECONDS)
        self._refs: TTLCache[str, str] = TTLCache(maxsize=100_000, ttl=7 * 24 * 3600)
        self.review = ReviewQueue(self)

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # an edited command must not run twice
        admins = filters.User(user_id=self.admin_ids)
        return [
            CommandHandler("kb", self._cmd_kb, filters=private),
            CommandHandler("review", self.review.cmd_review, filters=private),
            CommandHandler("cancel", self._cmd_cancel, filters=private & admins),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND & _InSession(self), self._on_session_text),
            CallbackQueryHandler(self._on_callback, pattern=r"^fa:(?:kb|rv):"),
        ]

    # Who may
    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.admin_ids

    async def refuse(self, update: Update, what: str) -> None:
        user, message = update.effective_user, update.effective_message
        log.warning("refused %s from non-admin user %s", what, user.id if user else None)
        if message is not None:
            await say(message.get_bot(), message.chat_id, t("refused", admin_language(user)))

    # References in callback data
    def remember(self, pattern_id: str) -> str:
        key = ref(pattern_id)
        self._refs[key] = pattern_id
        return key

    def resolve(self, key: str) -> str | None:
        """The pattern id behind a button; live ids are found even after a restart emptied the cache."""
        known = self._refs.get(key)
        if known:
            return known
        return next((pid for pid in self.knowledge.kb.by_id() if ref(pid) == key), None)

    # Sessions
    def begin(self, user_id: int, session: AdminSession, language: AdminLanguage) -> str:
        """Open ``session`` (replacing any other); returns a note if an unfinished draft was dropped."""
        previous = self.sessions.get(user_id)
        self.sessions[user_id] = session
        if previous is not None and previous.flow in ("add", "edit"):
            return t("replaced_session", language, flow=f"/kb {previous.flow}") + "\n"
        return ""

    def _take(self, user_id: int, token: str) -> AdminSession | None:
        session = self.sessions.get(user_id)
        return session if session is not None and session.token == token else None

    def _cancel_button(self, session: AdminSession, language: AdminLanguage) -> InlineKeyboardButton:
        return button(t("btn_cancel", language), f"{KB}x:{session.token}")

    def _confirm_keyboard(self, session: AdminSession, language: AdminLanguage, label: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[button(t(label, language), f"{KB}ok:{session.token}"), self._cancel_button(session, language)]]
        )

    async def _problems(self, bot: Bot, chat_id: int, exc: Exception, language: AdminLanguage, retry: bool) -> None:
        problems = "\n".join(f"• {escape(clip(p, 300))}" for p in as_problems(exc)[:10])
        body = t("problems", language, problems=problems)
        await say(bot, chat_id, body + ("\n" + t("try_again", language) if retry else ""))

    async def _not_found(self, bot: Bot, chat_id: int, pattern_id: str, language: AdminLanguage) -> None:
        lines = [t("not_found", language, id=escape(pattern_id))]
        if await self.knowledge.get(pattern_id, include_deleted=True) is not None:
            lines.append(t("removed_hint", language, id=escape(pattern_id)))
        else:
            close = difflib.get_close_matches(pattern_id, list(self.knowledge.kb.by_id()), n=3, cutoff=0.5)
            if close:
                lines.append(t("did_you_mean", language, ids=", ".join(f"<code>{escape(c)}</code>" for c in close)))
        await say(bot, chat_id, "\n".join(lines))

    def _live(self, pattern_id: str) -> ScamPattern | None:
        return self.knowledge.kb.by_id().get(pattern_id)

    def _seconds(self) -> str:
        return f"{self.knowledge.last_apply_seconds or 0:.2f}"

    def undo_keyboard(self, pattern_id: str, language: AdminLanguage) -> InlineKeyboardMarkup:
        key = self.remember(pattern_id)
        return InlineKeyboardMarkup(
            [[button(t("btn_undo", language), f"{KB}un:{key}"), button(t("btn_show", language), f"{KB}sh:{key}")]]
        )

    # /kb
    async def _cmd_kb(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        if not self.is_admin(user):
            await self.refuse(update, "/kb")
            return
        language = admin_language(user)
        bot, chat_id = context.bot, message.chat_id
        words, rest = split_words(message.text or "", 3)  # "/kb", what, which pattern; then free text
        sub = words[1].lower() if len(words) > 1 else "list"
        pattern_id = words[2].lower() if len(words) > 2 else None
        simple: dict[str, Callable[[], Awaitable[object]]] = {
            "list": lambda: self._overview(bot, chat_id, language),
            "ls": lambda: self._overview(bot, chat_id, language),
            "help": lambda: say(bot, chat_id, t("help", language)),
            "add": lambda: self.start_add(bot, chat_id, user, language),
            "history": lambda: self._history(bot, chat_id, pattern_id, language),
            "undo": lambda: self.start_undo(bot, chat_id, user, language, pattern_id),
        }
        if sub in simple:
            await simple[sub]()
            return
        if sub not in ("show", "example", "counter", "edit", "remove", "delete", "restore"):
            pattern = self._live(sub)
            if pattern is not None:  # "/kb some_id" shows it
                await self._show(bot, chat_id, pattern, language)
            else:
                await say(bot, chat_id, t("help", language))
            return
        if not pattern_id:
            usage = f"/kb {sub} ID" + (" FIELD" if sub == "edit" else "")
            await say(bot, chat_id, t("needs_id", language, usage=escape(usage)))
            return
        if sub == "restore":
            await self._restore(bot, chat_id, user, pattern_id, language)
            return
        pattern = self._live(pattern_id)
        if pattern is None:
            await self._not_found(bot, chat_id, pattern_id, language)
        elif sub == "show":
            await self._show(bot, chat_id, pattern, language)
        elif sub in ("remove", "delete"):
            await self.start_remove(bot, chat_id, user, pattern, language)
        elif sub in ("example", "counter"):
            await self._example_command(message, user, pattern, sub == "counter", rest, language)
        else:
            target_words, value = split_words(message.text or "", 4)
            target = target_words[3] if len(target_words) > 3 else None
            await self.start_edit(bot, chat_id, user, pattern, target, value or None, language)

    async def _cmd_cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        language = admin_language(user)
        session = self.sessions.pop(user.id, None)
        if session is not None:
            log.info("admin %s cancelled /kb %s", user.id, session.flow)
        await say(context.bot, message.chat_id, t("cancelled" if session else "nothing_to_cancel", language))

    # Listing and showing
    def _overview_view(self, language: AdminLanguage) -> tuple[str, InlineKeyboardMarkup]:
        kb = self.knowledge.kb
        counts = {category: 0 for category in SCAM_CATEGORIES}
        for pattern in kb:
            counts[pattern.category] = counts.get(pattern.category, 0) + 1
        body = t("overview", language, count=len(kb), categories=sum(1 for n in counts.values() if n))
        buttons = [
            button(f"{category_label(category, language)} ({count})", f"{KB}lc:{category_index(category)}:0")
            for category, count in counts.items()
        ]
        return body + "\n/kb help", InlineKeyboardMarkup(rows(buttons))

    async def _overview(self, bot: Bot, chat_id: int, language: AdminLanguage) -> None:
        body, keyboard = self._overview_view(language)
        await say(bot, chat_id, body, keyboard)

    def _category_view(self, index: int, page: int, language: AdminLanguage) -> tuple[str, InlineKeyboardMarkup]:
        category = SCAM_CATEGORIES[index]
        patterns = [p for p in self.knowledge.kb if p.category == category]
        pages = max(1, -(-len(patterns) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        shown = patterns[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        lines = [
            t(
                "category_page",
                language,
                name=escape(category_label(category, language)),
                category=category,
                count=len(patterns),
                page=page + 1,
                pages=pages,
            )
        ]
        lines += [f"• <code>{escape(p.id)}</code> – {escape(clip(p.title.en, 90))}" for p in shown]
        if not patterns:
            lines.append(t("category_empty", language))
        rows = [[button(clip(p.title.en, 48), f"{KB}sh:{self.remember(p.id)}")] for p in shown]
        navigation = []
        if page > 0:
            navigation.append(button("◀️", f"{KB}lc:{index}:{page - 1}"))
        navigation.append(button(t("btn_categories", language), f"{KB}ls"))
        if page < pages - 1:
            navigation.append(button("▶️", f"{KB}lc:{index}:{page + 1}"))
        return fit(lines), InlineKeyboardMarkup([*rows, navigation])

    async def _show(self, bot: Bot, chat_id: int, pattern: ScamPattern, language: AdminLanguage) -> None:
        key = self.remember(pattern.id)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    button(t("btn_edit", language), f"{KB}ed:{key}"),
                    button(t("btn_remove", language), f"{KB}rm:{key}"),
                    button(t("btn_history", language), f"{KB}hi:{key}"),
                ]
            ]
        )
        await say(bot, chat_id, fit(render_pattern(pattern)), keyboard)

    async def _history(self, bot: Bot, chat_id: int, pattern_id: str | None, language: AdminLanguage) -> None:
        entries = await self.knowledge.history(pattern_id, limit=10)
        what = f"<code>{escape(pattern_id)}</code>" if pattern_id else ""
        lines = [t("history", language, what=what)]
        lines += [describe_entry(entry) for entry in entries] or [t("history_empty", language)]
        await say(bot, chat_id, fit(lines))

    # Guided add
    def category_keyboard(self, session: AdminSession, language: AdminLanguage) -> InlineKeyboardMarkup:
        buttons = [
            button(category_label(category, language), f"{KB}cat:{session.token}:{i}")
            for i, category in enumerate(SCAM_CATEGORIES)
        ]
        return InlineKeyboardMarkup([*rows(buttons), [self._cancel_button(session, language)]])

    async def start_add(
        self,
        bot: Bot,
        chat_id: int,
        user: User,
        language: AdminLanguage,
        *,
        examples: Messages | None = None,
        report_id: int | None = None,
    ) -> None:
        """Step 1 of 6; a review item starts here with its message as the first example."""
        session = AdminSession("add", "category", report_id=report_id)
        if examples is not None:
            session.draft["examples"] = examples.model_dump()
        note = self.begin(user.id, session, language)
        body = note + t("ask_category", language) + ("\n" + t("from_report", language) if examples else "")
        await say(bot, chat_id, body, self.category_keyboard(session, language))

    async def _ask(self, bot: Bot, chat_id: int, session: AdminSession, language: AdminLanguage) -> None:
        """Prompt for the session's current add step (text steps only)."""
        keyboard = [self._cancel_button(session, language)]
        body = t(f"ask_{session.step}", language)
        if session.step == "examples" and session.draft.get("examples"):
            count = len(Messages.model_validate(session.draft["examples"]))
            body += "\n" + t("examples_so_far", language, count=count)
            keyboard.insert(0, button(t("btn_done", language), f"{KB}done:{session.token}"))
        await say(bot, chat_id, body, InlineKeyboardMarkup([keyboard]))

    async def _add_input(self, message: Message, session: AdminSession, language: AdminLanguage) -> None:
        bot, chat_id, raw = message.get_bot(), message.chat_id, message.text or ""
        step = session.step
        try:
            if step in ("title", "summary"):
                session.draft[step] = parse_two_lines(raw, step).model_dump(exclude_none=True)
            elif step in LIST_FIELDS:
                session.draft[step] = parse_list(raw, step).model_dump(exclude_none=True)
            elif message.forward_origin is not None:  # a forwarded scam is one example, line breaks and all
                current = Messages.model_validate(session.draft.get("examples", {}))
                session.draft["examples"] = add_message(current, raw, "examples").model_dump()
                count = len(Messages.model_validate(session.draft["examples"]))
                done = button(t("btn_done", language), f"{KB}done:{session.token}")
                keyboard = InlineKeyboardMarkup([[done, self._cancel_button(session, language)]])
                await say(bot, chat_id, t("example_collected", language, count=count), keyboard)
                return
            else:
                current = Messages.model_validate(session.draft.get("examples", {}))
                session.draft["examples"] = parse_messages(raw, "examples", current=current).model_dump()
        except (KnowledgeError, ValidationError) as exc:
            await self._problems(bot, chat_id, exc, language, retry=True)
            return
        if step == "examples":
            await self._preview_new(bot, chat_id, session, language)
            return
        session.step = ADD_STEPS[ADD_STEPS.index(step) + 1]
        await self._ask(bot, chat_id, session, language)

    def _id_taken(self, repository: KnowledgeRepository) -> Callable[[str], bool]:
        return lambda pid: repository.get(pid, include_deleted=True) is not None

    async def _preview_new(self, bot: Bot, chat_id: int, session: AdminSession, language: AdminLanguage) -> None:
        draft = session.draft
        try:
            if not Messages.model_validate(draft.get("examples", {})):
                raise KnowledgeError(["examples: a pattern needs at least one example message"])
            pattern_id = await asyncio.to_thread(
                new_pattern_id, draft["category"], draft["title"]["en"], self._id_taken(self.knowledge.repository)
            )
            session.pending = build_pattern({"id": pattern_id, **draft})
        except (KnowledgeError, ValidationError) as exc:
            await self._problems(bot, chat_id, exc, language, retry=True)
            return
        session.step = "confirm"
        lines = [t("preview_new", language), *render_pattern(session.pending, examples_shown=12), ""]
        lines.append(t("confirm_save", language))
        await say(bot, chat_id, fit(lines), self._confirm_keyboard(session, language, "btn_save"))

    async def _save_new(
        self, bot: Bot, chat_id: int, user: User, session: AdminSession, language: AdminLanguage
    ) -> None:
        pending = session.pending
        assert pending is not None

        def change(repository: KnowledgeRepository) -> ScamPattern:
            # The id is settled inside the change, under the service's lock: two admins adding
            # "the same" title at once get two patterns, never one overwriting the other.
            pattern_id = new_pattern_id(pending.category, pending.title.en, self._id_taken(repository))
            pattern = pending.model_copy(update={"id": pattern_id})
            repository.save(pattern, actor(user))
            return pattern

        try:
            saved = await self.knowledge.apply(change)
        except (KnowledgeError, ValidationError) as exc:
            await self._problems(bot, chat_id, exc, language, retry=False)
            return
        log.info("admin %s added pattern %s", user.id, saved.id)
        if session.report_id is not None:
            await self.review.close(session.report_id, user, "accepted", "new_pattern")
        body = t("saved", language, id=escape(saved.id), seconds=self._seconds())
        await say(bot, chat_id, body, self.undo_keyboard(saved.id, language))

    # Editing one field
    async def start_edit(
        self,
        bot: Bot,
        chat_id: int,
        user: User,
        pattern: ScamPattern,
        raw_field: str | None,
        value: str | None,
        language: AdminLanguage,
    ) -> None:
        target = field_name(raw_field)
        if target is None:
            if raw_field:
                await say(bot, chat_id, t("unknown_field", language, field=escape(raw_field)))
            key = self.remember(pattern.id)
            buttons = [button(name, f"{KB}ef:{key}:{i}") for i, name in enumerate(EDITABLE_FIELDS)]
            await say(
                bot, chat_id, t("ask_field", language, id=escape(pattern.id)), InlineKeyboardMarkup(rows(buttons))
            )
            return
        session = AdminSession("edit", "value", pattern_id=pattern.id, target=target)
        note = self.begin(user.id, session, language)
        if target in CHOICE_FIELDS:
            session.step = "choice"
            if value in (*SEVERITIES, *SCAM_CATEGORIES):  # "/kb edit ID severity low"
                await self._edit_value(bot, chat_id, user.id, session, value, language)
                return
            if target == "category":
                keyboard = self.category_keyboard(session, language)
            else:
                levels = [button(level, f"{KB}sev:{session.token}:{level}") for level in SEVERITIES]
                keyboard = InlineKeyboardMarkup([levels, [self._cancel_button(session, language)]])
            body = note + t("ask_choice", language, field=target, id=escape(pattern.id))
            await say(bot, chat_id, body, keyboard)
            return
        current = field_input(pattern, target)
        if target in MESSAGE_FIELDS and len(current) > EDITABLE_CHARS:
            self.sessions.pop(user.id, None)
            await say(bot, chat_id, t("too_long_to_edit", language, id=escape(pattern.id), field=target))
            return
        if value:
            await self._edit_value(bot, chat_id, user.id, session, value, language)
            return
        fmt = two_lines_format(language) if target in ("title", "summary") else list_format(language)
        body = note + t("ask_value", language, field=target, id=escape(pattern.id), format=fmt)
        body += f"\n<pre>{escape(current)}</pre>"
        await say(bot, chat_id, body, InlineKeyboardMarkup([[self._cancel_button(session, language)]]))

    async def _edit_value(
        self, bot: Bot, chat_id: int, user_id: int, session: AdminSession, raw: str, language: AdminLanguage
    ) -> None:
        """Validate the new value against the pattern as it is now and show before and after."""
        assert session.pattern_id is not None and session.target is not None
        pattern = self._live(session.pattern_id)
        if pattern is None:
            self.sessions.pop(user_id, None)
            await self._not_found(bot, chat_id, session.pattern_id, language)
            return
        try:
            value: object = parse_field(session.target, raw) if session.step == "value" else raw
            pending = with_field(pattern, session.target, value)
        except (KnowledgeError, ValidationError) as exc:
            await self._problems(bot, chat_id, exc, language, retry=session.step == "value")
            return
        session.value, session.pending, session.step = value, pending, "confirm"
        before, after = field_input(pattern, session.target), field_input(pending, session.target)
        body = t(
            "preview_edit",
            language,
            field=session.target,
            id=escape(pattern.id),
            before=f"<pre>{escape(clip(before, 1500))}</pre>",
            after=f"<pre>{escape(clip(after, 1500))}</pre>",
        )
        body += "\n" + t("confirm_save", language)
        await say(bot, chat_id, body, self._confirm_keyboard(session, language, "btn_save"))

    async def _save_edit(
        self, bot: Bot, chat_id: int, user: User, session: AdminSession, language: AdminLanguage
    ) -> None:
        pattern_id, target, value = session.pattern_id, session.target, session.value
        assert pattern_id is not None and target is not None

        def change(repository: KnowledgeRepository) -> AuditEntry | None:
            # Applied to the pattern as it is now, so another admin's change to another field survives.
            current = repository.get(pattern_id)
            if current is None:
                raise KnowledgeError([f"no pattern {pattern_id!r}"])
            return repository.save(with_field(current, target, value), actor(user))

        try:
            entry = await self.knowledge.apply(change)
        except (KnowledgeError, ValidationError) as exc:
            await self._problems(bot, chat_id, exc, language, retry=False)
            return
        if entry is None:
            await say(bot, chat_id, t("unchanged", language))
            return
        log.info("admin %s changed %s of %s", user.id, target, pattern_id)
        body = t("saved", language, id=escape(pattern_id), seconds=self._seconds())
        await say(bot, chat_id, body, self.undo_keyboard(pattern_id, language))

    # Examples and counter-examples
    async def _example_command(
        self, message: Message, user: User, pattern: ScamPattern, counter: bool, rest: str, language: AdminLanguage
    ) -> None:
        bot, chat_id = message.get_bot(), message.chat_id
        replied = message.reply_to_message
        if replied is not None:
            if replied.from_user is not None and replied.from_user.id == bot.id:
                await say(bot, chat_id, t("not_my_answer", language))
                return
            words = replied.text or replied.caption or ""
            await self.add_example(bot, chat_id, user, pattern.id, words, counter, language)
        elif rest:
            await self.add_example(bot, chat_id, user, pattern.id, rest, counter, language)
        else:
            session = AdminSession("message", "message", pattern_id=pattern.id, counter=counter)
            note = self.begin(user.id, session, language)
            kind = t("kind_counter" if counter else "kind_example", language)
            body = note + t("ask_message", language, kind=kind, id=escape(pattern.id))
            await say(bot, chat_id, body, InlineKeyboardMarkup([[self._cancel_button(session, language)]]))

    async def add_example(
        self, bot: Bot, chat_id: int, user: User, pattern_id: str, words: str, counter: bool, language: AdminLanguage
    ) -> bool:
        """Add one message to a pattern, live at once; False (and the problems shown) if it did not fit."""
        try:
            entry = await self.knowledge.add_message(pattern_id, words, actor(user), counter=counter)
        except (KnowledgeError, ValidationError) as exc:
            await self._problems(bot, chat_id, exc, language, retry=False)
            return False
        if entry is None:
            await say(bot, chat_id, t("unchanged", language))
            return True
        log.info("admin %s added a %s to %s", user.id, "counter-example" if counter else "example", pattern_id)
        kind = t("kind_counter" if counter else "kind_example", language)
        body = t("message_added", language, kind=kind, id=escape(pattern_id), seconds=self._seconds())
        await say(bot, chat_id, body, self.undo_keyboard(pattern_id, language))
        return True

    # Removing, restoring, undo
    async def start_remove(
        self, bot: Bot, chat_id: int, user: User, pattern: ScamPattern, language: AdminLanguage
    ) -> None:
        session = AdminSession("remove", "confirm", pattern_id=pattern.id)
        note = self.begin(user.id, session, language)
        body = note + t("confirm_remove", language, id=escape(pattern.id), title=escape(clip(pattern.title.en, 120)))
        await say(bot, chat_id, body, self._confirm_keyboard(session, language, "btn_remove"))

    async def _remove(self, bot: Bot, chat_id: int, user: User, session: AdminSession, language: AdminLanguage) -> None:
        pattern_id = session.pattern_id
        assert pattern_id is not None
        if session.step == "confirm" and self.knowledge.is_last_of_category(pattern_id):
            # The last of its kind: ask again, with a different button, so a double tap cannot do it.
            session.step = "confirm_last"
            self.sessions[user.id] = session
            pattern = self._live(pattern_id)
            category = escape(category_label(pattern.category, language)) if pattern else ""
            keyboard = InlineKeyboardMarkup(
                [
                    [
                        button(t("btn_remove_last", language), f"{KB}ok2:{session.token}"),
                        self._cancel_button(session, language),
                    ]
                ]
            )
            await say(
                bot, chat_id, t("confirm_remove_last", language, id=escape(pattern_id), category=category), keyboard
            )
            return
        try:
            await self.knowledge.delete(pattern_id, actor(user))
        except KnowledgeError as exc:
            await self._problems(bot, chat_id, exc, language, retry=False)
            return
        log.info("admin %s removed pattern %s", user.id, pattern_id)
        await say(bot, chat_id, t("removed", language, id=escape(pattern_id)), self.undo_keyboard(pattern_id, language))

    async def _restore(self, bot: Bot, chat_id: int, user: User, pattern_id: str, language: AdminLanguage) -> None:
        try:
            await self.knowledge.restore(pattern_id, actor(user))
        except KnowledgeError as exc:
            await self._problems(bot, chat_id, exc, language, retry=False)
            return
        log.info("admin %s restored pattern %s", user.id, pattern_id)
        await say(
            bot, chat_id, t("restored", language, id=escape(pattern_id)), self.undo_keyboard(pattern_id, language)
        )

    async def _last_undoable(self, pattern_id: str | None) -> AuditEntry | None:
        entries = await self.knowledge.history(pattern_id, limit=200)
        return next((e for e in entries if not e.undone and e.action != "undo"), None)

    async def start_undo(
        self, bot: Bot, chat_id: int, user: User, language: AdminLanguage, pattern_id: str | None
    ) -> None:
        """Undo cannot itself be undone, so it shows what it reverts and waits for a confirmation."""
        entry = await self._last_undoable(pattern_id)
        if entry is None:
            await say(bot, chat_id, t("nothing_to_undo", language))
            return
        session = AdminSession("undo", "confirm", pattern_id=pattern_id, audit_id=entry.id)
        note = self.begin(user.id, session, language)
        body = note + t(
            "confirm_undo", language, entry=describe_entry(entry), effect=t(f"effect_{entry.action}", language)
        )
        await say(bot, chat_id, body, self._confirm_keyboard(session, language, "btn_undo"))

    async def _undo(self, bot: Bot, chat_id: int, user: User, session: AdminSession, language: AdminLanguage) -> None:
        entry = await self._last_undoable(session.pattern_id)
        if entry is None or entry.id != session.audit_id:
            await say(bot, chat_id, t("undo_changed", language))
            return
        try:
            await self.knowledge.undo(actor(user), entry.pattern_id)
        except KnowledgeError as exc:
            await self._problems(bot, chat_id, exc, language, retry=False)
            return
        log.info("admin %s undid change %s of %s", user.id, entry.id, entry.pattern_id)
        await say(bot, chat_id, t("undone", language, id=escape(entry.pattern_id)))

    # Typed input
    async def _on_session_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        session = self.sessions.get(user.id)
        if session is None or not session.expects_text:
            return  # expired or moved on between the filter and here
        language = admin_language(user)
        if session.flow == "add":
            await self._add_input(message, session, language)
        elif session.flow == "edit":
            await self._edit_value(message.get_bot(), message.chat_id, user.id, session, message.text or "", language)
        elif session.flow == "message" and session.pattern_id:
            self.sessions.pop(user.id, None)
            await self.add_example(
                message.get_bot(),
                message.chat_id,
                user,
                session.pattern_id,
                message.text or "",
                session.counter,
                language,
            )

    # Buttons
    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or not query.data:
            return
        user = query.from_user
        if not self.is_admin(user):
            log.warning("refused button %s from non-admin user %s", query.data[:20], user.id)
            await query.answer(t("refused", admin_language(user))[:190], show_alert=True)
            return
        language = admin_language(user)
        _prefix, area, action, *args = query.data.split(":")
        notice: str | None = None
        try:
            if area == "rv":
                notice = await self.review.on_callback(query, context.bot, action, args, language)
            else:
                notice = await self._kb_button(query, context.bot, action, args, language)
        finally:
            await query.answer(notice[:190] if notice else None, show_alert=isinstance(notice, Alert))

    async def _kb_button(
        self, query: CallbackQuery, bot: Bot, action: str, args: list[str], language: AdminLanguage
    ) -> str | None:
        user = query.from_user
        chat_id = query.message.chat.id if query.message else user.id
        if action == "ls":
            body, keyboard = self._overview_view(language)
            await edit(query, body, keyboard)
            return None
        if action == "lc":
            body, keyboard = self._category_view(int(args[0]), int(args[1]), language)
            await edit(query, body, keyboard)
            return None
        if action in ("sh", "ed", "ef", "rm", "hi", "un"):
            pattern_id = self.resolve(args[0])
            if pattern_id is None:
                return Alert(t("stale_button", language))
            return await self._pattern_button(bot, chat_id, user, action, pattern_id, args, language)
        session = self._take(user.id, args[0]) if args else None
        if session is None:
            return Alert(t("stale_button", language))
        return await self._session_button(query, bot, chat_id, user, session, action, args[1:], language)

    async def _pattern_button(
        self, bot: Bot, chat_id: int, user: User, action: str, pattern_id: str, args: list[str], language: AdminLanguage
    ) -> str | None:
        if action == "hi":
            await self._history(bot, chat_id, pattern_id, language)
            return None
        if action == "un":
            await self.start_undo(bot, chat_id, user, language, pattern_id)
            return None
        pattern = self._live(pattern_id)
        if pattern is None:
            await self._not_found(bot, chat_id, pattern_id, language)
        elif action == "sh":
            await self._show(bot, chat_id, pattern, language)
        elif action == "ed":
            await self.start_edit(bot, chat_id, user, pattern, None, None, language)
        elif action == "ef":
            await self.start_edit(bot, chat_id, user, pattern, EDITABLE_FIELDS[int(args[1])], None, language)
        else:
            await self.start_remove(bot, chat_id, user, pattern, language)
        return None

    async def _session_button(
        self,
        query: CallbackQuery,
        bot: Bot,
        chat_id: int,
        user: User,
        session: AdminSession,
        action: str,
        args: list[str],
        language: AdminLanguage,
    ) -> str | None:
        if action == "x":
            self.sessions.pop(user.id, None)
            await drop_keyboard(query)
            await say(bot, chat_id, t("cancelled", language))
            return None
        if action == "cat" and session.step in ("category", "choice"):
            category = SCAM_CATEGORIES[int(args[0])]
            await drop_keyboard(query)
            if session.flow == "add":
                session.draft["category"] = category
                session.step = "title"
                name = escape(category_label(category, language))
                await say(bot, chat_id, t("category_chosen", language, name=name))
                await self._ask(bot, chat_id, session, language)
            else:
                await self._edit_value(bot, chat_id, user.id, session, category, language)
            return None
        if action == "sev" and session.step == "choice" and args[0] in SEVERITIES:
            await drop_keyboard(query)
            await self._edit_value(bot, chat_id, user.id, session, args[0], language)
            return None
        if action == "done" and session.step == "examples":
            await drop_keyboard(query)
            await self._preview_new(bot, chat_id, session, language)
            return None
        confirming = (action == "ok" and session.step == "confirm") or (
            action == "ok2" and session.step == "confirm_last"
        )
        if not confirming:
            return Alert(t("stale_button", language))
        self.sessions.pop(user.id, None)  # taken before any await: a second tap finds no session
        await drop_keyboard(query)
        finish = {"add": self._save_new, "edit": self._save_edit, "remove": self._remove, "undo": self._undo}
        await finish[session.flow](bot, chat_id, user, session, language)
        return None
