"""Time to answer screenshots on this machine: one phone screenshot, and a 3-image album.

    python scripts/bench_images.py [--runs 20] [--ocr-only]

Each timing is end to end from the image bytes to the answer's text, as the bot does it: safe decode,
OCR of every tile, layout, QR detection (``read_images``), then the assessment and the reply
(``engine.assess`` + ``engine.reply``, the configured model and knowledge as built by ``bot.app``).
The reading alone is reported beside it. The OCR engine and the model are loaded and warmed up
first, as in the running bot. Peak memory is the process's maximum resident set size
(``resource.getrusage``), both models included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_engine  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.core.image_answer import reading_note, with_note, words_to_assess  # noqa: E402
from bot.core.screenshot import ocr_engine, read_images  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


_cpu: list[float] = []
_reading: list[float] = []


def _time(images: Sequence[bytes], engine: Engine | None) -> float:
    """Wall time of one answer (of the reading alone without ``engine``); the reading's wall time is kept in
    ``_reading`` and the CPU time (all threads) in ``_cpu``: on a shared, busy machine the wall time
    measures the neighbours too, the CPU time does not."""
    start, cpu_start = time.perf_counter(), time.process_time()
    reading = read_images(images)
    _reading.append(time.perf_counter() - start)
    if reading.problem is not None:
        raise SystemExit(f"benchmark image unreadable: {reading.problem}")
    if engine is not None:
        assessment = engine.assess(words_to_assess(reading))
        with_note(reading_note(reading, assessment.language), engine.reply(assessment))
    elapsed = time.perf_counter() - start
    _cpu.append(time.process_time() - cpu_start)
    return elapsed


def _summary(wall: Sequence[float], reading: Sequence[float], cpu: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(wall),
        "median": round(statistics.median(wall), 3),
        "p95": round(_p95(wall), 3),
        "reading_median": round(statistics.median(reading), 3),
        "reading_p95": round(_p95(reading), 3),
        "cpu_median": round(statistics.median(cpu), 3),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--folder", type=Path, default=ROOT / "data" / "eval" / "screenshots")
    parser.add_argument("--ocr-only", action="store_true", help="time the reading only (no model, no assessment)")
    args = parser.parse_args(argv)
    screenshots = sorted(p for p in args.folder.glob("*.png"))
    if len(screenshots) < 3:
        raise SystemExit(f"no screenshots in {args.folder}: run scripts/draw_screenshots.py")
    blobs = [p.read_bytes() for p in screenshots]
    rss_before = _rss_mb()
    engine = None if args.ocr_only else build_engine(Settings())
    rss_model = _rss_mb()
    start = time.perf_counter()
    ocr_engine()
    load_s = time.perf_counter() - start
    _time(blobs[:1], engine)  # warm-up: onnxruntime allocates its arenas on the first run
    _cpu.clear()
    _reading.clear()
    single = [_time([blobs[i % len(blobs)]], engine) for i in range(args.runs)]
    single_reading, single_cpu = list(_reading), list(_cpu)
    _cpu.clear()
    _reading.clear()
    albums = [_time([blobs[(3 * i + k) % len(blobs)] for k in range(3)], engine) for i in range(max(1, args.runs // 2))]
    result = {
        "cpus": os.cpu_count(),
        "end_to_end": engine is not None,
        "ocr_engine_load_s": round(load_s, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "screenshot_s": _summary(single, single_reading, single_cpu),
        "album_of_3_s": _summary(albums, _reading, _cpu),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_before_models_mb": round(rss_before, 1),
        "rss_with_text_model_mb": round(rss_model, 1),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
