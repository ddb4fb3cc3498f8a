"""Time to read screenshots on this machine: one phone screenshot, and a 3-image album.

    python scripts/bench_images.py [--runs 20]

Each timing is ``read_images`` end to end for the image bytes: safe decode, OCR of every tile,
layout, QR detection (not the assessment, which the text benchmark measures). The OCR engine is
loaded and warmed up first, as it is in the running bot. Peak memory is the process's maximum
resident set size (``resource.getrusage``), models included.
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

from bot.core.screenshot import ocr_engine, read_images  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


_cpu: list[float] = []


def _time(images: Sequence[bytes]) -> float:
    """Wall time of one read; its CPU time (all threads) is kept in ``_cpu``: on a shared, busy machine
    the wall time measures the neighbours too, the CPU time does not."""
    start, cpu_start = time.perf_counter(), time.process_time()
    reading = read_images(images)
    elapsed = time.perf_counter() - start
    _cpu.append(time.process_time() - cpu_start)
    if reading.problem is not None:
        raise SystemExit(f"benchmark image unreadable: {reading.problem}")
    return elapsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--folder", type=Path, default=ROOT / "data" / "eval" / "screenshots")
    args = parser.parse_args(argv)
    screenshots = sorted(p for p in args.folder.glob("*.png"))
    if len(screenshots) < 3:
        raise SystemExit(f"no screenshots in {args.folder}: run scripts/draw_screenshots.py")
    blobs = [p.read_bytes() for p in screenshots]
    rss_before = _rss_mb()
    start = time.perf_counter()
    ocr_engine()
    load_s = time.perf_counter() - start
    _time(blobs[:1])  # warm-up: onnxruntime allocates its arenas on the first run
    _cpu.clear()
    single = [_time([blobs[i % len(blobs)]]) for i in range(args.runs)]
    single_cpu = list(_cpu)
    _cpu.clear()
    albums = [_time([blobs[(3 * i + k) % len(blobs)] for k in range(3)]) for i in range(max(1, args.runs // 2))]
    album_cpu = list(_cpu)
    result = {
        "cpus": os.cpu_count(),
        "engine_load_s": round(load_s, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "screenshot_s": {"n": len(single), "median": round(statistics.median(single), 3),
                         "p95": round(_p95(single), 3), "cpu_median": round(statistics.median(single_cpu), 3)},
        "album_of_3_s": {"n": len(albums), "median": round(statistics.median(albums), 3),
                         "p95": round(_p95(albums), 3), "cpu_median": round(statistics.median(album_cpu), 3)},
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_before_engine_mb": round(rss_before, 1),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
