"""The Telegram side as a python-telegram-bot plugin.

``FraudAwareness(settings).install(application, group=...)`` adds the bot's
handlers to any PTB ``Application``. It only maps Telegram updates onto the core
(:class:`~bot.core.engine.Engine`) and words the answers; it makes no decision of
its own. The standalone runner and the sandbox use exactly this plugin.

Living beside a host bot:
- everything is registered in its own handler *group*, so the host's handlers in
  other groups keep running for the same update;
- callback data is namespaced (``fa:``), so the host's buttons are never taken;
- each command can be renamed or switched off (``commands={"start": None}`` leaves
  ``/start`` to the host), and ``private_messages="forwarded"`` limits private-chat
  checks to forwarded messages for hosts that chat with their users.

Long because it is where every private-chat update meets the core: commands, bursts of
texts, screenshots and albums, hidden links, buttons; each part is a few lines of mapping.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal

from aiolimiter import AsyncLimiter
from cachetools import TTLCache
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapter.admin import KnowledgeAdmin
from bot.adapter.bursts import BurstCollector
from bot.adapter.callbacks import PREFIX, Callback, ChooseLanguage, ChooseRegion, Helpful, ReportScam, Wrong, decode
from bot.adapter.choices import show_choice, ticked
from bot.adapter.delivery import Delivery
from bot.adapter.errors import handle_error
from bot.adapter.groups import GroupAlerts
from bot.adapter.hidden_links import hidden_links
from bot.adapter.images import ImageReader, is_sticker_or_animation, picture_of, showing_work
from bot.adapter.languages import language_from_telegram, region_from_telegram
from bot.adapter.sending import send
from bot.adapter.tracking import spawn_tracked
from bot.app import Services, build_services
from bot.config import Settings
from bot.core.engine import Engine
from bot.core.hant import Variant
from bot.core.i18n import LANGUAGES, Language, is_language, localise, text, written
from bot.core.image_answer import has_words, problem_text, reading_note, with_note, words_to_assess
from bot.core.image_input import ImageProblem
from bot.core.regions import REGION_NAMES, REGIONS, Region, default_region, is_region, region_hint, variant_of
from bot.core.reply import html_to_plain
from bot.core.text import MessageText
from bot.storage import Store
from bot.storage.models import Answer, Report, utcnow

log = logging.getLogger(__name__)

DEFAULT_COMMANDS: dict[str, str | None] = {
    "start": "start",
    "help": "help",
    "language": "language",
    "privacy": "privacy",
    "region": "region",
}
LANGUAGE_NAMES: dict[Language, str] = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文"}
_MEDIA = (
    filters.PHOTO
    | filters.VIDEO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO_NOTE
    | filters.Document.ALL
    | filters.ANIMATION
    | filters.Sticker.ALL
)
ALBUM_WAIT = 1.0
"""Seconds an album's photos are awaited (they arrive as separate updates), even with a shorter burst window."""


def _log_task_failure(task: asyncio.Task[Any]) -> None:
    """Our own tasks run outside PTB's dispatch, so no error handler sees them: never let one fail silently."""
    if not task.cancelled() and task.exception() is not None:
        log.error("background answer task failed", exc_info=task.exception())


def message_text(message: Message) -> str | None:
    """The words in a message: its text or its media caption."""
    return message.text or message.caption


@dataclass
class _Remembered:
    """A checked text kept in memory (only) so that the user can report it within the hour."""

    text: str
    user_id: int
    chat_id: int
    message_id: int  # the answer's message: its "report" button is honoured there only
    pattern_id: str | None


@dataclass(frozen=True)
class _Pressed:
    """What a button press shows: a toast, new labels for the buttons, and for a prompt its new text."""

    notice: str
    labels: dict[str, str] = field(default_factory=dict)
    new_text: str | None = None


