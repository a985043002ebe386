"""Compact tool specs for the prompt: optional fields unwrapped, bounds and titles dropped, meaning kept."""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field

from assistant.llm.toolspec import compact_schema, compact_tool


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_business: str = Field(min_length=1, max_length=200, description="Who receives the referral.")
    hotness: int = Field(default=3, ge=1, le=5, description="1 cold … 5 ready to buy.")
    note: str | None = Field(default=None, max_length=1000)
    stage: Literal["startup", "growing"] | None = Field(default=None, description="Growth stage.")


@tool(args_schema=Args)
def log_referral(**kwargs: Any) -> str:
    """Record a referral."""
    return ""


def test_compact_spec_keeps_names_types_enums_descriptions_and_required() -> None:
    full = convert_to_openai_tool(log_referral)
    compact = compact_tool(full)
    assert compact["function"]["name"] == "log_referral"
    assert compact["function"]["description"] == full["function"]["description"]
    assert compact["function"]["parameters"] == {
        "properties": {
            "to_business": {"description": "Who receives the referral.", "type": "string"},
            "hotness": {"default": 3, "description": "1 cold … 5 ready to buy.", "type": "integer"},
            "note": {"type": "string"},
            "stage": {"enum": ["startup", "growing"], "type": "string", "description": "Growth stage."},
        },
        "required": ["to_business"],
        "type": "object",
    }
    assert "maxLength" in str(full)  # the full schema, used for validation and the grammar, is untouched


def test_a_real_union_is_kept() -> None:
    union = {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}], "default": None}
    assert compact_schema(union) == {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}


def test_optional_ids_are_not_shown_to_the_model_but_required_ones_are() -> None:
    spec = {
        "type": "function",
        "function": {
            "name": "record_deal",
            "description": "Record a deal.",
            "parameters": {
                "type": "object",
                "properties": {
                    "amount": {"type": "string"},
                    "referral_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
                    "deal_id": {"type": "string"},
                },
                "required": ["amount", "deal_id"],
            },
        },
    }
    shown = compact_tool(spec)["function"]["parameters"]
    assert set(shown["properties"]) == {"amount", "deal_id"}
    assert "referral_id" in spec["function"]["parameters"]["properties"]  # the full schema is untouched
