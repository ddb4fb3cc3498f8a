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
    """Thresholds on the calibrated risk and the weights of the retrieval scores (see README, "How it decides").

    No defaults here: the operator's defaults live in :mod:`bot.config` alone, so the two cannot drift.
    """

    risk_scam: float
    risk_suspicious: float
    alert_risk_low: float
    alert_risk_normal: float
    alert_risk_high: float
    alert_min_match: float
    """A group alert also needs this similarity to a known scam example."""
    dense_unknown_cutoff: float
    """Share of unknown tokens at which dense scores stop being trusted."""
    lexical_weight: float
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
