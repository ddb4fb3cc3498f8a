#!/usr/bin/env python
"""Load-and-fault benchmark: a burst through the emulator while Telegram and the database misbehave.

    python scripts/bench_faults.py [--users 2000] [--group-messages 1000] [--sigterm-at 8]

The bot is the real PTB application with the plugin, run as ``python -m bot run`` runs it
(``run_polling`` with SIGINT/SIGTERM as stop signals) in a child process, against the Bot API
emulator in this process over real HTTP. The engine is the real one over the shipped knowledge
with the hashing embedder of tests/fast_engine.py (retrieval quality is not measured here; the
model's speed is in ``make bench``). During the burst this process injects, round robin every
``--fault-every`` seconds, four 429s, three 500s, three 502s and three connection resets into
the next sends; answers every send with 502 for ``--outage-seconds`` (Telegram down: longer than
the quick retries); and holds SQLite's write lock from another connection (BEGIN IMMEDIATE) for
``--lock-seconds``.

Two runs:
1. the burst to the end, then a graceful stop;
2. the same burst with SIGTERM to the bot ``--sigterm-at`` seconds in (during the outage), then a
   restart that answers what Telegram still holds (as a supervisor would restart it).

Per run: private answers delivered exactly once / more than once / never, error texts, p50 and
p99 time from a user's message to the answer, answers recorded in the database, group messages
checked and alerts sent, the outbox and recorder counts, and the bot's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from bot.emulator import BotApiEmulator  # noqa: E402

TOKEN = "123456:BENCH-TOKEN"
GROUP_SCAM = (
    "Mum it's me, I dropped my phone in the toilet so this is my new number. I need to pay a bill urgently today, "
    "can you transfer £650 to this account? I'll pay you back tomorrow, please don't tell dad"
)
GROUPS = 20
MIN_CHARS = 10  # GROUP_MIN_CHARS: shorter group messages are not assessed, by design


# The bot (child process)
def serve(base_url: str, data_dir: Path, result: Path) -> None:
    """Run the bot until SIGTERM exactly as the standalone runner does, then write its counts."""
    import logging

    from fast_engine import fast_engine

    from bot.adapter.application import build_application
    from bot.adapter.plugin import FraudAwareness
    from bot.config import Settings

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=data_dir,
        telegram_api_base_url=f"{base_url}/bot",
        telegram_api_file_url=f"{base_url}/file/bot",
        burst_window_seconds=0.3,
    )
    plugin = FraudAwareness(settings, engine=fast_engine(data_dir / "engine"), answer_unknown_commands=True)
    application = build_application(settings, plugin, token=TOKEN)
    application.run_polling(stop_signals=(signal.SIGINT, signal.SIGTERM), drop_pending_updates=False)
    delivery = plugin.delivery
    counts = {
        "outbox": vars(delivery.outbox.stats),
        "recorder": vars(delivery.recorder.stats),
        "storage_reads_failed": delivery.storage_errors,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    result.write_text(json.dumps(counts))


# The load (this process)
def texts() -> list[str]:
    rows = [json.loads(line) for line in (REPO / "data/eval/dev.jsonl").read_text(encoding="utf-8").splitlines()]
    return [row["text"] for row in rows if row.get("text")]


def start_bot(emu: BotApiEmulator, data_dir: Path, result: Path, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", NO_PROXY="127.0.0.1,localhost", PYTHONPATH=str(REPO))
    base = emu.base_url.removesuffix("/bot")
    command = [sys.executable, __file__, "--serve", base, str(data_dir), str(result)]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def outage(emu: BotApiEmulator, at: float, seconds: float) -> None:
    """Telegram down: every sendMessage answers 502 for ``seconds`` (the quick retries cannot ride it out)."""
    await asyncio.sleep(at)
    emu.fail_next("sendMessage", status=502, count=10**9)
    await asyncio.sleep(seconds)
    emu.clear_faults()


def hold_write_lock(database: Path, after: float, seconds: float, held: list[float]) -> threading.Thread:
    """Another connection takes SQLite's write lock (BEGIN IMMEDIATE) and keeps it ``seconds``."""

    def run() -> None:
        time.sleep(after)
        connection = sqlite3.connect(database, timeout=60, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        held.append(time.monotonic())
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()
        held.append(time.monotonic())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def inject_faults(emu: BotApiEmulator, every: float, seconds: float, stop: asyncio.Event) -> int:
    """Round robin for ``seconds``: 4×429 (beyond PTB's three rate-limit retries), 3×500, 3×502, 3 resets."""
    faults = itertools.cycle(
        [
            lambda: emu.fail_next("sendMessage", status=429, count=4, retry_after=1),
            lambda: emu.fail_next("sendMessage", status=500, count=3),
            lambda: emu.fail_next("sendMessage", status=502, count=3),
            lambda: emu.reset_next("sendMessage", count=3),
        ]
    )
    injected = 0
    until = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < until:
        if emu.faults.pending == 0:  # while the bot is down (SIGTERM run) faults do not pile up
            next(faults)()
            injected += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
    return injected


async def wait_for_bot(emu: BotApiEmulator, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while emu.world.pollers_waiting == 0:
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not start polling")
        await asyncio.sleep(0.2)


async def stop_bot(process: subprocess.Popen[bytes], seconds: float = 180) -> int:
    process.send_signal(signal.SIGTERM)
    return await asyncio.to_thread(process.wait, seconds)


async def run(args: argparse.Namespace, *, sigterm_at: float | None) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    log = work / "bot.log"
    corpus = texts()
    async with BotApiEmulator(token=TOKEN) as emu:
        process = start_bot(emu, work, work / "result-1.json", log)
        await wait_for_bot(emu)
        groups = []
        members = []
        for g in range(GROUPS):
            owner = emu.user(10_000 + g, f"Owner {g}")
            member = emu.user(20_000 + g, f"Member {g}")
            group = emu.group(-1_000_000 - g, f"Group {g}", supergroup=True)
            emu.add_member(group, member)
            emu.add_bot_to_group(group, owner, as_admin=True)
            groups.append((group, owner))
            members.append(member)
        await emu.wait_until_idle(timeout=60)
        intro_count = len(emu.sent_messages())

        users = [emu.user(100_000 + i, f"User {i}", language_code="en") for i in range(args.users)]
        chats = [emu.private_chat(u) for u in users]
        stop_faults = asyncio.Event()
        faults = asyncio.create_task(inject_faults(emu, args.fault_every, args.fault_seconds, stop_faults))
        lock_held: list[float] = []
        hold_write_lock(work / "bot.sqlite3", args.lock_after, args.lock_seconds, lock_held)

        started = time.monotonic()
        down = asyncio.create_task(outage(emu, args.outage_at, args.outage_seconds))
        asked: dict[int, float] = {}
        assessable = 0
        order = list(range(max(args.users, args.group_messages)))
        for i in order:  # the burst: private users and group members interleaved
            if i < args.users:
                asked[chats[i]["id"]] = time.time()
                emu.send_message(chats[i], users[i], corpus[i % len(corpus)])
            if i < args.group_messages:
                group, owner = groups[i % GROUPS]
                words = GROUP_SCAM if (i // GROUPS) % 10 == 0 else corpus[(i * 7) % len(corpus)]  # alerts everywhere
                posted = f"{words} ({i})"
                assessable += len(posted.strip()) >= MIN_CHARS
                emu.send_message(group, members[i % GROUPS], posted)
            if i % 100 == 99:
                await asyncio.sleep(0)  # let the emulator serve the bot's polls while we post
        burst_seconds = time.monotonic() - started

        exit_codes = []
        restarted = False
        if sigterm_at is not None:
            await asyncio.sleep(max(0.0, sigterm_at - (time.monotonic() - started)))
            unfetched_at_stop = len(emu.world.updates)
            outbox_at_stop = _waiting_in_outbox(emu, chats)
            stopping = time.monotonic()
            exit_codes.append(await stop_bot(process))
            stop_took = time.monotonic() - stopping
            left_with_telegram = len(emu.world.updates)
            answered_before_restart = _answers(emu, chats)
            process = start_bot(emu, work, work / "result-2.json", log)  # a supervisor restarts it
            restarted = True
            await wait_for_bot(emu)
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline and sum(1 for n in _answers(emu, chats).values() if n) < args.users:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        stop_faults.set()
        injected = await faults
        await down
        await emu.wait_until_idle(timeout=60)
        exit_codes.append(await stop_bot(process))
        finished = time.monotonic() - started

        answers = _answers(emu, chats)
        latencies = _latencies(emu, asked)
        results = [json.loads(p.read_text()) for p in sorted(work.glob("result-*.json"))]  # noqa: ASYNC240
        database = sqlite3.connect(work / "bot.sqlite3")
        recorded = database.execute("SELECT count(*) FROM answers").fetchone()[0]
        checked, alerts_counted = database.execute("SELECT sum(checked), sum(alerts) FROM group_stats").fetchone()
        database.close()
        group_ids = {g["id"] for g, _ in groups}
        alerts = [
            m for m in emu.sent_messages()[intro_count:] if m["chat"]["id"] in group_ids and "fa:na:" in json.dumps(m)
        ]
        report: dict[str, Any] = {
            "engine": "real engine, shipped knowledge, hashing embedder (tests/fast_engine.py)",
            "private_users": args.users,
            "group_messages": args.group_messages,
            "burst_posted_in_s": round(burst_seconds, 1),
            "faults_injected": injected,
            "sqlite_lock_held_s": round(lock_held[1] - lock_held[0], 1) if len(lock_held) == 2 else None,
            "sqlite_lock_taken_at_s": round(lock_held[0] - started, 1) if lock_held else None,
            "telegram_outage_s": [args.outage_at, args.outage_at + args.outage_seconds],
            "answered_exactly_once": sum(1 for n in answers.values() if n == 1),
            "answered_more_than_once": sum(1 for n in answers.values() if n > 1),
            "answers_lost": sum(1 for n in answers.values() if n == 0),
            "error_texts": _error_texts(emu, chats),
            "p50_s": round(statistics.median(latencies), 2) if latencies else None,
            "p99_s": round(statistics.quantiles(latencies, n=100)[98], 2) if len(latencies) > 1 else None,
            "answers_recorded": recorded,
            "group_messages_long_enough": assessable,
            "group_messages_checked": checked,
            "group_alerts_sent": len(alerts),
            "group_alerts_counted": alerts_counted,
            "all_done_in_s": round(finished, 1),
            "bot_exit_codes": exit_codes,
            "bot_processes": results,
            "bot_log": str(log),
        }
        if restarted:
            report["sigterm_at_s"] = sigterm_at
            report["updates_unfetched_at_sigterm"] = unfetched_at_stop
            report["updates_left_with_telegram_after_stop"] = left_with_telegram
            report["private_answers_not_yet_delivered_at_sigterm"] = outbox_at_stop
            report["sigterm_to_exit_s"] = round(stop_took, 1)
            report["answered_before_restart"] = sum(1 for n in answered_before_restart.values() if n)
        return report


def _answers(emu: BotApiEmulator, chats: list[dict[str, Any]]) -> dict[int, int]:
    """Answers (messages with the feedback buttons) per private chat."""
    wanted = {c["id"]: 0 for c in chats}
    for message in emu.world.sent:
        chat_id = message["chat"]["id"]
        if chat_id in wanted and "fa:h:" in json.dumps(message.get("reply_markup", {})):
            wanted[chat_id] += 1
    return wanted


def _waiting_in_outbox(emu: BotApiEmulator, chats: list[dict[str, Any]]) -> int:
    return sum(1 for n in _answers(emu, chats).values() if n == 0)


def _error_texts(emu: BotApiEmulator, chats: list[dict[str, Any]]) -> int:
    ids = {c["id"] for c in chats}
    return sum(
        1 for m in emu.world.sent if m["chat"]["id"] in ids and "something went wrong" in m.get("text", "").lower()
    )


def _latencies(emu: BotApiEmulator, asked: dict[int, float]) -> list[float]:
    """Seconds from a user's message to the first answer Telegram accepted for them."""
    first: dict[int, float] = {}
    for call in emu.calls_to("sendMessage"):
        if call.status != 200:
            continue
        try:
            chat_id = int(call.params.get("chat_id"))
        except (TypeError, ValueError):
            continue
        if chat_id in asked and "fa:h:" in str(call.params.get("reply_markup", "")):
            first.setdefault(chat_id, call.time)
    return sorted(first[c] - asked[c] for c in first)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--group-messages", type=int, default=1000)
    parser.add_argument("--fault-every", type=float, default=0.5, help="seconds between injected faults")
    parser.add_argument("--fault-seconds", type=float, default=60.0, help="faults are injected this long")
    parser.add_argument("--lock-after", type=float, default=3.0, help="seconds into the burst")
    parser.add_argument("--lock-seconds", type=float, default=8.0)
    parser.add_argument("--outage-at", type=float, default=10.0, help="seconds into the burst")
    parser.add_argument("--outage-seconds", type=float, default=8.0)
    parser.add_argument("--sigterm-at", type=float, default=14.0, help="seconds into the burst (in the outage)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for every answer")
    parser.add_argument("--only", choices=["plain", "sigterm"], default=None)
    args = parser.parse_args()
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    runs = {"plain": None, "sigterm": args.sigterm_at}
    for name, sigterm_at in runs.items():
        if args.only and name != args.only:
            continue
        report = asyncio.run(run(args, sigterm_at=sigterm_at))
        print(json.dumps({"run": name, **report}, indent=2), flush=True)


if __name__ == "__main__":
    main()
