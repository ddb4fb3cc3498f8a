"""The shipped knowledge base is complete, and bad files are rejected precisely."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeError, dump_pattern, load_knowledge, load_pattern_file, parse_pattern
from bot.core.taxonomy import SCAM_CATEGORIES
from bot.core.text import detect_language

REPO = Path(__file__).resolve().parent.parent
PATTERNS = REPO / "knowledge" / "patterns"
TEMPLATE = PATTERNS / "deepfake_video_call_friend_loan.yaml"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge(PATTERNS)


def test_taxonomy_matches_the_shared_contract():
    shared = REPO.parent / "shared" / "taxonomy.md"
    if not shared.exists():
        pytest.skip("shared/taxonomy.md is not beside this checkout")
    ids = re.findall(r"^\| ([a-z_]+) \|", shared.read_text(encoding="utf-8"), flags=re.M)
    documented = [i for i in ids if i not in {"id", "benign"}]
    assert tuple(documented) == SCAM_CATEGORIES


def test_shipped_knowledge_covers_every_category_with_depth(kb):
    assert len(kb) >= 40
    per_category = Counter(p.category for p in kb)
    assert set(per_category) == set(SCAM_CATEGORIES)
    for pattern in kb:
        assert len(pattern.examples) >= 8, pattern.id
        assert pattern.examples.en and pattern.examples.zh, pattern.id
        assert len(pattern.counter_examples) >= 2, pattern.id
        assert len(pattern.advice.en) >= 3 and len(pattern.advice.zh) >= 3, pattern.id


def test_shipped_examples_are_in_the_language_they_claim(kb):
    for pattern in kb:
        for text in pattern.examples.en + pattern.counter_examples.en:
            assert detect_language(text) == "en", (pattern.id, text)
        for text in pattern.examples.zh + pattern.counter_examples.zh:
            assert detect_language(text) in {"zh-Hans", "zh-Hant"}, (pattern.id, text)


def test_traditional_chinese_examples_are_present(kb):
    traditional = sum(detect_language(t) == "zh-Hant" for p in kb for t in p.examples.zh)
    assert traditional >= len(kb)  # about one per pattern at least


def test_an_unknown_category_is_named_with_file_line_and_field(tmp_path):
    bad = TEMPLATE.read_text(encoding="utf-8").replace("category: deepfake_video_call", "category: deepfake_call")
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_pattern_file(path)
    message = str(caught.value)
    assert f"{path}:2: category:" in message
    assert "unknown category 'deepfake_call'" in message


def test_a_missing_field_and_a_wrong_type_are_both_reported(tmp_path):
    text = TEMPLATE.read_text(encoding="utf-8").replace("severity: critical\n", "severity: apocalyptic\n")
    text = re.sub(r"^title:\n  en: .*\n  zh: .*\n", "", text, flags=re.M)
    with pytest.raises(KnowledgeError) as caught:
        parse_pattern(text, "p.yaml")
    problems = caught.value.problems
    assert any(p.startswith("p.yaml:") and ": title: Field required" in p for p in problems)
    assert any(": severity: " in p and p.startswith("p.yaml:3:") for p in problems)


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x_pattern\ncategory: [unclosed\nseverity: high\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"broken\.yaml:\d+: not valid YAML"):
        load_pattern_file(path)


def test_binary_file_is_rejected_clearly(tmp_path):
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(KnowledgeError, match="not UTF-8 text"):
        load_pattern_file(path)


def test_unknown_keys_are_refused(tmp_path):
    text = TEMPLATE.read_text(encoding="utf-8") + "\nnotes: internal only\n"
    with pytest.raises(KnowledgeError, match="notes: Extra inputs are not permitted"):
        parse_pattern(text, "extra.yaml")


def test_duplicate_ids_in_a_directory_are_refused(tmp_path):
    (tmp_path / "a.yaml").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="duplicate pattern id: deepfake_video_call_friend_loan"):
        load_knowledge(tmp_path)


def test_all_problems_of_a_directory_are_reported_together(tmp_path):
    (tmp_path / "one.yaml").write_text("id: [", encoding="utf-8")
    (tmp_path / "two.yaml").write_text("just a string", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    assert len(caught.value.problems) == 2


def test_dump_then_parse_round_trips(kb):
    for pattern in list(kb)[:5]:
        assert parse_pattern(dump_pattern(pattern), "roundtrip") == pattern


def test_version_changes_when_any_text_changes(kb):
    pattern = kb.patterns[0]
    changed = pattern.model_copy(update={"severity": "low" if pattern.severity != "low" else "high"})
    other = type(kb).from_patterns([changed, *kb.patterns[1:]])
    assert other.version != kb.version
    assert type(kb).from_patterns(list(kb)).version == kb.version
