"""Group chats: quiet until it matters.

In a family group a wrong alert costs more than silence, so the bot speaks only when
the assessment's ``alert`` fires at the group's sensitivity (calibrated risk *and* a
close known scam example *and* no closer legitimate lookalike), and then only once:
the same text forwarded by five members, or five scripts of the same scam within the
cooldown, get one alert. What tg-spam and Cofacts learnt is built in: the group's own
anonymous admins and its linked channel's posts are never flagged, other bots are
ignored, very short messages are skipped, and edits are re-checked (a harmless
message edited into a scam must not slip through).

Group message text is assessed in memory and never stored, unless an admin reports
a false alarm; an alert's details are kept in memory for a limited time only.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
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

from bot.adapter.sending import send_reply
from bot.adapter.texts import language_from_telegram, text
from bot.config import Settings
from bot.core.assess import Assessment
from bot.core.assess_config import Sensitivity
from bot.core.engine import Engine
from bot.core.reply import pattern_text
from bot.core.text import Language, matching_form
from bot.storage import Store
from bot.storage.models import GroupSettings, Report

log = logging.getLogger(__name__)

GROUP_ANONYMOUS_BOT = 1087968824
"""The user Telegram shows as the sender of an anonymous admin's message."""
CHANNEL_BOT = 136817688
"""The user Telegram shows as the sender of a post made on behalf of a channel."""

CALLBACK_PREFIX = "fa:"
_PRESENT = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
_ADMINS = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
_COUNT_FLUSH_EVERY = 100
ASSESS_BATCH = 32


@dataclass(frozen=True)
class AlertRecord:
    """What an alert needs later (details, "not a scam"); held in memory only."""

    chat_id: int
    message_id: int
    alert_message_id: int
    text: str
    pattern_id: str | None
    details_html: str


