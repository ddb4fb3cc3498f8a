#!/usr/bin/env python
"""Benchmark: where a knowledge change's "applied in N s" goes, part by part.

    python scripts/bench_kb_apply.py [--data-dir DIR] [--changes 5] [--threads-demo]

Opens the knowledge service as the bot (and the sandbox) does, on ``--data-dir`` (a
fresh one builds the index first, once, and says so), then adds ``--changes`` new
patterns through ``KnowledgeService.create`` and prints, for each, the total apply time
and its parts: the database write and reload, the embedding of the new texts, the dense
index, the lexical (BM25) index and the index files written. ``--threads-demo`` also
times one short text encoded with the engine's default OpenMP threads and with one, the
comparison behind ``bot.core.embedding_e5.FEW_TEXTS``. Run it while the machine is busy
as well as idle: the two differ most under load.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import bot.core.index as index_module
import bot.core.lexical as lexical_module
from bot.app import bot_settings, build_services
from bot.config import Settings
from bot.core import embedding_e5
from bot.core.knowledge import ScamPattern
from bot.kb.repository import KnowledgeRepository

PARTS: dict[str, float] = defaultdict(float)


def timed(owner: Any, name: str, label: str) -> None:
    """Add the time spent in ``owner.name`` to ``PARTS[label]``."""
    raw = owner.__dict__[name]
    is_classmethod = isinstance(raw, classmethod)
    function = raw.__func__ if is_classmethod else raw

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            PARTS[label] += time.perf_counter() - started

    setattr(owner, name, classmethod(wrapper) if is_classmethod else wrapper)


def threads_demo() -> None:
    """One short text, eight times, on the engine's default threads and on one (per calling thread)."""
    embedder = embedding_e5.E5Embedder()
    embedder.encode(["warm up"] * (embedding_e5.FEW_TEXTS + 1))
    for threads in (None, 1):
        times = []
        for i in range(8):
            embedding_e5._threads_here(threads)
            started = time.perf_counter()
            embedder._load().query([f"Pay now or your account {i} will be closed today"])
            times.append(time.perf_counter() - started)
        print(
            f"one text, {threads or 'default'} thread(s): median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms (load {os.getloadavg()[0]:.1f})"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="a bot data dir (default: a fresh one)")
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--threads-demo", action="store_true")
    args = parser.parse_args()
    if args.threads_demo:
        threads_demo()
    timed(index_module.DenseIndex, "build", "dense index (new texts embedded)")
    timed(index_module.DenseIndex, "save", "index files written")
    timed(lexical_module.LexicalIndex, "__init__", "lexical (BM25) index")
    timed(KnowledgeRepository, "save", "database write")
    timed(KnowledgeRepository, "load", "database reload")
    data_dir = args.data_dir or Path(tempfile.mkdtemp()) / "data"
    settings = bot_settings(Settings(_env_file=None, data_dir=data_dir))  # type: ignore[call-arg]
    started = time.perf_counter()
    services = build_services(settings)
    print(f"opened {data_dir} in {time.perf_counter() - started:.1f} s (a fresh dir builds the whole index once)")
    knowledge = services.knowledge
    base = next(iter(knowledge.kb))
    for n in range(args.changes):
        PARTS.clear()
        stamp = f"{time.time():.0f} {n}"
        data = base.model_dump()
        data["title"]["en"] = f"Benchmark pattern {stamp}"
        data["examples"]["en"] = [f"Pay now or your account {stamp} will be closed today"]
        started = time.perf_counter()
        await knowledge.create(ScamPattern.model_validate(data), "bench")
        total = time.perf_counter() - started
        parts = ", ".join(f"{label} {seconds:.2f}" for label, seconds in PARTS.items())
        print(f"change {n + 1}: applied in {total:.2f} s ({parts}; load {os.getloadavg()[0]:.1f})")
    await services.close()


if __name__ == "__main__":
    asyncio.run(main())
