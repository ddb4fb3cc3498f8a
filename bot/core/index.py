"""The dense (FAISS) index over knowledge texts, persisted with what it was built from.

The index files carry a manifest naming the embedding model and the knowledge-base
version. Loading compares both with what is running now: an index built from other
patterns or another model is stale and is rebuilt, never silently used, because
vectors from a different model are meaningless and missing patterns are missed scams.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np
from tqdm import tqdm

from bot.core.documents import KnowledgeText, knowledge_texts
from bot.core.embedding import Embedder
from bot.core.knowledge import KnowledgeBase

log = logging.getLogger(__name__)

INDEX_FORMAT = 1
INDEX_FILE = "knowledge.faiss"
MANIFEST_FILE = "manifest.json"


class StaleIndexError(Exception):
    """The stored index does not match the running model or knowledge base."""


@dataclass(frozen=True)
class IndexManifest:
    """What an index was built from; compared on load to detect staleness."""

    format: int
    model: str
    kb_version: str
    dimension: int
    count: int
    built_at: float


class DenseIndex:
    """Inner-product FAISS index over L2-normalised vectors (cosine similarity)."""

    def __init__(self, documents: list[KnowledgeText], index: faiss.Index, manifest: IndexManifest) -> None:
        self.documents = documents
        self._index = index
        self.manifest = manifest

    @classmethod
    def build(
        cls, kb: KnowledgeBase, embedder: Embedder, *, show_progress: bool = False, previous: DenseIndex | None = None
    ) -> DenseIndex:
        """Embed every knowledge text in batches (with a progress bar on request).

        With ``previous`` (built by the same model), texts it already holds reuse their
        vectors: an admin adding one example re-embeds one text, not thousands, which is
        what keeps a knowledge change live within a second.
        """
        documents = knowledge_texts(kb)
        texts = [d.text for d in documents]
        known = previous.vectors_by_text() if previous and previous.manifest.model == embedder.name else {}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        step = 256
        for start in tqdm(
            range(0, len(missing), step), desc="embedding knowledge", unit="batch", disable=not show_progress
        ):
            chunk = missing[start : start + step]
            known.update(zip(chunk, embedder.encode(chunk), strict=True))
        vectors = np.vstack([known[t] for t in texts]).astype(np.float32) if texts else np.zeros((0, 1), np.float32)
        dimension = int(vectors.shape[1])
        index = faiss.IndexFlatIP(dimension)
        if len(vectors):
            index.add(vectors)
        manifest = IndexManifest(INDEX_FORMAT, embedder.name, kb.version, dimension, len(documents), time.time())
        log.info("built dense index: %d texts, model %s, kb %s", len(documents), embedder.name, kb.version)
        return cls(documents, index, manifest)

    def save(self, directory: Path) -> None:
        """Write index and manifest atomically: a crash mid-write never leaves a half index behind."""
        directory.mkdir(parents=True, exist_ok=True)
        for name, write in (
            (INDEX_FILE, lambda p: faiss.write_index(self._index, str(p))),
            (MANIFEST_FILE, lambda p: p.write_text(json.dumps(asdict(self.manifest), indent=2), encoding="utf-8")),
        ):
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
            os.close(fd)
            write(Path(tmp))
            os.replace(tmp, directory / name)

    @classmethod
    def load(cls, directory: Path, kb: KnowledgeBase, embedder: Embedder) -> DenseIndex:
        """Load a stored index; raise ``StaleIndexError`` if it was built from anything else."""
        manifest_path = directory / MANIFEST_FILE
        index_path = directory / INDEX_FILE
        if not manifest_path.exists() or not index_path.exists():
            raise StaleIndexError(f"no index in {directory}")
        try:
            manifest = IndexManifest(**json.loads(manifest_path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise StaleIndexError(f"unreadable manifest {manifest_path}: {exc}") from exc
        expected = {"format": INDEX_FORMAT, "model": embedder.name, "kb_version": kb.version}
        actual = {"format": manifest.format, "model": manifest.model, "kb_version": manifest.kb_version}
        if actual != expected:
            raise StaleIndexError(f"index built for {actual}, running {expected}")
        documents = knowledge_texts(kb)
        index = faiss.read_index(str(index_path))
        if index.ntotal != len(documents) or manifest.count != len(documents):
            raise StaleIndexError(f"index holds {index.ntotal} vectors for {len(documents)} texts")
        return cls(documents, index, manifest)

    @classmethod
    def load_or_build(
        cls, directory: Path, kb: KnowledgeBase, embedder: Embedder, *, show_progress: bool = False
    ) -> DenseIndex:
        """Use the stored index when it is current; otherwise rebuild and store it."""
        try:
            return cls.load(directory, kb, embedder)
        except StaleIndexError as exc:
            log.info("rebuilding dense index: %s", exc)
        index = cls.build(kb, embedder, show_progress=show_progress)
        index.save(directory)
        return index

    def vectors_by_text(self) -> dict[str, np.ndarray]:
        """Every indexed text with its stored vector (for incremental rebuilds)."""
        if self._index.ntotal == 0:
            return {}
        stored = self._index.reconstruct_n(0, self._index.ntotal)
        return {doc.text: stored[i] for i, doc in enumerate(self.documents)}

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine similarity of each query vector to every document: shape (queries, documents).

        A flat index is exact, and at a few thousand texts a full scan costs well
        under a millisecond, so every document gets a score (per-pattern maxima need them).
        """
        n = self._index.ntotal
        out = np.zeros((len(vectors), n), dtype=np.float32)
        if n == 0 or len(vectors) == 0:
            return out
        similarities, ids = self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), n)
        rows = np.arange(len(vectors))[:, None]
        out[rows, ids] = similarities
        return out
