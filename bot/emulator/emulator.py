"""``BotApiEmulator``: the one object tests and the sandbox hold.

It owns the server's lifecycle, exposes the user simulation (from
:class:`~bot.emulator.simulation.UserSimulation`), lets a test read back what the bot did,
wait for it without sleeps, and script failures.  Everything here must run on the event loop
that started the emulator; :attr:`BotApiEmulator.threadsafe` is the door for other threads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import inspect
import logging
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Any

from .faults import FaultPlan, FloodLimits
from .server import ApiServer
from .simulation import ChatRef, UserSimulation
from .state import ApiCall, World

__all__ = ["BotApiEmulator", "ThreadSafeEmulator"]

_LOG = logging.getLogger(__name__)


def _chat_id(chat: ChatRef | None) -> int | None:
    if chat is None:
        return None
    return int(chat["id"]) if isinstance(chat, dict) else int(chat)


class BotApiEmulator(UserSimulation):
    """A local Telegram Bot API server for one bot, plus the controls a test needs.

    ``privacy_mode`` (Telegram's default) hides ordinary group chatter from a non-admin bot;
    ``strict_ampersand`` makes HTML with a bare ``&`` fail, which Telegram itself accepts.

    Typical use::

        async with BotApiEmulator() as emu:
            app = ApplicationBuilder().token(emu.token).base_url(emu.base_url)...
            alice = emu.user(1, "Alice"); chat = emu.private_chat(alice)
            sent = emu.send_message(chat, alice, "/start")
            replies = await emu.wait_for_messages(chat, 1, after=sent)
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "FraudAwarenessBot",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_first_name: str | None = None,
        privacy_mode: bool = True,
        strict_ampersand: bool = False,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like '<bot id>:<secret>'")
        self.token = token
        self.host = host
        bot_user = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": bot_first_name or bot_username,
            "username": bot_username,
        }
        self.world = World(bot_user, privacy_mode=privacy_mode, strict_ampersand=strict_ampersand)
        self.faults = FaultPlan()
        self._server = ApiServer(self.world, self.faults, token, host, port)
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> BotApiEmulator:
        """Bind the port and start answering."""
        self._loop = asyncio.get_running_loop()
        self.world.closing = False
        await self._server.start()
        return self

    async def stop(self) -> None:
        """Release pending long polls and close the server."""
        await self._server.stop()

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token and method."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def bot(self) -> dict[str, Any]:
        """The bot's own ``User`` object."""
        return dict(self.world.bot_user)

    # -- what the bot did ---------------------------------------------------------------------
    def sent_messages(self, chat_id: ChatRef | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent, in order, as they were when sent (edits: :attr:`edits`)."""
        wanted = _chat_id(chat_id)
        return [m for m in self.world.sent if wanted is None or m["chat"]["id"] == wanted]

    def message(self, chat: ChatRef, message_id: int) -> dict[str, Any] | None:
        """The current state of any stored message (``None`` once deleted)."""
        chat_id = _chat_id(chat)
        return self.world.message(chat_id, message_id) if chat_id is not None else None

    @property
    def edits(self) -> list[dict[str, Any]]:
        """Each edit: ``method``, ``chat_id``, ``message_id``, ``previous``, ``message``, ``time``."""
        return list(self.world.edits)

    @property
    def deleted(self) -> list[dict[str, Any]]:
        """Each deletion: ``chat_id``, ``message_id``, ``message`` (as it was), ``time``."""
        return list(self.world.deleted)

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """Each answerCallbackQuery: ``text``, ``show_alert``, ``url``, ``data``, ``chat_id``, ..."""
        return list(self.world.callback_answers)

    @property
    def calls(self) -> list[ApiCall]:
        """Every request the bot made (getUpdates included), in arrival order."""
        return list(self.world.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """Answered requests of one method (case-insensitive)."""
        name = method.lower()
        return [c for c in self.world.calls if c.method.lower() == name and c.status is not None]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet."""
        return copy.deepcopy(self.world.updates)

    # -- waiting --------------------------------------------------------------------------------
    async def _wait(self, ready: Callable[[], Any], seconds: float, describe: Callable[[], str]) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            result = ready()
            if result is not None:  # ready() answers None until the condition holds
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {seconds:g} s waiting for {describe()}")
            await self.world.wait_changed(remaining)

    def _recent_calls(self, limit: int = 8) -> str:
        calls = [c for c in self.world.calls if c.method.lower() != "getupdates"][-limit:]
        if not calls:
            return "the bot made no calls besides getUpdates"
        shown = [
            f"{c.method} -> {c.status if c.status is not None else 'pending'}"
            + (f" ({c.description})" if c.description else "")
            for c in calls
        ]
        return "recent calls: " + "; ".join(shown)

    async def wait_for_messages(
        self,
        chat_id: ChatRef,
        count: int = 1,
        timeout: float = 10,  # noqa: ASYNC109 - part of the documented test API
        *,
        after: dict[str, Any] | int | None = None,
    ) -> list[dict[str, Any]]:
        """Wait until the bot has sent ``count`` messages to the chat; return them all.

        ``after`` (a message or message id) counts only messages sent after it, which is what
        a conversation step wants: ``await emu.wait_for_messages(chat, 1, after=user_msg)``.
        """
        wanted = _chat_id(chat_id)
        floor = int(after["message_id"]) if isinstance(after, dict) else int(after or 0)

        def matching() -> list[dict[str, Any]]:
            return [m for m in self.sent_messages(wanted) if m["message_id"] > floor]

        def ready() -> list[dict[str, Any]] | None:
            found = matching()
            return found if len(found) >= count else None

        def describe() -> str:
            texts = [m.get("text", m.get("caption", "<media>")) for m in matching()]
            where = f"chat {wanted}" + (f" after message {floor}" if floor else "")
            return f"{count} bot message(s) in {where}; got {len(texts)}: {texts!r}; {self._recent_calls()}"

        result: list[dict[str, Any]] = await self._wait(ready, timeout, describe)
        return result

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10,  # noqa: ASYNC109 - part of the documented test API
    ) -> list[ApiCall]:
        """Wait until ``method`` has been called and answered ``count`` times; return those calls."""

        def ready() -> list[ApiCall] | None:
            found = self.calls_to(method)
            return found if len(found) >= count else None

        def describe() -> str:
            return f"{count} answered {method} call(s), got {len(self.calls_to(method))}; {self._recent_calls()}"

        result: list[ApiCall] = await self._wait(ready, timeout, describe)
        return result

    async def wait_until_idle(
        self,
        timeout: float = 10,  # noqa: ASYNC109 - part of the documented test API
        settle: float = 0.05,
    ) -> None:
        """Wait until every update is confirmed, the bot is long-polling again and no other
        request is in flight, continuously for ``settle`` seconds.

        This proves the bot fetched everything and answered what it answers via the API
        promptly; a handler that is still busy with non-API work longer than ``settle`` is not
        visible here, so prefer :meth:`wait_for_messages` when a reply is expected.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        quiet_since: float | None = None
        world = self.world
        while True:
            now = loop.time()
            idle = not world.updates and world.pollers_waiting > 0 and world.inflight == 0
            if idle:
                quiet_since = quiet_since if quiet_since is not None else now
                if now - quiet_since >= settle:
                    return
            else:
                quiet_since = None
            if now >= deadline:
                raise TimeoutError(
                    f"timed out after {timeout:g} s waiting for the bot to be idle: "
                    f"{len(world.updates)} unconfirmed update(s), polling={world.pollers_waiting > 0}, "
                    f"{world.inflight} request(s) in flight; {self._recent_calls()}"
                )
            step = settle if idle else deadline - now
            await world.wait_changed(min(step, deadline - now))

    # -- faults -------------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Fail the next ``count`` calls of ``method`` (``"*"`` = any but getUpdates).

        Defaults per status: 429 "Too Many Requests: retry after N" with
        ``parameters.retry_after`` (N = ``retry_after`` or 1), 403 "Forbidden: bot was blocked by
        the user", 500 "Internal Server Error", 400 "Bad Request: injected failure".
        """
        self.faults.fail_next(method, status=status, count=count, retry_after=retry_after, description=description)

    def reset_next(self, method: str, *, count: int = 1) -> None:
        """Reset the connection of the next ``count`` calls of ``method`` before carrying them out
        (PTB raises ``NetworkError``; nothing was sent, so a retry cannot duplicate)."""
        self.faults.reset_next(method, count=count)

    def delay(self, method: str, seconds: float, *, count: int | None = None) -> None:
        """Hold answers to ``method`` for ``seconds`` (the next ``count`` calls, or until cleared)."""
        self.faults.delay(method, seconds, count=count)

    def enable_flood_control(self, limits: FloodLimits | None = None) -> None:
        """Answer sends beyond Telegram-like rate limits with 429 + ``retry_after``."""
        self.faults.enable_flood_control(limits)

    def disable_flood_control(self) -> None:
        self.faults.disable_flood_control()

    def clear_faults(self) -> None:
        """Drop all scripted failures and delays."""
        self.faults.clear()

    # -- other threads ----------------------------------------------------------------------
    @property
    def threadsafe(self) -> ThreadSafeEmulator:
        """A proxy whose calls run on the emulator's loop and block the calling thread."""
        if self._loop is None:
            raise RuntimeError("start() the emulator first")
        return ThreadSafeEmulator(self, self._loop)