class FraudAwareness:
    """The plugin: construct once, ``install`` into an ``Application``."""

    def __init__(
        self,
        settings: Settings,
        *,
        services: Services | None = None,
        engine: Engine | None = None,
        store: Store | None = None,
        commands: dict[str, str | None] | None = None,
        private_messages: Literal["all", "forwarded"] = "all",
        answer_unknown_commands: bool = False,
        groups: bool = True,
    ) -> None:
        self.settings = settings
        self.services = services or build_services(settings, engine=engine, store=store)
        self.engine = self.services.engine
        self.store = self.services.store
        self.knowledge = self.services.knowledge
        self.commands = {**DEFAULT_COMMANDS, **(commands or {})}
        self.private_messages = private_messages
        self.answer_unknown_commands = answer_unknown_commands
        self._remembered: TTLCache[str, _Remembered] = TTLCache(
            maxsize=50_000, ttl=max(settings.report_memory_seconds, 1)
        )
        self._limiters: TTLCache[int, AsyncLimiter] = TTLCache(maxsize=100_000, ttl=180)
        self._flood_noticed: TTLCache[int, bool] = TTLCache(maxsize=100_000, ttl=60)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.bursts: BurstCollector[Message] = BurstCollector(
            self._answer_burst_guarded, window=settings.burst_window_seconds, spawn=self._spawn
        )
        self._application: Application | None = None
        self.images = ImageReader(max_bytes=settings.image_max_bytes)  # one OCR thread, shared with groups
        self.delivery = Delivery(self.store, settings)  # answers sent first, recorded after, neither lost quietly
        outbox = self.delivery.outbox
        self.groups = (
            GroupAlerts(settings, self.engine, self.store, self._spawn, images=self.images, outbox=outbox)
            if groups
            else None
        )
        self.admin = KnowledgeAdmin(settings.admin_ids, self.knowledge, self.store)  # /kb and /review for ADMIN_IDS
        self._background: list[asyncio.Task[None]] = []

    # Installation
    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        """The handlers the plugin adds, private chats first."""
        private = filters.ChatType.PRIVATE
        # Group handlers first: within one handler group only the first matching handler runs.
        handlers: list[BaseHandler[Any, Any, Any]] = self.groups.handlers() if self.groups else []
        for key, callback in (
            ("start", self._cmd_start),
            ("help", self._cmd_help),
            ("language", self._cmd_language),
            ("privacy", self._cmd_privacy),
            ("region", self._cmd_region),
        ):
            name = self.commands.get(key)
            if name:
                handlers.append(CommandHandler(name, callback, filters=private))
            elif key == "start" and self.groups:
                # /start belongs to the host, but the "details" deep links of group alerts are ours
                handlers.append(CommandHandler("start", callback, filters=private & filters.Regex(r"^/start d_")))
        handlers += self.admin.handlers()  # before private messages: an admin's typed answers to a /kb step
        if (stats := self.delivery.handler()) is not None:
            handlers.append(stats)
        content = (filters.TEXT & ~filters.COMMAND) | filters.CAPTION | _MEDIA
        if self.private_messages == "forwarded":
            content = content & filters.FORWARDED
        handlers.append(MessageHandler(private & content, self._on_private_message))
        if self.answer_unknown_commands:
            handlers.append(MessageHandler(private & filters.COMMAND, self._on_unknown_command))
        handlers.append(CallbackQueryHandler(self._on_callback, pattern=f"^{PREFIX}"))
        return handlers

    def install(self, application: Application, *, group: int = 0) -> None:
        """Add the handlers (in ``group``), an error handler, and a graceful stop hook."""
        application.add_handlers(self.handlers(), group=group)
        application.add_error_handler(self.on_error)
        previous_init, previous_stop = application.post_init, application.post_stop

        async def post_init(app: Application) -> None:
            if previous_init:
                await previous_init(app)
            self._background = [
                asyncio.create_task(self.knowledge.watch()),  # other processes' knowledge changes
                asyncio.create_task(self._housekeeping()),  # retention, as /privacy promises
            ]

        async def post_stop(app: Application) -> None:
            for task in self._background:
                task.cancel()
            # Wait for them to unwind before drain() closes the database they may be using.
            await asyncio.gather(*self._background, return_exceptions=True)
            self._background = []
            await self.drain()
            if previous_stop:
                await previous_stop(app)

        application.post_init = post_init
        application.post_stop = post_stop
        self._application = application

    async def _housekeeping(self, every: float = 6 * 3600) -> None:
        """Delete what /privacy says is kept only for a while: old answers, reviewed reports' text."""
        while True:
            try:
                answers = await self.store.forget_answers_older_than(self.settings.answer_retention_days)
                reports = await self.store.forget_reviewed_report_texts()
                if answers or reports:
                    log.info("retention: %d old answers deleted, %d reviewed report texts erased", answers, reports)
            except Exception:  # the next round tries again; a locked database must not end the loop
                log.warning("retention clean-up failed", exc_info=True)
            await asyncio.sleep(every)

    def _spawn(self, coroutine: Awaitable[None]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = spawn_tracked(coroutine)  # a queue worker's job waits for it
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_task_failure)
        return task

    async def drain(self) -> None:
        """Answer everything still waiting (bursts and answers in flight) before stopping."""
        self.bursts.flush_all()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.delivery.close()  # held answers try once more; then their records are written
        if self.groups:
            try:
                await self.groups.flush_counts()
            except Exception:  # the database is closed next either way: say what was not written
                log.exception("shutdown: group counters not written")
        self.images.close()
        await self.services.close()

    # Language
    async def reply_language(self, user: User | None, message_language: Language | None = None) -> Language:
        """The user's /language choice; else Chinese if they wrote Chinese; else their Telegram language."""
        if user:
            try:
                chosen = await self.store.language_of(user.id)
            except Exception as error:  # a locked or unreachable database must not cost the answer
                self.delivery.storage_error("the reply language", error)
                chosen = None
            if is_language(chosen):
                return chosen
        if message_language and message_language != "en":
            return message_language
        return language_from_telegram(user.language_code if user else None)

    async def reply_region(self, user: User | None, message: str | None = None) -> Region | None:
        """The user's /region choice; else the region in their Telegram language code; else the message's own hints.

        None leaves it to the reply language's usual region (see :func:`bot.core.regions.default_region`).
        """
        if user:
            try:
                chosen = await self.store.region_of(user.id)
            except Exception as error:  # as for the language: the answer goes out with the usual region
                self.delivery.storage_error("the reporting region", error)
                chosen = None
            if is_region(chosen):
                return chosen
            from_telegram = region_from_telegram(user.language_code)
            if from_telegram:
                return from_telegram
        return region_hint(message) if message else None

    async def _reader(self, user: User | None) -> tuple[Language, Variant]:
        """Language and Traditional wording for the bot's own texts (commands, buttons)."""
        language = await self.reply_language(user)
        return language, variant_of(await self.reply_region(user) or default_region(language))

    # Commands
    async def _cmd_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language, variant = await self._reader(update.effective_user)
        payload = context.args[0] if context.args else ""
        if payload.startswith("d_") and self.groups:
            details = self.groups.details(payload.removeprefix("d_"))
            await self._send(update.effective_message, details or text("details_expired", language, variant))
            return
        await self._send(update.effective_message, text("start", language, variant))

    async def _cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language, variant = await self._reader(update.effective_user)
        await self._send(update.effective_message, text("help", language, variant))

    async def _cmd_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language, variant = await self._reader(update.effective_user)
        sends_text = self.engine.helper is not None or self.settings.embedding_backend == "openai"
        llm_note = text("llm_note", language, variant) if sends_text else ""  # masked text goes to the endpoint
        queued = self.settings.role == "worker"  # updates wait in PostgreSQL's queue (bot.adapter.queue)
        queue_note = text("queue_note", language, variant) if queued else ""
        retention = self.settings.answer_retention_days
        body = text("privacy", language, variant, retention=retention, llm_note=llm_note, queue_note=queue_note)
        await self._send(update.effective_message, body)

    async def _cmd_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language, variant = await self._reader(update.effective_user)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=ChooseLanguage(code).encode())
                    for code in LANGUAGES
                ]
            ]
        )
        await self._send(update.effective_message, text("language_prompt", language, variant), keyboard)

    def _region_names(self, language: Language, variant: Variant) -> dict[str, str]:
        """The /region buttons: callback data → the place's name in the reader's language."""
        return {
            ChooseRegion(r).encode(): localise(REGION_NAMES[r][written(language)], language, variant) for r in REGIONS
        }

    async def _cmd_region(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every place's reporting line, and buttons to choose the one warnings show."""
        user = update.effective_user
        language, variant = await self._reader(user)
        lines = "\n".join(
            f"• {escape(localise(line, language, variant))}"
            for line in self.engine.contacts.all_lines(written(language))
        )
        chosen = await self.store.region_of(user.id) if user else None
        names = self._region_names(language, variant)
        if is_region(chosen):
            names = ticked(names, ChooseRegion(chosen).encode())
        buttons = [InlineKeyboardButton(label, callback_data=data) for data, label in names.items()]
        keyboard = InlineKeyboardMarkup([buttons[:3], buttons[3:]])
        await self._send(update.effective_message, text("region_prompt", language, variant, lines=lines), keyboard)

    async def _on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language, variant = await self._reader(update.effective_user)
        await self._send(update.effective_message, text("unknown_command", language, variant))

    # Private messages
    async def _within_rate(self, user_id: int) -> bool:
        """Leaky bucket per user. A user over the rate is told so, never queued behind their own flood."""
        limiter = self._limiters.get(user_id)
        if limiter is None:
            limiter = AsyncLimiter(self.settings.user_messages_per_minute, 60)
            self._limiters[user_id] = limiter
        if not limiter.has_capacity():
            return False
        await limiter.acquire()  # immediate: capacity was just checked
        return True

    async def _on_private_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        if not await self._within_rate(user.id):
            if not self._flood_noticed.get(user.id):
                self._flood_noticed[user.id] = True
                await self._send(message, text("flood", await self.reply_language(user)))
            return
        album = ALBUM_WAIT if message.media_group_id else 0.0
        self.bursts.add((message.chat_id, user.id), message, at_least=album)

    async def _answer_burst_guarded(self, key: tuple[int, int], messages: list[Message]) -> None:
        """Bursts are answered in our own tasks, which PTB's error handlers never see: handle failures alike."""
        try:
            await self._answer_burst(key, messages)
        except Exception as error:
            first = messages[0]
            await handle_error(error, first.get_bot(), first.chat, first.from_user)

    async def _answer_burst(self, key: tuple[int, int], messages: list[Message]) -> None:
        """One answer for everything the user sent together: texts, captions, hidden links, screenshots."""
        first = messages[0]
        user = first.from_user
        texts = [t for t in (message_text(m) for m in messages) if t and t.strip()]
        links = list(dict.fromkeys(link for m in messages for link in hidden_links(m)))
        pictures = [m for m in messages if picture_of(m) is not None]
        if not texts and not links and not pictures:
            media = "sticker" if all(is_sticker_or_animation(m) for m in messages) else "media_only"
            await self._send(first, text(media, await self.reply_language(user)))
            return
        reading = None
        if pictures:
            async with showing_work(first.get_bot(), first.chat_id):  # "typing…" while the OCR reads
                budget = self.settings.image_time_budget_seconds
                reading = await self.images.read_messages(pictures, time_budget=budget)
            if not texts and not links and not has_words(reading):
                await self._answer_unreadable(first, reading.problem)
                return
        combined = words_to_assess(reading, texts, links) if reading else "\n".join(texts + links)
        message = MessageText.of(combined)
        written_in = message.language if message.has_words else None
        language = await self.reply_language(user, written_in)  # known before: the LLM explains in it
        region = await self.reply_region(user, combined)
        variant = variant_of(region or default_region(language))
        assessment = await self.engine.assess_with_help(combined, user_id=user.id if user else None, language=language)
        body = self.engine.reply(assessment, language, region)
        if reading is not None:
            body = with_note(reading_note(reading, language), body)
        elif len(messages) > 1:
            body = f"<i>{text('burst_note', language, variant, count=len(messages))}</i>\n\n{body}"
        answer_id = secrets.token_hex(6)
        top = assessment.top
        user_id = user.id if user else 0
        answered_at = utcnow()

        def delivered(sent: Message) -> None:
            """Recorded once the user has it, off the user's path (see :mod:`bot.storage.recorder`)."""
            self.delivery.recorder.submit(
                Answer(
                    id=answer_id,
                    user_id=user_id,
                    chat_id=first.chat_id,
                    message_id=sent.message_id,
                    verdict="error" if assessment.error else assessment.verdict,  # never a failed check as "safe"
                    risk=assessment.risk,
                    pattern_id=top.pattern_id if top else None,
                    category=top.category if top else None,
                    created_at=answered_at,
                )
            )
            if self.settings.report_memory_seconds > 0:
                pattern_id = top.pattern_id if top else None
                self._remembered[answer_id] = _Remembered(combined, user_id, first.chat_id, sent.message_id, pattern_id)

        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        text("btn_helpful", language, variant), callback_data=Helpful(answer_id).encode()
                    ),
                    InlineKeyboardButton(text("btn_wrong", language, variant), callback_data=Wrong(answer_id).encode()),
                ],
                [
                    InlineKeyboardButton(
                        text("btn_report", language, variant), callback_data=ReportScam(answer_id).encode()
                    )
                ],
            ]
        )
        await self.delivery.outbox.deliver(
            first.get_bot(), first.chat_id, body, keyboard, reply_to=first.message_id, on_sent=delivered
        )

    async def _answer_unreadable(self, message: Message, problem: ImageProblem | None) -> None:
        """Pictures alone and nothing read: why not, politely; a picture without text gets the deepfake advice."""
        language = await self.reply_language(message.from_user)
        if problem is not None:
            body = problem_text(problem, language)
        else:
            body = f"{text('no_text_found', language)}\n\n{text('media_only', language)}"
        await self._send(message, body)

    # Buttons
    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the press with a short toast, then change the buttons so the choice stays visible."""
        query = update.callback_query
        if query is None or not query.data:
            return
        pressed_on = query.message
        if pressed_on is None:  # too old for Telegram to say which message: nothing to bind the press to
            await query.answer()
            return
        outcome = await self._button(query.from_user, pressed_on.chat.id, pressed_on.message_id, decode(query.data))
        if outcome is None:
            await query.answer()
            return
        await query.answer(html_to_plain(outcome.notice)[:190])
        if outcome.labels:
            await show_choice(query, outcome.labels, outcome.new_text)

    async def _button(self, user: User, chat_id: int, message_id: int, data: Callback | None) -> _Pressed | None:
        """What a button does; answer buttons act only for their user, in their chat, on their message."""
        match data:
            case Helpful(answer_id=answer_id):
                return await self._feedback(user, chat_id, message_id, answer_id, True)
            case Wrong(answer_id=answer_id):
                return await self._feedback(user, chat_id, message_id, answer_id, False)
            case ReportScam(answer_id=answer_id):
                return await self._report(user, chat_id, message_id, answer_id)
            case ChooseLanguage(language=value):
                return await self._set_language(user, value)
            case ChooseRegion(region=value):
                return await self._set_region(user, value)
        return None

    async def _feedback(self, user: User, chat_id: int, message_id: int, answer_id: str, helpful: bool) -> _Pressed:
        language, variant = await self._reader(user)
        if self.delivery.recorder.is_pending(answer_id):  # a quick press: its answer is still being written
            await self.delivery.recorder.flush(timeout=10)
        where = {"chat_id": chat_id, "message_id": message_id}
        stored = await self.store.record_feedback(answer_id, user.id, helpful, **where)
        if not stored:
            log.info("feedback by %s on answer %s refused (unknown, or not theirs here)", user.id, answer_id)
            return _Pressed(text("feedback_unknown", language, variant))
        options = {
            Helpful(answer_id).encode(): text("btn_helpful", language, variant),
            Wrong(answer_id).encode(): text("btn_wrong", language, variant),
        }
        pressed = (Helpful if helpful else Wrong)(answer_id).encode()
        return _Pressed(text("thanks_feedback", language, variant), ticked(options, pressed))

    async def _report(self, user: User, chat_id: int, message_id: int, answer_id: str) -> _Pressed:
        language, variant = await self._reader(user)
        remembered = self._remembered.get(answer_id)
        here = (user.id, chat_id, message_id)
        if remembered is None or (remembered.user_id, remembered.chat_id, remembered.message_id) != here:
            return _Pressed(text("report_expired", language, variant))
        await self.store.add_report(
            Report(
                kind="scam",
                reporter_id=user.id,
                chat_id=remembered.chat_id,
                text=remembered.text,
                suggested_pattern_id=remembered.pattern_id,
                answer_id=answer_id,
            )
        )
        log.info("report stored for review (answer %s)", answer_id)
        labels = {ReportScam(answer_id).encode(): text("btn_reported", language, variant)}
        return _Pressed(text("thanks_report", language, variant), labels)

    async def _set_language(self, user: User, value: str) -> _Pressed:
        if not is_language(value):
            return _Pressed(text("error", "en"))
        await self.store.set_language(user.id, value)
        _, variant = await self._reader(user)
        confirmation = text("language_set", value, variant)
        options = {ChooseLanguage(code).encode(): LANGUAGE_NAMES[code] for code in LANGUAGES}
        return _Pressed(confirmation, ticked(options, ChooseLanguage(value).encode()), confirmation)

    async def _set_region(self, user: User, value: str) -> _Pressed:
        language = await self.reply_language(user)
        if not is_region(value):
            return _Pressed(text("error", language))
        await self.store.set_region(user.id, value)
        variant = variant_of(value)
        line = localise(self.engine.contacts.line(value, written(language)), language, variant)
        confirmation = text("region_set", language, variant, line=escape(line))
        labels = ticked(self._region_names(language, variant), ChooseRegion(value).encode())
        return _Pressed(confirmation, labels, confirmation)

    # Sending and errors
    async def _send(
        self, message: Message | None, body: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        """Reply to ``message`` as HTML (see :func:`bot.adapter.sending.send` for retries)."""
        if message is None:
            return None
        return await send(message.get_bot(), message.chat_id, body, keyboard, reply_to=message.message_id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log every failure; tell a private-chat user something went wrong, never what."""
        if isinstance(update, Update):
            await handle_error(context.error, context.bot, update.effective_chat, update.effective_user)
        else:
            await handle_error(context.error, context.bot, None, None)
