"""OCR accuracy on the labelled screenshot set, and (with --assess) the assessment over the OCR text.

    python scripts/evaluate_screenshots.py                       # character accuracy per language
    python scripts/evaluate_screenshots.py --assess              # + recall and false warnings (loads the engine)

Character accuracy is 1 - normalised edit distance (``rapidfuzz.distance.Levenshtein``) between the
OCR text in reading order and the drawn text, both NFKC-normalised, with all whitespace removed
(line breaks inside a bubble and spacing around CJK are layout, not content) and a second figure that
keeps single spaces between Latin words. The set lives in ``data/eval/screenshots`` (drawn by
``scripts/draw_screenshots.py``); it is independent of the knowledge base.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.screenshot import ImageReading, read_images  # noqa: E402

_CJK_GAP = re.compile(r"(?<=[\u2e80-\u9fff\uff00-\uffef]) +| +(?=[\u2e80-\u9fff\uff00-\uffef])")


def _norm(text: str, keep_spaces: bool) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not keep_spaces:
        return re.sub(r"\s+", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return _CJK_GAP.sub("", text)


def char_accuracy(ocr: str, truth: str, *, keep_spaces: bool = False) -> float:
    """1 - normalised Levenshtein distance; 1.0 is a perfect read."""
    return 1.0 - Levenshtein.normalized_distance(_norm(ocr, keep_spaces), _norm(truth, keep_spaces))


@dataclass(frozen=True)
class Item:
    id: str
    images: list[Path]
    text: str
    label: str
    lang: str
    kind: str


def load_items(folder: Path) -> list[Item]:
    items = []
    for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(Item(row["id"], [folder / n for n in row["images"]], row["text"], row["label"], row["lang"],
                              row["kind"]))
    return items


def as_telegram_photo(data: bytes, quality: int = 80) -> bytes:
    """Recompress as Telegram does for photos (JPEG, longest side at most 1280), to measure what the bot sees."""
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(data)).convert("RGB")
    img.thumbnail((1280, 1280))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def reading_order_text(reading: ImageReading) -> str:
    return "\n".join(line.text for line in reading.lines)


@dataclass(frozen=True)
class Outcome:
    """What the assessment made of one text: a warning to the user, a group alert, its top category."""

    warns: bool
    group_alert: bool
    category: str | None


Assess = Callable[[Sequence[str]], list[Outcome]]
"""Texts in, outcomes out: the hook through which the project's assessment is measured."""


def engine_assess() -> Assess:
    """The project's assessment as it runs for text messages (``build_engine(Settings())``)."""
    from bot.app import build_engine
    from bot.config import Settings

    engine = build_engine(Settings())

    def assess(texts: Sequence[str]) -> list[Outcome]:
        return [
            Outcome(a.verdict != "safe", a.alert_at("high"), a.top.category if a.top else None)
            for a in engine.assess_many(list(texts))
        ]

    return assess


def report(items: Sequence[Item], readings: Sequence[ImageReading], assess: Assess | None) -> dict[str, object]:
    by_lang: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for item, reading in zip(items, readings, strict=True):
        ocr = reading_order_text(reading)
        by_lang[item.lang].append((char_accuracy(ocr, item.text), char_accuracy(ocr, item.text, keep_spaces=True)))
    out: dict[str, object] = {}
    for lang, scores in sorted(by_lang.items()):
        out[lang] = {
            "n": len(scores),
            "char_accuracy": round(statistics.mean(s[0] for s in scores), 4),
            "char_accuracy_with_spaces": round(statistics.mean(s[1] for s in scores), 4),
            "worst": round(min(s[0] for s in scores), 4),
        }
    all_scores = [s for v in by_lang.values() for s in v]
    out["all"] = {"n": len(all_scores), "char_accuracy": round(statistics.mean(s[0] for s in all_scores), 4),
                  "char_accuracy_with_spaces": round(statistics.mean(s[1] for s in all_scores), 4)}
    if assess is not None:
        on_ocr = assess([r.assessment_text() for r in readings])
        on_truth = assess([i.text for i in items])
        for name, outcomes in (("assessment_on_ocr", on_ocr), ("assessment_on_drawn_text", on_truth)):
            pairs = list(zip(items, outcomes, strict=True))
            scams = [(i, o) for i, o in pairs if i.label != "benign"]
            benign = [o for i, o in pairs if i.label == "benign"]
            out[name] = {
                "recall": round(sum(o.warns for _, o in scams) / max(1, len(scams)), 4),
                "category_top1": round(sum(o.category == i.label for i, o in scams) / max(1, len(scams)), 4),
                "false_warnings": round(sum(o.warns for o in benign) / max(1, len(benign)), 4),
                "false_group_alerts_high": round(sum(o.group_alert for o in benign) / max(1, len(benign)), 4),
                "scams": len(scams),
                "benign": len(benign),
                "missed": [i.id for i, o in scams if not o.warns],
                "false_warning_ids": [i.id for i, o in pairs if i.label == "benign" and o.warns],
                "false_group_alert_ids": [i.id for i, o in pairs if i.label == "benign" and o.group_alert],
            }
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "data" / "eval" / "screenshots")
    parser.add_argument("--assess", action="store_true", help="also run the project's assessment (loads the models)")
    parser.add_argument("--jpeg", action="store_true", help="read the images as Telegram photos (JPEG q80)")
    parser.add_argument("--show", action="store_true", help="print each item's accuracy and OCR text")
    args = parser.parse_args(argv)
    items = load_items(args.folder)
    prepare = as_telegram_photo if args.jpeg else (lambda data: data)
    readings = [read_images([prepare(p.read_bytes()) for p in item.images]) for item in items]
    if args.show:
        for item, reading in zip(items, readings, strict=True):
            acc = char_accuracy(reading_order_text(reading), item.text)
            print(f"{acc:.3f} {item.id}\n{reading.transcript}\n")
    result = report(items, readings, engine_assess() if args.assess else None)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
