"""The FAISS index is stored with what it was built from and rebuilt when stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.index import DenseIndex, StaleIndexError
from bot.core.knowledge import KnowledgeBase, load_knowledge

PATTERNS = Path(__file__).resolve().parent.parent / "knowledge" / "patterns"


@pytest.fixture(scope="module")
def small_kb() -> KnowledgeBase:
    return KnowledgeBase.from_patterns(list(load_knowledge(PATTERNS))[:3])


class RenamedEmbedder:
    """The same vectors under another model name: the index must not be reused for it."""

    def __init__(self, inner, name: str) -> None:
        self._inner = inner
        self.name = name

    def encode(self, texts, *, show_progress=False):
        return self._inner.encode(texts)

    def unknown_ratio(self, texts):
        return self._inner.unknown_ratio(texts)


def test_saved_index_loads_back_with_identical_scores(tmp_path, small_kb, embedder):
    built = DenseIndex.build(small_kb, embedder)
    built.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, small_kb, embedder)
    query = embedder.encode(["my friend video called and then asked to borrow money"])
    assert loaded.manifest.kb_version == small_kb.version
    assert loaded.scores(query)[0].tolist() == pytest.approx(built.scores(query)[0].tolist(), abs=1e-6)
    assert {p.name for p in tmp_path.iterdir()} == {"knowledge.faiss", "manifest.json"}


def test_changed_knowledge_makes_the_index_stale_and_it_is_rebuilt(tmp_path, small_kb, embedder):
    DenseIndex.build(small_kb, embedder).save(tmp_path)
    grown = KnowledgeBase.from_patterns(list(load_knowledge(PATTERNS))[:4])
    with pytest.raises(StaleIndexError, match="index built for"):
        DenseIndex.load(tmp_path, grown, embedder)
    rebuilt = DenseIndex.load_or_build(tmp_path, grown, embedder)
    assert rebuilt.manifest.kb_version == grown.version
    assert DenseIndex.load(tmp_path, grown, embedder).manifest.count == len(rebuilt.documents)


def test_another_model_makes_the_index_stale(tmp_path, small_kb, embedder):
    DenseIndex.build(small_kb, embedder).save(tmp_path)
    with pytest.raises(StaleIndexError):
        DenseIndex.load(tmp_path, small_kb, RenamedEmbedder(embedder, "paraphrase-multilingual-MiniLM-L12-v2"))


def test_a_corrupt_manifest_is_treated_as_stale_not_a_crash(tmp_path, small_kb, embedder):
    DenseIndex.build(small_kb, embedder).save(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    index = DenseIndex.load_or_build(tmp_path, small_kb, embedder)
    assert json.loads((tmp_path / "manifest.json").read_text())["kb_version"] == small_kb.version
    assert index.manifest.count == len(index.documents)


def test_scores_cover_every_document(small_kb, embedder):
    index = DenseIndex.build(small_kb, embedder)
    scores = index.scores(embedder.encode(["hello", "transfer money now"]))
    assert scores.shape == (2, len(index.documents))
    assert (scores <= 1.0001).all()
