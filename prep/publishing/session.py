"""What every publish step shares: the provider, the ledger, progress, and turning errors into sentences.

Used by the step modules (`.uploads`, `.artifacts`, `.jobstep`) and `.steps`;
not public API.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import PublishError
from . import service
from .ledger import Ledger
from .service import redact
from .types import PublishEvent

if TYPE_CHECKING:
    from .providers import Provider

__all__ = ["Session"]


@dataclass
class Session:
    """One publish's plumbing. ``progress_every``: seconds between "still waiting" notes."""

    provider: Provider | None
    ledger: Ledger
    base: str
    target: str
    on_event: Callable[[PublishEvent], None]
    secrets: tuple[str, ...] = ()
    poll_interval: float = 10.0
    file_timeout: float = 30 * 60
    sleep: Callable[[float], None] = time.sleep
    progress_every: float = 10.0

    def emit(self, kind: str, message: str, **data: Any) -> None:
        self.on_event(PublishEvent(kind, redact(message, self.secrets), data))

    @property
    def api(self) -> Provider:
        assert self.provider is not None
        return self.provider

    @contextmanager
    def call(self, step: str) -> Iterator[None]:
        """An SDK call: errors become one sentence; a slow answer is reported while it is awaited."""
        hint = f"The ledger {self.ledger.path} records what was done; run again to continue."
        with self.waiting(step), service.service_call(step, secrets=self.secrets, hint=hint):
            yield

    @contextmanager
    def waiting(self, step: str) -> Iterator[None]:
        """Emit "still waiting" every ``progress_every`` seconds while the block runs."""
        done = threading.Event()
        start = time.monotonic()

        def tick() -> None:
            while not done.wait(self.progress_every):
                self.emit("wait", f"{step}: still waiting for the service ({time.monotonic() - start:.0f} s)")

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()

    def send_once(
        self,
        step: str,
        send: Callable[[], Any],
        lookup: Callable[[], Any | None],
        refused: Callable[[str], object],
    ) -> tuple[Any, bool]:
        """Send a request that creates something, never blindly twice: (its reply, False) or (what lookup found, True).

        Refused (4xx): ``refused`` records it, then one sentence. Rate-limited
        (408, 429): sent again after the service's delay, as the SDK would. No
        answer, or a 5xx: ``lookup`` looks for what the request may have made;
        found, it is the result; not found, the request is sent again, unless
        the service timed out (it may still be working on it): then one
        sentence says to run again, which looks again first.
        """
        retries = self.provider.max_retries if self.provider is not None else 2
        for attempt in range(retries + 1):
            try:
                with self.waiting(step):
                    return send(), False
            except Exception as exc:
                kind = service.failure_kind(exc)
                if kind == "refused" or (kind == "busy" and attempt == retries):
                    self._fail(step, exc, refused if kind == "refused" else None)
                if kind in ("unknown", "timeout"):
                    found = lookup()
                    if found is not None:
                        return found, True
                    if kind == "timeout" or attempt == retries:
                        self._fail(step, exc, None, looked=True)
                self.sleep(service.retry_delay(exc, attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _fail(
        self, step: str, exc: Exception, refused: Callable[[str], object] | None, *, looked: bool = False
    ) -> None:
        try:
            with self.call(step):
                raise exc
        except PublishError as err:
            if refused is not None:
                refused(str(err))
            if looked:
                raise PublishError(
                    f"{err} The service may still make it: prep looked for it and found nothing yet, "
                    "and the next run looks again before sending anything."
                ) from None
            raise

    @contextmanager
    def tracker_call(self, step: str) -> Iterator[None]:
        try:
            yield
        except PublishError:
            raise
        except Exception as exc:
            if not type(exc).__module__.startswith("wandb"):
                raise
            raise PublishError(redact(f"W&B: {step} failed: {exc}", self.secrets)) from None
