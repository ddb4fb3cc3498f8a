#!/usr/bin/env python
"""Fit the risk model on the labelled development set and recommend thresholds.

    python scripts/calibrate.py data/eval/dev.jsonl [--write]

The risk is a logistic regression over the evidence features (similarity to the
closest scam example and to the closest legitimate lookalike, red flags, how far the
model could read the text). Fitting it on labelled data is what makes "risk" a
probability; the thresholds are then read off the same data against the targets:
private-chat recall ≥ 97 % and group false-alert rates of 0, 0.25 and 1 % at low, normal
and high sensitivity (the issue's target for normal is 0.5 %: half of it is kept as margin).
``--write`` stores the weights in knowledge/calibration.json; the thresholds it
prints belong in bot/config.py defaults (or the environment).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot.app import build_engine
from bot.config import Settings
from bot.core.calibration import RiskModel
from bot.core.evaluation import load_labelled


def _threshold_for_recall(risks: np.ndarray, target: float) -> float:
    """Highest threshold that still keeps ``target`` of the scams at or above it."""
    ordered = np.sort(risks)[::-1]
    k = max(int(np.ceil(target * len(ordered))) - 1, 0)
    return float(ordered[k])


def _threshold_for_false_rate(risks: np.ndarray, allowed: float) -> float:
    """Lowest threshold whose false-alarm rate on benign stays within ``allowed``."""
    ordered = np.sort(risks)[::-1]
    k = int(np.floor(allowed * len(ordered)))
    return float(ordered[k]) + 1e-6 if k < len(ordered) else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dev", type=Path, nargs="+", help="labelled development files (never the test set)")
    parser.add_argument("--write", action="store_true", help="write knowledge/calibration.json")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    settings = Settings(knowledge_source="files")  # the shipped knowledge, not a live copy
    # The features are what is being fitted: the stored weights (perhaps for other features) are not loaded.
    with tempfile.TemporaryDirectory() as empty:
        engine = build_engine(settings.model_copy(update={"calibration_file": Path(empty) / "none.json"}))
    messages = [m for path in args.dev for m in load_labelled(path)]
    assessments = engine.assess_many([m.text for m in messages])
    usable = [(m, a) for m, a in zip(messages, assessments, strict=True) if a.has_text]
    features = np.array([a.features.vector() for _, a in usable])
    labels = np.array([m.is_scam for m, _ in usable], dtype=int)

    model = LogisticRegression(C=args.C, max_iter=2000)
    model.fit(features, labels)
    risk_model = RiskModel(
        float(model.intercept_[0]), tuple(float(c) for c in model.coef_[0]), engine.assessor.embedder.name
    )
    risks = np.array([risk_model.risk(a.features) for _, a in usable])
    scam_risks = risks[labels == 1]
    benign_risks = risks[labels == 0]

    print(
        "coefficients:",
        dict(
            zip(["intercept", *range(features.shape[1])], [risk_model.intercept, *risk_model.coefficients], strict=True)
        ),
    )
    print(f"suggested RISK_SUSPICIOUS (97.5% of dev scams above): {_threshold_for_recall(scam_risks, 0.975):.3f}")
    print(f"suggested RISK_SCAM (at most 3% of dev benign above): {_threshold_for_false_rate(benign_risks, 0.03):.3f}")
    for name, allowed in (("LOW", 0.0), ("NORMAL", 0.0025), ("HIGH", 0.01)):
        print(
            f"suggested ALERT_RISK_{name} (benign false alerts ≤ {allowed:.1%}): "
            f"{_threshold_for_false_rate(benign_risks, allowed):.3f}"
        )
    if args.write:
        risk_model.save(settings.calibration_file)
        print(f"wrote {settings.calibration_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