class ThreadSafeEmulator:
    """Runs :class:`BotApiEmulator` calls on its loop from another thread (e.g. a sandbox UI).

    Plain methods and properties return deep copies; coroutine methods (``wait_for_*``) are
    awaited on the loop and their result returned.
    """

    def __init__(self, emulator: BotApiEmulator, loop: asyncio.AbstractEventLoop) -> None:
        self._emulator = emulator
        self._loop = loop

    def _call(self, fn: Callable[[], Any]) -> Any:
        if self._loop_thread_is_current():
            raise RuntimeError("called from the emulator's own loop: use the emulator directly")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(copy.deepcopy(fn()))
            except BaseException as exc:  # handed over to the calling thread
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return future.result()

    def _loop_thread_is_current(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False  # no loop in this thread: the normal case for a caller thread

    def __getattr__(self, name: str) -> Any:
        static = inspect.getattr_static(self._emulator, name)
        if isinstance(static, property):
            return self._call(lambda: getattr(self._emulator, name))
        target = getattr(self._emulator, name)
        if inspect.iscoroutinefunction(target):

            def run_coroutine(*args: Any, **kwargs: Any) -> Any:
                future = asyncio.run_coroutine_threadsafe(target(*args, **kwargs), self._loop)
                return copy.deepcopy(future.result())

            return run_coroutine
        if callable(target):
            return lambda *args, **kwargs: self._call(partial(target, *args, **kwargs))
        return self._call(lambda: getattr(self._emulator, name))
