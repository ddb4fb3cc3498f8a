#!/usr/bin/env python
"""Benchmark: ``python -m bot check --jsonl`` over N messages, model load included.

    python scripts/bench_check.py [--count 1000]

Messages are drawn (cycled) from the labelled sets in data/eval, so the mix of
English and Chinese, short and long, matches what the evaluation measures. The
whole command is timed as a user would time it, from start to last line out.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONTRACT = {"id", "verdict", "risk", "alert", "matches", "red_flags", "language"}


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

    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--jsonl", path], capture_output=True, text=True, cwd=REPO, check=False
    )
    elapsed = time.perf_counter() - started
    lines = result.stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(rows) == args.count, f"{len(rows)} lines for {args.count} inputs"
    assert all(set(row) == CONTRACT for row in rows), "output keys differ from the contract"
    print(f"{args.count} messages: {elapsed:.1f} s in all (model load included), {args.count / elapsed:.0f} messages/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
