"""Turning retrieval and red-flag evidence into a calibrated risk.

The risk is a logistic model over a handful of interpretable features. Its weights
are fitted by ``scripts/calibrate.py`` on the labelled development set and stored in
``knowledge/calibration.json`` with the model they were fitted for, so that "risk
0.9" means roughly nine in ten such messages were scams in labelled data, and the
decision thresholds in the settings can be read as probabilities.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import astuple, dataclass, fields
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoreFeatures:
    """The evidence one message produced, all in [0, 1] except ``flag_count``."""

    match: float
    """Similarity to the closest scam example (fused dense + lexical)."""
    lookalike: float
    """Similarity to the closest legitimate lookalike (counter-example)."""
    flags: float
    """Noisy-or of the red flags' weights."""
    flag_count: float
    """How many distinct kinds of red flag were found."""
    trust: float
    """How far the embedding model could read the message (1 = fully)."""

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def vector(self) -> list[float]:
        """Model inputs: the features, the margin of scam over lookalike, and the match as read by
        the embedding model (``match × trust``), so English (dense + lexical) and Chinese (lexical
        only) similarities each get their own slope."""
        return [*astuple(self), self.match - self.lookalike, self.match * self.trust]


FEATURE_NAMES = [*ScoreFeatures.names(), "margin", "match_x_trust"]

# Used only when no fitted calibration exists yet: sensible, deliberately conservative.
_FALLBACK = {"intercept": -6.0, "coefficients": [6.0, -2.0, 4.0, 0.5, 0.0, 4.0, 0.0]}


@dataclass(frozen=True)
class RiskModel:
    """Logistic regression: risk = sigmoid(intercept + coefficients · features)."""

    intercept: float
    coefficients: tuple[float, ...]
    fitted_for: str = "fallback"

    def risk(self, features: ScoreFeatures) -> float:
        z = self.intercept + sum(c * x for c, x in zip(self.coefficients, features.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    @classmethod
    def load(cls, path: Path) -> RiskModel:
        if not path.exists():
            log.warning("no calibration at %s; using conservative fallback weights", path)
            return cls(_FALLBACK["intercept"], tuple(_FALLBACK["coefficients"]))
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("features") != FEATURE_NAMES:
            raise ValueError(f"{path}: features {data.get('features')} do not match {FEATURE_NAMES}; re-run calibrate")
        return cls(float(data["intercept"]), tuple(float(c) for c in data["coefficients"]), data.get("model", "?"))

    def save(self, path: Path) -> None:
        payload = {
            "model": self.fitted_for,
            "features": FEATURE_NAMES,
            "intercept": self.intercept,
            "coefficients": list(self.coefficients),
        }
        path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
