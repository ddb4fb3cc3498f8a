"""Plain Bot API objects a test needs to describe what a user sent.

Forward origins and media objects have many required fields; building them by hand in
every test invites shapes PTB cannot parse.  These helpers produce the shapes Telegram
sends, so ``Message.forward_origin`` and ``Message.photo`` work in the bot as in production.
"""

from __future__ import annotations

import struct
import time
import zlib
from typing import Any

from .state import StoredFile, World

__all__ = [
    "media_object",
    "origin_channel",
    "origin_chat",
    "origin_hidden_user",
    "origin_user",
    "strip_for_reply",
]


def _past(date: int | None) -> int:
    return date if date is not None else int(time.time()) - 3600


def origin_user(user: dict[str, Any], *, date: int | None = None) -> dict[str, Any]:
    """A forward from a user whose privacy settings allow linking to them."""
    return {"type": "user", "date": _past(date), "sender_user": dict(user)}


def origin_hidden_user(name: str, *, date: int | None = None) -> dict[str, Any]:
    """A forward from a user who hides their account (only a name survives)."""
    return {"type": "hidden_user", "date": _past(date), "sender_user_name": name}


def origin_chat(
    chat: dict[str, Any], *, date: int | None = None, author_signature: str | None = None
) -> dict[str, Any]:
    """A forward of a message sent on behalf of a group (anonymous admin)."""
    origin: dict[str, Any] = {"type": "chat", "date": _past(date), "sender_chat": dict(chat)}
    if author_signature:
        origin["author_signature"] = author_signature
    return origin


def origin_channel(
    chat: dict[str, Any],
    message_id: int = 1,
    *,
    date: int | None = None,
    author_signature: str | None = None,
) -> dict[str, Any]:
    """A forward of a channel post."""
    origin: dict[str, Any] = {"type": "channel", "date": _past(date), "chat": dict(chat), "message_id": message_id}
    if author_signature:
        origin["author_signature"] = author_signature
    return origin


def strip_for_reply(message: dict[str, Any]) -> dict[str, Any]:
    """A message as it appears in ``reply_to_message``: Telegram does not nest replies further."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def blank_png(width: int = 64, height: int = 48) -> bytes:
    """A real, plain grey picture with no text: what a placeholder photo is (Telegram photos always decode)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\xc8" * width for _ in range(height))  # filter byte, then grey pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# Kind -> (file extension, default MIME type).
_MEDIA = {
    "photo": ("jpg", "image/jpeg"),
    "video": ("mp4", "video/mp4"),
    "voice": ("ogg", "audio/ogg"),
    "audio": ("mp3", "audio/mpeg"),
    "document": ("pdf", "application/pdf"),
    "animation": ("mp4", "video/mp4"),
    "sticker": ("webp", "image/webp"),
}


def media_object(
    world: World,
    kind: str,
    data: bytes | None = None,
    *,
    file_name: str | None = None,
    mime_type: str | None = None,
    reuse: StoredFile | None = None,
) -> Any:
    """The value of ``Message.<kind>``: a PhotoSize list for photos, one object otherwise.

    The bytes are stored so the bot can download them with getFile like a real file.
    """
    extension, default_mime = _MEDIA[kind]
    if file_name and "." in file_name:
        extension = file_name.rsplit(".", 1)[1].lower() or extension
    placeholder = blank_png() if kind == "photo" else f"emulated {kind}".encode()
    stored = reuse or world.add_file(kind, data if data is not None else placeholder, extension)
    base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data)}
    if kind == "photo":
        sizes = [(90, 67), (320, 240), (1280, 960)]
        photo = []
        for index, (width, height) in enumerate(sizes):
            if index < len(sizes) - 1:  # thumbnails are separate files in Telegram too
                thumb = world.add_file("photo", stored.data, "jpg")
                item = {"file_id": thumb.file_id, "file_unique_id": thumb.file_unique_id}
            else:
                item = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
            photo.append({**item, "file_size": len(stored.data), "width": width, "height": height})
        return photo
    if kind == "sticker":  # no mime type or name: a sticker is its own kind of object
        return {**base, "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
    obj: dict[str, Any] = {**base, "mime_type": mime_type or default_mime}
    if kind in ("video", "animation"):
        obj.update({"width": 1280, "height": 720, "duration": 5})
    elif kind in ("voice", "audio"):
        obj["duration"] = 3
    if kind in ("document", "audio", "animation", "video"):
        obj["file_name"] = file_name or f"file.{extension}"
    return obj
