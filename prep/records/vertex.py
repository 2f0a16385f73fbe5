"""Typed records of Gemini tuning data on Vertex AI (targets §6): supervised, preference and reinforcement.

Each example holds ``contents``: turns of role ``user`` or ``model``, each a
list of parts, a part holding exactly one of ``text``, ``fileData``,
``functionCall`` (``args`` an object) or ``functionResponse``. The system
prompt stands apart (``systemInstruction``; the preference docs write
``system_instruction``). As the OpenAI records, these hold the schema; `prep
check --target vertex` holds the schema and the service's other rules.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .models import Text, _Closed

__all__ = [
    "FileData",
    "FunctionDeclaration",
    "SystemInstruction",
    "VertexCompletion",
    "VertexFilePart",
    "VertexFunctionCall",
    "VertexFunctionCallPart",
    "VertexFunctionResponse",
    "VertexFunctionResponsePart",
    "VertexModelContent",
    "VertexPreferenceRecord",
    "VertexRecord",
    "VertexReinforcementRecord",
    "VertexTextPart",
    "VertexTool",
    "VertexUserContent",
]


class VertexTextPart(_Closed):
    text: Text


class FileData(_Closed):
    mimeType: str = Field(pattern=r"^[\w.+-]+/[\w.+-]+$", description="The file's MIME type, e.g. image/png.")
    fileUri: str = Field(pattern=r"^(gs://[^/]+/.+|https?://.+)$", description="gs://bucket/path or a public URL.")


class VertexFilePart(_Closed):
    fileData: FileData


class VertexFunctionCall(_Closed):
    name: str = Field(min_length=1)
    args: dict[str, Any] | None = Field(default=None, description="The arguments as an object, not a string.")
    id: str | None = None


class VertexFunctionCallPart(_Closed):
    functionCall: VertexFunctionCall


class VertexFunctionResponse(_Closed):
    name: str = Field(min_length=1)
    response: dict[str, Any]
    id: str | None = None


class VertexFunctionResponsePart(_Closed):
    functionResponse: VertexFunctionResponse


UserPart = VertexTextPart | VertexFilePart | VertexFunctionResponsePart
ModelPart = VertexTextPart | VertexFunctionCallPart


class VertexUserContent(_Closed):
    role: Literal["user"]
    parts: list[UserPart] = Field(min_length=1)


class VertexModelContent(_Closed):
    role: Literal["model"]
    parts: list[ModelPart] = Field(min_length=1)


class VertexUserText(_Closed):
    role: Literal["user"]
    parts: list[VertexTextPart] = Field(min_length=1)


class VertexModelText(_Closed):
    role: Literal["model"]
    parts: list[VertexTextPart] = Field(min_length=1)


Content = Annotated[VertexUserContent | VertexModelContent, Field(discriminator="role")]
TextContent = Annotated[VertexUserText | VertexModelText, Field(discriminator="role")]


class SystemInstruction(_Closed):
    role: str | None = Field(default=None, description="Ignored by the service.")
    parts: list[VertexTextPart] = Field(min_length=1)


class FunctionDeclaration(_Closed):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = Field(default=None, description="An OpenAPI schema object.")
    response: dict[str, Any] | None = None


class VertexTool(_Closed):
    functionDeclarations: list[FunctionDeclaration]


class _System(_Closed):
    systemInstruction: SystemInstruction | None = None
    system_instruction: SystemInstruction | None = None

    @model_validator(mode="after")
    def _one_system(self) -> _System:
        if self.systemInstruction is not None and self.system_instruction is not None:
            raise ValueError("give the system instruction once")
        return self


def _last_role(contents: list[Any], role: str) -> None:
    if contents[-1].role != role:
        raise ValueError(f"contents must end on a {role} turn")


class VertexRecord(_System):
    """A supervised tuning example."""

    contents: list[Content] = Field(min_length=1)
    tools: list[VertexTool] | None = None

    @model_validator(mode="after")
    def _ends_on_model(self) -> VertexRecord:
        _last_role(self.contents, "model")
        return self


class VertexCompletion(_Closed):
    score: Annotated[int, Field(ge=0, le=1)] = Field(description="1: the preferred completion, 0: the other.")
    completion: VertexModelText


class VertexPreferenceRecord(_System):
    """A preference tuning example: text only, two scored completions of the conversation."""

    contents: list[TextContent] = Field(min_length=1)
    completions: list[VertexCompletion] = Field(min_length=2, max_length=2)

    @model_validator(mode="after")
    def _one_each(self) -> VertexPreferenceRecord:
        _last_role(self.contents, "user")
        if sorted(c.score for c in self.completions) != [0, 1]:
            raise ValueError("the completions need one score 1 and one score 0")
        return self


class VertexReinforcementRecord(_System):
    """A reinforcement tuning example: a prompt and string references for the reward function."""

    contents: list[Content] = Field(min_length=1)
    references: dict[str, str]
    tools: list[VertexTool] | None = None

    @model_validator(mode="after")
    def _ends_on_user(self) -> VertexReinforcementRecord:
        _last_role(self.contents, "user")
        return self
