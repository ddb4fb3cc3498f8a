"""Benchmark of the durable update queue: the real receiver, 1/2/4 worker processes, and a SIGKILL.

    PYTHONPATH=. python scripts/bench_queue.py --updates 10000 --users 1000 --groups 50 --workers 1 2 4 --kill

For each worker count: a fresh PostgreSQL database (a throw-away server, as the tests
start it), the receiver as ``python -m bot run --role receiver``, N workers (the same
``bot.adapter.queue.work`` as ``--role worker``, on the hashing embedder of
tests/fast_engine.py so the figures measure the queue, not the model), and the Bot API
emulator as Telegram. The updates (private messages from USERS people, group messages in
GROUPS groups, round-robin so a person's messages are seconds apart) are made by the
emulator and POSTed to the receiver with the secret header, 32 at a time.

Reported: updates per second (first POST to last update handled), p50/p99 from the POST
to the update's row in ``handled_updates`` (written after its answer was sent), peak
memory (VmHWM) of each worker, and, checked every run, lost updates (never handled) and
messages answered twice. ``--kill`` adds a run with 2 workers where one is SIGKILLed
when 40% of the updates are handled. By default all updates are POSTed as fast as the
receiver takes them, a backlog: p50/p99 are then mostly time waiting in the queue.
``--rate R`` POSTs R updates a second instead, as a bot that keeps up receives them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from pg import free_port, start_server  # noqa: E402
from queue_helpers import deliver, take_updates  # noqa: E402

from bot.emulator import BotApiEmulator  # noqa: E402
from bot.storage import migrate  # noqa: E402
from bot.storage.database import libpq_conninfo  # noqa: E402

SECRET = "bench-secret"
SCAMS = [
    "Hi mum, I lost my phone, this is my new number. Please send 500 to this account today",
    "Your parcel is held at customs, pay the 2.99 fee here: http://parcel-fee.example/pay",
    "您好，我是公安局，您的账户涉嫌洗钱，请立即将资金转入安全账户",
    "Congratulations! You won an iPhone, click to claim and enter your card details",
]
BENIGN = ["See you at 7 for dinner?", "The meeting moved to Tuesday", "今天天气很好", "Thanks, got it!"]


def build_updates(emu: BotApiEmulator, n_updates: int, n_users: int, n_groups: int) -> list[dict[str, Any]]:
    """Group set-up updates first, then messages round-robin over people and groups (a fifth in groups)."""
    rng = random.Random(7)
    people = [
        emu.user(10_000 + n, f"P{n}", language_code=rng.choice(["en", "zh-hans", "zh-hant"])) for n in range(n_users)
    ]
    groups = [emu.group(-1_000_000 - n, f"Group {n}") for n in range(n_groups)]
    for n, group in enumerate(groups):
        emu.add_bot_to_group(group, people[n % n_users], as_admin=True)
    setup = take_updates(emu)
    messages = n_updates - len(setup)
    in_groups = messages // 5 if n_groups else 0
    for i in range(messages):
        text = rng.choice(SCAMS if rng.random() < 0.5 else BENIGN)
        if i % 5 == 4 and in_groups:
            group = groups[(i // 5) % n_groups]
            emu.send_message(group, people[rng.randrange(n_users)], text)
        else:
            person = people[i % n_users]
            emu.send_message(emu.private_chat(person), person, text)
    return setup + take_updates(emu)


def fresh_database(server: Any) -> str:
    url = server.database()
    migrate.upgrade(url)
    return url


def handled_times(url: str) -> dict[int, float]:
    with psycopg.connect(libpq_conninfo(url)) as connection:
        rows = connection.execute("SELECT update_id, extract(epoch FROM handled_at) FROM handled_updates").fetchall()
    return {int(u): float(t) for u, t in rows}


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def start(env: dict[str, str], *command: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(*command, env=env, cwd=str(REPO))


REFUSED: list[int] = []
"""Statuses other than 200 the receiver answered (each then posted again, as Telegram does)."""


async def post_until_stored(session: aiohttp.ClientSession, endpoint: str, update: dict[str, Any]) -> None:
    """POST until the receiver says 200; Telegram, too, delivers an update again after an error."""
    while (status := await deliver(session, endpoint, SECRET, update)) != 200:
        REFUSED.append(status)
        await asyncio.sleep(1.0)


async def paced(
    session: aiohttp.ClientSession, endpoint: str, updates: list[dict[str, Any]], rate: float, sent_at: dict[int, float]
) -> None:
    """POST ``rate`` updates a second, each on time whatever the receiver's answer time (as Telegram does)."""
    loop = asyncio.get_running_loop()
    begin = loop.time()
    in_flight: set[asyncio.Task[None]] = set()
    for n, update in enumerate(updates):
        await asyncio.sleep(max(0.0, begin + n / rate - loop.time()))
        sent_at[update["update_id"]] = time.time()
        task = asyncio.create_task(post_until_stored(session, endpoint, update))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    await asyncio.gather(*in_flight)


