"""The command line on screenshots: ``check --image`` and image lines in ``check --jsonl``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import check_jsonl, main

FIXTURES = Path(__file__).parent / "fixtures" / "images"
CONTRACT_KEYS = {"id", "verdict", "risk", "alert", "matches", "red_flags", "language"}


@pytest.fixture
def shared_engine(engine, monkeypatch, tmp_path):
    monkeypatch.setattr("bot.cli._load_engine", lambda *_a, **_k: engine)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return engine


def test_check_image_prints_what_it_read_and_the_warning(shared_engine, capsys):
    code = main(["check", "--image", str(FIXTURES / "en_parcel_sms.png")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("I read 3 lines from your screenshot.")
    assert "This looks like a scam" in out and "Parcel held" in out
    assert "royalmail-redelivery[.]help" in out and "https://royalmail" not in out  # defanged, as in Telegram


def test_check_image_that_cannot_be_read_says_why(shared_engine, capsys):
    code = main(["check", "--image", str(FIXTURES / "bomb.png")])
    assert code == 1
    assert "far too large for me to open safely" in capsys.readouterr().out
    assert main(["check", "--image", str(FIXTURES / "missing.png")]) == 2
    assert "cannot read image" in capsys.readouterr().err


def test_jsonl_image_lines_beside_text_lines_keep_the_contract_and_order(settings, shared_engine, monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES)  # image paths are relative to the working directory
    lines = [
        {"id": "t1", "text": "把验证码发给我"},
        {"id": "qr", "image": "qr_phishing.png"},
        {"id": "bad", "images": [str(FIXTURES / "corrupt.png"), "bomb.png"]},
        {"id": "gone", "image": "no-such-file.png"},
        {"id": "wrong", "image": 42},
        {"id": "t2", "text": "晚饭吃什么"},
    ]
    out = io.StringIO()
    code = check_jsonl(settings, io.StringIO("\n".join(json.dumps(x) for x in lines)), out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert code == 1  # some lines failed, the run went on
    assert [r["id"] for r in results] == [x["id"] for x in lines]
    by_id = {r["id"]: r for r in results}
    for key in ("t1", "qr", "t2"):
        assert set(by_id[key]) == CONTRACT_KEYS
    assert by_id["qr"]["verdict"] == "scam" and "suspicious_link" in by_id["qr"]["red_flags"]
    assert set(by_id["bad"]) == {"id", "error"} and "corrupt" in by_id["bad"]["error"]
    assert "cannot read image" in by_id["gone"]["error"]
    assert "must be a path" in by_id["wrong"]["error"]
    err = capsys.readouterr().err
    assert "line 3:" in err and "line 4:" in err
