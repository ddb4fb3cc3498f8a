"""The HTTP face of the emulator: routes, token check, parameter decoding, dispatch.

PTB reaches the Bot API as ``{base_url}{token}/{method}`` and downloads files from
``{base_file_url}{token}/{file_path}``.  Parameters come as a query string, an urlencoded
form, a multipart form (when files are uploaded) or a JSON body; in forms every object or
list is JSON text while strings are sent raw, so decoding must know which fields are text.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from functools import partial
from typing import Any

from aiohttp import web

from .errors import ApiError
from .faults import FaultPlan
from .methods import BotApi
from .state import ApiCall, UploadedFile, World

__all__ = ["ApiServer", "decode_form_value"]

_LOG = logging.getLogger(__name__)

# Parameters whose value is a plain string even when it looks like JSON ("123", "true").
_TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "action",
        "description",
        "short_description",
        "name",
        "language_code",
        "file_id",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "title",
        "query",
        "photo",
        "document",
        "video",
        "voice",
        "audio",
        "animation",
        "sticker",
        "thumbnail",
    }
)
_dumps = partial(json.dumps, ensure_ascii=False)


def decode_form_value(name: str, raw: str) -> Any:
    """Undo PTB's form encoding: JSON for numbers, booleans, objects; raw for text fields."""
    if name in _TEXT_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw  # e.g. chat_id="@channelname"


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = {k: decode_form_value(k, v) for k, v in request.query.items()}
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            params[name] = UploadedFile(
                name=name,
                filename=value.filename,
                content_type=value.content_type,
                data=value.file.read(),
            )
        else:
            params[name] = decode_form_value(name, str(value))
    return params


class ApiServer:
    """An aiohttp server answering Bot API requests for one bot token."""

    def __init__(self, world: World, faults: FaultPlan, token: str, host: str, port: int) -> None:
        self.world = world
        self.faults = faults
        self.token = token
        self.host = host
        self.port = port
        self.api = BotApi(world)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # Short shutdown: long polls are woken by `world.closing`, nothing else lingers.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])  # the real port when 0 was asked for
        _LOG.info("Bot API emulator listening on http://%s:%s", self.host, self.port)

    async def stop(self) -> None:
        self.world.closing = True
        self.world.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        _LOG.info("Bot API emulator stopped")

    @staticmethod
    def _reply(body: dict[str, Any], status: int = 200) -> web.Response:
        return web.json_response(body, status=status, dumps=_dumps)

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            _LOG.warning("request %s with a wrong token", method)
            return self._reply(ApiError.unauthorized().payload(), 401)
        handler = self.api.handler(method)
        if handler is None:
            _LOG.warning("unknown Bot API method %r: answering 404 like Telegram", method)
            return self._reply(ApiError.not_found().payload(), 404)
        try:
            params = await _read_params(request)
        except ValueError as exc:
            return self._reply(ApiError.bad_request(f"can't parse request: {exc}").payload(), 400)
        call = ApiCall(method=method, params=params, time=time.time())
        self.world.calls.append(call)
        name = method.lower()
        polling = name == "getupdates"
        if not polling and self.faults.take_reset(name):
            call.status, call.description = 0, "connection reset"
            self.world.notify()
            return self._reset(request)
        if not polling:
            self.world.inflight += 1
        self.world.notify()
        try:
            result = await self._run(name, handler, params)
        except ApiError as exc:
            call.status, call.description = exc.status, exc.description
            level = logging.DEBUG if polling else logging.INFO
            _LOG.log(level, "%s -> %s %s", method, exc.status, exc.description)
            return self._reply(exc.payload(), exc.status)
        except Exception:
            # A bug in the emulator or arguments it cannot digest: answer like a server error
            # (PTB raises NetworkError) and leave the traceback in the log for the test author.
            _LOG.exception("emulator failed on %s with %s", method, params)
            call.status, call.description = 500, "Internal Server Error"
            return self._reply({"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500)
        finally:
            if not polling:
                self.world.inflight -= 1
            self.world.notify()
        call.status = 200
        return self._reply({"ok": True, "result": result})

    @staticmethod
    def _reset(request: web.Request) -> web.Response:
        """Drop the TCP connection unanswered, as a proxy or a restarting server does."""
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=499)  # never reaches the client: the connection is gone

    async def _run(self, name: str, handler: Any, params: dict[str, Any]) -> Any:
        pause = self.faults.delay_for(name)
        if pause > 0:
            await asyncio.sleep(pause)
        failure = self.faults.take_failure(name)
        if failure is not None:
            raise failure
        chat = self.world.chat_by_ref(params.get("chat_id")) if "chat_id" in params else None
        flood = self.faults.check_flood(name, chat.id if chat else None, chat.type if chat else None)
        if flood is not None:
            raise flood
        result = handler(params)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._reply(ApiError.unauthorized().payload(), 401)
        stored = self.world.file_by_path(request.match_info["path"])
        if stored is None:
            return self._reply(ApiError.not_found().payload(), 404)
        return web.Response(body=stored.data, content_type="application/octet-stream")
