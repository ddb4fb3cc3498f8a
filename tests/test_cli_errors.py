"""Command-line failures a user can cause are one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )


def test_a_data_dir_that_cannot_be_created_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    env = dict(os.environ, DATA_DIR=str(blocker / "data"), PYTHONPATH=str(REPO))
    result = _cli(["kb", "list"], env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"cannot create DATA_DIR {blocker / 'data'}: Not a directory"]


def test_kb_import_of_a_file_nested_50000_deep_is_one_clear_line(tmp_path: Path) -> None:
    bomb = tmp_path / "deep.yaml"
    bomb.write_text("id: deep\nexamples: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    env = dict(os.environ, DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(REPO))
    result = _cli(["kb", "import", str(bomb), "--dry-run"], env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    expected = f"knowledge base is invalid: {bomb}: nested too deeply to be a pattern"
    assert result.stderr.strip().splitlines() == [expected]
