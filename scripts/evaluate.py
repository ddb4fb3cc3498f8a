#!/usr/bin/env python
"""Evaluate the engine on labelled JSON lines and print README-ready tables.

    python scripts/evaluate.py data/eval/dev.jsonl+data/eval/dev_realworld.jsonl \
        data/eval/test.jsonl+data/eval/test_realworld.jsonl [--json out.json] [--errors]

Each argument is one set; files joined with ``+`` are reported together (the
development set is its first round plus the real-world round, likewise the test set).
The embedding backend is the configured one (``EMBEDDING_BACKEND``), so the same
command measures each model: ``make eval`` and ``make eval-minilm``.

Figures: scam recall (verdict not safe), category top-1/top-3, and group-alert
precision / recall / false-alert rate at each sensitivity, per language.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from bot.app import build_engine
from bot.config import Settings
from bot.core.evaluation import grouped_metrics, load_labelled, markdown_table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+", help="labelled JSONL files; join files of one set with +")
    parser.add_argument("--json", type=Path, help="also write all figures as JSON here")
    parser.add_argument("--errors", action="store_true", help="list misclassified messages on stderr")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    engine = build_engine(Settings(knowledge_source="files"))
    report: dict[str, object] = {}
    print(f"embedding model: {engine.assessor.embedder.name}\n")
    for spec in args.sets:
        paths = [Path(part) for part in spec.split("+")]
        name = " + ".join(path.name for path in paths)
        messages = [m for path in paths for m in load_labelled(path)]
        started = time.perf_counter()
        assessments = engine.assess_many([m.text for m in messages])
        elapsed = time.perf_counter() - started
        pairs = list(zip(messages, assessments, strict=True))
        grouped = grouped_metrics(pairs)
        report[name] = grouped
        print(markdown_table(f"{name} ({len(messages)} messages, assessed in {elapsed:.1f} s)", grouped))
        print()
        if args.errors:
            for message, assessment in pairs:
                missed = message.is_scam and assessment.verdict == "safe"
                false_alarm = not message.is_scam and assessment.alert_at("high")
                if missed or false_alarm:
                    top = assessment.top.pattern_id if assessment.top else "-"
                    print(
                        f"{'MISSED' if missed else 'FALSE ALERT'} {message.id} [{message.label}] "
                        f"risk={assessment.risk:.2f} top={top} {message.text[:90]!r}",
                        file=sys.stderr,
                    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
