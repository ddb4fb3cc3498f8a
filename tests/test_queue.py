"""The webhook receiver and the durable update queue, on a real PostgreSQL server (tests/pg.py).

Updates are made by the emulator (which then knows every message the bot replies to) and
POSTed to the receiver over HTTP, as Telegram delivers them; workers answer through the
emulator's Bot API. What a user would notice: a forged webhook call is refused, each
message gets one answer, in order, and a worker dying mid-update costs nobody their answer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
import pytest
from aiohttp import web
from fast_engine import fast_engine
from pg import free_port
from queue_helpers import deliver, replies_by_message, take_updates
from sqlalchemy.exc import OperationalError
from telegram_helpers import fail_once, fast_settings

from bot.adapter import queue
from bot.adapter.application import build_application
from bot.adapter.plugin import FraudAwareness
from bot.adapter.receiver import SECRET_HEADER, receiver_app
from bot.emulator import BotApiEmulator
from bot.storage import migrate
from bot.storage.database import libpq_conninfo

SECRET = "s3cret-token_for-tests"
WORKER = Path(__file__).with_name("queue_worker.py")
SCAM = "Hi mum, I lost my phone, this is my new number. Please send 500 to this account today"


@asynccontextmanager
async def receiver(url: str) -> AsyncIterator[str]:
    """The receiver on a free loopback port; yields the URL Telegram would post to."""
    await asyncio.to_thread(migrate.upgrade, url)
    app = queue.queue_app(url)
    async with app.open_async():
        runner = web.AppRunner(receiver_app(app, secret=SECRET, path="/telegram"))
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield f"http://127.0.0.1:{port}/telegram"
        finally:
            await runner.cleanup()


@asynccontextmanager
async def worker(url: str, emu: BotApiEmulator, tmp_path: Path, **overrides: Any) -> AsyncIterator[None]:
    """A worker in this process (the same ``queue.work`` as ``python -m bot run --role worker``)."""
    settings = fast_settings(tmp_path, database_url=url, **overrides)
    plugin = FraudAwareness(settings, engine=fast_engine(tmp_path / "engine"), answer_unknown_commands=True)
    application = build_application(
        settings, plugin, token=emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url, updater=False
    )
    task = asyncio.create_task(
        queue.work(
            url,
            application,
            concurrency=4,
            max_attempts=3,
            stalled_seconds=2,
            burst_window=settings.burst_window_seconds,
            install_signal_handlers=False,
        )
    )
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@asynccontextmanager
async def received(url: str, updates: list[dict[str, Any]]) -> AsyncIterator[None]:
    """The receiver running, with ``updates`` POSTed to it as Telegram would, each stored (``200``)."""
    async with receiver(url) as endpoint, aiohttp.ClientSession() as session:
        for update in updates:
            assert await deliver(session, endpoint, SECRET, update) == 200
        yield


def worker_env(emu: BotApiEmulator, url: str, tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a worker process (tests/queue_worker.py) answering through ``emu``."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "TELEGRAM_API_FILE_URL": emu.base_file_url,
        "DATA_DIR": str(tmp_path / "killed"),
        "QUEUE_STALLED_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def jobs(url: str, status: str | None = None) -> list[tuple[str, str]]:
    """(status, lock) of the queue's jobs."""
    with psycopg.connect(libpq_conninfo(url)) as connection:
        rows = connection.execute("SELECT status::text, lock FROM procrastinate_jobs ORDER BY id").fetchall()
    return [(s, lock) for s, lock in rows if status is None or s == status]


def attempts(url: str) -> list[tuple[str, int]]:
    """(status, tries so far) of the queue's jobs."""
    with psycopg.connect(libpq_conninfo(url)) as connection:
        rows = connection.execute("SELECT status::text, attempts FROM procrastinate_jobs ORDER BY id").fetchall()
    return [(status, tries) for status, tries in rows]


def handled(url: str) -> list[int]:
    with psycopg.connect(libpq_conninfo(url)) as connection:
        return [row[0] for row in connection.execute("SELECT update_id FROM handled_updates ORDER BY update_id")]