class GroupAlerts:
    """The group side of the plugin: alerts, /check, /settings, /stats, membership changes."""

    def __init__(
        self, settings: Settings, engine: Engine, store: Store, spawn: Callable[[Awaitable[None]], object]
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.store = store
        memory = max(settings.report_memory_seconds, 60)
        self.alerts: TTLCache[str, AlertRecord] = TTLCache(maxsize=20_000, ttl=memory)
        self._seen_texts: TTLCache[tuple[int, str], bool] = TTLCache(
            maxsize=200_000, ttl=max(settings.group_duplicate_window_seconds, 1)
        )
        self._cooldown: TTLCache[tuple[int, str], bool] = TTLCache(
            maxsize=100_000, ttl=max(settings.group_pattern_cooldown_seconds, 1)
        )
        self._alerted_messages: TTLCache[tuple[int, int], bool] = TTLCache(maxsize=200_000, ttl=48 * 3600)
        self._groups: dict[int, GroupSettings] = {}
        self._queues: dict[int, asyncio.Queue[Message]] = {}
        self._workers: set[int] = set()
        self._spawn = spawn
        self._counts: dict[int, Counter[str]] = {}
        self._count_lock = asyncio.Lock()
        self._locks: dict[int, asyncio.Lock] = {}

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
            MessageHandler(groups & content & filters.UpdateType.MESSAGES, self._on_group_message),
            CallbackQueryHandler(self._on_callback, pattern=f"^{CALLBACK_PREFIX}(?:na|gs):"),
        ]

    # Settings cache
    def _lock(self, chat_id: int) -> asyncio.Lock:
        return self._locks.setdefault(chat_id, asyncio.Lock())

    async def group(self, chat: Chat) -> GroupSettings:
        cached = self._groups.get(chat.id)
        if cached is None:
            async with self._lock(chat.id):
                cached = self._groups.get(chat.id) or await self.store.group(chat.id, chat.title)
                self._groups[chat.id] = cached
        return cached

    async def _update_group(self, chat_id: int, **changes: object) -> GroupSettings:
        """Settings changes for one group are serialised, so two quick button presses both stick."""
        async with self._lock(chat_id):
            await self.store.update_group(chat_id, **changes)
            updated = await self.store.group(chat_id)
            self._groups[chat_id] = updated
            return updated

    # Counters (kept in memory, written in batches: a busy group must not mean a write per message)
    async def _count(self, chat_id: int, key: str, amount: int = 1) -> None:
        counts = self._counts.setdefault(chat_id, Counter())
        counts[key] += amount
        if sum(counts.values()) >= _COUNT_FLUSH_EVERY:
            await self.flush_counts(chat_id)

    async def flush_counts(self, chat_id: int | None = None) -> None:
        async with self._count_lock:
            for cid in [chat_id] if chat_id is not None else list(self._counts):
                counts = self._counts.pop(cid, None)
                if counts:
                    await self.store.add_group_counts(cid, **dict(counts))

    # Which messages are assessed
    def _skip_reason(self, message: Message, bot_id: int) -> str | None:
        sender = message.from_user
        if message.is_automatic_forward:
            return "the group's own linked channel"
        if message.sender_chat and message.sender_chat.id == message.chat_id:
            return "an anonymous admin of the group"
        if sender and sender.id == bot_id:
            return "the bot itself"
        if sender and sender.is_bot and sender.id not in (GROUP_ANONYMOUS_BOT, CHANNEL_BOT):
            return "another bot"
        words = message.text or message.caption or ""
        if len(words.strip()) < self.settings.group_min_chars:
            return "too short"
        return None

    async def _on_group_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None:
            return
        reason = self._skip_reason(message, context.bot.id)
        if reason:
            log.debug("not assessing message %s in %s: %s", message.message_id, chat.id, reason)
            return
        group = await self.group(chat)
        if not group.alerts_enabled or not group.active:
            return
        queue = self._queues.setdefault(chat.id, asyncio.Queue(maxsize=self.settings.group_max_pending))
        try:
            queue.put_nowait(message)
        except asyncio.QueueFull:
            await self._count(chat.id, "skipped")
            return
        if chat.id not in self._workers:
            self._workers.add(chat.id)
            self._spawn(self._work_through(chat.id, queue, context))

    async def _work_through(
        self, chat_id: int, queue: asyncio.Queue[Message], context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """Assess a group's waiting messages in batches until none are left.

        One worker per busy group: a burst of hundreds of messages becomes a few batched
        embedding passes instead of hundreds of competing ones, other groups and private
        chats keep their share of the machine, and the queue bound caps the backlog.
        """
        try:
            while not queue.empty():
                batch = [queue.get_nowait() for _ in range(min(queue.qsize(), ASSESS_BATCH))]
                texts = [m.text or m.caption or "" for m in batch]
                assessments = await asyncio.to_thread(self.engine.assess_many, texts)
                await self._count(chat_id, "checked", len(batch))
                group = self._groups.get(chat_id)
                if group is None or not group.alerts_enabled:
                    continue
                sensitivity = _sensitivity(group)
                for message, words, assessment in zip(batch, texts, assessments, strict=True):
                    if assessment.alert_at(sensitivity) and self._first_alert_for(chat_id, message, words, assessment):
                        try:
                            await self._send_alert(context, message, words, assessment, group)
                        except TelegramError:
                            log.warning("could not send an alert in %s", chat_id, exc_info=True)
        finally:
            self._workers.discard(chat_id)

    def _first_alert_for(self, chat_id: int, message: Message, words: str, assessment: Assessment) -> bool:
        """One alert per text, per message and per pattern within the cooldown."""
        digest = hashlib.sha256(matching_form(words).encode("utf-8")).hexdigest()[:24]
        pattern = assessment.top.pattern_id if assessment.top else "-"
        keys = ((self._seen_texts, (chat_id, digest)), (self._alerted_messages, (chat_id, message.message_id)))
        if any(key in cache for cache, key in keys) or (chat_id, pattern) in self._cooldown:
            return False
        self._seen_texts[(chat_id, digest)] = True
        self._alerted_messages[(chat_id, message.message_id)] = True
        if self.settings.group_pattern_cooldown_seconds > 0:
            self._cooldown[(chat_id, pattern)] = True
        return True

    async def _send_alert(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        message: Message,
        words: str,
        assessment: Assessment,
        group: GroupSettings,
    ) -> None:
        language: Language = group.language or assessment.language  # type: ignore[assignment]
        alert_id = secrets.token_hex(5)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        text("btn_details", language), url=f"https://t.me/{context.bot.username}?start=d_{alert_id}"
                    ),
                    InlineKeyboardButton(
                        text("btn_not_scam", language), callback_data=f"{CALLBACK_PREFIX}na:{alert_id}"
                    ),
                ]
            ]
        )
        sent = await send_reply(
            context.bot, message.chat_id, message.message_id, self.engine.group_alert(assessment, language), keyboard
        )
        self.alerts[alert_id] = AlertRecord(
            chat_id=message.chat_id,
            message_id=message.message_id,
            alert_message_id=sent.message_id,
            text=words,
            pattern_id=assessment.top.pattern_id if assessment.top else None,
            details_html=self.engine.reply(assessment, language),
        )
        await self._count(message.chat_id, "alerts")
        log.info(
            "alert in chat %s for pattern %s (risk %.2f)",
            message.chat_id,
            self.alerts[alert_id].pattern_id,
            assessment.risk,
        )

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
            await self._reply(message, text("check_needs_reply", group.language or "en"))  # type: ignore[arg-type]
            return
        assessment = await self.engine.assess_async(words)
        language: Language = group.language or assessment.language  # type: ignore[assignment]
        top = assessment.top
        pattern = self.engine.assessor.index.patterns.get(top.pattern_id) if top else None
        if assessment.verdict == "safe" or pattern is None:
            body = text("check_safe", language)
        else:
            body = text(
                "check_suspicious",
                language,
                title=escape(str(pattern_text(pattern, "title", language))),
                advice=escape(next(iter(pattern_text(pattern, "advice", language)))),
            )
        await self._reply(target or message, body)

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
        language: Language = group.language or "en"  # type: ignore[assignment]
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
        body, keyboard = self._settings_view(group)
        await message.reply_html(body, reply_markup=keyboard, do_quote=True)

    def _settings_view(self, group: GroupSettings) -> tuple[str, InlineKeyboardMarkup]:
        language: Language = group.language or "en"  # type: ignore[assignment]
        state = text("on" if group.alerts_enabled else "off", language)
        current_language = group.language or text("auto", language)
        body = text(
            "settings_title",
            language,
            alerts=state,
            sensitivity=text(group.sensitivity, language),
            lang_name=current_language,
        )

        def mark(label: str, chosen: bool) -> str:
            return f"• {label}" if chosen else label

        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        text("btn_alerts", language, state=state), callback_data=f"{CALLBACK_PREFIX}gs:alerts:toggle"
                    )
                ],
                [
                    InlineKeyboardButton(
                        mark(text(level, language), group.sensitivity == level),
                        callback_data=f"{CALLBACK_PREFIX}gs:sens:{level}",
                    )
                    for level in ("low", "normal", "high")
                ],
                [
                    InlineKeyboardButton(
                        mark(label, (group.language or "auto") == code),
                        callback_data=f"{CALLBACK_PREFIX}gs:lang:{code}",
                    )
                    for code, label in (("auto", "Auto"), ("en", "EN"), ("zh-Hans", "简"), ("zh-Hant", "繁"))
                ],
            ]
        )
        return body, keyboard

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
        language: Language = group.language or "en"  # type: ignore[assignment]
        if not await self.is_admin(chat, query.from_user):
            log.info("non-admin %s pressed %s in %s", query.from_user.id, query.data, chat.id)
            await query.answer(text("admins_only", language), show_alert=True)
            return
        action, _, rest = query.data.removeprefix(CALLBACK_PREFIX).partition(":")
        if action == "na":
            await self._not_a_scam(context.bot, query.from_user, rest, language)
            await query.answer(text("thanks_feedback", language))
            return
        key, _, value = rest.partition(":")
        if key == "alerts":
            group = await self._update_group(chat.id, alerts_enabled=not group.alerts_enabled)
        elif key == "sens" and value in ("low", "normal", "high"):
            group = await self._update_group(chat.id, sensitivity=value)
        elif key == "lang" and value in ("auto", "en", "zh-Hans", "zh-Hant"):
            group = await self._update_group(chat.id, language=None if value == "auto" else value)
        log.info("group %s settings changed by %s: %s", chat.id, query.from_user.id, rest)
        body, keyboard = self._settings_view(group)
        await query.answer()
        try:
            await query.edit_message_text(body, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except BadRequest as exc:  # "message is not modified" when pressing the current choice
            log.debug("settings view unchanged: %s", exc)

    async def _not_a_scam(self, bot: Bot, admin: User, alert_id: str, language: Language) -> None:
        """Record the false alarm for the review queue and edit the alert away."""
        record = self.alerts.pop(alert_id, None)
        if record is None:
            return
        await self.store.add_report(
            Report(
                kind="false_alarm",
                reporter_id=admin.id,
                chat_id=record.chat_id,
                text=record.text,
                suggested_pattern_id=record.pattern_id,
            )
        )
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
            group = await self.group(chat)
            group = await self._update_group(chat.id, active=True, title=chat.title)
            language: Language = group.language or language_from_telegram(change.from_user.language_code)
            await context.bot.send_message(chat.id, text("group_intro", language), parse_mode=ParseMode.HTML)
            can_read = now in _ADMINS or bool(context.bot.can_read_all_group_messages)
            if not can_read and not group.privacy_warned:
                await context.bot.send_message(chat.id, text("privacy_mode", language), parse_mode=ParseMode.HTML)
                await self._update_group(chat.id, privacy_warned=True)
        elif now not in _PRESENT and was in _PRESENT:
            log.info("removed from group %s", chat.id)
            await self.flush_counts(chat.id)
            await self._update_group(chat.id, active=False)

    async def _on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message and message.migrate_to_chat_id:
            await self.flush_counts(message.chat_id)
            await self.store.migrate_group(message.chat_id, message.migrate_to_chat_id)
            self._groups.pop(message.chat_id, None)
            log.info("group %s migrated to supergroup %s", message.chat_id, message.migrate_to_chat_id)

    async def _reply(self, message: Message, body: str) -> None:
        await send_reply(message.get_bot(), message.chat_id, message.message_id, body)


def _sensitivity(group: GroupSettings) -> Sensitivity:
    """The stored sensitivity, or "normal" if the row holds anything else."""
    return group.sensitivity if group.sensitivity in ("low", "normal", "high") else "normal"  # type: ignore[return-value]
