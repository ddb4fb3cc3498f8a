"""The review queue: reported messages, one at a time, turned into knowledge by an admin.

Two kinds arrive: a user's "report as scam" under a private answer (a scam the bot
missed or under-rated) and a group admin's "not a scam" under an alert (a false alarm).
Each item offers what an admin would do with it: add it as an example of the suggested
pattern (or another), as a counter-example (a legitimate lookalike), start a new
pattern from it, or dismiss it. Who reported it stays hidden unless the admin asks,
because most decisions do not need it and reporters trusted us with their message.
"""

from __future__ import annotations

import logging
from html import escape
from typing import TYPE_CHECKING, Literal

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Update, User
from telegram.ext import ContextTypes

from bot.adapter.admin_forms import add_message, category_index, category_label, clip
from bot.adapter.admin_texts import AdminLanguage, Alert, admin_language, button, drop_keyboard, edit, rows, say, t
from bot.core.knowledge import KnowledgeError
from bot.core.reply import quoted_html
from bot.core.taxonomy import SCAM_CATEGORIES
from bot.storage.models import Report

if TYPE_CHECKING:
    from bot.adapter.admin import KnowledgeAdmin

log = logging.getLogger(__name__)

RV = "fa:rv:"
SHOWN_REPORT_CHARS = 1500


