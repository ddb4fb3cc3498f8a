"""``python -m bot.emulator``: a standalone emulator with a chat console.

Start it, then run the bot with the printed ``base_url``/``base_file_url`` and token (for
PTB: ``ApplicationBuilder().token(T).base_url(U).base_file_url(F)``), and chat here.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from .emulator import BotApiEmulator
from .sandbox import run_console

_LOG = logging.getLogger("bot.emulator")


async def _main(args: argparse.Namespace) -> None:
    async with BotApiEmulator(args.token, args.username, args.host, args.port) as emu:
        _LOG.warning(
            "Bot API emulator ready: token=%s base_url=%s base_file_url=%s",
            emu.token,
            emu.base_url,
            emu.base_file_url,
        )
        await run_console(emu, language_code=args.language)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="FraudAwarenessBot")
    parser.add_argument("--language", default="en", help="language_code of the console user")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every Bot API call")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()
