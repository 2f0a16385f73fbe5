"""Typed records of Amazon Bedrock Nova data, ``bedrock-conversation-2024`` (targets §7): SFT and DPO.

Messages alternate ``user`` and ``assistant``, starting with the user and
ending with the assistant; each holds a list of Converse content blocks, a
block holding exactly one of ``text``, ``image`` / ``video`` (an S3 location),
``reasoningContent``, ``toolUse`` or ``toolResult``. The system prompt is a
separate ``system`` array. In DPO data the last message holds ``candidates``.
The words Nova reserves, media counts and bucket, and what each model trains
on are `prep check --target nova`'s.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .models import Text, _Closed

__all__ = [
    "NovaAssistantMessage",
    "NovaCandidate",
    "NovaCandidatesMessage",
    "NovaImage",
    "NovaPreferenceRecord",
    "NovaRecord",
    "NovaSystemBlock",
    "NovaTextBlock",
    "NovaToolConfig",
    "NovaToolResult",
    "NovaToolUse",
    "NovaUserMessage",
    "NovaVideo",
    "S3Location",
]


class NovaTextBlock(_Closed):
    text: Text


class S3Location(_Closed):
    uri: str = Field(pattern=r"^s3://[\w\-.]+/[\w\-/.]+$", description="In the bucket that holds the dataset.")
    bucketOwner: str | None = None


class MediaSource(_Closed):
    s3Location: S3Location


class NovaImage(_Closed):
    format: Literal["jpeg", "png", "gif", "webp"]
    source: MediaSource


class NovaVideo(_Closed):
    format: Literal["mov", "mkv", "mp4", "webm"]
    source: MediaSource


class NovaImageBlock(_Closed):
    image: NovaImage


class NovaVideoBlock(_Closed):
    video: NovaVideo


class ReasoningText(_Closed):
    text: Text


class ReasoningContent(_Closed):
    reasoningText: ReasoningText


class NovaReasoningBlock(_Closed):
    reasoningContent: ReasoningContent


class NovaToolUse(_Closed):
    toolUseId: Text
    name: Text
    input: dict[str, Any] = Field(description="The arguments as an object.")


class NovaToolUseBlock(_Closed):
    toolUse: NovaToolUse


class ToolResultText(_Closed):
    text: str


class ToolResultJson(_Closed):
    json_: dict[str, Any] = Field(alias="json")


class NovaToolResult(_Closed):
    toolUseId: Text
    content: list[ToolResultText | ToolResultJson] = Field(min_length=1)
    status: str | None = None


class NovaToolResultBlock(_Closed):
    toolResult: NovaToolResult


UserBlock = NovaTextBlock | NovaImageBlock | NovaVideoBlock | NovaToolResultBlock
AssistantBlock = NovaTextBlock | NovaReasoningBlock | NovaToolUseBlock


class NovaUserMessage(_Closed):
    role: Literal["user"]
    content: list[UserBlock] = Field(min_length=1)


class NovaAssistantMessage(_Closed):
    role: Literal["assistant"]
    content: list[AssistantBlock] = Field(min_length=1)


Message = Annotated[NovaUserMessage | NovaAssistantMessage, Field(discriminator="role")]


class NovaSystemBlock(_Closed):
    text: Text


class InputSchema(_Closed):
    json_: dict[str, Any] = Field(alias="json", description="A JSON Schema with a type.")


class ToolSpec(_Closed):
    name: Text
    description: Text
    inputSchema: InputSchema


class NovaTool(_Closed):
    toolSpec: ToolSpec


class NovaToolConfig(_Closed):
    tools: list[NovaTool] = Field(min_length=1)


def _alternate(roles: list[str]) -> None:
    for i, role in enumerate(roles):
        if role != ("user" if i % 2 == 0 else "assistant"):
            raise ValueError("messages must alternate user and assistant, starting with user")
    if roles[-1] != "assistant":
        raise ValueError("the last message must be the assistant's")


class _Header(_Closed):
    schemaVersion: str | None = Field(default=None, description='"bedrock-conversation-2024"')
    system: list[NovaSystemBlock] | None = None


class NovaRecord(_Header):
    """A supervised (SFT) example."""

    messages: list[Message] = Field(min_length=1)
    toolConfig: NovaToolConfig | None = None

    @model_validator(mode="after")
    def _order(self) -> NovaRecord:
        _alternate([m.role for m in self.messages])
        return self


class NovaCandidate(_Closed):
    content: list[NovaTextBlock | NovaReasoningBlock] = Field(min_length=1)
    preferenceLabel: Literal["preferred", "non-preferred"]


class NovaCandidatesMessage(_Closed):
    role: Literal["assistant"]
    candidates: list[NovaCandidate] = Field(min_length=2)


class NovaPreferenceRecord(_Header):
    """A preference (DPO) example: the last message holds the candidates."""

    messages: list[NovaUserMessage | NovaAssistantMessage | NovaCandidatesMessage] = Field(min_length=1)

    @model_validator(mode="after")
    def _candidates_last(self) -> NovaPreferenceRecord:
        *head, last = self.messages
        if not isinstance(last, NovaCandidatesMessage) or any(isinstance(m, NovaCandidatesMessage) for m in head):
            raise ValueError("the last message, and only it, holds candidates")
        _alternate([m.role for m in self.messages])
        if len({c.preferenceLabel for c in last.candidates}) < 2:
            raise ValueError("the candidates need one preferred and one non-preferred")
        return self
