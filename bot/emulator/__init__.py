"""A local Telegram Bot API emulator for end-to-end tests and a hands-on sandbox.

The real python-telegram-bot ``Application`` runs against it unchanged (``base_url`` /
``base_file_url``), long-polls it over real HTTP, and the test plays the users.  See
:class:`BotApiEmulator` for the whole surface.
"""

from .builders import origin_channel, origin_chat, origin_hidden_user, origin_user
from .emulator import BotApiEmulator, ThreadSafeEmulator
from .entities import EntityParseError, parse_html
from .errors import ApiError
from .faults import FloodLimits
from .state import CHANNEL_BOT, GROUP_ANONYMOUS_BOT, ApiCall

__all__ = [
    "CHANNEL_BOT",
    "GROUP_ANONYMOUS_BOT",
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "EntityParseError",
    "FloodLimits",
    "ThreadSafeEmulator",
    "origin_channel",
    "origin_chat",
    "origin_hidden_user",
    "origin_user",
    "parse_html",
]
