"""A real engine over the shipped knowledge, with a hashing embedder instead of the model.

Loads in about a second, so tests that run many messages through the whole path
(property-based tests, batch isolation, the JSON-lines loop) stay in the normal suite.
Retrieval quality is not what they test: totality, isolation and rendering are.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from bot.app import build_engine
from bot.config import Settings
from bot.core.engine import Engine
from bot.core.text import lexical_tokens

DIMENSION = 256


class HashEmbedder:
    """Deterministic bag-of-tokens vectors (the lexical tokens, hashed into 256 buckets)."""

    name = "test-hash-embedder"
    similarity_floor = 0.0

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in lexical_tokens(text):
                bucket = int.from_bytes(hashlib.blake2b(token.encode("utf-8", "replace"), digest_size=4).digest())
                vectors[row, bucket % DIMENSION] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors[:, 0] += (norms[:, 0] == 0).astype(np.float32)  # an empty text still gets a unit vector
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def unknown_ratio(self, texts: list[str]) -> np.ndarray:
        return np.zeros(len(texts), dtype=np.float32)


def fast_engine(data_dir: Path) -> Engine:
    return build_engine(Settings(_env_file=None, data_dir=data_dir), embedder=HashEmbedder())