async def until(condition: Any, seconds: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_the_receiver_refuses_a_wrong_or_missing_secret_and_stores_nothing(postgres_url):
    emu = BotApiEmulator()
    user = emu.user(501, "Ana")
    emu.send_message(emu.private_chat(user), user, SCAM)
    (update,) = take_updates(emu)
    async with receiver(postgres_url) as url, aiohttp.ClientSession() as session:
        assert await deliver(session, url, "not-the-secret", update) == 403
        async with session.post(url, json=update) as response:  # no header at all
            assert response.status == 403
        assert jobs(postgres_url) == []
        async with session.post(url, data=b"not json", headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 400
        assert await deliver(session, url, SECRET, update) == 200
        assert await deliver(session, url, SECRET, update) == 200  # Telegram delivering it again
    assert jobs(postgres_url) == [("todo", "chat:501")]  # stored once, locked to its chat


async def test_two_workers_answer_each_message_once_and_each_chat_in_order(postgres_url, tmp_path):
    """Burst merging is off (window 0) so every message has its own answer whose order shows."""
    async with BotApiEmulator() as emu:
        people = [emu.user(600 + n, f"User{n}") for n in range(4)]
        for round_ in range(5):
            for person in people:
                emu.send_message(emu.private_chat(person), person, f"message {round_}: {SCAM}")
        updates = take_updates(emu)
        emu.delay("sendMessage", 0.05)  # answers overlap, so out-of-order work would show
        async with (
            received(postgres_url, updates),
            worker(postgres_url, emu, tmp_path / "w1", burst_window_seconds=0),
            worker(postgres_url, emu, tmp_path / "w2", burst_window_seconds=0),
        ):
            await until(lambda: len(handled(postgres_url)) == len(updates))
            await asyncio.sleep(0.5)  # a duplicate answer would have time to arrive
    for person in people:
        asked = [u["message"]["message_id"] for u in updates if u["message"]["chat"]["id"] == person["id"]]
        answered = [m["reply_to_message"]["message_id"] for m in emu.sent_messages(person["id"])]
        assert answered == asked  # each once, in the order they were written
    assert jobs(postgres_url, "failed") == []


async def test_privacy_says_that_a_worker_keeps_messages_in_the_queue_until_answered(postgres_url, tmp_path):
    """In queue mode /privacy must not claim messages are only held in memory: they wait in PostgreSQL."""
    async with BotApiEmulator() as emu:
        person = emu.user(650, "Pat")
        emu.send_message(emu.private_chat(person), person, "/privacy")
        updates = take_updates(emu)
        async with received(postgres_url, updates), worker(postgres_url, emu, tmp_path, role="worker"):
            await until(lambda: len(emu.sent_messages(person["id"])) == 1)
    privacy = emu.sent_messages(person["id"])[0]["text"]
    assert "What I store" in privacy
    assert "waits in its database until it is handled" in privacy and "kept a week" in privacy


async def test_a_message_forwarded_in_pieces_is_still_answered_once(postgres_url, tmp_path):
    """The job that takes the first piece takes the chat's next ones from the queue while its burst is open."""
    async with BotApiEmulator() as emu:
        person = emu.user(700, "Bo")
        chat = emu.private_chat(person)
        for piece in ("Hi mum, it's me", "I lost my phone, this is my new number", "please send 500 today"):
            emu.send_message(chat, person, piece)
        updates = take_updates(emu)
        async with (
            received(postgres_url, updates),
            worker(postgres_url, emu, tmp_path / "w", burst_window_seconds=1.0),
        ):
            await until(lambda: len(handled(postgres_url)) == 3)
            await asyncio.sleep(0.5)
    sent = emu.sent_messages(700)
    assert len(sent) == 1
    assert sent[0]["reply_to_message"]["message_id"] == updates[0]["message"]["message_id"]


async def test_a_worker_killed_mid_update_loses_nothing_and_answers_once(postgres_url, tmp_path):
    """SIGKILL while the updates are in hand (their bursts still open): another worker answers each once."""
    async with BotApiEmulator() as emu:
        people = [emu.user(800 + n, f"Kim{n}") for n in range(3)]
        for person in people:
            emu.send_message(emu.private_chat(person), person, SCAM)
        updates = take_updates(emu)
        # the updates stay in hand long enough (their bursts open) to be killed with them
        env = worker_env(emu, postgres_url, tmp_path, BURST_WINDOW_SECONDS="5")
        process = await asyncio.create_subprocess_exec(sys.executable, str(WORKER), env=env)
        try:
            async with received(postgres_url, updates):
                await until(lambda: len(jobs(postgres_url, "doing")) == len(people))
                process.send_signal(signal.SIGKILL)
                await asyncio.wait_for(process.wait(), 30)
                assert emu.sent_messages() == []  # it died before answering anyone
                async with worker(postgres_url, emu, tmp_path / "rescuer", burst_window_seconds=0.2):
                    await until(lambda: len(handled(postgres_url)) == len(updates))
                    await asyncio.sleep(1.0)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    for update in updates:
        chat_id = update["message"]["chat"]["id"]
        assert replies_by_message(emu, chat_id) == {update["message"]["message_id"]: 1}
    assert jobs(postgres_url, "failed") == []


async def test_an_answer_already_sent_is_not_sent_again_when_its_worker_is_killed_later_in_the_job(
    postgres_url, tmp_path
):
    """A scam opens a burst; /help sent in that window is taken into the same job and answered at once.

    Its update is marked handled when that answer goes out, not when the job ends: killed while the
    burst is still open, the worker leaves only the scam to the next worker, and /help is answered once.
    """
    async with BotApiEmulator() as emu:
        person = emu.user(910, "Jo")
        chat = emu.private_chat(person)
        emu.send_message(chat, person, SCAM)
        emu.send_message(chat, person, "/help")
        scam, help_ = take_updates(emu)
        env = worker_env(emu, postgres_url, tmp_path, BURST_WINDOW_SECONDS="8")
        process = await asyncio.create_subprocess_exec(sys.executable, str(WORKER), env=env)
        try:
            async with received(postgres_url, [scam, help_]):
                await until(lambda: len(emu.sent_messages(person["id"])) == 1)  # /help's answer, the burst still open
                await until(lambda: handled(postgres_url) == [help_["update_id"]], seconds=5)
                process.send_signal(signal.SIGKILL)
                await asyncio.wait_for(process.wait(), 30)
                async with worker(postgres_url, emu, tmp_path / "rescuer", burst_window_seconds=0.2):
                    await until(lambda: len(handled(postgres_url)) == 2)
                    await asyncio.sleep(1.0)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    once = {scam["message"]["message_id"]: 1, help_["message"]["message_id"]: 1}
    assert replies_by_message(emu, person["id"]) == once


async def test_a_worker_killed_while_its_answer_waits_out_a_telegram_outage_loses_nothing(postgres_url, tmp_path):
    """Telegram down: the answer waits in the worker's outbox. Killed then, another worker still delivers it once."""
    async with BotApiEmulator() as emu:
        person = emu.user(900, "Lee")
        emu.send_message(emu.private_chat(person), person, SCAM)
        updates = take_updates(emu)
        emu.fail_next("sendMessage", status=500, count=1000)
        env = worker_env(emu, postgres_url, tmp_path, BURST_WINDOW_SECONDS="0.2")
        process = await asyncio.create_subprocess_exec(sys.executable, str(WORKER), env=env)
        try:
            async with received(postgres_url, updates):
                # three quick tries, then the outbox's own: the answer is held, the job still open
                await until(lambda: emu.faults.pending <= 995)
                assert jobs(postgres_url) == [("doing", f"chat:{person['id']}")]
                process.send_signal(signal.SIGKILL)
                await asyncio.wait_for(process.wait(), 30)
                assert handled(postgres_url) == []
                emu.clear_faults()  # Telegram is back
                async with worker(postgres_url, emu, tmp_path / "rescuer", burst_window_seconds=0.2):
                    await until(lambda: handled(postgres_url) == [updates[0]["update_id"]])
                    await asyncio.sleep(1.0)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert replies_by_message(emu, person["id"]) == {updates[0]["message"]["message_id"]: 1}


async def test_an_answer_the_outbox_gives_up_on_is_answered_by_the_queues_next_try(postgres_url, tmp_path):
    """Telegram down for longer than ``OUTBOX_MAX_AGE_SECONDS``: without a queue the answer would be dropped;
    a worker fails the job instead, and the queue's next try delivers it once Telegram is back."""
    async with BotApiEmulator() as emu:
        person = emu.user(920, "Al")
        emu.send_message(emu.private_chat(person), person, SCAM)
        updates = take_updates(emu)
        emu.fail_next("sendMessage", status=500, count=1000)
        async with (
            received(postgres_url, updates),
            worker(postgres_url, emu, tmp_path, burst_window_seconds=0.2, outbox_max_age_seconds=1),
        ):
            await until(lambda: attempts(postgres_url) == [("todo", 1)])  # the first try gave up: waiting to retry
            emu.clear_faults()  # Telegram is back
            await until(lambda: handled(postgres_url) == [updates[0]["update_id"]])
            await asyncio.sleep(0.5)
    assert replies_by_message(emu, person["id"]) == {updates[0]["message"]["message_id"]: 1}
    assert jobs(postgres_url, "failed") == []


async def test_an_update_that_keeps_failing_ends_in_the_dead_letters_and_its_chat_goes_on(postgres_url, tmp_path):
    """After ``QUEUE_MAX_ATTEMPTS`` failures a job stays ``failed`` for an operator; the chat's next update is answered.

    The poison: a message update the Bot API library cannot read (no message id or date), as
    a newer Bot API's shape or a corrupted delivery might be.
    """
    async with BotApiEmulator() as emu:
        person = emu.user(901, "Ng")
        chat = emu.private_chat(person)
        emu.send_message(chat, person, SCAM)
        scam = take_updates(emu)[0]
        poison = {"update_id": scam["update_id"] - 1, "message": {"chat": scam["message"]["chat"], "text": "hi"}}
        async with (
            received(postgres_url, [poison, scam]),
            worker(postgres_url, emu, tmp_path, burst_window_seconds=0.2),
        ):
            await until(lambda: handled(postgres_url) == [scam["update_id"]])
            await until(lambda: jobs(postgres_url, "failed") == [("failed", f"chat:{chat['id']}")])
            await asyncio.sleep(0.5)
        with psycopg.connect(libpq_conninfo(postgres_url)) as connection:
            attempts = connection.execute("SELECT attempts FROM procrastinate_jobs WHERE status = 'failed'").fetchone()
    assert attempts == (3,)  # the worker's QUEUE_MAX_ATTEMPTS
    assert replies_by_message(emu, chat["id"]) == {scam["message"]["message_id"]: 1}


async def test_a_database_failure_mid_update_is_retried_and_answered_not_apologised_for(
    postgres_url, tmp_path, monkeypatch
):
    """Too many clients, a dropped connection: the worker's job fails and the queue tries again, so the
    person gets the real answer (here /help) once, not "something went wrong"."""
    too_many = OperationalError("SELECT region", {}, Exception("sorry, too many clients already"))
    failures = fail_once(monkeypatch, FraudAwareness, "_reader", too_many)
    async with BotApiEmulator() as emu:
        person = emu.user(660, "Sam")
        emu.send_message(emu.private_chat(person), person, "/help")
        updates = take_updates(emu)
        async with received(postgres_url, updates), worker(postgres_url, emu, tmp_path):
            await until(lambda: handled(postgres_url) == [updates[0]["update_id"]])
            await asyncio.sleep(0.5)
    assert failures == []  # the first try did fail
    sent = emu.sent_messages(person["id"])
    assert [m["text"].splitlines()[0] for m in sent] == ["What I can check"]  # once, and no apology


@pytest.mark.parametrize("role", ["receiver", "worker"])
def test_the_queue_roles_refuse_to_start_without_postgresql(role, tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": "1:x"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--role", role], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr


def test_a_button_press_waits_in_line_with_its_chat_and_a_chatless_update_with_no_one():
    """A press on an answer's button is ordered after that chat's messages; an inline query stands alone."""
    press = {"update_id": 9, "callback_query": {"id": "1", "from": {"id": 5}, "message": {"chat": {"id": -77}}}}
    assert queue.lock_of(press) == "chat:-77"
    assert queue.lock_of({"update_id": 10, "inline_query": {"id": "2", "from": {"id": 5}, "query": "x"}}) == "chat:5"
    assert queue.lock_of({"update_id": 11, "poll": {"id": "3"}}) == "update:11"
