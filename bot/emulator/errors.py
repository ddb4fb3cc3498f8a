"""The Bot API's error replies, in one place so every method words them the same way.

Descriptions are copied from what Telegram really answers, because bots (and PTB) branch on
them: PTB maps the HTTP status to an exception class and code in the wild greps the text
("message is not modified", "bot was blocked by the user", ...).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError"]


class ApiError(Exception):
    """A Bot API failure: becomes ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    @classmethod
    def bad_request(cls, detail: str, parameters: dict[str, Any] | None = None) -> ApiError:
        return cls(400, f"Bad Request: {detail}", parameters)

    @classmethod
    def forbidden(cls, detail: str) -> ApiError:
        return cls(403, f"Forbidden: {detail}")

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        return cls(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    @classmethod
    def not_found(cls) -> ApiError:
        return cls(404, "Not Found")

    @classmethod
    def unauthorized(cls) -> ApiError:
        return cls(401, "Unauthorized")

    @classmethod
    def conflict(cls, detail: str) -> ApiError:
        return cls(409, f"Conflict: {detail}")

    @classmethod
    def default_for(cls, status: int, retry_after: int | None = None, description: str | None = None) -> ApiError:
        """The error Telegram most typically sends with ``status`` (used by fault injection)."""
        if status == 429:
            wait = retry_after if retry_after is not None else 1
            error = cls.too_many_requests(wait)
            if description:
                error.description = description
            return error
        defaults = {
            400: "Bad Request: injected failure",
            401: "Unauthorized",
            403: "Forbidden: bot was blocked by the user",
            404: "Not Found",
            409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        return cls(status, description or defaults.get(status, f"Error {status}"), parameters)
