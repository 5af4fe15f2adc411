"""The video layouts StartCloudRecord and StartStreamOut take: their pages' lists.

``video-conference-open-cloud-recording`` and ``video-conference-enables-live-stream-ingest``
list the same values; both answer one outside them with ``paramsError`` "error:%s".
"""

from dingconf.core import errors

__all__ = ["check_layout"]

_MODES = frozenset({"grid", "speech", "full_screen"})
_POSITIONS = frozenset({"relative_right", "float_right", "float_bottom"})


def check_layout(mode: str | None, window_position: str | None) -> None:
    """Refuse a ``mode`` or ``smallWindowPosition`` outside its list (None: not given).

    Raises:
        InvalidRequest: ``paramsError``.
    """
    if mode is not None and mode not in _MODES:
        raise errors.params_error("error:mode must be grid, speech or full_screen")
    if window_position is not None and window_position not in _POSITIONS:
        raise errors.params_error(
            "error:smallWindowPosition must be relative_right, float_right or float_bottom"
        )
