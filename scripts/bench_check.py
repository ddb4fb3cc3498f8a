#!/usr/bin/env python
"""Benchmark: ``python -m bot check --jsonl`` over N messages, model load included; cold start; memory.

    python scripts/bench_check.py [--count 1000]

Three figures, each from a fresh process as a user would see them:
- the whole ``check --jsonl`` run over N messages (start to last line out) and its peak memory;
- the cold start of ``python -m bot check "…"`` (one message, model and index loaded from disk);
- the bot's resident memory: the sandbox (the real PTB application, plugin, database and engine)
  playing its scripted demo to the end, peak RSS of that process.

Messages are drawn (cycled) from the labelled sets in data/eval, so the mix of
English and Chinese, short and long, matches what the evaluation measures. The
whole command is timed as a user would time it, from start to last line out.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONTRACT = {"id", "verdict", "risk", "alert", "matches", "red_flags", "language"}


_CHILD = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True, text=True)\n"
    "sys.stdout.write(done.stdout); sys.stderr.write(done.stderr)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(done.returncode)\n"
)


def _measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``command`` in a fresh wrapper process: wall time, the command's own peak RSS in MB, its output."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, *command],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    elapsed = time.perf_counter() - started
    *stderr, peak_kb = result.stderr.rstrip("\n").split("\n")
    result.stderr = "\n".join(stderr)
    return elapsed, int(peak_kb) / 1024, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()

    texts = [
        json.loads(line)["text"]
        for path in sorted((REPO / "data" / "eval").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as handle:
        for i, text in zip(range(args.count), itertools.cycle(texts), strict=False):
            handle.write(json.dumps({"id": i, "text": f"{text} #{i}"}, ensure_ascii=False) + "\n")
        path = handle.name

    elapsed, peak_mb, result = _measure([sys.executable, "-m", "bot", "check", "--jsonl", path])
    lines = result.stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(rows) == args.count, f"{len(rows)} lines for {args.count} inputs"
    assert all(set(row) == CONTRACT for row in rows), "output keys differ from the contract"
    print(
        f"check --jsonl, {args.count} messages: {elapsed:.1f} s in all (model load included), "
        f"{args.count / elapsed:.0f} messages/s, peak memory {peak_mb:.0f} MB"
    )

    _measure([sys.executable, "-m", "bot", "index", "build"])  # the cold start below reads a current index
    cold = [_measure([sys.executable, "-m", "bot", "check", texts[0]]) for _ in range(3)]
    print(
        "cold start of check \"…\" (one message): "
        + ", ".join(f"{seconds:.2f} s" for seconds, _, _ in cold)
        + f"; peak memory {max(mb for _, mb, _ in cold):.0f} MB"
    )

    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    seconds, peak_mb, demo = _measure([sys.executable, "-m", "bot", "run"], env=env)
    assert demo.returncode == 0, demo.stderr[-2000:]
    print(f"the bot (sandbox demo to the end, {seconds:.1f} s): peak resident memory {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
