"""The live knowledge base: files in and out, audit and undo, changes live without a restart."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.assess import Assessor
from bot.core.knowledge import KnowledgeError, load_knowledge
from bot.kb.files import export_patterns, read_patterns
from bot.kb.repository import KnowledgeRepository
from bot.kb.service import KnowledgeService, seed_if_empty, with_message

REPO = Path(__file__).resolve().parent.parent
PRESET = REPO / "knowledge" / "patterns"
NOVEL_SCAM = "Your grandson's school trip bus broke down in Lyon, the teacher needs 900 euros by Western Union tonight"


def run_cli(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1")
    return subprocess.run(
        [sys.executable, "-m", "bot", "kb", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )


@pytest.fixture
def repo(tmp_path: Path) -> KnowledgeRepository:
    repository = KnowledgeRepository.for_data_dir(tmp_path)
    seed_if_empty(repository, PRESET)
    yield repository
    repository.close()


def test_first_start_imports_the_preset_and_an_unchanged_export_changes_nothing(repo, tmp_path):
    live = repo.load()
    assert live.version == load_knowledge(PRESET).version
    export_patterns(live, tmp_path / "export")
    plan = repo.plan_import(read_patterns(tmp_path / "export"), prune=True)
    assert plan.is_empty and len(plan.unchanged) == len(live)
    assert seed_if_empty(repo, PRESET) == 0  # never re-seeds over admins' work


def test_history_and_undo_restore_the_previous_state(repo):
    before = repo.load()
    pattern = repo.get("deepfake_video_call_friend_loan")
    repo.save(with_message(pattern, NOVEL_SCAM, counter=False), actor="admin:1")
    repo.delete("prize_lottery_brand_tv_show_pay_tax_first", actor="admin:1")
    assert "prize_lottery_brand_tv_show_pay_tax_first" not in repo.load().by_id()
    assert [e.action for e in repo.history(limit=2)] == ["delete", "update"]

    repo.undo("admin:1")  # the delete
    repo.undo("admin:1", "deepfake_video_call_friend_loan")  # the added example
    assert repo.load().version == before.version
    undo, update, seeded = repo.history("deepfake_video_call_friend_loan", limit=3)
    assert (undo.action, update.action, seeded.action) == ("undo", "update", "import")
    assert update.undone and not seeded.undone


def test_undo_of_a_new_pattern_removes_it_and_saving_the_same_content_audits_nothing(repo):
    pattern = repo.get("deepfake_video_call_friend_loan")
    clone = pattern.model_copy(update={"id": "deepfake_video_call_clone_for_test"})
    repo.save(clone, actor="admin:2")
    assert repo.save(clone, actor="admin:2") is None
    repo.undo("admin:2")
    assert "deepfake_video_call_clone_for_test" not in repo.load().by_id()
    assert repo.is_deleted("deepfake_video_call_clone_for_test")  # recoverable, not erased


def test_undo_with_nothing_left_says_so(tmp_path):
    empty = KnowledgeRepository.for_data_dir(tmp_path / "empty")
    try:
        with pytest.raises(KnowledgeError, match="nothing to undo"):
            empty.undo("admin:1")
    finally:
        empty.close()


def test_added_examples_go_to_the_right_language_and_are_not_duplicated(repo):
    pattern = repo.get("deepfake_video_call_friend_loan")
    english = with_message(pattern, NOVEL_SCAM, counter=False)
    chinese = with_message(english, "刚才视频断了，孩子的学校让我今晚汇九百欧元", counter=True)
    assert english.examples.en[-1] == NOVEL_SCAM
    assert chinese.counter_examples.zh[-1].startswith("刚才视频断了")
    assert with_message(english, NOVEL_SCAM, counter=False) == english
    with pytest.raises(KnowledgeError, match="no text"):
        with_message(pattern, "   ", counter=False)


async def test_a_change_is_live_for_the_next_message_and_other_processes_pick_it_up(repo, engine, tmp_path):
    # Private assessors sharing the heavy parts, so the session's engine is not changed.
    shared = engine.assessor
    here = Assessor(shared.config, shared.embedder, shared.index, shared.risk_model, index_dir=shared.index_dir)
    there = Assessor(shared.config, shared.embedder, shared.index, shared.risk_model, index_dir=shared.index_dir)
    service = KnowledgeService(here, repo)
    other_process = KnowledgeService(there, KnowledgeRepository(repo.url))
    watcher = asyncio.create_task(other_process.watch(interval=0.1))
    try:
        assert all(
            m.pattern_id != "voice_clone_call_child_accident_bail" or m.score < 0.9
            for m in here.assess(NOVEL_SCAM).matches
        )
        await service.add_message("voice_clone_call_child_accident_bail", NOVEL_SCAM, "admin:1", counter=False)
        top = here.assess(NOVEL_SCAM).top
        assert top.pattern_id == "voice_clone_call_child_accident_bail" and top.score > 0.99
        assert service.last_apply_seconds is not None
        for _ in range(100):
            if there.kb.version == here.kb.version:
                break
            await asyncio.sleep(0.05)
        assert there.assess(NOVEL_SCAM).top.pattern_id == "voice_clone_call_child_accident_bail"
    finally:
        watcher.cancel()
        other_process.repository.close()


def test_cli_import_export_round_trip_and_a_malformed_file_changes_nothing(tmp_path):
    data = tmp_path / "data"
    export_dir = tmp_path / "export"
    exported = run_cli(["export", str(export_dir)], data)
    assert exported.returncode == 0, exported.stderr
    assert len(list(export_dir.glob("*.yaml"))) == len(list(PRESET.glob("*.yaml")))

    again = run_cli(["import", str(export_dir)], data)
    assert "0 to add, 0 to change, 0 to remove" in again.stdout and "nothing to change" in again.stdout

    target = export_dir / "prize_lottery_brand_tv_show_pay_tax_first.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("severity: medium", "severity: low"), "utf-8")
    dry = run_cli(["import", str(export_dir), "--dry-run"], data)
    assert "~ prize_lottery_brand_tv_show_pay_tax_first" in dry.stdout and "dry run: nothing changed" in dry.stdout

    broken = export_dir / "romance_scam_ai_partner_never_meets.yaml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("category: romance_scam", "category: romance"), "utf-8"
    )
    failed = run_cli(["import", str(export_dir)], data)
    assert failed.returncode == 2
    assert (
        "romance_scam_ai_partner_never_meets.yaml:2: category: Value error, unknown category 'romance'" in failed.stderr
    )
    listing = run_cli(["list"], data)
    assert "prize_lottery_brand_tv_show_pay_tax_first\tprize_lottery\tmedium" in listing.stdout  # nothing changed

    history = run_cli(["history"], data)
    assert "import" in history.stdout and "cli:" not in history.stdout  # only the preset seeding so far


def test_symlinks_out_of_the_import_directory_are_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text((PRESET / "deepfake_video_call_friend_loan.yaml").read_text(encoding="utf-8"), "utf-8")
    folder = tmp_path / "import"
    folder.mkdir()
    (folder / "sneaky.yaml").symlink_to(outside)
    with pytest.raises(KnowledgeError, match="points outside"):
        read_patterns(folder)
