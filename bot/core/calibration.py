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
    neighbours: float = 0.0
    """Share of scam examples (not legitimate lookalikes) among the nearest knowledge texts: a
    promotion sitting among real promotions is told apart from a scam that merely shares words."""

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
_FALLBACK_INTERCEPT = -6.0
_FALLBACK_WEIGHTS = {"match": 6.0, "lookalike": -2.0, "flags": 4.0, "flag_count": 0.5, "margin": 4.0}


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
    def fallback(cls) -> RiskModel:
        return cls(_FALLBACK_INTERCEPT, tuple(_FALLBACK_WEIGHTS.get(name, 0.0) for name in FEATURE_NAMES))

    @classmethod
    def load(cls, path: Path, model: str) -> RiskModel:
        """The weights fitted for embedding ``model``: similarities of another model mean other things.

        The file holds one fit per model, so switching ``EMBEDDING_BACKEND`` back and forth
        needs no refit; a model with no fit gets conservative fallback weights and a warning.
        """
        fits = _read_fits(path)
        fit = fits.get(model)
        if fit is None:
            log.warning("no calibration for %s in %s; using conservative fallback weights (run calibrate)", model, path)
            return cls.fallback()
        if fit.get("features") != FEATURE_NAMES:
            raise ValueError(f"{path}: features {fit.get('features')} do not match {FEATURE_NAMES}; re-run calibrate")
        return cls(float(fit["intercept"]), tuple(float(c) for c in fit["coefficients"]), model)

    def save(self, path: Path) -> None:
        """Store this fit beside the other models' fits."""
        fits = _read_fits(path)
        fits[self.fitted_for] = {
            "features": FEATURE_NAMES,
            "intercept": self.intercept,
            "coefficients": list(self.coefficients),
        }
        path.write_text(json.dumps({"models": fits}, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _read_fits(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return dict(data.get("models", {}))
