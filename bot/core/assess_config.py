"""The assessor's own settings: decision thresholds and fusion weights.

The core does not read environment variables or ``.env``; whoever builds an
:class:`~bot.core.assess.Assessor` (the composition root, :mod:`bot.app`, or a test)
hands it one of these. Keeping it a small frozen value means an assessment can carry
the thresholds it was decided with, and a snapshot of the core's behaviour is easy to
reproduce outside the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Sensitivity = Literal["low", "normal", "high"]
SENSITIVITIES: tuple[Sensitivity, ...] = ("low", "normal", "high")


@dataclass(frozen=True)
class AssessConfig:
    """Thresholds on the calibrated risk and the weights of the retrieval scores (see README, "How it decides")."""

    risk_scam: float = 0.6
    risk_suspicious: float = 0.35
    alert_risk_low: float = 0.9
    alert_risk_normal: float = 0.8
    alert_risk_high: float = 0.7
    alert_min_match: float = 0.2
    """A group alert also needs this similarity to a known scam example."""
    dense_unknown_cutoff: float = 0.3
    """Share of unknown tokens at which dense scores stop being trusted."""
    lexical_weight: float = 1.0
    """Weight of BM25 beside dense similarity."""

    def thresholds(self) -> dict[str, float]:
        """The thresholds by name, as an :class:`~bot.core.assess.Assessment` keeps them."""
        return {
            "scam": self.risk_scam,
            "suspicious": self.risk_suspicious,
            "alert_low": self.alert_risk_low,
            "alert_normal": self.alert_risk_normal,
            "alert_high": self.alert_risk_high,
            "alert_min_match": self.alert_min_match,
        }