class ReviewQueue:
    """``/review`` and its buttons; a part of :class:`~bot.adapter.admin.KnowledgeAdmin`."""

    def __init__(self, admin: KnowledgeAdmin) -> None:
        self.admin = admin

    async def cmd_review(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        if not self.admin.is_admin(user):
            await self.admin.refuse(update, "/review")
            return
        await self.show_next(context.bot, message.chat_id, admin_language(user))

    async def show_next(self, bot: Bot, chat_id: int, language: AdminLanguage, after: int = 0) -> None:
        """The oldest open report after ``after`` (wrapping round to the oldest of all)."""
        store = self.admin.store
        report = await store.next_open_report(after) or (await store.next_open_report(0) if after else None)
        if report is None:
            await say(bot, chat_id, t("queue_empty", language))
            return
        await say(bot, chat_id, await self._render(report, language), self._keyboard(report, language))

    async def _render(self, report: Report, language: AdminLanguage) -> str:
        where = t("where_group" if report.chat_id < 0 else "where_private", language)
        lines = [
            t(
                "review_head",
                language,
                open=await self.admin.store.count_open_reports(),
                id=report.id,
                kind=t(f"kind_{report.kind}", language),
                where=where,
                when=f"{report.created_at:%Y-%m-%d %H:%M}",
            ),
            f"<blockquote>{quoted_html(clip(report.text, SHOWN_REPORT_CHARS))}</blockquote>",
        ]
        suggested = report.suggested_pattern_id
        pattern = self.admin.knowledge.kb.by_id().get(suggested) if suggested else None
        if pattern is not None:
            lines.append(t("suggested", language, id=escape(pattern.id), title=escape(clip(pattern.title.en, 120))))
        elif suggested:
            lines.append(t("suggested_gone", language, id=escape(suggested)))
        else:
            lines.append(t("no_suggestion", language))
        return "\n".join(lines)

    def _keyboard(self, report: Report, language: AdminLanguage) -> InlineKeyboardMarkup:
        rid = report.id
        keyboard = []
        suggested = report.suggested_pattern_id
        if suggested and suggested in self.admin.knowledge.kb.by_id():
            keyboard.append([button(t("btn_example_of", language, id=clip(suggested, 40)), f"{RV}ex:{rid}")])
        keyboard += [
            [
                button(t("btn_example_other", language), f"{RV}pk:{rid}:e"),
                button(t("btn_counter", language), f"{RV}ce:{rid}"),
            ],
            [
                button(t("btn_new_pattern", language), f"{RV}np:{rid}"),
                button(t("btn_dismiss", language), f"{RV}dm:{rid}"),
            ],
            [button(t("btn_who", language), f"{RV}wh:{rid}"), button(t("btn_next", language), f"{RV}nx:{rid}")],
        ]
        return InlineKeyboardMarkup(keyboard)

    async def close(
        self, report_id: int, user: User, status: Literal["accepted", "dismissed"], resolution: str
    ) -> bool:
        closed = await self.admin.store.resolve_report(
            report_id, status=status, resolved_by=user.id, resolution=resolution
        )
        log.info("report %s %s by admin %s (%s)", report_id, status, user.id, resolution)
        return closed

    # Buttons
    async def on_callback(
        self, query: CallbackQuery, bot: Bot, action: str, args: list[str], language: AdminLanguage
    ) -> str | None:
        user = query.from_user
        chat_id = query.message.chat.id if query.message else user.id
        report = await self.admin.store.report(int(args[0]))
        if report is None:
            return Alert(t("report_gone", language))
        if action == "wh":
            log.info("admin %s looked up who filed report %s", user.id, report.id)
            return Alert(t("reporter", language, user=report.reporter_id, chat=report.chat_id))
        if action == "nx":
            await self.show_next(bot, chat_id, language, after=report.id)
            return None
        if report.status != "open":
            return Alert(t("already_handled", language))
        if action in ("ex", "ce", "to"):
            counter = action == "ce" or (action == "to" and args[1] == "c")
            target = self.admin.resolve(args[2]) if action == "to" else report.suggested_pattern_id
            if target is None or target not in self.admin.knowledge.kb.by_id():
                body, keyboard = self._category_chooser(report.id, "c" if counter else "e", language)
                await say(bot, chat_id, body, keyboard)
                return None
            await drop_keyboard(query)
            await self._accept(bot, chat_id, user, report, target, counter, language)
        elif action in ("pk", "pb"):
            body, keyboard = self._category_chooser(report.id, args[1], language)
            await (edit(query, body, keyboard) if action == "pb" else say(bot, chat_id, body, keyboard))
        elif action == "pc":
            body, keyboard = self._pattern_chooser(report.id, args[1], int(args[2]), language)
            await edit(query, body, keyboard)
        elif action == "np":
            await self._new_pattern(query, bot, chat_id, user, report, language)
        elif action == "dm":
            await drop_keyboard(query)
            await self.close(report.id, user, "dismissed", "dismissed")
            await say(bot, chat_id, t("dismissed", language, id=report.id))
            await self.show_next(bot, chat_id, language, after=report.id)
        return None

    async def _accept(
        self,
        bot: Bot,
        chat_id: int,
        user: User,
        report: Report,
        pattern_id: str,
        counter: bool,
        language: AdminLanguage,
    ) -> None:
        """Into the knowledge base (live at once), then the report is closed and the next one shown."""
        if not await self.admin.add_example(bot, chat_id, user, pattern_id, report.text, counter, language):
            return
        await self.close(report.id, user, "accepted", "counter_example" if counter else "example")
        await self.show_next(bot, chat_id, language, after=report.id)

    async def _new_pattern(
        self, query: CallbackQuery, bot: Bot, chat_id: int, user: User, report: Report, language: AdminLanguage
    ) -> None:
        try:
            examples = add_message(None, report.text, "examples")
        except KnowledgeError as exc:
            await say(bot, chat_id, t("problems", language, problems=escape("; ".join(exc.problems))))
            return
        await drop_keyboard(query)
        await self.admin.start_add(bot, chat_id, user, language, examples=examples, report_id=report.id)

    def _category_chooser(self, report_id: int, mode: str, language: AdminLanguage) -> tuple[str, InlineKeyboardMarkup]:
        counts = {category: 0 for category in SCAM_CATEGORIES}
        for pattern in self.admin.knowledge.kb:
            counts[pattern.category] = counts.get(pattern.category, 0) + 1
        buttons = [
            button(f"{category_label(c, language)} ({n})", f"{RV}pc:{report_id}:{mode}:{category_index(c)}")
            for c, n in counts.items()
            if n
        ]
        return t("choose_category", language), InlineKeyboardMarkup(rows(buttons))

    def _pattern_chooser(
        self, report_id: int, mode: str, index: int, language: AdminLanguage
    ) -> tuple[str, InlineKeyboardMarkup]:
        category = SCAM_CATEGORIES[index]
        patterns = [p for p in self.admin.knowledge.kb if p.category == category][:40]
        keyboard = [
            [button(clip(p.title.en, 48), f"{RV}to:{report_id}:{mode}:{self.admin.remember(p.id)}")] for p in patterns
        ]
        keyboard.append([button(t("btn_categories", language), f"{RV}pb:{report_id}:{mode}")])
        body = t("choose_pattern", language, name=escape(category_label(category, language)))
        return body, InlineKeyboardMarkup(keyboard)
