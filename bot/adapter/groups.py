"""Group chats: quiet until it matters.

In a family group a wrong alert costs more than silence, so the bot speaks only when
the assessment's ``alert`` fires at the group's sensitivity (calibrated risk *and* a
close known scam example *and* no closer legitimate lookalike), and then only once:
the same (or a near-duplicate) text forwarded by five members, or one sender's five
scripts of the same scam within the cooldown, get one alert; another member's different
scam message gets its own (the rule is :class:`bot.adapter.group_policy.AlertMemory`).
The bot introduces itself when added, in the group's language (its setting, else its
title's, else the adder's), and always before its first alert there.
What tg-spam and Cofacts learnt is built in: the group's own
anonymous admins and its linked channel's posts are never flagged, other bots are
ignored, very short messages are skipped, and edits are re-checked (a harmless
message edited into a scam must not slip through). Pictures are read (OCR) within a
per-group budget (:mod:`bot.adapter.group_images`) and their text goes the same way.

Group message text is assessed in memory and never stored, unless an admin reports
a false alarm; an alert's details are kept in memory for a limited time only.

Long because it holds every group interaction (alerts, pictures, /check, /settings, /stats,
membership, migration), each a short mapping onto the policy and settings modules.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from cachetools import TTLCache
from telegram import (
    Bot,
    Chat,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapter.callbacks import NotAScam, SetGroupLanguage, SetSensitivity, ToggleAlerts, decode, pattern
from bot.adapter.group_images import GroupPictures
from bot.adapter.group_intro import Introductions
from bot.adapter.group_policy import (
    CHANNEL_BOT,
    GROUP_ANONYMOUS_BOT,
    AlertMemory,
    AlertRecord,
    GroupMessage,
    sensitivity,
    skip_reason,
)
from bot.adapter.group_settings import GroupCounters, GroupDirectory, settings_view
from bot.adapter.hidden_links import hidden_links
from bot.adapter.images import ImageReader
from bot.adapter.outbox import Outbox
from bot.adapter.sending import send
from bot.adapter.tracking import answering, carrying
from bot.config import Settings
from bot.core.assess import Assessment
from bot.core.assess_config import SENSITIVITIES
from bot.core.engine import Engine
from bot.core.i18n import Language, as_language, is_language, text
from bot.storage import Store
from bot.storage.models import GroupSettings, Report

log = logging.getLogger(__name__)

Waiting = tuple[Message, str, tuple[int, ...]]
"""A group message waiting to be assessed: the message, its words, the queue updates it answers."""

_PRESENT = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
_ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
ASSESS_BATCH = 32
GROUP_SETTINGS_MAX_AGE_SECONDS = 10.0
"""A queue worker re-reads a group's settings this long after reading them (an admin's change elsewhere)."""


class GroupAlerts:
    """The group side of the plugin: alerts, /check, /settings, /stats, membership changes."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        store: Store,
        spawn: Callable[[Awaitable[None]], object],
        *,
        images: ImageReader | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.store = store
        memory = max(settings.report_memory_seconds, 60)
        self.alerts: TTLCache[str, AlertRecord] = TTLCache(maxsize=20_000, ttl=memory)
        self.memory = AlertMemory(
            duplicate_seconds=settings.group_duplicate_window_seconds,
            cooldown_seconds=settings.group_pattern_cooldown_seconds,
        )
        # Queue workers are many: each re-reads a group's settings after a few seconds (one process sees its own).
        refresh = GROUP_SETTINGS_MAX_AGE_SECONDS if settings.role == "worker" else None
        self.directory = GroupDirectory(store, max_age=refresh)
        self.introductions = Introductions(self.directory)
        self.counters = GroupCounters(store)
        self._queues: dict[int, asyncio.Queue[Waiting]] = {}
        self._workers: set[int] = set()
        self._spawn = spawn
        self.pictures = GroupPictures(settings, images or ImageReader())
        self.outbox = outbox or Outbox()

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        groups = filters.ChatType.GROUPS
        content = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
        return [
            ChatMemberHandler(self._on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(groups & filters.StatusUpdate.MIGRATE, self._on_migrate),
            CommandHandler("check", self._cmd_check, filters=groups),
            CommandHandler("settings", self._cmd_settings, filters=groups),
            CommandHandler("stats", self._cmd_stats, filters=groups),
            MessageHandler(groups & filters.REPLY & filters.Entity("mention"), self._on_mention),
            MessageHandler(groups & self.pictures.filter & filters.UpdateType.MESSAGES, self._on_group_picture),
            MessageHandler(groups & content & filters.UpdateType.MESSAGES, self._on_group_message),
            CallbackQueryHandler(self._on_callback, pattern=pattern("na", "gs")),
        ]

    # Settings and counters
    async def group(self, chat: Chat) -> GroupSettings:
        return await self.directory.get(chat.id, chat.title)

    async def _update_group(self, chat_id: int, **changes: object) -> GroupSettings:
        return await self.directory.update(chat_id, **changes)

    async def _count(self, chat_id: int, key: str, amount: int = 1) -> None:
        await self.counters.add(chat_id, key, amount)

    async def flush_counts(self, chat_id: int | None = None) -> None:
        await self.counters.flush(chat_id)

    # Which messages are assessed
    def _skip_reason(
        self, message: Message, bot_id: int, words: str | None = None, *, min_chars: int | None = None
    ) -> str | None:
        sender = message.from_user
        plain = GroupMessage(
            chat_id=message.chat_id,
            words=(message.text or message.caption or "") if words is None else words,
            sender_id=sender.id if sender else None,
            sender_is_bot=bool(sender and sender.is_bot),
            sender_chat_id=message.sender_chat.id if message.sender_chat else None,
            automatic_forward=bool(message.is_automatic_forward),
        )
        return skip_reason(plain, bot_id, self.settings.group_min_chars if min_chars is None else min_chars)

    async def _on_group_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None:
            return
        words = "\n".join([message.text or message.caption or "", *hidden_links(message)]).strip()
        reason = self._skip_reason(message, context.bot.id, words)
        if reason:
            log.debug("not assessing message %s in %s: %s", message.message_id, chat.id, reason)
            return
        group = await self.group(chat)
        if not group.alerts_enabled or not group.active:
            return
        await self._enqueue(chat.id, message, words, context)

    async def _on_group_picture(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A picture (with or without caption): read within the group's budget, then assessed like text."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or self._skip_reason(message, context.bot.id, "", min_chars=0):
            return  # whether a picture's text is too short is known only once it is read
        group = await self.group(chat)
        if not group.alerts_enabled or not group.active:
            return
        if not self.pictures.admit(chat.id, message):  # over the budget: its caption is still read
            await self._count(chat.id, "skipped")
            await self._on_group_message(update, context)
            return

        async def read_then_queue() -> None:
            words = await self.pictures.words(message)
            if len(words.strip()) >= self.settings.group_min_chars:
                await self._enqueue(chat.id, message, words, context)

        self._spawn(read_then_queue())

    async def _enqueue(self, chat_id: int, message: Message, words: str, context: ContextTypes.DEFAULT_TYPE) -> None:
        queue = self._queues.setdefault(chat_id, asyncio.Queue(maxsize=self.settings.group_max_pending))
        try:
            queue.put_nowait((message, words, answering()))
        except asyncio.QueueFull:
            await self._count(chat_id, "skipped")
            return
        if chat_id not in self._workers:
            self._workers.add(chat_id)
            self._spawn(self._work_through(chat_id, queue, context))

    async def _work_through(
        self, chat_id: int, queue: asyncio.Queue[Waiting], context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """Assess a group's waiting messages in batches until none are left.

        One worker per busy group: a burst of hundreds of messages becomes a few batched
        embedding passes instead of hundreds of competing ones, other groups and private
        chats keep their share of the machine, and the queue bound caps the backlog.
        """
        try:
            while not queue.empty():
                waiting = [queue.get_nowait() for _ in range(min(queue.qsize(), ASSESS_BATCH))]
                batch, texts, answers = [m for m, _, _ in waiting], [w for _, w, _ in waiting], [a for *_, a in waiting]
                assessments = await asyncio.to_thread(self.engine.assess_many, texts)
                await self._count(chat_id, "checked", len(batch))
                group = self.directory.cached(chat_id)
                if group is None or not group.alerts_enabled:
                    continue
                level = sensitivity(group.sensitivity)
                for message, words, assessment, update_ids in zip(batch, texts, assessments, answers, strict=True):
                    top = assessment.top.pattern_id if assessment.top else None
                    sender = message.from_user.id if message.from_user else None
                    if assessment.alert_at(level) and self.memory.first(
                        chat_id, message.message_id, words, top, sender
                    ):
                        await self.introductions.done(chat_id)  # the bot's first words are who it is
                        try:
                            with carrying(update_ids):  # a queue worker marks the message's update when sent
                                await self._send_alert(context, message, words, assessment, group)
                        except TelegramError:
                            log.warning("could not send an alert in %s", chat_id, exc_info=True)
        finally:
            self._workers.discard(chat_id)

    async def _send_alert(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        message: Message,
        words: str,
        assessment: Assessment,
        group: GroupSettings,
    ) -> None:
        language = as_language(group.language, assessment.language)
        alert_id = secrets.token_hex(5)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        text("btn_details", language), url=f"https://t.me/{context.bot.username}?start=d_{alert_id}"
                    ),
                    InlineKeyboardButton(text("btn_not_scam", language), callback_data=NotAScam(alert_id).encode()),
                ]
            ]
        )
        body = self.engine.group_alert(assessment, language)

        async def delivered(sent: Message) -> None:
            """Remembered with the message it went out as: "not a scam" is honoured on that message only."""
            self.alerts[alert_id] = AlertRecord(
                chat_id=message.chat_id,
                message_id=message.message_id,
                alert_message_id=sent.message_id,
                text=words,
                pattern_id=assessment.top.pattern_id if assessment.top else None,
                details_html=self.engine.reply(assessment, language),
            )
            await self._count(message.chat_id, "alerts")
            log.info("alert in %s for %s (risk %.2f)", message.chat_id, alert_id, assessment.risk)

        # A failed send is held in the outbox and retried: an alert that arrives late still warns.
        reply_to = message.message_id
        await self.outbox.deliver(context.bot, message.chat_id, body, keyboard, reply_to=reply_to, on_sent=delivered)

    def details(self, alert_id: str) -> str | None:
        """The full answer behind an alert, for the private "details" deep link."""
        record = self.alerts.get(alert_id)
        return record.details_html if record else None

    # On demand
    async def _cmd_check(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        await self._check_reply(message)

    async def _on_mention(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message and context.bot.username and f"@{context.bot.username}".lower() in (message.text or "").lower():
            await self._check_reply(message)

    async def _check_reply(self, message: Message) -> None:
        target = message.reply_to_message
        words = (target.text or target.caption) if target else None
        group = await self.group(message.chat)
        if not words:
            await self._reply(message, text("check_needs_reply", as_language(group.language)))
            return
        assessment = await self.engine.assess_async(words)
        language = as_language(group.language, assessment.language)
        await self._reply(target or message, self.engine.check_answer(assessment, language))

    # Admin commands
    async def is_admin(self, chat: Chat, user: User | None, message: Message | None = None) -> bool:
        """Admins as Telegram says; an anonymous admin (posting as the group itself) is one by definition."""
        if message and message.sender_chat and message.sender_chat.id == chat.id:
            return True
        if user is None or user.id in (GROUP_ANONYMOUS_BOT, CHANNEL_BOT):
            return False
        try:
            member = await chat.get_member(user.id)
        except TelegramError:
            log.warning("could not verify admin status of %s in %s", user.id, chat.id, exc_info=True)
            return False
        return member.status in _ADMINS

    async def _admin_command(self, update: Update) -> tuple[Message, GroupSettings, Language] | None:
        """The message, group and language of an admin's command; a non-admin is refused politely (and logged)."""
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None:
            return None
        group = await self.group(chat)
        language = as_language(group.language)
        if not await self.is_admin(chat, update.effective_user, message):
            user_id = update.effective_user.id if update.effective_user else None
            log.info("non-admin %s tried %s in %s", user_id, (message.text or "").split(" ")[0], chat.id)
            await self._reply(message, text("admins_only", language))
            return None
        return message, group, language

    async def _cmd_settings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        admin = await self._admin_command(update)
        if admin is None:
            return
        message, group, _language = admin
        body, keyboard = settings_view(group)
        await send(message.get_bot(), message.chat_id, body, keyboard, reply_to=message.message_id)

    async def _cmd_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        admin = await self._admin_command(update)
        if admin is None:
            return
        message, group, language = admin
        await self.flush_counts(group.chat_id)
        stats = await self.store.group_stats(group.chat_id)
        await self._reply(
            message,
            text(
                "stats",
                language,
                since=stats.since.strftime("%Y-%m-%d"),
                checked=stats.checked,
                alerts=stats.alerts,
                false_alarms=stats.false_alarms,
                skipped=stats.skipped,
            ),
        )

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        chat = query.message.chat
        group = await self.group(chat)
        language = as_language(group.language)
        if not await self.is_admin(chat, query.from_user):
            log.info("non-admin %s pressed %s in %s", query.from_user.id, query.data, chat.id)
            await query.answer(text("admins_only", language), show_alert=True)
            return
        data = decode(query.data)
        if isinstance(data, NotAScam):
            # Bound to its alert: the id must name the alert on the very message pressed, in this chat,
            # whose admin rights were just checked. A forged id from another group changes nothing.
            record = self.alerts.get(data.alert_id)
            if record is None or (record.chat_id, record.alert_message_id) != (chat.id, query.message.message_id):
                log.warning("'not a scam' on alert %s refused in %s", data.alert_id, chat.id)
                await query.answer(text("details_expired", language), show_alert=True)
                return
            await self._not_a_scam(context.bot, query.from_user, data.alert_id, language)
            await query.answer(text("thanks_feedback", language))
            return
        match data:
            case ToggleAlerts():
                group = await self._update_group(chat.id, alerts_enabled=not group.alerts_enabled)
            case SetSensitivity(level=level) if level in SENSITIVITIES:
                group = await self._update_group(chat.id, sensitivity=level)
            case SetGroupLanguage(code=code) if code == "auto" or is_language(code):
                group = await self._update_group(chat.id, language=None if code == "auto" else code)
        log.info("group %s settings changed by %s: %s", chat.id, query.from_user.id, query.data)
        body, keyboard = settings_view(group)
        await query.answer()
        try:
            await query.edit_message_text(body, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except BadRequest as exc:  # "message is not modified" when pressing the current choice
            log.debug("settings view unchanged: %s", exc)

    async def _not_a_scam(self, bot: Bot, admin: User, alert_id: str, language: Language) -> None:
        """Record the false alarm for the review queue and edit the alert away."""
        record = self.alerts.get(alert_id)
        if record is None:
            return
        await self.store.add_report(  # forgotten only once written: a failed write may be tried again
            Report(
                kind="false_alarm",
                reporter_id=admin.id,
                chat_id=record.chat_id,
                text=record.text,
                suggested_pattern_id=record.pattern_id,
            )
        )
        self.alerts.pop(alert_id, None)
        await self._count(record.chat_id, "false_alarms")
        try:
            await bot.edit_message_text(
                text("false_alarm_done", language), chat_id=record.chat_id, message_id=record.alert_message_id
            )
        except TelegramError:
            log.warning("could not edit alert %s in %s", record.alert_message_id, record.chat_id, exc_info=True)

    # Membership
    async def _on_my_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None or change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
            return
        chat = change.chat
        was, now = change.old_chat_member.status, change.new_chat_member.status
        if now in _PRESENT and was not in _PRESENT:
            can_read = now in _ADMINS or bool(context.bot.can_read_all_group_messages)
            await self.introductions.introduce(context.bot, chat, change.from_user, can_read=can_read)
        elif now not in _PRESENT and was in _PRESENT:
            log.info("removed from group %s", chat.id)
            await self.flush_counts(chat.id)
            await self._update_group(chat.id, active=False)

    async def _on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message and message.migrate_to_chat_id:
            await self.flush_counts(message.chat_id)
            await self.store.migrate_group(message.chat_id, message.migrate_to_chat_id)
            self.directory.forget(message.chat_id)
            log.info("group %s migrated to supergroup %s", message.chat_id, message.migrate_to_chat_id)

    async def _reply(self, message: Message, body: str) -> None:
        await send(message.get_bot(), message.chat_id, body, reply_to=message.message_id)