async def run_once(
    server: Any,
    n_updates: int,
    n_users: int,
    n_groups: int,
    workers: int,
    kill: bool,
    rate: float = 0.0,
    concurrency: int = 100,
    flood: bool = False,
) -> dict[str, Any]:
    url = fresh_database(server)
    async with BotApiEmulator() as emu:
        updates = build_updates(emu, n_updates, n_users, n_groups)
        if flood:  # Telegram's own limits: about 30 messages a second for the whole bot, 20 a minute per group
            emu.faults.enable_flood_control()
        port = free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "TELEGRAM_API_FILE_URL": emu.base_file_url,
            "WEBHOOK_SECRET_TOKEN": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "QUEUE_STALLED_SECONDS": "5",
            "WORKER_CONCURRENCY": str(concurrency),
            "LOG_LEVEL": "WARNING",
        }
        receiver = await start(env, sys.executable, "-m", "bot", "run", "--role", "receiver")
        procs = []
        for n in range(workers):
            worker_env = {**env, "DATA_DIR": f"/tmp/bench-queue-worker-{os.getpid()}-{n}"}
            procs.append(await start(worker_env, sys.executable, str(REPO / "tests" / "queue_worker.py")))
        endpoint = f"http://127.0.0.1:{port}/telegram"
        sent_at: dict[int, float] = {}
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as session:
                for _ in range(600):  # the receiver and workers starting
                    try:
                        async with session.post(endpoint, data=b"{}") as response:
                            if response.status == 403:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
                await asyncio.sleep(3)  # workers loading their engine
                started = time.time()
                killed: list[int] = []

                async def post(chunk: list[dict[str, Any]]) -> None:
                    for update in chunk:
                        sent_at[update["update_id"]] = time.time()
                        await post_until_stored(session, endpoint, update)

                if rate:
                    posting = asyncio.ensure_future(paced(session, endpoint, updates, rate, sent_at))
                else:
                    chunks = [updates[i::32] for i in range(32)]
                    posting = asyncio.gather(*(post(c) for c in chunks))
                deadline = time.time() + 1800
                while True:
                    await asyncio.sleep(0.5)
                    done = await asyncio.to_thread(handled_times, url)
                    if kill and not killed and len(done) >= 0.4 * len(updates):
                        victim = procs[0]
                        memory = peak_memory_mb(victim.pid)
                        victim.send_signal(signal.SIGKILL)
                        await victim.wait()
                        killed.append(len(done))
                        print(f"  SIGKILL worker 0 at {len(done)} handled (its peak {memory:.0f} MB)", flush=True)
                    if len(done) >= len(updates) or time.time() > deadline:
                        break
                await posting
                await asyncio.sleep(2)  # a duplicate answer would have time to arrive
                done = await asyncio.to_thread(handled_times, url)
                memory = [peak_memory_mb(p.pid) for p in procs if p.returncode is None]
        finally:
            for process in (receiver, *procs):
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
            for process in (receiver, *procs):
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    process.kill()
        latencies = sorted(done[u] - sent_at[u] for u in done if u in sent_at)
        replies: dict[tuple[int, int], int] = {}
        for message in emu.sent_messages():
            replied = (message.get("reply_to_message") or {}).get("message_id")
            if replied is not None:
                key = (message["chat"]["id"], replied)
                replies[key] = replies.get(key, 0) + 1
    lost = len(updates) - len(set(done) & set(sent_at))
    refused, REFUSED[:] = len(REFUSED), []
    twice = sum(1 for count in replies.values() if count > 1)
    elapsed = max(done.values()) - started if done else float("nan")
    return {
        "workers": workers,
        "killed": bool(kill),
        "posted_per_second": rate or "as fast as taken",
        "worker_concurrency": concurrency,
        "telegram_flood_limits": flood,
        "updates": len(updates),
        "updates_per_second": round(len(done) / elapsed, 1),
        "p50_seconds": round(statistics.median(latencies), 3),
        "p99_seconds": round(latencies[int(0.99 * (len(latencies) - 1))], 3),
        "worker_peak_mb": [round(m) for m in memory],
        "answers_sent": sum(replies.values()),
        "lost": lost,
        "receiver_refusals": refused,
        "answered_twice": twice,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4], help="worker counts (none: only --kill)")
    parser.add_argument("--kill", action="store_true", help="also: 2 workers, one SIGKILLed mid-burst")
    parser.add_argument(
        "--flood", action="store_true", help="the emulator answers 429 over Telegram's limits (30/s per bot)"
    )
    parser.add_argument("--concurrency", type=int, default=100, help="WORKER_CONCURRENCY of each worker")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="POST this many updates a second (default: a backlog, as fast as taken)"
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    servers = start_server()
    server = next(servers)
    try:
        runs = [(n, False) for n in args.workers] + ([(2, True)] if args.kill else [])
        for workers, kill in runs:
            result = await run_once(
                server, args.updates, args.users, args.groups, workers, kill, args.rate, args.concurrency, args.flood
            )
            print(json.dumps(result), flush=True)
    finally:
        servers.close()


if __name__ == "__main__":
    asyncio.run(main())
