"""Quality figures over labelled messages: the numbers the README reports.

Labelled JSON lines carry ``text`` and ``label`` (a taxonomy id or ``benign``), and
optionally ``lang`` and ``kind``. The figures are split by language, because the
bundled embedding model reads English only and Chinese rides on the lexical path:
an average over both would hide exactly the weakness that matters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.assess import Assessment
from bot.core.assess_config import SENSITIVITIES
from bot.core.taxonomy import BENIGN, EVALUATION_LABELS

ORDINARY_KINDS = {"chat", "commercial"}
"""Benign messages people receive every day: personal chat and ordinary commercial and service traffic.
(``hard_negative`` are the benign messages that talk about scams: news, police reminders.)"""


@dataclass(frozen=True)
class LabelledMessage:
    id: str
    text: str
    label: str
    lang: str
    kind: str

    @property
    def is_scam(self) -> bool:
        return self.label != BENIGN

    @property
    def language_group(self) -> str:
        return "en" if self.lang == "en" else "zh"


def load_labelled(path: Path) -> list[LabelledMessage]:
    """Read a labelled set; an unknown label is an error (the taxonomy is a contract)."""
    rows: list[LabelledMessage] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        if item["label"] not in EVALUATION_LABELS:
            raise ValueError(f"{path}:{number}: unknown label {item['label']!r}")
        rows.append(
            LabelledMessage(
                id=str(item.get("id", number)),
                text=item["text"],
                label=item["label"],
                lang=item.get("lang", "en"),
                kind=item.get("kind", "scam" if item["label"] != BENIGN else "chat"),
            )
        )
    return rows


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _warned_rate(benign: Sequence[tuple[LabelledMessage, Assessment]], kinds: set[str]) -> float | None:
    """Share of benign messages of these kinds that got anything but ``safe``."""
    chosen = [a for m, a in benign if m.kind in kinds]
    return _ratio(sum(a.verdict != "safe" for a in chosen), len(chosen))


def metrics(pairs: Sequence[tuple[LabelledMessage, Assessment]]) -> dict[str, Any]:
    """Scam recall, category accuracy, and group-alert precision/recall/false-alert rate."""
    scams = [(m, a) for m, a in pairs if m.is_scam]
    benign = [(m, a) for m, a in pairs if not m.is_scam]
    result: dict[str, Any] = {
        "messages": len(pairs),
        "scams": len(scams),
        "benign": len(benign),
        "scam_recall": _ratio(sum(a.verdict != "safe" for _, a in scams), len(scams)),
        "scam_verdict_recall": _ratio(sum(a.verdict == "scam" for _, a in scams), len(scams)),
        "benign_warned_rate": _ratio(sum(a.verdict != "safe" for _, a in benign), len(benign)),
        "chat_warned_rate": _warned_rate(benign, {"chat"}),
        "commercial_warned_rate": _warned_rate(benign, {"commercial"}),
        "ordinary_warned_rate": _warned_rate(benign, ORDINARY_KINDS),
        "hard_negative_warned_rate": _warned_rate(benign, {"hard_negative"}),
        "category_top1": _ratio(
            sum(bool(a.matches) and a.matches[0].category == m.label for m, a in scams), len(scams)
        ),
        "category_top3": _ratio(sum(m.label in {x.category for x in a.matches[:3]} for m, a in scams), len(scams)),
    }
    for sensitivity in SENSITIVITIES:
        alerted_scams = sum(a.alert_at(sensitivity) for _, a in scams)
        alerted_benign = sum(a.alert_at(sensitivity) for _, a in benign)
        result[f"alert_{sensitivity}"] = {
            "precision": _ratio(alerted_scams, alerted_scams + alerted_benign),
            "recall": _ratio(alerted_scams, len(scams)),
            "false_alert_rate": _ratio(alerted_benign, len(benign)),
            "false_alerts": alerted_benign,
        }
    return result


def grouped_metrics(pairs: Sequence[tuple[LabelledMessage, Assessment]]) -> dict[str, dict[str, Any]]:
    """Metrics for all messages, for English, for Chinese, and per written form."""
    groups: dict[str, list[tuple[LabelledMessage, Assessment]]] = {"all": list(pairs)}
    for message, assessment in pairs:
        groups.setdefault(message.language_group, []).append((message, assessment))
        if message.lang != "en":
            groups.setdefault(message.lang, []).append((message, assessment))
    return {name: metrics(group) for name, group in groups.items()}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def markdown_table(title: str, grouped: dict[str, dict[str, Any]]) -> str:
    """A README-ready table, one column per language group."""
    names = [n for n in ("all", "en", "zh", "zh-Hans", "zh-Hant") if n in grouped]

    def row(label: str, value: Callable[[dict[str, Any]], str]) -> tuple[str, list[str]]:
        return label, [value(grouped[n]) for n in names]

    rows = [
        row("messages (scam / benign)", lambda g: f"{g['scams']} / {g['benign']}"),
        row("scam recall (verdict not safe)", lambda g: _pct(g["scam_recall"])),
        row("verdict `scam` on scams", lambda g: _pct(g["scam_verdict_recall"])),
        row("ordinary messages warned (not safe)", lambda g: _pct(g["ordinary_warned_rate"])),
        row("· personal chat warned", lambda g: _pct(g["chat_warned_rate"])),
        row("· commercial and service warned", lambda g: _pct(g["commercial_warned_rate"])),
        row("hard negatives warned (not safe)", lambda g: _pct(g["hard_negative_warned_rate"])),
        row("category top-1", lambda g: _pct(g["category_top1"])),
        row("category top-3", lambda g: _pct(g["category_top3"])),
    ]
    for sensitivity in SENSITIVITIES:
        key = f"alert_{sensitivity}"
        rows.append(row(f"group alert precision ({sensitivity})", lambda g, k=key: _pct(g[k]["precision"])))
        rows.append(row(f"group alert recall ({sensitivity})", lambda g, k=key: _pct(g[k]["recall"])))
        rows.append(
            row(
                f"false-alert rate on benign ({sensitivity})",
                lambda g, k=key: f"{_pct(g[k]['false_alert_rate'])} ({g[k]['false_alerts']})",
            )
        )
    lines = [f"**{title}**", "", "| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines.extend(f"| {label} | " + " | ".join(values) + " |" for label, values in rows)
    return "\n".join(lines)
