"""Typed records for the four data formats (OpenAI's per-line schemas, 2025-07).

These pydantic models are what converters produce, what `load_records` yields,
and what ``schemas/*.schema.json`` are generated from. Key sets are closed where
the service closes them (``extra="forbid"``); reinforcement records are open,
because their other keys are grader data. Values are strict: ``"1"`` is not a
weight, ``1.0`` is not an integer.

The models hold the schema; `prep.check` holds the schema *and* the service's
other rules (special tokens, image bytes, tool-call ids, advice), and reports
every problem with its line instead of stopping at the first.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AssistantMessage",
    "ChatMessage",
    "ChatRecord",
    "CompletionRecord",
    "DeveloperMessage",
    "FunctionCall",
    "FunctionDefinition",
    "FunctionMessage",
    "ImagePart",
    "ImageURL",
    "PreferenceInput",
    "PreferenceRecord",
    "Record",
    "RefusalPart",
    "ReinforcementMessage",
    "ReinforcementRecord",
    "SystemMessage",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolMessage",
    "UserMessage",
]

#: Text the service accepts as content: not empty, not only whitespace.
Text = Annotated[str, Field(pattern=r"\S")]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TextPart(_Closed):
    type: Literal["text"]
    text: Text


class ImageURL(_Closed):
    url: str = Field(pattern=r"^(https?://|data:)", description="An http(s) URL or a base64 data URL.")
    detail: Literal["auto", "low", "high"] | None = None


class ImagePart(_Closed):
    type: Literal["image_url"]
    image_url: ImageURL


class RefusalPart(_Closed):
    type: Literal["refusal"]
    refusal: str


UserPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]
AssistantPart = Annotated[TextPart | RefusalPart, Field(discriminator="type")]


class FunctionCall(_Closed):
    name: str
    arguments: str = Field(description="A JSON-encoded string, not an object.")


class ToolCall(_Closed):
    id: str = Field(min_length=1)
    type: Literal["function"]
    function: FunctionCall


class SystemMessage(_Closed):
    role: Literal["system"]
    content: Text | list[TextPart] = Field(min_length=1)
    name: str | None = None


class DeveloperMessage(_Closed):
    role: Literal["developer"]
    content: Text | list[TextPart] = Field(min_length=1)
    name: str | None = None


class UserMessage(_Closed):
    role: Literal["user"]
    content: Text | list[UserPart] = Field(min_length=1)
    name: str | None = None


class AssistantMessage(_Closed):
    role: Literal["assistant"]
    content: str | list[AssistantPart] | None = None
    refusal: str | None = None
    name: str | None = None
    audio: dict[str, Any] | None = None
    tool_calls: list[ToolCall] | None = Field(default=None, min_length=1)
    function_call: FunctionCall | None = None
    weight: Annotated[int, Field(ge=0, le=1)] | None = Field(
        default=None, description="Train on this message (1) or not (0); an integer, not a boolean."
    )

    @model_validator(mode="after")
    def _has_output(self) -> AssistantMessage:
        if self.tool_calls or self.function_call:
            return self
        if self.content is None or (isinstance(self.content, str) and not self.content.strip()):
            raise ValueError("an assistant message needs content, tool_calls or function_call")
        return self


class ToolMessage(_Closed):
    role: Literal["tool"]
    content: Text
    tool_call_id: str


class FunctionMessage(_Closed):
    role: Literal["function"]
    content: str | None
    name: str


ChatMessage = Annotated[
    SystemMessage | UserMessage | AssistantMessage | ToolMessage | FunctionMessage, Field(discriminator="role")
]
ReinforcementMessage = Annotated[
    DeveloperMessage | UserMessage | AssistantMessage | ToolMessage, Field(discriminator="role")
]


class FunctionDefinition(_Closed):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = Field(default=None, description="A JSON Schema object.")
    strict: bool | None = None


class Tool(_Closed):
    type: Literal["function"]
    function: FunctionDefinition


class ChatRecord(_Closed):
    """A supervised (SFT) chat example."""

    messages: list[ChatMessage] = Field(min_length=1)
    tools: list[Tool] | None = None
    parallel_tool_calls: bool | None = None
    functions: list[FunctionDefinition] | None = Field(default=None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def _has_assistant(self) -> ChatRecord:
        if not any(m.role == "assistant" for m in self.messages):
            raise ValueError("a chat example needs at least one assistant message")
        return self


class CompletionRecord(_Closed):
    """A legacy prompt/completion example (babbage-002, davinci-002)."""

    prompt: str
    completion: Text


class TextRecord(_Closed):
    """A plain text example (continued pre-training, as Together's "generic text" format)."""

    text: Text


class PreferenceInput(_Closed):
    messages: list[ChatMessage] = Field(min_length=1)
    tools: list[Tool] | None = None
    parallel_tool_calls: bool | None = None


class PreferenceRecord(_Closed):
    """A preference (DPO) example: one preferred and one non-preferred reply."""

    input: PreferenceInput
    preferred_output: list[AssistantMessage] = Field(min_length=1, max_length=1)
    non_preferred_output: list[AssistantMessage] = Field(min_length=1, max_length=1)


class ReinforcementRecord(BaseModel):
    """A reinforcement (RFT) example; keys other than messages/tools are grader data."""

    model_config = ConfigDict(extra="allow", strict=True)

    messages: list[ReinforcementMessage] = Field(min_length=1)
    tools: list[Tool] | None = None

    @model_validator(mode="after")
    def _ends_on_user(self) -> ReinforcementRecord:
        if self.messages[-1].role != "user":
            raise ValueError("a reinforcement example must end on a user message")
        return self


Record = ChatRecord | CompletionRecord | PreferenceRecord | ReinforcementRecord | TextRecord
