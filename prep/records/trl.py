"""Typed records of Hugging Face TRL data (targets §8): conversational (SFT) and preference (DPO).

Conversational data is OpenAI's chat format with two differences: a tool
call's ``arguments`` is a JSON object (TRL hands it to the chat template as
it is), and a tool message may carry the function's ``name``. Preference data
is ``prompt`` / ``chosen`` / ``rejected``: three strings, or lists of messages.
No message carries a ``weight``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .models import AssistantPart, FunctionDefinition, Text, TextPart, UserPart, _Closed

__all__ = [
    "TrlAssistantMessage",
    "TrlChatRecord",
    "TrlFunctionCall",
    "TrlMessage",
    "TrlPreferenceRecord",
    "TrlTool",
    "TrlToolCall",
    "TrlToolMessage",
]


class TrlFunctionDefinition(FunctionDefinition):
    return_: dict[str, Any] | None = Field(default=None, alias="return", description="What the function returns.")


class TrlTool(_Closed):
    type: Literal["function"]
    function: TrlFunctionDefinition


class TrlFunctionCall(_Closed):
    name: str
    arguments: dict[str, Any] = Field(description="A JSON object, not a JSON-encoded string.")


class TrlToolCall(_Closed):
    id: str | None = Field(default=None, min_length=1)
    type: Literal["function"]
    function: TrlFunctionCall


class TrlSystemMessage(_Closed):
    role: Literal["system"]
    content: Text | list[TextPart] = Field(min_length=1)


class TrlDeveloperMessage(_Closed):
    role: Literal["developer"]
    content: Text | list[TextPart] = Field(min_length=1)


class TrlUserMessage(_Closed):
    role: Literal["user"]
    content: Text | list[UserPart] = Field(min_length=1)
    name: str | None = None


class TrlAssistantMessage(_Closed):
    role: Literal["assistant"]
    content: str | list[AssistantPart] | None = None
    name: str | None = None
    tool_calls: list[TrlToolCall] | None = Field(default=None, min_length=1)
    thinking: str | None = Field(default=None, description="Reasoning, as harmony (gpt-oss) templates read it.")
    reasoning_content: str | None = Field(default=None, description="Reasoning, as axolotl reads it by default.")

    @model_validator(mode="after")
    def _has_output(self) -> TrlAssistantMessage:
        if self.tool_calls:
            return self
        if self.content is None or (isinstance(self.content, str) and not self.content.strip()):
            raise ValueError("an assistant message needs content or tool_calls")
        return self


class TrlToolMessage(_Closed):
    role: Literal["tool"]
    content: Text
    name: str | None = None
    tool_call_id: str | None = None


TrlMessage = Annotated[
    TrlSystemMessage | TrlDeveloperMessage | TrlUserMessage | TrlAssistantMessage | TrlToolMessage,
    Field(discriminator="role"),
]


class TrlChatRecord(_Closed):
    """A conversational example for SFTTrainer."""

    messages: list[TrlMessage] = Field(min_length=1)
    tools: list[TrlTool] | None = None
    chat_template_kwargs: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _has_assistant(self) -> TrlChatRecord:
        if not any(m.role == "assistant" for m in self.messages):
            raise ValueError("a conversational example needs at least one assistant message")
        return self


class TrlPreferenceRecord(_Closed):
    """A preference example for DPOTrainer: strings, or lists of messages (the prompt may be implicit)."""

    prompt: str | list[TrlMessage] | None = None
    chosen: Text | list[TrlMessage] = Field(min_length=1)
    rejected: Text | list[TrlMessage] = Field(min_length=1)
    tools: list[TrlTool] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> TrlPreferenceRecord:
        values = [v for v in (self.prompt, self.chosen, self.rejected) if v is not None]
        if len({isinstance(v, list) for v in values}) > 1:
            raise ValueError("prompt, chosen and rejected are all strings or all lists of messages")
        for reply in (self.chosen, self.rejected):
            if isinstance(reply, list) and _ends_badly(reply, explicit=self.prompt is not None):
                raise ValueError(
                    "chosen and rejected end on an assistant message (only assistant and tool after a prompt)"
                )
        return self


def _ends_badly(reply: list[Any], *, explicit: bool) -> bool:
    if reply[-1].role != "assistant":
        return True
    return explicit and any(m.role not in ("assistant", "tool") for m in reply)
