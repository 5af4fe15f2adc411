"""dingconf: a wire-compatible implementation of DingTalk's video-conference open API."""

__all__ = ["__version__"]

__version__ = "0.1.0"
