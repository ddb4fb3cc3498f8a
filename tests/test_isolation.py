"""One bad message, line or file never costs anyone else their answer, and never a traceback."""

from __future__ import annotations

import io
import json

import pytest
from fast_engine import fast_engine

from bot.cli import check_jsonl
from bot.core.engine import Engine

SCAM = "Hi mum, new number. Can you transfer £450 today? Don't tell dad"


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return fast_engine(tmp_path_factory.mktemp("quick-engine"))


def test_the_reported_crash_inputs_are_assessed_with_the_rest_of_their_batch(quick: Engine) -> None:
    texts = ["lol http://[::1", SCAM, "www.[x.com", "[click](https://[a.b/c)", "http://a]b.com/x", "ｈｔｔｐ：／／［"]
    results = quick.assess_many(texts)
    assert len(results) == len(texts)
    assert all(r.error is None for r in results)
    assert results[1].verdict != "safe" and {"money_request", "secrecy"} <= {f.kind for f in results[1].red_flags}


def test_a_message_that_still_fails_gets_an_error_result_and_the_batch_goes_on(quick: Engine, poisoned: str) -> None:
    results = quick.assess_many(["POISON pill, transfer money", SCAM, "see you at 7"])
    assert results[0].error is not None and not results[0].alert
    assert results[1].error is None and results[1].verdict != "safe"
    assert results[2].error is None
    reply = quick.reply(results[0])
    assert "could not check this message" in reply and "do not pay" in reply


def test_an_embedding_failure_for_one_text_is_isolated_too(quick: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = quick.assessor.embedder
    real = embedder.encode

    def fragile(texts: list[str], *, show_progress: bool = False):
        if any("POISON" in t for t in texts):
            raise ValueError("tokenizer choked")
        return real(texts)

    monkeypatch.setattr(embedder, "encode", fragile)
    results = quick.assess_many([SCAM, "POISON", "hello there friend"])
    assert [r.error is None for r in results] == [True, False, True]
    assert results[0].verdict != "safe"


def _run_jsonl(engine: Engine, text: str, monkeypatch: pytest.MonkeyPatch, settings) -> tuple[int, list[dict], str]:
    monkeypatch.setattr("bot.cli._load_engine", lambda *_a, **_k: engine)
    out = io.StringIO()
    code = check_jsonl(settings, io.StringIO(text), out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], out.getvalue()


def test_jsonl_writes_an_error_object_for_a_failing_message_and_goes_on(
    quick: Engine, poisoned: str, monkeypatch: pytest.MonkeyPatch, settings, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [{"id": "a", "text": "see http://[::1 now"}, {"id": "b", "text": "POISON"}, {"id": "c", "text": SCAM}]
    code, rows, _ = _run_jsonl(quick, "\n".join(json.dumps(x) for x in lines), monkeypatch, settings)
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[1] == {"id": "b", "error": "could not assess this message"}
    assert "verdict" in rows[0] and rows[2]["verdict"] != "safe"
    assert code == 1
    assert "line 2" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"id": ' + "9" * 4301 + ', "text": "hi"}', "more than 4300 digits"),
        ('{"id": "x", "text": "hi", "deep": ' + "[" * 1000 + "]" * 1000 + "}", "nested too deeply"),
        ('{"id": "\\ud800", "text": "hi"}', "lone surrogate"),
        ('{"id": NaN, "text": "hi"}', "NaN is not a JSON number"),
        ('{"id": 1e400, "text": "hi"}', "out of range"),
        ('{"id": -Infinity, "text": "hi"}', "not a JSON number"),
    ],
)
def test_jsonl_lines_that_stopped_the_run_are_rejected_with_a_message(
    quick: Engine, monkeypatch: pytest.MonkeyPatch, settings, capsys: pytest.CaptureFixture[str], line: str, why: str
) -> None:
    stream = "\n".join(['{"id": 1, "text": "hello"}', line, '{"id": 3, "text": "' + SCAM.replace("'", "") + '"}'])
    code, rows, raw = _run_jsonl(quick, stream, monkeypatch, settings)
    assert [r["id"] for r in rows] == [1, 3]  # the run went on
    assert "NaN" not in raw and "Infinity" not in raw
    assert code == 1
    assert "line 2: " in (err := capsys.readouterr().err) and why in err


def test_jsonl_echoes_unusual_but_valid_ids(quick: Engine, monkeypatch: pytest.MonkeyPatch, settings) -> None:
    ids = ["名字", 1.5, 10**40, None, True, {"chat": 1, "msg": [2]}]
    stream = "\n".join(json.dumps({"id": i, "text": "hello"}, ensure_ascii=False) for i in ids)
    code, rows, _ = _run_jsonl(quick, stream, monkeypatch, settings)
    assert [r["id"] for r in rows] == ids and code == 0
