"""The structured answer the model must give, as a JSON schema to send and a pydantic model to check.

The schema goes out as ``response_format={"type": "json_schema", ...}`` so servers that
support constrained decoding (OpenAI, vLLM, Ollama, LM Studio) produce it directly. The
answer is still validated here: a server may ignore the schema, and a model may be
talked into something else by the message it reads. Anything off-schema is a failure,
never guessed at, and the user gets the retrieval-only answer.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError, field_validator

from bot.core.taxonomy import SCAM_CATEGORIES

NO_CATEGORY = "none"
MAX_REASONS = 4
SCHEMA_NAME = "scam_second_opinion"

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class OffSchema(ValueError):
    """The model's answer is not valid JSON of the expected shape."""


class ReasonPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quote: StrictStr = Field(max_length=400)
    why: StrictStr = Field(max_length=400)


class OpinionPayload(BaseModel):
    """Exactly the keys of :data:`OPINION_SCHEMA`; extra keys or wrong types are rejected."""

    model_config = ConfigDict(extra="forbid")

    is_scam: StrictBool
    category: StrictStr
    confidence: Annotated[float, Field(ge=0.0, le=1.0, strict=True)]
    reasons: list[ReasonPayload]
    explanation: StrictStr = Field(max_length=3000)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value != NO_CATEGORY and value not in SCAM_CATEGORIES:
            raise ValueError(f"unknown category {value!r}")
        return value


OPINION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "is_scam": {"type": "boolean", "description": "true if the message is a scam or fraud attempt"},
        "category": {"type": "string", "enum": [*SCAM_CATEGORIES, NO_CATEGORY]},
        "confidence": {"type": "number", "description": "0 to 1"},
        "reasons": {
            "type": "array",
            "description": f"at most {MAX_REASONS}",
            "items": {
                "type": "object",
                "properties": {
                    "quote": {"type": "string", "description": "words copied exactly from the message"},
                    "why": {"type": "string"},
                },
                "required": ["quote", "why"],
                "additionalProperties": False,
            },
        },
        "explanation": {"type": "string"},
    },
    "required": ["is_scam", "category", "confidence", "reasons", "explanation"],
    "additionalProperties": False,
}
"""Kept to the keywords strict structured-output modes accept; ranges are checked by pydantic."""


def response_format() -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": OPINION_SCHEMA}}


def parse_opinion(content: str | None) -> OpinionPayload:
    """Validate the model's reply; raise :class:`OffSchema` for anything else.

    A Markdown code fence around the JSON (a habit of small local models) is tolerated;
    nothing else is repaired.
    """
    if not content:
        raise OffSchema("empty answer")
    fenced = _FENCE.match(content)
    raw = fenced.group(1) if fenced else content
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise OffSchema(f"not JSON: {exc.msg}") from exc
    try:
        return OpinionPayload.model_validate(data)
    except ValidationError as exc:
        raise OffSchema(f"off-schema: {exc.error_count()} error(s)") from exc
