"""The name and version of prep's distribution, from one place.

The version is read from the installed distribution's metadata, and only when
asked for (``prep.__version__``, ``prep --version``, SARIF and W&B records):
importing `importlib.metadata` costs about 40 ms, which `prep check` does not pay.
"""

from __future__ import annotations

__all__ = ["DISTRIBUTION", "version"]

#: The name on the package index (the import package and the command are ``prep``).
DISTRIBUTION = "finetune-prep"


def version() -> str:
    """The installed version of prep, or ``0+unknown`` for a source tree that was never installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"
