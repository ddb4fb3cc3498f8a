"""An OpenAI-compatible fake server on 127.0.0.1: real HTTP for the real ``openai`` client.

It serves ``POST /v1/chat/completions`` and ``POST /v1/embeddings`` from its own thread
and event loop, so both the async chat client and the sync embeddings client (called
from worker threads) can reach it. Chat answers are scripted per test (a good JSON
answer, malformed or off-schema JSON, an HTTP status, a delay); every request body is
recorded so a test can prove what did, and did not, leave the bot. Embeddings are
deterministic hashed bags of words and character bigrams, so retrieval over them works.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import re
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from aiohttp import web

log = logging.getLogger(__name__)

EMBEDDING_DIMENSION = 512
_TOKENS = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]")


@dataclass(frozen=True)
class Reply:
    """One scripted chat answer: assistant ``content`` with HTTP ``status``, after ``delay`` seconds."""

    content: str | None = None
    status: int = 200
    delay: float = 0.0

    @classmethod
    def json(cls, payload: dict[str, Any], *, delay: float = 0.0) -> Reply:
        return cls(json.dumps(payload, ensure_ascii=False), delay=delay)


@dataclass(frozen=True)
class Recorded:
    path: str
    raw: bytes
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def prompt_text(self) -> str:
        """All message contents of a chat request, decoded."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


def hashed_embedding(text: str) -> list[float]:
    """Bag of words and character bigrams, hashed into a fixed dimension and L2-normalised."""
    vector = np.zeros(EMBEDDING_DIMENSION, dtype=np.float32)
    tokens = _TOKENS.findall(text.lower())
    features = tokens + [a + b for a, b in itertools.pairwise(tokens) if len(a) == len(b) == 1]
    for feature in features:
        vector[zlib.crc32(feature.encode()) % EMBEDDING_DIMENSION] += 1.0
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm else vector).tolist()


@dataclass
class FakeOpenAI:
    """Start once, script per test, read ``requests`` afterwards."""

    default: Reply = field(default_factory=lambda: Reply(status=500))
    rules: list[tuple[str, Reply]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._release: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # Scripting
    def reply_with(self, reply: Reply) -> None:
        self.default = reply

    def when(self, substring: str, reply: Reply) -> None:
        """Requests whose prompt contains ``substring`` get ``reply`` (first rule wins)."""
        self.rules.append((substring, reply))

    def reset(self) -> None:
        self.default = Reply(status=500)
        self.rules.clear()
        self.requests.clear()

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def embedding_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/embeddings")]

    # Life cycle
    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._serve())
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake OpenAI server did not start")

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return
        loop.call_soon_threadsafe(self._release_delays)
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)

    def _release_delays(self) -> None:
        if self._release is not None:
            self._release.set()

    async def _serve(self) -> None:
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    # Handlers
    async def _record(self, request: web.Request) -> Recorded:
        raw = await request.read()
        recorded = Recorded(request.path, raw, json.loads(raw or b"{}"), dict(request.headers))
        self.requests.append(recorded)
        return recorded

    async def _chat(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        prompt = recorded.prompt_text
        reply = next((r for s, r in self.rules if s in prompt), self.default)
        if reply.delay and self._release is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), reply.delay)
        if reply.status != 200:
            error = {"error": {"message": "scripted failure", "type": "server_error", "code": str(reply.status)}}
            return web.json_response(error, status=reply.status)
        return web.json_response(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": recorded.body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    async def _embeddings(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        inputs = recorded.body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        if not texts or any(not isinstance(t, str) or not t for t in texts):
            return web.json_response({"error": {"message": "invalid input", "type": "invalid_request"}}, status=400)
        as_base64 = recorded.body.get("encoding_format") == "base64"
        data = []
        for i, text in enumerate(texts):
            vector = hashed_embedding(text)
            encoded: Any = (
                base64.b64encode(np.asarray(vector, dtype=np.float32).tobytes()).decode() if as_base64 else vector
            )
            data.append({"object": "embedding", "index": i, "embedding": encoded})
        usage = {"prompt_tokens": 1, "total_tokens": 1}
        return web.json_response({"object": "list", "data": data, "model": recorded.body.get("model"), "usage": usage})
