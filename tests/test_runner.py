"""`python -m bot run` as an operator runs it: a real process, a Bot API server by URL, a stop signal."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.emulator import BotApiEmulator, origin_hidden_user

REPO = Path(__file__).resolve().parent.parent
SCAM = (
    "Sorry the video call cut out, bad signal. It's really me. I'm in a meeting and can't talk, can you transfer "
    "3,000 to my colleague's account today? Don't tell anyone."
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
async def test_with_a_token_it_talks_to_the_configured_server_and_stops_cleanly_on_sigterm(tmp_path):
    async with BotApiEmulator(token="424242:RUNNER-TEST") as emu:
        env = dict(
            os.environ,
            TELEGRAM_BOT_TOKEN=emu.token,
            TELEGRAM_API_BASE_URL=emu.base_url,
            TELEGRAM_API_FILE_URL=emu.base_file_url,
            DATA_DIR=str(tmp_path / "data"),
            NO_PROXY="127.0.0.1,localhost",
            HF_HUB_OFFLINE="1",
            BURST_WINDOW_SECONDS="10",  # the stop arrives while the answer still waits in its burst
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=REPO,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await emu.wait_for_calls("getUpdates", 1, timeout=120)
            commands = emu.calls_to("setMyCommands")
            assert commands, "the command menu is set on start"

            user = emu.user(5, "Runner user")
            chat = emu.private_chat(user)
            sent = emu.send_message(chat, user, SCAM, forward_origin=origin_hidden_user("Friend"))
            await emu.wait_until_idle(timeout=30)  # fetched; its answer now waits out the burst window
            stopped_at = asyncio.get_running_loop().time()
            process.send_signal(signal.SIGTERM)
            [answer] = await emu.wait_for_messages(chat, 1, timeout=60, after=sent)
            assert asyncio.get_running_loop().time() - stopped_at < 8, "answered by the shutdown, not the timer"
            assert "looks like a scam" in answer["text"] or "suspicious" in answer["text"]
            code = await asyncio.wait_for(process.wait(), timeout=60)
            assert code == 0, (await process.stderr.read()).decode()[-2000:]
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
