"""The command line: human replies and the JSON-lines contract."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import check_jsonl

REPO = Path(__file__).resolve().parent.parent
CONTRACT_KEYS = {"id", "verdict", "risk", "alert", "matches", "red_flags", "language"}


def test_jsonl_output_has_exactly_the_contract_keys_in_input_order(settings, engine, monkeypatch):
    monkeypatch.setattr("bot.cli._load_engine", lambda *_a, **_k: engine)
    lines = [
        {"id": f"m{i}", "text": t}
        for i, t in enumerate(
            ["Can you lend me 500? new number", "晚饭吃什么", "", "把验证码发给我", "😂", "Guaranteed 5% daily returns"]
        )
    ]
    out = io.StringIO()
    code = check_jsonl(settings, io.StringIO("\n".join(json.dumps(x, ensure_ascii=False) for x in lines)), out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert code == 0
    assert [r["id"] for r in results] == [x["id"] for x in lines]
    for result in results:
        assert set(result) == CONTRACT_KEYS
        assert result["verdict"] in {"scam", "suspicious", "safe"}
        assert 0 <= result["risk"] <= 1 and isinstance(result["alert"], bool)
        assert len(result["matches"]) <= 5
        for match in result["matches"]:
            assert set(match) == {"pattern_id", "category", "score"}
        scores = [m["score"] for m in result["matches"]]
        assert scores == sorted(scores, reverse=True)
        assert result["language"] in {"en", "zh-Hans", "zh-Hant"}
    assert results[1]["language"] == "zh-Hans"
    assert "verification_code" in results[3]["red_flags"]


def test_bad_lines_are_reported_and_skipped_not_fatal(settings, engine, monkeypatch, capsys):
    monkeypatch.setattr("bot.cli._load_engine", lambda *_a, **_k: engine)
    stream = io.StringIO('{"id": 1, "text": "hello"}\nnot json\n{"id": 3}\n[1,2]\n{"id": 5, "text": "ok"}\n')
    out = io.StringIO()
    code = check_jsonl(settings, stream, out)
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [1, 5]
    assert code == 1
    err = capsys.readouterr().err
    assert "line 2: not valid JSON" in err and 'line 3: needs a string field "text"' in err


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    env = dict(os.environ, DATA_DIR=str(tmp_path_factory.mktemp("cli-data")), HF_HUB_OFFLINE="1")
    return env


def run_cli(args: list[str], env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def test_index_build_then_check_from_the_command_line(cli_env):
    built = run_cli(["index", "build"], cli_env)
    assert built.returncode == 0, built.stderr
    assert "index built:" in built.stdout
    assert (Path(cli_env["DATA_DIR"]) / "index" / "manifest.json").exists()

    checked = run_cli(
        ["check", "Hi mum, new number, lost my phone. Transfer £300 today please, don't tell dad"], cli_env
    )
    assert checked.returncode == 0, checked.stderr
    assert "<b>" not in checked.stdout  # terminal output is plain text
    assert "Red flags in this message" in checked.stdout

    piped = run_cli(["check", "--jsonl"], cli_env, stdin='{"id": "x", "text": "早上好"}\n')
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["id"] == "x"


def test_invalid_knowledge_directory_fails_with_a_precise_message(cli_env, tmp_path):
    (tmp_path / "bad.yaml").write_text("id: bad_one\ncategory: nonsense\n", encoding="utf-8")
    result = run_cli(["check", "hello"], dict(cli_env, KNOWLEDGE_DIR=str(tmp_path), DATA_DIR=str(tmp_path / "fresh")))
    assert result.returncode == 2
    assert "bad.yaml:2: category: Value error, unknown category 'nonsense'" in result.stderr
