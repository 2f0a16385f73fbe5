"""Provider adapters: one per SDK behind one Protocol (`.base.Provider`), chosen by the target's profile.

A target's ``[publish]`` table names its SDK (``openai``, ``azure-openai``,
``together``, ``fireworks-ai``); `open_provider` wraps a client of that SDK in
its adapter, and `build_client` makes the client from explicit settings (the
command line reads them from the environment; nothing here does). Each SDK is
an extra of prep's distribution, imported only when a client is built.
"""

from __future__ import annotations

from typing import Any

from ...errors import UsageError
from ...targets.profile import PublishSettings, Target
from .base import KEY_PLACEHOLDER, Provider, RemoteFile, RemoteJob, Upload

__all__ = [
    "KEY_PLACEHOLDER",
    "Provider",
    "RemoteFile",
    "RemoteJob",
    "Upload",
    "build_client",
    "open_provider",
    "publish_settings",
]


def publish_settings(target: Target) -> PublishSettings:
    """The target's ``[publish]`` table; a `UsageError` for a target prep cannot publish to."""
    if target.publish is None:
        raise UsageError(
            f"prep cannot publish to {target.name!r}: its profile has no [publish] table "
            f"(convert the data for it with prep convert --to, then upload it with {target.provider}'s own tools)."
        )
    return target.publish


def open_provider(
    target: Target,
    client: Any,
    *,
    base_url: str | None = None,
    account: str | None = None,
    wandb_key: str | None = None,
    job_metadata: bool = True,
) -> Provider:
    """``client`` (an SDK client for ``target``) in the adapter its profile's SDK names.

    ``client`` None makes an adapter that only plans (a dry run), at
    ``base_url`` (default: the profile's) for ``account`` (Fireworks).
    ``wandb_key`` goes only into the job requests of targets whose jobs carry
    the W&B key (``wandb = "params"``); ``job_metadata`` False sends no
    metadata with OpenAI jobs.
    """
    settings = publish_settings(target)
    url = base_url or settings.base_url or "<base URL>"
    if settings.sdk in ("openai", "azure-openai"):
        from .openai_sdk import OpenAIProvider

        return OpenAIProvider(target, client, base_url=url, job_metadata=job_metadata)
    if settings.sdk == "together":
        from .together_sdk import TogetherProvider

        return TogetherProvider(target, client, base_url=url, wandb_key=wandb_key)
    from .fireworks_sdk import FireworksProvider

    return FireworksProvider(target, client, base_url=url, account=account, wandb_key=wandb_key)


def build_client(
    target: Target,
    *,
    key: str,
    base_url: str | None,
    timeout: float,
    account: str | None = None,
    api_version: str | None = None,
) -> Any:
    """The SDK client for ``target`` (each request gives up after ``timeout`` seconds); its extra must be installed."""
    settings = publish_settings(target)
    if settings.sdk in ("openai", "azure-openai"):
        from . import openai_sdk

        return openai_sdk.build_client(settings, key=key, base_url=base_url, timeout=timeout, api_version=api_version)
    if settings.sdk == "together":
        from . import together_sdk

        return together_sdk.build_client(settings, key=key, base_url=base_url, timeout=timeout)
    from . import fireworks_sdk

    return fireworks_sdk.build_client(settings, key=key, base_url=base_url, timeout=timeout, account=account)
