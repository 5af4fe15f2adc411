"""dingconf: a wire-compatible implementation of DingTalk's video-conference open API."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dingconf.testing.mock import mock

__all__ = ["__version__", "mock"]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Imported on first use: ``dingconf.mock`` loads the whole app, which the
    # command line and the plugin must not pay for at import.
    if name == "mock":
        from dingconf.testing.mock import mock

        return mock
    raise AttributeError(f"module 'dingconf' has no attribute {name!r}")
